"""helpers.reports.present: the reader-facing table (present), its number formats, and the empty-table message.

Small synthetic frames throughout: these are formatting edge cases (negative zero, missing values, tiny per
cents, HTML escaping), not findings. The report figures themselves are tested in test_variance / test_rag.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from IPython.display import Markdown

from helpers.reports import present as report

COLUMNS = {"line": "Line", "budget_gbp_k": "Budget (£k)", "variance_gbp_k": "Variance (£k)",
           "variance_pct": "Variance (% of budget)", "rag": "RAG"}
FORMATS = {"budget_gbp_k": "gbp_k", "variance_gbp_k": "gbp_k_signed", "variance_pct": "pct_signed"}


def _frame() -> pd.DataFrame:
    """Synthetic: two printed tables, one missing variance, an internal id that must not be shown."""
    return pd.DataFrame({
        "table_id": ["t-1", "t-1", "t-2"], "row_order": [1, 2, 1],
        "source_table": ["Table A", "Table A", "Table B"], "line": ["Care & support", "Total", "Income"],
        "budget_gbp_k": [1234.4, 1234.4, -500.0], "variance_gbp_k": [12.0, np.nan, -0.4],
        "variance_pct": [0.972, np.nan, 0.02], "rag": ["Amber", "n/a", "Green"],
    })


def test_present_chooses_columns_headings_and_formats() -> None:
    t = report.present(_frame(), columns=COLUMNS, formats=FORMATS, empty="none")
    assert isinstance(t, report.Presented)
    # two source tables: the source stays as the first column; internal ids are never shown
    assert t.frame.columns.tolist() == ["Source table", *COLUMNS.values()]
    assert t.frame.values.tolist() == [
        ["Table A", "Care & support", "1,234", "+12", "+1.0%", "Amber"],
        ["Table A", "Total", "1,234", "–", "–", "n/a"],           # missing stays a dash, never 0
        ["Table B", "Income", "-500", "0", "+0.02%", "Green"],     # no "-0"; a tiny share is not shown as 0.0%
    ]
    assert "t-1" not in t.html and "row_order" not in repr(t)


def test_one_source_table_is_named_once_above_the_table() -> None:
    d = _frame().iloc[:2]
    t = report.present(d, columns=COLUMNS, formats=FORMATS, empty="none", note="Every row: a caveat")
    assert t.caption == "Source table: Table A. Every row: a caveat"
    assert "Source table" not in t.frame.columns
    assert "<caption>Source table: Table A. Every row: a caveat</caption>" in t.html
    assert repr(t).splitlines()[0] == t.caption


def test_html_is_deterministic_escaped_and_styled() -> None:
    d = _frame()
    a = report.present(d, columns=COLUMNS, formats=FORMATS, empty="x", rag=["rag"], emphasis=d["line"].eq("Total"))
    b = report.present(d.copy(), columns=COLUMNS, formats=FORMATS, empty="x", rag=["rag"],
                       emphasis=d["line"].eq("Total"))
    assert a.html == b.html  # same table, same bytes (no random ids)
    c = report.present(d.assign(line=["x", "Total", "Income"]), columns=COLUMNS, formats=FORMATS, empty="x")
    ids = {re.search(r'<table id="(T_[0-9a-f]+)"', t.html).group(1) for t in (a, c)}
    assert len(ids) == 2  # different tables on one page do not share CSS ids
    assert "Care &amp; support" in a.html
    assert report.RAG_TINTS["amber"] in a.html and report.RAG_TINTS["green"] in a.html
    assert "font-weight: bold" in a.html
    # numbers right-aligned: the budget column (col 2, after source and line)
    assert re.search(r"td\.col2 \{\s*text-align: right;", a.html)


def test_empty_and_sorting() -> None:
    out = report.present(_frame().iloc[0:0], columns=COLUMNS, empty="The report prints no savings figures.")
    assert isinstance(out, Markdown) and out.data == "*The report prints no savings figures.*"
    t = report.present(_frame(), columns=COLUMNS, formats=FORMATS, empty="x", sort=["budget_gbp_k", "line"],
                       source=None)
    assert t.frame["Line"].tolist() == ["Income", "Care & support", "Total"]


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_money_formats_round_trip(x: float) -> None:
    text = report.FORMATS["gbp_k"](x)
    signed = report.FORMATS["gbp_k_signed"](x)
    assert text != "-0" and signed not in ("-0", "+0")
    value = float(text.replace(",", ""))
    assert abs(value - x) <= 0.5 + 1e-9 * abs(x)
    assert signed.lstrip("+") == text  # the same number, with a + on an overspend
    assert signed.startswith("+") == (value > 0)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*", text)


@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False))
def test_per_cent_formats(x: float) -> None:
    text = report.FORMATS["pct_signed"](x)
    assert text.endswith("%") and not re.fullmatch(r"-0(\.0+)?%", text)  # never "-0.0%" ("-0.03%" is right)
    shown = float(text.rstrip("%").replace(",", ""))
    assert abs(shown - x) <= 0.05 + 1e-9 * abs(x)
    if x != 0:
        assert shown != 0 or abs(x) < 0.005  # a non-zero share shows as non-zero unless below 0.005%
    assert report.FORMATS["num"](2.70) == "2.7" and report.FORMATS["num"](2235.0) == "2,235"


def test_summary_box_banner_and_status_escape_and_record(tmp_path, monkeypatch):
    import json

    from helpers.reports import present

    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(tmp_path / "r"))
    box = present.summary_box("<b>Stockport</b> - variance", ["Over by £1k <script>x</script>", ""]).data
    assert "<script>" not in box and "&lt;script&gt;" in box and box.count("<li>") == 1
    ban = present.banner("stale data", "council_budget failed <img src=x>").data
    assert "<img" not in ban
    present.note("No figures for {y}.", y="<i>2023-24</i>")
    present.set_status("no data", "nothing for Q5")
    assert (tmp_path / "r.notes").read_text() == "No figures for <i>2023-24</i>.\n"  # the index escapes it
    statuses = [json.loads(x) for x in (tmp_path / "r.status").read_text().splitlines()]
    assert [s["status"] for s in statuses] == ["stale data", "no data"]
    assert "&lt;i&gt;" in present.say("No figures for {y}.", y="<i>2023-24</i>").data


def test_caption_and_headings_are_escaped():
    import pandas as pd

    from helpers.reports import present

    df = pd.DataFrame({"a": ["<b>x</b>"], "src": ["para 2.1.2 <script>alert(1)</script>"]})
    out = present.present(df, columns={"a": "<i>A</i>"}, source="src", empty="none")
    assert "<script>" not in out.html and "<i>A</i>" not in out.html and "<b>x</b>" not in out.html


def test_glossary_is_a_grid_that_jupyterlabs_floats_cannot_misalign() -> None:
    """JupyterLab's output CSS floats dt (20%) and dd (80%): a term wrapping to two lines beside a one-line meaning
    pushed the next term into the meaning column (seen in the spend report's glossary at 1280 px). The glossary is
    a two-column grid with the floats undone inline, one dd per dt, sorted, escaped."""
    from bs4 import BeautifulSoup

    html = report.glossary({"MAD (median absolute deviation)": "typical distance", "<b>x</b>": "a & b"}).data
    dl = BeautifulSoup(html, "html.parser").find("dl")
    assert "display: grid" in dl["style"] and "grid-template-columns" in dl["style"]
    dts, dds = dl.find_all("dt"), dl.find_all("dd")
    assert len(dts) == len(dds) == 2 and all("float: none" in e["style"] for e in dts + dds)
    assert [d.get_text() for d in dts] == ["<b>x</b>", "MAD (median absolute deviation)"]
    assert dl.find("b") is None and dds[0].get_text() == "a & b"
