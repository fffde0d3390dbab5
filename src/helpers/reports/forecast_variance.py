"""The forecast variance report (notebook ``03_forecast_variance``): a council's budget monitoring, answer first.

:func:`prepare` runs the analysis of :mod:`helpers.analysis.variance` once for the notebook's parameters (the period
as the report names it: ``Q1`` finds figures held as ``M03``) and returns a :class:`ForecastVariance`, whose methods
are the notebook's cells: :meth:`~ForecastVariance.summary` first (the title naming council and period and a box of
three to five plain lines), then the detail. Tables come from :mod:`helpers.reports.forecast_variance_tables`, words
from :mod:`helpers.reports.forecast_variance_text`, charts from :mod:`helpers.reports.plots.finance`; a report with
no figures for its parameters says so at the top, sets the status ``no data`` and draws no empty chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from IPython.display import Markdown

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.checks import COLUMN_NAMES, pooled_budgets, total_checks, totals_not_summing
from helpers.analysis.variance.price_volume import decompose
from helpers.analysis.variance.projection import project_year_end
from helpers.analysis.variance.rag import NO_RULE_STATED, Thresholds, thresholds_for, thresholds_text
from helpers.analysis.variance.savings import reserves_summary, savings_summary
from helpers.analysis.variance.summary import summary_table
from helpers.core.periods import period_label
from helpers.data import councils, tables
from helpers.reports import exports, plots, present
from helpers.reports import forecast_variance_tables as tbl
from helpers.reports import forecast_variance_text as words
from helpers.reports.plots import finance as charts

Table = tbl.Table
FORMATS = tbl.FORMATS
display = tbl.display
show_totals = tbl.show_totals


@dataclass
class ForecastVariance:
    """The forecast variance report of one council and period: the analysis results, and one method per cell.

    Made by :func:`prepare`. Frames: ``vt`` (:func:`~helpers.analysis.variance.budget.variance_table`), ``mv``
    (movement), ``dec`` (key-activity decomposition), ``proj`` (projection), ``sv`` (savings), ``rs`` (reserves),
    ``drivers`` (:func:`~helpers.analysis.variance.summary.summary_table`), ``checks`` (printed figures that do not
    add up), ``pools`` (pooled budgets), and the council tables read.
    """

    council: str
    name: str
    year: str
    period: str
    asked: str
    period_note: str | None
    scope: str
    thresholds: Thresholds
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
    checks: pd.DataFrame
    pools: pd.DataFrame
    source: str
    scope_note: str | None
    parameters: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """No figures of any kind for the period itself (a budget-setting savings plan listed beside a period's
        figures does not count)."""
        own_savings = len(self.sv) and (self.sv["period"] == self.period).any()
        return self.vt.empty and self.dec.empty and self.rs.empty and not own_savings

    def title(self) -> str:
        """``"Stockport - forecast variance, quarter 3 2017-18"``."""
        return words.title(self.name, self.label)

    def heading(self) -> str:
        """The title in one line (for a console)."""
        return self.title()

    def summary_lines(self) -> list[str]:
        """Three to five plain lines: the position, what is Red, the main drivers with the report's reasons, the
        pooled budget; a printed total that is not the sum of its lines is said in the first line."""
        if self.vt.empty:
            return [words.availability(self.frames["budget"], self.council, self.year, self.period, self.name)
                    or f"{self.name}'s report prints no budget figures for {self.label}."]
        out = [words.position_line(self.vt, self.name, self.label)]
        wrong = totals_not_summing(self.checks, variance.headline_tables(self.vt))
        if wrong:
            out.append("Caution: the printed totals are not the sum of their lines: " + "; ".join(wrong) + ".")
        out.append(words.red_line(self.vt))
        out += words.driver_lines(self.vt, 1 if wrong else 2)
        pool = words.pool_line(self.pools)
        if pool:
            out.append(pool)
        return out[:5]

    def summary(self) -> present.Parts:
        """The answer first: the title, the summary box, and a note on the period used or a ``no data`` banner."""
        parts: list[object] = []
        if self.empty:
            reason = self.summary_lines()[0]
            parts += [present.summary_box(self.title(), [reason]), present.banner("no data", reason),
                      present.say("The sections below are left out. The periods with figures are listed under "
                                  "'What figures there are for this council'.")]
            return present.Parts(*parts)
        parts.append(present.summary_box(self.title(), self.summary_lines()))
        if self.period_note:
            parts.append(present.banner("warning", self.period_note))
        if self.vt.empty:
            parts.append(present.note("{council} prints no budget-monitoring table for {label}; its other tables "
                                      "follow.", council=self.name, label=self.label))
        return present.Parts(*parts)

    def intro(self) -> Markdown | None:
        """Which printed tables the figures come from, and what the service scope leaves out."""
        if self.vt.empty:
            return None
        text = words.intro_text(self.vt, self.name, self.label)
        return present.say("{text}" + ("\n\n{scope}" if self.scope_note else ""), text=text, scope=self.scope_note)

    def totals(self) -> present.Parts | None:
        """The total row of each printed table, and a pooled budget's council share."""
        if self.vt.empty:
            return None
        return present.Parts(show_totals(self.vt, self.checks), tbl.show_pools(self.pools))

    def rag_rule(self) -> Markdown | None:
        """The RAG rule applied, with the council's own rule and its source, or the absence of one."""
        if self.vt.empty:
            return None
        t = self.thresholds
        extra = " Source: {sources}." if t.sources else ""
        none = " {none}; the parameters apply." if self.council in NO_RULE_STATED else ""
        return present.say("**RAG rule.** {rule}" + extra + none, rule=thresholds_text(t),
                           sources="; ".join(t.sources), none=NO_RULE_STATED.get(self.council, ""))

    def lines(self) -> present.Parts | None:
        """Every printed row of the variance table, one table per printed table (its name above it)."""
        if self.vt.empty:
            return None
        return present.Parts(*[display(self.vt, tables=[t]) for t in self.vt["table_id"].drop_duplicates()])

    def rag_chart(self) -> object | None:
        """The largest variances in £, coloured and worded by RAG, the per cent as a label."""
        if self.vt.empty:
            return None
        return charts.shown(*charts.variance_chart(self.vt, variance.main_tables(self.vt), top=self.top,
                                                   source=self.source))

    def waterfall(self) -> object | None:
        """From the budget to the forecast outturn of the lead table."""
        heads = variance.headline(self.vt) if len(self.vt) else self.vt
        if heads.empty or heads[["budget_gbp_k", "forecast_outturn_gbp_k"]].isna().any(axis=None):
            return None if self.vt.empty else present.say("*The report prints no budget and forecast total to run a "
                                                          "waterfall between.*")
        return charts.shown(*charts.waterfall_chart(self.vt, heads, top=self.top, source=self.source))

    def movement_chart(self) -> object | None:
        """How the variance of the largest lines and the total has moved across the periods."""
        if self.mv.empty:
            return None if self.vt.empty else present.say("*Only one reported period: no movement to show.*")
        return charts.shown(*charts.forecast_movement_chart(self.mv, source=self.source))

    def decomposition_summary(self) -> Table | None:
        """Volume, price and remainder per key-activity table."""
        return None if self.dec.empty and self.empty else tbl.show_decomposition_summary(self.dec)

    def decomposition(self) -> present.Parts | None:
        """Every key-activity line with its people, unit costs and split, one table per printed table."""
        if self.dec.empty:
            return None
        return present.Parts(*[tbl.show_decomposition(self.dec[self.dec["table_id"] == t])
                               for t in self.dec["table_id"].drop_duplicates()])

    def decomposition_chart(self) -> object | None:
        """Volume, price and remainder of each decomposed line."""
        if self.dec.empty or not (self.dec["decomposed"] == "yes").any():
            return None
        return charts.shown(*charts.decomposition_chart(self.dec, source=words.source_text(self.dec)
                                                        + " (data/raw/councils)"))

    def projection(self) -> present.Parts | Table | None:
        """Year-end projections from spending to date beside the service's forecast, where meaningful (one table
        per printed table)."""
        if self.empty:
            return None
        if self.proj.empty:
            return tbl.show_projection(self.proj)
        return present.Parts(*[tbl.show_projection(self.proj[self.proj["table_id"] == t])
                               for t in self.proj["table_id"].drop_duplicates()])

    def savings(self) -> Table | None:
        """Savings delivery against plan."""
        return None if self.empty else tbl.show_savings(self.sv)

    def reserves(self) -> present.Parts | None:
        """The reserves schedule printed for the period, and the budget rows about reserves."""
        if self.empty:
            return None
        return present.Parts(tbl.show_reserves(self.rs), tbl.show_reserves_in_budget(self.vt))

    def printed_differences(self) -> present.Parts | None:
        """Printed totals that are not the sum of their lines; printed variances that are not forecast - budget."""
        if self.empty:
            return None
        return present.Parts(tbl.show_total_checks(self.checks), tbl.show_printed_differences(self.vt),
                             tbl.show_key_activity_differences(self.dec))

    def summary_table(self) -> Table | None:
        """The largest variances and their drivers."""
        return None if self.empty else tbl.show_summary_table(self.drivers)

    def in_words(self) -> present.Parts | None:
        """The summary in plain English: every figure is one of the tables above."""
        if self.empty:
            return None
        items = []
        for para in words.summary_text(self.vt, self.dec, self.sv, self.name, self.label,
                                       adults_only=self.scope_note is not None).split("\n\n"):
            if para.startswith("- "):
                items += [present.say("- {x}", x=x[2:]) for x in para.split("\n")]
            else:
                items.append(present.say("{x}", x=para))
        return present.Parts(*items)

    def periods(self) -> Table:
        """The years and periods with figures of each kind."""
        return tbl.show_periods(self.frames, self.council, self.name)

    def glossary(self) -> object:
        """The report's terms in plain words."""
        return present.glossary(words.GLOSSARY)

    def workbook(self) -> Markdown:
        """Write the report's Excel workbook (cover, summary, every line, price / volume, savings, projection,
        checks) next to it; say its name."""
        name = exports.export_workbook(self.cover(), self.sheets(), name="workbook")
        return present.say("The figures of this report for a finance team: **{name}** (one Excel workbook: a "
                           "cover, then a sheet per table).", name=name)

    def cover(self) -> exports.Cover:
        """The workbook's cover sheet."""
        docs = sorted({*self.vt.get("source_document", pd.Series(dtype=object)).dropna().astype(str)})
        notes = [thresholds_text(self.thresholds), *(self.thresholds.sources)]
        if self.period_note:
            notes.append(self.period_note)
        if self.scope_note:
            notes.append(self.scope_note)
        return exports.Cover(title=self.title(), council=f"{self.name} ({self.council})", period=self.label,
                             sources=docs or ["data/raw/councils"], notes=notes)

    def sheets(self) -> list[exports.Sheet]:
        """The workbook's sheets (machine columns under reader headings, numbers as numbers)."""
        fm = {**{k: v for k, v in FORMATS.items() if v != "text"}, "previous_period": "period", "period": "period"}
        checks = self.checks
        if len(checks):  # the figure and the table kind in words, as the report's own table shows them
            checks = checks.assign(column=checks["column"].map(lambda c: COLUMN_NAMES.get(c, c)),
                                   kind=checks["kind"].astype(str).str.replace("_", " "))
        summary = variance.totals(self.vt).assign(rag_label=self.vt.loc[self.vt["row_type"] == "total",
                                                                         "rag_label"].to_numpy())
        money = {"source_table": "Source table", "line": "Line", "budget_gbp_k": "Budget (£k)",
                 "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
                 "variance_pct": "Variance (% of budget)", "rag_label": "RAG"}
        return [
            exports.Sheet("Summary", summary, {**money, "previous_period": "Previous period",
                                               "movement_gbp_k": "Movement (£k)"}, fm, rag=["rag_label"],
                          note="The total of each printed table: budget, forecast outturn and variance."),
            exports.Sheet("Every line", self.vt, {**money, "row_type": "Row", "service_area": "Service area",
                                                  "previous_variance_gbp_k": "Previous variance (£k)",
                                                  "movement_gbp_k": "Movement (£k)",
                                                  "actual_to_date_gbp_k": "Spend to date (£k)",
                                                  "variance_printed_gbp_k": "Printed variance (£k)",
                                                  "forecast_basis": "Forecast is", "commentary": "The report's reason"},
                          fm, rag=["rag_label"], note="Every printed row, in the report's order."),
            exports.Sheet("Drivers", self.drivers, {"kind": "What", "name": "Line or service",
                                                    "variance_gbp_k": "Variance (£k)", "variance_pct":
                                                    "Variance (% of budget)", "rag_label": "RAG",
                                                    "volume_gbp_k": "Volume (£k)", "price_gbp_k": "Price (£k)",
                                                    "remainder_gbp_k": "Remainder (£k)",
                                                    "other_lines_gbp_k": "Lines not split (£k)", "driver": "Driver"},
                          fm, rag=["rag_label"], note="The largest variances and what drives them."),
            exports.Sheet("Price and volume", self.dec, {
                "service_group": "Service", "line": "Line", "unit_of_cost": "Unit cost per",
                "budgeted_clients": "People budgeted", "actual_clients": "People now",
                "budgeted_unit_cost_gbp": "Unit cost budgeted (£)", "actual_unit_cost_gbp": "Unit cost now (£)",
                "units_basis": "Units a year", "budget_gbp_k": "Budget (£k)",
                "forecast_outturn_gbp_k": "Forecast outturn (£k)", "variance_gbp_k": "Variance (£k)",
                "volume_gbp_k": "Volume (£k)", "price_gbp_k": "Price (£k)", "remainder_gbp_k": "Remainder (£k)",
                "decomposed": "Split?", "source_table": "Source table"}, fm,
                note="The price / volume split of every key-activity line."),
            exports.Sheet("Savings", self.sv, {
                "line": "Saving", "period": "Period", "target_gbp_k": "Planned (£k)", "delivered_gbp_k": "Delivered (£k)",
                "delivered_basis": "Delivered is", "shortfall_gbp_k": "Shortfall (£k)",
                "delivery_pct": "Delivered (% of plan)", "rag_printed": "RAG (printed)", "source_table": "Source table"},
                fm, rag=["rag_printed"], note="Savings delivery against plan."),
            exports.Sheet("Projection", self.proj, {
                "line": "Line", "budget_gbp_k": "Budget (£k)", "actual_to_date_gbp_k": "Spend to date (£k)",
                "spent_pct_of_budget": "Spent (% of budget)", "straight_line_gbp_k": "Straight-line (£k)",
                "profile_based_gbp_k": "Profile-based (£k)", "forecast_outturn_gbp_k": "Service's forecast (£k)",
                "why_not": "Not projected because", "source_table": "Source table"}, fm,
                note="Projections from spend to date, where spending is in step with the year."),
            exports.Sheet("Checks", checks, {
                "kind": "Table kind", "source_table": "Source table", "line": "Line", "column": "Figure",
                "printed": "Printed", "expected": "Lines or inputs give", "check": "Check",
                "difference": "Difference", "documented": "Documented in the council README",
                "known_discrepancy": "Known discrepancy"}, {"printed": "num", "expected": "num", "difference": "num"},
                note="Printed figures that their own table does not reproduce within rounding."),
        ]

    def made(self) -> Markdown:
        """How this was made: the parameters, by name (the only place they are named)."""
        listed = ", ".join(f"{k} = {v}" for k, v in self.parameters.items())
        return present.say("Made from the council's own report figures in data/raw/councils (no national data) with "
                           "the parameters {listed}.", listed=listed)


def prepare(council: str, financial_year: str, period: str, service_scope: str, rag_rule: str, rag_amber_pct: float,
            rag_amber_min_gbp_k: float, rag_red_pct: float, rag_red_min_gbp_k: float, spend_profile: list[float],
            top_lines: int) -> ForecastVariance:
    """Run the forecast variance analysis once for the notebook's checked parameters (``params.check``).

    Reads the council tables (``council_budget``, ``council_key_activity``, ``council_savings``,
    ``council_reserves``), finds the period as the reports name it and sets the chart style.
    """
    budget, key_activity = tables.load("council_budget"), tables.load("council_key_activity")
    savings, reserves = tables.load("council_savings"), tables.load("council_reserves")
    frames = {"budget": budget, "key activity": key_activity, "savings": savings, "reserves": reserves}
    year, scope = financial_year, service_scope
    used, note = variance.resolve_period(budget, council, year, period)
    for df in (key_activity, savings, reserves):
        if used == period and note is None:
            used, note = variance.resolve_period(df, council, year, period)
    base = Thresholds(amber_pct=rag_amber_pct, red_pct=rag_red_pct, red_min_gbp_k=rag_red_min_gbp_k,
                      amber_min_gbp_k=rag_amber_min_gbp_k)
    thresholds = thresholds_for(council, base, rag_rule)
    vt = variance.variance_table(budget, council, year, used, thresholds, scope=scope)
    dec = decompose(key_activity, council, year, used)
    sv = savings_summary(savings, council, year, used)
    plots.setup()
    return ForecastVariance(
        council=council, name=councils.name_of(council), year=year, period=used, asked=period, period_note=note,
        scope=scope, thresholds=thresholds, top=top_lines, label=period_label(period, year), frames=frames, vt=vt,
        mv=variance.movement(budget, council, year, used, top=top_lines, scope=scope), dec=dec,
        proj=project_year_end(vt, year, used, spend_profile), sv=sv,
        rs=reserves_summary(reserves, council, year, used, scope=scope),
        drivers=summary_table(vt, dec, n=top_lines),
        checks=total_checks({"budget_monitoring": budget, "key_activity": key_activity}, council, year, used),
        pools=pooled_budgets(vt), source=words.source_text(vt) + " (data/raw/councils)",
        scope_note=words.scope_note(budget, council, year, used, scope),
        parameters={"council": council, "financial_year": year, "period": period, "service_scope": scope,
                    "rag_rule": rag_rule, "rag_amber_pct": rag_amber_pct, "rag_amber_min_gbp_k": rag_amber_min_gbp_k,
                    "rag_red_pct": rag_red_pct, "rag_red_min_gbp_k": rag_red_min_gbp_k, "spend_profile": spend_profile,
                    "top_lines": top_lines},
    )

