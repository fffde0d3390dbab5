"""The performance scorecard report: the reader's tables (headings, formats, no internal ids) and its prose."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import kpi_card
from helpers.analysis import scorecard as rag
from helpers.reports import performance_scorecard as ps

STOCKPORT = "E08000007"


@pytest.fixture(scope="module")
def kpis(council_kind) -> pd.DataFrame:
    return council_kind("kpis")


def _card(kpis: pd.DataFrame, code: str, year: str, period: str, name: str = "own") -> pd.DataFrame:
    return kpi_card.scorecard(kpis, code, year, period, rag.rule_set(name, code))


def test_reader_tables(kpis: pd.DataFrame) -> None:
    from helpers.reports import present as report

    card = _card(kpis, STOCKPORT, "2023-24", "Q2")
    shown = ps.display(card)
    assert isinstance(shown, report.Presented) and len(shown) == 21
    row = shown.frame.set_index("KPI").loc["HASC 2.7 People undertaking the National Diabetes Prevention Programme"]
    assert (row["Better if"], row["Year-end forecast"], row["Target"], row["RAG (computed)"], row["RAG (printed)"]) == (
        "higher", "1,100", "1,085", "Green", "Green (printed 'G')")  # RAG always as a word (issue 16)
    assert "kpi_code" not in shown.frame.columns and "table_id" not in repr(shown)
    counts = ps.show_counts(kpi_card.rag_counts(card))
    assert counts.frame.set_index("RAG rating").loc["Total"].tolist() == ["21", "21"]
    text = ps.summary_text(card, rag.rule_set("own", STOCKPORT), "Stockport", "quarter 2 2023-24")
    assert "2 are red, 1 amber and 9 green by Stockport's rules; 9 have no numeric target" in text
    diff = ps.show_differences(card)
    assert diff.frame.columns.tolist() == ["KPI", "RAG (computed)", "RAG (printed)", "Direction (computed)",
                                           "Direction (printed)", "Why they differ"]
    assert ps.not_rated_note(card, rag.rule_set("own", STOCKPORT), "Stockport") is None


NOTTS, CAMBS = "E10000024", "E10000003"


def test_the_answer_comes_first_and_names_the_misfit() -> None:
    """Nottinghamshire as Q1: the title names council and period; the box says the printed ratings are shown as
    printed (no rule stated), what is printed Red, and the Green at 77.0 against 78 (issues 16 and 14 item 17)."""
    r = ps.prepare(NOTTS, "2024-25", "Q1", "own", 5.0, 1.0)
    assert r.title() == "Nottinghamshire - performance scorecard, quarter 1 2024-25"
    lines = ps.summary_lines(r.card, r.rules, r.name, r.label)
    assert lines[0] == ("7 indicators. The report rates them 1 Red, 2 Amber and 4 Green but states no rule for its "
                        "ratings, so they are shown as printed.")
    assert lines[-1].startswith("1 printed rating does not fit the report's own target: % people who receive long "
                                "term support")
    assert "M03 is used" in r.period_note
    assert len(r.contradictions()) == 1


def test_the_july_report_shows_its_kpi_table() -> None:
    """Cambridgeshire M04 (the July 2018 F&PR) shows the Appendix 7 KPIs printed as at June (before: no KPIs)."""
    r = ps.prepare(CAMBS, "2018-19", "M04", "own", 5.0, 1.0)
    assert len(r.card) == 15 and r.period_note.startswith("The report of month 4 (July) 2018-19 prints its KPI")


def test_no_kpis_is_no_data(tmp_path, monkeypatch) -> None:
    """A period without KPIs: the status 'no data' for the index and manifest, said at the top (issue 14 item 13)."""
    import json

    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(tmp_path / "04_performance_scorecard"))
    r = ps.prepare(CAMBS, "2018-19", "M05", "own", 5.0, 1.0)
    assert r.card.empty and r.scorecard() is None and r.rag_chart() is None
    r.summary()
    status = json.loads((tmp_path / "04_performance_scorecard.status").read_text().splitlines()[0])
    assert status["status"] == "no data" and "No KPI figures for Cambridgeshire in month 5 (August) 2018-19" in \
        status["reason"]


def test_kpi_text_from_data_is_escaped(kpis: pd.DataFrame) -> None:
    """Issue 11 item 1: a KPI name and commentary holding HTML reach the box, prose and tables only escaped."""
    bad = "<img src=x onerror=alert(1)> **b**"
    r = ps.prepare(STOCKPORT, "2023-24", "Q2", "own", 5.0, 1.0)
    r.card = r.card.assign(kpi_name=bad + r.card["kpi_name"], commentary=bad)
    r.source = bad
    for o in (*r.summary().items, r.intro(), r.scorecard(), r.contradictions(), r.in_words(), r.rag_chart()):
        text = getattr(o, "data", None) or getattr(o, "html", "")
        assert "<img src" not in text


def test_one_workbook_with_rag_coloured_and_worded(tmp_path, monkeypatch) -> None:
    """The KPI sheet: RAG cells coloured and worded, figures as numbers (issue 16 item 5)."""
    from openpyxl import load_workbook

    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(tmp_path / "04_performance_scorecard"))
    r = ps.prepare(STOCKPORT, "2023-24", "Q2", "own", 5.0, 1.0)
    r.workbook()
    wb = load_workbook(tmp_path / "04_performance_scorecard_workbook.xlsx")
    assert wb.sheetnames == ["Cover", "RAG counts", "KPIs", "Differences"]
    ws = wb["KPIs"]
    head = [c.value for c in ws[3]]
    j = head.index("RAG (computed)")
    cells = [ws.cell(row=i, column=j + 1) for i in range(4, ws.max_row + 1)]
    red = [c for c in cells if c.value == "Red"]
    assert len(red) == 2 and all(c.fill.fgColor.rgb.endswith("F6C9B3") for c in red)
    assert isinstance(ws.cell(row=4, column=head.index("Latest") + 1).value, float)
