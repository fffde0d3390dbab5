"""The demand-trends report (notebook ``05_demand_trends``): one council's demand series, as the reader sees it.

:func:`prepare` runs the analysis once (:func:`helpers.analysis.demand.forecast.analyse`: series, backtest,
model choice, forecast, driver, budget) and returns a :class:`DemandTrends` with one method per section of
the notebook: prose (Markdown), tables through :func:`helpers.reports.present.present`, charts
(:mod:`helpers.reports.plots.demand`) and the export of the findings. Each says *why* when there is nothing to
show, so the notebook never crashes on a council with no data, a series too short to backtest or a broken
series. The methods are in ``docs/methods.md`` ("Demand forecasting", "Demand series").
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from helpers.analysis.demand import catalogue, evaluation
from helpers.analysis.demand.budget import Scenario
from helpers.analysis.demand.evaluation import HORIZONS, MIN_TRAIN
from helpers.analysis.demand.forecast import DemandForecast, analyse
from helpers.analysis.demand.models import MODELS
from helpers.data.councils import LATEST_YEAR
from helpers.reports import plots, present
from helpers.reports.plots import demand as demand_charts

#: What each candidate model does, for the paragraph on the chosen model.
MODEL_DESCRIPTIONS: dict[str, str] = {
    **{m: MODELS[m].description for m in MODELS},
    "driver": "rate per head of the driving population carried forward x population",
    "stock-flow": "admissions (ASCOF 2A rate with its trend x 65+ population) x length of stay",
}
_POPULATION_SOURCE = "ONS mid-year population estimates (MYE2), on April 2023 council boundaries"


def in_unit(v: float, unit: str) -> str:
    """A value of the series in its unit, whole: ``£1,234k``, ``£700 a week``, ``1,234`` (``n/a`` if missing)."""
    if not np.isfinite(v):
        return "n/a"
    if unit.startswith("£ thousands"):
        return f"£{v:,.0f}k"
    if unit.startswith("£ per week"):
        return f"£{v:,.0f} a week"
    return f"{v:,.0f}"


@dataclass
class DemandTrends:
    """The demand-trends report of one council and series (from :func:`prepare`).

    Attributes
    ----------
    result
        The analysis (:class:`helpers.analysis.demand.forecast.DemandForecast`).
    """

    result: DemandForecast

    # ---------------------------------------------------------------- basics
    def _none(self) -> Markdown:
        return Markdown(f"*Nothing to show: {self.result.error}*")

    def headline(self) -> str:
        """The council, series, years modelled and chosen model, one per line (the notebook's checked output)."""
        a = self.result
        lines = [f"Council: {a.council_name} ({a.council})", f"Series: {a.series} ({a.spec.label})"]
        if not a.ok:
            lines.append(f"No forecast: {a.error}")
            return "\n".join(lines)
        m = a.meta
        lines.append(f"Years modelled: {m.first_year} to {m.last_year} ({len(m.years)} points)")
        lines.append(f"Chosen model: {a.report.choice.model}")
        return "\n".join(lines)

    def problem(self) -> str | None:
        """Why the report has little to show, for the run index: no figures, or a series too short to backtest."""
        a = self.result
        if not a.ok:
            return str(a.error)
        if a.too_short:
            return (f"{a.spec.label} for {a.council_name} has {len(a.values)} usable year(s): too short to "
                    f"backtest (at least {MIN_TRAIN + 1} needed), so the forecast is the naive one with no backtest "
                    "error.")
        return None

    def value_format(self) -> object:
        """The display format of the series' values (for :func:`helpers.reports.present.present`), from its unit."""
        u = self.result.spec.unit
        if u.startswith("£ thousands"):
            return "gbp_k"
        if u.startswith("£ per week"):
            return "gbp"
        if u.startswith("placements"):
            return lambda x: f"{x:,.1f}"
        return "int"

    # ---------------------------------------------------------------- the series
    def intro(self) -> Markdown:
        """The paragraph under the headline: the note for the run index when there is little to show, and where
        the data end (a forecast of years the national files already cover is a check, not a plan)."""
        a = self.result
        text = ""
        first = str(a.next_year) if a.ok else ""
        if a.ok and first < LATEST_YEAR:
            text = (f"The figures of this series end in {a.meta.last_year}, so its forecast starts in {first}, "
                    f"before the latest year the national files cover ({LATEST_YEAR}): read the forecast of years "
                    "that have passed as what the trend said, to check against the council's own figures for them, "
                    "not as a plan.")
        problem = self.problem()
        if problem:
            present.note(problem)
            return present.say(f"{text} **{problem}**".strip())
        return present.say(text)

    def about_table(self) -> pd.DataFrame:
        """What the series is: definition, unit, source, driver, years found and used (``item``, ``value``)."""
        a = self.result
        s = a.spec
        rows = [("series", f"{s.label} ({s.key})"), ("definition", s.definition), ("unit", s.unit),
                ("source", s.source), ("driving population", s.driver_band or "none")]
        if a.meta is not None:
            found = a.meta.history.dropna(subset=["value"])
            if len(found):
                rows.append(("years with a figure", f"{found['year'].iloc[0]} to {found['year'].iloc[-1]} "
                                                    f"({len(found)})"))
            rows.append(("years modelled", f"{a.meta.first_year} to {a.meta.last_year} ({len(a.meta.years)})"))
        return pd.DataFrame(rows, columns=["item", "value"])

    def about(self) -> present.Parts:
        """The introduction, then what the series is (every text in full)."""
        return present.Parts(self.intro(), present.present(
            self.about_table(), columns={"item": "About the series", "value": "Detail"},
            empty="Nothing known about this series."))

    def breaks(self) -> Markdown:
        """The breaks, cuts and joins of the series, as a list (or a sentence saying there are none)."""
        meta = self.result.meta
        if meta is None:
            return self._none()
        if not meta.breaks:
            return Markdown("*No break, gap or boundary change in this council's series.*")
        return Markdown("\n".join(f"- {b}" for b in meta.breaks))

    def history(self) -> object:
        """Every year found: value, status, collection, basis and whether it was modelled."""
        a = self.result
        if a.meta is None:
            return self._none()
        h = a.meta.history.copy()
        h["area"] = h["gss_code"].where(h["gss_code"] != a.council)
        return present.present(
            h, columns={"year": "Year", "area": "Figures of (ONS code)", "value": f"Value: {a.spec.unit}",
                        "status": "Status", "collection": "Return", "basis": "How it is counted",
                        "used": "Modelled"},
            formats={"value": self.value_format()}, drop_empty=("area",), empty="No year has a figure.",
            note=f"Source: {a.spec.source}. 'Modelled: no' marks years the models do not see (an earlier "
                 "collection, another area before a boundary change, or the years before a gap)")

    # ---------------------------------------------------------------- backtest and choice
    def backtest_table(self) -> pd.DataFrame | Markdown:
        """Each candidate's backtest error (:func:`helpers.analysis.demand.evaluation.backtest_table`)."""
        a = self.result
        if not a.ok:
            return self._none()
        r = a.report
        if r.backtest is None or r.choice.table.empty:
            return Markdown(f"*No backtest: {r.choice.reason}*")
        return evaluation.backtest_table(r, HORIZONS)

    def backtest(self) -> object:
        """:meth:`backtest_table` for the reader: errors to 2 decimals, interval coverage and wins in per cent."""
        t = self.backtest_table()
        if not isinstance(t, pd.DataFrame):
            return t
        t = t.copy()
        for c in ("80% interval coverage", "95% interval coverage", "beats naive (share of forecasts)"):
            t[c] = t[c] * 100
        two = "{:.2f}".format
        n = int(t[[c for c in t.columns if c.startswith("n ")]].max().max())
        return present.present(
            t, columns={"model": "Model", "method (latest fit)": "Method (latest fit)", "chosen": "Chosen",
                        "MASE 1y ahead": "MASE, 1 year ahead", "n 1y": "Scored, 1 year ahead",
                        "MASE 2y ahead": "MASE, 2 years ahead", "n 2y": "Scored, 2 years ahead",
                        "MASE (all)": "MASE, all", "MAE / naive MAE": "MAE / naive MAE", "MAPE %": "MAPE (%)",
                        "80% interval coverage": "80% interval held (%)", "95% interval coverage":
                        "95% interval held (%)", "beats naive (share of forecasts)": "Beat naive (% of forecasts)"},
            formats={"MASE 1y ahead": two, "MASE 2y ahead": two, "MASE (all)": two, "MAE / naive MAE": two,
                     "MAPE %": lambda x: f"{x:.1f}", "80% interval coverage": lambda x: f"{x:.0f}",
                     "95% interval coverage": lambda x: f"{x:.0f}",
                     "beats naive (share of forecasts)": lambda x: f"{x:.0f}"},
            empty="No backtest.",
            note=f"At most {n} scored forecast(s) per model and horizon: weak evidence, and coverage from so few "
                 "forecasts is rough")

    def choice(self) -> Markdown:
        """The chosen model and the rule's reason, with any notes (too short, fallbacks, models left out)."""
        a = self.result
        if not a.ok:
            return self._none()
        r = a.report
        lines = [f"**Chosen: {r.choice.model}** ({MODEL_DESCRIPTIONS.get(r.choice.model, '')}; fitted as "
                 f"{r.forecast.method}).", "", r.choice.reason]
        if r.backtest is not None and r.backtest.notes:
            lines += ["", *[f"- {n}" for n in r.backtest.notes]]
        extra = [n for n in dict.fromkeys(a.notes) if n != r.choice.reason]
        if extra:
            lines += ["", *[f"- {n}" for n in extra]]
        return Markdown("\n".join(lines))

    # ---------------------------------------------------------------- forecast
    def backtest_note(self) -> str:
        """The chosen model's backtest error in one line (printed under the forecast chart)."""
        a = self.result
        if not a.ok:
            return ""
        fc = a.report.forecast
        if fc.backtest is None or fc.backtest.empty:
            return "No backtest error: the series is too short to backtest, so this is the naive forecast only."
        parts = []
        for _, b in fc.backtest.iterrows():
            cov = "" if not np.isfinite(b["coverage_80"]) else (
                f", 80% interval held {b['coverage_80']:.0%} / 95% held {b['coverage_95']:.0%}")
            parts.append(f"{int(b['horizon'])}y ahead: MASE {b['mase']:.2f}, MAPE {b['mape']:.1f}% "
                         f"(n={int(b['n'])}{cov})")
        beyond = ""
        if a.horizon > max(HORIZONS):
            beyond = (f" Forecasts more than {max(HORIZONS)} years ahead have no backtest error (the series is too "
                      "short to score them): read them as less certain than their intervals say.")
        return f"Backtest of {fc.model}: " + "; ".join(parts) + "." + beyond

    def forecast_table(self) -> pd.DataFrame | Markdown:
        """The chosen forecast with its 80% / 95% intervals and the backtest error of each step beside it."""
        if not self.result.ok:
            return self._none()
        return self.result.report.forecast.to_frame().drop(columns=["model"]).round(3)

    def forecast_figure(self) -> plt.Figure:
        """The history, the chosen forecast and its intervals, with the backtest error under it."""
        a = self.result
        title = f"{a.council_name}: {a.spec.label}"
        if not a.ok:
            return plots.empty_chart(a.error or "no forecast", title=title, source=a.spec.source)
        t = a.report.forecast.table
        title += f", forecast to {t.index[-1]}"
        return demand_charts.forecast_chart(a.meta.history, t, title=title, ylabel=a.spec.unit,
                                            source=a.spec.source, note=self.backtest_note(),
                                            break_years=a.meta.break_marks)

    def forecast_chart(self) -> object:
        """:meth:`forecast_figure` as an image for the report, or why there is no forecast."""
        if not self.result.ok:
            return self._none()
        return plots.image(self.forecast_figure())

    def forecast(self) -> object:
        """:meth:`forecast_table` for the reader: each year's forecast, its intervals and its backtest error."""
        t = self.forecast_table()
        if not isinstance(t, pd.DataFrame):
            return t
        a = self.result
        t = t.copy()
        fmt = self.value_format()
        show = present.FORMATS[fmt] if isinstance(fmt, str) else fmt
        for lev in (80, 95):
            lo, hi = t[f"lower_{lev}"], t[f"upper_{lev}"]
            t[f"i{lev}"] = [f"{show(x)} to {show(y)}" if np.isfinite(x) and np.isfinite(y) else None
                            for x, y in zip(lo, hi, strict=True)]
        for c in ("backtest_coverage_80", "backtest_coverage_95"):
            t[c] = t[c] * 100
        return present.present(
            t, columns={"period": "Year", "step": "Years ahead", "mean": "Forecast", "i80": "80% interval",
                        "i95": "95% interval", "backtest_n": "Backtest: forecasts scored", "backtest_mase":
                        "Backtest MASE", "backtest_mape": "Backtest MAPE (%)", "backtest_coverage_80":
                        "Backtest: 80% interval held (%)", "backtest_coverage_95": "Backtest: 95% interval held (%)"},
            formats={"mean": fmt, "step": "int", "backtest_n": "int", "backtest_mase": "{:.2f}".format,
                     "backtest_mape": lambda x: f"{x:.1f}", "backtest_coverage_80": lambda x: f"{x:.0f}",
                     "backtest_coverage_95": lambda x: f"{x:.0f}"},
            empty="No forecast.",
            note=f"{a.spec.label}, {a.spec.unit}; model: {a.report.forecast.model} "
                 f"({a.report.forecast.method}). A dash: no backtest at that horizon or no interval")

    # ---------------------------------------------------------------- demography
    def population_table(self) -> pd.DataFrame | Markdown:
        """The driving band by mid-year (estimates, then projection) with its yearly growth."""
        a = self.result
        if a.driver is None:
            why = (a.error or "this series has no driving population" if a.spec.driver_band is None
                   else "no population for this council")
            return Markdown(f"*No demographic driver: {why}.*")
        p = a.driver.population.copy()
        p["growth_pct"] = (p["population"].pct_change() * 100).round(2)
        p["population"] = p["population"].round(0)
        p["kind"] = p["kind"].map({"estimate": "ONS mid-year estimate",
                                   "projection": "cohort ageing of ONS mid-year estimates, not an ONS projection"})
        return p.rename(columns={"population": f"population {a.driver.band}"})

    def population_figure(self) -> plt.Figure:
        """The driving band: estimates and the cohort-ageing projection (labelled as not an ONS projection)."""
        a = self.result
        title = f"{a.council_name}: population aged {a.spec.driver_band or '-'}"
        if a.driver is None:
            return plots.empty_chart("No demographic driver for this series or council", title=title,
                                     source=_POPULATION_SOURCE)
        return demand_charts.population_chart(
            a.driver.population, title=title, ylabel=f"people aged {a.driver.band}", source=_POPULATION_SOURCE,
            note="Projection: cohort ageing of ONS mid-year estimates (Hamilton-Perry cohort change ratios, "
                 "3-year average), not an ONS projection.")

    def population_chart(self) -> object:
        """:meth:`population_figure` as an image for the report, or why there is no driving population."""
        if self.result.driver is None:
            return self.population_table()
        return plots.image(self.population_figure())

    def population(self) -> present.Parts:
        """The driving population: the chart and its table, or one sentence when there is none."""
        table = None
        if self.result.driver is not None:
            p = self.population_table()
            band = self.result.driver.band
            col = f"population {band}"
            table = present.present(
                p.assign(mid=p["mid_year"].map(lambda y: f"mid-{y}")),
                columns={"mid": "Mid-year", col: f"People aged {band}", "growth_pct": "Growth (%)", "kind": "Basis"},
                formats={col: "int", "growth_pct": "pct_signed"}, empty="No population.",
                note="ONS mid-year population estimates (MYE2) on April 2023 council boundaries; later years "
                     "projected by cohort ageing of those estimates, not an ONS projection")
        return present.Parts(self.population_chart(), table)

    # ---------------------------------------------------------------- budget
    def unit_cost(self) -> Markdown:
        """Where the unit cost comes from, and its year (it may be older than the series' last year)."""
        a = self.result
        if a.scenario.unit_cost_gbp_per_week is not None:
            return Markdown(f"Unit cost: £{a.scenario.unit_cost_gbp_per_week:,.2f} a week, given as a parameter.")
        if a.unit_cost is None:
            return Markdown("*No published weekly unit cost for this council and series.*")
        u = a.unit_cost
        older = ""
        if a.meta is not None and u.year < a.meta.last_year:
            older = (f" It is the {u.year} figure, older than the series' last year ({a.meta.last_year}): costs "
                     "have risen since, so the £ amounts are at that year's price level; set "
                     "`unit_cost_gbp_per_week` to this year's cost. The split of the pressure between demography, "
                     "need and price does not depend on it.")
        return Markdown(f"Unit cost: £{u.gbp_per_week:,.2f} a week ({u.source}).{older}")

    def budget_table(self) -> pd.DataFrame | Markdown:
        """The budget-ready table (:meth:`helpers.analysis.demand.forecast.DemandForecast.budget`), or why not."""
        a = self.result
        if not a.ok:
            return self._none()
        gap = a.budget_gap()
        return Markdown(f"*{gap}*") if gap else a.budget()

    def budget(self) -> object:
        """:meth:`budget_table` for the reader: £ thousands, weekly cost in £, the assumption of each row."""
        b = self.budget_table()
        if not isinstance(b, pd.DataFrame):
            return b
        return present.present(
            b, columns={"component": "Component", "clients": "Clients", "unit_cost_gbp_per_week": "£ a week",
                        "amount_gbp_k": "Amount (£k)", "low_80_gbp_k": "Low, 80% (£k)",
                        "high_80_gbp_k": "High, 80% (£k)", "assumption": "Assumption"},
            formats={"clients": lambda x: f"{x:,.1f}", "unit_cost_gbp_per_week": "gbp", "amount_gbp_k": "gbp_k",
                     "low_80_gbp_k": "gbp_k", "high_80_gbp_k": "gbp_k"},
            emphasis=b["component"].isin(["total pressure", "next year cost"]), empty="No budget table.",
            note="Cash; every assumption is a parameter of this report. Low and high: the forecast's 80% interval of "
                 "clients (a dash where it does not apply)")

    # ---------------------------------------------------------------- summary
    def findings(self) -> pd.DataFrame:
        """Plain-English findings, one per row (``topic``, ``statement``), for the summary and its export."""
        a = self.result
        rows: list[tuple[str, str]] = [("council", f"{a.council_name} ({a.council})"),
                                       ("series", f"{a.spec.label}, {a.spec.unit}")]
        if not a.ok:
            rows.append(("no forecast", str(a.error)))
            return pd.DataFrame(rows, columns=["topic", "statement"])
        m, r, u, v = a.meta, a.report, a.spec.unit, a.values
        rows.append(("latest", f"{in_unit(v.iloc[-1], u)} in {m.last_year}."))
        if len(v) >= 2:
            yrs = len(v) - 1
            cagr = (v.iloc[-1] / v.iloc[0]) ** (1 / yrs) - 1
            rows.append(("trend", f"From {in_unit(v.iloc[0], u)} in {m.first_year}: {cagr:+.1%} a year on average "
                                  f"over {yrs} year(s)."))
        f = r.forecast.table.iloc[0]
        rng = ("" if not np.isfinite(f["lower_80"]) else
               f" (80% interval {in_unit(f['lower_80'], u)} to {in_unit(f['upper_80'], u)}; 95% interval "
               f"{in_unit(f['lower_95'], u)} to {in_unit(f['upper_95'], u)})")
        rows.append(("next year", f"{r.forecast.table.index[0]}: {in_unit(f['mean'], u)} expected{rng}, by the "
                                  f"{r.choice.model} model."))
        weak = ("" if r.choice.model == "naive" else
                " Weak evidence: across all councils, choices other than naive made this way did not beat the naive "
                "forecast on held-out years (docs/performance.md, 'Demand forecast accuracy').")
        rows.append(("model choice", r.choice.reason + weak))
        rows.append(("accuracy", self.backtest_note()))
        if m.breaks:
            rows.append(("breaks", " ".join(m.breaks)))
        g = a.demography_growth()
        if g is not None:
            rows.append(("demography", f"{g[0]:+.2%}: {g[1]}."))
        b = self.budget_table()
        if isinstance(b, pd.DataFrame):
            comp = b.set_index("component")["amount_gbp_k"]
            price = comp[[c for c in comp.index if c.startswith("price")]].sum()
            basis = ("clients from the forecast" if a.scenario.need_growth_pct is None else
                     f"clients from the scenario: demography plus need growth {a.scenario.need_growth_pct:+g}%, "
                     "not the forecast")
            rows.append(("budget", f"Cost pressure next year £{comp['total pressure']:,.0f}k: demography "
                                   f"£{comp['demography']:,.0f}k, need £{comp['need (other volume growth)']:,.0f}k, "
                                   f"price £{price:,.0f}k ({basis}; unit cost and assumptions in the budget "
                                   "table)."))
        return pd.DataFrame(rows, columns=["topic", "statement"])

    def summary(self) -> Markdown:
        """The findings as a bulleted list."""
        return Markdown("\n".join(f"- **{t}**: {s}" for t, s in self.findings().itertuples(index=False)))

    def export(self) -> Markdown:
        """Save the findings next to the report (CSV and Excel) and say so."""
        files = present.export_table(self.findings(), "summary")
        return Markdown("These findings are also saved as " + " and ".join(f"`{f}`" for f in files) + ".")

    def catalogue(self) -> object:
        """The series catalogue (:func:`helpers.analysis.demand.catalogue.catalogue`) for the reader."""
        return present.present(
            catalogue.catalogue(), columns={"key": "Series (parameter value)", "label": "What it counts",
                                            "unit": "Unit", "driver_band": "Driving population",
                                            "scope": "Councils", "models": "Candidate models", "source": "Source"},
            empty="The catalogue is empty.")


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


__all__ = [
    "MODEL_DESCRIPTIONS", "DemandTrends", "in_unit", "prepare",
]
