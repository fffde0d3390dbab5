"""The demand-trends analysis: one council's series, backtest, model choice, forecast, driver and budget.

:func:`analyse` runs everything for the notebook and returns a :class:`DemandAnalysis` whose methods give the
report's tables, charts and sentences (each says *why* when there is nothing to show, so the notebook never
crashes on a council with no data, a series too short to backtest or a broken series). :func:`benchmark`
runs the same backtest for every council and series (``scripts/bench_demand.py``).

Models come from :mod:`helpers.analysis.demand.models`, series from :mod:`helpers.analysis.demand.series`; the methods are in
``docs/methods.md`` ("Demand forecasting", "Demand series").
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from IPython.display import Markdown

from helpers.analysis.demand import models as demand
from helpers.analysis.demand import series as demand_data
from helpers.core.errors import DataError, ParameterError

#: Backtest settings (fixed before looking at the data; see docs/decisions.md): first training window of 5
#: points, forecasts 1 and 2 years ahead, naive kept unless another model's MASE is 10% lower.
MIN_TRAIN = 5
HORIZONS: tuple[int, ...] = (1, 2)
MAX_HORIZON = 5


def check_horizon(value: int, name: str = "horizon") -> int:
    """Return ``value`` if it is a whole number of years from 1 to :data:`MAX_HORIZON`, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_HORIZON:
        raise ParameterError(f"parameter {name!r}: expected a whole number of years from 1 to {MAX_HORIZON}, "
                             f"got {value!r}")
    return int(value)


def _number(value: object) -> object:
    """A number typed as text on the command line (``"2.5"``) as a float; anything else unchanged."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


def check_pct(value: float | None, name: str, *, low: float = -50.0, high: float = 100.0,
              optional: bool = False) -> float | None:
    """Return a percentage parameter in ``[low, high]`` (``None`` allowed when ``optional``), else raise."""
    if optional and (value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null"))):
        return None
    value = _number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
            or not low <= value <= high:
        extra = " or None" if optional else ""
        raise ParameterError(f"parameter {name!r}: expected a percentage from {low:g} to {high:g}{extra}, "
                             f"got {value!r}")
    return float(value)


def check_unit_cost(value: float | None, name: str = "unit_cost_gbp_per_week") -> float | None:
    """Return a positive weekly unit cost in pounds, or ``None`` (use the published figure), else raise."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        return None
    value = _number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
        raise ParameterError(f"parameter {name!r}: expected a weekly cost in £ above 0, or None, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Scenario:
    """The budget table's assumptions, each a parameter of the notebook.

    Attributes
    ----------
    price_uplift_pct
        Inflation on the non-pay part of the unit cost next year, per cent.
    nlw_rise_pct
        National Living Wage rise next year, per cent.
    pay_share_pct
        Share of the unit cost that is pay moving with the National Living Wage, per cent.
    need_growth_pct
        Growth in clients beyond demography, per cent; ``None`` uses the forecast.
    demography_growth_pct
        Growth of the driving population, per cent; ``None`` uses the population estimates / projection.
    unit_cost_gbp_per_week
        This year's weekly unit cost in £; ``None`` uses the latest published figure.
    """

    price_uplift_pct: float = 2.0
    nlw_rise_pct: float = 6.7
    pay_share_pct: float = 60.0
    need_growth_pct: float | None = None
    demography_growth_pct: float | None = None
    unit_cost_gbp_per_week: float | None = None

    def __post_init__(self) -> None:
        check_pct(self.price_uplift_pct, "price_uplift_pct")
        check_pct(self.nlw_rise_pct, "nlw_rise_pct")
        check_pct(self.pay_share_pct, "pay_share_pct", low=0.0, high=100.0)
        check_pct(self.need_growth_pct, "need_growth_pct", optional=True)
        check_pct(self.demography_growth_pct, "demography_growth_pct", optional=True)
        check_unit_cost(self.unit_cost_gbp_per_week)

    @classmethod
    def from_params(cls, params: dict) -> Scenario:
        """The scenario from checked notebook parameters (:func:`helpers.pipeline.params.check`); other keys ignored."""
        names = ("price_uplift_pct", "nlw_rise_pct", "pay_share_pct", "need_growth_pct", "demography_growth_pct",
                 "unit_cost_gbp_per_week")
        return cls(**{n: params[n] for n in names if n in params})

    def uplifts(self) -> dict[str, float]:
        """Unit-cost rises as fractions: the NLW rise on the pay share, inflation on the rest."""
        pay = self.pay_share_pct / 100
        return {
            f"National Living Wage ({self.nlw_rise_pct:g}% on the {self.pay_share_pct:g}% pay share)":
                self.nlw_rise_pct / 100 * pay,
            f"inflation ({self.price_uplift_pct:g}% on the {100 - self.pay_share_pct:g}% non-pay share)":
                self.price_uplift_pct / 100 * (1 - pay),
        }


def _models_for(meta: demand_data.SeriesMeta, horizon: int, *, final: bool = True
                ) -> tuple[list[str | demand.Model], demand_data.Driver | None, list[str]]:
    """Candidate models of a series: the base models, plus the driver and stock-flow models where possible."""
    spec = meta.spec
    models: list[str | demand.Model] = list(demand_data.BASE_MODELS)
    notes: list[str] = []
    driver = None
    if spec.driver_band and ("driver" in spec.models or "stock-flow" in spec.models):
        try:
            driver = demand_data.driver_for(meta.council, spec.driver_band,
                                            int(meta.last_year[:4]) if final else None, horizon)
        except DataError as exc:
            notes.append(f"No demographic driver model: {exc}.")
    if driver is not None and "driver" in spec.models:
        models.append(demand.driver_model(driver.function, name="driver", partial_history=True))
    if driver is not None and "stock-flow" in spec.models:
        rates = demand_data.admission_rates(meta.council)
        if len(rates) >= 2:
            models.append(demand.stock_flow_model(rates, driver.function, rate_method="drift", name="stock-flow",
                                                  partial_history=True))
        else:
            notes.append("No stock-flow model: the council has fewer than two ASCOF 2A(2) admission rates.")
    return models, driver, notes


def _fmt(v: float, unit: str) -> str:
    if not np.isfinite(v):
        return "n/a"
    if unit.startswith("£ thousands"):
        return f"£{v:,.0f}k"
    if unit.startswith("£ per week"):
        return f"£{v:,.0f} a week"
    return f"{v:,.0f}"


@dataclass
class DemandAnalysis:
    """Everything the demand-trends notebook shows for one council and series (see :func:`analyse`).

    Attributes
    ----------
    council, series, horizon, scenario
        The parameters (``council`` as a code).
    meta
        The series metadata (``None`` when the council has no usable figures: then ``error`` says why).
    values
        The modelled series.
    report
        The forecast report of :func:`helpers.analysis.demand.models.forecast_series` (chosen model, backtest, candidates).
    driver
        The driving population (``None`` where the series has none).
    unit_cost
        The published weekly unit cost used by the budget table, if any.
    error
        Why there is no analysis (a council without figures of this series), else ``None``.
    notes
        Other plain-English notes (warnings, models left out).
    """

    council: str
    series: str
    horizon: int
    scenario: Scenario
    meta: demand_data.SeriesMeta | None = None
    values: pd.Series | None = None
    report: demand.ForecastReport | None = None
    driver: demand_data.Driver | None = None
    unit_cost: demand_data.UnitCost | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------- basics
    @property
    def ok(self) -> bool:
        """True when there is a forecast to show."""
        return self.error is None and self.report is not None

    @property
    def spec(self) -> demand_data.SeriesSpec:
        """The catalogue entry of the series."""
        return demand_data.SERIES[self.series]

    @property
    def council_name(self) -> str:
        """The council's name."""
        from helpers.data import councils

        return self.meta.council_name if self.meta else councils.name_of(self.council)

    def _none(self) -> Markdown:
        return Markdown(f"*Nothing to show: {self.error}*")

    def headline(self) -> str:
        """One line naming the council, series and years modelled (the notebook's checked output)."""
        lines = [f"Council: {self.council_name} ({self.council})", f"Series: {self.series} ({self.spec.label})"]
        if not self.ok:
            lines.append(f"No forecast: {self.error}")
            return "\n".join(lines)
        m = self.meta
        lines.append(f"Years modelled: {m.first_year} to {m.last_year} ({len(m.years)} points)")
        lines.append(f"Chosen model: {self.report.choice.model}")
        return "\n".join(lines)

    # ---------------------------------------------------------------- the series
    def about(self) -> pd.DataFrame | Markdown:
        """What the series is: definition, unit, source, driver, years found and used."""
        s = self.spec
        rows = [("series", f"{s.label} ({s.key})"), ("definition", s.definition), ("unit", s.unit),
                ("source", s.source), ("driving population", s.driver_band or "none")]
        if self.meta is not None:
            h = self.meta.history
            found = h.dropna(subset=["value"])
            if len(found):
                rows.append(("years with a figure", f"{found['year'].iloc[0]} to {found['year'].iloc[-1]} "
                                                    f"({len(found)})"))
            rows.append(("years modelled", f"{self.meta.first_year} to {self.meta.last_year} ({len(self.meta.years)})"))
        return pd.DataFrame(rows, columns=["item", "value"])

    def breaks_text(self) -> Markdown:
        """The breaks, cuts and joins of the series, as a list (or a sentence saying there are none)."""
        if self.meta is None:
            return self._none()
        if not self.meta.breaks:
            return Markdown("*No break, gap or boundary change in this council's series.*")
        return Markdown("\n".join(f"- {b}" for b in self.meta.breaks))

    def history_table(self) -> pd.DataFrame | Markdown:
        """Every year found, with its status, collection, basis and whether it was modelled."""
        if self.meta is None:
            return self._none()
        h = self.meta.history
        return h[["year", "gss_code", "value", "status", "collection", "basis", "used"]].reset_index(drop=True)

    # ---------------------------------------------------------------- backtest and choice
    def backtest_table(self) -> pd.DataFrame | Markdown:
        """Each candidate's backtest error: MASE 1 and 2 years ahead, pooled MASE, relative MAE, MAPE, coverage."""
        if not self.ok:
            return self._none()
        r = self.report
        if r.backtest is None or r.choice.table.empty:
            return Markdown(f"*No backtest: {r.choice.reason}*")
        met = r.backtest.metrics
        wide = met.pivot(index="model", columns="horizon", values="mase")
        n = met.pivot(index="model", columns="horizon", values="n")
        t = r.choice.table.set_index("model")
        rows = []
        for m in r.backtest.models:
            if m not in t.index:
                continue
            row = {"model": m, "method (latest fit)": r.candidates[m].method if m in r.candidates else "",
                   "chosen": m == r.choice.model}
            for hz in HORIZONS:
                row[f"MASE {hz}y ahead"] = wide.loc[m, hz] if hz in wide.columns else np.nan
                row[f"n {hz}y"] = int(n.loc[m, hz]) if hz in n.columns and np.isfinite(n.loc[m, hz]) else 0
            row.update({"MASE (all)": t.loc[m, "mase"], "MAE / naive MAE": t.loc[m, "rel_mae"],
                        "MAPE %": t.loc[m, "mape"], "80% interval coverage": t.loc[m, "coverage_80"],
                        "95% interval coverage": t.loc[m, "coverage_95"],
                        "beats naive (share of forecasts)": t.loc[m, "win_rate"]})
            rows.append(row)
        return pd.DataFrame(rows).round(3)

    def choice_text(self) -> Markdown:
        """The chosen model and the rule's reason, with any notes (too short, fallbacks, models left out)."""
        if not self.ok:
            return self._none()
        r = self.report
        desc = {m: demand.MODELS[m].description for m in demand.MODELS}
        desc.update({"driver": "rate per head of the driving population carried forward x population",
                     "stock-flow": "admissions (ASCOF 2A rate with its trend x 65+ population) x length of stay"})
        lines = [f"**Chosen: {r.choice.model}** ({desc.get(r.choice.model, '')}; fitted as {r.forecast.method}).",
                 "", r.choice.reason]
        if r.backtest is not None and r.backtest.notes:
            lines += ["", *[f"- {n}" for n in r.backtest.notes]]
        extra = [n for n in dict.fromkeys(self.notes) if n != r.choice.reason]
        if extra:
            lines += ["", *[f"- {n}" for n in extra]]
        return Markdown("\n".join(lines))

    # ---------------------------------------------------------------- forecast
    def backtest_note(self) -> str:
        """The chosen model's backtest error in one line (printed under the forecast chart)."""
        if not self.ok:
            return ""
        fc = self.report.forecast
        if fc.backtest is None or fc.backtest.empty:
            return "No backtest error: the series is too short to backtest, so this is the naive forecast only."
        parts = []
        for _, b in fc.backtest.iterrows():
            cov = "" if not np.isfinite(b["coverage_80"]) else (
                f", 80% interval held {b['coverage_80']:.0%} / 95% held {b['coverage_95']:.0%}")
            parts.append(f"{int(b['horizon'])}y ahead: MASE {b['mase']:.2f}, MAPE {b['mape']:.1f}% "
                         f"(n={int(b['n'])}{cov})")
        beyond = ""
        if self.horizon > max(HORIZONS):
            beyond = (f" Forecasts more than {max(HORIZONS)} years ahead have no backtest error (the series is too "
                      "short to score them): read them as less certain than their intervals say.")
        return f"Backtest of {fc.model}: " + "; ".join(parts) + "." + beyond

    def forecast_table(self) -> pd.DataFrame | Markdown:
        """The chosen forecast with its 80% / 95% intervals and the backtest error of each step beside it."""
        if not self.ok:
            return self._none()
        t = self.report.forecast.to_frame()
        return t.drop(columns=["model"]).round(3)

    def forecast_chart(self):
        """The history, the chosen forecast and its intervals, with the backtest error under it."""
        from helpers.reports import plots
        from helpers.reports.plots import demand as demand_charts

        title = f"{self.council_name}: {self.spec.label}"
        if not self.ok:
            return plots.empty_chart(self.error or "no forecast", title=title, source=self.spec.source)
        r = self.report
        t = r.forecast.table
        title += f", forecast to {t.index[-1]}"
        return demand_charts.forecast_chart(self.meta.history, t, title=title, ylabel=self.spec.unit,
                                    source=self.spec.source, note=self.backtest_note(),
                                    break_years=self.meta.break_marks)

    def forecast_view(self) -> object:
        """:meth:`forecast_chart` as an image for the report, or why there is no forecast."""
        from helpers.reports import plots

        if not self.ok:
            return self._none()
        return plots.image(self.forecast_chart())

    # ---------------------------------------------------------------- demography
    def population_table(self) -> pd.DataFrame | Markdown:
        """The driving band by mid-year (estimates, then projection) with its yearly growth."""
        if self.driver is None:
            why = (self.error or "this series has no driving population" if self.spec.driver_band is None
                   else "no population for this council")
            return Markdown(f"*No demographic driver: {why}.*")
        p = self.driver.population.copy()
        p["growth_pct"] = (p["population"].pct_change() * 100).round(2)
        p["population"] = p["population"].round(0)
        p["kind"] = p["kind"].map({"estimate": "ONS mid-year estimate",
                                   "projection": "cohort ageing of ONS mid-year estimates, not an ONS projection"})
        return p.rename(columns={"population": f"population {self.driver.band}"})

    def population_chart(self):
        """The driving band: estimates and the cohort-ageing projection (labelled as not an ONS projection)."""
        from helpers.reports import plots
        from helpers.reports.plots import demand as demand_charts

        title = f"{self.council_name}: population aged {self.spec.driver_band or '-'}"
        src = "ONS mid-year population estimates (MYE2), on April 2023 council boundaries"
        if self.driver is None:
            return plots.empty_chart("No demographic driver for this series or council", title=title, source=src)
        return demand_charts.population_chart(
            self.driver.population, title=title, ylabel=f"people aged {self.driver.band}", source=src,
            note="Projection: cohort ageing of ONS mid-year estimates (Hamilton-Perry cohort change ratios, "
                 "3-year average), not an ONS projection.")

    def population_view(self) -> object:
        """:meth:`population_chart` as an image for the report, or why there is no driving population."""
        from helpers.reports import plots

        if self.driver is None:
            return self.population_table()
        return plots.image(self.population_chart())

    def population_section(self) -> None:
        """Display the driving population: the chart and its table, or one sentence when there is none."""
        from IPython.display import display

        display(self.population_view())
        if self.driver is not None:
            display(self.population_display())

    # ---------------------------------------------------------------- budget
    def demography_growth(self) -> tuple[float, str] | None:
        """Next year's growth of the driving band (fraction) and where it comes from, or ``None``."""
        if self.scenario.demography_growth_pct is not None:
            return self.scenario.demography_growth_pct / 100, "growth of the driving population (scenario)"
        if self.driver is None or not self.ok:
            return None
        nxt = int(str(self.report.forecast.table.index[0])[:4])
        kind = self.driver.population.set_index("mid_year")["kind"].get(nxt, "projection")
        basis = "ONS estimate" if kind == "estimate" else "cohort-ageing projection (not ONS)"
        return self.driver.growth(nxt), f"growth of the {self.driver.band} population, mid-{nxt - 1} to mid-{nxt} ({basis})"

    def budget(self) -> pd.DataFrame | Markdown:
        """The budget-ready table: clients x weekly unit cost x 52, pressure split into demography, need, price.

        Only for series of people supported at a time (``kind == "stock"``) with a weekly unit cost (the
        parameter, or the latest published figure); otherwise a sentence says why.
        """
        if not self.ok:
            return self._none()
        s = self.spec
        if s.kind != "stock":
            what = {"flow": "admissions are events in a year, not people supported at a time, so clients x weekly "
                            "cost does not apply",
                    "money": "the series is already money: its forecast is the budget line (at the prices of the "
                             "trend)",
                    "unit_cost": "the series is itself a unit cost"}[s.kind]
            return Markdown(f"*No budget table for this series: {what}. Choose a placements or clients series.*")
        cost = self.scenario.unit_cost_gbp_per_week
        cost_basis = "weekly unit cost given as a parameter"
        if cost is None:
            if self.unit_cost is None:
                return Markdown("*No budget table: no weekly unit cost is published for this council and series in "
                                "the data here. Set `unit_cost_gbp_per_week` to your own figure.*")
            cost = self.unit_cost.gbp_per_week
            cost_basis = f"{self.unit_cost.source}"
        g = self.demography_growth()
        if g is None:
            return Markdown("*No budget table: no demographic growth for this council (no population); set "
                            "`demography_growth_pct`.*")
        growth, basis = g
        fc = self.report.forecast
        if self.scenario.need_growth_pct is not None:
            c0 = fc.last_value
            c1 = c0 * (1 + growth) * (1 + self.scenario.need_growth_pct / 100)
            table = demand.budget_table(c1, cost, demand_data.WEEKS_PER_YEAR, demography_growth=growth,
                                        price_uplifts=self.scenario.uplifts(), base_clients=c0,
                                        demography_basis=basis)
            table.loc[table["component"] == "need (other volume growth)", "assumption"] = (
                f"need growth {self.scenario.need_growth_pct:+g}% a year (scenario), beyond demography")
        else:
            table = demand.budget_table(fc, cost, demand_data.WEEKS_PER_YEAR, demography_growth=growth,
                                        price_uplifts=self.scenario.uplifts(), demography_basis=basis)
        table.loc[table["component"] == "base year cost", "assumption"] = (
            f"{self.meta.last_year} clients x £{cost:,.2f} a week x 52 ({cost_basis})")
        return table.round({"clients": 1, "unit_cost_gbp_per_week": 2, "amount_gbp_k": 1, "low_80_gbp_k": 1,
                            "high_80_gbp_k": 1})

    def unit_cost_text(self) -> Markdown:
        """Where the unit cost comes from, and its year (it may be older than the series' last year)."""
        if self.scenario.unit_cost_gbp_per_week is not None:
            return Markdown(f"Unit cost: £{self.scenario.unit_cost_gbp_per_week:,.2f} a week, given as a parameter.")
        if self.unit_cost is None:
            return Markdown("*No published weekly unit cost for this council and series.*")
        u = self.unit_cost
        older = ""
        if self.meta is not None and u.year < self.meta.last_year:
            older = (f" It is the {u.year} figure, older than the series' last year ({self.meta.last_year}): costs "
                     "have risen since, so the £ amounts are at that year's price level; set "
                     "`unit_cost_gbp_per_week` to this year's cost. The split of the pressure between demography, "
                     "need and price does not depend on it.")
        return Markdown(f"Unit cost: £{u.gbp_per_week:,.2f} a week ({u.source}).{older}")

    # ---------------------------------------------------------------- what the reader sees
    def value_format(self) -> object:
        """The display format of the series' values (for :func:`helpers.reports.present.present`), from its unit."""
        u = self.spec.unit
        if u.startswith("£ thousands"):
            return "gbp_k"
        if u.startswith("£ per week"):
            return "gbp"
        if u.startswith("placements"):
            return lambda x: f"{x:,.1f}"
        return "int"

    def problem(self) -> str | None:
        """Why the report has little to show, for the run index: no figures, or a series too short to backtest."""
        if not self.ok:
            return str(self.error)
        if self.report.backtest is None:
            return (f"{self.spec.label} for {self.council_name} has {len(self.values)} usable year(s): too short to "
                    f"backtest (at least {MIN_TRAIN + 1} needed), so the forecast is the naive one with no backtest "
                    "error.")
        return None

    def intro(self) -> Markdown:
        """The paragraph under the headline: the note for the run index when there is little to show, and where
        the data end (a forecast of years the national files already cover is a check, not a plan)."""
        from helpers.data.councils import LATEST_YEAR
        from helpers.reports.benchmarking import noted

        text = ""
        first = str(self.report.forecast.table.index[0]) if self.ok else ""
        if self.ok and first < LATEST_YEAR:
            text = (f"The figures of this series end in {self.meta.last_year}, so its forecast starts in {first}, "
                    f"before the latest year the national files cover ({LATEST_YEAR}): read the forecast of years "
                    "that have passed as what the trend said, to check against the council's own figures for them, "
                    "not as a plan.")
        return noted(text, self.problem())

    def about_display(self) -> object:
        """:meth:`about` for the reader (every text in full)."""
        from helpers.reports import present as report

        return report.present(self.about(), columns={"item": "About the series", "value": "Detail"},
                              empty="Nothing known about this series.")

    def history_display(self) -> object:
        """:meth:`history_table` for the reader: value, status, collection, basis and whether it was modelled."""
        from helpers.reports import present as report

        if self.meta is None:
            return self._none()
        h = self.meta.history.copy()
        h["area"] = h["gss_code"].where(h["gss_code"] != self.council)
        return report.present(
            h, columns={"year": "Year", "area": "Figures of (ONS code)", "value": f"Value: {self.spec.unit}",
                        "status": "Status", "collection": "Return", "basis": "How it is counted",
                        "used": "Modelled"},
            formats={"value": self.value_format()}, drop_empty=("area",), empty="No year has a figure.",
            note=f"Source: {self.spec.source}. 'Modelled: no' marks years the models do not see (an earlier "
                 "collection, another area before a boundary change, or the years before a gap)")

    def backtest_display(self) -> object:
        """:meth:`backtest_table` for the reader: errors to 2 decimals, interval coverage and wins in per cent."""
        from helpers.reports import present as report

        t = self.backtest_table()
        if not isinstance(t, pd.DataFrame):
            return t
        t = t.copy()
        for c in ("80% interval coverage", "95% interval coverage", "beats naive (share of forecasts)"):
            t[c] = t[c] * 100
        two = "{:.2f}".format
        n = int(t[[c for c in t.columns if c.startswith("n ")]].max().max())
        return report.present(
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

    def forecast_display(self) -> object:
        """:meth:`forecast_table` for the reader: each year's forecast, its intervals and its backtest error."""
        from helpers.reports import present as report

        t = self.forecast_table()
        if not isinstance(t, pd.DataFrame):
            return t
        t = t.copy()
        fmt = self.value_format()
        show = report.FORMATS[fmt] if isinstance(fmt, str) else fmt
        for lev in (80, 95):
            lo, hi = t[f"lower_{lev}"], t[f"upper_{lev}"]
            t[f"i{lev}"] = [f"{show(a)} to {show(b)}" if np.isfinite(a) and np.isfinite(b) else None
                            for a, b in zip(lo, hi, strict=True)]
        for c in ("backtest_coverage_80", "backtest_coverage_95"):
            t[c] = t[c] * 100
        return report.present(
            t, columns={"period": "Year", "step": "Years ahead", "mean": "Forecast", "i80": "80% interval",
                        "i95": "95% interval", "backtest_n": "Backtest: forecasts scored", "backtest_mase":
                        "Backtest MASE", "backtest_mape": "Backtest MAPE (%)", "backtest_coverage_80":
                        "Backtest: 80% interval held (%)", "backtest_coverage_95": "Backtest: 95% interval held (%)"},
            formats={"mean": fmt, "step": "int", "backtest_n": "int", "backtest_mase": "{:.2f}".format,
                     "backtest_mape": lambda x: f"{x:.1f}", "backtest_coverage_80": lambda x: f"{x:.0f}",
                     "backtest_coverage_95": lambda x: f"{x:.0f}"},
            empty="No forecast.",
            note=f"{self.spec.label}, {self.spec.unit}; model: {self.report.forecast.model} "
                 f"({self.report.forecast.method}). A dash: no backtest at that horizon or no interval")

    def population_display(self) -> object:
        """:meth:`population_table` for the reader."""
        from helpers.reports import present as report

        p = self.population_table()
        if not isinstance(p, pd.DataFrame):
            return p
        col = f"population {self.driver.band}"
        p = p.assign(mid=p["mid_year"].map(lambda y: f"mid-{y}"))
        return report.present(
            p, columns={"mid": "Mid-year", col: f"People aged {self.driver.band}", "growth_pct": "Growth (%)",
                        "kind": "Basis"},
            formats={col: "int", "growth_pct": "pct_signed"}, empty="No population.",
            note="ONS mid-year population estimates (MYE2) on April 2023 council boundaries; later years projected by "
                 "cohort ageing of those estimates, not an ONS projection")

    def budget_display(self) -> object:
        """:meth:`budget` for the reader: £ thousands, weekly cost in £, the assumption of each row."""
        from helpers.reports import present as report

        b = self.budget()
        if not isinstance(b, pd.DataFrame):
            return b
        return report.present(
            b, columns={"component": "Component", "clients": "Clients", "unit_cost_gbp_per_week": "£ a week",
                        "amount_gbp_k": "Amount (£k)", "low_80_gbp_k": "Low, 80% (£k)",
                        "high_80_gbp_k": "High, 80% (£k)", "assumption": "Assumption"},
            formats={"clients": lambda x: f"{x:,.1f}", "unit_cost_gbp_per_week": "gbp", "amount_gbp_k": "gbp_k",
                     "low_80_gbp_k": "gbp_k", "high_80_gbp_k": "gbp_k"},
            emphasis=b["component"].isin(["total pressure", "next year cost"]), empty="No budget table.",
            note="Cash; every assumption is a parameter of this report. Low and high: the forecast's 80% interval of "
                 "clients (a dash where it does not apply)")

    def export(self) -> Markdown:
        """Save the summary next to the report (CSV and Excel) and say so."""
        from helpers.reports import present as report

        files = report.export_table(self.summary(), "summary")
        return Markdown("These findings are also saved as " + " and ".join(f"`{f}`" for f in files) + ".")

    # ---------------------------------------------------------------- summary
    def summary(self) -> pd.DataFrame:
        """Plain-English findings, one per row (``topic``, ``statement``), for the report and its export."""
        rows: list[tuple[str, str]] = [("council", f"{self.council_name} ({self.council})"),
                                       ("series", f"{self.spec.label}, {self.spec.unit}")]
        if not self.ok:
            rows.append(("no forecast", str(self.error)))
            return pd.DataFrame(rows, columns=["topic", "statement"])
        m, r, u = self.meta, self.report, self.spec.unit
        v = self.values
        rows.append(("latest", f"{_fmt(v.iloc[-1], u)} in {m.last_year}."))
        if len(v) >= 2:
            yrs = len(v) - 1
            cagr = (v.iloc[-1] / v.iloc[0]) ** (1 / yrs) - 1
            rows.append(("trend", f"From {_fmt(v.iloc[0], u)} in {m.first_year}: {cagr:+.1%} a year on average over "
                                  f"{yrs} year(s)."))
        f = r.forecast.table.iloc[0]
        rng = ("" if not np.isfinite(f["lower_80"]) else
               f" (80% interval {_fmt(f['lower_80'], u)} to {_fmt(f['upper_80'], u)}; 95% interval "
               f"{_fmt(f['lower_95'], u)} to {_fmt(f['upper_95'], u)})")
        rows.append(("next year", f"{r.forecast.table.index[0]}: {_fmt(f['mean'], u)} expected{rng}, by the "
                                  f"{r.choice.model} model."))
        weak = ("" if r.choice.model == "naive" else
                " Weak evidence: across all councils, choices other than naive made this way did not beat the naive "
                "forecast on held-out years (docs/performance.md, 'Demand forecast accuracy').")
        rows.append(("model choice", r.choice.reason + weak))
        rows.append(("accuracy", self.backtest_note()))
        if m.breaks:
            rows.append(("breaks", " ".join(m.breaks)))
        g = self.demography_growth()
        if g is not None:
            rows.append(("demography", f"{g[0]:+.2%}: {g[1]}."))
        b = self.budget()
        if isinstance(b, pd.DataFrame):
            comp = b.set_index("component")["amount_gbp_k"]
            price = comp[[c for c in comp.index if c.startswith("price")]].sum()
            basis = ("clients from the forecast" if self.scenario.need_growth_pct is None else
                     f"clients from the scenario: demography plus need growth {self.scenario.need_growth_pct:+g}%, "
                     "not the forecast")
            rows.append(("budget", f"Cost pressure next year £{comp['total pressure']:,.0f}k: demography "
                                   f"£{comp['demography']:,.0f}k, need £{comp['need (other volume growth)']:,.0f}k, "
                                   f"price £{price:,.0f}k ({basis}; unit cost and assumptions in the budget "
                                   "table)."))
        return pd.DataFrame(rows, columns=["topic", "statement"])

    def summary_text(self) -> Markdown:
        """The summary as a bulleted list."""
        return Markdown("\n".join(f"- **{t}**: {s}" for t, s in self.summary().itertuples(index=False)))


def catalogue_display() -> object:
    """The series catalogue for the reader (:func:`helpers.analysis.demand.series.catalogue`)."""
    from helpers.reports import present as report

    return report.present(
        demand_data.catalogue(), columns={"key": "Series (parameter value)", "label": "What it counts",
                                          "unit": "Unit", "driver_band": "Driving population", "scope": "Councils",
                                          "models": "Candidate models", "source": "Source"},
        empty="The catalogue is empty.")


def analyse(council: str, series: str, horizon: int = 2, scenario: Scenario | None = None) -> DemandAnalysis:
    """Assemble, backtest, choose, forecast and cost one council's demand series.

    Parameters
    ----------
    council
        Council code or name.
    series
        A key of :data:`helpers.analysis.demand.series.SERIES`.
    horizon
        Years to forecast (1 to :data:`MAX_HORIZON`).
    scenario
        Budget assumptions (default :class:`Scenario`).

    Returns
    -------
    DemandAnalysis
        With ``error`` set (and no forecast) when the council has no usable figures of the series; a series
        too short to backtest gets the naive forecast and a note (never a crash).

    Raises
    ------
    ParameterError
        Unknown council or series, bad horizon or scenario.
    MissingDataError
        A processed table is not built.
    """
    from helpers.data import councils

    series = demand_data.check_series_key(series)
    horizon = check_horizon(horizon)
    code = councils.validate_code(council)
    out = DemandAnalysis(code, series, horizon, scenario or Scenario())
    try:
        values, meta = demand_data.series_for(code, series)
    except DataError as exc:
        out.error = str(exc)
        return out
    out.council, out.meta, out.values = meta.council, meta, values
    models, driver, notes = _models_for(meta, horizon)
    out.driver, out.notes = driver, notes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", demand.ForecastWarning)
        out.report = demand.forecast_series(values, models, horizon, horizons=HORIZONS, min_train=MIN_TRAIN,
                                            break_year=meta.break_year, break_mode="exclude",
                                            name=meta.spec.label)
    out.notes += [str(w.message) for w in caught if issubclass(w.category, demand.ForecastWarning)]
    out.unit_cost = demand_data.unit_cost_for(meta.council, series)
    return out


# ------------------------------------------------------------------------------------------------------
# Benchmark: every council, every series
# ------------------------------------------------------------------------------------------------------


def _scale(y: np.ndarray) -> float:
    return float(np.mean(np.abs(np.diff(y)))) if len(y) > 1 else np.nan


def collection_run(meta: demand_data.SeriesMeta, collection: str) -> pd.Series:
    """The last unbroken run of positive values of one collection in a series' history (for the history check).

    For example the PSS-EX1 years 2000-01 to 2013-14 of ``op_residential_placements``, which the notebook does
    not model (they are on another basis than ASC-FR) but which show how the models do on a long series.
    """
    h = meta.history[(meta.history["collection"] == collection)].set_index("year")["value"]
    if h.empty:
        return pd.Series(dtype=float, name=meta.spec.key)
    years = [demand_data._fy(y) for y in range(int(h.index[0][:4]), int(h.index[-1][:4]) + 1)]
    h = h.reindex(years)
    ok = h.notna() & (h > 0)
    bad = np.flatnonzero(~ok.to_numpy())
    run = h.iloc[bad[-1] + 1:] if bad.size else h
    return run.astype(float).rename(meta.spec.key)


def benchmark_one(council: str, series: str, *, holdout_years: int = 1, collection: str | None = None
                  ) -> tuple[dict, list[dict]]:
    """Backtest and model choice for one council and series, and a hold-out check of the choice.

    The hold-out check repeats the whole procedure (backtest, choice) on the years before a held-out year,
    forecasts that year one step ahead with the chosen model and with naive, and scores both (absolute error
    / the training window's mean absolute year-to-year change): an honest test of the *choice*, since the
    backtest MASE of the chosen model is optimistic (the choice was made on it). Each of the last
    ``holdout_years`` years is held out in turn (never the COVID year).

    Parameters
    ----------
    council, series
        As in :func:`helpers.analysis.demand.series.series_for`.
    holdout_years
        How many of the last years to hold out, one at a time (0: no hold-out check).
    collection
        Use the last unbroken run of this collection instead of the modelled series (e.g. ``"PSS-EX1"`` for the
        long 2000-01 to 2013-14 residential care series); only the base models (no population before 2015).

    Returns
    -------
    (dict, list of dict)
        The council row: ``series`` (with ``[collection]`` when given), ``gss_code``, ``n``, ``status``
        (``backtested``, ``too_short``, ``no_data``), ``chosen``, ``n_scored``, ``mase_<model>`` (pooled
        backtest MASE of each candidate), ``cov80_chosen``, ``cov95_chosen``; and one hold-out row per held-out
        year: ``target``, ``chosen``, ``ase_chosen``, ``ase_naive``.
    """
    label = series if collection is None else f"{series} [{collection}]"
    row: dict = {"series": label, "gss_code": council}
    try:
        values, meta = demand_data.series_for(council, series)
    except DataError as exc:
        return {**row, "status": "no_data", "n": 0, "message": str(exc)}, []
    break_year = meta.break_year
    if collection is not None:
        values = collection_run(meta, collection)
        break_year = demand_data.COVID_YEAR if len(values) and values.index[0] < demand_data.COVID_YEAR <= \
            values.index[-1] else None
        models: list = list(demand_data.BASE_MODELS)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models, _, _ = _models_for(meta, max(HORIZONS), final=False)
    row["n"] = len(values)
    if len(values) < MIN_TRAIN + 1:
        return {**row, "status": "too_short" if len(values) else "no_data"}, []

    def choose(v: pd.Series) -> demand.ModelChoice:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bt = demand.backtest(v, models, HORIZONS, MIN_TRAIN, break_year=break_year, break_mode="exclude")
            return demand.choose_model(bt)

    choice = choose(values)
    t = choice.table.set_index("model")
    row.update({"status": "backtested", "chosen": choice.model, "n_scored": int(t["n"].max()) if len(t) else 0,
                **{f"mase_{m}": float(t.loc[m, "mase"]) for m in t.index},
                "cov80_chosen": float(t.loc[choice.model, "coverage_80"]) if choice.model in t.index else np.nan,
                "cov95_chosen": float(t.loc[choice.model, "coverage_95"]) if choice.model in t.index else np.nan})
    held: list[dict] = []
    resolved = {m.name: m for m in demand._resolve_models(models)}
    for k in range(min(holdout_years, len(values) - MIN_TRAIN - 1), 0, -1):
        i = len(values) - k
        train, target = values.iloc[:i], values.index[i]
        if target == break_year:
            continue
        ch = choose(train)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f_ch = resolved[ch.model].forecast(train, 1).table["mean"].iloc[0]
            f_nv = demand.NAIVE.forecast(train, 1).table["mean"].iloc[0]
        sc = _scale(train.to_numpy())
        actual = float(values.iloc[i])
        held.append({"series": label, "gss_code": council, "target": target, "chosen": ch.model,
                     "ase_chosen": abs(actual - f_ch) / sc if sc else np.nan,
                     "ase_naive": abs(actual - f_nv) / sc if sc else np.nan,
                     "ape_chosen": 100 * abs(actual - f_ch) / actual, "ape_naive": 100 * abs(actual - f_nv) / actual})
    return row, held


def benchmark_councils(series: str) -> list[str]:
    """Every council with figures of ``series``, by current code (same-area recodes joined), sorted."""
    codes = demand_data.councils_with(series)
    return sorted({demand_data.same_area_codes(c)[0] for c in codes})


@dataclass
class BenchmarkResult:
    """The benchmark's per-council rows (:func:`benchmark_one`), hold-out rows, and timings (seconds per series)."""

    councils: pd.DataFrame
    holdout: pd.DataFrame
    seconds: dict[str, float]

    def summary(self) -> pd.DataFrame:
        """:func:`benchmark_summary` of the results."""
        return benchmark_summary(self.councils, self.holdout)


def benchmark(series: Sequence[str] | None = None, councils: Sequence[str] | None = None, *,
              holdout_years: int = 1, history: Sequence[tuple[str, str]] = (), history_holdout_years: int = 3,
              progress: Callable[[str], None] | None = None) -> BenchmarkResult:
    """Run :func:`benchmark_one` for every council and series.

    Parameters
    ----------
    series
        Series keys (default: the whole catalogue).
    councils
        Council codes (default: every council with figures of each series, :func:`benchmark_councils`).
    holdout_years
        Hold-out years per council for the modelled series.
    history
        ``(series, collection)`` pairs to check on an earlier collection too, e.g.
        ``[("op_residential_placements", "PSS-EX1")]``, with ``history_holdout_years`` hold-out years.
    progress
        Called with one line per series.
    """
    keys = list(series) if series else list(demand_data.SERIES)
    plan = [(k, None, holdout_years) for k in keys] + [(k, c, history_holdout_years) for k, c in history]
    rows, held, seconds = [], [], {}
    for key, coll, hy in plan:
        demand_data.check_series_key(key)
        t0 = time.perf_counter()
        codes = list(councils) if councils else benchmark_councils(key)
        for c in codes:
            r, h = benchmark_one(c, key, holdout_years=hy, collection=coll)
            rows.append(r)
            held += h
        label = key if coll is None else f"{key} [{coll}]"
        seconds[label] = time.perf_counter() - t0
        if progress:
            progress(f"{label}: {len(codes)} councils in {seconds[label]:.1f} s")
    hold_cols = ["series", "gss_code", "target", "chosen", "ase_chosen", "ase_naive", "ape_chosen", "ape_naive"]
    return BenchmarkResult(pd.DataFrame(rows), pd.DataFrame(held, columns=hold_cols), seconds)


def benchmark_summary(results: pd.DataFrame, holdout: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per series: councils, backtested, median MASE of the chosen model and of each candidate, share of
    councils whose chosen model is not naive, interval coverage, and the hold-out check.

    Columns ``median_mase_<model>`` are medians over the councils where that candidate was scored;
    ``share_chosen_not_naive`` is the share of backtested councils whose chosen model is not naive (by the
    rule it then beats naive's backtest MASE by at least 10%: an in-sample, optimistic figure);
    ``holdout_share_beats_naive`` / ``holdout_share_worse_than_naive`` the share of held-out forecasts where the
    chosen model's error is smaller / larger than naive's (the rest are ties: naive chosen).
    """
    out = []
    for key, g in results.groupby("series", sort=False):
        bt = g[g["status"] == "backtested"]
        row = {"series": key, "councils": len(g), "backtested": len(bt),
               "too_short": int((g["status"] == "too_short").sum()), "no_data": int((g["status"] == "no_data").sum())}
        if len(bt):
            chosen_mase = bt.apply(lambda r: r.get(f"mase_{r['chosen']}", np.nan), axis=1)
            row["median_mase_chosen"] = float(np.nanmedian(chosen_mase))
            for col in [c for c in bt.columns if c.startswith("mase_")]:
                v = bt[col].dropna()
                if len(v):
                    row[f"median_{col}"] = float(v.median())
            row["share_chosen_not_naive"] = float((bt["chosen"] != "naive").mean())
            for m in bt["chosen"].unique():
                row[f"chosen_{m}"] = int((bt["chosen"] == m).sum())
            row["coverage80_chosen"] = float(bt["cov80_chosen"].mean())
            row["coverage95_chosen"] = float(bt["cov95_chosen"].mean())
        ho = holdout[holdout["series"] == key].dropna(subset=["ase_chosen", "ase_naive"]) \
            if holdout is not None and len(holdout) else pd.DataFrame()
        if len(ho):
            row["holdout_n"] = len(ho)
            row["holdout_not_naive"] = int((ho["chosen"] != "naive").sum())
            row["holdout_median_ase_chosen"] = float(ho["ase_chosen"].median())
            row["holdout_median_ase_naive"] = float(ho["ase_naive"].median())
            row["holdout_mean_ase_chosen"] = float(ho["ase_chosen"].mean())
            row["holdout_mean_ase_naive"] = float(ho["ase_naive"].mean())
            row["holdout_share_beats_naive"] = float((ho["ase_chosen"] < ho["ase_naive"]).mean())
            row["holdout_share_worse_than_naive"] = float((ho["ase_chosen"] > ho["ase_naive"]).mean())
        out.append(row)
    return pd.DataFrame(out)


__all__ = ["HORIZONS", "MAX_HORIZON", "MIN_TRAIN", "BenchmarkResult", "DemandAnalysis", "Scenario", "analyse",
           "benchmark", "benchmark_councils", "benchmark_one", "benchmark_summary", "catalogue_display",
           "check_horizon", "check_pct", "check_unit_cost", "collection_run"]
