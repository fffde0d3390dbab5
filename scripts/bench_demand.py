"""Accuracy benchmark of the demand forecasts: the rolling-origin backtest for every council and series.

For each catalogue series (``helpers.analysis.demand.catalogue.SERIES``) and every council with figures of it, runs the
backtest of the notebook (expanding window from 5 points, 1 and 2 years ahead, COVID year not scored) and the
model choice (naive unless another model's MASE is at least 10% lower), and a hold-out check of that choice
(the whole procedure repeated without the last year, then the chosen model's and naive's 1-year-ahead forecasts
of the last year compared). Prints, per series:

* councils with figures, backtested (at least 6 points), too short;
* the median over councils of the pooled backtest MASE of the chosen model and of each candidate;
* the share of councils whose chosen model is not naive (it then beats naive's backtest MASE by >= 10%);
* the mean 80% / 95% interval coverage of the chosen model;
* the hold-out check: median scaled error of the chosen model and of naive on the held-out year, and the share
  of councils where the chosen model beats naive there (ties, naive chosen, count as not beating it);
* the same on the long PSS-EX1 residential care series (2000-01 to 2013-14, not modelled by the notebook because
  ASC-FR counts differently), holding out each of its last three years in turn: the only series here long
  enough to test the model choice out of sample;

and the run time. The model-choice rule is fixed (``helpers.analysis.demand.models.choose_model``); nothing is tuned here.

Usage::

    ASC_NATIONAL_DIR=../shared/data python scripts/bench_demand.py [--series KEY ...] [--no-holdout] [--csv FILE]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numerical threads swing ETS timings 0.3 s -> 10 s here

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pandas as pd  # noqa: E402

from helpers.analysis.demand import benchmark  # noqa: E402
from helpers.analysis.demand.catalogue import SERIES  # noqa: E402


def _print_summary(summary: pd.DataFrame) -> None:
    models = ["naive", "drift", "linear", "ets", "driver", "stock-flow"]
    for _, r in summary.iterrows():
        print(f"\n{r['series']}: {r['councils']} councils, {r['backtested']} backtested, "
              f"{r['too_short']} too short to backtest, {r['no_data']} without usable figures")
        if not r["backtested"]:
            print("  no council has a series long enough to backtest: naive forecasts only, no accuracy figure")
            continue
        cand = ", ".join(f"{m} {r[f'median_mase_{m}']:.3f}" for m in models
                         if f"median_mase_{m}" in r and pd.notna(r[f"median_mase_{m}"]))
        chosen = ", ".join(f"{m} {int(r[f'chosen_{m}'])}" for m in models
                           if f"chosen_{m}" in r and pd.notna(r[f"chosen_{m}"]))
        print(f"  median backtest MASE: chosen {r['median_mase_chosen']:.3f}; candidates: {cand}")
        print(f"  chosen model (councils): {chosen}; share where the chosen model is not naive (beats naive's "
              f"backtest MASE by >= 10%): {r['share_chosen_not_naive']:.1%}")
        print(f"  chosen model's interval coverage (mean over councils): 80% -> {r['coverage80_chosen']:.1%}, "
              f"95% -> {r['coverage95_chosen']:.1%}")
        if pd.notna(r.get("holdout_n")):
            print(f"  hold-out (choice remade without the held-out year; {int(r['holdout_n'])} forecasts, "
                  f"{int(r['holdout_not_naive'])} by a model other than naive): scaled error median "
                  f"{r['holdout_median_ase_chosen']:.3f} (naive {r['holdout_median_ase_naive']:.3f}), mean "
                  f"{r['holdout_mean_ase_chosen']:.3f} (naive {r['holdout_mean_ase_naive']:.3f}); chosen beats "
                  f"naive in {r['holdout_share_beats_naive']:.1%}, worse in "
                  f"{r['holdout_share_worse_than_naive']:.1%} (the rest: naive chosen, a tie)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--series", nargs="*", help="series keys (default: every catalogue series)")
    ap.add_argument("--no-holdout", action="store_true", help="skip the hold-out check of the choice")
    ap.add_argument("--no-history", action="store_true",
                    help="skip the check on the PSS-EX1 residential care series 2000-01..2013-14")
    ap.add_argument("--csv", help="also write the per-council results to this CSV file")
    args = ap.parse_args(argv)
    keys = args.series or list(SERIES)
    t0 = time.perf_counter()
    history = [] if args.no_history else [("op_residential_placements", "PSS-EX1")]
    res = benchmark.benchmark(keys, holdout_years=0 if args.no_holdout else 1, history=history,
                              history_holdout_years=0 if args.no_holdout else 3,
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    seconds = time.perf_counter() - t0
    _print_summary(res.summary())
    results = res.councils
    n = len(results)
    print(f"\n{n} council-series backtests in {seconds:.1f} s ({seconds / max(n, 1):.2f} s each), "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    if args.csv:
        results.to_csv(args.csv, index=False)
        res.holdout.to_csv(args.csv.replace(".csv", "_holdout.csv"), index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
