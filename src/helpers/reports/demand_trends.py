"""The demand-trends report (notebook ``05_demand_trends``): one council's demand series, as the reader sees it.

:func:`prepare` runs the analysis once (:func:`helpers.analysis.demand.forecast.analyse`: the series, the
procedure chosen on every council's past errors, its forecast and ranges, the population, the budget inputs)
and returns a :class:`DemandTrends` with one method per section of the notebook: the answer first
(:meth:`DemandTrends.summary`), then the forecast, the evidence of how good such forecasts have been, the
budget-ready table, the series and its breaks, the driving population, how it was made, and one Excel workbook.
A council with no figures of the series gets the status ``no data`` and one sentence per section, never an
empty chart or table. The words are in :mod:`helpers.reports.demand_trends_text`; the method is in
``docs/methods.md`` ("Demand forecasting", "Demand series").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from IPython.display import Markdown

from helpers.analysis.demand import catalogue
from helpers.analysis.demand.budget import Scenario
from helpers.analysis.demand.budget import base_cost_uplift as budget_uplift
from helpers.analysis.demand.candidates import DESCRIPTIONS
from helpers.analysis.demand.forecast import DemandForecast, analyse
from helpers.data.councils import LATEST_YEAR
from helpers.reports import demand_trends_text as words
from helpers.reports import exports, plots, present
from helpers.reports.plots import demand as demand_charts

_POPULATION_SOURCE = "ONS mid-year population estimates (MYE2), on April 2023 council boundaries"
#: What the series' values are, in the reader's words (for "about 649 ..."), by unit.
_WHAT = {"placements": "people in care on average over the year", "admissions": "admissions in the year",
         "service users": "people supported", "£ thousands": "", "£ per week": ""}
_METHOD_NAMES = {"procedure": "This report's method (chosen each year from the years before)", **DESCRIPTIONS}


def in_unit(v: float, unit: str) -> str:
    """A value of the series in its unit, whole: ``£1,234k``, ``£700 a week``, ``1,234`` (``n/a`` if missing)."""
    if not np.isfinite(v):
        return "n/a"
    if unit.startswith("£ thousands"):
        return f"£{v:,.0f}k"
    if unit.startswith("£ per week"):
        return f"£{v:,.0f} a week"
    return f"{v:,.1f}" if abs(v) < 100 else f"{v:,.0f}"


def reader_unit(unit: str) -> str:
    """The axis label of a series' unit, in words (``placements (weeks of care / 52)`` -> people in care)."""
    if unit.startswith("placements"):
        return "people in care (average over the year)"
    return unit


@dataclass
class DemandTrends:
    """The demand-trends report of one council and series (from :func:`prepare`)."""

    result: DemandForecast

    # ---------------------------------------------------------------- basics
    def _fmt(self, v: float) -> str:
        return in_unit(v, self.result.spec.unit)

    def _nothing(self) -> Markdown:
        return present.say("*Nothing to show for {council}: see the summary at the top.*",
                           council=self.result.council_name)

    def title(self) -> str:
        """``"Stockport - older people (65+) in residential care: forecast for 2022-23"``."""
        a = self.result
        label = a.spec.label[0].lower() + a.spec.label[1:]
        return f"{a.council_name} - {label}" + (f": forecast for {a.next_year}" if a.ok else "")

    def headline(self) -> str:
        """The council, series, years and method, one per line (the notebook's checked output)."""
        a = self.result
        lines = [f"Council: {a.council_name} ({a.council})", f"Series: {a.series} ({a.spec.label})"]
        if not a.ok:
            return "\n".join([*lines, f"No forecast: {a.error}"])
        return "\n".join([*lines, f"Years modelled: {a.meta.first_year} to {a.meta.last_year} ({len(a.values)})",
                          f"Method: {a.model}"])

    def stale_note(self) -> str:
        """A sentence when the forecast starts before the latest year the national files cover, else ``""``."""
        a = self.result
        if a.ok and a.next_year < LATEST_YEAR:
            return (f"The figures end in {a.meta.last_year}, so 'next year' ({a.next_year}) has already passed: read "
                    f"the forecast as what the trend said, to check against the council's own figures.")
        return ""

    # ---------------------------------------------------------------- answer first
    def summary(self) -> object:
        """The answer-first box (and the ``no data`` status when there is nothing to show)."""
        a = self.result
        if not a.ok:
            present.set_status("no data", a.error or "no forecast")
            return present.summary_box(self.title(), [f"No forecast: {a.error}"])
        if len(a.values) < 3:
            present.note("{what} for {council} has {n} usable year(s): the forecast is 'same as last year' with no "
                         "evidence of its accuracy.", what=a.spec.label, council=a.council_name, n=len(a.values))
        budget = self.budget_table()
        what = next((w for k, w in _WHAT.items() if a.spec.unit.startswith(k)), "")
        lines = words.summary_lines(a, self._fmt, what, budget if isinstance(budget, pd.DataFrame) else None,
                                    self.stale_note())
        return present.summary_box(self.title(), lines)

    def glossary(self) -> object:
        """The terms the report uses, in plain words."""
        return present.glossary(words.GLOSSARY)

    # ---------------------------------------------------------------- forecast
    def forecast_figure(self):
        """The history, this method's past one-year forecasts, the forecast and its ranges."""
        a = self.result
        t = a.forecast.table
        past = a.past()
        note = words.evidence_sentence(a) or "No past forecast of this series can be checked yet (too few years)."
        return demand_charts.forecast_chart(
            a.meta.history, t, title=f"{a.council_name}: {a.spec.label}, forecast to {t.index[-1]}",
            ylabel=reader_unit(a.spec.unit), source=a.spec.source, note=note, break_years=a.meta.break_marks,
            past=past[["target", "forecast"]] if len(past) else None)

    def alt_text(self) -> str:
        """The forecast chart's alt text: what it shows and its main figures."""
        a = self.result
        v, f = a.values, a.forecast.table.iloc[0]
        rng = words.range_text(f, self._fmt)
        return (f"Line chart of {a.spec.label.lower()} for {a.council_name}, {a.meta.first_year} to "
                f"{a.meta.last_year}, from {self._fmt(v.iloc[0])} to {self._fmt(v.iloc[-1])}, then the forecast: "
                f"{self._fmt(f['mean'])} in {a.next_year}" + (f" ({rng})." if rng else "."))

    def forecast_chart(self) -> object:
        """:meth:`forecast_figure` with its alt text, or one sentence when there is no forecast."""
        if not self.result.ok:
            return self._nothing()
        return demand_charts.with_alt(plots.image(self.forecast_figure()), self.alt_text())

    def forecast_table(self) -> pd.DataFrame:
        """Each year's forecast and its 80% / 95% range (``period``, ``step``, ``mean``, bounds, ``checked``)."""
        a = self.result
        t = a.forecast.table.reset_index()
        t["checked"] = a.checked
        return t

    def forecast(self) -> object:
        """:meth:`forecast_table` for the reader."""
        if not self.result.ok:
            return self._nothing()
        t = self.forecast_table()
        for lv in (80, 95):
            t[f"r{lv}"] = [f"{self._fmt(lo)} to {self._fmt(hi)}" if np.isfinite(lo) else None
                           for lo, hi in zip(t[f"lower_{lv}"], t[f"upper_{lv}"], strict=True)]
        t["how"] = np.where(t["checked"], "from past forecasts' misses", "rough: not checked against outcomes")
        return present.present(
            t, columns={"period": "Year", "step": "Years ahead", "mean": "Forecast", "r80": "80% range",
                        "r95": "95% range", "how": "Range set"},
            formats={"mean": self._fmt, "step": "int"}, empty="No forecast.", source=None,
            note=f"{self.result.spec.label}, {self.result.spec.unit}. A dash: no range")

    # ---------------------------------------------------------------- evidence
    def accuracy(self) -> present.Parts | Markdown:
        """How good forecasts like this have been: the plain statement, the methods compared, this council's."""
        a = self.result
        if not a.ok:
            return self._nothing()
        ev = a.evidence()
        if ev.empty:
            return present.say("No one-year forecast of this series can be checked against its outcome yet: the "
                               "figures cover {n} year(s) per council at most, and a forecast needs at least three "
                               "years behind it and the year after to be checked. The forecast is therefore 'same "
                               "as last year'.", n=len(a.evaluation.panel.years))
        text = present.say("{evidence} {own}", evidence=words.evidence_sentence(a), own=words.own_sentence(a))
        t = ev.assign(name=ev["method"].map(_METHOD_NAMES), used=np.where(ev["chosen"], "used here", ""))
        methods = present.present(
            t, columns={"name": "Method", "used": "", "median_se": "Typical scaled error, one year ahead",
                        "ratio_median": "vs same as last year", "n": "Forecasts checked", "years": "Years",
                        "median_ape": "Half within (%)", "own_median_ape": "This council: half within (%)",
                        "own_n": "This council: forecasts"},
            formats={"median_se": "{:.2f}".format, "ratio_median": "{:.2f}".format, "n": "int", "years": "int",
                     "median_ape": "{:.1f}".format, "own_median_ape": "{:.1f}".format, "own_n": "int"},
            source=None, empty="No method could be checked.",
            note="Every figure is out of sample: each forecast used only the years before it. 'vs same as last "
                 "year' below 1 means smaller misses than the naive forecast on the same forecasts")
        return present.Parts(text, methods, self.past_table())

    def past_table(self) -> object:
        """This council's past one-year forecasts made this way, against what happened."""
        p = self.result.past()
        if p.empty:
            return None
        p = p.assign(method_name=p["method"].map(DESCRIPTIONS), inside=np.where(p["inside_80"], "yes", "no"))
        return present.present(
            p, columns={"target": "Year", "outcome": "Outcome", "forecast": "Forecast a year before",
                        "ape": "Miss (%)", "naive": "Same as last year", "ape_naive": "Its miss (%)",
                        "inside": "Inside the 80% range", "method_name": "Method used then"},
            formats={"outcome": self._fmt, "forecast": self._fmt, "naive": self._fmt, "ape": "{:.1f}".format,
                     "ape_naive": "{:.1f}".format}, source=None, empty="No past forecast.",
            note=f"{self.result.council_name}: each forecast made with the years before it only")

    # ---------------------------------------------------------------- budget
    def budget_table(self) -> pd.DataFrame | str:
        """The budget-ready table, or the sentence saying why there is none."""
        a = self.result
        if not a.ok:
            return str(a.error)
        return a.budget_gap() or a.budget()

    def budget(self) -> object:
        """The unit cost and the budget-ready table for the reader, or why there is none."""
        b = self.budget_table()
        if not self.result.ok:
            return self._nothing()
        if not isinstance(b, pd.DataFrame):
            return present.say("*{why}*", why=b)
        table = present.present(
            b, columns={"component": "Component", "clients": "Clients", "unit_cost_gbp_per_week": "£ a week",
                        "amount_gbp_k": "Amount (£k)", "low_80_gbp_k": "Low, 80% (£k)",
                        "high_80_gbp_k": "High, 80% (£k)", "assumption": "Assumption"},
            formats={"clients": lambda x: f"{x:,.1f}", "unit_cost_gbp_per_week": "gbp", "amount_gbp_k": "gbp_k",
                     "low_80_gbp_k": "gbp_k", "high_80_gbp_k": "gbp_k"},
            emphasis=b["component"].isin(["total pressure", "next year cost"]), source=None,
            empty="No budget table.", note="Cash. Low and high: the forecast's 80% range of clients")
        a = self.result
        if a.scenario.unit_cost_gbp_per_week is not None:
            cost = present.say("Unit cost: £{c} a week, your own figure.", c=f"{a.scenario.unit_cost_gbp_per_week:,.2f}")
        else:
            up = budget_uplift(a.unit_cost, a.scenario, a.meta.last_year)
            cost = present.say("Unit cost: £{c0} a week in {y0} ({src}), moved to {y1} prices: {basis}, giving £{c1} a "
                               "week. Next year's rise is the report's assumption (the price rows).",
                               c0=f"{a.unit_cost.gbp_per_week:,.2f}", y0=a.unit_cost.year, src=a.unit_cost.source,
                               y1=a.meta.last_year, basis=up.basis, c1=f"{a.unit_cost.gbp_per_week * up.factor:,.2f}")
        return present.Parts(cost, table)

    # ---------------------------------------------------------------- the series
    def about_table(self) -> pd.DataFrame:
        """What the series is: definition, unit, source, driver, years found and used (``item``, ``value``)."""
        a, s = self.result, self.result.spec
        rows = [("series", s.label), ("definition", s.definition), ("unit", s.unit), ("source", s.source),
                ("driving population", s.driver_band or "none")]
        if a.meta is not None:
            found = a.meta.history.dropna(subset=["value"])
            if len(found):
                rows.append(("years with a figure", f"{found['year'].iloc[0]} to {found['year'].iloc[-1]} "
                                                    f"({len(found)})"))
            rows.append(("years used", f"{a.meta.first_year} to {a.meta.last_year} ({len(a.meta.years)})"))
        return pd.DataFrame(rows, columns=["item", "value"])

    def series(self) -> present.Parts:
        """What the series is, its breaks, and every year found for the council."""
        a = self.result
        about = present.present(self.about_table(), columns={"item": "About the series", "value": "Detail"},
                                source=None, empty="Nothing known about this series.")
        if a.meta is None:
            return present.Parts(about, self._nothing())
        breaks = (present.say("\n".join(f"- {{b{i}}}" for i in range(len(a.meta.breaks))),
                              **{f"b{i}": b for i, b in enumerate(a.meta.breaks)}) if a.meta.breaks else
                  present.say("*No break, gap or boundary change in this council's series.*"))
        h = a.meta.history.assign(used=lambda d: np.where(d["used"], "yes", "no"))
        fmt = self._fmt if not a.spec.unit.startswith("placements") else (lambda x: f"{x:,.1f}")
        hist = present.present(
            h, columns={"year": "Year", "value": "As published", "modelled": "Used (on today's basis)",
                        "collection": "Return", "status": "Status", "basis": "How it is counted", "used": "Used"},
            formats={"value": fmt, "modelled": fmt}, source=None, empty="No year has a figure.",
            note=f"Source: {a.spec.source}")
        return present.Parts(about, breaks, hist)

    # ---------------------------------------------------------------- demography
    def population(self) -> object:
        """The driving population: chart (with alt text) and table, or one sentence when there is none."""
        a = self.result
        if a.driver is None:
            why = "this series has no driving population" if a.spec.driver_band is None else \
                "no population for this council"
            return present.say("*No driving population: {why}.*", why=a.error or why)
        p = a.driver.population
        band = a.driver.band
        fig = demand_charts.population_chart(
            p, title=f"{a.council_name}: people aged {band}", ylabel=f"people aged {band}",
            source=_POPULATION_SOURCE, note="Later years: cohort ageing of ONS mid-year estimates, not an ONS "
                                            "projection.")
        est = p[p["kind"] == "estimate"]
        alt = (f"Line chart of the population aged {band} in {a.council_name}: {est['population'].iloc[0]:,.0f} in "
               f"mid-{est['mid_year'].iloc[0]} to {est['population'].iloc[-1]:,.0f} in mid-{est['mid_year'].iloc[-1]}"
               f", then aged forward to {p['population'].iloc[-1]:,.0f} in mid-{p['mid_year'].iloc[-1]}.")
        t = p.assign(mid=p["mid_year"].map(lambda y: f"mid-{y}"), growth=p["population"].pct_change() * 100,
                     basis=p["kind"].map({"estimate": "ONS mid-year estimate", "projection": "aged forward (not ONS)"}))
        table = present.present(t, columns={"mid": "Mid-year", "population": f"People aged {band}",
                                            "growth": "Growth (%)", "basis": "Basis"},
                                formats={"population": "int", "growth": "pct_signed"}, source=None,
                                empty="No population.", note=_POPULATION_SOURCE)
        return present.Parts(demand_charts.with_alt(plots.image(fig), alt), table)

    # ---------------------------------------------------------------- how it was made, export
    def method(self) -> Markdown:
        """The footer: how the report was made, with the parameters by name (the only place they appear)."""
        a, s = self.result, self.result.scenario
        params = {"council": a.council, "series": a.series, "horizon": a.horizon,
                  "price_uplift_pct": s.price_uplift_pct, "nlw_rise_pct": s.nlw_rise_pct,
                  "pay_share_pct": s.pay_share_pct, "need_growth_pct": s.need_growth_pct,
                  "demography_growth_pct": s.demography_growth_pct,
                  "unit_cost_gbp_per_week": s.unit_cost_gbp_per_week}
        lines = "; ".join(f"{{k{i}}} = {{v{i}}}" for i in range(len(params)))
        vals = {**{f"k{i}": k for i, k in enumerate(params)},
                **{f"v{i}": "none (from the data)" if v is None else v for i, v in enumerate(params.values())}}
        return present.say("Made with the parameters " + lines + ". Method and sources: docs/methods.md, 'Demand "
                           "forecasting' and 'Demand series'; accuracy figures: docs/performance.md.", **vals)

    def catalogue(self) -> object:
        """The series catalogue for the reader."""
        return present.present(
            catalogue.catalogue(), columns={"key": "Series (parameter value)", "label": "What it counts",
                                            "unit": "Unit", "driver_band": "Driving population",
                                            "scope": "Councils", "source": "Source"},
            source=None, empty="The catalogue is empty.")

    def workbook_sheets(self) -> list[exports.Sheet]:
        """The workbook's sheets: history, backtest (this council's past forecasts and the methods compared),
        forecast, budget table."""
        a = self.result
        sheets = []
        if a.meta is not None:
            h = a.meta.history.copy()
            sheets.append(exports.Sheet("History", h, {"year": "Year", "gss_code": "ONS code", "value": "As published",
                                                       "modelled": "Used (on today's basis)", "status": "Status",
                                                       "collection": "Return", "basis": "How it is counted",
                                                       "used": "Used"},
                                        note=f"{a.spec.label}, {a.spec.unit}. Source: {a.spec.source}"))
        if a.ok:
            sheets.append(exports.Sheet("Backtest", a.past(), {
                "origin": "Forecast made in", "target": "Year", "outcome": "Outcome", "forecast": "Forecast",
                "lower_80": "80% low", "upper_80": "80% high", "method": "Method", "naive": "Same as last year",
                "ape": "Miss (%)", "ape_naive": "Same as last year: miss (%)", "inside_80": "Inside 80% range"},
                note="This council's past one-year forecasts, each made with the years before it only"))
            ev = a.evidence()
            if len(ev):
                sheets.append(exports.Sheet("Methods compared", ev.assign(name=ev["method"].map(_METHOD_NAMES)), {
                    "name": "Method", "chosen": "Used here", "n": "Forecasts checked", "years": "Years",
                    "median_se": "Median scaled error", "mean_se": "Mean scaled error",
                    "ratio_median": "Median vs naive", "ratio_mean": "Mean vs naive", "median_ape": "Median miss (%)",
                    "p80_ape": "80th percentile miss (%)", "own_median_ape": "This council: median miss (%)"},
                    note="One-year forecasts across all councils, out of sample"))
            sheets.append(exports.Sheet("Forecast", self.forecast_table(), {
                "period": "Year", "step": "Years ahead", "mean": "Forecast", "lower_80": "80% low",
                "upper_80": "80% high", "lower_95": "95% low", "upper_95": "95% high",
                "checked": "Range from past misses"}, note=f"{a.spec.label}, {a.spec.unit}. Method: {a.forecast.method}"))
            b = self.budget_table()
            if isinstance(b, pd.DataFrame):
                sheets.append(exports.Sheet("Budget", b, {
                    "component": "Component", "clients": "Clients", "unit_cost_gbp_per_week": "£ a week",
                    "amount_gbp_k": "Amount (£k)", "low_80_gbp_k": "Low, 80% (£k)", "high_80_gbp_k": "High, 80% (£k)",
                    "assumption": "Assumption"}, formats={"amount_gbp_k": "gbp_k", "low_80_gbp_k": "gbp_k",
                                                         "high_80_gbp_k": "gbp_k", "unit_cost_gbp_per_week": "gbp"},
                    note="Cash, £ thousands"))
        return sheets

    def export(self) -> Markdown:
        """Write the report's one Excel workbook and say so."""
        a = self.result
        cover = exports.Cover(self.title(), a.council_name,
                              f"{a.meta.first_year} to {a.next_year}" if a.ok else "no figures",
                              sources=[a.spec.source, _POPULATION_SOURCE],
                              notes=[a.reason] if a.ok else [str(a.error)])
        name = exports.export_workbook(cover, self.workbook_sheets(), "workbook")
        return present.say("The tables of this report are in the Excel workbook {name}.", name=name)


def prepare(*, council: str, series: str, horizon: int = 2, price_uplift_pct: float = 2.0,
            nlw_rise_pct: float = 6.7, pay_share_pct: float = 60.0, need_growth_pct: float | None = None,
            demography_growth_pct: float | None = None, unit_cost_gbp_per_week: float | None = None
            ) -> DemandTrends:
    """Set up the charts, run the analysis of one council's series once and return the report.

    Parameters
    ----------
    council, series, horizon
        As in :func:`helpers.analysis.demand.forecast.analyse`.
    price_uplift_pct, nlw_rise_pct, pay_share_pct, need_growth_pct, demography_growth_pct, unit_cost_gbp_per_week
        The budget scenario (:class:`helpers.analysis.demand.budget.Scenario`).

    Raises
    ------
    ParameterError
        Unknown council or series, bad horizon or scenario.
    """
    plots.setup()
    scenario = Scenario(price_uplift_pct=price_uplift_pct, nlw_rise_pct=nlw_rise_pct, pay_share_pct=pay_share_pct,
                        need_growth_pct=need_growth_pct, demography_growth_pct=demography_growth_pct,
                        unit_cost_gbp_per_week=unit_cost_gbp_per_week)
    return DemandTrends(analyse(council, series, horizon, scenario))


__all__ = ["DemandTrends", "in_unit", "prepare", "reader_unit"]
