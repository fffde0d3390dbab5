"""Tests of helpers.analysis.demand.candidates on SYNTHETIC panels (made up here, never real council data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.analysis.demand import candidates
from tests.examples import examples


def growing(rates, n_years=8, start=100.0):
    """Councils growing at constant log rates ``rates``."""
    t = np.arange(n_years)
    return start * np.exp(np.outer(rates, t))


def test_naive_and_pooled_growth_by_hand(make_panel):
    rates = np.linspace(-0.05, 0.06, 12)  # 12 councils, median rate 0.005
    p = make_panel(growing(rates))
    of = candidates.forecasts_at(p, 7, 3)
    last = p.values[:, 7]
    assert np.allclose(np.exp(of.logs["naive"]), last[:, None])
    g = np.median(rates)
    assert np.allclose(np.exp(of.logs["pooled"]), last[:, None] * np.exp(g * np.arange(1, 4)))
    # the scale: mean absolute change over the last 8 ordinary changes (7 here)
    assert of.scale[0] == pytest.approx(np.mean(np.abs(np.diff(p.values[0]))))
    assert of.log_scale[3] == pytest.approx(abs(rates[3]))


def test_growth_never_learnt_from_a_change_of_collection(make_panel):
    """A 30% step into the join year is an intervention: pooled growth and the scale ignore it."""
    rates = np.full(12, -0.02)
    v = growing(rates, 10)
    v[:, 5:] *= 0.7  # the later collection counts 30% fewer, from 2015
    p = make_panel(v, 2010, join_year="2015-16")
    of = candidates.forecasts_at(p, 9, 1)
    assert np.exp(of.logs["pooled"][0, 0]) == pytest.approx(v[0, 9] * np.exp(-0.02))
    assert of.log_scale[0] == pytest.approx(0.02)


def test_pooled_type_uses_its_type_when_it_has_ten_councils(make_panel):
    rates = np.r_[np.full(10, 0.03), np.full(5, -0.04)]
    types = ["county"] * 10 + ["london borough"] * 5
    p = make_panel(growing(rates), types=types)
    of = candidates.forecasts_at(p, 7, 1)
    g = np.log(np.exp(of.logs["pooled_type"][:, 0]) / p.values[:, 7])
    assert np.allclose(g[:10], 0.03)
    assert np.allclose(g[10:], np.median(rates))  # 5 London boroughs: too few, the median of all


def test_pooled_region_is_a_trimmed_mean_within_regions_of_ten(make_panel):
    """Region A (12 councils, two wild ones each way): 20% trimmed from each end = the 2 lowest and 2 highest
    cut, the mean of the middle 8; region B has 5 councils: the trimmed mean of all 17."""
    a = np.r_[-0.4, -0.3, np.linspace(0.0, 0.07, 8), 0.3, 0.5]
    b = np.full(5, -0.05)
    rates = np.r_[a, b]
    p = make_panel(growing(rates), regions=["A"] * 12 + ["B"] * 5)
    of = candidates.forecasts_at(p, 7, 2)
    g = of.logs["pooled_region"][:, 0] - p.logs[:, 7]
    assert np.allclose(g[:12], np.mean(np.linspace(0.0, 0.07, 8)))
    cut = int(0.2 * 17)  # 3 each end of the 17
    assert np.allclose(g[12:], np.mean(np.sort(rates)[cut:17 - cut]))
    assert np.allclose(of.logs["pooled_region"][:, 1] - p.logs[:, 7], 2 * g)


def test_half_pooled_and_median_combinations_by_hand(make_panel):
    rates = np.linspace(-0.05, 0.06, 12)
    p = make_panel(growing(rates))
    of = candidates.forecasts_at(p, 7, 3)
    last = p.logs[:, 7][:, None]
    assert np.allclose(of.logs["half_pooled"] - last, (of.logs["pooled"] - last) / 2)
    # no driving population: the median of naive, pooled, pooled_region, shrunk_drift and smoothed
    five = np.stack([of.logs[c] for c in ("naive", "pooled", "pooled_region", "shrunk_drift", "smoothed")])
    assert np.allclose(of.logs["combination_median"], np.median(five, axis=0))
    assert np.isnan(of.logs["driver"]).all()


def test_shrinkage_hand_example():
    """Own drifts d, prior 0, sampling variances s^2/n = 0.0001: tau^2 = (1.4826 MAD)^2 - 0.0001."""
    d = np.array([-0.02, -0.01, 0.0, 0.01, 0.02])
    var = np.full(5, 0.0008)
    n = np.full(5, 8)
    out = candidates.shrink(d, var, n, np.zeros(5))
    tau2 = (1.4826 * 0.01) ** 2 - 0.0001
    assert out == pytest.approx(d * tau2 / (tau2 + 0.0001))
    assert np.all(np.abs(out) <= np.abs(d))
    noisy = candidates.shrink(d, np.full(5, 1.0), n, np.full(5, 0.005))  # pure noise: all shrunk to the prior
    assert noisy == pytest.approx(np.full(5, 0.005))


def test_smoothing_weight_recovers_the_local_level():
    """Changes that are MA(1) with theta = -0.4 across 200 councils give alpha near 0.6 (seeded)."""
    rng = np.random.default_rng(1)
    e = rng.normal(0, 0.05, (200, 16))
    d = e[:, 1:] - 0.4 * e[:, :-1]
    assert candidates.smoothing_weight(d) == pytest.approx(0.6, abs=0.08)
    assert candidates.smoothing_weight(rng.normal(0, 1, (5, 3))) == 1.0  # too few pairs


def test_smoothed_level_restarts_at_a_break():
    logs = np.log(np.array([[100.0, 120.0, 90.0, 95.0]]))
    growth = np.array([False, True, False, True])
    lv = candidates.smoothed_level(logs, growth, 3, 0.5)
    # t=1: 0.5*log120 + 0.5*(log100 + m1); t=2 restarts at log 90; t=3: 0.5*log95 + 0.5*(log90 + m3)
    m3 = np.log(95 / 90)
    assert lv[0] == pytest.approx(0.5 * np.log(95) + 0.5 * (np.log(90) + m3))


def population_frame(codes, years, growth):
    """Persons by single year of age, every age growing by ``growth`` a year (SYNTHETIC)."""
    rows = []
    for c in codes:
        for k, y in enumerate(years):
            for age in range(91):
                rows.append((c, y, age, 1000.0 * (1 + growth) ** k))
    return pd.DataFrame(rows, columns=["gss_code", "mid_year", "age", "population"])


def test_driver_grows_with_the_population_known_at_the_origin(make_panel):
    v = growing(np.full(12, 0.0), 6)
    codes = tuple(f"E06{i:06d}" for i in range(12))
    pop = population_frame(codes, range(2015, 2021), 0.01)
    p = make_panel(v, 2015, series="op_care_home_placements", population=pop)
    of = candidates.forecasts_at(p, 3, 2)  # origin 2018-19: estimates to mid-2018, aged forward
    assert np.exp(of.logs["driver"][0]) == pytest.approx(100 * np.array([1.01, 1.01 ** 2]), rel=1e-3)
    # the rate per head fell 1% a year in every council: the driver with the pooled rate change cancels it
    assert np.exp(of.logs["driver_rate"][0]) == pytest.approx([100.0, 100.0], rel=1e-3)
    early = candidates.forecasts_at(p, 0, 1)  # origin 2015-16: no mid-year before it to age forward
    assert np.isnan(early.logs["driver"]).all()


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spike=st.floats(0.1, 1e6), col=st.integers(7, 9))
def test_forecasts_never_see_later_years(make_panel, spike, col):
    rng = np.random.default_rng(0)
    v = 100 * np.exp(np.cumsum(rng.normal(-0.01, 0.05, (15, 10)), axis=1))
    a = candidates.forecasts_at(make_panel(v), 6, 3)
    w = v.copy()
    w[:, col] = spike
    b = candidates.forecasts_at(make_panel(w), 6, 3)
    for c in a.logs:
        assert np.array_equal(a.logs[c], b.logs[c], equal_nan=True), c
