"""The performance scorecard report: the reader's tables (headings, formats, no internal ids) and its prose."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import kpi_card
from helpers.analysis import scorecard as rag
from helpers.data import council_reports as council_data
from helpers.reports import performance_scorecard as ps

STOCKPORT = "E08000007"


@pytest.fixture(scope="module")
def kpis() -> pd.DataFrame:
    return council_data.load_kind("kpis", warn=False)


def _card(kpis: pd.DataFrame, code: str, year: str, period: str, name: str = "own") -> pd.DataFrame:
    return kpi_card.scorecard(kpis, code, year, period, rag.rule_set(name, code))


def test_reader_tables(kpis: pd.DataFrame) -> None:
    from helpers.reports import present as report

    card = _card(kpis, STOCKPORT, "2023-24", "Q2")
    shown = ps.display(card)
    assert isinstance(shown, report.Presented) and len(shown) == 21
    row = shown.frame.set_index("KPI").loc["HASC 2.7 People undertaking the National Diabetes Prevention Programme"]
    assert (row["Better if"], row["Year-end forecast"], row["Target"], row["RAG (computed)"], row["RAG (printed)"]) == (
        "higher", "1,100", "1,085", "Green", "G")
    assert "kpi_code" not in shown.frame.columns and "table_id" not in repr(shown)
    counts = ps.show_counts(kpi_card.rag_counts(card))
    assert counts.frame.set_index("RAG rating").loc["Total"].tolist() == ["21", "21"]
    text = ps.summary_text(card, rag.rule_set("own", STOCKPORT), "Stockport", "quarter 2 2023-24")
    assert "2 are red, 1 amber and 9 green by Stockport's rules; 9 have no numeric target" in text
    diff = ps.show_differences(card)
    assert diff.frame.columns.tolist() == ["KPI", "RAG (computed)", "RAG (printed)", "Direction (computed)",
                                           "Direction (printed)", "Why they differ"]
    assert ps.not_rated_note(card, rag.rule_set("own", STOCKPORT), "Stockport") is None
