"""Tests of helpers.analysis.benchmarking.groups: the comparator parameter and where a council sits (synthetic
values, no national data)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis import stats
from helpers.analysis.benchmarking import groups as bg
from helpers.analysis.benchmarking import placing
from helpers.core.errors import ParameterError
from helpers.pipeline import params

# ------------------------------------------------------------------------------------------------
# comparator parameter (no national data needed)
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("nearest_neighbours", "nearest_neighbours"), ("Region", "region"), ("council type", "council_type"),
    ("England", "england"), ("cipfa_2021", "cipfa_2021"),
    ("E08000009, Stockport", ["E08000007", "E08000009"]), (["Trafford", "E08000007"], ["E08000007", "E08000009"]),
])
def test_parse_comparator(raw, expected) -> None:
    assert bg.parse_comparator(raw) == expected


@pytest.mark.parametrize("raw", ["neighbours", "E08000007, Nowhere", "", "E99999999"])
def test_parse_comparator_refuses_bad_values(raw) -> None:
    with pytest.raises(ParameterError, match="comparator"):
        bg.parse_comparator(raw)


def test_comparator_is_a_named_parameter_check() -> None:
    """The CLI and the notebooks share the rule: a list comes back as codes, a group as its name."""
    assert params.check(comparator="Trafford, E08000007")["comparator"] == "E08000007,E08000009"
    assert params.check(comparator="REGION")["comparator"] == "region"
    with pytest.raises(ParameterError):
        params.check(comparator="nearest")

# ------------------------------------------------------------------------------------------------
# where a council sits: hand-worked example
# ------------------------------------------------------------------------------------------------


def test_position_hand_worked() -> None:
    """Synthetic values (an edge-case fixture): worked by hand.

    All councils: 10, 20, ..., 100 and the council A = 80 (11 values). Median 60; |x - 60| = 50, 40, 30, 20,
    10, 0, 10, 20, 30, 40, 20 -> MAD 20, so A is (80 - 60) / 20 = 1.0 MAD above: "slightly higher".
    Group (issue 14 item 1: the comparators without the council): G1..G5 = 10, 20, 30, 40, 50: median 30,
    |x - 30| = 20, 10, 0, 10, 20 -> MAD 10; A is 50 / 10 = 5.0 MADs above: "much higher"; rank 1 of 6 (A and
    the five, highest first); quartiles of the five (type 7): 20 and 40.
    """
    values = pd.Series([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 80.0],
                       index=[f"C{i}" for i in range(1, 11)] + ["A"])
    group = ("C1", "C2", "C3", "C4", "C5")
    pos = placing.position(values, "A", group, "none")
    assert pos["england_median"] == 60 and pos["england_mads"] == pytest.approx(1.0)
    assert pos["england_verdict"] == "slightly higher"
    assert pos["group_median"] == 30 and pos["group_mads"] == pytest.approx(5.0)
    assert pos["group_verdict"] == "much higher" and pos["rank"] == 1 and pos["rank_of"] == 6
    assert pos["group_q1"] == pytest.approx(20) and pos["group_q3"] == pytest.approx(40)  # type 7
    assert pos["group_n"] == pos["group_size"] == 5 and pos["group_missing"] == ()
    assert pos["england_n"] == pos["england_of"] == 11
    assert not pos["outlier"]
    # polarity turns "higher" into better/worse
    assert placing.position(values, "A", group, "lower")["group_verdict"] == "much worse"
    # scaled MAD: 5.0 / 1.4826 = 3.37 MADs -> still "much higher"; a MAD floor of 20 -> 50 / 20 = 2.5 -> "higher"
    assert placing.position(values, "A", group, "none", scaled=True)["group_verdict"] == "much higher"
    assert placing.position(values, "A", group, "none", mad_floor=20)["group_verdict"] == "higher"


def test_position_names_comparators_without_a_value() -> None:
    """Synthetic edge case (issue 14 item 2): a comparator without a value is counted out and named."""
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, np.nan, 9.0], index=["G1", "G2", "G3", "G4", "G5", "G6", "A"])
    pos = placing.position(values, "A", ("G1", "G2", "G3", "G4", "G5", "G6"))
    assert pos["group_n"] == 5 and pos["group_size"] == 6 and pos["group_missing"] == ("G6",)
    assert pos["group_median"] == 3.0 and pos["rank_of"] == 6
    assert pos["england_n"] == 6 and pos["england_of"] == 7


def test_position_needs_five_comparators_with_a_value() -> None:
    """Synthetic edge case: 4 of 5 comparators have a value -> no group statistics, and the reason."""
    values = pd.Series([1.0, 2.0, 3.0, 4.0, np.nan, 5.0], index=["G1", "G2", "G3", "G4", "G5", "A"])
    pos = placing.position(values, "A", ("G1", "G2", "G3", "G4", "G5"))
    assert math.isnan(pos["group_median"]) and pos["group_verdict"] == stats.NOT_COMPARED
    assert "only 4 comparator council(s) have a value" in pos["reason"]
    missing = placing.position(values, "G5", ("G1", "G2", "G3", "G4", "A"))
    assert missing["england_verdict"] == stats.NOT_COMPARED and "no value for the council" in missing["reason"]


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=12, max_size=40),
       st.integers(min_value=5, max_value=10))
def test_position_properties(vals: list[float], k: int) -> None:
    """Properties on random values (hypothesis): the group median is the median of the comparators (never the
    council: issue 14 item 1); the rank lies in 1..n; reversing the polarity swaps better and worse; the England
    median is the median of all values."""
    codes = [f"C{i:02d}" for i in range(len(vals))]
    s = pd.Series(vals, index=codes)
    council, group = codes[0], tuple(codes[1:k + 1])
    hi = placing.position(s, council, group, "higher")
    lo = placing.position(s, council, group, "lower")
    assert hi["group_median"] == pytest.approx(float(np.median(s.loc[list(group)])))
    assert hi["england_median"] == pytest.approx(float(np.median(s)))
    assert 1 <= hi["rank"] <= hi["rank_of"] == k + 1
    swap = {"better": "worse", "worse": "better"}
    for key in ("group_verdict", "england_verdict"):
        words = hi[key].split(" ")
        assert lo[key] == " ".join(swap.get(w, w) for w in words)


def test_group_shortfall_counts_rows_with_too_few_comparators() -> None:
    """Synthetic summary rows (edge-case fixture): a row without a council value is not counted; all rows
    short -> advice to choose a larger group; some rows short -> how many."""
    b = bg.Benchmark("E08000007", "Stockport", "2023-24", "E08000007", "E08000007", "list", "list",
                     tuple(f"E0800000{i}" for i in range(1, 7)), "a chosen list of 6 councils", "E12000002",
                     "North West", "metropolitan district")
    rows = pd.DataFrame({"value": [1.0, 2.0, np.nan], "group_n": [6, 4, 0]})
    assert bg.group_shortfall(b, rows) == ("On 1 of 2 spend lines fewer than 5 comparator councils have a value for "
                                           "2023-24 (as few as 4): those rows have no group median, quartiles or rank.")
    assert "A larger comparator group" in bg.group_shortfall(b, rows.assign(group_n=[3, 4, 0]))
    assert bg.group_shortfall(b, rows.assign(group_n=[5, 5, 0])) is None
