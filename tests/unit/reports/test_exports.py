"""The finance team's workbook (helpers.reports.exports): cover, formats, RAG, text that stays text."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from helpers.reports import exports

FRAME = pd.DataFrame({
    "line": ["=SUM(A1:A9)", "Learning Disability", "@cmd", "+£308k"],
    "budget_gbp_k": [1125.0, 27851.0, None, 5.0],
    "variance_pct": [27.377777, 2.5456, None, -0.4],
    "rag": ["Red", "Amber", None, "Green"],
})
SHEET = exports.Sheet("Every line", FRAME, columns={"line": "Service line", "budget_gbp_k": "Budget (£k)",
                                                   "variance_pct": "Variance (% of budget)", "rag": "RAG"},
                      formats={"budget_gbp_k": "gbp_k", "variance_pct": "pct_signed"}, rag=["rag"],
                      note="Source: para 2.1.2")
COVER = exports.Cover("Forecast variance", "Stockport", "quarter 3 2017-18", sources=["001.txt: para 2.1.2"],
                      run_id="run-1")


def _book(cover=COVER, sheets=(SHEET,)):
    return openpyxl.load_workbook(io.BytesIO(exports.workbook_bytes(cover, list(sheets))))


def test_cover_names_council_period_run_sources_and_citation():
    ws = _book()["Cover"]
    cells = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert cells["Council"] == "Stockport" and cells["Period"] == "quarter 3 2017-18"
    assert cells["Run"] == "run-1" and cells["Source"] == "001.txt: para 2.1.2"
    assert "Stockport" in cells["How to cite"]


def test_table_sheet_numbers_formats_rag_and_text():
    ws = _book()["Every line"]
    assert ws["A1"].value == "Source: para 2.1.2"
    assert [c.value for c in ws[3]] == ["Service line", "Budget (£k)", "Variance (% of budget)", "RAG"]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref == "A3:D7"
    assert ws["A4"].value == "=SUM(A1:A9)" and ws["A4"].data_type == "s"
    assert ws["A6"].data_type == "s" and ws["A7"].value == "+£308k"
    assert ws["B5"].value == 27851 and ws["B5"].number_format == "#,##0"
    assert abs(ws["C4"].value - 0.27377777) < 1e-9 and ws["C4"].number_format.startswith("+0.0%")
    assert ws["B6"].value is None  # missing stays blank, never 0
    assert ws["D4"].value == "Red" and ws["D4"].fill.fgColor.rgb.endswith("F6C9B3")


@given(st.text(alphabet=st.sampled_from(list("=+-@abc1() <>&\"'")), min_size=1, max_size=12))
def test_no_text_becomes_a_formula(value):
    book = _book(exports.Cover(value, value, value), [exports.Sheet(value or "x", pd.DataFrame({"a": [value]}))])
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    names = [exports.sheet_name(t, taken) for t in ["Cover", "a/b:c" * 10, "a/b:c" * 10, "cover"]]
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert len({n.lower() for n in names}) == 4


def test_period_codes_are_written_in_the_reports_words():
    """Issue 16: "Previous period" said "Q2" where the reports say "quarter 2" (core.periods.period_label)."""
    frame = pd.DataFrame({"previous_period": ["Q2", "M03", "YE", "Q1+", None, "July report"]})
    ws = _book(sheets=[exports.Sheet("Summary", frame, {"previous_period": "Previous period"},
                                     {"previous_period": "period"})])["Summary"]
    assert [ws.cell(r, 1).value for r in range(2, 8)] == [
        "quarter 2", "month 3 (June)", "year end", "quarter 1 (updated report, 'Q1+')", None, "July report"]
    assert exports.period_words(3) == 3
