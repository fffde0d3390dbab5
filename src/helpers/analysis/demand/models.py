"""Demand forecasting for annual adult social care series (clients, placements, weekly costs, admissions).

Pure modelling functions: the demand-trends notebook assembles the series (from the processed tables) and
calls these. Every method is written up, with its source, in ``docs/methods.md`` ("Demand forecasting").

Series
------
A series is a :class:`pandas.Series` of positive floats indexed by integer year (``2023``) or financial year
(``"2023-24"``). A financial year is matched to the mid-year population estimate of the year it starts in
(``"2023-24"`` -> mid-2023). :func:`check_series` rejects missing values, zero or negative counts and gaps in
the years with a :class:`~helpers.core.errors.DataError` that names the year; nothing is interpolated.

Models
------
Each model turns a training series into a :class:`Forecast`: the mean and the 80% / 95% prediction interval
for each step ahead.

* :func:`naive` -- random walk, last value carried forward;
* :func:`drift` -- random walk with drift (the average year-on-year change);
* :func:`linear_trend` -- ordinary least squares on time (statsmodels ``OLS``);
* :func:`ets` -- exponential smoothing, ETS(A,N,N) / (A,A,N) / (A,Ad,N) chosen by AICc (statsmodels ``ETSModel``);
* :func:`driver_model` -- rate per head of a driving population, rate carried forward (naive or drift) and
  multiplied by the projected population (:mod:`helpers.analysis.demand.demography`);
* :func:`stock_flow_model` -- older people's placements = admissions (ASCOF 2A rate x 65+ population) x length
  of stay.

Choosing a model
----------------
:func:`backtest` makes rolling-origin forecasts (expanding window) and scores them (MASE, MAPE, interval
coverage); :func:`choose_model` keeps the naive forecast unless another model beats it clearly;
:func:`forecast_series` does all of it and attaches each model's backtest error to its forecast.
:func:`budget_table` splits next year's cost pressure into demography, need and price.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from helpers.core.errors import DataError, ParameterError

#: Prediction interval levels (per cent) every forecast carries.
LEVELS: tuple[int, int] = (80, 95)
#: Interval columns of a forecast table, in this order.
BOUND_COLUMNS: tuple[str, ...] = ("lower_80", "upper_80", "lower_95", "upper_95")
_Z = np.array([stats.norm.ppf(0.5 + lv / 200) for lv in LEVELS])  # 1.2816, 1.9600
_SIGNS = np.array([-1.0, 1.0, -1.0, 1.0])
_ZCOLS = np.array([_Z[0], _Z[0], _Z[1], _Z[1]])

#: The models :func:`forecast_series` and :func:`backtest` use when none are named.
DEFAULT_MODELS: tuple[str, ...] = ("naive", "drift", "linear", "ets")
#: Break handling options of :func:`check_series`.
BREAK_MODES: tuple[str, ...] = ("segment", "exclude")

Period = int | str
#: A driver given as a function: ``driver(origin_year, horizon)`` returns the population by (mid-)year for the
#: training years and the ``horizon`` years after ``origin_year``, using only data up to ``origin_year``.
DriverFn = Callable[[int, int], pd.Series]


class ForecastWarning(UserWarning):
    """A forecast was made with less than the usual evidence (e.g. a series too short to backtest)."""


# --------------------------------------------------------------------------------------------------------
# Periods and series checks
# --------------------------------------------------------------------------------------------------------

_FY = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(label: object) -> tuple[int, str]:
    """Return ``(start_year, style)`` of a period label.

    Parameters
    ----------
    label
        An integer year (``2023``, also ``"2023"``) or a financial year ``"2023-24"``.

    Returns
    -------
    (int, str)
        The (start) year and the style, ``"int"`` or ``"fy"``.

    Raises
    ------
    DataError
        The label is neither, or a financial year whose two parts do not follow (``"2023-25"``).
    """
    if isinstance(label, (int, np.integer)) and not isinstance(label, (bool, np.bool_)):
        return int(label), "int"
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return int(label), "int"
    if isinstance(label, str):
        text = label.strip()
        m = _FY.match(text)
        if m and (int(m[1]) + 1) % 100 == int(m[2]):
            return int(m[1]), "fy"
        if text.isdigit() and len(text) == 4:
            return int(text), "int"
    raise DataError(f"period {label!r} is neither a year (2023) nor a financial year ('2023-24')")


def period_label(year: int, style: str) -> Period:
    """Return the label of ``year`` in ``style`` (``"int"`` -> ``2023``, ``"fy"`` -> ``"2023-24"``)."""
    return int(year) if style == "int" else f"{int(year)}-{(int(year) + 1) % 100:02d}"


def _year_index(index: pd.Index, what: str) -> tuple[np.ndarray, str]:
    parsed = [parse_period(v) for v in index]
    styles = {s for _, s in parsed}
    if len(styles) > 1:
        raise DataError(f"{what} mixes years and financial years in its index: use one style")
    return np.array([y for y, _ in parsed], dtype=int), (styles.pop() if styles else "int")


def _as_year_series(s: pd.Series, what: str) -> pd.Series:
    """Return ``s`` as floats indexed by (start) year, sorted, checked for duplicates."""
    years, _ = _year_index(s.index, what)
    out = pd.Series(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float), index=years).sort_index()
    if out.index.has_duplicates:
        dup = int(out.index[out.index.duplicated()][0])
        raise DataError(f"{what} has more than one value for {dup}")
    return out


@dataclass(frozen=True)
class SeriesCheck:
    """A checked series, ready to model.

    Attributes
    ----------
    name
        The series name used in messages.
    years
        Start year of each modelled period (after any break cut), ascending, no gaps.
    values
        The values, all finite and positive.
    style
        ``"int"`` (index of years) or ``"fy"`` (index of ``"YYYY-YY"``).
    notes
        Plain-English notes for the report (the break, the years dropped).
    break_year
        The declared break (first year on the new basis), if any.
    break_mode
        ``"segment"`` (only the years from the break on are modelled) or ``"exclude"`` (the break year is not
        scored in the backtest), or ``None``.
    unscored_years
        Target years the backtest does not score.
    """

    name: str
    years: np.ndarray
    values: np.ndarray
    style: str
    notes: tuple[str, ...] = ()
    break_year: int | None = None
    break_mode: str | None = None
    unscored_years: frozenset[int] = frozenset()

    @property
    def n(self) -> int:
        """Number of modelled points."""
        return len(self.values)

    def label(self, year: int) -> Period:
        """The label of ``year`` in this series' style."""
        return period_label(year, self.style)

    @property
    def series(self) -> pd.Series:
        """The modelled series with its original labels."""
        return pd.Series(self.values, index=[self.label(y) for y in self.years], name=self.name)


def check_series(
    series: pd.Series | SeriesCheck,
    *,
    name: str | None = None,
    break_year: Period | None = None,
    break_mode: str = "segment",
) -> SeriesCheck:
    """Check an annual series and apply a declared break.

    Parameters
    ----------
    series
        Values indexed by year (``2023``) or financial year (``"2023-24"``); sorted here if unsorted.
        A :class:`SeriesCheck` is returned unchanged.
    name
        Name for messages (default: ``series.name`` or ``"series"``).
    break_year
        First year on a new basis (e.g. ``"2020-21"`` for COVID, or a boundary change). Reported in the notes,
        never modelled through.
    break_mode
        ``"segment"``: model only the years from ``break_year`` on. ``"exclude"``: keep every year but do not
        score forecasts of ``break_year`` in the backtest (the models are still fitted on data that includes
        it, and the notes say so).

    Returns
    -------
    SeriesCheck

    Raises
    ------
    DataError
        No values; a missing (NaN) value; a zero or negative value; two values for one year; a gap in the
        years. The message names the year(s). Gaps are never interpolated.
    ParameterError
        Unknown ``break_mode``.
    """
    if isinstance(series, SeriesCheck):
        return series
    if not isinstance(series, pd.Series):
        raise ParameterError(f"a series must be a pandas Series indexed by year, not {type(series).__name__}")
    nm = name or (str(series.name) if series.name is not None else "series")
    if break_mode not in BREAK_MODES:
        raise ParameterError(f"break_mode must be one of {BREAK_MODES}, not {break_mode!r}")
    if len(series) == 0:
        raise DataError(f"series {nm!r} has no values")
    years, style = _year_index(series.index, f"series {nm!r}")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    order = np.argsort(years, kind="stable")
    years, values = years[order], values[order]

    def lab(ys: np.ndarray) -> str:
        return ", ".join(str(period_label(y, style)) for y in ys)

    dup = years[1:][np.diff(years) == 0]
    if dup.size:
        raise DataError(f"series {nm!r} has more than one value for {lab(np.unique(dup))}")
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(
            f"series {nm!r} has no value for {lab(years[bad])} (missing or suppressed, not zero): supply it "
            "or model only the years after it"
        )
    nonpos = values <= 0
    if nonpos.any():
        raise DataError(
            f"series {nm!r} has zero or negative values in {lab(years[nonpos])}: demand counts and costs must "
            "be positive; check the source (a zero often means 'not reported')"
        )
    step = np.diff(years)
    if (step > 1).any():
        missing = np.concatenate([np.arange(a + 1, b) for a, b in zip(years[:-1], years[1:], strict=True) if b - a > 1])
        raise DataError(
            f"series {nm!r} has a gap: no value for {lab(missing)}. Gaps are not interpolated: supply the "
            "missing year(s) or pass only the years after the gap"
        )
    notes: list[str] = []
    unscored: frozenset[int] = frozenset()
    by: int | None = None
    mode: str | None = None
    if break_year is not None:
        by = parse_period(break_year)[0]
        mode = break_mode
        blab = period_label(by, style)
        if by <= years[0] or by > years[-1]:
            notes.append(f"Declared series break at {blab} is outside the series ({lab(years[[0, -1]])}): no effect.")
        elif mode == "segment":
            keep = years >= by
            notes.append(
                f"Series break at {blab}: only {lab(years[keep][[0]])} to {lab(years[[-1]])} "
                f"({int(keep.sum())} points) are modelled; {lab(years[~keep][[0]])} to "
                f"{lab(years[~keep][[-1]])} are not used."
            )
            years, values = years[keep], values[keep]
        else:
            unscored = frozenset({by})
            notes.append(
                f"Series break at {blab}: forecasts of {blab} are not scored in the backtest; the models are "
                "fitted on data that include it."
            )
    return SeriesCheck(nm, years, values, style, tuple(notes), by, mode, unscored)


# --------------------------------------------------------------------------------------------------------
# Forecast result
# --------------------------------------------------------------------------------------------------------


@dataclass
class Forecast:
    """A forecast with its prediction intervals (and, from :func:`forecast_series`, its backtest error).

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
        This model's backtest metrics by horizon (see :func:`backtest`), or ``None`` when there is none
        (then say so next to the forecast).
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


class _Raw(NamedTuple):
    """What a model core returns (numpy only, for speed in the backtest)."""

    mean: np.ndarray  # (h,)
    bounds: np.ndarray  # (h, 4) in BOUND_COLUMNS order
    method: str
    notes: tuple[str, ...] = ()
    components: pd.DataFrame | None = None


def _normal_bounds(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Normal prediction intervals ``mean +/- z * sd`` as an (h, 4) array."""
    return mean[:, None] + _SIGNS * _ZCOLS * np.asarray(sd, dtype=float)[:, None]


def _make_forecast(model: str, raw: _Raw, chk: SeriesCheck, h: int) -> Forecast:
    future = chk.years[-1] + np.arange(1, h + 1)
    table = pd.DataFrame(raw.bounds, columns=list(BOUND_COLUMNS), index=[chk.label(y) for y in future])
    table.insert(0, "mean", raw.mean)
    table.insert(0, "step", np.arange(1, h + 1))
    table.index.name = "period"
    return Forecast(model, raw.method, table, chk.label(chk.years[-1]), float(chk.values[-1]),
                    tuple(chk.notes) + tuple(raw.notes), None, raw.components)


# --------------------------------------------------------------------------------------------------------
# Model cores: (years, values, horizon) -> _Raw
# --------------------------------------------------------------------------------------------------------

_ZERO_WIDTH = ("The history shows no variation around the model, so the interval has zero width: this is not a "
               "statement of certainty.")


def _naive_core(years: np.ndarray, y: np.ndarray, h: int) -> _Raw:
    """Random walk: mean = last value; sd_h = sigma * sqrt(h), sigma^2 = mean squared one-step change."""
    steps = np.arange(1, h + 1)
    mean = np.full(h, y[-1], dtype=float)
    if len(y) < 2:
        return _Raw(mean, np.full((h, 4), np.nan), "naive", ("One point only: no prediction interval.",))
    d = np.diff(y)
    sigma = float(np.sqrt(np.mean(d**2)))
    notes = (_ZERO_WIDTH,) if sigma == 0 else ()
    return _Raw(mean, _normal_bounds(mean, sigma * np.sqrt(steps)), "naive", notes)


def _fallback(reason: str, years: np.ndarray, y: np.ndarray, h: int) -> _Raw:
    raw = _naive_core(years, y, h)
    return raw._replace(method=f"naive (fallback: {reason})", notes=(f"Naive forecast used: {reason}.", *raw.notes))


def _drift_core(years: np.ndarray, y: np.ndarray, h: int) -> _Raw:
    """Random walk with drift: mean = y_T + h * b, sd_h = sigma * sqrt(h * (1 + h / m)) (m = T - 1 changes)."""
    if len(y) < 3:
        return _fallback("drift needs at least 3 points", years, y, h)
    steps = np.arange(1, h + 1)
    d = np.diff(y)
    m = len(d)
    b = float(d.mean())
    sigma = float(d.std(ddof=1))
    mean = y[-1] + b * steps
    notes = (_ZERO_WIDTH,) if sigma == 0 else ()
    return _Raw(mean, _normal_bounds(mean, sigma * np.sqrt(steps * (1 + steps / m))), "drift", notes)


def _linear_core(years: np.ndarray, y: np.ndarray, h: int) -> _Raw:
    """OLS on time with statsmodels; t-based prediction intervals for new observations."""
    import statsmodels.api as sm

    n = len(y)
    if n < 3:
        return _fallback("a linear trend needs at least 3 points", years, y, h)
    t = np.arange(n, dtype=float)
    res = sm.OLS(y, np.column_stack([np.ones(n), t])).fit()
    tf = np.arange(n, n + h, dtype=float)
    pred = res.get_prediction(np.column_stack([np.ones(h), tf]))
    mean = np.asarray(pred.predicted_mean, dtype=float)
    bounds = np.empty((h, 4))
    for k, lv in enumerate(LEVELS):
        ci = np.asarray(pred.conf_int(obs=True, alpha=1 - lv / 100))
        bounds[:, 2 * k], bounds[:, 2 * k + 1] = ci[:, 0], ci[:, 1]
    notes = (_ZERO_WIDTH,) if np.allclose(bounds[:, 0], bounds[:, 1]) else ()
    return _Raw(mean, bounds, "linear trend (OLS)", notes)


#: ETS candidates: (label, trend, damped, number of parameters statsmodels counts for AICc).
_ETS_CANDIDATES: tuple[tuple[str, str | None, bool, int], ...] = (
    ("ETS(A,N,N)", None, False, 3),
    ("ETS(A,A,N)", "add", False, 5),
    ("ETS(A,Ad,N)", "add", True, 6),
)


def _ets_core(years: np.ndarray, y: np.ndarray, h: int) -> _Raw:
    """ETS with additive errors, no or additive (damped) trend, chosen by AICc; analytic intervals."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

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
        return _fallback(why, years, y, h)
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
    return _Raw(mean, bounds, label, notes)


# --------------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """A forecasting model usable by :func:`backtest` and callable on a series.

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
    core: Callable[[np.ndarray, np.ndarray, int], _Raw]
    description: str = ""

    def forecast(self, series: pd.Series | SeriesCheck, horizon: int = 2) -> Forecast:
        """Forecast ``horizon`` steps ahead from the whole (checked) series."""
        chk = check_series(series)
        h = _check_horizon(horizon)
        return _make_forecast(self.name, self.core(chk.years, chk.values, h), chk, h)

    __call__ = forecast


def _check_horizon(horizon: int) -> int:
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError(f"horizon must be a whole number of years >= 1, not {horizon!r}")
    return int(horizon)


NAIVE = Model("naive", _naive_core, "random walk: last value carried forward")
DRIFT = Model("drift", _drift_core, "random walk with drift: the average yearly change continued")
LINEAR = Model("linear", _linear_core, "straight line fitted by least squares")
ETS = Model("ets", _ets_core, "exponential smoothing, additive errors, trend (damped or not) chosen by AICc")
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


def _resolve_models(models: Sequence[str | Model] | None) -> list[Model]:
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
    s = _as_year_series(driver(int(years[-1]), h), what) if callable(driver) else driver
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
    return _as_year_series(driver, what)


_RATE_CORES: dict[str, Callable[[np.ndarray, np.ndarray, int], _Raw]] = {"naive": _naive_core, "drift": _drift_core}


def _rate_core(method: str) -> Callable[[np.ndarray, np.ndarray, int], _Raw]:
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
        Call it on a series (``driver_model(pop)(series, 2)``) or pass it to :func:`backtest`.
        The forecast's ``components`` hold the rate per head and the population by period.

    Notes
    -----
    With a Series driver the backtest uses the population estimates of the target years (an *ex-post*
    forecast in FPP3 section 7.6 terms); pass a function to make it *ex-ante*.
    """
    core = _rate_core(rate_method)
    drv = _prep_driver(driver, "driver population")

    def _core(years: np.ndarray, y: np.ndarray, h: int) -> _Raw:
        pop = _driver_values(drv, years, h, "driver population", partial=partial_history)
        extra: tuple[str, ...] = ()
        start = _tail_start(np.isfinite(pop[:len(y)]))
        if start == len(y):
            return _fallback("the driver population has no value for the last training year", years, y, h)
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
        notes = extra + tuple(x.replace("interval", "interval of the rate") if x == _ZERO_WIDTH else x
                              for x in raw.notes)
        return _Raw(raw.mean * fpop, raw.bounds * fpop[:, None], f"driver (rate {raw.method} x population)",
                    notes, comp)

    return Model(name, _core, f"rate per head of the driving population ({rate_method}) x projected population")


def placements_from_weeks(occupied_weeks: pd.Series, weeks_per_year: float = 52.0) -> pd.Series:
    """Average placements in a year = occupied bed-weeks / 52 (long-term residential or nursing care)."""
    return occupied_weeks / weeks_per_year


def admissions_from_rate(rate: pd.Series, population: pd.Series, per: float = 100_000.0) -> pd.Series:
    """Admissions = rate per ``per`` population x population / ``per`` (ASCOF 2A: per 100,000 aged 65+).

    Both series are matched by (start) year; the result is indexed by year.
    """
    r = _as_year_series(rate, "admission rate")
    p = _as_year_series(population, "population")
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
    rates = _as_year_series(admission_rate, "admission rate")
    drv = _prep_driver(population, "65+ population")
    k = (rate_method == "drift") + (los_method == "drift")

    def _core(years: np.ndarray, y: np.ndarray, h: int) -> _Raw:
        extra: tuple[str, ...] = ()
        years0, y0 = years, y
        if partial_history:
            r = _lookup(rates, years, "admission rate", allow_missing=True)
            pop = _driver_values(drv, years, h, "65+ population", partial=True)
            start = _tail_start(np.isfinite(r) & np.isfinite(pop[:len(y)]))
            if start == len(y):
                return _fallback("no admission rate and 65+ population for the last training year", years, y, h)
            if start:
                extra = (_partial_note("The admission rate or the 65+ population", years, start),)
                years, y, r, pop = years[start:], y[start:], r[start:], pop[start:]
        n = len(y)
        if n < 2 + k:  # naive needs 2 points, each drift term one more
            raw = _fallback(f"the stock-flow model needs at least {2 + k} points", years0, y0, h)
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
            return _fallback("the stock-flow fit is not usable on this history", years0, y0, h)
        e = np.log(y[1:]) - np.log(fitted)
        sigma = float(np.sqrt(np.sum(e**2) / (m - k)))
        sd = sigma * np.sqrt(steps * (1 + steps / m)) if k else sigma * np.sqrt(steps)
        bounds = mean[:, None] * np.exp(_SIGNS * _ZCOLS * sd[:, None])
        comp = pd.DataFrame({
            "year": np.concatenate([years, years[-1] + steps]),
            "kind": ["history"] * n + ["forecast"] * h,
            "population": pop,
            "admission_rate": np.concatenate([r, rf.mean]),
            "admissions": np.concatenate([adm, rf.mean * fpop / per]),
            "length_of_stay_years": np.concatenate([los, lf.mean]),
            "placements": np.concatenate([y, mean]),
        })
        notes = extra + ((_ZERO_WIDTH,) if sigma == 0 else ())
        return _Raw(mean, bounds, f"stock-flow (admission rate {rate_method}, length of stay {los_method})",
                    notes, comp)

    return Model(name, _core, "admissions (ASCOF 2A rate x 65+ population) x length of stay")


# --------------------------------------------------------------------------------------------------------
# Backtest, metrics and model choice
# --------------------------------------------------------------------------------------------------------


def mase(errors: np.ndarray, scale: np.ndarray | float) -> float:
    """Mean absolute scaled error: ``mean(|e| / scale)`` (Hyndman & Koehler 2006).

    ``scale`` is the in-sample mean absolute one-step naive error of the training data; points with a zero
    or missing scale are left out.
    """
    q = np.abs(np.asarray(errors, dtype=float)) / np.asarray(scale, dtype=float)
    q = q[np.isfinite(q)]
    return float(q.mean()) if q.size else np.nan


def mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute percentage error, in per cent: ``100 * mean(|actual - forecast| / |actual|)``."""
    a = np.asarray(actual, dtype=float)
    return float(100 * np.mean(np.abs(a - np.asarray(forecast, dtype=float)) / np.abs(a)))


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share (0-1) of actual values inside ``[lower, upper]`` (bounds included); missing bounds left out."""
    a, lo, hi = (np.asarray(v, dtype=float) for v in (actual, lower, upper))
    ok = np.isfinite(lo) & np.isfinite(hi)
    return float(np.mean((a[ok] >= lo[ok]) & (a[ok] <= hi[ok]))) if ok.any() else np.nan


@dataclass
class Backtest:
    """Rolling-origin backtest of several models on one series.

    Attributes
    ----------
    forecasts
        One row per model, origin and horizon: ``model``, ``method``, ``origin`` (last training period),
        ``n_train``, ``horizon``, ``target``, ``actual``, ``mean``, the interval bounds, ``error``
        (actual - mean), ``scale`` (the training window's mean absolute one-step change), ``ase``
        (``|error| / scale``), ``ape`` (per cent), ``in_80``, ``in_95``, ``scored``.
    metrics
        One row per model and horizon: ``n`` (scored forecasts), ``mae``, ``mase``, ``mape``,
        ``coverage_80``, ``coverage_95``, ``rel_mae`` (MAE / the naive MAE on the same targets).
    check
        The checked series.
    models
        Model names in the order given (naive first).
    notes
        Plain-English notes (break, too short).
    """

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    check: SeriesCheck
    models: tuple[str, ...]
    notes: tuple[str, ...] = ()


_FC_COLUMNS = ["model", "method", "origin", "n_train", "horizon", "target", "actual", "mean", *BOUND_COLUMNS,
               "error", "scale", "ase", "ape", "in_80", "in_95", "scored"]
_METRIC_COLUMNS = ["model", "horizon", "n", "mae", "mase", "mape", "coverage_80", "coverage_95", "rel_mae"]


def _check_backtest_args(horizons: Sequence[int], min_train: int) -> tuple[int, ...]:
    hs = tuple(sorted({_check_horizon(h) for h in horizons}))
    if not hs:
        raise ParameterError("horizons must name at least one horizon, e.g. (1, 2)")
    if not isinstance(min_train, (int, np.integer)) or min_train < 2:
        raise ParameterError(f"min_train must be a whole number >= 2, not {min_train!r}")
    return hs


def backtest(
    series: pd.Series | SeriesCheck,
    models: Sequence[str | Model] | None = None,
    horizons: Sequence[int] = (1, 2),
    min_train: int = 5,
    *,
    break_year: Period | None = None,
    break_mode: str = "segment",
    name: str | None = None,
) -> Backtest:
    """Rolling-origin (time series cross-validation) backtest with an expanding window.

    For each origin ``t`` from the ``min_train``-th point to the second-last, every model is fitted on the
    points up to ``t`` only and forecasts ``t + h`` for each horizon in ``horizons`` that is still inside
    the series (FPP3 section 5.10). Errors are scaled by the in-sample naive one-step MAE of that training
    window (MASE, Hyndman & Koehler 2006).

    Parameters
    ----------
    series
        The series (see :func:`check_series`) or a :class:`SeriesCheck`.
    models
        Model names (:data:`MODELS`) or :class:`Model` objects; the naive model is always included, first.
        Default :data:`DEFAULT_MODELS`.
    horizons
        Steps ahead to score.
    min_train
        Points in the first training window.
    break_year, break_mode, name
        As in :func:`check_series`.

    Returns
    -------
    Backtest
        Empty tables, a note and a :class:`ForecastWarning` when the series is too short (fewer than
        ``min_train + 1`` points).
    """
    hs = _check_backtest_args(horizons, min_train)
    chk = check_series(series, name=name, break_year=break_year, break_mode=break_mode)
    mods = _resolve_models(models)
    names = tuple(m.name for m in mods)
    n, hmax = chk.n, max(hs)
    notes = list(chk.notes)
    if n < min_train + 1:
        msg = (f"Series {chk.name!r} has {n} points: too short to backtest (needs at least {min_train + 1} "
               f"with a first training window of {min_train}).")
        warnings.warn(msg, ForecastWarning, stacklevel=2)
        notes.append(msg)
        return Backtest(pd.DataFrame(columns=_FC_COLUMNS), pd.DataFrame(columns=_METRIC_COLUMNS), chk, names,
                        tuple(notes))
    y, years = chk.values, chk.years
    cols: dict[str, list] = {c: [] for c in ("model", "method", "origin_i", "horizon", "mean", "bounds")}
    scales = []
    for i in range(min_train, n):  # training = first i points, origin index i - 1
        ytr, yrs = y[:i], years[:i]
        scales.append(float(np.mean(np.abs(np.diff(ytr)))))
        hs_here = [h for h in hs if i - 1 + h < n]
        for m in mods:
            raw = m.core(yrs, ytr, hmax)
            for h in hs_here:
                cols["model"].append(m.name)
                cols["method"].append(raw.method)
                cols["origin_i"].append(i - 1)
                cols["horizon"].append(h)
                cols["mean"].append(raw.mean[h - 1])
                cols["bounds"].append(raw.bounds[h - 1])
    oi = np.array(cols["origin_i"])
    hz = np.array(cols["horizon"])
    ti = oi + hz
    mean = np.array(cols["mean"], dtype=float)
    bounds = np.vstack(cols["bounds"])
    actual = y[ti]
    err = actual - mean
    scale = np.array(scales)[oi - (min_train - 1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ase = np.where(scale > 0, np.abs(err) / scale, np.nan)
    fc = pd.DataFrame({
        "model": cols["model"], "method": cols["method"],
        "origin": [chk.label(v) for v in years[oi]], "n_train": oi + 1, "horizon": hz,
        "target": [chk.label(v) for v in years[ti]], "actual": actual, "mean": mean,
        **{c: bounds[:, k] for k, c in enumerate(BOUND_COLUMNS)},
        "error": err, "scale": scale, "ase": ase, "ape": 100 * np.abs(err) / actual,
        "in_80": (actual >= bounds[:, 0]) & (actual <= bounds[:, 1]),
        "in_95": (actual >= bounds[:, 2]) & (actual <= bounds[:, 3]),
        "scored": ~np.isin(years[ti], list(chk.unscored_years)),
    })
    if (scale == 0).any():
        notes.append("Some training windows have no year-to-year change: MASE is not defined for their forecasts.")
    if not fc["scored"].all():
        notes.append(f"{int((~fc['scored']).sum() / len(mods))} forecast(s) of the break year are not scored.")
    return Backtest(fc, score(fc, names), chk, names, tuple(notes))


def score(forecasts: pd.DataFrame, models: Sequence[str] | None = None) -> pd.DataFrame:
    """Metrics by model and horizon from a backtest's ``forecasts`` table (scored rows only).

    Returns
    -------
    pandas.DataFrame
        ``model``, ``horizon``, ``n``, ``mae``, ``mase`` (mean of ``ase``), ``mape``, ``coverage_80``,
        ``coverage_95`` (shares 0-1 of actuals inside the interval; rows with no interval left out),
        ``rel_mae`` (MAE / naive MAE on the same targets; 1 for naive itself).
    """
    fc = forecasts[forecasts["scored"]]
    if fc.empty:
        return pd.DataFrame(columns=_METRIC_COLUMNS)
    has_int = np.isfinite(fc["lower_80"].to_numpy(dtype=float))
    g = fc.assign(abs_error=fc["error"].abs(), in_80=fc["in_80"].astype(float).where(has_int),
                  in_95=fc["in_95"].astype(float).where(has_int))
    out = g.groupby(["model", "horizon"], sort=False).agg(
        n=("error", "size"), mae=("abs_error", "mean"), mase=("ase", "mean"), mape=("ape", "mean"),
        coverage_80=("in_80", "mean"), coverage_95=("in_95", "mean"),
    ).reset_index()
    naive_mae = out[out["model"] == "naive"].set_index("horizon")["mae"]
    out["rel_mae"] = out["mae"] / out["horizon"].map(naive_mae)
    if models is not None:
        out["model"] = pd.Categorical(out["model"], categories=list(models), ordered=True)
        out = out.sort_values(["model", "horizon"]).reset_index(drop=True)
        out["model"] = out["model"].astype(str)
    return out[_METRIC_COLUMNS]


@dataclass(frozen=True)
class ModelChoice:
    """The model chosen by :func:`choose_model` and why.

    Attributes
    ----------
    model
        The chosen model's name.
    reason
        One plain-English sentence.
    table
        One row per model, pooled over horizons: ``n``, ``mase``, ``mape``, ``coverage_80``,
        ``coverage_95``, ``rel_mae``, ``win_rate`` (share of forecasts with a smaller absolute error than naive's).
    """

    model: str
    reason: str
    table: pd.DataFrame


def choose_model(bt: Backtest, *, baseline: str = "naive", margin: float = 0.10, min_scored: int = 3) -> ModelChoice:
    """Choose a model by mean MASE over the scored backtest forecasts (all horizons pooled).

    Rule: the baseline (naive) is kept unless another model's mean MASE is at least ``margin`` (10%) lower
    than naive's on the same forecasts. It is also kept when there is insufficient evidence: fewer than
    ``min_scored`` scored forecasts, or MASE not defined. Ties go to the model listed first (naive first).

    Parameters
    ----------
    bt
        A :class:`Backtest`.
    baseline
        The default model.
    margin
        Relative improvement in mean MASE a model needs over the baseline (0.10 = 10%).
    min_scored
        Fewest scored forecasts (per model) to choose anything but the baseline.
    """
    if not 0 <= margin < 1:
        raise ParameterError(f"margin must be between 0 and 1, not {margin!r}")
    fc = bt.forecasts[bt.forecasts["scored"]] if len(bt.forecasts) else bt.forecasts
    cols = ["model", "n", "mase", "mape", "coverage_80", "coverage_95", "rel_mae", "win_rate"]
    if fc.empty:
        return ModelChoice(baseline, "No backtest was possible (series too short): the naive forecast is used, "
                                     "with no backtest error to show.", pd.DataFrame(columns=cols))
    key = ["origin", "horizon"]
    base_err = fc[fc["model"] == baseline].set_index(key)["error"].abs()
    abs_e = fc["error"].abs().to_numpy()
    b = base_err.reindex(pd.MultiIndex.from_frame(fc[key])).to_numpy()
    has_int = np.isfinite(fc["lower_80"].to_numpy(dtype=float))
    g = fc.assign(abs_error=abs_e, win=(abs_e < b).astype(float),
                  in_80=fc["in_80"].astype(float).where(has_int), in_95=fc["in_95"].astype(float).where(has_int))
    table = g.groupby("model", sort=False).agg(
        n=("error", "size"), mase=("ase", "mean"), mape=("ape", "mean"), coverage_80=("in_80", "mean"),
        coverage_95=("in_95", "mean"), mae=("abs_error", "mean"), win_rate=("win", "mean"),
    ).reindex([m for m in bt.models if m in set(fc["model"])])
    table["rel_mae"] = table["mae"] / table.loc[baseline, "mae"]
    table = table.reset_index()[cols]
    n_base = int(table.loc[table["model"] == baseline, "n"].iloc[0])
    base_mase = float(table.loc[table["model"] == baseline, "mase"].iloc[0])
    if n_base < min_scored:
        return ModelChoice(baseline, f"Insufficient evidence: only {n_base} scored backtest forecast(s) (at least "
                                     f"{min_scored} needed to prefer another model), so naive is used.", table)
    if not np.isfinite(base_mase):
        return ModelChoice(baseline, "MASE is not defined (the training data never change): naive is used.", table)
    mases = table["mase"].to_numpy(dtype=float)
    best = int(np.nanargmin(mases))  # first of equal minima: models are in the order given, naive first
    best_name, best_mase = table["model"].iloc[best], mases[best]
    if best_name == baseline:
        return ModelChoice(baseline, f"Naive has the lowest mean MASE ({base_mase:.2f}): no model beats it.", table)
    gain = 1 - best_mase / base_mase
    if gain >= margin:
        return ModelChoice(best_name, f"{best_name} has mean MASE {best_mase:.2f} against naive's {base_mase:.2f}: "
                                      f"{gain:.0%} better (at least {margin:.0%} needed).", table)
    return ModelChoice(baseline, f"{best_name} (mean MASE {best_mase:.2f}) beats naive ({base_mase:.2f}) by only "
                                 f"{gain:.0%}, less than the {margin:.0%} needed: naive is used.", table)


@dataclass
class ForecastReport:
    """Everything :func:`forecast_series` found: the chosen forecast, the alternatives and the evidence.

    Attributes
    ----------
    forecast
        The chosen model's forecast, with its backtest metrics attached (``forecast.backtest``).
    choice
        The model choice and its reason.
    backtest
        The backtest (``None`` when the series was too short).
    candidates
        Every model's forecast, each with its own backtest metrics.
    check
        The checked series.
    """

    forecast: Forecast
    choice: ModelChoice
    backtest: Backtest | None
    candidates: dict[str, Forecast]
    check: SeriesCheck

    def table(self) -> pd.DataFrame:
        """All candidates' forecasts with their backtest errors (:meth:`Forecast.to_frame`), chosen flagged."""
        out = pd.concat([f.to_frame() for f in self.candidates.values()], ignore_index=True)
        out.insert(2, "chosen", out["model"] == self.choice.model)
        return out


def forecast_series(
    series: pd.Series,
    models: Sequence[str | Model] | None = None,
    horizon: int = 2,
    *,
    horizons: Sequence[int] = (1, 2),
    min_train: int = 5,
    break_year: Period | None = None,
    break_mode: str = "segment",
    margin: float = 0.10,
    min_scored: int = 3,
    name: str | None = None,
) -> ForecastReport:
    """Check, backtest, choose and forecast one series.

    Parameters
    ----------
    series
        Annual values (see :func:`check_series`).
    models
        Candidate models (names or :class:`Model`); naive is always included. Default :data:`DEFAULT_MODELS`.
    horizon
        Years to forecast.
    horizons, min_train
        Backtest settings (:func:`backtest`).
    break_year, break_mode, name
        As in :func:`check_series`.
    margin, min_scored
        Model-choice rule (:func:`choose_model`).

    Returns
    -------
    ForecastReport
        When the series is too short to backtest: a :class:`ForecastWarning`, the naive forecast only, and
        ``backtest`` ``None``.
    """
    h = _check_horizon(horizon)
    _check_backtest_args(horizons, min_train)
    chk = check_series(series, name=name, break_year=break_year, break_mode=break_mode)
    mods = _resolve_models(models)
    if chk.n < min_train + 1:
        msg = (f"Series {chk.name!r} has {chk.n} points: too short to backtest (needs at least {min_train + 1}), "
               "so only the naive forecast is made and it has no backtest error.")
        warnings.warn(msg, ForecastWarning, stacklevel=2)
        fc = NAIVE.forecast(chk, h)
        fc.notes = (*fc.notes, msg)
        choice = ModelChoice("naive", msg, pd.DataFrame())
        return ForecastReport(fc, choice, None, {"naive": fc}, chk)
    bt = backtest(chk, mods, horizons, min_train)
    choice = choose_model(bt, margin=margin, min_scored=min_scored)
    candidates = {}
    for m in mods:
        fc = m.forecast(chk, h)
        fc.backtest = bt.metrics[bt.metrics["model"] == m.name].drop(columns="model").reset_index(drop=True)
        candidates[m.name] = fc
    chosen = candidates[choice.model]
    chosen.notes = (*chosen.notes, choice.reason)
    return ForecastReport(chosen, choice, bt, candidates, chk)


# --------------------------------------------------------------------------------------------------------
# Budget pressures
# --------------------------------------------------------------------------------------------------------


def budget_table(
    clients_forecast: Forecast | float,
    unit_cost: float,
    weeks: float = 52.0,
    *,
    demography_growth: float,
    price_uplifts: Mapping[str, float] | None = None,
    base_clients: float | None = None,
    demography_basis: str = "population growth of the driving age band",
) -> pd.DataFrame:
    """Split next year's cost pressure into demography, need (other volume growth) and price.

    With base clients ``c0``, next year's clients ``c1``, weekly unit cost ``u``, weeks ``w``, demographic
    growth ``g`` and price uplifts ``p_i`` (each the rise in the unit cost it causes, added):

    * demography = ``c0 x g x u x w``
    * need = ``(c1 - c0 x (1 + g)) x u x w`` (volume growth not explained by demography)
    * price ``i`` = ``c1 x u x p_i x w``

    They add up exactly to ``c1 x u x (1 + sum p_i) x w - c0 x u x w`` (volume at this year's price, price at
    next year's volume: the convention of the design's price/volume variance split).

    Parameters
    ----------
    clients_forecast
        A :class:`Forecast` (its first step is next year; its 80% interval gives the low/high columns) or
        next year's clients as a number (then ``base_clients`` is needed).
    unit_cost
        Cost per client per week in pounds (for an annual cost per client pass ``weeks=1``).
    weeks
        Weeks of care per client per year.
    demography_growth
        Growth of the driving population next year as a fraction (``0.012`` = 1.2%), e.g. from
        :func:`helpers.analysis.demand.demography.band_growth`.
    price_uplifts
        Named unit-cost rises as fractions, e.g. ``{"inflation (CPI)": 0.02, "National Living Wage": 0.04}``.
        None means no price rise, and the table says so.
    base_clients
        This year's clients; default the forecast's last observed value.
    demography_basis
        Text describing where ``demography_growth`` comes from (shown in the table).

    Returns
    -------
    pandas.DataFrame
        Rows ``base year cost``, ``demography``, ``need (other volume growth)``, one ``price: <name>`` row per
        uplift, ``total pressure``, ``next year cost``; columns ``component``, ``clients``,
        ``unit_cost_gbp_per_week``, ``amount_gbp_k`` (£ thousands), ``low_80_gbp_k``, ``high_80_gbp_k`` (from
        the forecast's 80% interval of clients, where it applies) and ``assumption``.
    """
    if isinstance(clients_forecast, Forecast):
        row = clients_forecast.table.iloc[0]
        c1, lo, hi = float(row["mean"]), float(row["lower_80"]), float(row["upper_80"])
        c0 = clients_forecast.last_value if base_clients is None else float(base_clients)
        basis = (f"{clients_forecast.method} forecast for {clients_forecast.table.index[0]} "
                 f"(80% interval {lo:,.0f} to {hi:,.0f})")
    else:
        if base_clients is None:
            raise ParameterError("base_clients is needed when clients_forecast is a number")
        c1, lo, hi, c0 = float(clients_forecast), np.nan, np.nan, float(base_clients)
        basis = "clients assumed for next year"
    for label, v in (("unit_cost", unit_cost), ("weeks", weeks), ("base_clients", c0), ("clients", c1)):
        if not np.isfinite(v) or v < 0:
            raise ParameterError(f"{label} must be a non-negative number, not {v!r}")
    if not np.isfinite(demography_growth):
        raise ParameterError(f"demography_growth must be a number (a fraction), not {demography_growth!r}")
    uplifts = dict(price_uplifts or {})
    k = unit_cost * weeks / 1000.0  # £ thousands per client-year at this year's price
    p = sum(uplifts.values())
    c_demog = c0 * demography_growth
    rows = [("base year cost", c0, unit_cost, c0 * k, np.nan, np.nan, "this year's clients x unit cost x weeks")]
    rows.append(("demography", c_demog, unit_cost, c_demog * k, np.nan, np.nan,
                 f"{demography_growth:+.2%} {demography_basis}"))

    def need(c: float) -> float:
        return (c - c0 - c_demog) * k

    rows.append(("need (other volume growth)", c1 - c0 - c_demog, unit_cost, need(c1), need(lo), need(hi),
                 f"{basis}, less demography"))
    for nm, u in uplifts.items():
        rows.append((f"price: {nm}", c1, unit_cost * u, c1 * u * k, lo * u * k, hi * u * k,
                     f"unit cost {u:+.2%}"))
    if not uplifts:
        rows.append(("price", c1, 0.0, 0.0, 0.0, 0.0, "no price rise assumed"))

    def total(c: float) -> float:
        return c * (1 + p) * k - c0 * k

    rows.append(("total pressure", c1 - c0, np.nan, total(c1), total(lo), total(hi), "sum of the rows above"))
    rows.append(("next year cost", c1, unit_cost * (1 + p), c1 * (1 + p) * k, lo * (1 + p) * k,
                 hi * (1 + p) * k, f"unit cost {p:+.2%} in all, {weeks:g} weeks"))
    return pd.DataFrame(rows, columns=["component", "clients", "unit_cost_gbp_per_week", "amount_gbp_k",
                                       "low_80_gbp_k", "high_80_gbp_k", "assumption"])


__all__ = [
    "BOUND_COLUMNS", "BREAK_MODES", "DEFAULT_MODELS", "LEVELS", "MODELS", "Backtest", "Forecast",
    "ForecastReport", "ForecastWarning", "Model", "ModelChoice", "SeriesCheck", "admissions_from_rate", "backtest",
    "budget_table", "check_series", "choose_model", "coverage", "drift", "driver_model", "ets", "forecast_series",
    "linear_trend", "mape", "mase", "naive", "parse_period", "period_label", "placements_from_weeks", "score",
    "stock_flow_model",
]
