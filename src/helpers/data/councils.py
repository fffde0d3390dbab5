"""The one reference table of councils: codes, names, regions, types and boundary changes.

Every loader joins councils on ONS GSS codes and maps published names to codes through this module only.
It reads the committed reference tables in ``data/raw/reference/`` (compiled by this project and checked
against the national files; see that folder's README), so it works without any national data:

* ``councils.csv`` -- one row per council with adult social services responsibility (a CASSR) in any
  financial year from 2009-10 to 2024-25, plus the two counties abolished on 1 April 2009 (Bedfordshire,
  Cheshire) that older activity data still name;
* ``council_name_variants.csv`` -- every spelling of a council, region or England seen in a national file;
* ``regions.csv`` -- the nine English regions and England.

Name matching is deterministic: :func:`normalise_name` folds case, ``&``/``and``, punctuation, URL escapes
(``%20``) and the ONS ``", City of"`` / ``", County of"`` suffixes; the folded name must then be a listed
variant. Nothing is matched by similarity. Some names denote two councils at different times (``Dorset``:
county to 2018-19, unitary from 2019-20; ``Buckinghamshire``, ``North Yorkshire``, ``Somerset``): those need
the financial year to resolve.
"""

from __future__ import annotations

import difflib
import re
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, MissingDataError, ParameterError
from helpers.core.paths import REFERENCE
from helpers.data.io import require_columns
from helpers.data.tables import TableSpec, register_table

COUNCILS_CSV: Path = REFERENCE / "councils.csv"
NAMES_CSV: Path = REFERENCE / "council_name_variants.csv"
REGIONS_CSV: Path = REFERENCE / "regions.csv"

#: England's GSS code.
ENGLAND = "E92000001"
#: First financial year the reference table is complete for (after the April 2009 reorganisation; the
#: two counties abolished then are listed with ``last_year`` 2008-09 for older activity data).
FIRST_YEAR = "2008-09"
#: Latest financial year the reference table has been checked against (RO3 2024-25).
LATEST_YEAR = "2024-25"
#: Council types (``council_type`` column).
COUNCIL_TYPES = ("county", "unitary", "metropolitan district", "london borough")

_YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")
_GSS_RE = re.compile(r"^E\d{8}$")


# ------------------------------------------------------------------------------------------------
# reading the reference tables
# ------------------------------------------------------------------------------------------------


def _read(path: Path) -> pd.DataFrame:
    from helpers.data.reading import check_not_truncated

    if not path.is_file():
        raise MissingDataError(f"reference table {path.name} is missing from data/raw/reference/ (it is committed)")
    check_not_truncated(path, hint="restore the committed copy (`git restore data/raw/reference`)")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@lru_cache(maxsize=1)
def _reference() -> pd.DataFrame:
    df = _read(COUNCILS_CSV)
    for col in ("first_year", "last_year", "cassr_code", "predecessor_codes", "successor_codes",
                "previous_gss_codes", "notes", "checked_in"):
        if col in df.columns:
            df[col] = df[col].replace("", None)
    return df.sort_values("gss_code").reset_index(drop=True)


def reference() -> pd.DataFrame:
    """Return every council in the reference table (past and present).

    Returns
    -------
    pandas.DataFrame
        One row per council: ``gss_code``, ``cassr_code``, ``name``, ``region_code``, ``region_name``,
        ``council_type``, ``first_year``, ``last_year`` (``None`` = before 2009-10 / still current),
        ``predecessor_codes``, ``successor_codes``, ``previous_gss_codes`` (``;``-separated),
        ``checked_in``, ``notes``. A copy: changing it does not change the cache.
    """
    return _reference().copy()


@lru_cache(maxsize=1)
def _regions() -> pd.DataFrame:
    return _read(REGIONS_CSV)


def regions() -> pd.DataFrame:
    """Return the nine English regions and England (``region_code``, ``region_name``)."""
    return _regions().copy()


@lru_cache(maxsize=1)
def _variants() -> pd.DataFrame:
    df = _read(NAMES_CSV)
    df["key"] = normalise_names(df["name_variant"])
    return df


def name_variants() -> pd.DataFrame:
    """Return the name variants table (``name_variant``, ``gss_code``, ``seen_in``)."""
    return _variants().drop(columns="key").copy()


# ------------------------------------------------------------------------------------------------
# years
# ------------------------------------------------------------------------------------------------


def _check_year(year: str) -> str:
    m = _YEAR_RE.match(str(year))
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ParameterError(f"year {year!r} is not a financial year like '2022-23'")
    if not FIRST_YEAR <= year <= LATEST_YEAR:
        raise ParameterError(
            f"year {year!r} is outside the council reference table ({FIRST_YEAR} to {LATEST_YEAR})"
        )
    return year


def _active_mask(df: pd.DataFrame, year: str) -> pd.Series:
    first = df["first_year"].fillna("0000-00")
    last = df["last_year"].fillna("9999-99")
    return (first <= year) & (last >= year)


def current(year: str | None = None) -> pd.DataFrame:
    """Return the councils with adult social services responsibility in a financial year.

    Parameters
    ----------
    year
        Financial year ``'YYYY-YY'`` from 2008-09 to 2024-25; the latest when ``None``.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`reference`, sorted by ``gss_code``: 152 councils each year to 2018-19, 151 in
        2019-20 and 2020-21, 152 in 2021-22 and 2022-23, 153 from 2023-24 (150 in 2008-09, before
        the Bedfordshire and Cheshire splits).

    Raises
    ------
    ParameterError
        The year is not ``'YYYY-YY'`` or is outside the table.
    """
    year = _check_year(LATEST_YEAR if year is None else year)
    df = _reference()
    return df[_active_mask(df, year)].reset_index(drop=True).copy()


# ------------------------------------------------------------------------------------------------
# single codes
# ------------------------------------------------------------------------------------------------


def _by_code() -> dict[str, int]:
    return {c: i for i, c in enumerate(_reference()["gss_code"])}


def _previous_map() -> dict[str, str]:
    """Old code -> the council row that lists it in ``previous_gss_codes``."""
    out: dict[str, str] = {}
    for code, prev in zip(_reference()["gss_code"], _reference()["previous_gss_codes"], strict=True):
        for p in _split(prev):
            out[p] = code
    return out


def _split(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return []
    return [v for v in str(value).split(";") if v]


def _suggest(text: str) -> str:
    ref = _reference()
    choices = {f"{c} ({n})": c for c, n in zip(ref["gss_code"], ref["name"], strict=True)}
    by_name = {n.lower(): f"{c} ({n})" for c, n in zip(ref["gss_code"], ref["name"], strict=True)}
    hits = difflib.get_close_matches(text.lower(), list(by_name), n=3, cutoff=0.6)
    out = [by_name[h] for h in hits]
    if not out:
        out = difflib.get_close_matches(text.upper(), list(ref["gss_code"]), n=3, cutoff=0.7)
        out = [k for k in choices if choices[k] in out]
    return f"; did you mean {' or '.join(out)}?" if out else ""


def get(gss_code: str) -> pd.Series:
    """Return one council's reference row.

    Raises
    ------
    ParameterError
        Unknown code (with a suggestion).
    """
    idx = _by_code().get(str(gss_code).strip().upper())
    if idx is None:
        raise ParameterError(f"unknown council code {gss_code!r}{_suggest(str(gss_code))}")
    return _reference().iloc[idx].copy()


def name_of(gss_code: str) -> str:
    """Return a council's ONS name (also works for region codes and England)."""
    code = str(gss_code).strip().upper()
    reg = _regions()
    hit = reg.loc[reg["region_code"] == code, "region_name"]
    if len(hit):
        return str(hit.iloc[0])
    return str(get(code)["name"])


def validate_code(code: str, year: str | None = None) -> str:
    """Check a council parameter and return its GSS code.

    Parameters
    ----------
    code
        A GSS code (``'E08000007'``) or a council name in any listed spelling (``'Stockport'``).
    year
        If given, the council must have adult social services responsibility in that financial year.

    Returns
    -------
    str
        The GSS code.

    Raises
    ------
    ParameterError
        Unknown code or name (with a "did you mean ...?" suggestion), an old code of a council that has
        a new one, an ambiguous name without a year, or a council that did not exist in ``year``.
    """
    text = str(code).strip()
    if year is not None:
        year = _check_year(year)
    if _GSS_RE.match(text.upper()):
        gss = text.upper()
        if gss not in _by_code():
            new = _previous_map().get(gss)
            if new and gss not in _by_code():
                raise ParameterError(
                    f"{gss} is an old code of {name_of(new)}; the files here use {new} (did you mean {new}?)"
                )
            raise ParameterError(f"unknown council code {text!r}{_suggest(text)}")
    else:
        key = normalise_name(text)
        var = _variants()
        hits = sorted(set(var.loc[var["key"] == key, "gss_code"]) & set(_by_code()))
        if not hits:
            raise ParameterError(f"unknown council {text!r}{_suggest(text)}")
        if len(hits) > 1:
            if year is None:
                opts = ", ".join(f"{h} ({_span(h)})" for h in hits)
                raise ParameterError(f"{text!r} names more than one council: {opts}; give a code or a year")
            active = [h for h in hits if _active_in(h, year)]
            if len(active) != 1:
                raise ParameterError(f"{text!r} does not name one council in {year}: {hits}")
            hits = active
        gss = hits[0]
    if year is not None and not _active_in(gss, year):
        raise ParameterError(
            f"{gss} ({name_of(gss)}) had no adult social services responsibility in {year} ({_span(gss)})"
            + _successor_hint(gss, year)
        )
    return gss


def _active_in(gss: str, year: str) -> bool:
    row = get(gss)
    return (row["first_year"] is None or row["first_year"] <= year) and (
        row["last_year"] is None or row["last_year"] >= year
    )


def _span(gss: str) -> str:
    row = get(gss)
    first = row["first_year"] or "before 2009-10"
    last = row["last_year"] or "now"
    return f"{first} to {last}"


def _successor_hint(gss: str, year: str) -> str:
    row = get(gss)
    if row["last_year"] is not None and year > row["last_year"] and row["successor_codes"]:
        return f"; did you mean {' or '.join(_split(row['successor_codes']))}?"
    if row["first_year"] is not None and year < row["first_year"] and row["predecessor_codes"]:
        return f"; did you mean {' or '.join(_split(row['predecessor_codes']))}?"
    return ""


def current_code(gss_code: str) -> str:
    """Return the code in use now for the SAME area: an old code (recoded council) -> its current code.

    Only same-area recodes are followed (Northumberland E06000048 -> E06000057, Gateshead E08000020 ->
    E08000037, Buckinghamshire E10000002 -> E06000060, North Yorkshire E10000023 -> E06000065, Somerset
    E10000027 -> E06000066). A council that was merged or split keeps its own code (there is no single
    current council for its area): see :func:`series_breaks`.

    Raises
    ------
    ParameterError
        Unknown code.
    """
    code = str(gss_code).strip().upper()
    prev = _previous_map()
    seen = {code}
    while code in prev:
        code = prev[code]
        if code in seen:  # pragma: no cover - guarded by the reference-table test
            break
        seen.add(code)
    if code not in _by_code():
        raise ParameterError(f"unknown council code {gss_code!r}{_suggest(str(gss_code))}")
    return code


def series_breaks(gss_code: str) -> list[dict[str, object]]:
    """Return where a council's time series breaks, for a notebook to state.

    Parameters
    ----------
    gss_code
        A council code.

    Returns
    -------
    list of dict
        Sorted by year; each ``{"year", "kind", "description", "related_codes"}``. ``year`` is the first
        financial year of the new arrangement; ``kind`` is one of ``created``, ``abolished``, ``merged``,
        ``split``, ``recoded``. ``recoded`` means the same area under a new code (the series may be joined
        across it, saying so); any other kind means the areas before and after differ and the series must
        not be joined. Empty for a council with no change since 2009-10.
    """
    row = get(gss_code)
    code = row["gss_code"]
    out: list[dict[str, object]] = []
    preds = _split(row["predecessor_codes"])
    succs = _split(row["successor_codes"])
    prev_codes = _split(row["previous_gss_codes"])
    if row["first_year"] is not None:
        same = [p for p in preds if p in prev_codes]
        if same:
            kind = "recoded"
            desc = f"{row['name']} took code {code} from {', '.join(same)} ({_names(same)}), same area"
        elif len(preds) > 1:
            kind = "merged"
            desc = f"{row['name']} ({code}) created from {_names(preds)} (merged; see notes for the parts taken)"
        elif preds and len(_split(get(preds[0])["successor_codes"])) > 1:
            kind = "split"
            desc = f"{row['name']} ({code}) created from part of {_names(preds)}, which was split"
        else:
            kind = "created"
            desc = f"{row['name']} ({code}) created" + (f" from {_names(preds)}" if preds else "")
        out.append({"year": row["first_year"], "kind": kind, "description": desc, "related_codes": preds})
    if row["last_year"] is not None:
        year = _next_year(row["last_year"])
        same = [s for s in succs if code in _split(get(s)["previous_gss_codes"])]
        if same:
            kind = "recoded"
            desc = f"{row['name']} ({code}) continues as {_names(same)} under code {', '.join(same)}, same area"
        elif len(succs) > 1:
            kind = "split"
            desc = f"{row['name']} ({code}) abolished and split between {_names(succs)}"
        elif succs and len(_split(get(succs[0])["predecessor_codes"])) > 1:
            kind = "merged"
            desc = f"{row['name']} ({code}) abolished and merged into {_names(succs)}"
        else:
            kind = "abolished"
            desc = f"{row['name']} ({code}) abolished"
        out.append({"year": year, "kind": kind, "description": desc, "related_codes": succs})
    for old in prev_codes:
        if old not in _by_code():  # an old code of the same area that no file here uses
            out.append({
                "year": None, "kind": "recoded",
                "description": f"{row['name']} was {old} before its current code {code}, same area "
                               f"(see notes: {row['notes']})",
                "related_codes": [old],
            })
    return sorted(out, key=lambda d: (d["year"] or ""))


def _names(codes: Iterable[str]) -> str:
    return " and ".join(f"{name_of(c)} ({c})" for c in codes)


def _next_year(year: str) -> str:
    y = int(year[:4]) + 1
    return f"{y}-{(y + 1) % 100:02d}"


# ------------------------------------------------------------------------------------------------
# names and CASSR codes in bulk (for loaders)
# ------------------------------------------------------------------------------------------------


def normalise_name(name: object) -> str:
    """Fold a published council name to a matching key.

    Lower case; URL escapes decoded (``%20``); ``&`` -> ``and``; every character other than a letter or a
    digit becomes a space (so ``St. Helens`` = ``St Helens``, ``Stockton-on-Tees`` = ``Stockton on Tees``,
    ``Barking.and.Dagenham`` = ``Barking and Dagenham``); spaces collapsed; a trailing ``city of`` or
    ``county of`` (ONS's ``"Bristol, City of"``) dropped. ``City of London`` keeps its prefix.

    Examples
    --------
    >>> normalise_name("Kingston upon Hull, City of")
    'kingston upon hull'
    >>> normalise_name("Telford & Wrekin")
    'telford and wrekin'
    """
    return str(normalise_names(pd.Series([str(name)], dtype="string")).iloc[0])


def normalise_names(names: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_name` (``NaN`` stays ``NaN``)."""
    s = names.astype("string")
    s = s.map(lambda v: urllib.parse.unquote(v) if isinstance(v, str) and "%" in v else v, na_action="ignore")
    s = s.astype("string").str.lower().str.replace("&", " and ", regex=False)
    s = s.str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    s = s.str.replace(r"\s+(city|county) of$", "", regex=True).str.strip()
    return s


def _rows_for(index: pd.Index, rows: Iterable[int] | pd.Series | None) -> list[int | None]:
    if rows is None:
        return [int(i) + 2 if isinstance(i, (int, np.integer)) else None for i in index]
    return [int(r) for r in rows]


def resolve_names(
    names: pd.Series,
    *,
    file: str | Path,
    column: str,
    rows: Iterable[int] | pd.Series | None = None,
    year: str | pd.Series | None = None,
    levels: Iterable[str] = ("council",),
) -> pd.Series:
    """Map published names to GSS codes through the name-variants table (never by similarity).

    Parameters
    ----------
    names
        Names as published.
    file, column
        Where they came from, for the error message.
    rows
        Spreadsheet row of each name (default ``index + 2``).
    year
        Financial year(s) ``'YYYY-YY'`` of each row (one string or a Series aligned with ``names``). Needed
        only where one name denotes two councils at different times (e.g. ``Dorset``).
    levels
        Which kinds of area may match: ``"council"``, ``"region"``, ``"england"``.

    Returns
    -------
    pandas.Series
        GSS codes, same index as ``names``.

    Raises
    ------
    DataError
        For the first name that is blank, unknown, of a level not allowed, ambiguous without a year, or
        names no council in that row's year -- naming file, row and column.
    """
    levels = set(levels)
    allowed_prefix = set()
    if "council" in levels:
        allowed_prefix |= {"E06", "E08", "E09", "E10"}
    if "region" in levels:
        allowed_prefix.add("E12")
    if "england" in levels:
        allowed_prefix.add("E92")
    var = _variants()
    var = var[var["gss_code"].str[:3].isin(allowed_prefix)]
    keys = normalise_names(names)
    cand = var.groupby("key")["gss_code"].agg(lambda s: sorted(set(s)))
    matched = keys.map(cand)
    row_no = _rows_for(names.index, rows)
    bad = matched.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raw = names.iloc[i]
        what = "blank council name" if pd.isna(raw) or str(raw).strip() == "" else (
            "name not in the council name variants table (data/raw/reference/council_name_variants.csv)"
        )
        raise DataError(what + _suggest(str(raw)), file=file, row=row_no[i], column=column, value=raw)
    out = matched.map(lambda v: v[0] if len(v) == 1 else None)
    multi = out.isna().to_numpy()
    if multi.any():
        if year is None:
            i = int(np.flatnonzero(multi)[0])
            raise DataError(
                f"name denotes more than one council ({', '.join(matched.iloc[i])}): the loader must give the year",
                file=file, row=row_no[i], column=column, value=names.iloc[i],
            )
        years = year if isinstance(year, pd.Series) else pd.Series(year, index=names.index)
        ref = _reference().set_index("gss_code")
        for i in np.flatnonzero(multi):
            y = str(years.iloc[i])
            act = [c for c in matched.iloc[i] if _active_row(ref.loc[c], y)]
            if len(act) != 1:
                raise DataError(
                    f"name denotes {', '.join(matched.iloc[i])} and {len(act)} of them existed in {y}",
                    file=file, row=row_no[i], column=column, value=names.iloc[i],
                )
            out.iloc[i] = act[0]
    return out.astype(object)


def _active_row(row: pd.Series, year: str) -> bool:
    return (row["first_year"] is None or row["first_year"] <= year) and (
        row["last_year"] is None or row["last_year"] >= year
    )


def cassr_to_gss(
    codes: pd.Series,
    *,
    file: str | Path,
    column: str,
    rows: Iterable[int] | pd.Series | None = None,
) -> pd.Series:
    """Map 3-digit CASSR codes (older NHS Digital finance files) to GSS codes.

    Codes are read as text; ``102``, ``'102'`` and ``'102.0'`` all match. A ``'102 - Cumbria'`` header
    label is accepted (the name is ignored; the code decides).

    Raises
    ------
    DataError
        For the first code that is blank or not a known CASSR code, naming file, row and column.
    """
    ref = _reference().dropna(subset=["cassr_code"])
    lookup = dict(zip(ref["cassr_code"], ref["gss_code"], strict=True))
    text = codes.astype("string").str.strip().str.extract(r"^(\d{3})(?:\.0+)?(?:\s*-.*)?$", expand=False)
    out = text.map(lookup)
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError("not a known CASSR code", file=file, row=_rows_for(codes.index, rows)[i], column=column,
                        value=codes.iloc[i])
    return out.astype(object)


def counts_by_year(years: Iterable[str] | None = None) -> pd.Series:
    """Number of councils with adult social services responsibility in each financial year."""
    if years is None:
        first = int(FIRST_YEAR[:4])
        years = [f"{y}-{(y + 1) % 100:02d}" for y in range(first, int(LATEST_YEAR[:4]) + 1)]
    return pd.Series({y: len(current(y)) for y in years}, name="councils")


# ------------------------------------------------------------------------------------------------
# processed tables
# ------------------------------------------------------------------------------------------------


def _build_councils() -> pd.DataFrame:
    from helpers.data import schemas
    from helpers.data.reading import raise_first

    df = _read(COUNCILS_CSV)
    require_columns(df, schemas.COUNCILS.columns, file=COUNCILS_CSV)
    df = df.replace("", None)
    df["_row"] = np.arange(len(df)) + 2
    schemas.unique_key(df, ["gss_code"], table="councils", file=COUNCILS_CSV)
    regions = set(_read(REGIONS_CSV)["region_code"])
    raise_first(~df["region_code"].isin(regions), "region code not in regions.csv", file=COUNCILS_CSV,
                rows=df["_row"], column="region_code", values=df["region_code"])
    known = set(df["gss_code"])
    for col in ("predecessor_codes", "successor_codes"):
        linked = df[col].map(lambda v: [c for c in _split(v) if c not in known])
        raise_first(linked.map(bool), "a linked council is not in councils.csv", file=COUNCILS_CSV, rows=df["_row"],
                    column=col, values=df[col])
    out = schemas.validate(df, schemas.COUNCILS, file=COUNCILS_CSV)
    return out.sort_values("gss_code").reset_index(drop=True)


def _build_names() -> pd.DataFrame:
    from helpers.data import schemas
    from helpers.data.reading import raise_first

    df = _read(NAMES_CSV)
    require_columns(df, schemas.COUNCIL_NAMES.columns, file=NAMES_CSV)
    df["_row"] = np.arange(len(df)) + 2
    schemas.unique_key(df, ["name_variant", "gss_code"], table="council_names", file=NAMES_CSV)
    known = set(_read(COUNCILS_CSV)["gss_code"]) | set(_read(REGIONS_CSV)["region_code"])
    raise_first(~df["gss_code"].isin(known), "code not in councils.csv or regions.csv", file=NAMES_CSV,
                rows=df["_row"], column="gss_code", values=df["gss_code"])
    out = schemas.validate(df, schemas.COUNCIL_NAMES, file=NAMES_CSV)
    return out.sort_values(["gss_code", "name_variant"]).reset_index(drop=True)


register_table(TableSpec(
    name="councils", build=_build_councils, inputs=lambda: [COUNCILS_CSV, REGIONS_CSV], kind="reference",
    description="Councils with adult social services responsibility 2008-09 to 2024-25: codes, names, boundary changes",
))
register_table(TableSpec(
    name="council_names", build=_build_names, inputs=lambda: [NAMES_CSV, COUNCILS_CSV, REGIONS_CSV],
    kind="reference", description="Every published spelling of a council, region or England name, with its GSS code",
))
