"""Tests of helpers.analysis.demand.models. Every series here is SYNTHETIC (made up in the test), never real council data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from helpers.analysis.demand import models
from helpers.core import periods

Z80, Z95 = 1.2815515655446004, 1.959963984540054


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


def synthetic(values, start: int = 2010, style: str = "fy", name: str = "synthetic") -> pd.Series:
    idx = fy(start, len(values)) if style == "fy" else list(range(start, start + len(values)))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name=name)


def random_walk(n: int = 20, seed: int = 1, drift: float = 5.0, sd: float = 15.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return synthetic(500 + np.cumsum(rng.normal(drift, sd, n)), start=2004, name="synthetic random walk")


@pytest.mark.parametrize("model", ["naive", "drift", "linear", "ets"])
def test_constant_series_all_models_exact_with_zero_width(model):
    s = synthetic([250.0] * 10, name="synthetic constant")
    fc = models.MODELS[model](s, 3)
    t = fc.table
    assert np.allclose(t["mean"], 250.0)
    for c in models.BOUND_COLUMNS:
        assert np.allclose(t[c], 250.0, atol=1e-6), c
    assert any("zero width" in n for n in fc.notes)


@pytest.mark.parametrize("model", ["drift", "linear"])
def test_straight_line_drift_and_linear_exact(model):
    s = synthetic(5.0 + 3.0 * np.arange(8), name="synthetic line")
    fc = models.MODELS[model](s, 3)
    assert fc.table["mean"].tolist() == pytest.approx([29.0, 32.0, 35.0])
    assert np.allclose(fc.table["upper_95"] - fc.table["lower_95"], 0, atol=1e-8)
    assert fc.table.index.tolist() == ["2018-19", "2019-20", "2020-21"]
    assert fc.origin == "2017-18" and fc.last_value == 26.0


def test_naive_intervals_hand_computed():
    fc = models.naive(synthetic([10, 12, 11, 13], style="int"), 2)
    sigma = np.sqrt((4 + 1 + 4) / 3)  # RMS of the one-step changes 2, -1, 2
    t = fc.table
    assert t.index.tolist() == [2014, 2015]
    assert t["mean"].tolist() == [13, 13]
    assert t["upper_80"].tolist() == pytest.approx([13 + Z80 * sigma, 13 + Z80 * sigma * np.sqrt(2)])
    assert t["lower_95"].tolist() == pytest.approx([13 - Z95 * sigma, 13 - Z95 * sigma * np.sqrt(2)])


def test_drift_intervals_hand_computed():
    # changes 2, -1, 2: drift b = 1, sd (ddof 1) = sqrt(3), m = 3 changes
    fc = models.drift(synthetic([10, 12, 11, 13]), 2)
    t = fc.table
    assert t["mean"].tolist() == pytest.approx([14, 15])
    sd = np.sqrt(3) * np.sqrt(np.array([1, 2]) * (1 + np.array([1, 2]) / 3))  # = [2, sqrt(10)]
    assert sd == pytest.approx([2, np.sqrt(10)])
    assert t["upper_95"].tolist() == pytest.approx((np.array([14, 15]) + Z95 * sd).tolist())
    assert t["lower_80"].tolist() == pytest.approx((np.array([14, 15]) - Z80 * sd).tolist())


def test_linear_intervals_match_textbook_formula():
    y = np.array([10, 13, 12, 16, 15, 19.0])
    fc = models.linear_trend(synthetic(y), 2)
    x = np.arange(6.0)
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    s = np.sqrt(resid @ resid / 4)
    x0 = np.array([6.0, 7.0])
    se = s * np.sqrt(1 + 1 / 6 + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    t95 = stats.t.ppf(0.975, 4)
    assert fc.table["mean"].tolist() == pytest.approx((a + b * x0).tolist())
    assert fc.table["upper_95"].tolist() == pytest.approx((a + b * x0 + t95 * se).tolist())


def test_ets_falls_back_to_naive_on_short_series_and_says_so():
    fc = models.ets(synthetic([10, 12, 11, 13]), 2)
    assert fc.method.startswith("naive (fallback")
    assert fc.table["mean"].tolist() == [13, 13]
    assert any("ETS needs at least 5 points" in n for n in fc.notes)


def test_ets_fits_and_chooses_by_aicc():
    fc = models.ets(random_walk(16), 2)
    assert fc.method in {"ETS(A,N,N)", "ETS(A,A,N)", "ETS(A,Ad,N)"}
    assert any("AICc" in n for n in fc.notes)


@pytest.mark.parametrize("model", ["naive", "drift", "linear", "ets"])
def test_intervals_widen_with_horizon_and_nest(model):
    fc = models.MODELS[model](random_walk(16, seed=4), 4)
    t = fc.table
    w80, w95 = t["upper_80"] - t["lower_80"], t["upper_95"] - t["lower_95"]
    assert (np.diff(w80) >= -1e-9).all() and (np.diff(w95) >= -1e-9).all()
    if model != "ets":  # ETS(A,N,N) with alpha ~ 0 may have constant width
        assert (np.diff(w95) > 0).all()
    assert (t["lower_95"] <= t["lower_80"]).all() and (t["lower_80"] <= t["mean"]).all()
    assert (t["mean"] <= t["upper_80"]).all() and (t["upper_80"] <= t["upper_95"]).all()


def test_one_point_naive_has_no_interval():
    fc = models.naive(synthetic([7.0]), 1)
    assert fc.table["mean"].iloc[0] == 7.0 and np.isnan(fc.table["lower_80"].iloc[0])


# ---------------------------------------------------------------- properties (hypothesis)

positive_series = st.lists(st.floats(1.0, 1e6, allow_nan=False), min_size=3, max_size=15)


@given(values=positive_series, scale=st.floats(0.01, 100))
def test_scale_equivariance(values, scale):
    s = synthetic(values)
    for model in ("naive", "drift", "linear"):
        a = models.MODELS[model](s, 3).table[["mean", *models.BOUND_COLUMNS]].to_numpy()
        b = models.MODELS[model](s * scale, 3).table[["mean", *models.BOUND_COLUMNS]].to_numpy()
        assert np.allclose(b, a * scale, rtol=1e-7, atol=1e-6 * scale * max(values))


@given(values=positive_series)
def test_intervals_nested_and_widening(values):
    for model in ("naive", "drift", "linear"):
        t = models.MODELS[model](synthetic(values), 3).table
        tol = 1e-9 * max(values)
        assert (t["lower_95"] <= t["lower_80"] + tol).all() and (t["upper_80"] <= t["upper_95"] + tol).all()
        assert (np.diff(t["upper_95"] - t["lower_95"]) >= -tol).all()
