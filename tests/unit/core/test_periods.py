"""Financial years and reporting periods (helpers.core.periods)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core import periods
from helpers.core.errors import ParameterError


@given(st.integers(1900, 2098))
def test_fy_round_trip(y):
    label = periods.fy(y)
    assert periods.is_fy(label) and periods.fy_start(label) == y
    assert periods.next_fy(label) == periods.fy(y + 1)
    assert periods.fy_from_end_year(y + 1) == label


def test_fy_labels():
    assert periods.fy(1999) == "1999-00"
    assert periods.fy_range("2021-22", "2023-24") == ["2021-22", "2022-23", "2023-24"]
    assert not periods.is_fy("2023-25") and not periods.is_fy("2023")
    with pytest.raises(ParameterError, match="'year'"):
        periods.check_fy("2023-25")


def test_periods():
    assert periods.months_elapsed("Q1") == periods.months_elapsed("M03") == 3
    assert periods.period_order("BUD") < periods.period_order("M01") < periods.period_order("Q1") \
        < periods.period_order("Q1+") < periods.period_order("M04") < periods.period_order("YE")
    assert periods.period_label("M04", "2018-19") == "month 4 (July) 2018-19"
    assert periods.period_label("Q3", "2017-18") == "quarter 3 2017-18"
    with pytest.raises(ParameterError):
        periods.check_period("Q5")
