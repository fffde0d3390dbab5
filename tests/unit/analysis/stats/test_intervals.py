"""Tests of helpers.analysis.stats.intervals against published and textbook values, with property checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st_

from helpers.analysis import stats as st

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
