"""Tests of helpers.analysis.stats.funnels against PHE's limits and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st_

from helpers.analysis import stats as st

# ----------------------------------------------------------------------------------------------- funnels


def test_wilson_funnel_reproduces_phe_funnel_limits():
    # PHEindicatormethods phe_funnels() published test output (testdata_funnel_prop_outputs.csv):
    # baseline 80.642448%, limits in percent at denominators 10, 20, 1008, 110000.
    lim = st.funnel_limits([10, 20, 1008, 110_000], 80.642448, per=100).set_index("denominator")
    expected = {
        10: (56.154344, 100, 42.03259, 100),
        20: (63.326743, 97.958152, 53.341156, 100),
        1008: (78.203374, 83.081521, 76.796814, 84.488082),
        110_000: (80.408963, 80.875933, 80.274317, 81.010578),
    }
    for n, exp in expected.items():
        row = lim.loc[n, ["lower_95", "upper_95", "lower_99.8", "upper_99.8"]].to_numpy(dtype=float)
        np.testing.assert_allclose(row, exp, atol=1e-6)


def _binom_cdf(r: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(r + 1)) if r >= 0 else 0.0


def _poisson_cdf(r: int, mu: float) -> float:
    return sum(math.exp(i * math.log(mu) - mu - math.lgamma(i + 1)) for i in range(r + 1)) if r >= 0 else 0.0


def _spiegelhalter_by_hand(cdf, p: float) -> float:
    """Spiegelhalter (2005) appendix: smallest r with F(r) >= p, minus interpolation alpha."""
    r = 0
    while cdf(r) < p:
        r += 1
    return r - (cdf(r) - p) / (cdf(r) - cdf(r - 1))


@pytest.mark.parametrize(("n", "theta"), [(100, 0.5), (10, 0.8), (263, 0.3)])
def test_exact_binomial_funnel_matches_hand_computation(n, theta):
    lim = st.funnel_limits([n], theta, method="exact").iloc[0]
    for level, tail in ((0.95, 0.025), (0.998, 0.001)):
        label = f"{level * 100:g}"
        lo = max(_spiegelhalter_by_hand(lambda r: _binom_cdf(r, n, theta), tail) / n, 0)
        hi = min(_spiegelhalter_by_hand(lambda r: _binom_cdf(r, n, theta), 1 - tail) / n, 1)
        assert lim[f"lower_{label}"] == pytest.approx(lo, abs=1e-10)
        assert lim[f"upper_{label}"] == pytest.approx(hi, abs=1e-10)


def test_exact_binomial_funnel_100_at_half():
    # F(39) = 0.017600, F(40) = 0.028444 for Bin(100, 0.5): alpha = 0.317596, lower 95% limit = (40 - alpha) / 100
    lim = st.funnel_limits([100], 0.5, method="exact").iloc[0]
    assert lim["lower_95"] == pytest.approx(0.396824, abs=1e-6)
    # F(59) = 0.971556, F(60) = 0.982400: alpha = 0.682404, upper limit = (60 - alpha) / 100. Not the mirror
    # image of the lower limit: interpolating the right-continuous CDF shifts both limits down by < 1/n.
    assert lim["upper_95"] == pytest.approx(0.593176, abs=1e-6)


@pytest.mark.parametrize(("pop", "rate"), [(1000, 500.0), (25_000, 560.0), (4000, 20.0)])
def test_poisson_rate_funnel_matches_hand_computation(pop, rate):
    mu = rate * pop / 100_000
    lim = st.funnel_limits([pop], rate, kind="rate").iloc[0]
    for level, tail in ((0.95, 0.025), (0.998, 0.001)):
        label = f"{level * 100:g}"
        lo = max(_spiegelhalter_by_hand(lambda r: _poisson_cdf(r, mu), tail), 0) / pop * 100_000
        hi = _spiegelhalter_by_hand(lambda r: _poisson_cdf(r, mu), 1 - tail) / pop * 100_000
        assert lim[f"lower_{label}"] == pytest.approx(lo, rel=1e-9, abs=1e-9)
        assert lim[f"upper_{label}"] == pytest.approx(hi, rel=1e-9)


def test_funnel_input_checks():
    with pytest.raises(ValueError, match="whole-number"):
        st.funnel_limits([10.5], 0.5, method="exact")
    with pytest.raises(ValueError, match="method"):
        st.funnel_limits([10], 5.0, kind="rate", method="wilson")
    with pytest.raises(ValueError, match="between 0"):
        st.funnel_limits([10], 80.0)  # a percentage given with per=1
    lim = st.funnel_limits([0, np.nan, 50], 0.5)
    assert lim[["lower_95", "upper_95"]].iloc[:2].isna().all().all()


def test_flag_outliers_labels():
    labels = st.flag_outliers([0.5, 0.7, 0.79, 0.87, 0.95, np.nan, 0.8], [100, 100, 100, 100, 100, 100, 0], 0.8)
    # limits at n = 100, target 0.8: 95% (0.7216, 0.8784); 99.8% (0.6764, 0.9236)
    assert labels.tolist() == ["below 99.8%", "below 95%", "within 95%", "within 95%", "above 99.8%",
                               "not compared", "not compared"]
    s = st.flag_outliers(pd.Series([900.0], index=["E1"]), pd.Series([1000], index=["E1"]), 500.0, kind="rate")
    assert s.to_dict() == {"E1": "within 95%"}


@given(st_.integers(1, 5000), st_.floats(0, 1), st_.floats(0.01, 0.99))
def test_wilson_funnel_agrees_with_wilson_interval_comparison(n, frac, target):
    """Outside the 95% Wilson funnel <=> the Wilson 95% interval excludes the target (PHE's consistency)."""
    k = round(frac * n)
    half = 1.959963985 * math.sqrt(target * (1 - target) / n)
    assume(abs(abs(k / n - target) - half) > 1e-9)  # not on the limit itself (floating point)
    lo, hi = st.wilson_ci(k, n)
    same = st.compare_to_benchmark(lo, hi, target, "none")
    flag = st.flag_outliers(k / n, n, target, levels=(0.95,))
    assert (same == "similar") == (flag == "within 95%")


@given(st_.integers(1, 100_000), st_.floats(0.001, 0.999))
def test_funnel_limits_nest_and_narrow(n, target):
    lim = st.funnel_limits([n, 4 * n], target).to_dict("records")
    small, big = lim
    for r in lim:
        assert r["lower_99.8"] <= r["lower_95"] <= target <= r["upper_95"] <= r["upper_99.8"]
    assert big["upper_95"] - big["lower_95"] <= small["upper_95"] - small["lower_95"] + 1e-12


# ----------------------------------------------------------------------------------------- overdispersion
def test_overdispersion_by_hand() -> None:
    """Spiegelhalter (2005, QSHC) as FunnelPlotR, worked by hand on 10 synthetic units (an edge-case fixture).

    Proportions with n = 100 each, target 0.5: y0 = asin(sqrt(0.5)) = pi/4, s = 1/20. The z-scores are
    winsorised at their 10th and 90th percentiles (numpy's linear quantile); phi = mean(z_w^2);
    tau2 = (N phi - (N - 1)) / (sum w - sum w^2 / sum w), w = 400 each -> denominator 10*400 - 400 = 3600.
    """
    k = np.array([30, 40, 45, 50, 50, 50, 55, 60, 70, 80])
    n = np.full(10, 100)
    z = (np.arcsin(np.sqrt(k / n)) - np.pi / 4) / (1 / 20)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    tau2 = (10 * phi - 9) / (4000 - 400)
    got = st.overdispersion(k, n, 0.5)
    assert got["phi"] == pytest.approx(phi) and got["tau2"] == pytest.approx(tau2) and got["n"] == 10
    assert phi > 1  # these units are overdispersed


def test_overdispersed_limits_are_wider_and_centred() -> None:
    """Multiplicative limits: y0 -/+ z sqrt(phi) s back-transformed; additive: y0 -/+ z sqrt(s^2 + tau2);
    both wider than the exact limits when phi > 1; phi below 1 never narrows them."""
    theta, n, phi, tau2 = 0.5, 400.0, 4.0, 0.002
    y0, s, z = np.pi / 4, 1 / (2 * np.sqrt(n)), 1.959963984540054
    mult = st.funnel_limits([n], theta, overdispersion="multiplicative", phi=phi).iloc[0]
    assert mult["lower_95"] == pytest.approx(np.sin(y0 - z * 2 * s) ** 2)
    assert mult["upper_95"] == pytest.approx(np.sin(y0 + z * 2 * s) ** 2)
    add = st.funnel_limits([n], theta, overdispersion="additive", tau2=tau2).iloc[0]
    assert add["upper_99.8"] == pytest.approx(np.sin(y0 + 3.090232306167813 * np.sqrt(s ** 2 + tau2)) ** 2)
    exact = st.funnel_limits([n], theta, method="exact").iloc[0]
    assert mult["lower_95"] < exact["lower_95"] and mult["upper_95"] > exact["upper_95"]
    same = st.funnel_limits([n], theta, overdispersion="multiplicative", phi=0.5).iloc[0]
    one = st.funnel_limits([n], theta, overdispersion="multiplicative", phi=1.0).iloc[0]
    assert same["upper_95"] == pytest.approx(one["upper_95"])
    rate = st.funnel_limits([60_000], 560.8, kind="rate", overdispersion="additive", tau2=5e-5).iloc[0]
    y = np.sqrt(560.8 / 1e5)
    assert rate["upper_95"] == pytest.approx((y + z * np.sqrt(1 / (4 * 60_000) + 5e-5)) ** 2 * 1e5)
    with pytest.raises(ValueError, match="overdispersion"):
        st.funnel_limits([n], theta, overdispersion="both")
