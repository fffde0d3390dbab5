"""Tests of helpers.analysis.stats.trend (Mann-Kendall and OLS)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.analysis import stats as st

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
