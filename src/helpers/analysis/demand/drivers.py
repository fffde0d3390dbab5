"""The demographic driver and stock-flow models, and the population that drives a council's series.

* :func:`driver_model` -- rate per head of a driving population, rate carried forward (naive or drift) and
  multiplied by the projected population (:mod:`helpers.analysis.demand.demography`);
* :func:`stock_flow_model` -- older people's placements = admissions (ASCOF 2A rate x 65+ population) x length
  of stay;
* :func:`driver_for` -- a council's driving band (ONS estimates, then cohort ageing) as a :class:`Driver`
  whose function keeps the backtest ex-ante; :func:`admission_rates` -- its ASCOF 2A(2) rates.

The methods are in ``docs/methods.md`` ("Demand forecasting", "Demand series").
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis.demand import demography
from helpers.analysis.demand.checks import as_year_series
from helpers.analysis.demand.models import (
    ZERO_WIDTH,
    Model,
    Raw,
    drift_core,
    fallback,
    lognormal_bounds,
    naive_core,
)
from helpers.analysis.demand.series import same_area_codes
from helpers.core import periods
from helpers.core.errors import DataError, ParameterError
from helpers.data import tables

#: A driver given as a function: ``driver(origin_year, horizon)`` returns the population by (mid-)year for the
#: training years and the ``horizon`` years after ``origin_year``, using only data up to ``origin_year``.
DriverFn = Callable[[int, int], pd.Series]


# --------------------------------------------------------------------------------------------------------
# Demographic driver and stock-flow models
# --------------------------------------------------------------------------------------------------------


def _lookup(s: pd.Series, years: np.ndarray, what: str, *, allow_missing: bool = False) -> np.ndarray:
    vals = s.reindex(years).to_numpy(dtype=float)
    bad = ~np.isfinite(vals)
    if bad.any() and not allow_missing:
        raise DataError(f"{what} has no value for {', '.join(map(str, years[bad]))} (needed by the model)")
    nonpos = ~bad & (np.where(bad, 1.0, vals) <= 0)
    if nonpos.any():
        raise DataError(f"{what} is zero or negative in {', '.join(map(str, years[nonpos]))}")
    return vals


def _driver_values(driver: pd.Series | DriverFn, years: np.ndarray, h: int, what: str, *,
                   partial: bool = False) -> np.ndarray:
    """Driver values for the training years followed by the ``h`` years after the last one.

    With ``partial`` a training year may have no value (NaN is returned for it); the forecast years may not.
    """
    need = np.concatenate([years, years[-1] + np.arange(1, h + 1)])
    s = as_year_series(driver(int(years[-1]), h), what) if callable(driver) else driver
    vals = _lookup(s, need, what, allow_missing=partial)
    if partial:
        _lookup(s, need[len(years):], what)  # the forecast years must be covered
    return vals


def _tail_start(ok: np.ndarray) -> int:
    """Index where the trailing run of ``True`` in ``ok`` starts (``len(ok)`` when the last one is False)."""
    bad = np.flatnonzero(~np.asarray(ok, dtype=bool))
    return int(bad[-1]) + 1 if bad.size else 0


def _partial_note(what: str, years: np.ndarray, start: int) -> str:
    return (f"{what} has no value for the years starting {years[0]} to {years[start - 1]}: the model uses the "
            f"{len(years) - start} training year(s) from {years[start]} only.")


def _prep_driver(driver: pd.Series | DriverFn, what: str) -> pd.Series | DriverFn:
    if callable(driver) and not isinstance(driver, pd.Series):
        return driver
    if not isinstance(driver, pd.Series):
        raise ParameterError(f"{what} must be a pandas Series by year or a function (origin, horizon) -> Series")
    return as_year_series(driver, what)


_RATE_CORES: dict[str, Callable[[np.ndarray, np.ndarray, int], Raw]] = {"naive": naive_core, "drift": drift_core}


def _rate_core(method: str) -> Callable[[np.ndarray, np.ndarray, int], Raw]:
    if method not in _RATE_CORES:
        raise ParameterError(f"rate method must be one of {sorted(_RATE_CORES)}, not {method!r}")
    return _RATE_CORES[method]


def driver_model(driver: pd.Series | DriverFn, *, rate_method: str = "naive", name: str = "driver",
                 partial_history: bool = False) -> Model:
    """Demographic driver model: rate per head of the driving population x projected population.

    ``rate_t = y_t / pop_t``; the rate is forecast by the naive or drift method (with its intervals) and each
    mean and bound is multiplied by the population of the target year, which is treated as known.

    Parameters
    ----------
    driver
        The driving population (e.g. 18-64 for learning-disability clients, 65+ for placements) by mid-year,
        covering the series' years and the forecast years (e.g. :func:`helpers.analysis.demand.demography.project_population`
        band totals); or a function ``driver(origin_year, horizon)`` returning such a Series made with data
        up to ``origin_year`` only (:func:`helpers.analysis.demand.demography.population_driver`), which keeps the backtest
        free of later population data. A financial year ``YYYY-YY`` uses mid-year ``YYYY``.
    rate_method
        ``"naive"`` (rate held at its last value) or ``"drift"``.
    name
        Model name in tables.
    partial_history
        ``False`` (default): every training year needs a driver value. ``True``: training years *before* the
        driver's first value are left out of the rate's history (the notes say from which year the model
        works), for a series that starts before the population estimates do; the last training year and the
        forecast years must still be covered (a model without the last year falls back to naive, saying so).

    Returns
    -------
    Model
        Call it on a series (``driver_model(pop)(series, 2)``) or pass it to
        :func:`helpers.analysis.demand.evaluation.backtest`.
        The forecast's ``components`` hold the rate per head and the population by period.

    Notes
    -----
    With a Series driver the backtest uses the population estimates of the target years (an *ex-post*
    forecast in FPP3 section 7.6 terms); pass a function to make it *ex-ante*.
    """
    core = _rate_core(rate_method)
    drv = _prep_driver(driver, "driver population")

    def _core(years: np.ndarray, y: np.ndarray, h: int) -> Raw:
        pop = _driver_values(drv, years, h, "driver population", partial=partial_history)
        extra: tuple[str, ...] = ()
        start = _tail_start(np.isfinite(pop[:len(y)]))
        if start == len(y):
            return fallback("the driver population has no value for the last training year", years, y, h)
        if start:
            extra = (_partial_note("The driver population", years, start),)
            years, y, pop = years[start:], y[start:], pop[start:]
        n = len(y)
        rate = y / pop[:n]
        raw = core(years, rate, h)
        fpop = pop[n:]
        comp = pd.DataFrame({
            "year": np.concatenate([years, years[-1] + np.arange(1, h + 1)]),
            "kind": ["history"] * n + ["forecast"] * h,
            "population": pop,
            "rate_per_head": np.concatenate([rate, raw.mean]),
        })
        notes = extra + tuple(x.replace("interval", "interval of the rate") if x == ZERO_WIDTH else x
                              for x in raw.notes)
        return Raw(raw.mean * fpop, raw.bounds * fpop[:, None], f"driver (rate {raw.method} x population)",
                    notes, comp)

    return Model(name, _core, f"rate per head of the driving population ({rate_method}) x projected population")


def placements_from_weeks(occupied_weeks: pd.Series, weeks_per_year: float = 52.0) -> pd.Series:
    """Average placements in a year = occupied bed-weeks / 52 (long-term residential or nursing care)."""
    return occupied_weeks / weeks_per_year


def admissions_from_rate(rate: pd.Series, population: pd.Series, per: float = 100_000.0) -> pd.Series:
    """Admissions = rate per ``per`` population x population / ``per`` (ASCOF 2A: per 100,000 aged 65+).

    Both series are matched by (start) year; the result is indexed by year.
    """
    r = as_year_series(rate, "admission rate")
    p = as_year_series(population, "population")
    return (r * p / per).dropna()


def stock_flow_model(
    admission_rate: pd.Series,
    population: pd.Series | DriverFn,
    *,
    rate_method: str = "naive",
    los_method: str = "naive",
    per: float = 100_000.0,
    name: str = "stock-flow",
    partial_history: bool = False,
) -> Model:
    """Stock-flow model of long-term care placements (Little's law: stock = inflow x mean length of stay).

    ``admissions_t = rate_t x pop_t / per`` (ASCOF 2A: permanent admissions of people aged 65+ to residential
    and nursing care per 100,000 population 65+); ``placements_t`` is the series (occupied weeks / 52, see
    :func:`placements_from_weeks`); ``length of stay_t = placements_t / admissions_t`` (years). The admission
    rate and the length of stay are each carried forward (naive or drift) and
    ``placements = rate x projected pop / per x length of stay``.

    Intervals come from the model's own in-sample one-step errors on the log scale,
    ``e_t = log y_t - log yhat_t`` with ``sigma^2 = sum(e^2) / (m - k)`` (``k`` drift terms), widened like a
    random walk (``sqrt(h)``, times ``sqrt(1 + h/m)`` with drift) and applied multiplicatively
    (``mean x exp(+/- z sd)``).

    Parameters
    ----------
    admission_rate
        ASCOF 2A (65+) rate per ``per`` population by year; must cover the series' years.
    population
        The 65+ population by mid-year (Series) or a driver function, as in :func:`driver_model`.
    rate_method, los_method
        ``"naive"`` or ``"drift"`` for the admission rate and the length of stay.
    per
        The rate's denominator unit.
    name
        Model name in tables.
    partial_history
        As in :func:`driver_model`: training years before the first year with both an admission rate and a
        population value are left out (the notes say so), for a series that starts before the rates do
        (ASCOF 2A here from 2017-18).
    """
    rate_core, los_core = _rate_core(rate_method), _rate_core(los_method)
    rates = as_year_series(admission_rate, "admission rate")
    drv = _prep_driver(population, "65+ population")
    k = (rate_method == "drift") + (los_method == "drift")

    def _core(years: np.ndarray, y: np.ndarray, h: int) -> Raw:
        extra: tuple[str, ...] = ()
        years0, y0 = years, y
        if partial_history:
            r = _lookup(rates, years, "admission rate", allow_missing=True)
            pop = _driver_values(drv, years, h, "65+ population", partial=True)
            start = _tail_start(np.isfinite(r) & np.isfinite(pop[:len(y)]))
            if start == len(y):
                return fallback("no admission rate and 65+ population for the last training year", years, y, h)
            if start:
                extra = (_partial_note("The admission rate or the 65+ population", years, start),)
                years, y, r, pop = years[start:], y[start:], r[start:], pop[start:]
        n = len(y)
        if n < 2 + k:  # naive needs 2 points, each drift term one more
            raw = fallback(f"the stock-flow model needs at least {2 + k} points", years0, y0, h)
            return raw._replace(notes=extra + raw.notes)
        if not partial_history:
            r = _lookup(rates, years, "admission rate")
            pop = _driver_values(drv, years, h, "65+ population")
        adm = r * pop[:n] / per
        los = y / adm
        rf, lf = rate_core(years, r, h), los_core(years, los, h)
        fpop = pop[n:]
        mean = rf.mean * fpop / per * lf.mean
        # in-sample one-step fitted values: components carried from t-1 (+ full-sample drift)
        br = np.diff(r).mean() if rate_method == "drift" else 0.0
        bl = np.diff(los).mean() if los_method == "drift" else 0.0
        fitted = (r[:-1] + br) * pop[1:n] / per * (los[:-1] + bl)
        steps = np.arange(1, h + 1)
        m = n - 1
        if np.any(fitted <= 0) or m - k < 1:
            return fallback("the stock-flow fit is not usable on this history", years0, y0, h)
        e = np.log(y[1:]) - np.log(fitted)
        sigma = float(np.sqrt(np.sum(e**2) / (m - k)))
        sd = sigma * np.sqrt(steps * (1 + steps / m)) if k else sigma * np.sqrt(steps)
        bounds = lognormal_bounds(mean, sd)
        comp = pd.DataFrame({
            "year": np.concatenate([years, years[-1] + steps]),
            "kind": ["history"] * n + ["forecast"] * h,
            "population": pop,
            "admission_rate": np.concatenate([r, rf.mean]),
            "admissions": np.concatenate([adm, rf.mean * fpop / per]),
            "length_of_stay_years": np.concatenate([los, lf.mean]),
            "placements": np.concatenate([y, mean]),
        })
        notes = extra + ((ZERO_WIDTH,) if sigma == 0 else ())
        return Raw(mean, bounds, f"stock-flow (admission rate {rate_method}, length of stay {los_method})",
                    notes, comp)

    return Model(name, _core, "admissions (ASCOF 2A rate x 65+ population) x length of stay")




# ------------------------------------------------------------------------------------------------------
# A council's driving population
# ------------------------------------------------------------------------------------------------------


def council_sya(council: str) -> pd.DataFrame:
    """Persons by single year of age and mid-year for a council's area (``mid_year``, ``age``, ``population``).

    Current councils: ``population_latest_boundaries`` (a continuous series on April 2023 boundaries).
    Councils that no longer exist: their own published rows of ``population_sya`` (the years they existed).

    Raises
    ------
    DataError
        No population for the council.
    """
    latest = tables.cached("population_latest_boundaries", ["gss_code", "mid_year", "sex", "age", "population"])
    sel = latest[(latest["gss_code"] == council) & (latest["sex"] == "persons")]
    if sel.empty:
        sya = tables.cached("population_sya", ["gss_code", "mid_year", "sex", "age", "population"])
        sel = sya[(sya["gss_code"] == council) & (sya["sex"] == "persons")]
    if sel.empty:
        raise DataError(f"no population estimates for {council}")
    return sel[["mid_year", "age", "population"]].sort_values(["mid_year", "age"]).reset_index(drop=True)


@dataclass(frozen=True)
class Driver:
    """The population driving a series, for the models and the report.

    Attributes
    ----------
    band
        Age band (``"65+"``, ``"18-64"``).
    population
        The band's population by mid-year: ONS estimates, then the cohort-ageing projection (``mid_year``,
        ``population``, ``kind`` = ``"estimate"``/``"projection"``).
    function
        ``driver(origin, horizon)`` for :func:`driver_model`: in the backtest, only estimates up to the origin
        (ex-ante); from the series' last year, every published estimate and the projection.
    method
        How the projection was made (the words the report must show).
    """

    band: str
    population: pd.DataFrame
    function: Callable[[int, int], pd.Series]
    method: str

    def growth(self, year: int) -> float:
        """Growth of the band from mid-year ``year - 1`` to ``year`` (a fraction)."""
        s = self.population.set_index("mid_year")["population"]
        if year not in s.index or year - 1 not in s.index:
            raise DataError(f"the {self.band} population has no mid-year {year - 1} and {year}")
        return float(s[year] / s[year - 1] - 1)


def driver_for(council: str, band: str, final_origin: int | None, horizon: int) -> Driver:
    """The driving population of a council's series (estimates, cohort-ageing projection, driver function).

    Parameters
    ----------
    council
        Council code (as in :attr:`helpers.analysis.demand.series.SeriesMeta.council`).
    band
        Age band.
    final_origin
        Start year of the series' last financial year: forecasts from there use every published estimate (and
        the projection beyond the last one). ``None``: always ex-ante (only estimates up to each origin).
    horizon
        Years to forecast.
    """
    sya = council_sya(council)
    last = int(sya["mid_year"].max())
    ahead = max(0, (last if final_origin is None else final_origin) + horizon - last)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", demography.ProjectionWarning)
        proj = demography.project_population(sya, ahead)
    band_df = proj[proj["band"] == band][["mid_year", "population", "kind"]].reset_index(drop=True)
    full = band_df.set_index("mid_year")["population"]
    ex_ante = demography.population_driver(sya, band)

    def driver(origin: int, h: int) -> pd.Series:
        if final_origin is not None and origin >= final_origin:
            return full
        return ex_ante(origin, h)

    return Driver(band, band_df, driver, proj.attrs.get("method", "cohort ageing; not an ONS projection"))


def admission_rates(council: str) -> pd.Series:
    """ASCOF 2A(2) rate per 100,000 aged 65+ by start year, for the stock-flow model (same-area codes)."""
    _, _, codes, _ = same_area_codes(council)
    a = tables.cached("ascof")
    a = a[a["primary"] & (a["disaggregation"] == "Total") & (a["measure_code"] == "2A(2)")
          & a["gss_code"].isin(codes) & (a["value_status"] == "reported")]
    s = a.set_index(a["year"].map(periods.fy_start))["value"].sort_index()
    return s[~s.index.duplicated()].astype(float)


__all__ = ["Driver", "DriverFn", "admission_rates", "admissions_from_rate", "council_sya", "driver_for",
           "driver_model", "placements_from_weeks", "stock_flow_model"]
