"""One council's demand forecast: its series, the pooled procedure's forecast, the evidence and budget inputs.

:func:`analyse` runs everything the demand-trends report shows and returns a :class:`DemandForecast`. The
forecast is the procedure of :mod:`helpers.analysis.demand.rolling` at the council's last year: the candidate
chosen from every council's past errors (or the council's own, on strong evidence), with intervals from those
errors. It never raises for a council with no figures of the series, a series too short or a candidate that
cannot be made: the result then says why (``error``, ``notes``). The report module is
:mod:`helpers.reports.demand_trends`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# the look-ups through their modules, so that a test can replace them (series_for, driver_for, unit_cost_for)
from helpers.analysis.demand import budget, drivers
from helpers.analysis.demand import series as demand_series
from helpers.analysis.demand.benchmark import scores
from helpers.analysis.demand.budget import Scenario, UnitCost
from helpers.analysis.demand.candidates import DESCRIPTIONS, forecasts_at
from helpers.analysis.demand.catalogue import SERIES, SeriesSpec, check_series_key
from helpers.analysis.demand.checks import check_horizon
from helpers.analysis.demand.drivers import Driver
from helpers.analysis.demand.models import BOUND_COLUMNS, Forecast
from helpers.analysis.demand.rolling import (
    LEVELS,
    MIN_CHOICE_YEARS,
    Evaluation,
    evaluate,
    fallback_quantiles,
    interval_scale,
)
from helpers.analysis.demand.series import SeriesMeta
from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data import councils


@dataclass
class DemandForecast:
    """One council's demand series, its forecast and the budget inputs (see :func:`analyse`).

    Attributes
    ----------
    council, series, horizon, scenario
        The parameters (``council`` as a code).
    meta, values
        The series (``None`` when the council has no usable figures: then ``error`` says why).
    evaluation
        The series' rolling-origin evaluation across councils (shared by every council's report).
    row, origin
        The council's row and last year's column in ``evaluation.panel``.
    forecast
        The procedure's forecast (``table``: ``step``, ``mean``, ``lower_80`` ... by year; ``model`` the
        candidate used, ``method`` its description).
    reason
        Why that candidate, in plain words.
    checked
        Per step: True where the interval comes from past errors across councils (False: a random-walk
        interval not checked against outcomes).
    driver, unit_cost
        The driving population and the published weekly unit cost, where there are.
    error
        Why there is no forecast, else ``None``.
    notes
        Other plain-English notes (candidates left out, a driver that could not be made).
    """

    council: str
    series: str
    horizon: int
    scenario: Scenario
    meta: SeriesMeta | None = None
    values: pd.Series | None = None
    evaluation: Evaluation | None = None
    row: int | None = None
    origin: int | None = None
    forecast: Forecast | None = None
    reason: str = ""
    checked: np.ndarray | None = None
    driver: Driver | None = None
    unit_cost: UnitCost | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is a forecast."""
        return self.error is None and self.forecast is not None

    @property
    def spec(self) -> SeriesSpec:
        """The catalogue entry of the series."""
        return SERIES[self.series]

    @property
    def council_name(self) -> str:
        """The council's name."""
        return self.meta.council_name if self.meta else councils.name_of(self.council)

    @property
    def next_year(self) -> str | None:
        """The first forecast year, or ``None`` when there is no forecast."""
        return str(self.forecast.table.index[0]) if self.ok else None

    @property
    def model(self) -> str | None:
        """The candidate the forecast uses."""
        return self.forecast.model if self.ok else None

    def evidence(self) -> pd.DataFrame:
        """Every method's out-of-sample one-year errors across councils (:func:`~helpers.analysis.demand.benchmark.scores`),
        the procedure first, with ``chosen`` (the candidate used here) and this council's own ``own_n`` and
        ``own_median_ape``; empty when no forecast of the series could be checked."""
        if not self.ok:
            return pd.DataFrame()
        ev, row = self.evaluation, self.row
        out = scores(ev, 1)
        if out.empty:
            return out
        own = []
        for m in out["method"]:
            ape = ev.pct_errors(m)[row, :, 0]
            ok = np.isfinite(ape) & np.isfinite(ev.scaled_errors("naive")[row, :, 0])
            own.append((int(ok.sum()), float(np.median(ape[ok])) if ok.any() else np.nan))
        out["own_n"] = [n for n, _ in own]
        out["own_median_ape"] = [v for _, v in own]
        out["chosen"] = out["method"] == self.model
        return out

    def past(self) -> pd.DataFrame:
        """This council's past one-year forecasts made by the procedure at the time (nested), with naive's:
        ``origin``, ``target``, ``outcome``, ``forecast``, ``lower_80``, ``upper_80``, ``method``, ``naive``,
        ``ape``, ``ape_naive``, ``inside_80``; only those the outcome is known and scored for."""
        cols = ["origin", "target", "outcome", "forecast", "lower_80", "upper_80", "method", "naive", "ape",
                "ape_naive", "inside_80"]
        if not self.ok:
            return pd.DataFrame(columns=cols)
        ev, i = self.evaluation, self.row
        p = ev.panel
        a = ev.actual[i, :, 0]
        lo, hi = ev.bounds[80]
        rows = []
        for o in np.flatnonzero(np.isfinite(a) & np.isfinite(ev.scale[i])):
            out_v, f, nv = np.exp(a[o]), np.exp(ev.procedure[i, o, 0]), np.exp(ev.forecasts["naive"][i, o, 0])
            rows.append({"origin": p.label(o), "target": p.label(o + 1), "outcome": out_v, "forecast": f,
                         "lower_80": np.exp(lo[i, o, 0]), "upper_80": np.exp(hi[i, o, 0]),
                         "method": str(ev.chosen[i, o]), "naive": nv, "ape": 100 * abs(out_v - f) / out_v,
                         "ape_naive": 100 * abs(out_v - nv) / out_v,
                         "inside_80": bool(lo[i, o, 0] <= a[o] <= hi[i, o, 0])})
        return pd.DataFrame(rows, columns=cols)

    def demography_growth(self) -> tuple[float, str] | None:
        """Next year's growth of the driving band (fraction) and where it comes from, or ``None``."""
        return budget.demography_growth(self.scenario, self.driver, self.next_year)

    def budget_gap(self) -> str | None:
        """Why there is no budget table (:func:`~helpers.analysis.demand.budget.why_no_budget`), or ``None``."""
        return budget.why_no_budget(self.spec, self.scenario, self.unit_cost, self.driver, self.next_year)

    def budget(self) -> pd.DataFrame:
        """The budget-ready table (:func:`~helpers.analysis.demand.budget.council_budget`), where there is one."""
        return budget.council_budget(self.forecast, self.scenario, self.unit_cost, self.driver, self.meta.last_year)


def _reason(ev: Evaluation, o: int, row: int, model: str) -> str:
    """Why the council's forecast uses ``model``, in plain words (follows "Method: <description>; ")."""
    pooled = ev.choice[o]
    n = ev.evidence[o].get("naive", 0)
    years = len(ev.target_years(before=o))
    if model != pooled:
        return (f"this council's own past one-year forecasts favour it: it beat the method chosen for all councils "
                f"('{DESCRIPTIONS[pooled]}') in a sign test over its own forecasts.")
    if pooled == "naive":
        if n == 0:
            return ("no one-year forecast of this series could be checked against its outcome yet (too few years), "
                    "so the forecast is 'same as last year'.")
        return (f"across councils, no other method's one-year forecasts were clearly better over {n:,} past "
                f"forecasts in {years} years (a change of method needs at least {MIN_CHOICE_YEARS} years and "
                "to be better in enough of them to pass a sign test and a t test at 5%, shared among the "
                "methods tried).")
    gain = 1 - ev.ratios[o][pooled]
    return (f"chosen because, across councils, it gave the smallest typical one-year miss over {n:,} past "
            f"forecasts in {years} years: {gain:.0%} smaller than 'same as last year', and better in enough of "
            "those years to pass a sign test and a t test at 5%, shared among the methods tried.")


def final_forecast(ev: Evaluation, row: int, o: int, horizon: int) -> tuple[Forecast, np.ndarray, str]:
    """The procedure's forecast for one council from column ``o``, with every published population estimate.

    Returns the forecast, whether each step's interval comes from past errors, and the reason for the choice.
    """
    panel = ev.panel
    model = str(ev.chosen[row, o])
    pop = panel.population
    latest = pop.latest if pop is not None else None
    of = forecasts_at(panel, o, horizon, known_until=latest, candidates=ev.candidates)
    mean_log = of.logs[model][row]
    if not np.isfinite(mean_log).all():  # the candidate cannot be made with the newer estimates: naive
        model, mean_log = "naive", of.logs["naive"][row]
    half, checked = ev.half_widths(model, o)
    ls_all, df_all = interval_scale(ev.log_scale[:, o], ev.n_scale[:, o])
    ls = float(ls_all[row])
    fb = fallback_quantiles(len(half[LEVELS[0]]), df_all[row])
    bounds = {}
    for lv in LEVELS:
        hw = np.where(np.isfinite(half[lv]), half[lv], fb[lv][0])[:horizon] * ls
        bounds[lv] = (np.exp(mean_log - hw), np.exp(mean_log + hw))
    years = [periods.fy(int(panel.years[o]) + h) for h in range(1, horizon + 1)]
    last = float(panel.values[row, o])
    mean = np.full(horizon, last) if model == "naive" else np.exp(mean_log)  # naive: exactly the last value
    table = pd.DataFrame({"step": np.arange(1, horizon + 1), "mean": mean,
                          "lower_80": bounds[80][0], "upper_80": bounds[80][1],
                          "lower_95": bounds[95][0], "upper_95": bounds[95][1]},
                         index=pd.Index(years, name="period"))
    table = table[["step", "mean", *BOUND_COLUMNS]]
    fc = Forecast(model, DESCRIPTIONS[model], table, panel.label(o), last)
    return fc, checked[:horizon], _reason(ev, o, row, model)


def analyse(council: str, series: str, horizon: int = 2, scenario: Scenario | None = None) -> DemandForecast:
    """Assemble, forecast and cost one council's demand series.

    Parameters
    ----------
    council
        Council code or name.
    series
        A key of :data:`helpers.analysis.demand.catalogue.SERIES`.
    horizon
        Years to forecast (1 to :data:`helpers.analysis.demand.checks.MAX_HORIZON`).
    scenario
        Budget assumptions (default :class:`~helpers.analysis.demand.budget.Scenario`).

    Returns
    -------
    DemandForecast
        With ``error`` set (and no forecast) when the council has no usable figures of the series.

    Raises
    ------
    ParameterError
        Unknown council or series, bad horizon or scenario.
    MissingDataError
        A processed table is not built.
    """
    key = check_series_key(series)
    horizon = check_horizon(horizon)
    code = councils.validate_code(council)
    out = DemandForecast(code, key, horizon, scenario or Scenario())
    try:
        values, meta = demand_series.series_for(code, key)
    except DataError as exc:
        out.error = str(exc)
        return out
    out.council, out.meta, out.values = meta.council, meta, values
    ev = evaluate(key)
    out.evaluation = ev
    if meta.council not in ev.panel.codes:
        out.error = f"{meta.council_name} is not in the series' table of councils"
        return out
    out.row = ev.panel.row(meta.council)
    out.origin = int(periods.fy_start(meta.last_year) - ev.panel.years[0])
    out.forecast, out.checked, out.reason = final_forecast(ev, out.row, out.origin, horizon)
    if not out.checked.all():
        out.notes.append("Some intervals could not be checked against past outcomes (too few past years across "
                         "councils): they are a random-walk range from this council's own yearly changes.")
    missing = [c for c in ("driver",) if meta.spec.driver_band and c not in ev.candidates]
    if missing:
        out.notes.append("The population-driven forecasts could not be made for this series (no population "
                         "estimates for its years), so they are not among the methods compared.")
    if meta.spec.driver_band:
        try:
            out.driver = drivers.driver_for(meta.council, meta.spec.driver_band,
                                            periods.fy_start(meta.last_year), horizon)
        except DataError as exc:
            out.notes.append(f"No population for this council: {exc}.")
    out.unit_cost = budget.unit_cost_for(meta.council, key)
    return out


__all__ = ["DemandForecast", "analyse", "final_forecast"]
