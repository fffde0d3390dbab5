"""pandera schemas of the processed tables, and the validator that names file, row and column.

Conventions shared by every table (see ``docs/data_dictionary.md``):

* councils are keyed by ONS GSS code ``gss_code`` (``E06``/``E08``/``E09``/``E10`` councils,
  ``E12`` regions, ``E92000001`` England);
* financial years are text ``YYYY-YY`` (``2022-23``) in a column named ``year``;
* money is in £ thousands in columns ending ``_gbp_k``;
* a value that is not published stays ``NaN`` and its reason is in the matching ``*_status`` column
  (one of :data:`helpers.data.io.STATUSES`);
* every row names the register id of the file it came from in ``source_id``.

Each section below belongs to one table; the loaders call :func:`validate` before writing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from helpers.core.errors import DataError
from helpers.data.io import STATUSES

#: GSS codes of English councils, regions and England.
GSS_RE = r"^E(06|07|08|09|10|11|12|13|92)\d{6}$"
#: Financial year text, e.g. ``2022-23``.
YEAR_RE = r"^(19|20)\d{2}-\d{2}$"


def _consecutive_year(s: pd.Series) -> pd.Series:
    first = pd.to_numeric(s.str[:4], errors="coerce")
    second = pd.to_numeric(s.str[5:7], errors="coerce")
    return (first + 1) % 100 == second


def on_distinct(test: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series | bool]:
    """Wrap a vectorised check so that it runs on a column's distinct values only.

    Key and label columns repeat a few hundred values over hundreds of thousands of rows; a regex or a
    string test per row costs seconds there (pandera's ``str`` dtype check and ``str_matches`` work row by
    row). The rule is the same: the test decides each distinct value, and every row takes its value's
    verdict. When every value passes the check returns ``True``; otherwise a boolean mask over the rows, so
    the failure names its rows (nulls pass here: ``nullable`` governs them).
    """

    def check(s: pd.Series) -> pd.Series | bool:
        values = pd.Series(pd.unique(s.dropna()), dtype=object)
        if values.empty:
            return True
        ok = test(values).fillna(False).to_numpy(dtype=bool)
        if ok.all():
            return True
        return s.isin(values[ok]) | s.isna()

    return check


def _is_text(s: pd.Series) -> pd.Series | bool:
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return True
    return s.map(lambda v: isinstance(v, str)) | s.isna()


def text_column(checks: pa.Check | list[pa.Check] | None = None, nullable: bool = False, **kwargs: object
                ) -> pa.Column:
    """A text column: every non-null value a Python ``str`` (as pandera's ``str`` dtype requires).

    The test runs in C (:func:`pandas.api.types.infer_dtype`) and falls back to a per-row test only to
    name the failing rows, so a 355,000-row table validates in milliseconds instead of seconds.
    """
    extra = [] if checks is None else [checks] if isinstance(checks, pa.Check) else list(checks)
    return pa.Column(object, [pa.Check(_is_text, error="not text (str)"), *extra], nullable=nullable, **kwargs)


def matches(pattern: str) -> pa.Check:
    """``str_matches(pattern)`` (``re.match``, so anchor the pattern), decided once per distinct value."""
    rx = re.compile(pattern)
    return pa.Check(on_distinct(lambda v: v.map(lambda x: isinstance(x, str) and rx.match(x) is not None)),
                    error=f"str_matches('{pattern}')")


def gss_column(nullable: bool = False, **kwargs: object) -> pa.Column:
    """A GSS code column."""
    return text_column(matches(GSS_RE), nullable=nullable, **kwargs)


def year_column(nullable: bool = False, **kwargs: object) -> pa.Column:
    """A financial-year column (``YYYY-YY``, the two years consecutive)."""
    return text_column(
        [matches(YEAR_RE), pa.Check(on_distinct(_consecutive_year), error="years not consecutive")],
        nullable=nullable,
        **kwargs,
    )


def status_column(**kwargs: object) -> pa.Column:
    """A value-status column (one of :data:`helpers.data.io.STATUSES`)."""
    return text_column(pa.Check.isin(STATUSES), **kwargs)


def validate(
    df: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    file: str | Path | None = None,
    row_col: str = "_row",
    file_col: str = "_file",
) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; on failure raise :class:`DataError` naming file, row and column.

    Loaders keep the spreadsheet row of every record in ``_row`` (and, when a table is built from
    several files, the file in ``_file``) until validation, so that the error points at the raw input.
    Those helper columns are dropped from the returned frame.

    Parameters
    ----------
    df
        The table to check.
    schema
        Its pandera schema (``strict`` schemas reject unknown columns).
    file
        The input file, when the whole table comes from one.

    Returns
    -------
    pandas.DataFrame
        The validated table (coerced dtypes), without ``_row`` / ``_file``.
    """
    helper_cols = [c for c in (row_col, file_col) if c in df.columns]
    body = df.drop(columns=helper_cols)
    try:
        out = schema.validate(body, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases
        if fc is None or len(fc) == 0:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "schema check failed"
            raise DataError(f"table {schema.name!r}: {first_line}", file=file) from None
        first = fc.iloc[0]
        column = first.get("column")
        index = first.get("index")
        check = first.get("check")
        value = first.get("failure_case")
        row = None
        where_file = file
        if index is not None and not pd.isna(index) and index in df.index:
            if row_col in df.columns:
                row = int(df.loc[index, row_col]) if not isinstance(df.loc[index, row_col], pd.Series) else None
            if file_col in df.columns:
                where_file = df.loc[index, file_col]
        n = len(fc)
        more = f" ({n} failures in all; first shown)" if n > 1 else ""
        raise DataError(
            f"fails check {check!r} of table {schema.name!r}{more}",
            file=where_file, row=row, column=None if pd.isna(column) else str(column),
            value=None if pd.isna(value) else value,
        ) from None
    except SchemaError as exc:  # pragma: no cover - non-lazy path
        raise DataError(str(exc).splitlines()[0], file=file) from None
    return out


def unique_key(df: pd.DataFrame, key: list[str], *, table: str, file: str | Path | None = None,
               row_col: str = "_row", file_col: str = "_file") -> None:
    """Raise :class:`DataError` naming the first duplicated key (e.g. a council-year twice)."""
    dup = df.duplicated(subset=key, keep="first")
    if dup.any():
        i = df.index[dup.to_numpy().nonzero()[0][0]]
        row = int(df.loc[i, row_col]) if row_col in df.columns else None
        where = df.loc[i, file_col] if file_col in df.columns else file
        vals = {k: df.loc[i, k] for k in key}
        raise DataError(f"duplicate {table} key {vals}", file=where, row=row, column=key[0])


# ---------------------------------------------------------------------------------------------------
# Table schemas. One section per table; the loader module named in each section owns it.
# ---------------------------------------------------------------------------------------------------

# --- councils, council_names (helpers.data.councils) ---

#: A council's GSS code (counties E10, unitaries E06, metropolitan districts E08, London boroughs E09).
COUNCIL_CODE_RE = r"^E(06|08|09|10)\d{6}$"
#: ``;``-separated council codes.
CODE_LIST_RE = r"^E(06|08|09|10)\d{6}(;E(06|08|09|10)\d{6})*$"

COUNCILS = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(COUNCIL_CODE_RE), unique=True),
        "cassr_code": pa.Column(
            str,
            [matches(r"^\d{3}$"),
             pa.Check(lambda s: ~s.duplicated(keep=False) | s.isna(), error="duplicate CASSR code")],
            nullable=True,
        ),
        "name": text_column(pa.Check.str_length(min_value=2)),
        "region_code": text_column(matches(r"^E12\d{6}$")),
        "region_name": text_column(),
        "council_type": text_column(pa.Check.isin(["county", "unitary", "metropolitan district", "london borough"])),
        "first_year": year_column(nullable=True),
        "last_year": year_column(nullable=True),
        "predecessor_codes": text_column(matches(CODE_LIST_RE), nullable=True),
        "successor_codes": text_column(matches(CODE_LIST_RE), nullable=True),
        "previous_gss_codes": text_column(matches(CODE_LIST_RE), nullable=True),
        "checked_in": text_column(nullable=True),
        "notes": text_column(nullable=True),
    },
    checks=[
        pa.Check(lambda d: (d["first_year"].isna() | d["last_year"].isna() | (d["first_year"] <= d["last_year"])),
                 error="first_year after last_year"),
        pa.Check(lambda d: d["successor_codes"].isna() | d["last_year"].notna(),
                 error="a council with successors must have a last_year"),
        pa.Check(lambda d: d["predecessor_codes"].isna() | d["first_year"].notna(),
                 error="a council with predecessors must have a first_year"),
    ],
    name="councils",
    strict=True,
    ordered=True,
)

COUNCIL_NAMES = pa.DataFrameSchema(
    {
        "name_variant": text_column(pa.Check.str_length(min_value=2)),
        "gss_code": text_column(matches(r"^(E(06|08|09|10|12)\d{6}|E92000001)$")),
        "seen_in": text_column(matches(r"^[a-z0-9_]+(;[a-z0-9_]+)*$")),
    },
    name="council_names",
    strict=True,
    ordered=True,
    unique=["name_variant", "gss_code"],
)

# --- population (helpers.data.national.population) ---

#: Areas of the population tables: upper-tier councils (E06/E08/E09/E10), regions (E12), England.
POPULATION_AREA_RE = r"^(E(06|08|09|10|12)\d{6}|E92000001)$"

POPULATION_SYA_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(POPULATION_AREA_RE)),
        "mid_year": pa.Column("int64", pa.Check.in_range(2011, 2100)),
        "sex": text_column(pa.Check.isin(["persons", "male", "female"])),
        "age": pa.Column("int64", pa.Check.in_range(0, 90)),
        "population": pa.Column(float, pa.Check.ge(0), nullable=False),
        "source_id": text_column(matches(r"^mye_\d{4}$")),
        "geography_vintage": text_column(matches(r"^\d{4} boundaries$")),
    },
    name="population_sya",
    strict=True,
    ordered=True,
    unique=["gss_code", "mid_year", "sex", "age"],
)

POPULATION_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(POPULATION_AREA_RE)),
        "mid_year": pa.Column("int64", pa.Check.in_range(2011, 2100)),
        "year": year_column(),
        "age_band": text_column(pa.Check.isin(["all", "18+", "18-64", "65+", "85+"])),
        "population": pa.Column(float, pa.Check.ge(0), nullable=False),
        "source_id": text_column(matches(r"^mye_\d{4}$")),
    },
    name="population",
    strict=True,
    ordered=True,
    unique=["gss_code", "year", "age_band"],
)

POPULATION_LATEST_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(POPULATION_AREA_RE)),
        "mid_year": pa.Column("int64", pa.Check.in_range(2011, 2100)),
        "sex": text_column(pa.Check.isin(["persons"])),
        "age": pa.Column("int64", pa.Check.in_range(0, 90)),
        "population": pa.Column(float, pa.Check.ge(0), nullable=False),
        "source_id": text_column(matches(r"^mye_\d{4}$")),
        "geography_vintage": text_column(matches(r"^\d{4} boundaries( \(derived\))?$")),
        "basis": text_column(matches(r"^(published|recoded: .+|sum of .+)$")),
    },
    name="population_latest_boundaries",
    strict=True,
    ordered=True,
    unique=["gss_code", "mid_year", "age"],
)

# --- ascof, ascof_measures (helpers.data.national.ascof) ---

#: Normalised ASCOF measure code: ``1A``, ``1C(1A)``, ``2A(2)``, ``3D(1)`` (see docs/methods.md).
ASCOF_CODE_RE = r"^[1-4][A-J](\([1-9][AB]?\))?$"
ASCOF_GEOGRAPHY_LEVELS = ("council", "region", "england")
ASCOF_DISAGGREGATIONS = ("Total", "18-64", "65+", "Under 65", "65-74", "65-84", "75-84", "85+", "Female", "Male")
ASCOF_UNITS = ("score", "percent", "rate_per_100k")
ASCOF_POLARITIES = ("higher", "lower", "none")
ASCOF_CI_METHODS = ("wilson", "byar", "survey_moe", "none")
ASCOF_COMPARISONS = ("ci95", "ci99.8", "quintiles")


def _opt_float(**kwargs: object) -> pa.Column:
    return pa.Column(float, nullable=True, **kwargs)


ASCOF_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": gss_column(),
        "area_name": text_column(),
        "geography_level": text_column(pa.Check.isin(ASCOF_GEOGRAPHY_LEVELS)),
        "year": year_column(),
        "measure_code": text_column(matches(ASCOF_CODE_RE)),
        "measure_name": text_column(),
        "disaggregation": text_column(pa.Check.isin(ASCOF_DISAGGREGATIONS)),
        "measure_type": text_column(pa.Check.isin(["Outcome"])),
        "value": _opt_float(),
        "value_status": status_column(),
        "numerator": _opt_float(checks=pa.Check.ge(0)),
        "numerator_status": status_column(),
        "denominator": _opt_float(checks=pa.Check.ge(0)),
        "denominator_status": status_column(),
        "base": _opt_float(checks=pa.Check.ge(0)),
        "base_status": status_column(),
        "moe": _opt_float(checks=pa.Check.ge(0)),
        "moe_status": status_column(),
        "unit": text_column(pa.Check.isin(ASCOF_UNITS)),
        "primary": pa.Column(bool),
        "source_id": text_column(pa.Check.isin(["ascof_trend", "ascof_2020_21_open_data"])),
    },
    checks=[
        pa.Check(lambda d: d["value"].isna() == (d["value_status"] != "reported"), error="value NaN iff not reported"),
        pa.Check(lambda d: d["numerator"].isna() == (d["numerator_status"] != "reported"),
                 error="numerator NaN iff not reported"),
        pa.Check(lambda d: d["denominator"].isna() == (d["denominator_status"] != "reported"),
                 error="denominator NaN iff not reported"),
        pa.Check(lambda d: d["moe"].isna() == (d["moe_status"] != "reported"), error="moe NaN iff not reported"),
        pa.Check(lambda d: d["base"].isna() == (d["base_status"] != "reported"), error="base NaN iff not reported"),
    ],
    strict=True,
    ordered=True,
    name="ascof",
    unique=["source_id", "gss_code", "year", "measure_code", "disaggregation"],
)

ASCOF_MEASURES_SCHEMA = pa.DataFrameSchema(
    {
        "measure_code": text_column(matches(ASCOF_CODE_RE), unique=True),
        "measure_name": text_column(),
        "other_names": text_column(),
        "polarity": text_column(pa.Check.isin(ASCOF_POLARITIES)),
        "unit": text_column(pa.Check.isin(ASCOF_UNITS)),
        "scale": text_column(),
        "multiplier": _opt_float(checks=pa.Check.isin([1.0, 100.0, 100000.0])),
        "ci_method": text_column(pa.Check.isin(ASCOF_CI_METHODS)),
        "comparison": text_column(pa.Check.isin(ASCOF_COMPARISONS)),
        "survey_based": pa.Column(bool),
        "data_collection": text_column(),
        "years_available": text_column(matches(r"^(\d{4}-\d{2})(;\d{4}-\d{2})*$")),
        "oflog_code": text_column(nullable=True, checks=matches(r"^ASC\d+$")),
        "polarity_source": text_column(),
        "notes": text_column(),
    },
    checks=[
        pa.Check(lambda d: d["survey_based"] == (d["ci_method"] == "survey_moe"),
                 error="survey_based measures use ci_method survey_moe"),
        pa.Check(lambda d: (d["ci_method"] != "byar") | (d["unit"] == "rate_per_100k"),
                 error="byar is for rates per 100,000"),
    ],
    strict=True,
    ordered=True,
    name="ascof_measures",
)

OFLOG_ASC_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": gss_column(),
        "area_name": text_column(),
        "year": year_column(),
        "measure_code": text_column(matches(r"^ASC\d+$")),
        "measure_name": text_column(),
        "ascof_code": text_column(nullable=True, checks=matches(ASCOF_CODE_RE)),
        "value": _opt_float(),
        "value_status": status_column(),
        "oflog_median": pa.Column(float),
        "oflog_mads_from_median": _opt_float(),
        "polarity": text_column(pa.Check.isin(ASCOF_POLARITIES)),
        "grouping": text_column(),
        "council_type": text_column(),
        "region": text_column(),
        "source_id": text_column(pa.Check.isin(["oflog_asc"])),
    },
    checks=[
        pa.Check(lambda d: d["value"].isna() == (d["value_status"] != "reported"), error="value NaN iff not reported"),
        pa.Check(lambda d: d["value"].isna() == d["oflog_mads_from_median"].isna(),
                 error="MADs from median given iff value given"),
    ],
    strict=True,
    ordered=True,
    name="oflog_asc",
    unique=["gss_code", "year", "measure_code"],
)

# --- spend, deflators (helpers.data.national.spend) ---

#: Areas of the spend table: councils (E06/E08/E09/E10), regions (ASC-FR only) and England.
SPEND_AREA_RE = r"^(E(06|08|09|10|12)\d{6}|E92000001)$"
SPEND_SOURCES = ("ro3_2022_23", "ro3_2023_24", "ro3_2024_25", "pssex_2014_15_expenditure", "ascfr_2016_17_totals")
SPEND_MEASURES = (
    "employees", "running_expenses", "total_expenditure", "sales_fees_and_charges", "other_income",
    "total_income", "net_current_expenditure", "net_total_expenditure", "gross_total_expenditure",
    "gross_current_expenditure",
)
SPEND_GROUPS = (
    "physical_support", "sensory_support", "memory_cognition", "learning_disability", "mental_health",
    "social_support", "assistive_equipment_technology", "social_care_activities",
    "information_early_intervention", "commissioning_service_delivery", "provider_payments",
    "all_support_reasons", "total", "memorandum",
)

SPEND_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(SPEND_AREA_RE)),
        "year": year_column(),
        "source_id": text_column(pa.Check.isin(SPEND_SOURCES)),
        "collection": text_column(pa.Check.isin(["RO3", "PSS-EX1", "ASC-FR"])),
        "service_line": text_column(pa.Check(on_distinct(lambda v: v.str.len() >= 3), error="str_length(min_value=3)")),
        "service_group": text_column(pa.Check.isin(SPEND_GROUPS)),
        "line_type": text_column(pa.Check.isin(["detail", "subtotal", "total", "memorandum"])),
        "age_band": text_column(pa.Check.isin(["18-64", "65+", "18+"])),
        "measure": text_column(pa.Check.isin(SPEND_MEASURES)),
        "value_gbp_k": pa.Column(float, nullable=True),
        "value_status": status_column(),
    },
    checks=[
        pa.Check(lambda d: d["value_gbp_k"].isna() == (d["value_status"] != "reported"),
                 error="value NaN iff not reported"),
        pa.Check(lambda d: (d["collection"] == "RO3") == d["source_id"].str.startswith("ro3_"),
                 error="collection does not match source_id"),
    ],
    name="spend",
    strict=True,
    ordered=False,
)

DEFLATORS_SCHEMA = pa.DataFrameSchema(
    {
        "year": year_column(unique=True),
        "gdp_deflator": pa.Column(float, pa.Check.gt(0)),
        "pct_change": pa.Column(float, nullable=True),
        "is_forecast": pa.Column(bool),
        "derived_index": pa.Column(bool),
        "source_id": text_column(pa.Check.isin(["gdp_deflators_2023_12"])),
    },
    checks=[pa.Check(lambda d: ~d["derived_index"] | d["is_forecast"], error="only forecast years are derived")],
    name="deflators",
    strict=True,
    ordered=True,
)

# --- activity (helpers.data.national.activity) ---

ACTIVITY_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(r"^(E(06|08|09|10|12)\d{6}|E92000001)$")),
        "year": year_column(),
        "support_setting": text_column(pa.Check.isin(
            ["residential", "nursing", "home_care", "day_care", "short_term_max_independence", "unspecified"])),
        "provision": text_column(pa.Check.isin(["external", "in_house", "all"])),
        "value": pa.Column(float, nullable=True),
        "value_status": status_column(),
        "unit": text_column(pa.Check.isin(["weeks", "hours", "clients_per_week", "unconfirmed"])),
        "age_band": text_column(pa.Check.isin(["18+", "65+"])),
        "percent_sector": pa.Column(float, nullable=True),
        "source_id": text_column(pa.Check.isin(["activity_by_setting"])),
    },
    checks=[pa.Check(lambda d: d["value"].isna() == (d["value_status"] != "reported"),
                     error="value NaN iff not reported")],
    name="activity",
    strict=True,
    ordered=True,
)

# --- comparators (helpers.data.national.comparators) ---

COMPARATORS = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(COUNCIL_CODE_RE)),
        "group": text_column(pa.Check.isin(
            ["oflog_nearest_neighbours", "cipfa_2019", "cipfa_2021", "cipfa_lga_2024", "nhse_peer_group"])),
        "neighbour_gss_code": text_column(matches(COUNCIL_CODE_RE)),
        "rank": pa.Column("Int64", pa.Check.in_range(0, 15), nullable=True),
        "source_id": text_column(),
    },
    checks=[
        pa.Check(lambda d: (d["gss_code"] == d["neighbour_gss_code"]) == (d["rank"].fillna(-1) == 0),
                 error="the council itself must be rank 0 and rank 0 only the council itself"),
    ],
    name="comparators",
    strict=True,
    ordered=True,
    unique=["group", "gss_code", "neighbour_gss_code"],
)

# --- deprivation (helpers.data.national.deprivation) ---

DEPRIVATION = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(COUNCIL_CODE_RE)),
        "iod_year": pa.Column("int64", pa.Check.isin([2015, 2019])),
        "measure": text_column(matches(r"^.+ - .+$")),
        "domain": text_column(),
        "statistic": text_column(),
        "published_measure": text_column(),
        "value": pa.Column(float, nullable=True),
        "value_status": status_column(),
        "source_id": text_column(pa.Check.isin(["iod2015_upper_tier", "iod2019_upper_tier"])),
    },
    checks=[
        pa.Check(lambda d: d["value"].notna() == (d["value_status"] == "reported"),
                 error="a value is missing exactly when its status is not 'reported'"),
        pa.Check(lambda d: ~d["statistic"].str.startswith("Rank") | d["value"].isna()
                 | ((d["value"] >= 1) & (d["value"] % 1 == 0)), error="ranks are whole numbers from 1"),
    ],
    name="deprivation",
    strict=True,
    ordered=True,
    unique=["iod_year", "gss_code", "measure"],
)

# --- council report tables (helpers.data.council_reports) ---
# Processed tables council_budget, council_key_activity, council_kpis, council_savings, council_reserves,
# council_budget_changes, council_capital, council_complaints: the council report figures of
# data/raw/councils/<council>/<kind>.csv (see docs/council_data.md). The CSV column ``financial_year`` is
# ``year`` here; ``source_file`` / ``source_row`` point at the raw CSV cell row (header = row 1).

#: Reporting period codes (as :data:`helpers.pipeline.params.PERIOD_RE`): quarters, months of the financial year
#: (April = M01), year-end outturn, budget setting.
COUNCIL_PERIOD_RE = r"^(Q[1-4]|M(0[1-9]|1[0-2])|YE|BUD)$"
#: A previous period as printed in a budget table: a period code, or Stockport's ``Q1+`` ("quarter 1 plus").
COUNCIL_PREVIOUS_PERIOD_RE = r"^(Q[1-4]\+?|M(0[1-9]|1[0-2])|YE|BUD)$"
COUNCIL_TABLE_ID_RE = r"^[A-Za-z0-9][A-Za-z0-9._+\-]*$"
COUNCIL_ROW_TYPES = ("line", "subtotal", "total", "memo", "heading")
COUNCIL_POLARITIES = ("higher", "lower", "none")
COUNCIL_DOT = ("up", "down", "same")


def _c_text(nullable: bool = True, **kwargs: object) -> pa.Column:
    return pa.Column(str, nullable=nullable, **kwargs)


def _c_num(**kwargs: object) -> pa.Column:
    return pa.Column(float, nullable=True, **kwargs)


def _c_count() -> pa.Column:
    return pa.Column(float, pa.Check.ge(0), nullable=True)


#: Columns every council table starts with (processed names).
COUNCIL_COMMON_COLUMNS: dict[str, pa.Column] = {
    "gss_code": gss_column(),
    "council": _c_text(False),
    "year": year_column(),
    "period": pa.Column(str, pa.Check.str_matches(COUNCIL_PERIOD_RE)),
    "period_end": pa.Column("datetime64[ns]", nullable=True),
    "table_id": pa.Column(str, pa.Check.str_matches(COUNCIL_TABLE_ID_RE)),
    "row_order": pa.Column(int, pa.Check.ge(1)),
    "line": _c_text(False),
    "parent_line": _c_text(),
    "row_type": pa.Column(str, pa.Check.isin(COUNCIL_ROW_TYPES)),
}

#: Kind-specific columns, in template order (template columns first, then the optional refinements).
COUNCIL_KIND_COLUMNS: dict[str, dict[str, pa.Column]] = {
    "budget_monitoring": {
        "budget_gbp_k": _c_num(),
        "forecast_outturn_gbp_k": _c_num(),
        "variance_gbp_k": _c_num(),
        "variance_pct": _c_num(),
        "previous_variance_gbp_k": _c_num(),
        "previous_period": _c_text(checks=pa.Check.str_matches(COUNCIL_PREVIOUS_PERIOD_RE)),
        "actual_to_date_gbp_k": _c_num(),
        "service_area": _c_text(),
        "variance_change_gbp_k": _c_num(),
        "forecast_net_expenditure_gbp_k": _c_num(),
        "reserves_appropriation_gbp_k": _c_num(),
    },
    "key_activity": {
        "service_group": _c_text(),
        "unit_of_cost": _c_text(),
        "budgeted_clients": _c_count(),
        "budgeted_unit_cost_gbp": _c_num(),
        "budget_gbp_k": _c_num(),
        "actual_clients": _c_count(),
        "actual_unit_cost_gbp": _c_num(),
        "forecast_outturn_gbp_k": _c_num(),
        "variance_gbp_k": _c_num(),
        "dot_clients": _c_text(checks=pa.Check.isin(COUNCIL_DOT)),
        "dot_unit_cost": _c_text(checks=pa.Check.isin(COUNCIL_DOT)),
        "dot_outturn": _c_text(checks=pa.Check.isin(COUNCIL_DOT)),
        "weeks_note": _c_text(),
        "weeks_funded": _c_num(checks=pa.Check.in_range(0, 53)),
    },
    "kpis": {
        "kpi_code": _c_text(),
        "kpi_name": _c_text(False),
        "polarity": _c_text(checks=pa.Check.isin(COUNCIL_POLARITIES)),
        "unit": _c_text(),
        "previous_period": _c_text(),
        "previous_value": _c_num(),
        "value_period": _c_text(),
        "value": _c_num(),
        "numerator": _c_num(),
        "denominator": _c_num(),
        "forecast_value": _c_num(),
        "target_value": _c_num(),
        "rag_printed": _c_text(),
        "dot_printed": _c_text(),
        "comparator_value": _c_num(),
        "comparator_name": _c_text(),
        "commentary": _c_text(),
        "polarity_printed": _c_text(),
        "target_printed": _c_text(),
        "previous2_period": _c_text(),
        "previous2_value": _c_num(),
    },
    "savings": {
        "saving_ref": _c_text(),
        "saving_name": _c_text(),
        "rag_printed": _c_text(),
        "target_gbp_k": _c_num(),
        "forecast_gbp_k": _c_num(),
        "shortfall_gbp_k": _c_num(),
        "service_area": _c_text(),
        "programme": _c_text(),
        "double_running_gbp_k": _c_num(),
        "net_target_gbp_k": _c_num(),
        "achieved_gbp_k": _c_num(),
        "commentary": _c_text(),
    },
    "reserves": {
        "reserve_name": _c_text(),
        "purpose": _c_text(),
        "approved_gbp_k": _c_num(),
        "used_gbp_k": _c_num(),
        "balance_gbp_k": _c_num(),
    },
    "budget_changes": {
        "service_area": _c_text(),
        "previous_period": _c_text(checks=pa.Check.str_matches(COUNCIL_PREVIOUS_PERIOD_RE)),
        "previous_budget_gbp_k": _c_num(),
        "change_gbp_k": _c_num(),
        "budget_gbp_k": _c_num(),
    },
    "capital": {
        "spend_to_date_gbp_k": _c_num(),
        "programme_year1_gbp_k": _c_num(),
        "programme_year2_gbp_k": _c_num(),
        "programme_year3_gbp_k": _c_num(),
        "funding_source": _c_text(),
        "reason": _c_text(),
    },
    "complaints": {
        "count_period": _c_text(False),
        "count": _c_count(),
    },
}

#: Columns every council table ends with.
COUNCIL_TAIL_COLUMNS: dict[str, pa.Column] = {
    "source_document": _c_text(False),
    "source_table": _c_text(False),
    "note": _c_text(),
    "source_file": _c_text(False),
    "source_row": pa.Column(int, pa.Check.ge(2)),
}


def council_schema(kind: str) -> pa.DataFrameSchema:
    """Return the pandera schema of the processed council table of one kind (``"budget_monitoring"``, ...).

    The template's columns come in order (common, the kind's, source columns); a council may add columns
    of its own after them (``*_gbp_k`` / ``*_gbp`` / ``*_pct`` are numbers), so the schema is not strict.
    A kind outside the template (e.g. ``grants``) has the common and source columns only, and its
    ``year`` may be empty where the document does not print one.
    """
    if kind in COUNCIL_KIND_COLUMNS:
        cols = {**COUNCIL_COMMON_COLUMNS, **COUNCIL_KIND_COLUMNS[kind], **COUNCIL_TAIL_COLUMNS}
    else:
        cols = {**COUNCIL_COMMON_COLUMNS, "year": year_column(nullable=True), **COUNCIL_TAIL_COLUMNS}
    return pa.DataFrameSchema(cols, strict=False, ordered=True, name=f"council {kind}", coerce=False)
