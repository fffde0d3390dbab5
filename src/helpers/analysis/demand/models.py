"""Forecasting models for annual adult social care series: naive, drift, linear trend and ETS.

Pure modelling functions on a checked series (:func:`helpers.analysis.demand.checks.check_series`); every
method is written up, with its source, in ``docs/methods.md`` ("Demand forecasting").

Each model turns a training series into a :class:`Forecast`: the mean and the 80% / 95% prediction interval
for each step ahead.

* :func:`naive` -- random walk, last value carried forward;
* :func:`drift` -- random walk with drift (the average year-on-year change);
* :func:`linear_trend` -- ordinary least squares on time (statsmodels ``OLS``);
* :func:`ets` -- exponential smoothing, ETS(A,N,N) / (A,A,N) / (A,Ad,N) chosen by AICc (statsmodels ``ETSModel``).

A :class:`Model` wraps a *core* ``core(years, values, horizon) -> Raw`` on numpy arrays (fast in the
backtest); the demographic driver and stock-flow models of :mod:`helpers.analysis.demand.drivers` are built
the same way. Backtest and model choice are :mod:`helpers.analysis.demand.evaluation`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from helpers.analysis.demand.checks import Period, SeriesCheck, check_series, horizon_steps
from helpers.core.errors import ParameterError

#: Prediction interval levels (per cent) every forecast carries.
LEVELS: tuple[int, int] = (80, 95)
#: Interval columns of a forecast table, in this order.
BOUND_COLUMNS: tuple[str, ...] = ("lower_80", "upper_80", "lower_95", "upper_95")
_Z = np.array([stats.norm.ppf(0.5 + lv / 200) for lv in LEVELS])  # 1.2816, 1.9600
_SIGNS = np.array([-1.0, 1.0, -1.0, 1.0])
_ZCOLS = np.array([_Z[0], _Z[0], _Z[1], _Z[1]])

#: The models :func:`helpers.analysis.demand.evaluation.backtest` uses when none are named.
DEFAULT_MODELS: tuple[str, ...] = ("naive", "drift", "linear", "ets")


class ForecastWarning(UserWarning):
    """A forecast was made with less than the usual evidence (e.g. a series too short to backtest)."""


# --------------------------------------------------------------------------------------------------------
# Forecast result
# --------------------------------------------------------------------------------------------------------


@dataclass
class Forecast:
    """A forecast with its prediction intervals (and, where one was run, its backtest error).

    Attributes
    ----------
    model
        The model asked for (``"naive"``, ``"drift"``, ``"linear"``, ``"ets"``, ``"driver"``, ...).
    method
        What was fitted, e.g. ``"ETS(A,Ad,N)"``, or ``"naive (fallback: ...)"`` when the model could not be fitted.
    table
        One row per step ahead, indexed by period label: ``step`` (1, 2, ...), ``mean``, ``lower_80``,
        ``upper_80``, ``lower_95``, ``upper_95``.
    origin
        The last observed period.
    last_value
        The last observed value.
    notes
        Plain-English notes (fallbacks, breaks, zero-width intervals).
    backtest
        This model's backtest metrics by horizon (:func:`helpers.analysis.demand.evaluation.backtest`), or
        ``None`` when there is none (then say so next to the forecast).
    components
        Model parts for display (e.g. rate per head and population; admissions and length of stay).
    """

    model: str
    method: str
    table: pd.DataFrame
    origin: Period
    last_value: float
    notes: tuple[str, ...] = ()
    backtest: pd.DataFrame | None = None
    components: pd.DataFrame | None = None

    @property
    def mean(self) -> pd.Series:
        """The forecast means by period."""
        return self.table["mean"]

    def to_frame(self) -> pd.DataFrame:
        """The forecast table with the backtest error of each step next to it.

        Returns
        -------
        pandas.DataFrame
            Columns ``model``, ``method``, ``period``, ``step``, ``mean``, the interval bounds, and
            ``backtest_n``, ``backtest_mase``, ``backtest_mape``, ``backtest_coverage_80``,
            ``backtest_coverage_95`` (missing when there was no backtest at that horizon).
        """
        out = self.table.rename_axis("period").reset_index()
        out.insert(0, "method", self.method)
        out.insert(0, "model", self.model)
        cols = ["n", "mase", "mape", "coverage_80", "coverage_95"]
        if self.backtest is not None and len(self.backtest):
            bt = self.backtest.set_index("horizon")[cols].add_prefix("backtest_")
            out = out.join(bt, on="step")
        else:
            for c in cols:
                out[f"backtest_{c}"] = np.nan
        return out


class Raw(NamedTuple):
    """What a model core returns (numpy only, for speed in the backtest)."""

    mean: np.ndarray  # (h,)
    bounds: np.ndarray  # (h, 4) in BOUND_COLUMNS order
    method: str
    notes: tuple[str, ...] = ()
    components: pd.DataFrame | None = None


def normal_bounds(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Normal prediction intervals ``mean +/- z * sd`` as an (h, 4) array."""
    return mean[:, None] + _SIGNS * _ZCOLS * np.asarray(sd, dtype=float)[:, None]


def lognormal_bounds(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Multiplicative prediction intervals ``mean x exp(+/- z * sd)`` (``sd`` on the log scale), (h, 4)."""
    return mean[:, None] * np.exp(_SIGNS * _ZCOLS * sd[:, None])


def _make_forecast(model: str, raw: Raw, chk: SeriesCheck, h: int) -> Forecast:
    future = chk.years[-1] + np.arange(1, h + 1)
    table = pd.DataFrame(raw.bounds, columns=list(BOUND_COLUMNS), index=[chk.label(y) for y in future])
    table.insert(0, "mean", raw.mean)
    table.insert(0, "step", np.arange(1, h + 1))
    table.index.name = "period"
    return Forecast(model, raw.method, table, chk.label(chk.years[-1]), float(chk.values[-1]),
                    tuple(chk.notes) + tuple(raw.notes), None, raw.components)


# --------------------------------------------------------------------------------------------------------
# Model cores: (years, values, horizon) -> Raw
# --------------------------------------------------------------------------------------------------------

#: The note of an interval of zero width.
ZERO_WIDTH = ("The history shows no variation around the model, so the interval has zero width: this is not a "
              "statement of certainty.")


def naive_core(years: np.ndarray, y: np.ndarray, h: int) -> Raw:
    """Random walk: mean = last value; sd_h = sigma * sqrt(h), sigma^2 = mean squared one-step change."""
    steps = np.arange(1, h + 1)
    mean = np.full(h, y[-1], dtype=float)
    if len(y) < 2:
        return Raw(mean, np.full((h, 4), np.nan), "naive", ("One point only: no prediction interval.",))
    d = np.diff(y)
    sigma = float(np.sqrt(np.mean(d**2)))
    notes = (ZERO_WIDTH,) if sigma == 0 else ()
    return Raw(mean, normal_bounds(mean, sigma * np.sqrt(steps)), "naive", notes)


def fallback(reason: str, years: np.ndarray, y: np.ndarray, h: int) -> Raw:
    """The naive forecast in place of a model that cannot be fitted, saying why (in its method and notes)."""
    raw = naive_core(years, y, h)
    return raw._replace(method=f"naive (fallback: {reason})", notes=(f"Naive forecast used: {reason}.", *raw.notes))


def drift_core(years: np.ndarray, y: np.ndarray, h: int) -> Raw:
    """Random walk with drift: mean = y_T + h * b, sd_h = sigma * sqrt(h * (1 + h / m)) (m = T - 1 changes)."""
    if len(y) < 3:
        return fallback("drift needs at least 3 points", years, y, h)
    steps = np.arange(1, h + 1)
    d = np.diff(y)
    m = len(d)
    b = float(d.mean())
    sigma = float(d.std(ddof=1))
    mean = y[-1] + b * steps
    notes = (ZERO_WIDTH,) if sigma == 0 else ()
    return Raw(mean, normal_bounds(mean, sigma * np.sqrt(steps * (1 + steps / m))), "drift", notes)


def linear_core(years: np.ndarray, y: np.ndarray, h: int) -> Raw:
    """OLS on time with statsmodels; t-based prediction intervals for new observations."""
    import statsmodels.api as sm  # lazy: statsmodels takes about a second to import; only OLS and ETS need it

    n = len(y)
    if n < 3:
        return fallback("a linear trend needs at least 3 points", years, y, h)
    t = np.arange(n, dtype=float)
    res = sm.OLS(y, np.column_stack([np.ones(n), t])).fit()
    tf = np.arange(n, n + h, dtype=float)
    pred = res.get_prediction(np.column_stack([np.ones(h), tf]))
    mean = np.asarray(pred.predicted_mean, dtype=float)
    bounds = np.empty((h, 4))
    for k, lv in enumerate(LEVELS):
        ci = np.asarray(pred.conf_int(obs=True, alpha=1 - lv / 100))
        bounds[:, 2 * k], bounds[:, 2 * k + 1] = ci[:, 0], ci[:, 1]
    notes = (ZERO_WIDTH,) if np.allclose(bounds[:, 0], bounds[:, 1]) else ()
    return Raw(mean, bounds, "linear trend (OLS)", notes)


#: ETS candidates: (label, trend, damped, number of parameters statsmodels counts for AICc).
_ETS_CANDIDATES: tuple[tuple[str, str | None, bool, int], ...] = (
    ("ETS(A,N,N)", None, False, 3),
    ("ETS(A,A,N)", "add", False, 5),
    ("ETS(A,Ad,N)", "add", True, 6),
)


def ets_core(years: np.ndarray, y: np.ndarray, h: int) -> Raw:
    """ETS with additive errors, no or additive (damped) trend, chosen by AICc; analytic intervals."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning  # lazy: as in linear_core
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # lazy: as in linear_core

    n = len(y)
    # A pandas input works around get_prediction failing on numpy input in statsmodels 0.15.
    endog = pd.Series(y, index=pd.RangeIndex(n))
    best: tuple[float, str, object] | None = None
    skipped = []
    for label, trend, damped, k in _ETS_CANDIDATES:
        if n <= k + 1:  # AICc undefined: n - k - 1 must be positive
            skipped.append(label)
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = ETSModel(endog, error="add", trend=trend, damped_trend=damped,
                               initialization_method="estimated").fit(disp=False)
            except (ValueError, np.linalg.LinAlgError, FloatingPointError):
                continue
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            continue
        aicc = float(res.aicc)
        if np.isfinite(aicc) and (best is None or aicc < best[0]):
            best = (aicc, label, res)
    if best is None:
        why = ("ETS needs at least 5 points" if n < 5
               else "no ETS model could be fitted (optimiser did not converge; a series with no variation does this)")
        return fallback(why, years, y, h)
    _, label, res = best
    pred = res.get_prediction(start=n, end=n + h - 1)
    bounds = np.empty((h, 4))
    mean = None
    for k, lv in enumerate(LEVELS):
        sf = pred.summary_frame(alpha=1 - lv / 100)
        mean = sf["mean"].to_numpy(dtype=float)
        bounds[:, 2 * k], bounds[:, 2 * k + 1] = sf["pi_lower"].to_numpy(), sf["pi_upper"].to_numpy()
    notes = (f"ETS chosen by AICc among {', '.join(c[0] for c in _ETS_CANDIDATES if c[0] not in skipped)}"
             + (f"; {', '.join(skipped)} need more points" if skipped else "") + ".",)
    return Raw(mean, bounds, label, notes)


# --------------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """A forecasting model usable by :func:`helpers.analysis.demand.evaluation.backtest` and callable on a series.

    Attributes
    ----------
    name
        Short name used in tables (``"naive"``, ``"drift"``, ...).
    core
        ``core(years, values, horizon)`` on numpy arrays (start years, positive values) returning the mean and
        interval bounds; it sees only the training data it is given.
    description
        One line for reports.
    """

    name: str
    core: Callable[[np.ndarray, np.ndarray, int], Raw]
    description: str = ""

    def forecast(self, series: pd.Series | SeriesCheck, horizon: int = 2) -> Forecast:
        """Forecast ``horizon`` steps ahead from the whole (checked) series."""
        chk = check_series(series)
        h = horizon_steps(horizon)
        return _make_forecast(self.name, self.core(chk.years, chk.values, h), chk, h)

    __call__ = forecast


NAIVE = Model("naive", naive_core, "random walk: last value carried forward")
DRIFT = Model("drift", drift_core, "random walk with drift: the average yearly change continued")
LINEAR = Model("linear", linear_core, "straight line fitted by least squares")
ETS = Model("ets", ets_core, "exponential smoothing, additive errors, trend (damped or not) chosen by AICc")
#: The models available by name.
MODELS: dict[str, Model] = {m.name: m for m in (NAIVE, DRIFT, LINEAR, ETS)}


def naive(series: pd.Series, horizon: int = 2) -> Forecast:
    """Naive (random walk) forecast: the last value, with intervals ``sigma * sqrt(h)``.

    ``sigma`` is the root mean square of the in-sample one-step changes (the naive method's residuals).
    Source: Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), sections 5.2 and 5.5
    (Table 5.2).
    """
    return NAIVE(series, horizon)


def drift(series: pd.Series, horizon: int = 2) -> Forecast:
    """Random walk with drift: ``y_T + h * (y_T - y_1) / (T - 1)``.

    Interval sd ``sigma * sqrt(h * (1 + h / (T - 1)))``, ``sigma`` the sd of the one-step changes about their
    mean (ddof 1): FPP3 section 5.5, Table 5.2, in the exact form of R ``forecast::rwf`` (drift
    standard error ``sigma / sqrt(T - 1)``).
    """
    return DRIFT(series, horizon)


def linear_trend(series: pd.Series, horizon: int = 2) -> Forecast:
    """Linear trend by OLS (statsmodels), with t-based prediction intervals for a new observation."""
    return LINEAR(series, horizon)


def ets(series: pd.Series, horizon: int = 2) -> Forecast:
    """Exponential smoothing (statsmodels ``ETSModel``) with analytic prediction intervals.

    Candidates ETS(A,N,N), ETS(A,A,N) and ETS(A,Ad,N), fitted by maximum likelihood (initial states estimated)
    and chosen by AICc (Hyndman et al. 2002; FPP3 section 8.6). A candidate is fitted only when AICc is defined
    (``n > k + 1``), so short series get the simpler models; a fit that does not converge is dropped; with
    none left (fewer than 5 points) the naive forecast is used and the notes say so.
    """
    return ETS(series, horizon)


def resolve_models(models: Sequence[str | Model] | None) -> list[Model]:
    """Models from names (:data:`MODELS`) or :class:`Model` objects, naive first; default :data:`DEFAULT_MODELS`.

    Raises
    ------
    ParameterError
        An unknown name, something that is not a model, or two models with one name.
    """
    out: list[Model] = [NAIVE]
    for m in models if models is not None else DEFAULT_MODELS:
        if isinstance(m, str):
            if m not in MODELS:
                raise ParameterError(f"unknown model {m!r}; known models: {sorted(MODELS)} (or pass a Model)")
            m = MODELS[m]
        if not isinstance(m, Model):
            raise ParameterError(f"a model must be a name or a Model, not {type(m).__name__}")
        if m.name == "naive":
            continue
        if any(m.name == o.name for o in out):
            raise ParameterError(f"two models are named {m.name!r}: give each a distinct name")
        out.append(m)
    return out


__all__ = [
    "BOUND_COLUMNS", "DEFAULT_MODELS", "DRIFT", "ETS", "LEVELS", "LINEAR", "MODELS", "NAIVE", "ZERO_WIDTH", "Forecast",
    "ForecastWarning", "Model", "Raw", "drift", "drift_core", "ets", "ets_core", "fallback", "linear_core",
    "linear_trend", "lognormal_bounds", "naive", "naive_core", "normal_bounds", "resolve_models",
]
