"""ASCOF outcome measures, the ASCOF measure registry, and Oflog's adult social care measures.

Tables registered here (schemas in :mod:`helpers.data.schemas`, columns in ``docs/data_dictionary.md``):

``ascof``
    One row per published value of one ASCOF measure: ``(source_id, gss_code, year, measure_code,
    disaggregation)``. The measure value is in ``value``; the numerator, denominator, survey base and
    margin of error published with it are columns of the same row (each with its ``*_status``), so a
    notebook gets "value with numerator / denominator for council X, measure M, year Y" with one filter.
    Two sources: the 2017-18 to 2022-23 trend file (values only, ``ascof_trend``) and the 2020-21 open
    data (values with numerators, denominators, bases and margins of error, ``ascof_2020_21_open_data``).
    Where both give the same value (2020-21, Total) both rows are kept; ``primary`` marks the one to use
    (the open-data row, which carries the numerator and denominator).
``ascof_measures``
    The one measure registry (polarity, unit, interval method, comparison, survey flag, years), compiled by
    this project in the committed file ``data/raw/reference/ascof_measures.csv``.
``oflog_asc``
    Oflog's seven adult social care measures with Oflog's own median and distance from it in MADs.

Measure codes are normalised to the handbook's form (``1A``, ``1C(1A)``, ``2A(2)``, ``3D(1)``): see
:func:`normalise_measure_code` and ``docs/methods.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.core.paths import REFERENCE
from helpers.data import sources
from helpers.data.io import parse_numbers, read_csv_raw, read_sheet, require_columns
from helpers.data.reading import check_registered, raise_first, read_csv, registered_paths
from helpers.data.schemas import (
    ASCOF_MEASURES_SCHEMA,
    ASCOF_SCHEMA,
    OFLOG_ASC_SCHEMA,
    unique_key,
    validate,
)
from helpers.data.tables import TableSpec, register_table

SOURCE_TREND = "ascof_trend"
SOURCE_OPEN = "ascof_2020_21_open_data"
SOURCE_OFLOG = "oflog_asc"
SOURCE_DIRECTION = "ascof_direction"
#: The open-data file has no year column: it is the 2020-21 publication (see data/raw/sources.yml).
OPEN_DATA_YEAR = "2020-21"
#: The committed measure registry.
MEASURES_FILE: Path = REFERENCE / "ascof_measures.csv"

TREND_COLUMNS = (
    "Year", "Geographical Description", "ONS Code", "Measure Group", "Measure Group Description",
    "Measure_Value", "Geographical Level", "Disaggregation Level", "Measure Type",
)
OPEN_COLUMNS = (
    "Geographical Code", "Geographical Description", "Geographical Level", "ONS Code", "ASCOF Measure Code",
    "Disaggregation Level", "Measure Type", "Measure Value", "Measure Group", "Measure Group Description",
)
OFLOG_COLUMNS = (
    "Financial year", "Local authority code", "Local authority name", "Grouping", "Entity_Name", "Region",
    "Measure", "Code", "Value", "MEDIAN", "MADs_from_median", "rank_order",
)
MEASURE_COLUMNS = tuple(ASCOF_MEASURES_SCHEMA.columns)

#: Published geography level (lower case) -> ours; ``None`` = dropped (council-type aggregates have no GSS code).
GEOGRAPHY_LEVELS: dict[str, str | None] = {
    "council": "council", "region": "region", "england": "england", "council type": None,
}
#: GSS code prefixes allowed at each level.
LEVEL_PREFIXES: dict[str, tuple[str, ...]] = {
    "council": ("E06", "E08", "E09", "E10"), "region": ("E12",), "england": ("E92",),
}
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
#: Published measure type (lower case) -> column of the ``ascof`` table.
MEASURE_TYPES: dict[str, str] = {
    "outcome": "value", "numerator": "numerator", "denominator": "denominator", "base": "base",
    "margin of error": "moe",
}
#: Oflog ``rank_order`` (lower case) -> polarity.
OFLOG_RANK_ORDER: dict[str, str] = {"desc": "higher", "asc": "lower", "none": "none"}

_CODE_CLEAN = re.compile(r"[\s().\-_/]")
_CODE_RE = re.compile(r"^([1-4])([A-J])(?:([1-9])([AB])?)?$")


# ----------------------------------------------------------------------------------------------------
# Codes, names and disaggregations
# ----------------------------------------------------------------------------------------------------

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
        Not an ASCOF measure code (domains 1-4, letters A-J, sub-measure a digit plus optional A/B).

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


def _first_bad(mask: pd.Series, rows: pd.Series) -> tuple[int, int]:
    pos = int(np.flatnonzero(mask.to_numpy())[0])
    return pos, int(rows.iloc[pos])


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
    bad = out.isna()
    if bad.any():
        pos, row = _first_bad(bad, rows)
        raise DataError("not an ASCOF measure code", file=file, row=row, column=column, value=codes.iloc[pos])
    if known is not None:
        unknown = ~out.isin(set(known))
        if unknown.any():
            pos, row = _first_bad(unknown, rows)
            raise DataError(
                f"unknown ASCOF measure code {out.iloc[pos]!r}: not in {MEASURES_FILE.name}",
                file=file, row=row, column=column, value=codes.iloc[pos],
            )
    return out.astype(str)


def _normalise_disaggregation(values: pd.Series, *, file: str | Path, column: str, rows: pd.Series) -> pd.Series:
    key = values.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    out = key.map(DISAGGREGATIONS)
    bad = out.isna()
    if bad.any():
        pos, row = _first_bad(bad, rows)
        raise DataError(
            f"unknown disaggregation (known: {sorted(set(DISAGGREGATIONS.values()))})",
            file=file, row=row, column=column, value=values.iloc[pos],
        )
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

def measures(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the ASCOF measure registry (``data/raw/reference/ascof_measures.csv``).

    Works without national data. Columns: see ``docs/data_dictionary.md`` (``ascof_measures``).

    Parameters
    ----------
    path
        The registry file (default: the committed one).

    Returns
    -------
    pandas.DataFrame
        One row per measure, sorted by ``measure_code``; ``survey_based`` is bool, ``multiplier`` float
        (``NaN`` where value is not numerator / denominator x a constant).

    Raises
    ------
    DataError
        A missing column, a code not in normalised form, or a value outside the allowed set.
    """
    path = Path(path) if path is not None else MEASURES_FILE
    df = read_csv_raw(path)
    require_columns(df, MEASURE_COLUMNS, file=path)
    df["_row"] = df.index + 2
    for col in ("other_names", "notes", "polarity_source", "data_collection", "scale"):
        df[col] = df[col].fillna("")
    bools = df["survey_based"].str.strip().str.lower().map({"true": True, "false": False})
    if bools.isna().any():
        pos, row = _first_bad(bools.isna(), df["_row"])
        raise DataError("expected true or false", file=path, row=row, column="survey_based",
                        value=df["survey_based"].iloc[pos])
    df["survey_based"] = bools.astype(bool)
    df["multiplier"], _ = parse_numbers(df["multiplier"], file=path, column="multiplier", rows=df["_row"])
    df = df[[*MEASURE_COLUMNS, "_row"]]
    unique_key(df, ["measure_code"], table="ascof_measures", file=path)
    out = validate(df, ASCOF_MEASURES_SCHEMA, file=path)
    return out.sort_values("measure_code", kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# ascof: the two ASCOF files
# ----------------------------------------------------------------------------------------------------

def _geography(df: pd.DataFrame, *, level_col: str, code_col: str, file: str | Path) -> pd.DataFrame:
    """Add ``geography_level`` and ``gss_code``; drop council-type aggregates; check code vs level."""
    key = df[level_col].astype("string").str.strip().str.lower().fillna("")
    known = key.isin(list(GEOGRAPHY_LEVELS))
    if not known.all():
        pos, row = _first_bad(~known, df["_row"])
        raise DataError(f"unknown geography level (known: {sorted(GEOGRAPHY_LEVELS)})", file=file, row=row,
                        column=level_col, value=df[level_col].iloc[pos])
    level = key.map(GEOGRAPHY_LEVELS)
    df = df.loc[level.notna()].copy()
    df["geography_level"] = level[level.notna()].astype(str)
    code = df[code_col].astype("string").str.strip().str.upper()
    ok = pd.Series(False, index=df.index)
    for lev, prefixes in LEVEL_PREFIXES.items():
        ok |= (df["geography_level"] == lev) & code.str.match(r"^E\d{8}$").fillna(False) & code.str[:3].isin(prefixes)
    if not ok.all():
        pos, row = _first_bad(~ok, df["_row"])
        raise DataError(
            f"not a GSS code of a {df['geography_level'].iloc[pos]} (expected prefix "
            f"{'/'.join(LEVEL_PREFIXES[df['geography_level'].iloc[pos]])})",
            file=file, row=row, column=code_col, value=df[code_col].iloc[pos],
        )
    df["gss_code"] = code.astype(str)
    return df


def _fill_absent(df: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Give numerator/denominator/base/moe columns that the source does not publish a status.

    ``not_available``: the source does not publish it for this measure (numerators and denominators,
    and bases / margins of error of survey measures); ``not_applicable``: a base or margin of error of
    a measure that is not survey-based.
    """
    survey = df["measure_code"].map(registry.set_index("measure_code")["survey_based"]).astype(bool)
    for col in ("numerator", "denominator", "base", "moe"):
        if col not in df.columns:
            df[col] = np.nan
        st = f"{col}_status"
        if st not in df.columns:
            df[st] = pd.NA
        absent = df[st].isna()
        if col in ("base", "moe"):
            df.loc[absent, st] = np.where(survey[absent], "not_available", "not_applicable")
        else:
            df.loc[absent, st] = "not_available"
        df[st] = df[st].astype(str)
        df[col] = df[col].astype(float)
    return df


def _finish(df: pd.DataFrame, registry: pd.DataFrame, source_id: str, file: Path) -> pd.DataFrame:
    reg = registry.set_index("measure_code")
    df["measure_name"] = df["measure_code"].map(reg["measure_name"])
    df["unit"] = df["measure_code"].map(reg["unit"])
    df["measure_type"] = "Outcome"
    df["source_id"] = source_id
    df["primary"] = True
    df = _fill_absent(df, registry)
    unique_key(df, ["gss_code", "year", "measure_code", "disaggregation"], table="ascof", file=file)
    df = df[[*ASCOF_SCHEMA.columns, "_row"]]
    check_codes(df, file=file)
    out = validate(df, ASCOF_SCHEMA, file=file)
    return _sort(out)


def _sort(df: pd.DataFrame) -> pd.DataFrame:
    order = {"england": 0, "region": 1, "council": 2}
    dis = {d: i for i, d in enumerate(DISAGGREGATION_SUFFIX)}
    return (
        df.assign(_g=df["geography_level"].map(order), _d=df["disaggregation"].map(dis))
        .sort_values(["year", "measure_code", "_d", "_g", "gss_code", "source_id"], kind="stable")
        .drop(columns=["_g", "_d"])
        .reset_index(drop=True)
    )


def load_trend(path: str | Path | None = None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the ASCOF trend file (2017-18 to 2022-23; values only).

    Council-type aggregates (Inner London, Shire Counties, ...) are dropped: they have no GSS code.

    Parameters
    ----------
    path
        The CSV (default: the registered file in ``ASC_NATIONAL_DIR``).
    registry
        The measure registry (default :func:`measures`).

    Returns
    -------
    pandas.DataFrame
        Rows of the ``ascof`` table with ``source_id == "ascof_trend"``; numerators, denominators, bases
        and margins of error are ``NaN`` (not published in this file).

    Raises
    ------
    MissingDataError, DataError
        Missing file; renamed column, unknown level / code / measure / disaggregation, a non-numeric
        value, a duplicated council-year-measure-disaggregation (one error naming file, row and column).
    """
    path = Path(path) if path is not None else sources.get(SOURCE_TREND).path
    reg = measures() if registry is None else registry
    raw = read_csv(path)
    require_columns(raw, TREND_COLUMNS, file=path)
    raw["_row"] = raw.index + 2
    df = _geography(raw, level_col="Geographical Level", code_col="ONS Code", file=path)
    rows = df["_row"]
    mtype = df["Measure Type"].astype("string").str.strip().str.lower()
    if not (mtype == "outcome").all():
        pos, row = _first_bad(mtype != "outcome", rows)
        raise DataError("the trend file should hold only 'Outcome' values", file=path, row=row,
                        column="Measure Type", value=df["Measure Type"].iloc[pos])
    df["measure_code"] = normalise_measure_codes(df["Measure Group"], file=path, column="Measure Group", rows=rows,
                                                 known=reg["measure_code"])
    df["disaggregation"] = _normalise_disaggregation(df["Disaggregation Level"], file=path,
                                                     column="Disaggregation Level", rows=rows)
    df["value"], df["value_status"] = parse_numbers(df["Measure_Value"], file=path, column="Measure_Value", rows=rows)
    df["year"] = df["Year"].astype("string").str.strip().astype(str)
    df["area_name"] = df["Geographical Description"].astype("string").str.strip().astype(str)
    return _finish(df, reg, SOURCE_TREND, path)


def load_open_data(path: str | Path | None = None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the ASCOF 2020-21 open data (values with numerators, denominators, bases, margins of error).

    The file has one row per measure type (Outcome, Numerator, Denominator, Base, Margin Of Error); they
    are pivoted into the columns ``value``, ``numerator``, ``denominator``, ``base``, ``moe`` of one row.
    ``ASCOF Measure Code`` (group + disaggregation suffix, e.g. ``1A65OV``) is checked against
    ``Measure Group`` and ``Disaggregation Level``.

    Parameters
    ----------
    path
        The workbook or a CSV of the same layout (default: the registered file in ``ASC_NATIONAL_DIR``).
    registry
        The measure registry (default :func:`measures`).

    Returns
    -------
    pandas.DataFrame
        Rows of the ``ascof`` table with ``source_id == "ascof_2020_21_open_data"`` and year 2020-21.

    Raises
    ------
    MissingDataError, DataError
        As :func:`load_trend`, plus an unknown measure type, a code that disagrees with its group and
        disaggregation, or a measure with no Outcome row.
    """
    path = Path(path) if path is not None else sources.get(SOURCE_OPEN).path
    reg = measures() if registry is None else registry
    # the annual open data is published as CSV in other years; the 2020-21 copy here is a workbook
    raw = read_csv(path) if path.suffix.lower() == ".csv" else read_sheet(path, 0, header=0)
    raw.columns = [str(c).strip() for c in raw.columns]
    require_columns(raw, OPEN_COLUMNS, file=path)
    raw["_row"] = raw.index + 2
    df = _geography(raw, level_col="Geographical Level", code_col="ONS Code", file=path)
    check_codes(df.assign(year=OPEN_DATA_YEAR), file=path)  # before the pivot, so an unknown code is named as such
    rows = df["_row"]
    df["measure_code"] = normalise_measure_codes(df["Measure Group"], file=path, column="Measure Group", rows=rows,
                                                 known=reg["measure_code"])
    df["disaggregation"] = _normalise_disaggregation(df["Disaggregation Level"], file=path,
                                                     column="Disaggregation Level", rows=rows)
    group = df["Measure Group"].astype("string").str.replace(r"\s", "", regex=True).str.upper()
    expected = group + df["disaggregation"].map(DISAGGREGATION_SUFFIX)
    published = df["ASCOF Measure Code"].astype("string").str.replace(r"\s", "", regex=True).str.upper()
    mismatch = (expected != published).fillna(True)
    if mismatch.any():
        pos, row = _first_bad(mismatch, rows)
        raise DataError(
            f"ASCOF Measure Code disagrees with Measure Group and Disaggregation Level (expected {expected.iloc[pos]!r})",
            file=path, row=row, column="ASCOF Measure Code", value=df["ASCOF Measure Code"].iloc[pos],
        )
    mtype = df["Measure Type"].astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    df["_type"] = mtype.map(MEASURE_TYPES)
    if df["_type"].isna().any():
        pos, row = _first_bad(df["_type"].isna(), rows)
        raise DataError(f"unknown measure type (known: {sorted(MEASURE_TYPES)})", file=path, row=row,
                        column="Measure Type", value=df["Measure Type"].iloc[pos])
    df["_num"], df["_status"] = parse_numbers(df["Measure Value"], file=path, column="Measure Value", rows=rows)
    keys = ["gss_code", "measure_code", "disaggregation"]
    unique_key(df, [*keys, "_type"], table="ascof open data", file=path)
    wide = df.pivot(index=keys, columns="_type", values=["_num", "_status", "_row"])
    meta = df.loc[df["_type"] == "value", [*keys, "Geographical Description", "geography_level", "_row"]]
    out = meta.rename(columns={"Geographical Description": "area_name"}).set_index(keys)
    missing = wide.index.difference(out.index)
    if len(missing):
        first_row = int(wide.loc[missing[0], "_row"].dropna().min())
        raise DataError("no Outcome row for this measure", file=path, row=first_row, column="Measure Type")
    for col in MEASURE_TYPES.values():
        if ("_num", col) in wide.columns:
            out[col] = wide[("_num", col)].reindex(out.index).astype(float)
            out[f"{col}_status"] = wide[("_status", col)].reindex(out.index)
    out = out.reset_index()
    out["area_name"] = out["area_name"].astype("string").str.strip().astype(str)
    out["year"] = OPEN_DATA_YEAR
    return _finish(out, reg, SOURCE_OPEN, path)


def check_codes(df: pd.DataFrame, *, file: str | Path, row_col: str = "_row") -> None:
    """Check every GSS code against :mod:`helpers.data.councils`: known, and a council in that year.

    Council codes must be in ``councils.reference()`` and have adult social services responsibility in
    the row's financial year (so an abolished council's code in a later year is an error); region and
    England codes must be in ``councils.regions()``.

    Raises
    ------
    DataError
        The first unknown code, or a council outside its years, naming file, row and column ``gss_code``.
    """
    from helpers.data import councils

    ref = councils.reference().set_index("gss_code")
    areas = set(councils.regions()["region_code"])
    code = df["gss_code"]
    is_council = ~code.str.startswith(("E12", "E92"))
    known = code.isin(ref.index) & is_council | code.isin(areas) & ~is_council
    first = code.map(ref["first_year"]).fillna("0000-00")
    last = code.map(ref["last_year"]).fillna("9999-99")
    active = ~is_council | ((first <= df["year"]) & (df["year"] <= last))
    for bad, why in ((~known, "GSS code not in the councils reference table (helpers.data.councils)"),
                     (~active, "council had no adult social services responsibility in this year "
                               "(helpers.data.councils first_year/last_year)")):
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            row = int(df[row_col].iloc[pos]) if row_col in df.columns else None
            raise DataError(f"{why}; year {df['year'].iloc[pos]}", file=file, row=row, column="gss_code",
                            value=code.iloc[pos])


def build_ascof() -> pd.DataFrame:
    """Build the ``ascof`` table from the trend file and the 2020-21 open data.

    ``primary`` is ``False`` on a trend row whose value the open data also gives (same council or area,
    2020-21, measure and disaggregation): the open-data row is the one to use (it has the numerator and
    denominator). Every other row is primary, so ``df[df.primary]`` has one row per
    ``(gss_code, year, measure_code, disaggregation)``.
    """
    reg = measures()
    trend = load_trend(registry=reg)
    open_ = load_open_data(registry=reg)
    keys = ["gss_code", "year", "measure_code", "disaggregation"]
    both = trend[keys].merge(open_[keys], on=keys, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    trend["primary"] = ~both
    out = _sort(pd.concat([trend, open_], ignore_index=True))
    check_registered([SOURCE_TREND, SOURCE_OPEN])
    return out


def expected_value(df: pd.DataFrame, registry: pd.DataFrame | None = None) -> pd.Series:
    """Return numerator / denominator x the measure's multiplier (``NaN`` where not computable).

    For percentages the multiplier is 100, for rates per 100,000 it is 100,000, and for the quality of
    life scores (1A, 1D) it is 1 (the numerator is the weighted sum of scores). 1J has none.
    """
    reg = measures() if registry is None else registry
    mult = df["measure_code"].map(reg.set_index("measure_code")["multiplier"])
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
    if pol.isna().any():
        pos, row = _first_bad(pol.isna(), df["_row"])
        raise DataError("expected 'Higher is better' or 'Lower is better'", file=path, row=row, column="Direction",
                        value=df["Direction"].iloc[pos])
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


# ----------------------------------------------------------------------------------------------------
# oflog_asc
# ----------------------------------------------------------------------------------------------------

def load_oflog(path: str | Path | None = None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load Oflog's adult social care measures (ASC1 ... ASC7) with Oflog's median and MADs.

    ``polarity`` comes from Oflog's ``rank_order`` (``desc`` = higher is better, ``None`` = no
    judgement); rows with a blank value have a blank ``rank_order`` and take their measure's polarity.
    ``ascof_code`` is the ASCOF measure an Oflog measure reproduces (registry column ``oflog_code``).

    Raises
    ------
    MissingDataError, DataError
        Missing file, renamed column, a bad code or number, a measure with two polarities, a duplicated
        council-year-measure, a missing median.
    """
    path = Path(path) if path is not None else sources.get(SOURCE_OFLOG).path
    reg = measures() if registry is None else registry
    raw = read_csv(path)
    require_columns(raw, OFLOG_COLUMNS, file=path)
    raw["_row"] = raw.index + 2
    rows = raw["_row"]
    df = pd.DataFrame({"_row": rows})
    code = raw["Local authority code"].astype("string").str.strip().str.upper()
    ok = code.str.match(r"^E(06|08|09|10)\d{6}$").fillna(False)
    raise_first(~ok, "not a GSS code of a council", file=path, rows=rows, column="Local authority code",
                values=raw["Local authority code"])
    df["gss_code"] = code.astype(str)
    df["area_name"] = raw["Local authority name"].str.strip()
    df["year"] = raw["Financial year"].str.strip()
    mcode = raw["Code"].astype("string").str.strip().str.upper()
    okc = mcode.str.match(r"^ASC\d+$").fillna(False)
    raise_first(~okc, "not an Oflog measure code (ASC<n>)", file=path, rows=rows, column="Code",
                values=raw["Code"])
    df["measure_code"] = mcode.astype(str)
    df["measure_name"] = raw["Measure"].str.strip()
    df["ascof_code"] = df["measure_code"].map(reg.dropna(subset=["oflog_code"]).set_index("oflog_code")["measure_code"])
    df["value"], df["value_status"] = parse_numbers(raw["Value"], file=path, column="Value", rows=rows)
    med, med_status = parse_numbers(raw["MEDIAN"], file=path, column="MEDIAN", rows=rows)
    if (med_status != "reported").any():
        pos, row = _first_bad(med_status != "reported", rows)
        raise DataError("Oflog median missing", file=path, row=row, column="MEDIAN", value=raw["MEDIAN"].iloc[pos])
    df["oflog_median"] = med
    df["oflog_mads_from_median"], _ = parse_numbers(raw["MADs_from_median"], file=path, column="MADs_from_median",
                                                    rows=rows)
    rank = raw["rank_order"].fillna("").str.strip().str.lower()
    pol = rank.map(OFLOG_RANK_ORDER)
    unknown = pol.isna() & (rank != "")
    if unknown.any():
        pos, row = _first_bad(unknown, rows)
        raise DataError(f"unknown rank_order (known: {sorted(OFLOG_RANK_ORDER)})", file=path, row=row,
                        column="rank_order", value=raw["rank_order"].iloc[pos])
    n_pol = pol.groupby(df["measure_code"]).nunique()
    if (n_pol > 1).any():
        m = n_pol[n_pol > 1].index[0]
        first = pol[(df["measure_code"] == m) & pol.notna()]
        row = int(rows.loc[first.index[first.ne(first.iloc[0]).to_numpy()][0]])
        raise DataError(f"measure {m} has more than one rank_order", file=path, row=row, column="rank_order")
    per_measure = pol.groupby(df["measure_code"]).transform("first")
    df["polarity"] = pol.fillna(per_measure).fillna("none")
    df["grouping"] = raw["Grouping"].str.strip()
    df["council_type"] = raw["Entity_Name"].str.strip()
    df["region"] = raw["Region"].str.strip()
    df["source_id"] = SOURCE_OFLOG
    unique_key(df, ["gss_code", "year", "measure_code"], table="oflog_asc", file=path)
    df = df[[*OFLOG_ASC_SCHEMA.columns, "_row"]]
    check_codes(df, file=path)
    out = validate(df, OFLOG_ASC_SCHEMA, file=path)
    return out.sort_values(["measure_code", "year", "gss_code"], kind="stable").reset_index(drop=True)


def build_oflog() -> pd.DataFrame:
    """Build the ``oflog_asc`` table from the registered file (:func:`load_oflog`, then the register check)."""
    out = load_oflog()
    check_registered([SOURCE_OFLOG])
    return out


# ----------------------------------------------------------------------------------------------------
# Table registrations
# ----------------------------------------------------------------------------------------------------

register_table(TableSpec(
    name="ascof_measures",
    build=measures,
    inputs=lambda: [MEASURES_FILE],
    kind="reference",
    description="ASCOF measure registry: polarity, unit, interval method, comparison, survey flag, years",
))
register_table(TableSpec(
    name="ascof",
    build=build_ascof,
    inputs=lambda: [*registered_paths([SOURCE_TREND, SOURCE_OPEN]), MEASURES_FILE],
    depends=("councils",),
    kind="national",
    description="ASCOF measure values 2017-18 to 2022-23 (councils, regions, England); 2020-21 with numerators",
))
register_table(TableSpec(
    name="oflog_asc",
    build=build_oflog,
    inputs=lambda: [*registered_paths([SOURCE_OFLOG]), MEASURES_FILE],
    depends=("councils",),
    kind="national",
    description="Oflog adult social care measures ASC1-ASC7 with Oflog's median and MADs from it",
))
