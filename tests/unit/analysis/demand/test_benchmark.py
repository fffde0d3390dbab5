"""Tests of helpers.analysis.demand.benchmark on SYNTHETIC frames and rows (made up here, never real council data;
the benchmark on the real tables is tested in tests/data/test_demand.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.demand import benchmark, series
from helpers.core import periods


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


def test_collection_run_for_history_check(fake_frame, synthetic_frame):
    """Synthetic: the last unbroken PSS-EX1 run, for the benchmark's history check."""
    rows = [("E08000007", y, 50.0 + i, "reported", "PSS-EX1") for i, y in enumerate(fy(2000, 14))]
    rows[4] = ("E08000007", "2004-05", np.nan, "missing", "PSS-EX1")
    rows += [("E08000007", y, 40.0, "reported", "ASC-FR") for y in fy(2014, 2)]
    fake_frame["df"] = synthetic_frame(rows)
    _, meta = series.series_for("E08000007", "op_residential_placements")
    run = benchmark.collection_run(meta, "PSS-EX1")
    assert list(run.index) == fy(2005, 9) and run.iloc[0] == 55.0


def test_benchmark_summary_hand_example():
    """Synthetic rows: medians, shares and the hold-out comparison by hand."""
    rows = pd.DataFrame([
        {"series": "s", "gss_code": "a", "status": "backtested", "chosen": "naive", "mase_naive": 1.0,
         "mase_drift": 2.0, "cov80_chosen": 1.0, "cov95_chosen": 1.0},
        {"series": "s", "gss_code": "b", "status": "backtested", "chosen": "drift", "mase_naive": 3.0,
         "mase_drift": 1.5, "cov80_chosen": 0.5, "cov95_chosen": 1.0},
        {"series": "s", "gss_code": "c", "status": "too_short"},
    ])
    held = pd.DataFrame([{"series": "s", "gss_code": "a", "target": "x", "chosen": "naive", "ase_chosen": 1.0,
                          "ase_naive": 1.0},
                         {"series": "s", "gss_code": "b", "target": "x", "chosen": "drift", "ase_chosen": 0.5,
                          "ase_naive": 2.0}])
    s = benchmark.benchmark_summary(rows, held).iloc[0]
    assert (s["councils"], s["backtested"], s["too_short"]) == (3, 2, 1)
    assert s["median_mase_chosen"] == pytest.approx((1.0 + 1.5) / 2)
    assert s["median_mase_naive"] == 2.0 and s["median_mase_drift"] == 1.75
    assert s["share_chosen_not_naive"] == 0.5 and s["coverage80_chosen"] == 0.75
    assert (s["holdout_n"], s["holdout_share_beats_naive"], s["holdout_share_worse_than_naive"]) == (2, 0.5, 0.0)
