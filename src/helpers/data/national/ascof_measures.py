"""ASCOF measure codes, names and disaggregations, and the one measure registry (``ascof_measures``).

Measure codes are normalised to the handbook's form (``1A``, ``1C(1A)``, ``2A(2)``, ``3D(1)``): see
:func:`normalise_measure_code` and ``docs/methods.md``. The registry (polarity, unit, interval method,
comparison, survey flag, years) is compiled by this project in the committed file
``data/raw/reference/ascof_measures.csv``; the published polarity file is a cross-check of it
(:func:`compare_directions`), not an input of any table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.core.paths import REFERENCE, SOURCES_REGISTER
from helpers.data import sources
from helpers.data.io import parse_numbers, read_csv_raw, require_columns
from helpers.data.national.ascof_crosswalk import CROSSWALK_FILE, codes, crosswalk, framework_of, label_errors
from helpers.data.reading import raise_first
from helpers.data.schemas import ASCOF_MEASURES_SCHEMA, unique_key, validate

SOURCE_DIRECTION = "ascof_direction"
#: The committed measure registry.
MEASURES_FILE: Path = REFERENCE / "ascof_measures.csv"
#: Columns of the committed registry file (the table adds ``measure_id`` and ``framework``).
MEASURE_COLUMNS = tuple(c for c in ASCOF_MEASURES_SCHEMA.columns if c not in ("measure_id", "framework"))
#: Register families of the ASCOF files (the years they cover decide which frameworks the registry lists).
ASCOF_FAMILIES = ("ascof_trend", "ascof_annual")

#: Published disaggregation (lower case, single spaces) -> our one spelling.
DISAGGREGATIONS: dict[str, str] = {
    "total": "Total", "18-64": "18-64", "65 and over": "65+", "65+": "65+", "64 and under": "Under 65",
    "under 65": "Under 65", "65-74": "65-74", "65-84": "65-84", "75-84": "75-84", "85 and over": "85+",
    "85+": "85+", "female": "Female", "male": "Male",
}
#: Suffix the open data appends to the measure group in ``ASCOF Measure Code`` for each disaggregation.
DISAGGREGATION_SUFFIX: dict[str, str] = {
    "Total": "", "18-64": "1864", "65+": "65OV", "Under 65": "64U", "65-74": "6574", "65-84": "6584",
    "75-84": "7584", "85+": "85OV", "Female": "F", "Male": "M",
}

_CODE_CLEAN = re.compile(r"[\s().\-_/]")
_CODE_RE = re.compile(r"^([1-6])([A-J])(?:([1-9])([AB])?)?$")


def normalise_measure_code(code: object) -> str:
    """Return an ASCOF measure code in the handbook's form.

    The trend and open-data files write measure groups without brackets (``1C1A``, ``2A1``, ``3D2``);
    the handbook writes ``1C(1A)``, ``2A(1)``, ``3D(2)``. Case, spaces, brackets, dots, hyphens and
    underscores are ignored, and an ``ASCOF`` prefix is dropped, so ``"1c1a"``, ``" 1C (1A) "`` and
    ``"ASCOF 1C1A"`` all give ``"1C(1A)"``.

    Parameters
    ----------
    code
        A published measure code.

    Returns
    -------
    str
        Domain digit and letter, then the sub-measure in brackets if any: ``1A``, ``1C(1A)``, ``2A(2)``.

    Raises
    ------
    ValueError
        Not an ASCOF measure code (domain or objective 1-6, letters A-J, sub-measure a digit plus optional
        A/B).

    Examples
    --------
    >>> normalise_measure_code("1C2B"), normalise_measure_code("2a(1)"), normalise_measure_code("4B")
    ('1C(2B)', '2A(1)', '4B')
    """
    if code is None or (isinstance(code, float) and np.isnan(code)):
        raise ValueError("no measure code")
    s = _CODE_CLEAN.sub("", str(code)).upper()
    if s.startswith("ASCOF"):
        s = s[5:]
    m = _CODE_RE.match(s)
    if not m:
        raise ValueError(f"not an ASCOF measure code: {code!r}")
    domain, letter, number, sub = m.groups()
    base = f"{domain}{letter}"
    return base if number is None else f"{base}({number}{sub or ''})"


def normalise_measure_codes(
    codes: pd.Series, *, file: str | Path, column: str, rows: pd.Series | None = None,
    known: Iterable[str] | None = None,
) -> pd.Series:
    """Normalise a column of measure codes; raise one :class:`DataError` on the first bad or unknown code.

    Parameters
    ----------
    codes
        Published codes.
    file, column, rows
        Where they came from (``rows``: spreadsheet row numbers, default ``index + 2``).
    known
        Codes of the registry; a code outside it is an error.

    Returns
    -------
    pandas.Series
        Normalised codes (:func:`normalise_measure_code`).
    """
    rows = pd.Series(codes.index + 2, index=codes.index) if rows is None else rows
    mapping: dict[object, str | None] = {}
    for raw in pd.unique(codes):
        try:
            mapping[raw] = normalise_measure_code(raw)
        except ValueError:
            mapping[raw] = None
    out = codes.map(mapping)
    raise_first(out.isna(), "not an ASCOF measure code", file=file, rows=rows, column=column, values=codes)
    if known is not None:
        unknown = ~out.isin(set(known))
        if unknown.any():
            pos = int(np.flatnonzero(unknown.to_numpy())[0])
            row = int(rows.iloc[pos])
            raise DataError(
                f"unknown ASCOF measure code {out.iloc[pos]!r}: not in {MEASURES_FILE.name}",
                file=file, row=row, column=column, value=codes.iloc[pos],
            )
    return out.astype(str)


def normalise_disaggregation(values: pd.Series, *, file: str | Path, column: str, rows: pd.Series) -> pd.Series:
    """Map published disaggregations to our one spelling (:data:`DISAGGREGATIONS`); raise on an unknown one."""
    key = values.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    out = key.map(DISAGGREGATIONS)
    raise_first(out.isna(), f"unknown disaggregation (known: {sorted(set(DISAGGREGATIONS.values()))})", file=file,
                rows=rows, column=column, values=values)
    return out.astype(str)


def name_key(text: object) -> str:
    """Return a matching key for a measure name: lower case, no punctuation, no leading "the".

    Published names differ in dashes (``-``, ``–``, and a mis-encoded ``\\x96``), brackets, commas and a
    leading "The"; this key makes those spellings equal, and nothing else.
    """
    s = str(text).lower()
    s = re.sub(r"[\u0096\u2013\u2014\-/]", " ", s)
    s = re.sub(r"[(),:;.'\"]", "", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s[4:] if s.startswith("the ") else s


def resolve_measure_names(names: pd.Series, registry: pd.DataFrame | None = None) -> pd.Series:
    """Map published measure names to registry codes through :func:`name_key`.

    Each registry row contributes its ``measure_name`` and its ``other_names`` (``|``-separated published
    variants). A name that matches no code, or more than one, maps to ``NaN``.

    Returns
    -------
    pandas.Series
        Measure codes (object dtype, ``None`` where unresolved), aligned with ``names``.
    """
    reg = measures() if registry is None else registry
    pairs: dict[str, set[str]] = {}
    for code, name, other in reg[["measure_code", "measure_name", "other_names"]].itertuples(index=False):
        for n in [name, *[o for o in str(other).split("|") if o]]:
            pairs.setdefault(name_key(n), set()).add(code)
    lookup = {k: next(iter(v)) for k, v in pairs.items() if len(v) == 1}
    return names.map(lambda n: lookup.get(name_key(n)) if isinstance(n, str) else None)


# ----------------------------------------------------------------------------------------------------
# The measure registry
# ----------------------------------------------------------------------------------------------------

def registered_frameworks() -> list[str]:
    """The ASCOF frameworks of the years that the registered ASCOF files cover (committed and local register)."""
    years = {y for fam in ASCOF_FAMILIES for src in sources.family(fam) for y in src.years}
    return sorted({framework_of(y) for y in years}) or ["to 2022-23"]


def registry_inputs() -> list[Path]:
    """The files the measure registry is built from: the registry, the crosswalk and the register(s)."""
    local = sources.local_register_path()
    return [MEASURES_FILE, CROSSWALK_FILE, SOURCES_REGISTER, *([local] if local.is_file() else [])]


def _attributes(path: str | Path | None = None) -> pd.DataFrame:
    """The committed registry file: one row per code up to 2022-23, validated cell by cell."""
    path = Path(path) if path is not None else MEASURES_FILE
    df = read_csv_raw(path)
    require_columns(df, MEASURE_COLUMNS, file=path)
    df["_row"] = df.index + 2
    for col in ("other_names", "notes", "polarity_source", "data_collection", "scale"):
        df[col] = df[col].fillna("")
    bools = df["survey_based"].str.strip().str.lower().map({"true": True, "false": False})
    raise_first(bools.isna(), "expected true or false", file=path, rows=df["_row"], column="survey_based",
                values=df["survey_based"])
    df["survey_based"] = bools.astype(bool)
    df["multiplier"], _ = parse_numbers(df["multiplier"], file=path, column="multiplier", rows=df["_row"])
    unique_key(df, ["measure_code"], table="ascof_measures", file=path)
    return df


def code_table(path: str | Path | None = None) -> pd.DataFrame:
    """Every ASCOF code of every framework with its measure (:func:`helpers.data.national.ascof_crosswalk.codes`):
    what the loaders map a file's codes with, whatever the register holds."""
    table = codes(_attributes(path))
    for code in table["measure_code"]:
        if normalise_measure_code(code) != code:
            raise DataError(f"crosswalk code {code!r} is not in normalised form ({normalise_measure_code(code)!r})",
                            file=CROSSWALK_FILE)
    return table


def measures(path: str | Path | None = None, frameworks: Iterable[str] | None = None) -> pd.DataFrame:
    """Load and validate the ASCOF measure registry: one row per measure and framework.

    Works without national data. Columns: see ``docs/data_dictionary.md`` (``ascof_measures``). The
    attributes (polarity, unit, interval method ...) are those of the committed file
    ``data/raw/reference/ascof_measures.csv`` (one row per code up to 2022-23); the crosswalk
    (:mod:`~helpers.data.national.ascof_crosswalk`) gives each its stable ``measure_id`` and its code and name
    in each framework. A measure's row of the framework from 2023-24 keeps its attributes; ``years_available``
    there lists the registered years of that framework and ``oflog_code`` is blank (Oflog's measures end in
    2022-23).

    Parameters
    ----------
    path
        The registry file (default: the committed one).
    frameworks
        Frameworks to list (default: those of the years the registered ASCOF files cover,
        :func:`registered_frameworks`, so the registry gains the 2023-24 codes when a file of that year is
        added).

    Returns
    -------
    pandas.DataFrame
        Sorted by framework (the earlier first) and ``measure_code``; ``survey_based`` is bool, ``multiplier``
        float (``NaN`` where value is not numerator / denominator x a constant).

    Raises
    ------
    DataError
        A missing column, a code not in normalised form, or a value outside the allowed set.
    """
    attrs = _attributes(path)
    want = list(frameworks) if frameworks is not None else registered_frameworks()
    table = code_table(path)
    table = table[table["framework"].isin(want)]
    by_old = attrs.set_index("measure_code")
    out = by_old.loc[table["old_code"]].reset_index(drop=True)
    out["measure_code"] = table["measure_code"].to_numpy()
    out["measure_id"] = table["measure_id"].to_numpy()
    out["framework"] = table["framework"].to_numpy()
    out["measure_name"] = table["measure_name"].to_numpy()
    names = table["names"].str.split("|").to_numpy()
    out["other_names"] = ["|".join(n for n in ns if n and n != main) for ns, main in zip(names, out["measure_name"],
                                                                                         strict=True)]
    new = (out["framework"] != "to 2022-23").to_numpy()
    if new.any():
        cw = crosswalk().set_index("measure_id")
        reg_years = {y for fam in ASCOF_FAMILIES for src in sources.family(fam) for y in src.years}
        for fw in set(out.loc[new, "framework"]):
            yrs = ";".join(sorted(y for y in reg_years if framework_of(y) == fw))
            out.loc[out["framework"] == fw, "years_available"] = yrs
        ids = out.loc[new, "measure_id"]
        out.loc[new, "oflog_code"] = np.nan
        out.loc[new, "notes"] = ("crosswalk (" + ids.map(cw["confidence"]) + "): " + ids.map(cw["source_note"])).to_numpy()
    out["_row"] = np.arange(len(out)) + 2
    out["oflog_code"] = out["oflog_code"].where(out["oflog_code"].notna() & (out["oflog_code"] != ""), None)
    out = out[[*ASCOF_MEASURES_SCHEMA.columns, "_row"]]
    unique_key(out, ["framework", "measure_code"], table="ascof_measures", file=MEASURES_FILE)
    res = validate(out, ASCOF_MEASURES_SCHEMA, file=MEASURES_FILE)
    order = {f: i for i, f in enumerate(["to 2022-23", "from 2023-24"])}
    return (res.assign(_f=res["framework"].map(order)).sort_values(["_f", "measure_code"], kind="stable")
            .drop(columns="_f").reset_index(drop=True))


def assign_measures(df: pd.DataFrame, *, code_col: str, desc_col: str | None, file: str | Path,
                    rows: pd.Series, table: pd.DataFrame | None = None, code_label: str | None = None
                    ) -> pd.DataFrame:
    """Give each row of a published ASCOF file its framework and stable ``measure_id``, checking its description.

    The row's year (column ``year``) decides the framework; the code is looked up in that framework's codes
    (:func:`code_table`). The file's own description of the measure must be one of the names registered for
    that code in that framework (compared with :func:`name_key`), or a known mislabel of the year: a code reused
    for another measure is refused, never re-labelled. A blank description is accepted up to 2022-23 (the
    trend file has some) but not from 2023-24, where codes were reused.

    Parameters
    ----------
    df
        Rows with ``year``, the normalised code in ``code_col`` and the published description in ``desc_col``.
    rows
        Spreadsheet row of each record.
    code_label
        The file's name of the code column, for messages (default ``code_col``).

    Returns
    -------
    pandas.DataFrame
        ``df`` with ``framework`` and ``measure_id``.

    Raises
    ------
    DataError
        A code that is not a measure of the year's framework, a missing description from 2023-24, or a
        description that is not the registered measure's -- naming the code, the year and both texts.
    """
    table = code_table() if table is None else table
    errors = label_errors(crosswalk())
    df = df.copy()
    df["framework"] = df["year"].map(framework_of)
    lookup = table.set_index(["framework", "measure_code"])
    keys_of = {k: {name_key(n) for n in str(v).split("|") if n} for k, v in lookup["names"].items()}
    desc = df[desc_col].astype("string").str.strip().fillna("") if desc_col else pd.Series("", index=df.index)
    combos = pd.DataFrame({"framework": df["framework"], "code": df[code_col], "year": df["year"], "desc": desc,
                           "_pos": np.arange(len(df))}).drop_duplicates(["framework", "code", "year", "desc"])
    for fw, code, year, text, pos in combos.itertuples(index=False):
        row = int(np.asarray(rows)[pos])
        if (fw, code) not in lookup.index:
            raise DataError(
                f"unknown ASCOF measure code {code!r} for {year}: not a measure of the framework {fw} in "
                f"{CROSSWALK_FILE.name}" + (f" (the file calls it {text!r})" if text else "") + "; the measures "
                "were renumbered in 2023-24 and codes reused: add the measure with its source (docs/data_updates.md)",
                file=file, row=row, column=code_label or code_col)
        ref = lookup.loc[(fw, code)]
        if not text:
            if fw != "to 2022-23":
                raise DataError(f"no description of ASCOF code {code!r} in {year}: from 2023-24 codes were reused, so "
                                "the file's description is needed to tell which measure it is", file=file, row=row,
                                column=desc_col or code_label or code_col)
            continue
        known_errors = {name_key(t) for t in errors.get((ref["old_code"], year), set())}
        if name_key(text) in keys_of[(fw, code)] or name_key(text) in known_errors:
            continue
        raise DataError(
            f"ASCOF code {code!r} in {year}: the file describes it as {text!r}, but {code} in the framework {fw} is "
            f"{ref['measure_name']!r} ({CROSSWALK_FILE.name}): a code reused for another measure? Not re-labelled",
            file=file, row=row, column=desc_col)
    ids = lookup["measure_id"]
    df["measure_id"] = [ids[(f, c)] for f, c in zip(df["framework"], df[code_col], strict=True)]
    return df


def expected_value(df: pd.DataFrame, registry: pd.DataFrame | None = None) -> pd.Series:
    """Return numerator / denominator x the measure's multiplier (``NaN`` where not computable).

    For percentages the multiplier is 100, for rates per 100,000 it is 100,000, and for the quality of
    life scores (1A, 1D) it is 1 (the numerator is the weighted sum of scores). 1J has none.
    """
    reg = measures() if registry is None else registry
    if "framework" in df.columns and "framework" in reg.columns:
        key = pd.MultiIndex.from_frame(df[["framework", "measure_code"]])
        mult = pd.Series(reg.set_index(["framework", "measure_code"])["multiplier"].reindex(key).to_numpy(),
                         index=df.index)
    else:
        mult = df["measure_code"].map(reg.drop_duplicates("measure_code").set_index("measure_code")["multiplier"])
    return df["numerator"] / df["denominator"].where(df["denominator"] > 0) * mult



# ----------------------------------------------------------------------------------------------------
# Published polarity file (a cross-check of the registry, not an input of any table)
# ----------------------------------------------------------------------------------------------------

def load_direction(path: str | Path | None = None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read ``ascof_measure_direction.csv`` and map each description to a registry code.

    Returns
    -------
    pandas.DataFrame
        ``description`` (as published), ``direction`` (as published), ``polarity`` (``higher``/``lower``),
        ``measure_code`` (``NaN`` if the description matches no registry name), ``_row``.
    """
    path = Path(path) if path is not None else sources.get(SOURCE_DIRECTION).path
    df = read_csv_raw(path)
    require_columns(df, ["Measure Group Description", "Direction"], file=path)
    df["_row"] = df.index + 2
    pol = df["Direction"].str.strip().str.lower().map({"higher is better": "higher", "lower is better": "lower"})
    raise_first(pol.isna(), "expected 'Higher is better' or 'Lower is better'", file=path, rows=df["_row"],
                column="Direction", values=df["Direction"])
    out = pd.DataFrame({
        "description": df["Measure Group Description"].str.strip(),
        "direction": df["Direction"].str.strip(),
        "polarity": pol,
        "measure_code": resolve_measure_names(df["Measure Group Description"], registry),
        "_row": df["_row"],
    })
    return out


def compare_directions(direction: pd.DataFrame | None = None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compare the published polarity file with the registry.

    Returns
    -------
    pandas.DataFrame
        One row per line of the direction file: ``measure_code``, ``description``, ``published`` and
        ``registry`` polarity, and ``agree`` (bool).
    """
    reg = measures() if registry is None else registry
    d = load_direction(registry=reg) if direction is None else direction
    out = d.assign(
        published=d["polarity"],
        registry=d["measure_code"].map(reg.set_index("measure_code")["polarity"]),
    )
    out["agree"] = out["published"] == out["registry"]
    return out[["measure_code", "description", "published", "registry", "agree"]].reset_index(drop=True)


