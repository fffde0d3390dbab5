"""Reading the published ASCOF files (the trend file, the 2020-21 open data) and Oflog's adult social care
measures into rows of the ``ascof`` and ``oflog_asc`` tables (the tables are built by
:mod:`helpers.data.national.ascof`).

Each reader checks the layout, codes, measures, disaggregations and numbers of its file and raises one
:class:`~helpers.core.errors.DataError` naming file, row and column at the first problem; every GSS code is
checked against :mod:`helpers.data.councils` (:func:`check_codes`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.data import councils, sources
from helpers.data.io import parse_numbers, read_sheet, require_columns
from helpers.data.national.ascof_crosswalk import FRAMEWORKS
from helpers.data.national.ascof_measures import (
    DISAGGREGATION_SUFFIX,
    assign_measures,
    measures,
    normalise_disaggregation,
    normalise_measure_codes,
)
from helpers.data.reading import raise_first, read_csv
from helpers.data.revisions import within_rounding
from helpers.data.schemas import ASCOF_SCHEMA, COUNCIL_CODE_RE, OFLOG_ASC_SCHEMA, unique_key, validate

SOURCE_TREND = "ascof_trend"
SOURCE_OPEN = "ascof_2020_21_open_data"
SOURCE_OFLOG = "oflog_asc"
#: The open-data file has no year column: it is the 2020-21 publication (see data/raw/sources.yml).
OPEN_DATA_YEAR = "2020-21"

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

#: Published geography level (lower case) -> ours; ``None`` = dropped (council-type aggregates have no GSS code).
GEOGRAPHY_LEVELS: dict[str, str | None] = {
    "council": "council", "region": "region", "england": "england", "council type": None,
    "local authority": "council", "regional": "region", "national": "england",
}
#: GSS code prefixes allowed at each level.
LEVEL_PREFIXES: dict[str, tuple[str, ...]] = {
    "council": ("E06", "E08", "E09", "E10"), "region": ("E12",), "england": ("E92",),
}
#: Published measure type (lower case) -> column of the ``ascof`` table.
MEASURE_TYPES: dict[str, str] = {
    "outcome": "value", "numerator": "numerator", "denominator": "denominator", "base": "base",
    "margin of error": "moe",
}
#: Oflog ``rank_order`` (lower case) -> polarity.
OFLOG_RANK_ORDER: dict[str, str] = {"desc": "higher", "asc": "lower", "none": "none"}


# ----------------------------------------------------------------------------------------------------
# ascof: the two ASCOF files
# ----------------------------------------------------------------------------------------------------

def _geography(df: pd.DataFrame, *, level_col: str, code_col: str, file: str | Path) -> pd.DataFrame:
    """Add ``geography_level`` and ``gss_code``; drop council-type aggregates; check code vs level."""
    key = df[level_col].astype("string").str.strip().str.lower().fillna("")
    known = key.isin(list(GEOGRAPHY_LEVELS))
    raise_first(~known, f"unknown geography level (known: {sorted(GEOGRAPHY_LEVELS)})", file=file, rows=df["_row"],
                column=level_col, values=df[level_col])
    level = key.map(GEOGRAPHY_LEVELS)
    df = df.loc[level.notna()].copy()
    df["geography_level"] = level[level.notna()].astype(str)
    code = df[code_col].astype("string").str.strip().str.upper()
    ok = pd.Series(False, index=df.index)
    for lev, prefixes in LEVEL_PREFIXES.items():
        ok |= (df["geography_level"] == lev) & code.str.match(r"^E\d{8}$").fillna(False) & code.str[:3].isin(prefixes)
    if not ok.all():
        pos = int(np.flatnonzero((~ok).to_numpy())[0])
        raise DataError(
            f"not a GSS code of a {df['geography_level'].iloc[pos]} (expected prefix "
            f"{'/'.join(LEVEL_PREFIXES[df['geography_level'].iloc[pos]])})",
            file=file, row=int(df["_row"].iloc[pos]), column=code_col, value=df[code_col].iloc[pos],
        )
    df["gss_code"] = code.astype(str)
    return df


def _fill_absent(df: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Give numerator/denominator/base/moe columns that the source does not publish a status.

    ``not_available``: the source does not publish it for this measure (numerators and denominators,
    and bases / margins of error of survey measures); ``not_applicable``: a base or margin of error of
    a measure that is not survey-based.
    """
    survey = df["measure_id"].map(registry.drop_duplicates("measure_id").set_index("measure_id")["survey_based"]
                                  ).astype(bool)
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


def full_registry() -> pd.DataFrame:
    """The measure registry of every framework (what a file's codes are mapped with)."""
    return measures(frameworks=list(FRAMEWORKS))


def _finish(df: pd.DataFrame, registry: pd.DataFrame, source_id: str, file: Path) -> pd.DataFrame:
    if "framework" not in registry.columns or set(df["framework"]) - set(registry["framework"]):
        registry = full_registry()
    reg = registry.set_index(["framework", "measure_code"])
    idx = pd.MultiIndex.from_frame(df[["framework", "measure_code"]])
    df["measure_name"] = reg["measure_name"].reindex(idx).to_numpy()
    df["unit"] = reg["unit"].reindex(idx).to_numpy()
    df["measure_type"] = "Outcome"
    df["source_id"] = source_id
    df["primary"] = True
    df = _fill_absent(df, registry)
    unique_key(df, ["gss_code", "year", "measure_code", "disaggregation"], table="ascof", file=file)
    df = df[[*ASCOF_SCHEMA.columns, "_row"]]
    check_codes(df, file=file)
    check_values(df, registry, file=file)
    out = validate(df, ASCOF_SCHEMA, file=file)
    return sort_rows(out)


def sort_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of the ``ascof`` table in table order: year, measure, disaggregation, England / region / council."""
    order = {"england": 0, "region": 1, "council": 2}
    dis = {d: i for i, d in enumerate(DISAGGREGATION_SUFFIX)}
    return (
        df.assign(_g=df["geography_level"].map(order), _d=df["disaggregation"].map(dis))
        .sort_values(["year", "measure_code", "_d", "_g", "gss_code", "source_id"], kind="stable")
        .drop(columns=["_g", "_d"])
        .reset_index(drop=True)
    )


def load_trend(path: str | Path | None = None, registry: pd.DataFrame | None = None,
               source_id: str = SOURCE_TREND) -> pd.DataFrame:
    """Load an ASCOF trend file (the registered one: 2017-18 to 2022-23; values only).

    Each row's year decides its framework (codes up to 2022-23, or from 2023-24) and the row's
    ``Measure Group Description`` is held against the registered name of its code in that framework
    (:func:`~helpers.data.national.ascof_measures.assign_measures`): a reused code under another measure's
    description is refused.

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
    reg = full_registry() if registry is None else registry
    raw = read_csv(path)
    require_columns(raw, TREND_COLUMNS, file=path)
    raw["_row"] = raw.index + 2
    year = raw["Year"].astype("string").str.strip()
    raise_first(~year.str.fullmatch(r"\d{4}-\d{2}").fillna(False), "not a financial year YYYY-YY", file=path,
                rows=raw["_row"], column="Year", values=raw["Year"])
    df = _geography(raw, level_col="Geographical Level", code_col="ONS Code", file=path)
    rows = df["_row"]
    mtype = df["Measure Type"].astype("string").str.strip().str.lower().fillna("")
    raise_first(mtype != "outcome", "the trend file should hold only 'Outcome' values", file=path, rows=rows,
                column="Measure Type", values=df["Measure Type"])
    df["measure_code"] = normalise_measure_codes(df["Measure Group"], file=path, column="Measure Group", rows=rows)
    df["disaggregation"] = normalise_disaggregation(df["Disaggregation Level"], file=path,
                                                     column="Disaggregation Level", rows=rows)
    df["value"], df["value_status"] = parse_numbers(df["Measure_Value"], file=path, column="Measure_Value", rows=rows)
    df["year"] = df["Year"].astype("string").str.strip().astype(str)
    df["area_name"] = df["Geographical Description"].astype("string").str.strip().astype(str)
    df = assign_measures(df, code_col="measure_code", desc_col="Measure Group Description", file=path, rows=rows,
                         code_label="Measure Group")
    return _finish(df, reg, source_id, path)


def load_open_data(path: str | Path | None = None, registry: pd.DataFrame | None = None, *,
                   year: str = OPEN_DATA_YEAR, source_id: str = SOURCE_OPEN) -> pd.DataFrame:
    """Load an ASCOF annual open-data file (values with numerators, denominators, bases, margins of error).

    The file has one row per measure type (Outcome, Numerator, Denominator, Base, Margin Of Error); they
    are pivoted into the columns ``value``, ``numerator``, ``denominator``, ``base``, ``moe`` of one row.
    Headers are matched ignoring case (the 2024-25 CSV writes ``Geographical level``, ``ASCOF measure
    code``). Where the file has both ``Measure Group`` and ``ASCOF Measure Code`` (group + disaggregation
    suffix, e.g. ``1A65OV``), they are checked against each other; a file with only ``ASCOF Measure Code``
    takes it as the measure. The file has no year column: ``year`` is the year it is registered for, and it
    decides the framework whose codes the file uses; each measure's description (``Measure Group
    Description``) is held against the registered name of its code
    (:func:`~helpers.data.national.ascof_measures.assign_measures`).

    Parameters
    ----------
    path
        The workbook or a CSV of the same layout (default: the registered 2020-21 file in ``ASC_NATIONAL_DIR``).
    registry
        The measure registry (default: every framework's).
    year, source_id
        The financial year of the file and its register id.

    Returns
    -------
    pandas.DataFrame
        Rows of the ``ascof`` table with ``source_id`` and ``year``.

    Raises
    ------
    MissingDataError, DataError
        As :func:`load_trend`, plus an unknown measure type, a code that disagrees with its group and
        disaggregation, or a measure with no Outcome row.
    """
    path = Path(path) if path is not None else sources.get(SOURCE_OPEN).path
    reg = full_registry() if registry is None else registry
    raw = read_csv(path) if path.suffix.lower() == ".csv" else read_sheet(path, 0, header=0)
    canon = {c.lower(): c for c in OPEN_COLUMNS}
    raw.columns = [canon.get(" ".join(str(c).split()).lower(), " ".join(str(c).split())) for c in raw.columns]
    has_group = "Measure Group" in raw.columns
    if not has_group and "ASCOF Measure Code" in raw.columns:
        raw["Measure Group"] = raw["ASCOF Measure Code"]
    require_columns(raw, OPEN_COLUMNS, file=path)
    raw["_row"] = raw.index + 2
    df = _geography(raw, level_col="Geographical Level", code_col="ONS Code", file=path)
    check_codes(df.assign(year=year), file=path)  # before the pivot, so an unknown code is named as such
    rows = df["_row"]
    df["measure_code"] = normalise_measure_codes(df["Measure Group"], file=path, column="Measure Group", rows=rows)
    df["disaggregation"] = normalise_disaggregation(df["Disaggregation Level"], file=path,
                                                     column="Disaggregation Level", rows=rows)
    if has_group:
        group = df["Measure Group"].astype("string").str.replace(r"\s", "", regex=True).str.upper()
        expected = group + df["disaggregation"].map(DISAGGREGATION_SUFFIX)
        published = df["ASCOF Measure Code"].astype("string").str.replace(r"\s", "", regex=True).str.upper()
        mismatch = (expected != published).fillna(True)
        if mismatch.any():
            pos = int(np.flatnonzero(mismatch.to_numpy())[0])
            raise DataError(
                f"ASCOF Measure Code disagrees with Measure Group and Disaggregation Level (expected "
                f"{expected.iloc[pos]!r})", file=path, row=int(rows.iloc[pos]), column="ASCOF Measure Code",
                value=df["ASCOF Measure Code"].iloc[pos],
            )
    mtype = df["Measure Type"].astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    df["_type"] = mtype.map(MEASURE_TYPES)
    raise_first(df["_type"].isna(), f"unknown measure type (known: {sorted(MEASURE_TYPES)})", file=path, rows=rows,
                column="Measure Type", values=df["Measure Type"])
    df["year"] = year
    df = assign_measures(df, code_col="measure_code", desc_col="Measure Group Description", file=path, rows=rows,
                         code_label="Measure Group")
    df["_num"], df["_status"] = parse_numbers(df["Measure Value"], file=path, column="Measure Value", rows=rows)
    keys = ["gss_code", "measure_code", "disaggregation"]
    unique_key(df, [*keys, "_type"], table="ascof open data", file=path)
    wide = df.pivot(index=keys, columns="_type", values=["_num", "_status", "_row"])
    meta = df.loc[df["_type"] == "value", [*keys, "Geographical Description", "geography_level", "_row",
                                          "framework", "measure_id"]]
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
    out["year"] = year
    return _finish(out, reg, source_id, path)


def range_of(unit: pd.Series, scale: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The range of each value: a percentage 0-100, a score its scale ``a-b``, a rate 0 and up."""
    lo = np.zeros(len(unit))
    hi = np.full(len(unit), np.inf)
    hi[(unit == "percent").to_numpy()] = 100.0
    span = scale.astype(str).str.extract(r"^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$").astype(float)
    score = (unit == "score").to_numpy() & span[1].notna().to_numpy()
    lo[score], hi[score] = span[0].to_numpy()[score], span[1].to_numpy()[score]
    return lo, hi


def check_values(df: pd.DataFrame, registry: pd.DataFrame, *, file: str | Path) -> None:
    """Value-level checks of ASCOF rows (issue 11): the range of the measure, no zero denominator behind a
    value, and value = numerator / denominator x multiplier within the published rounding.

    Non-survey measures: within half a unit of the value's last printed decimal
    (:func:`helpers.data.revisions.within_rounding`). Survey measures: the weighted numerator and denominator
    are rounded to the nearest 5, so the value lies within [(n-2.5)/(d+2.5), (n+2.5)/(d-2.5)] x m, plus half
    a unit.

    Raises
    ------
    DataError
        The first offending row, naming file, row and column.
    """
    reg = registry.drop_duplicates("measure_id").set_index("measure_id")
    unit = df["measure_id"].map(reg["unit"])
    scale = df["measure_id"].map(reg["scale"])
    lo, hi = range_of(unit, scale)
    v = df["value"].to_numpy(dtype=float)
    rows = df["_row"]
    out = (df["value_status"] == "reported").to_numpy() & ((v < lo) | (v > hi))
    raise_first(out, "value outside the measure's range (" + "a percentage 0-100, a score its scale, a rate >= 0)",
                file=file, rows=rows, column="value", values=df["value"])
    both = (df["numerator_status"] == "reported") & (df["denominator_status"] == "reported")
    zero_den = both & (df["denominator"] == 0) & (df["value_status"] == "reported")
    raise_first(zero_den, "a value published with a zero denominator", file=file, rows=rows, column="denominator",
                values=df["value"])
    mult = df["measure_id"].map(reg["multiplier"])
    ok = both & (df["value_status"] == "reported") & (df["denominator"] > 0) & mult.notna()
    if not ok.any():
        return
    n, d, m, val = df["numerator"][ok], df["denominator"][ok], mult[ok], df["value"][ok]
    survey = df["measure_id"][ok].map(reg["survey_based"]).astype(bool)
    exact = within_rounding(val, n / d * m)
    half = 0.5 * 10.0 ** -1 + 1e-9
    lo_s = (n - 2.5) / (d + 2.5) * m - half
    hi_s = np.where(d > 2.5, (n + 2.5) / (d - 2.5).clip(lower=1e-9) * m, np.inf) + half
    fits = np.where(survey.to_numpy(), ((val >= lo_s) & (val <= hi_s)).to_numpy(), exact)
    bad = pd.Series(False, index=df.index)
    bad[ok[ok].index] = ~fits
    raise_first(bad, "value is not numerator / denominator x the measure's multiplier within the published "
                "rounding", file=file, rows=rows, column="value", values=df["value"])


def check_councils_present(df: pd.DataFrame, *, file: str | Path) -> None:
    """Every council with adult social services in a year the file covers has rows in that year.

    Raises
    ------
    DataError
        Naming the year and the councils missing (code and name).
    """
    for year, part in df.groupby("year"):
        missing = sorted(set(councils.current(str(year))["gss_code"]) - set(part["gss_code"]))
        if missing:
            names = ", ".join(f"{c} ({councils.name_of(c)})" for c in missing[:5])
            raise DataError(f"{len(missing)} council(s) missing from {year}: {names}"
                            f"{' ...' if len(missing) > 5 else ''}", file=file, column="ONS Code")


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
    ok = code.str.match(COUNCIL_CODE_RE).fillna(False)
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
    raise_first(med_status != "reported", "Oflog median missing", file=path, rows=rows, column="MEDIAN",
                values=raw["MEDIAN"])
    df["oflog_median"] = med
    df["oflog_mads_from_median"], _ = parse_numbers(raw["MADs_from_median"], file=path, column="MADs_from_median",
                                                    rows=rows)
    rank = raw["rank_order"].fillna("").str.strip().str.lower()
    pol = rank.map(OFLOG_RANK_ORDER)
    unknown = pol.isna() & (rank != "")
    raise_first(unknown, f"unknown rank_order (known: {sorted(OFLOG_RANK_ORDER)})", file=path, rows=rows,
                column="rank_order", values=raw["rank_order"])
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


