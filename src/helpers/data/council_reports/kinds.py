"""The council-report template: the kinds of table, their columns, and how a table's rows are keyed.

A council's own report tables (budget monitoring, key activity data, KPIs, savings, reserves, ...) are
transcribed into one folder per council under ``data/raw/councils/<slug>/`` -- one CSV per *kind* of table
(``budget_monitoring.csv``, ``kpis.csv``, ...) or one Excel workbook with a sheet per kind -- following the
template in ``docs/council_data.md``. :data:`KINDS` lists the kinds of the template and :data:`OTHER_KINDS` the
kinds outside it that the embedded data use (common and source columns only); a council's own table of another
kind is named ``other_<name>``. Any other file or sheet name is an error (:func:`check_kind_name`), so that a
misnamed file is never skipped in silence.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.core.errors import DataError
from helpers.data import schemas


@dataclass(frozen=True)
class Kind:
    """One kind of council table (one CSV file per council folder, or one sheet of a workbook).

    Attributes
    ----------
    name
        File stem / sheet name, e.g. ``"budget_monitoring"``.
    table
        Processed table name, e.g. ``"council_budget"``.
    required
        Kind-specific columns a file must have (the others may be left out and are then empty).
    sums
        Columns whose ``line``/``subtotal`` rows add up to the row named in their ``parent_line``.
    exact
        Columns holding exact counts (tolerance 0).
    group
        Extra columns a sum is taken within (tables printed with one column per period, stored long).
    description
        One line for ``asc data status``.
    """

    name: str
    table: str
    required: tuple[str, ...]
    sums: tuple[str, ...]
    exact: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    description: str = ""


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("budget_monitoring", "council_budget", ("budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k"),
             ("budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k", "previous_variance_gbp_k",
              "actual_to_date_gbp_k", "variance_change_gbp_k", "forecast_net_expenditure_gbp_k",
              "reserves_appropriation_gbp_k"),
             description="Council budget monitoring: budget, forecast outturn and variance by service line and period"),
        Kind("key_activity", "council_key_activity",
             ("service_group", "budgeted_clients", "budgeted_unit_cost_gbp", "budget_gbp_k", "actual_clients",
              "actual_unit_cost_gbp", "forecast_outturn_gbp_k", "variance_gbp_k"),
             ("budgeted_clients", "budget_gbp_k", "actual_clients", "forecast_outturn_gbp_k", "variance_gbp_k"),
             exact=("budgeted_clients", "actual_clients"),
             description="Council key activity data: clients x unit cost x weeks by service"),
        Kind("kpis", "council_kpis", ("kpi_name", "value"), (), exact=("numerator", "denominator"),
             description="Council performance indicators with targets, RAG and direction of travel as printed"),
        Kind("savings", "council_savings", ("target_gbp_k",),
             ("target_gbp_k", "forecast_gbp_k", "shortfall_gbp_k", "double_running_gbp_k", "net_target_gbp_k",
              "achieved_gbp_k"),
             description="Council savings programmes: target, forecast or achieved delivery, RAG"),
        Kind("reserves", "council_reserves", ("approved_gbp_k", "used_gbp_k", "balance_gbp_k"),
             ("approved_gbp_k", "used_gbp_k", "balance_gbp_k"),
             description="Council earmarked reserves: approved, used and balance"),
        Kind("budget_changes", "council_budget_changes", (),
             ("previous_budget_gbp_k", "change_gbp_k", "budget_gbp_k"),
             description="Council cash-limit (budget) changes since the previous report"),
        Kind("capital", "council_capital", ("programme_year1_gbp_k",),
             ("spend_to_date_gbp_k", "programme_year1_gbp_k", "programme_year2_gbp_k", "programme_year3_gbp_k"),
             description="Council capital programme, resources and rephasing by scheme"),
        Kind("complaints", "council_complaints", ("count_period", "count"), ("count",), exact=("count",),
             group=("count_period",), description="Council complaints counts by issue or service and period"),
    )
}


#: Processed table name -> kind.
TABLES: dict[str, str] = {k.table: k.name for k in KINDS.values()}

#: Columns every file starts with, as named in the CSV template.
TEMPLATE_COMMON: tuple[str, ...] = (
    "gss_code", "council", "financial_year", "period", "period_end", "table_id", "row_order", "line",
    "parent_line", "row_type",
)

#: Columns every file ends with.
TEMPLATE_TAIL: tuple[str, ...] = ("source_document", "source_table", "note")

#: Common columns a file may leave out (empty when absent).
OPTIONAL_COMMON: tuple[str, ...] = ("parent_line", "note")

#: Markers accepted (and read as empty) in number cells, besides those of :data:`helpers.data.io.MARKER_STATUS`.
EXTRA_MARKERS: dict[str, str] = {"n/a": "not_applicable", "-": "not_applicable", "na": "not_available"}

#: Sheets of a workbook that are not data (ignored): ``README``/``notes`` or any name starting with ``_``.
IGNORED_SHEETS = re.compile(r"^(_.*|readme|notes?|about)$", re.IGNORECASE)

#: Unit -> multiplier of numerator / denominator, for checking a KPI value.
KPI_SCALES: dict[str, float] = {
    "%": 100.0, "number": 1.0, "rate per 1,000": 1_000.0, "rate per 10,000": 10_000.0,
    "rate per 100,000": 100_000.0,
}

#: Extra columns whose name ends so are numbers (money in £ thousands, money in £, percentages).
NUMBER_SUFFIX = re.compile(r"_(gbp_k|gbp|pct)$")

#: Names a file (stem) or sheet of a kind outside the template must have.
KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

#: Kinds outside the template that the embedded data use: read with the common columns, checked for totals,
#: not built into a processed table. Name -> what it holds.
OTHER_KINDS: dict[str, str] = {
    "grants": "grant income by grant (Cambridgeshire F&PR Appendix 3)",
    "budget_benchmark": "total budget against statistical neighbours (Cambridgeshire item 8, Table 1)",
    "package_numbers": "care packages by type and month (Cambridgeshire item 6, paras 7.6 and 7.9)",
}

#: A council's own table of a kind outside the template: ``other_<name>`` (e.g. ``other_grants``).
OWN_KIND = re.compile(r"^other_[a-z0-9][a-z0-9_]*$")


def is_kind(name: str) -> bool:
    """Whether ``name`` is a kind the loader knows: the template's, :data:`OTHER_KINDS` or ``other_<name>``."""
    return name in KINDS or name in OTHER_KINDS or bool(OWN_KIND.match(name))


def check_kind_name(name: str, *, file: str | Path, sheet: str | None = None) -> str:
    """Return ``name`` when it is a kind (:func:`is_kind`); else raise :class:`DataError` naming the file (and
    sheet) and listing the kinds expected, with the closest one when the name looks like a typo."""
    if is_kind(name):
        return name
    known = [*KINDS, *OTHER_KINDS]
    close = difflib.get_close_matches(name.strip().lower().replace(" ", "_").replace("-", "_"), known, n=1,
                                      cutoff=0.75)
    hint = f"did you mean {close[0]!r}? " if close else ""
    what = "sheet" if sheet is not None else "file"
    raise DataError(f"not a kind of council table: {hint}name the {what} after one of {sorted(KINDS)} "
                    f"(the template), or {sorted(OTHER_KINDS)}, or 'other_<name>' for a table of your own "
                    "(sheets named README, notes or starting with '_' are ignored)", file=file, sheet=sheet)


def kind_spec(kind: str) -> Kind:
    """The template kind, or a plain kind outside the template (common and source columns only)."""
    return KINDS.get(kind) or Kind(kind, "", (), ())


def template_columns(kind: str, *, processed: bool = False) -> list[str]:
    """Return the columns of a kind in template order.

    Parameters
    ----------
    kind
        ``"budget_monitoring"``, ``"key_activity"``, ``"kpis"``, ``"savings"``, ``"reserves"``,
        ``"budget_changes"``, ``"capital"`` or ``"complaints"``; any other name gives the common and
        source columns of a kind outside the template.
    processed
        Names of the processed table (``year`` for ``financial_year``, plus ``source_file`` and
        ``source_row``) instead of the CSV template's.
    """
    cols = [*TEMPLATE_COMMON, *schemas.COUNCIL_KIND_COLUMNS.get(kind, {}), *TEMPLATE_TAIL]
    if processed:
        cols = ["year" if c == "financial_year" else c for c in cols] + ["source_file", "source_row"]
    return cols


def numeric_columns(kind: str) -> list[str]:
    """The template columns of a kind that hold numbers (read as floats)."""
    cols = schemas.COUNCIL_KIND_COLUMNS.get(kind, {})
    return [c for c, col in cols.items() if str(col.dtype).startswith("float")]


def table_keys(kind: str) -> list[str]:
    """The columns that identify one printed table's block of rows: a table printed with one column per
    period is stored as one block per period (``period``/``period_end`` per row, or the kind's group column)."""
    return ["table_id", "period", "period_end", *kind_spec(kind).group]
