"""helpers.reports.data_overview (the data overview report) and its coverage chart.

Reads the processed council tables built from the committed report figures (``asc data build`` runs them
without national data); the year lists asserted are those of the transcribed reports (data/raw/councils).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

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
    assert r.coverage_chart().axes[0].get_title(loc="left") == "Financial years held by each processed table"
