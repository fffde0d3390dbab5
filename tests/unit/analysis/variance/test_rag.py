"""RAG of budget variances on their size either way, the councils' own stated rules, and the periods the reports
name (issue 14 items 11 and 12). Figures are the seeds' (Stockport, Nottinghamshire, Cambridgeshire); small
synthetic series test the properties and say so."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance import rag
from helpers.core.errors import ParameterError

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


@given(v=st.floats(-1e6, 1e6, allow_nan=False), b=st.floats(-1e6, 1e6, allow_nan=False))
def test_the_rating_is_on_the_size_either_way(v: float, b: float) -> None:
    """Hypothesis: an underspend is rated as the overspend of the same size."""
    s = rag.variance_rag(pd.Series([v, -v]), pd.Series([b, b]))
    assert s.iloc[0] == s.iloc[1]


def test_the_default_amber_is_not_zero() -> None:
    """+£21k on £138,275k (0.02%) was Amber (any overspend above 0%); now Green. Amber needs more than 1% and £50k."""
    t = rag.Thresholds()
    assert (t.amber_pct, t.amber_min_gbp_k) == (1.0, 50.0)
    assert rag.variance_rag(pd.Series([21.0, 60.0, 40.0]), pd.Series([138275.0, 3000.0, 1000.0])).tolist() == \
        ["Green", "Amber", "Green"]


def test_a_large_underspend_is_flagged_and_labelled(budget: pd.DataFrame) -> None:
    """Cambridgeshire Strategic Management - Adults -£1,970k (-30%) was Green; Stockport Boroughwide -£407k (-7.5%)."""
    vt = variance.variance_table(budget, CAMBS, "2018-19", "M04")
    sm = vt[(vt["line"] == "Strategic Management - Adults") & (vt["table_id"] == "cambridgeshire-2018-19-m04-app1")]
    assert sm[["rag", "rag_label"]].iloc[0].tolist() == ["Red", "Red (underspend)"]
    st_ = variance.variance_table(budget, STOCKPORT, "2017-18", "Q3").set_index("line")
    assert st_.loc["Boroughwide Services", "rag_label"] == "Red (underspend)"
    assert st_.loc["Learning Disability", "rag_label"] == "Red (overspend)"
    assert st_.loc["Integrated Neighbourhoods", "rag_label"] == "Green"


def test_a_councils_stated_rule_wins() -> None:
    """Cambridgeshire's F&PR rule (2% or £100k, whichever is greater) sets Red whatever the parameters; Stockport's
    'minor variances (<£0.050m)' sets the Amber floor; Nottinghamshire states none: the parameters apply."""
    mine = rag.Thresholds(amber_pct=0.5, red_pct=5.0, red_min_gbp_k=500.0, amber_min_gbp_k=10.0)
    c = rag.thresholds_for(CAMBS, mine)
    assert (c.red_pct, c.red_min_gbp_k, c.amber_pct, c.amber_min_gbp_k) == (2.0, 100.0, 0.5, 10.0)
    assert "Cambridgeshire's own rule" in c.rule and "2% of annual budget or £100,000" in c.sources[0]
    s = rag.thresholds_for(STOCKPORT, mine)
    assert (s.red_pct, s.amber_min_gbp_k) == (5.0, 50.0) and "<£0.050m" in s.sources[0]
    assert rag.thresholds_for(NOTTS, mine) == mine and NOTTS in rag.NO_RULE_STATED
    assert rag.thresholds_for(CAMBS, mine, "parameters") == mine
    with pytest.raises(ParameterError):
        rag.check_rag_rule("mine")


def test_quarters_and_months_are_the_same_period(budget: pd.DataFrame) -> None:
    """Nottinghamshire's "Quarter 1 2024/25" is stored as M03 (as at Period 3): Q1 finds it and says so."""
    assert variance.period_aliases("Q1") == ["M03"] and variance.period_aliases("M09") == ["Q3"]
    assert variance.period_aliases("M04") == [] and variance.period_aliases("YE") == []
    used, note = variance.resolve_period(budget, NOTTS, "2024-25", "Q1")
    assert used == "M03" and note == ("The figures for quarter 1 2024-25 are held as month 3 (June) 2024-25 (M03), "
                                      "the same months: M03 is used.")
    assert variance.resolve_period(budget, STOCKPORT, "2017-18", "Q3") == ("Q3", None)
    assert variance.resolve_period(budget, STOCKPORT, "2017-18", "M09") == ("Q3", variance.resolve_period(
        budget, STOCKPORT, "2017-18", "M09")[1])
