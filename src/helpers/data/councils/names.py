"""Published council names and CASSR codes to GSS codes, and a council parameter (code or name) to its code.

Name matching is deterministic: :func:`normalise_name` folds case, ``&``/``and``, punctuation, URL escapes
(``%20``) and the ONS ``", City of"`` / ``", County of"`` suffixes; the folded name must then be a listed
variant of ``data/raw/reference/council_name_variants.csv``. Nothing is matched by similarity. Some names
denote two councils at different times (``Dorset``: county to 2018-19, unitary from 2019-20;
``Buckinghamshire``, ``North Yorkshire``, ``Somerset``): those need the financial year to resolve.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError
from helpers.data.councils.changes import successor_hint
from helpers.data.councils.reference import (
    NAMES_CSV,
    active_in,
    check_year,
    code_index,
    is_active,
    name_of,
    previous_codes,
    read_reference_file,
    shared_reference,
    span,
    suggest,
)

_GSS_RE = re.compile(r"^E\d{8}$")


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


@lru_cache(maxsize=1)
def _variants() -> pd.DataFrame:
    df = read_reference_file(NAMES_CSV)
    df["key"] = normalise_names(df["name_variant"])
    return df


def name_variants() -> pd.DataFrame:
    """Return the name variants table (``name_variant``, ``gss_code``, ``seen_in``)."""
    return _variants().drop(columns="key").copy()


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
        year = check_year(year)
    if _GSS_RE.match(text.upper()):
        gss = text.upper()
        if gss not in code_index():
            new = previous_codes().get(gss)
            if new and gss not in code_index():
                raise ParameterError(
                    f"{gss} is an old code of {name_of(new)}; the files here use {new} (did you mean {new}?)"
                )
            raise ParameterError(f"unknown council code {text!r}{suggest(text)}")
    else:
        key = normalise_name(text)
        var = _variants()
        hits = sorted(set(var.loc[var["key"] == key, "gss_code"]) & set(code_index()))
        if not hits:
            raise ParameterError(f"unknown council {text!r}{suggest(text)}")
        if len(hits) > 1:
            if year is None:
                opts = ", ".join(f"{h} ({span(h)})" for h in hits)
                raise ParameterError(f"{text!r} names more than one council: {opts}; give a code or a year")
            active = [h for h in hits if active_in(h, year)]
            if len(active) != 1:
                raise ParameterError(f"{text!r} does not name one council in {year}: {hits}")
            hits = active
        gss = hits[0]
    if year is not None and not active_in(gss, year):
        raise ParameterError(
            f"{gss} ({name_of(gss)}) had no adult social services responsibility in {year} ({span(gss)})"
            + successor_hint(gss, year)
        )
    return gss


# ------------------------------------------------------------------------------------------------
# names and CASSR codes in bulk (for loaders)
# ------------------------------------------------------------------------------------------------


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
        raise DataError(what + suggest(str(raw)), file=file, row=row_no[i], column=column, value=raw)
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
        ref = shared_reference().set_index("gss_code")
        for i in np.flatnonzero(multi):
            y = str(years.iloc[i])
            act = [c for c in matched.iloc[i] if is_active(ref.loc[c], y)]
            if len(act) != 1:
                raise DataError(
                    f"name denotes {', '.join(matched.iloc[i])} and {len(act)} of them existed in {y}",
                    file=file, row=row_no[i], column=column, value=names.iloc[i],
                )
            out.iloc[i] = act[0]
    return out.astype(object)


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
    ref = shared_reference().dropna(subset=["cassr_code"])
    lookup = dict(zip(ref["cassr_code"], ref["gss_code"], strict=True))
    text = codes.astype("string").str.strip().str.extract(r"^(\d{3})(?:\.0+)?(?:\s*-.*)?$", expand=False)
    out = text.map(lookup)
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError("not a known CASSR code", file=file, row=_rows_for(codes.index, rows)[i], column=column,
                        value=codes.iloc[i])
    return out.astype(object)
