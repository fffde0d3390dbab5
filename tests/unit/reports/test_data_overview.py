"""helpers.reports.data_overview (the data overview report) and its coverage chart.

Reads the processed council tables built from the committed report figures (``asc data build`` runs them
without national data); the year lists asserted are those of the transcribed reports (data/raw/councils).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.analysis.benchmarking import identity  # noqa: E402
from helpers.data import tables  # noqa: E402
from helpers.reports import data_overview as overview
from helpers.reports import present as report
from helpers.reports.plots import overview as overview_charts


@pytest.fixture(scope="module")
def built() -> None:
    if not tables.available("council_budget"):
        tables.build(["council_budget", "council_kpis"])


def test_table_years_show_the_gaps(built: None) -> None:
    years = overview.table_years(["council_budget", "council_kpis", "councils"])
    # Cambridgeshire 2017-18 and 2018-19, Stockport 2017-18 and 2023-24, Nottinghamshire 2024-25
    assert years["council_budget"] == ["2017-18", "2018-19", "2023-24", "2024-25"]
    assert "councils" not in years  # a reference table with no financial-year column


def test_coverage_chart_draws_one_bar_per_run_of_years(built: None) -> None:
    ov = tables.overview()
    ov = ov[ov["table"].isin(["council_budget", "council_kpis"])]
    fig = overview_charts.coverage_chart(ov, overview.table_years(["council_budget", "council_kpis"]))
    ax = fig.axes[0]
    bars = [c for c in ax.collections if c.get_paths()]
    runs = sorted(len(c.get_paths()) for c in bars)
    assert runs == [2, 2]  # 2017-18..2018-19 and 2023-24..2024-25 in each
    assert ax.get_title(loc="left") and ax.get_xlabel() and ax.get_ylabel()
    assert any(t.get_text().startswith("Source:") for t in fig.texts)


def test_reader_tables(built: None) -> None:
    t = overview.show_tables(tables.overview(), overview.table_years())
    assert isinstance(t, report.Presented)
    row = t.frame.set_index("Table").loc["council_budget"]
    assert (row["Built"], row["First year"], row["Last year"], row["Years held"]) == ("yes", "2017-18", "2024-25", "4")
    cov = overview.show_coverage("E08000007", "Stockport").frame.set_index("Table")
    assert cov.loc["council_budget", "Financial years"] == "2017-18 to 2023-24 (2 years held)"
    assert cov.loc["council_key_activity", "Financial years"] == "none for this council"
    breaks = overview.show_breaks("E06000058")  # Bournemouth, Christchurch and Poole, created 2019-20
    assert breaks.frame.iloc[0]["From financial year"] == "2019-20" and breaks.frame.iloc[0]["Change"] == "merged"
    assert "E06000028" in breaks.frame.iloc[0]["Related council codes"]
    none = overview.show_breaks("E08000007")
    assert "No boundary or code change" in none.data


def test_span_text() -> None:
    assert overview._span("2017-18..2023-24 (2)") == "2017-18 to 2023-24 (2 years held)"
    assert overview._span("2017-18..2017-18 (1)") == "2017-18 (1 year held)"
    assert overview._span("-") == ""


def test_report_object_one_method_per_cell(built: None) -> None:
    r = overview.prepare("E08000007")
    assert r.heading() == "Council: Stockport (E08000007)"
    assert r.years == overview.table_years()
    assert r.tables().frame.equals(overview.show_tables(tables.overview(), overview.table_years()).frame)
    assert r.coverage().frame.equals(overview.show_coverage("E08000007", "Stockport").frame)
    assert "No boundary or code change" in r.breaks().data
    chart = r.coverage_chart()  # drawn (plots.image), with its alt text, since issue 16 item 9
    assert "Financial years held by each processed table" in chart.data
    assert chart.metadata["alt"].startswith("Chart: financial years held by each processed table")


def _overview(built: dict[str, bool]) -> pd.DataFrame:
    kinds = {"spend": "national", "ascof": "national", "council_budget": "council", "councils": "reference"}
    return pd.DataFrame({"table": list(built), "kind": [kinds[t] for t in built], "built": list(built.values()),
                         "first_year": ["2014-15", "2017-18", "2017-18", None][: len(built)],
                         "last_year": ["2024-25", "2022-23", "2024-25", None][: len(built)]})


def test_summary_says_what_data_there_are_for_which_years_and_where_series_break(monkeypatch) -> None:
    """The answer-first box of report 00 (synthetic inputs: no national data needed)."""
    monkeypatch.setattr(tables, "table_status", lambda t: ("failed", "bad row") if t == "ascof" else ("built", None))
    ov = _overview({"spend": True, "ascof": True, "council_budget": True, "councils": False})
    cov = pd.DataFrame({"table": ["spend", "ascof", "council_budget"],
                        "years": ["2014-15..2024-25 (5)", "2017-18..2022-23 (6)", "2019-20..2019-20 (1)"]})
    files = pd.DataFrame({"file": ["a", "b", "c"], "state": ["present", "missing", "present"]})
    breaks = [{"year": "2019-20", "kind": "merged", "description": "BCP created from Bournemouth and Poole (merged; "
               "see notes for the parts taken)", "related_codes": []},
              {"year": "2009-10", "kind": "code change", "description": "x", "related_codes": []}]
    lines = overview.summary_lines("E06000058", "BCP", ov, cov, files, breaks, {"council_budget": ["2019-20"]})
    assert lines == [
        "3 of 4 processed tables are built: 2 from national statistics, 1 from councils' own reports, 0 reference. "
        "The latest build of ascof failed: reports that read them are marked stale data.",
        "National figures for BCP: spend (RO3 / ASC-FR) 2014-15 to 2024-25 (5 years held); ASCOF outcomes 2017-18 "
        "to 2022-23 (6 years held).",
        "BCP's own report figures: 2019-20, in 1 table.",
        "2 of 3 registered national files are present (missing 1): set ASC_NATIONAL_DIR or run `asc data fetch`.",
        "BCP's series break in 2019-20: BCP created from Bournemouth and Poole (and 1 more change below). Trends "
        "must not join across it.",
    ]
    none = overview.summary_lines("E08000007", "Stockport", ov, cov.iloc[:0], files.assign(state="present"), [], {})
    assert none[1:] == [
        "National figures for Stockport: none built (run `asc data build` with the national files).",
        "Stockport has no report figures of its own in data/raw/councils/ (the budget and KPI reports need them).",
        "All 3 registered national files are present and unchanged.",
        "No boundary or code change breaks Stockport's series since 2009-10.",
    ]


def test_a_table_whose_latest_build_failed_says_so(monkeypatch) -> None:
    monkeypatch.setattr(tables, "table_status", lambda t: ("failed", "spend.ods row 9: not a number"))
    assert overview.built_text("spend", True) == ("latest build failed (an older copy is used): spend.ods row 9: "
                                                  "not a number")
    assert overview.built_text("spend", False).startswith("latest build failed (no copy to use)")


def test_coverage_chart_alt_text_lists_the_years(built: None) -> None:
    ov = tables.overview()
    ov = ov[ov["table"].isin(["council_budget", "council_kpis"])]
    alt = overview_charts.coverage_alt(ov, overview.table_years(["council_budget", "council_kpis"]))
    assert alt.startswith("Chart: financial years held by each processed table")
    assert "council_budget (council) 2017-18 to 2024-25, 4 years held" in alt


def test_ascof_series_breaks_section_lists_each_break_with_both_codes(monkeypatch) -> None:
    """Issue 13 item 1: the overview lists the ASCOF series breaks (the committed breaks table and crosswalk):
    measure, stable id, the codes before and from 2023-24, the year and why, escaped."""
    tables.build(["ascof_measures", "ascof_series_breaks"])
    r = overview.prepare("E08000007")
    intro, table = list(r.ascof_breaks())
    d = table.frame
    key = d.set_index(["Stable id", "From financial year", "Change"])
    row = key.loc[("reablement_outcome_65plus", "2023-24", "definition changed")]
    assert (row["Code to 2022-23"], row["Code from 2023-24"]) == ("2B(1)", "2D(1)")
    assert row["Measure"] == "Older people still at home 91 days after reablement"
    assert "renumbering" in row["Why"]
    cld = key.loc[("ltc_admissions_65plus", "2024-25", "data collection changed")]
    assert (cld["Code to 2022-23"], cld["Code from 2023-24"]) == ("2A(2)", "2C") and "client-level data" in cld["Why"]
    dtoc = key.loc[("dtoc_all", "2023-24", "retired: series ends")]
    assert dtoc["Code from 2023-24"] == "retired" and dtoc["Why"].startswith("series ends after 2019-20")
    assert "2B\\(1\\) became 2D\\(1\\)" in intro.data and "client-level data (CLD)" in intro.data
    # text from the tables reaches the page escaped, never as live HTML or Markdown
    bad = identity.changes().head(1).assign(reason="<script>x</script>", measure="*bold*")
    shown = overview.show_ascof_breaks(bad)
    html = list(shown)[1].html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_new_and_retired_measures_are_said_in_words(monkeypatch) -> None:
    """Issue 13 item 3: a measure with no earlier code is 'new in 2023-24; no earlier series'; a retired one
    ends (synthetic crosswalk rows, an edge-case fixture)."""
    cw = pd.DataFrame({"measure_id": ["brand_new", "dtoc_all", "ltc_admissions_65plus"],
                       "code_to_2022_23": ["", "2C(1)", "2A(2)"],
                       "status_from_2023_24": ["continued", "retired", "continued"],
                       "code_from_2023_24": ["4C", "", "2C"], "name_from_2023_24": ["A new measure", "", "x"]})
    monkeypatch.setattr(identity, "_cw", lambda: cw)
    assert identity.series_note("brand_new") == "new in 2023-24; no earlier series"
    assert identity.series_note("dtoc_all", "2019-20") == "series ends after 2019-20 (retired at the 2023-24 renumbering)"
    assert identity.series_note("ltc_admissions_65plus") == ""
    assert identity.name_of("brand_new") == "A new measure"
    assert identity.in_year("4C", "2023-24") == ("brand_new", "4C")
    assert identity.in_year("2C", "2023-24") == ("ltc_admissions_65plus", "2C (was 2A(2))")
    tables.build(["ascof_measures", "ascof_series_breaks"])
    ch = identity.changes().set_index("measure_id")
    assert ch.loc["brand_new", "reason"] == "new in 2023-24; no earlier series" and ch.loc["brand_new", "kind"] == "new"
    assert ch.loc["dtoc_all", "code_from_2023_24"] == "retired"
    intro = list(overview.show_ascof_breaks(ch.reset_index()))[0].data
    assert "1 is new in 2023\\-24 with no earlier series" in intro and "1 measure retired" in intro
