"""Tests of helpers.analysis.demand.benchmark on SYNTHETIC panels (made up here, never real council data; the
benchmark on the real tables is tested in tests/data/test_demand.py)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.analysis.demand import benchmark, rolling


def test_scores_compare_each_method_with_naive_on_the_same_forecasts(make_panel):
    rng = np.random.default_rng(4)
    v = 300 * np.exp(np.cumsum(rng.normal(-0.03, 0.03, (30, 16)), axis=1))  # 16 years: enough to leave naive
    ev = rolling.evaluate_panel(make_panel(v))
    s = benchmark.scores(ev, 1).set_index("method")
    naive = s.loc["naive"]
    assert naive["ratio_median"] == 1.0 and naive["ratio_mean"] == 1.0
    se = ev.scaled_errors("naive")[:, :, 0]
    assert naive["n"] == np.isfinite(se).sum() and naive["median_se"] == pytest.approx(np.nanmedian(se))
    # every council declines 3% a year: the pooled growth beats naive, and the procedure follows it once it can
    assert s.loc["pooled", "ratio_median"] < 0.8
    assert s.loc["procedure", "ratio_median"] < 1.0
    cov = benchmark.coverage(ev)
    assert list(cov["horizon"])[:3] == [1, 2, 3] and cov["n"].iloc[0] == naive["n"]
    v_ = benchmark.councils_vs_naive(ev)
    assert v_["councils"] == 30 and v_["better"] + v_["same"] + v_["worse"] == pytest.approx(1.0)


def test_councils_vs_naive_counts_ties(make_panel):
    v = np.tile(100 * 1.1 ** np.arange(6), (12, 1)) * np.linspace(1, 2, 12)[:, None]
    ev = rolling.evaluate_panel(make_panel(v))  # too few years to leave naive: a tie everywhere
    assert benchmark.councils_vs_naive(ev)["same"] == 1.0
