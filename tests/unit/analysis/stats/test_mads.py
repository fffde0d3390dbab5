"""Tests of helpers.analysis.stats.mads: MADs, Oflog's verdicts and group summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st_

from helpers.analysis import stats as st
from helpers.core.errors import ParameterError

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


# ------------------------------------------------------------------------------------------------ MAD floor
def test_mad_floor_from_the_scale() -> None:
    """Issue 14 item 4: 1% of a bounded scale, never below one published unit; unbounded -> one unit."""
    assert st.mad_floor("0-100") == 1.0 and st.mad_floor("0-24") == pytest.approx(0.24)
    assert st.mad_floor("0-1", decimals=3) == pytest.approx(0.01)
    assert st.mad_floor("per 100,000 population aged 65+") == pytest.approx(0.1)


def test_mad_floor_keeps_a_ceiling_measure_from_an_extreme_verdict() -> None:
    """Synthetic values shaped like ASCOF 1C(2B) 2022-23 (many councils at 100%): median 99.8, raw MAD 0.2.

    98.7 is (98.7 - 99.8) / 0.2 = -5.5 MADs ("much worse") without a floor; with the floor of 1 point,
    -1.1 MADs ("slightly worse")."""
    vals = [100.0] * 40 + [99.8] * 30 + [99.6] * 30 + [97.0, 95.0, 90.0, 80.0] * 5
    assert st.mad(vals, scaled=False) == pytest.approx(0.2) and np.median(vals) == pytest.approx(99.8)
    raw = st.mads_from_median(98.7, vals)
    floored = st.mads_from_median(98.7, vals, floor=st.mad_floor("0-100"))
    assert raw == pytest.approx(-5.5) and st.verdict_from_mads(raw, "higher") == "much worse"
    assert floored == pytest.approx(-1.1) and st.verdict_from_mads(floored, "higher") == "slightly worse"
    with pytest.raises(ValueError, match="floor"):
        st.mads_from_median(1.0, vals, floor=-1)
