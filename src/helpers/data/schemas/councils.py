"""Schemas of the council tables: the reference table of councils and its name variants, and the council report
tables (the figures of each council's own reports, loaded by :mod:`helpers.data.council_reports`).
"""

from __future__ import annotations

import pandera.pandas as pa

from helpers.core import periods
from helpers.data.schemas.columns import (
    CODE_LIST_RE,
    COUNCIL_CODE_RE,
    gss_column,
    matches,
    text_column,
    year_column,
)

# --- councils, council_names (helpers.data.councils) ---

#: Council types (``council_type`` column).
COUNCIL_TYPES = ("county", "unitary", "metropolitan district", "london borough")

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
        "council_type": text_column(pa.Check.isin(list(COUNCIL_TYPES))),
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

# --- council report tables (helpers.data.council_reports) ---
# Processed tables council_budget, council_key_activity, council_kpis, council_savings, council_reserves,
# council_budget_changes, council_capital, council_complaints: the council report figures of
# data/raw/councils/<council>/<kind>.csv (see docs/council_data.md). The CSV column ``financial_year`` is
# ``year`` here; ``source_file`` / ``source_row`` point at the raw CSV cell row (header = row 1).

#: Reporting period codes (:data:`helpers.core.periods.PERIOD_RE`): quarters, months of the financial year
#: (April = M01), year-end outturn, budget setting.
COUNCIL_PERIOD_RE = periods.PERIOD_RE.pattern
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
