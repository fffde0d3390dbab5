"""Out-of-sample accuracy of the demand forecasts, per catalogue series (the figures of ``docs/performance.md``).

For each series (``helpers.analysis.demand.catalogue.SERIES``) the rolling-origin evaluation of
``helpers.analysis.demand.rolling`` makes every candidate's forecasts of every council from every origin with the
years up to that origin only, and the procedure the report uses is chosen at each origin from the errors of
earlier forecasts only (nested). Printed per series, for one-year (and two-year) forecasts:

* the median and mean scaled error (absolute error / the council's mean absolute yearly change over its last
  8 ordinary changes) of the final procedure, of naive and of each candidate, and each one's ratio to naive on
  the same forecasts; the median absolute percentage error;
* the procedure's 80% and 95% interval coverage by horizon (all scored forecasts; and those whose interval came
  from past errors, the rest being the random-walk fallback);
* the share of councils where the procedure's mean scaled error is below / equal to / above naive's;
* the pooled choice at each origin (counts) and at the last one; the run time;
* each method's ratio to naive by target year, and the pooled choice's departure tests (sign and t tests
  over target years) of every candidate on all the scored one-year forecasts.

Nothing is tuned here: the settings are fixed in ``helpers.analysis.demand.candidates`` and ``.rolling``.

Usage::

    ASC_NATIONAL_DIR=../shared/data python scripts/bench_demand.py [--series KEY ...] [--damped] [--csv FILE]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one numerical thread: the machine is shared

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pandas as pd  # noqa: E402

from helpers.analysis.demand import benchmark  # noqa: E402


def _print(b: benchmark.SeriesBenchmark) -> None:
    lr = f"; PSS-EX1 joined by level ratio {b.level_ratio:.3f}" if b.level_ratio else ""
    print(f"\n{b.series}: {b.councils} councils, {b.years}{lr}; evaluated in {b.seconds:.1f} s")
    for h in (1, 2):
        s = b.scores[h]
        if not len(s):
            print(f"  {h}-year forecasts: none can be scored (too few years)")
            continue
        print(f"  {h}-year forecasts: method, n, target years, median / mean scaled error (naive on the same), "
              "ratio median / mean, median and 80th percentile abs % error")
        for _, r in s.iterrows():
            print(f"    {r['method']:13s} {int(r['n']):5d} {int(r['years']):3d}  {r['median_se']:.3f} / "
                  f"{r['mean_se']:.3f} ({r['naive_median_se']:.3f} / {r['naive_mean_se']:.3f})  "
                  f"{r['ratio_median']:.3f} / {r['ratio_mean']:.3f}  {r['median_ape']:.1f}% {r['p80_ape']:.1f}%")
    if len(b.coverage):
        cov = "; ".join(f"{int(r.horizon)}y {r.cover_80:.1%} / {r.cover_95:.1%} (n={int(r.n)}; from past errors "
                        f"{r.checked_80:.1%} / {r.checked_95:.1%}, n={int(r.n_checked)})"
                        for r in b.coverage.itertuples())
        print(f"  interval coverage 80% / 95%: {cov}")
    v = b.versus_naive
    if v["councils"]:
        print(f"  councils ({v['councils']}): procedure's mean scaled error below naive's {v['better']:.1%}, "
              f"equal {v['same']:.1%}, above {v['worse']:.1%}")
    print(f"  pooled choice by origin: {b.choices}; at the last origin: {b.final_choice}")
    if b.years_table is not None and len(b.years_table):
        print("  one-year median scaled error / naive's, by target year:")
        with pd.option_context("display.width", 250, "display.max_columns", 40):
            print("    " + b.years_table.round(2).to_string().replace("\n", "\n    "))
    if b.tests is not None and len(b.tests):
        print("  departure tests on every scored one-year forecast (years, wins, p sign, p t; Bonferroni level "
              f"{b.tests['level'].iloc[0]:.4f}):")
        for r in b.tests.itertuples():
            print(f"    {r.method:13s} {r.years:3d} {r.wins:3d}  {r.p_sign:.4f}  {r.p_dm:.4f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--series", nargs="*", help="series keys (default: every catalogue series)")
    ap.add_argument("--damped", action="store_true",
                    help="also score statsmodels' damped trend (not a candidate of the procedure; slow)")
    ap.add_argument("--csv", help="also write the one-year summary table to this CSV file")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = benchmark.benchmark(args.series or None, extra=("damped",) if args.damped else (),
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    for b in res:
        _print(b)
    seconds = time.perf_counter() - t0
    table = benchmark.summary(res)
    print(f"\n{len(res)} series in {seconds:.1f} s (OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')})")
    with pd.option_context("display.width", 200, "display.max_columns", 40):
        print(table.round(3).to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
