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


def test_ratios_by_target_year_and_the_departure_tests(make_panel):
    """On a SYNTHETIC panel of 8 years: too few for a departure, so the procedure is naive (ratio 1 in every
    target year); the tests report every candidate's years, wins and p-values at the Bonferroni level."""
    rng = np.random.default_rng(5)
    v = 300 * np.exp(np.cumsum(rng.normal(-0.03, 0.03, (30, 8)), axis=1))
    ev = rolling.evaluate_panel(make_panel(v))
    t = benchmark.by_year(ev)
    years = [ev.panel.label(c) for c in ev.target_years()]
    assert list(t.columns) == years and np.allclose(t.loc["procedure"].to_numpy(dtype=float), 1.0)
    assert "naive" not in t.index and t.loc["pooled"].lt(1).all()  # a common 3% decline: growth wins each year
    d = benchmark.departure_tests(ev).set_index("method")
    assert d.loc["pooled", "years"] == len(years) == 5 and d.loc["pooled", "wins"] == 5
    assert d.loc["pooled", "p_sign"] == pytest.approx(1 / 32)
    assert d["level"].iloc[0] == pytest.approx(0.05 / (len(ev.candidates) - 1))
    assert d.loc["pooled", "p_sign"] > d["level"].iloc[0] and ev.choice == ["naive"] * 8
