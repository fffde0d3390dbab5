"""The rolling-origin backtest of one series by the single-series models of :mod:`helpers.analysis.demand.models`.

:func:`backtest` makes rolling-origin forecasts (expanding window) of one series and scores them (MASE, MAPE,
interval coverage): the check of those models on a single series. The report's forecasts come from the pooled
evaluation across councils (:mod:`helpers.analysis.demand.rolling`), which chooses among its candidates on
every council's errors; no model is chosen per council on its few backtest points (issue 15 removed that rule,
``choose_model``, and ``forecast_series``). The method is in ``docs/methods.md`` ("Demand forecasting").
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis.demand.checks import Period, SeriesCheck, check_series, horizon_steps
from helpers.analysis.demand.models import (
    BOUND_COLUMNS,
    ForecastWarning,
    Model,
    resolve_models,
)
from helpers.core.errors import ParameterError

#: Backtest settings: a first training window of 5 points, forecasts scored 1 and 2 years ahead.
MIN_TRAIN = 5
HORIZONS: tuple[int, ...] = (1, 2)


# --------------------------------------------------------------------------------------------------------
# Metrics and the backtest
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
    hs = tuple(sorted({horizon_steps(h) for h in horizons}))
    if not hs:
        raise ParameterError("horizons must name at least one horizon, e.g. (1, 2)")
    if not isinstance(min_train, (int, np.integer)) or min_train < 2:
        raise ParameterError(f"min_train must be a whole number >= 2, not {min_train!r}")
    return hs


def backtest(
    series: pd.Series | SeriesCheck,
    models: Sequence[str | Model] | None = None,
    horizons: Sequence[int] = HORIZONS,
    min_train: int = MIN_TRAIN,
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
        Model names (:data:`~helpers.analysis.demand.models.MODELS`) or :class:`Model` objects; the naive
        model is always included, first. Default :data:`~helpers.analysis.demand.models.DEFAULT_MODELS`.
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
    mods = resolve_models(models)
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


__all__ = ["HORIZONS", "MIN_TRAIN", "Backtest", "backtest", "coverage", "mape", "mase", "score"]
