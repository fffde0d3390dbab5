"""Schemas of the national tables: population, ASCOF and Oflog, spend and deflators, activity, comparators,
deprivation.

One section per table; the loader module named in each section owns it. Columns are described in
``docs/data_dictionary.md``.
"""

from __future__ import annotations

import pandera.pandas as pa

from helpers.data.schemas.columns import (
    AREA_RE,
    COUNCIL_CODE_RE,
    gss_column,
    matches,
    on_distinct,
    optional_float,
    status_column,
    text_column,
    year_column,
)

# --- population (helpers.data.national.population) ---

POPULATION_SYA_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(AREA_RE)),
        "mid_year": pa.Column("int64", pa.Check.in_range(2011, 2100)),
        "sex": text_column(pa.Check.isin(["persons", "male", "female"])),
        "age": pa.Column("int64", pa.Check.in_range(0, 90)),
        "population": pa.Column(float, pa.Check.ge(0), nullable=False),
        "source_id": text_column(matches(r"^mye_\d{4}(_[a-z0-9_]+)?$")),
        "geography_vintage": text_column(matches(r"^\d{4} boundaries$")),
    },
    name="population_sya",
    strict=True,
    ordered=True,
    unique=["gss_code", "mid_year", "sex", "age"],
)

POPULATION_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(AREA_RE)),
        "mid_year": pa.Column("int64", pa.Check.in_range(2011, 2100)),
        "year": year_column(),
        "age_band": text_column(pa.Check.isin(["all", "18+", "18-64", "65+", "85+"])),
        "population": pa.Column(float, pa.Check.ge(0), nullable=False),
        "source_id": text_column(matches(r"^mye_\d{4}(_[a-z0-9_]+)?$")),
    },
    name="population",
    strict=True,
    ordered=True,
    unique=["gss_code", "year", "age_band"],
)

POPULATION_LATEST_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": text_column(matches(AREA_RE)),
        "mid_year": pa.Column("int64", pa.Check.in_range(2011, 2100)),
        "sex": text_column(pa.Check.isin(["persons"])),
        "age": pa.Column("int64", pa.Check.in_range(0, 90)),
        "population": pa.Column(float, pa.Check.ge(0), nullable=False),
        "source_id": text_column(matches(r"^mye_\d{4}(_[a-z0-9_]+)?$")),
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
ASCOF_CODE_RE = r"^[1-6][A-J](\([1-9][AB]?\))?$"
#: Stable ASCOF measure id (data/raw/reference/ascof_crosswalk.csv) and the framework versions.
ASCOF_MEASURE_ID_RE = r"^[a-z][a-z0-9_]*$"
ASCOF_FRAMEWORKS = ("to 2022-23", "from 2023-24")
#: Register ids: lower case, digits and underscores.
SOURCE_ID_RE = r"^[a-z][a-z0-9_]*$"
ASCOF_GEOGRAPHY_LEVELS = ("council", "region", "england")
ASCOF_DISAGGREGATIONS = ("Total", "18-64", "65+", "Under 65", "65-74", "65-84", "75-84", "85+", "Female", "Male")
ASCOF_UNITS = ("score", "percent", "rate_per_100k")
ASCOF_POLARITIES = ("higher", "lower", "none")
ASCOF_CI_METHODS = ("wilson", "byar", "survey_moe", "none")
ASCOF_COMPARISONS = ("ci95", "ci99.8", "quintiles")


ASCOF_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": gss_column(),
        "area_name": text_column(),
        "geography_level": text_column(pa.Check.isin(ASCOF_GEOGRAPHY_LEVELS)),
        "year": year_column(),
        "measure_code": text_column(matches(ASCOF_CODE_RE)),
        "measure_id": text_column(matches(ASCOF_MEASURE_ID_RE)),
        "framework": text_column(pa.Check.isin(ASCOF_FRAMEWORKS)),
        "measure_name": text_column(),
        "disaggregation": text_column(pa.Check.isin(ASCOF_DISAGGREGATIONS)),
        "measure_type": text_column(pa.Check.isin(["Outcome"])),
        "value": optional_float(),
        "value_status": status_column(),
        "numerator": optional_float(checks=pa.Check.ge(0)),
        "numerator_status": status_column(),
        "denominator": optional_float(checks=pa.Check.ge(0)),
        "denominator_status": status_column(),
        "base": optional_float(checks=pa.Check.ge(0)),
        "base_status": status_column(),
        "moe": optional_float(checks=pa.Check.ge(0)),
        "moe_status": status_column(),
        "unit": text_column(pa.Check.isin(ASCOF_UNITS)),
        "primary": pa.Column(bool),
        "source_id": text_column(matches(SOURCE_ID_RE)),
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
    unique=["source_id", "gss_code", "year", "framework", "measure_code", "disaggregation"],
)

ASCOF_MEASURES_SCHEMA = pa.DataFrameSchema(
    {
        "measure_code": text_column(matches(ASCOF_CODE_RE)),
        "measure_id": text_column(matches(ASCOF_MEASURE_ID_RE)),
        "framework": text_column(pa.Check.isin(ASCOF_FRAMEWORKS)),
        "measure_name": text_column(),
        "other_names": text_column(),
        "polarity": text_column(pa.Check.isin(ASCOF_POLARITIES)),
        "unit": text_column(pa.Check.isin(ASCOF_UNITS)),
        "scale": text_column(),
        "multiplier": optional_float(checks=pa.Check.isin([1.0, 100.0, 100000.0])),
        "ci_method": text_column(pa.Check.isin(ASCOF_CI_METHODS)),
        "comparison": text_column(pa.Check.isin(ASCOF_COMPARISONS)),
        "survey_based": pa.Column(bool),
        "data_collection": text_column(),
        "years_available": text_column(matches(r"^((\d{4}-\d{2})(;\d{4}-\d{2})*)?$")),
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
    unique=["framework", "measure_code"],
)

OFLOG_ASC_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": gss_column(),
        "area_name": text_column(),
        "year": year_column(),
        "measure_code": text_column(matches(r"^ASC\d+$")),
        "measure_name": text_column(),
        "ascof_code": text_column(nullable=True, checks=matches(ASCOF_CODE_RE)),
        "value": optional_float(),
        "value_status": status_column(),
        "oflog_median": pa.Column(float),
        "oflog_mads_from_median": optional_float(),
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
        "gss_code": text_column(matches(AREA_RE)),
        "year": year_column(),
        "source_id": text_column(matches(SOURCE_ID_RE)),
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
        "gss_code": text_column(matches(AREA_RE)),
        "year": year_column(),
        "support_setting": text_column(pa.Check.isin(
            ["residential", "nursing", "home_care", "day_care", "short_term_max_independence", "unspecified"])),
        "provision": text_column(pa.Check.isin(["external", "in_house", "all"])),
        "value": pa.Column(float, nullable=True),
        "value_status": status_column(),
        "unit": text_column(pa.Check.isin(["weeks", "hours", "clients_per_week", "unconfirmed"])),
        "age_band": text_column(pa.Check.isin(["18+", "65+"])),
        "percent_sector": pa.Column(float, nullable=True),
        "source_id": text_column(matches(SOURCE_ID_RE)),
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
