"""RAG and direction-of-travel rules: the rules' edges (synthetic values: boundaries, zero target, missing
polarity), their properties, and the rule-set parameter."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis import scorecard as rag
from helpers.core.errors import ParameterError
from helpers.reports import performance_scorecard as ps

STOCKPORT = "E08000007"


def test_rag_boundaries_stockport() -> None:
    """Synthetic: exactly 5% below target is Amber ('<5%' / '>5%' leave 5% itself to Amber)."""
    rules = rag.RULE_SETS["stockport"]
    r = rag.rate(pd.Series([100.0, 95.0, 94.99, 105.0, 110.0, 50.0, 5.0, 0.0, 3.0]),
                 pd.Series([100.0, 100.0, 100.0, 100.0, 100.0, float("nan"), 0.0, 0.0, 10.0]),
                 pd.Series(["higher", "higher", "higher", "lower", "lower", "higher", "lower", "lower", None]), rules)
    assert r["rag"].tolist() == ["Green", "Amber", "Red", "Amber", "Red", "No target", "Red", "Green", "Not rated"]


def test_direction_rules() -> None:
    """Synthetic: Stockport stable within 1% either side; Cambridgeshire only when unchanged."""
    cur = pd.Series([101.0, 98.9, 102.0, 100.0, 100.5])
    prev = pd.Series([100.0, 100.0, 100.0, float("nan"), 100.0])
    pol = pd.Series(["higher", "higher", "lower", "higher", "higher"])
    assert rag.direction(cur, prev, pol, rag.RULE_SETS["stockport"])["dot"].tolist() == [
        "stable", "worse", "worse", "n/a", "stable"]
    assert rag.direction(cur, prev, pol, rag.RULE_SETS["cambridgeshire"])["dot"].tolist() == [
        "better", "worse", "worse", "n/a", "better"]
    assert rag.direction(cur, prev, pol, rag.RULE_SETS["nottinghamshire"])["dot"].eq("n/a").all()


@given(v=st.floats(-1e6, 1e6), t=st.floats(-1e6, 1e6).filter(lambda x: abs(x) > 1e-6))
def test_polarity_mirrors(v: float, t: float) -> None:
    higher = rag.worse_by_pct(pd.Series([v]), pd.Series([t]), pd.Series(["higher"])).iloc[0]
    lower = rag.worse_by_pct(pd.Series([2 * t - v]), pd.Series([t]), pd.Series(["lower"])).iloc[0]
    assert higher == pytest.approx(lower, rel=1e-9, abs=1e-6)


@given(t=st.floats(1, 1e6), a=st.floats(0, 1e6), b=st.floats(0, 1e6))
def test_a_better_value_never_gets_a_worse_rag(t: float, a: float, b: float) -> None:
    order = {"Red": 0, "Amber": 1, "Green": 2}
    lo, hi = min(a, b), max(a, b)
    r = rag.rate(pd.Series([lo, hi]), pd.Series([t, t]), pd.Series(["higher", "higher"]),
                 rag.RULE_SETS["stockport"])["rag"]
    assert order[r.iloc[1]] >= order[r.iloc[0]]


def test_rule_set_parameter() -> None:
    assert rag.rule_set("own", STOCKPORT).name == "stockport"
    assert rag.rule_set("own", "E06000001").name == "tolerance"
    assert rag.rule_set("tolerance", amber_within_pct=10).amber_within_pct == 10
    assert rag.rule_set("stockport", amber_within_pct=10).amber_within_pct == 5  # named rules stay as stated
    with pytest.raises(ParameterError, match="not a rule set"):
        rag.check_rule_set("stockport2")
    for rules in rag.RULE_SETS.values():
        assert rules.title in ps.rules_text(rules)
