"""Tests of the notebooks' parameter schemas and rules (helpers.pipeline.params), shared by the notebooks and the CLI."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import ParameterError
from helpers.pipeline import params


@given(st.integers(min_value=1990, max_value=2098))
def test_every_consecutive_financial_year_accepted(y: int) -> None:
    text = f"{y}-{(y + 1) % 100:02d}"
    assert params.check("spend_benchmarking", year=text)["year"] == text


@pytest.mark.parametrize("bad", ["2022", "2022-24", "2022/23", "22-23", "", "2022-2023"])
def test_bad_years_refused_with_how_to_write_them(bad: str) -> None:
    with pytest.raises(ParameterError, match="write it as 'YYYY-YY'"):
        params.check("spend_benchmarking", year=bad)


@pytest.mark.parametrize("good", ["Q1", "Q4", "M01", "M12", "YE", "BUD"])
def test_periods(good: str) -> None:
    assert params.check("forecast_variance", period=good)["period"] == good


@pytest.mark.parametrize("bad", ["Q5", "M13", "M1", "July", ""])
def test_bad_periods(bad: str) -> None:
    with pytest.raises(ParameterError, match="not a period"):
        params.check("forecast_variance", period=bad)


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


@pytest.mark.parametrize(("raw", "expected"), [("1e3", 1000.0), ("2.5E-1", 0.25), ("-1e-2", -0.01), (".5", 0.5),
                                               ("7", 7), ("+3.0", 3.0)])
def test_coerce_float_reads_scientific_notation(raw: str, expected: float) -> None:
    """YAML 1.1 reads ``1e3`` as text, which the float parameters refused (issue 11)."""
    got = params.coerce("rag_red_min_gbp_k", raw, "float")
    assert got == expected and isinstance(got, (int, float)) and not isinstance(got, bool)
    assert params.coerce("need_growth_pct", raw, "Optional[float]") == expected


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e999", "1,000", "true", "1e", "e3", "£5"])
def test_coerce_float_refuses_what_is_not_a_finite_number(raw: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter 'x': expected float, got '{raw}' \\(write a finite number"):
        params.coerce("x", raw, "float")


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


#: A bad value for every parameter of every schema: each must be refused with a message naming it (a council
#: is named by the rule's own words: "unknown council 'Nowhere'; did you mean ...").
BAD: dict[str, dict[str, object]] = {
    "data_overview": {"council": "Stockprot"},
    "spend_benchmarking": {"council": "", "year": "2023/24", "comparator": "nearest", "expenditure": "grss",
                           "mad_scaled": "yes", "population_rule": "latest"},
    "ascof_benchmarking": {"council": 7, "year": "2022", "comparator": "E99999999", "measures": "1G, 9Z",
                           "trend_measures": "XX", "mad_scaled": 1},
    "forecast_variance": {"council": "E99999999", "financial_year": "2017-19", "period": "Q5", "service_scope": "kids",
                          "rag_rule": "mine", "rag_amber_pct": -1, "rag_amber_min_gbp_k": -50.0, "rag_red_pct": "2",
                          "rag_red_min_gbp_k": float("nan"),
                          "spend_profile": [1, 2], "top_lines": 0},
    "performance_scorecard": {"council": None, "financial_year": "2023-25", "period": "M13", "rule_set": "strict",
                              "amber_within_pct": -5.0, "stable_within_pct": True},
    "demand_trends": {"council": "Nowhere", "series": "ld_client", "horizon": 6, "price_uplift_pct": 101.0,
                      "nlw_rise_pct": "lots", "pay_share_pct": 120.0, "need_growth_pct": -60.0,
                      "demography_growth_pct": "x", "unit_cost_gbp_per_week": 0},
}


def test_every_parameter_of_every_schema_has_a_rule() -> None:
    assert {n: set(v) for n, v in BAD.items()} == {n: set(m.model_fields) for n, m in params.SCHEMAS.items()}


@pytest.mark.parametrize(("notebook", "name", "bad"),
                         [(nb, k, v) for nb, vals in BAD.items() for k, v in vals.items()])
def test_bad_value_refused_naming_the_parameter(notebook: str, name: str, bad: object) -> None:
    with pytest.raises(ParameterError, match=f"parameter '{name}'" if name != "council" else "council"):
        params.check(notebook, **{name: bad})


@pytest.mark.parametrize("notebook", sorted(params.SCHEMAS))
def test_defaults_pass_their_own_rules(notebook: str) -> None:
    model = params.SCHEMAS[notebook]
    defaults = {k: f.default for k, f in model.model_fields.items()}
    assert set(params.check(notebook, **defaults)) == set(defaults)


def test_unknown_parameter_lists_the_notebooks_parameters() -> None:
    with pytest.raises(ParameterError, match=r"notebook data_overview has no parameter 'year'; its parameters are: "
                                             r"council$"):
        params.check("data_overview", year="2022-23")
    with pytest.raises(ParameterError, match="no parameter schema for notebook 'nope'"):
        params.check("nope", council="E08000007")


def test_check_returns_the_given_values_checked_in_order() -> None:
    got = params.check("spend_benchmarking", comparator="Trafford, Stockport", council="stockport",
                       expenditure=" NET ", mad_scaled=True)
    assert list(got) == ["comparator", "council", "expenditure", "mad_scaled"]
    assert got == {"comparator": "E08000007,E08000009", "council": "E08000007", "expenditure": "net",
                   "mad_scaled": True}
    assert params.check("ascof_benchmarking", measures="1g, 2a2") == {"measures": "1g, 2a2"}  # read by the notebook


def test_without_a_notebook_each_name_gets_its_schema_rule() -> None:
    """Notebooks that are not reports (the runner's fixtures) check the names the reports share."""
    assert params.check(council="Stockport", n=3) == {"council": "E08000007", "n": 3}
    with pytest.raises(ParameterError, match="parameter 'expenditure'"):
        params.check(expenditure="grss")


def test_names_shared_by_schemas_have_the_same_rule() -> None:
    seen: dict[str, tuple] = {}
    for model in params.SCHEMAS.values():
        for name, f in model.model_fields.items():
            rule = (f.annotation, tuple(f.metadata))
            assert seen.setdefault(name, rule) == rule, f"{name}: the schemas check it differently"
