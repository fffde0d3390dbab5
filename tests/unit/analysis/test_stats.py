"""Tests of helpers.analysis.stats against published and textbook values, with property checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st_

from helpers.analysis import stats as st
from helpers.core import paths
from helpers.core.errors import ParameterError

# ----------------------------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("k", "n", "lower", "upper"),
    [  # Newcombe (1998) Stat Med 17:857-872, Table II, method 3 (Wilson score without continuity correction);
       # 81/263 is also Altman et al. "Statistics with Confidence" (2000), p. 47.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_reproduces_newcombe_1998(k, n, lower, upper):
    lo, hi = st.wilson_ci(k, n)
    assert round(lo, 4) == lower
    assert round(hi, 4) == upper


def test_wilson_missing_in_missing_out_and_series_keep_index():
    k = pd.Series([81, None, 0, pd.NA], index=list("abcd"), dtype="Float64")
    n = pd.Series([263, 10, 0, 5], index=list("abcd"))
    lo, hi = st.wilson_ci(k, n)
    assert list(lo.index) == list("abcd")
    assert lo["a"] == pytest.approx(0.2552885, abs=1e-6)
    assert lo[["b", "c", "d"]].isna().all() and hi[["b", "c", "d"]].isna().all()  # missing k, n = 0


@pytest.mark.parametrize(("k", "n"), [(5, 4), (-1, 10), (1, -10)])
def test_wilson_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        st.wilson_ci(k, n)


def test_misaligned_series_are_an_error_not_a_silent_mismatch():
    with pytest.raises(ValueError, match="same index"):
        st.wilson_ci(pd.Series([1, 2], index=["a", "b"]), pd.Series([10, 20], index=["b", "a"]))


@pytest.mark.parametrize("level", [0, 1, 95, -0.5])
def test_levels_outside_0_1_are_rejected(level):
    with pytest.raises(ValueError, match="confidence level"):
        st.wilson_ci(1, 10, level=level)


# ------------------------------------------------------------------------------------------------ Byar


def _byar_by_hand(o: float, z: float = 1.959963985) -> tuple[float, float]:
    """Breslow & Day (1987) / PHE technical guide formulas 4a and 4b, written out with math."""
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lo, hi


@pytest.mark.parametrize("o", [10, 65, 1045])
def test_byar_matches_hand_computation(o):
    lo, hi = st.byar_ci(o)
    hand = _byar_by_hand(o)
    assert lo == pytest.approx(hand[0], rel=1e-8)
    assert hi == pytest.approx(hand[1], rel=1e-8)


def test_byar_65_events_known_values():
    # 65 events, 95%: Byar 50.163 to 82.849 (exact Poisson: 50.17 to 82.85, e.g. Geigy tables)
    lo, hi = st.byar_ci(65)
    assert (round(lo, 3), round(hi, 3)) == (50.163, 82.849)


def test_byar_within_phe_stated_error_of_exact_poisson():
    # PHE "Technical Guide: Confidence Intervals" (2018): Byar is within 0.2% of the exact value for
    # numerators of 10 or more (95% intervals).
    from scipy.stats import chi2

    o = np.arange(10, 5001, dtype=float)
    lo, hi = st.byar_ci(o)
    ex_lo, ex_hi = chi2.ppf(0.025, 2 * o) / 2, chi2.ppf(0.975, 2 * o + 2) / 2
    assert np.max(np.abs(lo / ex_lo - 1)) < 0.002
    assert np.max(np.abs(hi / ex_hi - 1)) < 0.002


def test_byar_switches_to_exact_below_10_events():
    # exact Poisson: 0 events -> (0, -ln 0.025 = 3.689); 5 events -> (1.6235, 11.6683) (Geigy tables)
    lo, hi = st.byar_ci([0, 5])
    assert lo[0] == 0 and hi[0] == pytest.approx(-math.log(0.025), rel=1e-9)
    assert (round(lo[1], 4), round(hi[1], 4)) == (1.6235, 11.6683)
    # with the switch off, Byar's formula is used even for 5 events (and differs)
    assert st.byar_ci(5, exact_below=0)[0] == pytest.approx(_byar_by_hand(5)[0])


def test_byar_missing_and_negative():
    lo, hi = st.byar_ci(pd.Series([np.nan, 12.0]))
    assert np.isnan(lo.iloc[0]) and np.isnan(hi.iloc[0]) and lo.iloc[1] > 0
    with pytest.raises(ValueError, match="negative"):
        st.byar_ci([-1, 3])


def test_rate_ci_is_byar_over_denominator():
    lo, hi = st.rate_ci(65, 130_000, per=100_000)
    hand = _byar_by_hand(65)
    assert lo == pytest.approx(hand[0] / 130_000 * 100_000)
    assert hi == pytest.approx(hand[1] / 130_000 * 100_000)
    lo0, _ = st.rate_ci([65, 65], [0, np.nan])
    assert np.isnan(lo0).all()
    with pytest.raises(ValueError):
        st.rate_ci(65, -100)


def test_moe_ci():
    lo, hi = st.moe_ci(pd.Series([62.1, None]), 3.4)
    assert lo.iloc[0] == pytest.approx(58.7) and hi.iloc[0] == pytest.approx(65.5)
    assert np.isnan(lo.iloc[1])
    with pytest.raises(ValueError):
        st.moe_ci(50, -1)


# ---------------------------------------------------------------------------------- compare to benchmark


@pytest.mark.parametrize(
    ("lower", "upper", "bench", "polarity", "expected"),
    [
        (0.6, 0.7, 0.5, "higher", "better"),
        (0.6, 0.7, 0.5, "lower", "worse"),
        (0.6, 0.7, 0.5, "none", "higher"),
        (0.3, 0.4, 0.5, "higher", "worse"),
        (0.3, 0.4, 0.5, "lower", "better"),
        (0.3, 0.4, 0.5, "none", "lower"),
        (0.4, 0.6, 0.5, "higher", "similar"),
        (0.5, 0.6, 0.5, "higher", "similar"),  # touching the benchmark is not significant
        (0.4, 0.5, 0.5, "lower", "similar"),
        (np.nan, 0.6, 0.5, "higher", "not compared"),
        (0.4, 0.6, np.nan, "none", "not compared"),
    ],
)
def test_compare_to_benchmark_truth_table(lower, upper, bench, polarity, expected):
    assert st.compare_to_benchmark(lower, upper, bench, polarity) == expected


def test_compare_to_benchmark_vectorised_with_polarity_per_row():
    lower = pd.Series([0.6, 0.6, 0.1], index=["E1", "E2", "E3"])
    upper = pd.Series([0.7, 0.7, 0.2], index=["E1", "E2", "E3"])
    out = st.compare_to_benchmark(lower, upper, 0.5, ["higher", "lower", "none"])
    assert out.to_dict() == {"E1": "better", "E2": "worse", "E3": "lower"}


def test_compare_to_benchmark_rejects_bad_inputs():
    with pytest.raises(ValueError, match="polarity"):
        st.compare_to_benchmark(0.1, 0.2, 0.5, "up")
    with pytest.raises(ValueError, match="lower limit"):
        st.compare_to_benchmark(0.3, 0.2, 0.5, "higher")


# ------------------------------------------------------------------------------------------------- MAD


def test_mad_raw_and_scaled():
    x = [1, 2, 3, 4, 100, np.nan]
    assert st.mad(x, scaled=False) == 1.0  # median 3, deviations 2,1,0,1,97 -> median 1
    assert st.mad(x) == pytest.approx(1.4826, abs=1e-4)
    assert np.isnan(st.mad([np.nan, None]))


def test_mads_from_median_signed_and_zero_mad():
    group = [1, 2, 3, 4, 100]
    assert st.mads_from_median(5, group) == 2.0
    assert st.mads_from_median(1, group) == -2.0
    assert st.mads_from_median(5, group, scaled=True) == pytest.approx(2 / 1.482602, rel=1e-6)
    out = st.mads_from_median(pd.Series([3, np.nan], index=["a", "b"]), group)
    assert out["a"] == 0 and np.isnan(out["b"])
    assert st.mads_from_median(7, [7, 7, 7, 1]) == 0  # MAD 0: at the median -> 0
    assert np.isnan(st.mads_from_median(1, [7, 7, 7, 1]))  # elsewhere -> undefined


def _oflog() -> pd.DataFrame:
    return pd.read_csv(paths.national_dir() / "ascof" / "oflog_asc_measures_2015-16_to_2022-23.csv")


@pytest.mark.national
def test_reproduces_oflog_mads_from_median():
    """Oflog: raw (unscaled) MAD; median and MAD over all councils with a value, per measure and year."""
    d = _oflog()
    got = pd.concat(
        [st.mads_from_median(g["Value"], g["Value"], scaled=False) for _, g in d.groupby(["Code", "Financial year"])]
    ).reindex(d.index)
    assert (got.isna() == d["MADs_from_median"].isna()).all()
    assert np.nanmax(np.abs(got - d["MADs_from_median"])) < 1e-6
    # and their MEDIAN column is the median over the same set
    med = d.groupby(["Code", "Financial year"])["Value"].transform("median")
    assert np.allclose(med, d["MEDIAN"], atol=1e-9)
    # a scaled MAD (x1.4826) would not reproduce it: every distance would shrink by 1.4826
    scaled = pd.concat(
        [st.mads_from_median(g["Value"], g["Value"], scaled=True) for _, g in d.groupby(["Code", "Financial year"])]
    ).reindex(d.index)
    nz = d["MADs_from_median"].abs() > 0.5
    assert np.allclose(d.loc[nz, "MADs_from_median"] / scaled[nz], 1.482602, rtol=1e-5)


@pytest.mark.national
def test_oflog_median_is_national_not_by_council_type():
    d = _oflog()
    by_type = d.groupby(["Code", "Financial year", "Entity_Name"])["Value"].transform("median")
    assert d.groupby(["Code", "Financial year"])["MEDIAN"].nunique().eq(1).all()
    assert not np.allclose(by_type, d["MEDIAN"], equal_nan=True)


# ---------------------------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(
    ("d", "higher", "lower", "none"),
    [
        (0.0, "broadly similar", "broadly similar", "broadly similar"),
        (0.49, "broadly similar", "broadly similar", "broadly similar"),
        (0.5, "slightly better", "slightly worse", "slightly higher"),
        (-1.49, "slightly worse", "slightly better", "slightly lower"),
        (1.5, "better", "worse", "higher"),
        (-2.99, "worse", "better", "lower"),
        (3.0, "much better", "much worse", "much higher"),
        (-23.8, "much worse", "much better", "much lower"),
        (np.nan, "not compared", "not compared", "not compared"),
    ],
)
def test_verdict_thresholds_and_polarity(d, higher, lower, none):
    assert st.verdict_from_mads(d, "higher") == higher
    assert st.verdict_from_mads(d, "lower") == lower
    assert st.verdict_from_mads(d, "none") == none


def test_verdict_thresholds_are_a_parameter():
    assert st.verdict_from_mads(1.0, "higher", thresholds=(1.1, 2, 4)) == "broadly similar"
    out = st.verdict_from_mads(pd.Series([0.7, -5.0]), ["lower", "none"])
    assert out.tolist() == ["slightly worse", "much lower"]
    with pytest.raises(ValueError, match="thresholds"):
        st.verdict_from_mads(1.0, "higher", thresholds=(1.5, 0.5, 3))


_FLIP = {"better": "worse", "worse": "better"}


@given(st_.floats(-50, 50, allow_nan=False))
def test_verdict_symmetry_under_polarity_flip(d):
    higher = st.verdict_from_mads(d, "higher")
    flipped = " ".join(_FLIP.get(w, w) for w in higher.split())
    assert st.verdict_from_mads(d, "lower") == flipped
    if d != 0:
        assert st.verdict_from_mads(-d, "lower") == higher


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


# ------------------------------------------------------------------------------------- interval properties


@given(st_.integers(0, 10_000), st_.integers(1, 10_000))
def test_wilson_properties(k, n):
    assume(k <= n)
    lo95, hi95 = st.wilson_ci(k, n)
    lo99, hi99 = st.wilson_ci(k, n, level=0.998)
    assert 0 <= lo99 <= lo95 <= k / n + 1e-12 and k / n - 1e-12 <= hi95 <= hi99 <= 1
    lo_big, hi_big = st.wilson_ci(4 * k, 4 * n)  # same proportion, four times the sample
    assert hi_big - lo_big < hi95 - lo95


@given(st_.floats(0, 1e6, allow_nan=False), st_.floats(1, 1e7))
def test_byar_and_rate_properties(count, pop):
    lo95, hi95 = st.byar_ci(count)
    lo99, hi99 = st.byar_ci(count, level=0.998)
    assert 0 <= lo99 <= lo95 <= count <= hi95 <= hi99
    rlo, rhi = st.rate_ci(count, pop)
    rate = count / pop * 100_000
    assert rlo <= rate * (1 + 1e-12) and rate <= rhi * (1 + 1e-12)
    if count >= 10:  # relative width shrinks as the count grows
        lo4, hi4 = st.byar_ci(4 * count)
        assert (hi4 - lo4) / (4 * count) < (hi95 - lo95) / count


# ------------------------------------------------------------------------------------------------- trend

YEARS = ["2016-17", "2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]


def test_trend_perfectly_monotonic_five_points():
    res = st.trend_test(YEARS[:5], [10, 11, 13, 14, 16])
    # Kendall's tau = 1 with n = 5: exact two-sided p = 2 / 5! = 1/60
    assert res["p_value"] == pytest.approx(1 / 60)
    assert res["direction"] == "increasing" and res["n"] == 5
    assert res["slope"] == pytest.approx(1.5)  # Theil-Sen: median of the pairwise slopes
    assert st.trend_test(YEARS[:5], [16, 14, 13, 11, 10])["direction"] == "decreasing"


def test_trend_refuses_fewer_than_five_points():
    res = st.trend_test(YEARS, [1, 2, np.nan, 4, None, 6])  # missing years dropped -> 4 points
    assert res["direction"] == "not enough points" and res["n"] == 4 and np.isnan(res["p_value"])


def test_trend_not_significant_and_flat():
    assert st.trend_test(YEARS, [5, 7, 4, 6, 5, 6])["direction"] == "no significant change"
    flat = st.trend_test(YEARS, [5] * 6)
    assert flat["direction"] == "no significant change" and flat["slope"] == 0


def test_trend_ols_matches_polyfit_and_statsmodels():
    y = np.array([3.0, 3.4, 3.9, 4.1, 4.8, 5.1])
    res = st.trend_test(range(2016, 2022), y, method="ols")
    assert res["slope"] == pytest.approx(np.polyfit(np.arange(6), y, 1)[0])
    assert res["p_value"] < 0.001 and res["direction"] == "increasing"


def test_trend_rejects_bad_years():
    with pytest.raises(ValueError, match="repeat"):
        st.trend_test([2016, 2016, 2017, 2018, 2019], [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="YYYY-YY"):
        st.trend_test(["FY1", "FY2", "FY3", "FY4", "FY5"], [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="length"):
        st.trend_test([2016, 2017], [1, 2, 3])


def test_trend_sorts_by_year():
    assert st.trend_test([2020, 2016, 2018, 2017, 2019], [5, 1, 3, 2, 4])["direction"] == "increasing"


# --------------------------------------------------------------------------------------------- summaries


def test_summarise_group():
    v = pd.Series([10.0, 20.0, 30.0, 40.0, np.nan], index=["E1", "E2", "E3", "E4", "E5"])
    s = st.summarise_group(v, "E2", polarity="higher")
    assert s["n"] == 4 and s["median"] == 25 and s["q1"] == 17.5 and s["q3"] == 32.5
    assert s["rank"] == 3 and s["quartile"] == 2 and s["value"] == 20
    assert s["mad"] == 10 and s["mads_from_median"] == -0.5
    assert st.summarise_group(v, "E2", polarity="lower")["rank"] == 2
    missing = st.summarise_group(v, "E5")
    assert np.isnan(missing["value"]) and np.isnan(missing["rank"]) and np.isnan(missing["quartile"])


def test_summarise_group_errors():
    v = pd.Series([1.0, 2.0], index=["E1", "E2"])
    with pytest.raises(ParameterError, match="E9"):
        st.summarise_group(v, "E9")
    with pytest.raises(ValueError, match="duplicate"):
        st.summarise_group(pd.Series([1.0, 2.0], index=["E1", "E1"]), "E1")
