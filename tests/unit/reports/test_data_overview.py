"""helpers.reports.data_overview (the data overview report) and its coverage chart.

Reads the processed council tables built from the committed report figures (``asc data build`` runs them
without national data); the year lists asserted are those of the transcribed reports (data/raw/councils).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

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
