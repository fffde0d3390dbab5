"""Backtest, scores and model choice of the demand forecasts.

:func:`backtest` makes rolling-origin forecasts (expanding window) and scores them (MASE, MAPE, interval
coverage); :func:`choose_model` keeps the naive forecast unless another model beats it clearly;
:func:`forecast_series` does all of it and attaches each model's backtest error to its forecast;
:func:`backtest_table` sets the candidates' errors side by side. The settings the notebook uses
(:data:`MIN_TRAIN`, :data:`HORIZONS`) were fixed before looking at the data (``docs/decisions.md``); the
method is in ``docs/methods.md`` ("Demand forecasting").
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
    NAIVE,
    Forecast,
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
    horizons: Sequence[int] = HORIZONS,
    min_train: int = MIN_TRAIN,
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
        Candidate models (names or :class:`Model`); naive is always included. Default
        :data:`~helpers.analysis.demand.models.DEFAULT_MODELS`.
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
    h = horizon_steps(horizon)
    _check_backtest_args(horizons, min_train)
    chk = check_series(series, name=name, break_year=break_year, break_mode=break_mode)
    mods = resolve_models(models)
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




def backtest_table(report: ForecastReport, horizons: Sequence[int] = HORIZONS) -> pd.DataFrame:
    """Each candidate's backtest error: MASE by horizon, pooled MASE, relative MAE, MAPE, coverage, wins.

    Parameters
    ----------
    report
        A :class:`ForecastReport` with a backtest (``report.backtest`` not ``None``, a choice table).
    horizons
        The horizons to show a MASE and a count of scored forecasts for.

    Returns
    -------
    pandas.DataFrame
        One row per candidate in backtest order: ``model``, ``method (latest fit)``, ``chosen``, ``MASE <h>y
        ahead`` and ``n <h>y`` for each horizon, ``MASE (all)``, ``MAE / naive MAE``, ``MAPE %``, ``80% interval
        coverage``, ``95% interval coverage``, ``beats naive (share of forecasts)``; rounded to 3 decimals.
    """
    r = report
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
        for hz in horizons:
            row[f"MASE {hz}y ahead"] = wide.loc[m, hz] if hz in wide.columns else np.nan
            row[f"n {hz}y"] = int(n.loc[m, hz]) if hz in n.columns and np.isfinite(n.loc[m, hz]) else 0
        row.update({"MASE (all)": t.loc[m, "mase"], "MAE / naive MAE": t.loc[m, "rel_mae"],
                    "MAPE %": t.loc[m, "mape"], "80% interval coverage": t.loc[m, "coverage_80"],
                    "95% interval coverage": t.loc[m, "coverage_95"],
                    "beats naive (share of forecasts)": t.loc[m, "win_rate"]})
        rows.append(row)
    return pd.DataFrame(rows).round(3)


__all__ = [
    "HORIZONS", "MIN_TRAIN", "Backtest", "ForecastReport", "ModelChoice", "backtest", "backtest_table",
    "choose_model", "coverage", "forecast_series", "mape", "mase", "score",
]
