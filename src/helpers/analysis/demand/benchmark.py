"""The accuracy figures of the demand forecasts: out-of-sample scores of the nested procedure, of naive and of
every candidate, per series (``scripts/bench_demand.py``; results in ``docs/performance.md``, "Demand forecast
accuracy").

Every figure is out of sample: the errors are those of the rolling-origin evaluation
(:func:`helpers.analysis.demand.rolling.evaluate`), where each forecast was made with the years up to its origin
only, and the procedure was chosen at each origin from the errors of earlier forecasts only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis.demand.catalogue import SERIES, check_series_key
from helpers.analysis.demand.panel import panel_for
from helpers.analysis.demand.rolling import (
    ALPHA,
    LEVELS,
    Evaluation,
    departure_test,
    evaluate,
    evaluate_panel,
)


def scores(ev: Evaluation, horizon: int = 1) -> pd.DataFrame:
    """Per method (``procedure``, then every candidate): the scaled and percentage errors at one horizon.

    Columns: ``method``, ``n`` (scored forecasts), ``years`` (target years), ``median_se``, ``mean_se`` (scaled
    error), ``naive_median_se``, ``naive_mean_se`` (naive on the same forecasts), ``ratio_median`` and
    ``ratio_mean`` (the method's / naive's), ``median_ape`` (absolute percentage error) and ``p80_ape``.
    """
    base = ev.scaled_errors("naive")[:, :, horizon - 1]
    rows = []
    for name in ("procedure", *ev.candidates):
        se = ev.scaled_errors(name)[:, :, horizon - 1]
        ape = ev.pct_errors(name)[:, :, horizon - 1]
        m = np.isfinite(se) & np.isfinite(base)
        if not m.any():
            continue
        med_b, mean_b = float(np.median(base[m])), float(np.mean(base[m]))
        rows.append({"method": name, "n": int(m.sum()), "years": int(m.any(axis=0).sum()),
                     "median_se": float(np.median(se[m])), "mean_se": float(np.mean(se[m])),
                     "naive_median_se": med_b, "naive_mean_se": mean_b,
                     "ratio_median": float(np.median(se[m])) / med_b if med_b else np.nan,
                     "ratio_mean": float(np.mean(se[m])) / mean_b if mean_b else np.nan,
                     "median_ape": float(np.median(ape[m])), "p80_ape": float(np.quantile(ape[m], 0.8))})
    return pd.DataFrame(rows)


def by_year(ev: Evaluation) -> pd.DataFrame:
    """Each candidate's (and the procedure's) median one-year scaled error / naive's, per target year.

    Rows: methods; columns: the target years (financial years) with scored one-year forecasts.
    """
    base = ev.scaled_errors("naive")[:, :, 0]
    p = ev.panel
    rows = {}
    for name in ("procedure", *ev.candidates[1:]):
        se = ev.scaled_errors(name)[:, :, 0]
        row = {}
        for o in range(se.shape[1]):
            m = np.isfinite(se[:, o]) & np.isfinite(base[:, o])
            mb = float(np.median(base[m, o])) if m.any() else 0.0
            if mb > 0:
                row[p.label(o + 1)] = float(np.median(se[m, o])) / mb
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def departure_tests(ev: Evaluation) -> pd.DataFrame:
    """The pooled choice's tests of every candidate against naive on all the scored one-year forecasts
    (:func:`helpers.analysis.demand.rolling.departure_test`): ``method``, ``years``, ``wins``, ``p_sign``,
    ``p_dm``, and ``level`` (the Bonferroni level each p is compared with)."""
    base = ev.scaled_errors("naive")[:, :, 0]
    names = [c for c in ev.candidates if c not in ev.extra]
    level = ALPHA / max(len(names) - 1, 1)
    rows = []
    for name in names[1:]:
        se = ev.scaled_errors(name)[:, :, 0]
        m = np.isfinite(se) & np.isfinite(base)
        if m.any():
            rows.append({"method": name, **departure_test(se, base, m), "level": level})
    return pd.DataFrame(rows)


def coverage(ev: Evaluation) -> pd.DataFrame:
    """The procedure's interval coverage by horizon: ``horizon``, ``n``, ``cover_80``, ``cover_95`` over every
    scored forecast, and ``n_checked``, ``checked_80``, ``checked_95`` over those whose interval came from past
    errors (the rest use the random-walk fallback)."""
    rows = []
    checked = ev.checked  # [origins, horizons] of the pooled choice
    for h in range(ev.actual.shape[2]):
        ins = {lv: ev.inside(lv)[:, :, h] for lv in LEVELS}
        m = np.isfinite(ins[80])
        if not m.any():
            continue
        mc = m & checked[None, :, h] & (ev.chosen == np.array(ev.choice, dtype=object)[None, :])
        row = {"horizon": h + 1, "n": int(m.sum()), "n_checked": int(mc.sum())}
        for lv in LEVELS:
            row[f"cover_{lv}"] = float(ins[lv][m].mean())
            row[f"checked_{lv}"] = float(ins[lv][mc].mean()) if mc.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def councils_vs_naive(ev: Evaluation, horizon: int = 1) -> dict[str, float]:
    """Shares of councils whose mean scaled error of the procedure is below / equal to / above naive's
    (over each council's own scored forecasts at ``horizon``), and the number of councils."""
    p = ev.scaled_errors("procedure")[:, :, horizon - 1]
    b = ev.scaled_errors("naive")[:, :, horizon - 1]
    m = np.isfinite(p) & np.isfinite(b)
    has = m.any(axis=1)
    with np.errstate(invalid="ignore"):
        mp = np.where(m, p, 0).sum(axis=1) / np.maximum(m.sum(axis=1), 1)
        mb = np.where(m, b, 0).sum(axis=1) / np.maximum(m.sum(axis=1), 1)
    n = int(has.sum())
    if not n:
        return {"councils": 0, "better": np.nan, "same": np.nan, "worse": np.nan}
    tie = np.isclose(mp, mb, rtol=1e-12, atol=1e-12)
    return {"councils": n, "better": float((has & ~tie & (mp < mb)).sum() / n),
            "same": float((has & tie).sum() / n), "worse": float((has & ~tie & (mp > mb)).sum() / n)}


@dataclass
class SeriesBenchmark:
    """One series' accuracy figures (see :func:`benchmark_series`)."""

    series: str
    councils: int
    years: str
    seconds: float
    scores: dict[int, pd.DataFrame]
    coverage: pd.DataFrame
    versus_naive: dict[str, float]
    choices: dict[str, int]
    final_choice: str
    level_ratio: float | None
    years_table: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None


def benchmark_series(series: str, *, extra: Sequence[str] = ()) -> SeriesBenchmark:
    """The accuracy figures of one series (``extra`` candidates scored too, never chosen: ``("damped",)``)."""
    key = check_series_key(series)
    t0 = time.perf_counter()
    ev = evaluate_panel(panel_for(key), extra=tuple(extra)) if extra else evaluate(key)
    seconds = time.perf_counter() - t0
    p = ev.panel
    years = f"{p.label(0)} to {p.label(len(p.years) - 1)}" if len(p.years) else "-"
    choices = pd.Series(ev.choice).value_counts().to_dict() if ev.choice else {}
    return SeriesBenchmark(key, len(p.codes), years, seconds, {h: scores(ev, h) for h in (1, 2)}, coverage(ev),
                           councils_vs_naive(ev), choices, ev.choice[-1] if ev.choice else "naive",
                           p.join.ratio if p.join else None, by_year(ev), departure_tests(ev))


def benchmark(series: Sequence[str] | None = None, *, extra: Sequence[str] = (),
              progress: Callable[[str], None] | None = None) -> list[SeriesBenchmark]:
    """:func:`benchmark_series` for every catalogue series (or those named)."""
    out = []
    for key in (list(series) if series else list(SERIES)):
        b = benchmark_series(key, extra=extra)
        out.append(b)
        if progress:
            progress(f"{key}: {b.councils} councils, {b.years}, evaluated in {b.seconds:.1f} s")
    return out


def summary(results: Sequence[SeriesBenchmark], horizon: int = 1) -> pd.DataFrame:
    """One row per series: the procedure's and naive's median and mean scaled error, their ratio, coverage and
    the share of councils where the procedure beats naive (the table of ``docs/performance.md``)."""
    rows = []
    for b in results:
        s = b.scores[horizon]
        row = {"series": b.series, "councils": b.councils, "years": b.years}
        if len(s):
            pr = s.set_index("method").loc["procedure"]
            row.update({"n": int(pr["n"]), "target_years": int(pr["years"]), "median_se": pr["median_se"],
                        "naive_median_se": pr["naive_median_se"], "ratio_median": pr["ratio_median"],
                        "mean_se": pr["mean_se"], "naive_mean_se": pr["naive_mean_se"],
                        "ratio_mean": pr["ratio_mean"]})
            for _, r in s.iterrows():
                if r["method"] != "procedure":
                    row[f"ratio_{r['method']}"] = r["ratio_median"]
        cov = b.coverage[b.coverage["horizon"] == horizon] if len(b.coverage) else b.coverage
        if len(cov):
            row.update({"cover_80": float(cov["cover_80"].iloc[0]), "cover_95": float(cov["cover_95"].iloc[0])})
        row.update({f"councils_{k}": v for k, v in b.versus_naive.items()})
        row["final_choice"] = b.final_choice
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["SeriesBenchmark", "benchmark", "benchmark_series", "by_year", "councils_vs_naive", "coverage",
           "departure_tests", "scores",
           "summary"]
