"""The candidate forecasts of every council at one origin, made with what all councils knew then (numpy).

Every candidate works on the log of the series and continues each council's last value by a growth rate, so
that it is a multiplicative forecast ``y_T x exp(growth)``. Growth is learnt only from *ordinary* changes
(``Panel.growth_ok``: never the change of collection, never COVID's), only from years up to the origin, and
wherever it can from all councils at once rather than from one council's few points. The methods and their
sources are in ``docs/methods.md`` ("Demand forecasting"); the settings below were fixed before any
evaluation was run (``docs/decisions.md``).

* ``naive`` -- the last value ("same as last year").
* ``pooled`` -- the median across councils of each council's mean change over its last :data:`W_POOL`
  ordinary changes (a robust common growth).
* ``pooled_type`` -- the same median within the council's type (London borough, metropolitan district,
  unitary, county) where at least :data:`MIN_GROUP` councils of the type have one, else ``pooled``.
* ``pooled_region`` -- the 20%-trimmed mean (:data:`TRIM` each side) of the same recent changes within the
  council's region where at least :data:`MIN_GROUP` councils of the region have one, else of all councils.
* ``half_pooled`` -- half the ``pooled`` growth: the mean in logs of ``naive`` and ``pooled`` (a combination
  with the benchmark, which keeps the common growth where it is real and halves its miss where it is not).
* ``shrunk_drift`` -- the council's own mean change over its last :data:`W_OWN` ordinary changes, shrunk
  towards its type's median by empirical Bayes (James-Stein / method of moments): weight
  ``tau^2 / (tau^2 + s_i^2 / n_i)`` on its own drift.
* ``smoothed`` -- ``pooled_type`` growth from a smoothed last level instead of the last value: simple
  exponential smoothing of each council's series with the smoothing weight estimated across councils from the
  lag-1 autocorrelation of their changes (year effects removed), the local-level model's ``alpha = 1 + theta``
  for an MA(1) of the changes; the level restarts at every change that is not ordinary.
* ``damped`` -- Holt's damped trend (statsmodels) on the council's log series, where it has at least
  :data:`MIN_DAMPED` years: a trend fitted on a short window is not offered. Costly (one fit per council and
  origin) and not among :data:`CANDIDATES` (``docs/decisions.md``): ``scripts/bench_demand.py --damped``
  evaluates it.
* ``driver`` -- the growth of the council's driving population (65+ or 18-64: ONS estimates up to the origin,
  cohort ageing beyond), the rate per head held.
* ``driver_85`` -- the growth of the council's population aged 85+ (older people's series).
* ``driver_rate`` -- ``driver`` plus the median across councils of the recent change in the rate per head.
* ``combination`` -- the mean (in logs) of ``pooled_type``, ``shrunk_drift`` and ``driver_rate`` where each
  is available.
* ``combination_median`` -- the median (in logs) of ``naive``, ``pooled``, ``pooled_region``, ``shrunk_drift``,
  ``smoothed``, ``driver`` and ``driver_rate`` where each is available (a robust combination that includes
  "same as last year").
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers.analysis.demand.panel import Panel

#: Ordinary changes per council behind the pooled growth (the recent common trend).
W_POOL = 3
#: Ordinary changes per council behind its own drift and its scale (the recent years, not the whole history).
W_OWN = 8
#: Share trimmed from each end for the regional trimmed mean.
TRIM = 0.2
#: Councils needed for a median by council type (else the median of all councils is used).
MIN_GROUP = 10
#: Years of history the damped trend needs.
MIN_DAMPED = 10
#: Pairs of changes needed to estimate the smoothing weight (else no smoothing: weight 1).
MIN_PAIRS = 100
#: The smoothing weight is kept in ``[MIN_ALPHA, 1]``.
MIN_ALPHA = 0.3
#: The candidates of the procedure, in the order tables show them (naive first).
CANDIDATES: tuple[str, ...] = ("naive", "pooled", "pooled_type", "pooled_region", "half_pooled", "shrunk_drift",
                               "smoothed", "driver", "driver_85", "driver_rate", "combination", "combination_median")
#: Every candidate that can be made (``damped`` only on request).
ALL_CANDIDATES: tuple[str, ...] = (*CANDIDATES, "damped")
#: What each candidate does, in plain words (for the report).
DESCRIPTIONS: dict[str, str] = {
    "naive": "same as last year",
    "pooled": "last year's figure grown at the typical recent rate of all councils",
    "pooled_type": "last year's figure grown at the typical recent rate of councils of the same type",
    "pooled_region": "last year's figure grown at the typical recent rate of councils in the same region",
    "half_pooled": "last year's figure grown at half the typical recent rate of all councils",
    "shrunk_drift": "the council's own trend of recent years, pulled towards the typical trend of its type",
    "smoothed": "the typical rate of councils of the same type, from a smoothed last level",
    "damped": "a damped trend fitted to the council's own history (long series only)",
    "driver": "last year's figure grown with the council's driving population",
    "driver_85": "last year's figure grown with the council's population aged 85 and over",
    "driver_rate": "the driving population's growth plus the typical recent change in use per head",
    "combination": "the average of the type rate, the shrunk trend and the population-with-use-per-head "
                   "forecasts",
    "combination_median": "the middle one of 'same as last year' and six of the other methods' forecasts",
}
_COMBINED = ("pooled_type", "shrunk_drift", "driver_rate")
_MEDIAN_OF = ("naive", "pooled", "pooled_region", "shrunk_drift", "smoothed", "driver", "driver_rate")


@dataclass
class OriginForecasts:
    """Every candidate's forecasts of every council from one origin.

    Attributes
    ----------
    origin
        Column of the origin in the panel.
    logs
        Candidate -> ``[councils, horizon]`` log forecasts of steps 1..horizon (NaN where it has none).
    scale
        Each council's mean absolute ordinary change over its last :data:`W_OWN` changes, in the series' unit
        (the MASE scale); NaN with fewer than 2 such changes.
    log_scale
        The same on the log scale (the interval scale).
    n_scale
        The number of changes behind each council's scales.
    """

    origin: int
    logs: dict[str, np.ndarray]
    scale: np.ndarray
    log_scale: np.ndarray
    n_scale: np.ndarray


def ordinary_changes(values: np.ndarray, growth_ok: np.ndarray, origin: int) -> np.ndarray:
    """``[councils, origin]`` changes into columns ``1..origin`` (NaN where not ordinary or not both known)."""
    d = values[:, 1:origin + 1] - values[:, :origin]
    return np.where(growth_ok[1:origin + 1], d, np.nan)


def last_k(d: np.ndarray, k: int) -> np.ndarray:
    """The last ``k`` known values of each row of ``d`` (others NaN), same shape."""
    known = np.isfinite(d)
    rank = np.cumsum(known[:, ::-1], axis=1)[:, ::-1]  # known values at or after each column
    return np.where(known & (rank <= k), d, np.nan)


def _mean_count(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.isfinite(d).sum(axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(n > 0, np.nansum(d, axis=1) / np.maximum(n, 1), np.nan), n


def group_median(x: np.ndarray, groups: np.ndarray, min_group: int = MIN_GROUP,
                 stat: Callable[[np.ndarray], float] = np.median) -> np.ndarray:
    """For each row, ``stat`` (default the median) of ``x`` in its group (at least ``min_group`` known
    values), else of all."""
    ok = np.isfinite(x)
    overall = float(stat(x[ok])) if ok.sum() >= min_group else np.nan
    out = np.full(len(x), overall)
    for g in np.unique(groups):
        sel = groups == g
        v = x[sel & ok]
        if len(v) >= min_group:
            out[sel] = stat(v)
    return out


def trimmed_mean(v: np.ndarray) -> float:
    """The mean of ``v`` with :data:`TRIM` of its values cut from each end (``scipy.stats.trim_mean``)."""
    return float(stats.trim_mean(v, TRIM))


def shrink(d: np.ndarray, var: np.ndarray, n: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Empirical-Bayes shrinkage of each council's mean change ``d`` towards ``prior``.

    ``d_i ~ N(theta_i, s_i^2 / n_i)``, ``theta_i ~ N(prior_i, tau^2)``; ``tau^2`` by the method of moments,
    robustly: ``max(0, (1.4826 MAD(d - prior))^2 - median(s^2 / n))``; the posterior mean is
    ``prior + w (d - prior)``, ``w = tau^2 / (tau^2 + s_i^2 / n_i)``. A council with fewer than 2 changes
    gets the prior.
    """
    ok = np.isfinite(d) & np.isfinite(var) & (n >= 2) & np.isfinite(prior)
    out = prior.copy()
    if ok.sum() < 3:
        return out
    dev = d[ok] - prior[ok]
    se2 = var[ok] / n[ok]
    spread = 1.4826 * np.median(np.abs(dev - np.median(dev)))
    tau2 = max(0.0, spread**2 - float(np.median(se2)))
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(tau2 + se2 > 0, tau2 / (tau2 + se2), 0.0)
    out[ok] = prior[ok] + w * dev
    return out


def smoothing_weight(d: np.ndarray) -> float:
    """The pooled smoothing weight ``alpha`` from ordinary changes ``d`` ``[councils, years]`` (module notes).

    Each year's median change is taken out (the common shock); ``rho`` is the correlation of successive
    changes over every council; an MA(1) of the changes with that ``rho`` has
    ``theta = (1 - sqrt(1 - 4 rho^2)) / (2 rho)`` and the local level ``alpha = 1 + theta`` (FPP3 section 9.10:
    simple exponential smoothing is ARIMA(0,1,1)). Kept in ``[MIN_ALPHA, 1]``; 1 (no smoothing) with fewer
    than :data:`MIN_PAIRS` pairs or ``rho >= 0``.
    """
    if d.shape[1] < 2:
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x = d - np.nanmedian(d, axis=0)
    a, b = x[:, 1:], x[:, :-1]
    m = np.isfinite(a) & np.isfinite(b)
    if m.sum() < MIN_PAIRS:
        return 1.0
    rho = float(np.corrcoef(a[m], b[m])[0, 1])
    if not np.isfinite(rho) or rho >= 0:
        return 1.0
    rho = max(rho, -0.499)
    theta = (1 - np.sqrt(1 - 4 * rho**2)) / (2 * rho)
    return float(min(1.0, max(MIN_ALPHA, 1 + theta)))


def smoothed_level(logs: np.ndarray, growth_ok: np.ndarray, origin: int, alpha: float) -> np.ndarray:
    """Each council's smoothed log level at ``origin``: ``l_t = alpha y_t + (1 - alpha)(l_{t-1} + m_t)``.

    ``m_t`` is the median change across councils into year ``t``; the level restarts at ``y_t`` where the
    change into ``t`` is not ordinary or the year before is unknown.
    """
    level = logs[:, 0].copy()
    for t in range(1, origin + 1):
        y = logs[:, t]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            m = float(np.nanmedian(y - logs[:, t - 1])) if np.isfinite(y - logs[:, t - 1]).any() else 0.0
        smooth = alpha * y + (1 - alpha) * (level + m)
        restart = ~growth_ok[t] | ~np.isfinite(level)
        level = np.where(restart, y, smooth)
        level = np.where(np.isfinite(y), level, np.nan)
    return level


def _damped(logs: np.ndarray, origin: int, horizon: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import Holt  # lazy: statsmodels takes about a second to import

    out = np.full((logs.shape[0], horizon), np.nan)
    for i in range(logs.shape[0]):
        y = logs[i, :origin + 1]
        known = np.isfinite(y)
        if not known[-1]:
            continue
        bad = np.flatnonzero(~known)
        run = y[bad[-1] + 1:] if bad.size else y
        if len(run) < MIN_DAMPED:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fit = Holt(run, damped_trend=True, initialization_method="estimated").fit()
                fc = np.asarray(fit.forecast(horizon), dtype=float)
            except (ValueError, np.linalg.LinAlgError):
                continue
        if np.isfinite(fc).all():
            out[i] = fc
    return out


def forecasts_at(panel: Panel, origin: int, horizon: int, *, known_until: int | None = None,
                 candidates: tuple[str, ...] = CANDIDATES) -> OriginForecasts:
    """Every candidate's log forecasts of every council from column ``origin`` (see the module notes).

    Parameters
    ----------
    panel
        The series' panel.
    origin
        Column of the last year known.
    horizon
        Steps ahead.
    known_until
        The last mid-year of population estimates the driver candidates may use: default the origin's own
        (ex-ante, as in the evaluation); the final forecast passes the latest published.
    candidates
        The candidates to make (default :data:`CANDIDATES`; ``damped`` too from :data:`ALL_CANDIDATES`); one
        that does not apply to the series (no driving population, no long history) is all NaN.
    """
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return _forecasts_at(panel, origin, horizon, known_until, candidates)


def _forecasts_at(panel: Panel, origin: int, horizon: int, known_until: int | None,
                  candidates: tuple[str, ...]) -> OriginForecasts:
    logs = panel.logs
    last = logs[:, origin]
    steps = np.arange(1, horizon + 1)
    d = ordinary_changes(logs, panel.growth_ok, origin)
    du = ordinary_changes(panel.values, panel.growth_ok, origin)
    own, n_own = _mean_count(last_k(d, W_OWN))
    recent, _ = _mean_count(last_k(d, W_POOL))
    types = panel.council_types
    out: dict[str, np.ndarray] = {}

    def grow(g: np.ndarray) -> np.ndarray:
        return last[:, None] + np.asarray(g, dtype=float).reshape(-1, 1) * steps

    out["naive"] = np.repeat(last[:, None], horizon, axis=1)
    pool = group_median(recent, np.zeros(len(last)))
    out["pooled"] = grow(pool)
    out["pooled_type"] = grow(group_median(recent, types))
    regions = panel.regions if panel.regions is not None else np.zeros(len(last))
    out["pooled_region"] = grow(group_median(recent, regions, stat=trimmed_mean))
    out["half_pooled"] = grow(pool / 2)
    with np.errstate(invalid="ignore"):
        var = np.nanvar(last_k(d, W_OWN), axis=1, ddof=1) if d.shape[1] else np.full(len(last), np.nan)
    out["shrunk_drift"] = grow(shrink(own, var, n_own, group_median(own, types)))
    alpha = smoothing_weight(d)
    out["smoothed"] = smoothed_level(logs, panel.growth_ok, origin, alpha)[:, None] + \
        group_median(recent, types)[:, None] * steps
    nan = np.full((len(last), horizon), np.nan)
    out["damped"] = _damped(logs, origin, horizon) if "damped" in candidates else nan
    for name in ("driver", "driver_85", "driver_rate"):
        out[name] = nan
    pop = panel.population
    start = int(panel.years[origin])
    if pop is not None and len(pop.mid_years()) and start >= int(pop.mid_years()[0]):
        until = start if known_until is None else max(start, known_until)
        for name, band in (("driver", panel.band), ("driver_85", "85+" if panel.band == "65+" else None)):
            if band is None:
                continue
            p = pop.paths(start, until, horizon, band)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[name] = last[:, None] + np.log(p[:, 1:] / p[:, :1])
        est = pop.estimates(panel.band).reindex(columns=[int(y) for y in panel.years[:origin + 1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = logs[:, :origin + 1] - np.log(est.to_numpy(dtype=float))
        rate_change, _ = _mean_count(last_k(ordinary_changes(rate, panel.growth_ok, origin), W_POOL))
        out["driver_rate"] = out["driver"] + group_median(rate_change, np.zeros(len(last)))[:, None] * steps
    parts = np.stack([out[c] for c in _COMBINED])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out["combination"] = np.nanmean(parts, axis=0)
        out["combination_median"] = np.nanmedian(np.stack([out[c] for c in _MEDIAN_OF]), axis=0)
    for c in out:
        out[c] = np.where(np.isfinite(last)[:, None], out[c], np.nan)
    absd = np.abs(last_k(du, W_OWN))
    n_scale = np.isfinite(absd).sum(axis=1)
    with np.errstate(invalid="ignore"):
        scale = np.where(n_scale >= 2, np.nanmean(absd, axis=1) if absd.shape[1] else np.nan, np.nan)
        log_scale = np.where(n_scale >= 2, np.nanmean(np.abs(last_k(d, W_OWN)), axis=1) if d.shape[1] else np.nan,
                             np.nan)
    return OriginForecasts(origin, {c: out[c] for c in candidates}, scale, log_scale, n_scale)


__all__ = ["ALL_CANDIDATES", "CANDIDATES", "DESCRIPTIONS", "MIN_ALPHA", "MIN_DAMPED", "MIN_GROUP", "MIN_PAIRS",
           "TRIM", "W_OWN", "W_POOL", "OriginForecasts", "forecasts_at", "group_median", "last_k", "ordinary_changes",
           "shrink", "smoothed_level", "smoothing_weight", "trimmed_mean"]
