"""The accuracy benchmark of the demand forecasts: the notebook's backtest and model choice for every council
and series, with a hold-out check of the choice (``scripts/bench_demand.py``; results in
``docs/performance.md``, "Demand forecast accuracy").
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis.demand.catalogue import BASE_MODELS, COVID_YEAR, SERIES, check_series_key
from helpers.analysis.demand.evaluation import HORIZONS, MIN_TRAIN, ModelChoice, backtest, choose_model
from helpers.analysis.demand.forecast import candidate_models
from helpers.analysis.demand.models import NAIVE, resolve_models
from helpers.analysis.demand.series import SeriesMeta, councils_with, same_area_codes, series_for
from helpers.core import periods
from helpers.core.errors import DataError


def _scale(y: np.ndarray) -> float:
    return float(np.mean(np.abs(np.diff(y)))) if len(y) > 1 else np.nan


def collection_run(meta: SeriesMeta, collection: str) -> pd.Series:
    """The last unbroken run of positive values of one collection in a series' history (for the history check).

    For example the PSS-EX1 years 2000-01 to 2013-14 of ``op_residential_placements``, which the notebook does
    not model (they are on another basis than ASC-FR) but which show how the models do on a long series.
    """
    h = meta.history[(meta.history["collection"] == collection)].set_index("year")["value"]
    if h.empty:
        return pd.Series(dtype=float, name=meta.spec.key)
    years = periods.fy_range(h.index[0], h.index[-1])
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
        values, meta = series_for(council, series)
    except DataError as exc:
        return {**row, "status": "no_data", "n": 0, "message": str(exc)}, []
    break_year = meta.break_year
    if collection is not None:
        values = collection_run(meta, collection)
        break_year = COVID_YEAR if len(values) and values.index[0] < COVID_YEAR <= \
            values.index[-1] else None
        models: list = list(BASE_MODELS)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models, _, _ = candidate_models(meta, max(HORIZONS), final=False)
    row["n"] = len(values)
    if len(values) < MIN_TRAIN + 1:
        return {**row, "status": "too_short" if len(values) else "no_data"}, []

    def choose(v: pd.Series) -> ModelChoice:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bt = backtest(v, models, HORIZONS, MIN_TRAIN, break_year=break_year, break_mode="exclude")
            return choose_model(bt)

    choice = choose(values)
    t = choice.table.set_index("model")
    row.update({"status": "backtested", "chosen": choice.model, "n_scored": int(t["n"].max()) if len(t) else 0,
                **{f"mase_{m}": float(t.loc[m, "mase"]) for m in t.index},
                "cov80_chosen": float(t.loc[choice.model, "coverage_80"]) if choice.model in t.index else np.nan,
                "cov95_chosen": float(t.loc[choice.model, "coverage_95"]) if choice.model in t.index else np.nan})
    held: list[dict] = []
    resolved = {m.name: m for m in resolve_models(models)}
    for k in range(min(holdout_years, len(values) - MIN_TRAIN - 1), 0, -1):
        i = len(values) - k
        train, target = values.iloc[:i], values.index[i]
        if target == break_year:
            continue
        ch = choose(train)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f_ch = resolved[ch.model].forecast(train, 1).table["mean"].iloc[0]
            f_nv = NAIVE.forecast(train, 1).table["mean"].iloc[0]
        sc = _scale(train.to_numpy())
        actual = float(values.iloc[i])
        held.append({"series": label, "gss_code": council, "target": target, "chosen": ch.model,
                     "ase_chosen": abs(actual - f_ch) / sc if sc else np.nan,
                     "ase_naive": abs(actual - f_nv) / sc if sc else np.nan,
                     "ape_chosen": 100 * abs(actual - f_ch) / actual, "ape_naive": 100 * abs(actual - f_nv) / actual})
    return row, held


def benchmark_councils(series: str) -> list[str]:
    """Every council with figures of ``series``, by current code (same-area recodes joined), sorted."""
    codes = councils_with(series)
    return sorted({same_area_codes(c)[0] for c in codes})


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
    keys = list(series) if series else list(SERIES)
    plan = [(k, None, holdout_years) for k in keys] + [(k, c, history_holdout_years) for k, c in history]
    rows, held, seconds = [], [], {}
    for key, coll, hy in plan:
        check_series_key(key)
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




__all__ = ["BenchmarkResult", "benchmark", "benchmark_councils", "benchmark_one", "benchmark_summary",
           "collection_run"]
