"""The forecast variance report (notebook ``03_forecast_variance``): a council's budget monitoring, for a reader.

:func:`prepare` runs the analysis of :mod:`helpers.analysis.variance` once for the notebook's parameters and
returns a :class:`ForecastVariance`, whose methods are the notebook's cells: the tables through
:func:`helpers.reports.present.present` (human headings with units, the printed source table named), the prose
through :func:`helpers.reports.present.say`, the charts of :mod:`helpers.reports.plots.finance`. The ``show_*``
functions and :func:`display` turn one analysis frame into a reader's table; the prose is in
:mod:`helpers.reports.forecast_variance_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.price_volume import decompose, decomposition_summary
from helpers.analysis.variance.projection import project_year_end
from helpers.analysis.variance.savings import reserves_in_budget, reserves_summary, savings_summary
from helpers.analysis.variance.summary import summary_table
from helpers.core.periods import period_label
from helpers.data import councils, tables
from helpers.reports import plots, present
from helpers.reports.forecast_variance_text import (
    availability,
    intro_text,
    scope_note,
    source_text,
    summary_text,
    thresholds_text,
)
from helpers.reports.plots import finance as finance_charts

#: What a table cell shows: a formatted table, or a sentence when there are no rows.
Table = present.Presented | Markdown


_MONEY = {c: "gbp_k" for c in ("budget_gbp_k", "forecast_outturn_gbp_k", "actual_to_date_gbp_k", "target_gbp_k",
                               "delivered_gbp_k", "opening_balance_gbp_k", "approved_gbp_k", "used_gbp_k",
                               "balance_gbp_k", "straight_line_gbp_k", "profile_based_gbp_k",
                               "reserves_appropriation_gbp_k")}
_SIGNED = {c: "gbp_k_signed" for c in ("variance_gbp_k", "movement_gbp_k", "previous_variance_gbp_k",
                                       "variance_printed_gbp_k", "variance_difference_gbp_k", "volume_gbp_k",
                                       "price_gbp_k", "remainder_gbp_k", "other_lines_gbp_k", "shortfall_gbp_k",
                                       "shortfall_printed_gbp_k", "straight_line_minus_forecast_gbp_k",
                                       "profile_minus_forecast_gbp_k")}
#: Display formats (:data:`helpers.core.text.FORMATS` names) of the report's money, per cent and count columns.
FORMATS: dict[str, str] = {**_MONEY, **_SIGNED, "variance_pct": "pct_signed", "delivery_pct": "pct",
                            "spent_pct_of_budget": "pct", "budgeted_clients": "int", "actual_clients": "int",
                            "budgeted_unit_cost_gbp": "gbp", "actual_unit_cost_gbp": "gbp", "months": "int"}


# ------------------------------------------------------------------------------------------------
# the reader's tables
# ------------------------------------------------------------------------------------------------


def show_periods(frames: dict[str, pd.DataFrame], gss_code: str, council_name: str) -> Table:
    """:func:`~helpers.analysis.variance.budget.periods_with_data` for a reader: year, period (code and words) and rows of each kind."""
    d = variance.periods_with_data(frames, gss_code)
    if len(d):
        d = d.assign(period_name=variance.period_names(d["period"]))
    cols = {"year": "Financial year", "period": "Period (parameter)", "period_name": "Period",
            **{k: f"{k[0].upper()}{k[1:]} rows" for k in frames}}
    return present.present(d, columns=cols, formats={k: "int" for k in frames}, source=None,
                           empty=f"{council_name} has no report figures in data/raw/councils.")


TOTAL_COLUMNS = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
                 "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
                 "variance_pct": "Variance (% of budget)", "rag": "RAG", "previous_name": "Previous report",
                 "previous_variance_gbp_k": "Variance then (£k)", "movement_gbp_k": "Movement (£k)"}


def show_totals(vt: pd.DataFrame) -> Table:
    """The total row of each printed table, for a reader (the lead figure marked in bold)."""
    t = variance.totals(vt)
    t = t.assign(previous_name=variance.period_names(t["previous_period"]))
    return present.present(t, columns=TOTAL_COLUMNS, formats=FORMATS, rag=["rag"],
                           emphasis=t["table_id"].isin(variance.headline_tables(vt)),
                           empty="No totals: the report prints no budget figures for this period.")


def display(vt: pd.DataFrame, *, tables: Sequence[str] | None = None) -> Table:
    """Every printed row of the variance table, for a reader: subtotals and totals in bold, notes where a
    figure needs one (:func:`~helpers.analysis.variance.budget.row_notes`). The full table (ids, printed figures) is for the export."""
    d = vt if tables is None else vt[vt["table_id"].isin(list(tables))]
    notes = variance.row_notes(d)
    parts = notes.map(lambda t: [x for x in t.split("; ") if x])
    common = sorted(set.intersection(*map(set, parts))) if len(parts) else []
    d = d.assign(previous_name=variance.period_names(d["previous_period"]),
                 notes=parts.map(lambda ps: "; ".join(x for x in ps if x not in common)))
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "variance_pct": "Variance (% of budget)", "rag": "RAG", "previous_name": "Previous report",
            "movement_gbp_k": "Movement (£k)", "notes": "Notes"}
    if not d["notes"].astype(bool).any():
        cols.pop("notes")
    note = ("Every row: " + "; ".join(common)) if common else None
    return present.present(d, columns=cols, formats=FORMATS, rag=["rag"], note=note,
                           emphasis=d["row_type"].isin(["subtotal", "total"]),
                           empty="No budget figures for this period (see the message above).")


def show_printed_differences(vt: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.variance.budget.printed_differences` for a reader."""
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Forecast - budget (£k)",
            "variance_printed_gbp_k": "Printed variance (£k)", "variance_difference_gbp_k": "Printed - ours (£k)"}
    return present.present(variance.printed_differences(vt), columns=cols, formats=FORMATS,
                           empty="No printed variance differs from forecast outturn minus budget.")


def show_decomposition_summary(dec: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.variance.price_volume.decomposition_summary` for a reader: one row per key-activity table."""
    cols = {"source_table": "Source table", "service_group": "Service", "variance_gbp_k": "Variance (£k)",
            "volume_gbp_k": "Volume: more/fewer clients (£k)", "price_gbp_k": "Price: dearer/cheaper care (£k)",
            "remainder_gbp_k": "Remainder (£k)", "other_lines_gbp_k": "Lines not split (£k)"}
    return present.present(decomposition_summary(dec), columns=cols, formats=FORMATS,
                           empty="The report prints no key activity data for this period.")


def show_decomposition(dec: pd.DataFrame) -> Table:
    """Every key-activity line with its clients, unit costs and split, for a reader."""
    d = dec.assign(line=dec["line"].str.lstrip("~ ")) if len(dec) else dec
    cols = {"source_table": "Source table", "service_group": "Service", "line": "Line",
            "budgeted_clients": "Clients budgeted", "actual_clients": "Clients now",
            "budgeted_unit_cost_gbp": "Unit cost budgeted (£)", "actual_unit_cost_gbp": "Unit cost now (£)",
            "unit_of_cost": "Unit cost per", "units_basis": "Units a year", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "volume_gbp_k": "Volume (£k)", "price_gbp_k": "Price (£k)", "remainder_gbp_k": "Remainder (£k)",
            "decomposed": "Split?"}
    return present.present(d, columns=cols, formats=FORMATS,
                           empty="No key-activity lines to decompose for this period.")


def show_projection(proj: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.variance.projection.project_year_end` for a reader (subtotals and totals in bold)."""
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "actual_to_date_gbp_k": "Spent to date (£k)", "spent_pct_of_budget": "Spent (% of budget)",
            "straight_line_gbp_k": "Straight-line projection (£k)",
            "profile_based_gbp_k": "Profile-based projection (£k)",
            "forecast_outturn_gbp_k": "Service's forecast (£k)",
            "straight_line_minus_forecast_gbp_k": "Straight-line - forecast (£k)",
            "profile_minus_forecast_gbp_k": "Profile - forecast (£k)", "caution": "Caution"}
    emph = proj["row_type"].isin(["subtotal", "total"]) if len(proj) else None
    return present.present(proj, columns=cols, formats=FORMATS, emphasis=emph,
                           empty="The report prints no actual spend to date for this period, so no projection is made.")


def show_savings(sv: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.variance.savings.savings_summary` for a reader (totals in bold)."""
    d = sv.assign(when=np.where(sv["period"] == "BUD", "budget setting", "this report")) if len(sv) else sv
    cols = {"source_table": "Source table", "when": "Figures from", "line": "Saving", "programme": "Programme",
            "target_gbp_k": "Planned (£k)", "delivered_gbp_k": "Delivered (£k)", "delivered_basis": "Delivered is",
            "shortfall_gbp_k": "Shortfall (£k)", "shortfall_printed_gbp_k": "Printed shortfall (£k)",
            "delivery_pct": "Delivered (% of plan)", "rag_printed": "RAG (printed)"}
    emph = sv["row_type"].isin(["subtotal", "total"]) if len(sv) else None
    return present.present(d, columns=cols, formats=FORMATS, emphasis=emph, rag=["rag_printed"],
                           drop_empty=["programme", "shortfall_printed_gbp_k", "rag_printed"],
                           empty="The report prints no savings figures for this period.")


def show_reserves(rs: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.variance.savings.reserves_summary` for a reader (subtotals and totals in bold)."""
    d = rs
    if len(rs) and (rs["reserve_name"].isna() | (rs["reserve_name"] == rs["line"])).all():
        d = rs.assign(reserve_name=np.nan)  # the name is the printed line itself
    cols = {"source_table": "Source table", "line": "Reserve (as printed)", "reserve_name": "Reserve name",
            "purpose": "Purpose", "opening_balance_gbp_k": "Opening balance (£k)", "approved_gbp_k": "Approved (£k)",
            "used_gbp_k": "Used (£k)", "movement_gbp_k": "Movement (£k)", "balance_gbp_k": "Balance (£k)"}
    emph = rs["row_type"].isin(["subtotal", "total"]) if len(rs) else None
    return present.present(d, columns=cols, formats=FORMATS, emphasis=emph,
                           drop_empty=["reserve_name", "purpose", "opening_balance_gbp_k", "approved_gbp_k",
                                       "used_gbp_k", "movement_gbp_k"],
                           empty="The report prints no reserves schedule for this period.")


def show_reserves_in_budget(vt: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.variance.savings.reserves_in_budget` for a reader."""
    d = reserves_in_budget(vt)
    cols = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
            "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
            "reserves_appropriation_gbp_k": "Use of reserves (£k)"}
    emph = d["row_type"].isin(["subtotal", "total"]) if len(d) else None
    return present.present(d, columns=cols, formats=FORMATS, emphasis=emph,
                           empty="No budget-monitoring row is about reserves for this period.")


def show_summary_table(summary: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.variance.summary.summary_table` for a reader."""
    cols = {"kind": "What", "name": "Line or service", "source_table": "Source table",
            "variance_gbp_k": "Variance (£k)", "variance_pct": "Variance (% of budget)", "rag": "RAG",
            "movement_gbp_k": "Movement (£k)", "volume_gbp_k": "Volume (£k)", "price_gbp_k": "Price (£k)",
            "remainder_gbp_k": "Remainder (£k)", "other_lines_gbp_k": "Lines not split (£k)", "driver": "Driver"}
    d = summary.assign(driver=summary["driver"].where(summary["kind"] != "key activity", ""))
    return present.present(d, columns=cols, formats=FORMATS, rag=["rag"],
                           empty="No variances to summarise for this period.")


# ------------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------------


@dataclass
class ForecastVariance:
    """The forecast variance report of one council and period: the analysis results, and one method per cell.

    Made by :func:`prepare`. Frames: ``vt`` (:func:`~helpers.analysis.variance.budget.variance_table`),
    ``mv`` (movement), ``dec`` (key-activity decomposition), ``proj`` (projection), ``sv`` (savings), ``rs``
    (reserves), ``drivers`` (:func:`~helpers.analysis.variance.summary.summary_table`), and the council tables read.
    """

    council: str
    name: str
    year: str
    period: str
    scope: str
    thresholds: variance.Thresholds
    top: int
    label: str
    frames: dict[str, pd.DataFrame]
    vt: pd.DataFrame
    mv: pd.DataFrame
    dec: pd.DataFrame
    proj: pd.DataFrame
    sv: pd.DataFrame
    rs: pd.DataFrame
    drivers: pd.DataFrame
    source: str
    scope_note: str | None

    def heading(self) -> str:
        """The council, period and service scope in one line."""
        services = "adult social care only" if self.scope == "adults" else "all printed"
        return f"{self.name} ({self.council}): {self.label}; services: {services}"

    def periods(self) -> Table:
        """The years and periods with figures of each kind."""
        return show_periods(self.frames, self.council, self.name)

    def intro(self) -> Markdown:
        """What budget figures there are for the period, or the periods there are."""
        budget = self.frames["budget"]
        missing = availability(budget, self.council, self.year, self.period, self.name)
        return present.say(intro_text(self.vt, self.name, self.label, missing=missing, note=self.scope_note))

    def totals(self) -> Table:
        """The total row of each printed table."""
        return show_totals(self.vt)

    def rag_rule(self) -> Markdown:
        """The RAG thresholds in one sentence."""
        return present.say(thresholds_text(self.thresholds))

    def lines(self) -> Table:
        """Every printed row of the variance table."""
        return display(self.vt)

    def rag_chart(self) -> plt.Figure:
        """Variance as a per cent of budget by line, coloured by RAG."""
        return finance_charts.variance_rag_chart(self.vt, variance.main_tables(self.vt), top=self.top,
                                                 source=self.source)

    def waterfall(self) -> plt.Figure:
        """From the budget to the forecast outturn of the lead table."""
        heads = variance.headline(self.vt) if len(self.vt) else self.vt
        return finance_charts.waterfall_chart(self.vt, heads, top=self.top, source=self.source)

    def movement_chart(self) -> plt.Figure:
        """How the variance of the largest lines and the total has moved across the periods."""
        return finance_charts.forecast_movement_chart(self.mv, source=self.source)

    def decomposition_summary(self) -> Table:
        """Volume, price and remainder per key-activity table."""
        return show_decomposition_summary(self.dec)

    def decomposition(self) -> Table:
        """Every key-activity line with its clients, unit costs and split."""
        return show_decomposition(self.dec)

    def decomposition_chart(self) -> plt.Figure:
        """Volume, price and remainder of each decomposed line."""
        return finance_charts.decomposition_chart(self.dec, source=source_text(self.dec) + " (data/raw/councils)")

    def projection(self) -> Table:
        """Year-end projections from spending to date beside the service's forecast."""
        return show_projection(self.proj)

    def savings(self) -> Table:
        """Savings delivery against plan."""
        return show_savings(self.sv)

    def reserves(self) -> Table:
        """The reserves schedule printed for the period."""
        return show_reserves(self.rs)

    def reserves_in_budget(self) -> Table:
        """The budget-monitoring rows about reserves."""
        return show_reserves_in_budget(self.vt)

    def printed_differences(self) -> Table:
        """Rows whose printed variance is not forecast minus budget."""
        return show_printed_differences(self.vt)

    def summary(self) -> Markdown:
        """Write the summary and variance tables next to the report (CSV, Excel); the summary in plain English."""
        files = present.export_table(self.drivers, "summary") + present.export_table(self.vt, "variance")
        text = summary_text(self.vt, self.dec, self.sv, self.name, self.label, adults_only=self.scope_note is not None)
        return present.say(text + "\n\nFiles: " + ", ".join(files))

    def summary_table(self) -> Table:
        """The largest variances and their drivers."""
        return show_summary_table(self.drivers)


def prepare(council: str, financial_year: str, period: str, service_scope: str, rag_amber_pct: float,
            rag_red_pct: float, rag_red_min_gbp_k: float, spend_profile: list[float], top_lines: int
            ) -> ForecastVariance:
    """Run the forecast variance analysis once for the notebook's checked parameters (``params.check``).

    Reads the council tables (``council_budget``, ``council_key_activity``, ``council_savings``,
    ``council_reserves``) and sets the chart style.
    """
    budget, key_activity = tables.load("council_budget"), tables.load("council_key_activity")
    savings, reserves = tables.load("council_savings"), tables.load("council_reserves")
    frames = {"budget": budget, "key activity": key_activity, "savings": savings, "reserves": reserves}
    thresholds = variance.Thresholds(rag_amber_pct, rag_red_pct, rag_red_min_gbp_k)
    year, scope = financial_year, service_scope
    vt = variance.variance_table(budget, council, year, period, thresholds, scope=scope)
    dec = decompose(key_activity, council, year, period)
    sv = savings_summary(savings, council, year, period)
    plots.setup()
    return ForecastVariance(
        council=council, name=councils.name_of(council), year=year, period=period, scope=scope,
        thresholds=thresholds, top=top_lines, label=period_label(period, year), frames=frames, vt=vt,
        mv=variance.movement(budget, council, year, period, top=top_lines, scope=scope), dec=dec,
        proj=project_year_end(vt, year, period, spend_profile), sv=sv,
        rs=reserves_summary(reserves, council, year, period, scope=scope),
        drivers=summary_table(vt, dec, n=top_lines), source=source_text(vt) + " (data/raw/councils)",
        scope_note=scope_note(budget, council, year, period, scope),
    )
