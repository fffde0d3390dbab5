"""One council's demand forecast: its series, candidate models, backtest, choice, forecast and budget inputs.

:func:`analyse` runs everything the demand-trends report shows and returns a :class:`DemandForecast` (it never
raises for a council with no figures of the series, a series too short to backtest or a broken series: the
result then says why). The report module :mod:`helpers.reports.demand_trends` turns it into what the reader
sees; :mod:`helpers.analysis.demand.benchmark` runs the same backtest for every council.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

# the look-ups through their modules, so that a test can replace them (series_for, driver_for, unit_cost_for)
from helpers.analysis.demand import budget, drivers
from helpers.analysis.demand import series as demand_series
from helpers.analysis.demand.budget import Scenario, UnitCost
from helpers.analysis.demand.catalogue import BASE_MODELS, SERIES, SeriesSpec, check_series_key
from helpers.analysis.demand.checks import check_horizon
from helpers.analysis.demand.drivers import Driver
from helpers.analysis.demand.evaluation import HORIZONS, MIN_TRAIN, ForecastReport, forecast_series
from helpers.analysis.demand.models import ForecastWarning, Model
from helpers.analysis.demand.series import SeriesMeta
from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data import councils


def candidate_models(meta: SeriesMeta, horizon: int, *, final: bool = True
                     ) -> tuple[list[str | Model], Driver | None, list[str]]:
    """Candidate models of a series: the base models, plus the driver and stock-flow models where possible.

    Parameters
    ----------
    meta
        The series (:func:`helpers.analysis.demand.series.series_for`).
    horizon
        Years to forecast.
    final
        True: the driver uses every published estimate from the series' last year (the forecast); False:
        always ex-ante (the benchmark).

    Returns
    -------
    (list, Driver or None, list of str)
        The models, the driving population, and notes on models left out.
    """
    spec = meta.spec
    models: list[str | Model] = list(BASE_MODELS)
    notes: list[str] = []
    driver = None
    if spec.driver_band and ("driver" in spec.models or "stock-flow" in spec.models):
        try:
            driver = drivers.driver_for(meta.council, spec.driver_band,
                                        periods.fy_start(meta.last_year) if final else None, horizon)
        except DataError as exc:
            notes.append(f"No demographic driver model: {exc}.")
    if driver is not None and "driver" in spec.models:
        models.append(drivers.driver_model(driver.function, name="driver", partial_history=True))
    if driver is not None and "stock-flow" in spec.models:
        rates = drivers.admission_rates(meta.council)
        if len(rates) >= 2:
            models.append(drivers.stock_flow_model(rates, driver.function, rate_method="drift", name="stock-flow",
                                                   partial_history=True))
        else:
            notes.append("No stock-flow model: the council has fewer than two ASCOF 2A(2) admission rates.")
    return models, driver, notes


@dataclass
class DemandForecast:
    """One council's demand series, its forecast and the budget inputs (see :func:`analyse`).

    Attributes
    ----------
    council, series, horizon, scenario
        The parameters (``council`` as a code).
    meta
        The series metadata (``None`` when the council has no usable figures: then ``error`` says why).
    values
        The modelled series.
    report
        The forecast report of :func:`helpers.analysis.demand.evaluation.forecast_series` (chosen model,
        backtest, candidates).
    driver
        The driving population (``None`` where the series has none).
    unit_cost
        The published weekly unit cost used by the budget table, if any.
    error
        Why there is no forecast (a council without figures of this series), else ``None``.
    notes
        Other plain-English notes (warnings, models left out).
    """

    council: str
    series: str
    horizon: int
    scenario: Scenario
    meta: SeriesMeta | None = None
    values: pd.Series | None = None
    report: ForecastReport | None = None
    driver: Driver | None = None
    unit_cost: UnitCost | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is a forecast."""
        return self.error is None and self.report is not None

    @property
    def spec(self) -> SeriesSpec:
        """The catalogue entry of the series."""
        return SERIES[self.series]

    @property
    def council_name(self) -> str:
        """The council's name."""
        return self.meta.council_name if self.meta else councils.name_of(self.council)

    @property
    def too_short(self) -> bool:
        """True when there is a forecast but the series was too short to backtest (naive only)."""
        return self.ok and self.report.backtest is None

    @property
    def next_year(self) -> str | None:
        """The first forecast year, or ``None`` when there is no forecast."""
        return self.report.forecast.table.index[0] if self.ok else None

    def demography_growth(self) -> tuple[float, str] | None:
        """Next year's growth of the driving band (fraction) and where it comes from, or ``None``."""
        return budget.demography_growth(self.scenario, self.driver, self.next_year)

    def budget_gap(self) -> str | None:
        """Why there is no budget table (:func:`~helpers.analysis.demand.budget.why_no_budget`), or ``None``
        when there is one. For a forecast (``ok``)."""
        return budget.why_no_budget(self.spec, self.scenario, self.unit_cost, self.driver, self.next_year)

    def budget(self) -> pd.DataFrame:
        """The budget-ready table (:func:`~helpers.analysis.demand.budget.council_budget`): for a forecast
        (``ok``) with no :meth:`budget_gap`."""
        return budget.council_budget(self.report.forecast, self.scenario, self.unit_cost, self.driver,
                                     self.meta.last_year)


def analyse(council: str, series: str, horizon: int = 2, scenario: Scenario | None = None) -> DemandForecast:
    """Assemble, backtest, choose, forecast and cost one council's demand series.

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
        With ``error`` set (and no forecast) when the council has no usable figures of the series; a series
        too short to backtest gets the naive forecast and a note (never a crash).

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
    models, driver, notes = candidate_models(meta, horizon)
    out.driver, out.notes = driver, notes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ForecastWarning)
        out.report = forecast_series(values, models, horizon, horizons=HORIZONS, min_train=MIN_TRAIN,
                                     break_year=meta.break_year, break_mode="exclude", name=meta.spec.label)
    out.notes += [str(w.message) for w in caught if issubclass(w.category, ForecastWarning)]
    out.unit_cost = budget.unit_cost_for(meta.council, key)
    return out


__all__ = ["DemandForecast", "analyse", "candidate_models"]
