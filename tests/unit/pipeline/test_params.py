"""Tests of notebook parameter rules (helpers.pipeline.params), shared by the notebooks and the CLI."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import ParameterError
from helpers.pipeline import params


@given(st.integers(min_value=1990, max_value=2098))
def test_every_consecutive_financial_year_accepted(y: int) -> None:
    text = f"{y}-{(y + 1) % 100:02d}"
    assert params.check_year(text) == text


@pytest.mark.parametrize("bad", ["2022", "2022-24", "2022/23", "22-23", "", "2022-2023"])
def test_bad_years_refused_with_how_to_write_them(bad: str) -> None:
    with pytest.raises(ParameterError, match="write it as 'YYYY-YY'"):
        params.check_year(bad)


@pytest.mark.parametrize("good", ["Q1", "Q4", "M01", "M12", "YE", "BUD"])
def test_periods(good: str) -> None:
    assert params.check_period(good) == good


@pytest.mark.parametrize("bad", ["Q5", "M13", "M1", "July", ""])
def test_bad_periods(bad: str) -> None:
    with pytest.raises(ParameterError, match="not a period"):
        params.check_period(bad)


def test_council_by_name_or_code_and_suggestion() -> None:
    assert params.check(council="Stockport")["council"] == "E08000007"
    assert params.check(council="E08000007")["council"] == "E08000007"
    with pytest.raises(ParameterError, match="Stockport"):
        params.check(council="Stockprot")


@pytest.mark.parametrize(
    ("raw", "type_name", "expected"),
    [("3", "int", 3), ("2.5", "float", 2.5), ("true", "bool", True), ("a,b", "list[str]", ["a", "b"]),
     ("[1, 2]", "list", [1, 2]), ("E08000007", "str", "E08000007")],
)
def test_coerce_command_line_values(raw: str, type_name: str, expected: object) -> None:
    assert params.coerce("x", raw, type_name) == expected


def test_coerce_refuses_wrong_type() -> None:
    with pytest.raises(ParameterError, match="parameter 'h': expected int, got 'two'"):
        params.coerce("h", "two", "int")


@pytest.mark.parametrize(("raw", "expected"), [("3.5", 3.5), ("2", 2), ("None", None), ("", None)])
def test_coerce_optional_float(raw: str, expected: object) -> None:
    """Parameters cells annotate optional numbers as "Optional[float]" (papermill cannot parse `float | None`)."""
    assert params.coerce("need_growth_pct", raw, "Optional[float]") == expected


def test_coerce_optional_refuses_text() -> None:
    with pytest.raises(ParameterError, match="expected Optional\\[float\\], got 'lots'"):
        params.coerce("need_growth_pct", "lots", "Optional[float]")
