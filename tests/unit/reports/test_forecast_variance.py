"""The forecast variance report: its prose (what figures there are, the plain-English summary) and the reader's
tables (headings with units, formats, notes), from the seeds' printed figures."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.price_volume import decompose
from helpers.analysis.variance.savings import reserves_in_budget, savings_summary
from helpers.analysis.variance.summary import SUMMARY_COLUMNS, largest_variances, summary_table
from helpers.core import periods
from helpers.data import council_reports as council_data
from helpers.reports import forecast_variance as fv
from helpers.reports import forecast_variance_text as fv_text

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


@pytest.fixture(scope="module")
def budget() -> pd.DataFrame:
    return council_data.load_kind("budget_monitoring", warn=False)


@pytest.fixture(scope="module")
def key_activity() -> pd.DataFrame:
    return council_data.load_kind("key_activity", warn=False)


@pytest.fixture(scope="module")
def savings() -> pd.DataFrame:
    return council_data.load_kind("savings", warn=False)


def test_a_period_with_no_budget_gives_a_message(budget: pd.DataFrame) -> None:
    assert variance.variance_table(budget, STOCKPORT, "2025-26", "BUD").empty
    msg = fv_text.availability(budget, STOCKPORT, "2025-26", "BUD", "Stockport")
    assert "No budget figures for Stockport in budget setting 2025-26" in msg
    assert "2017-18 Q3, 2023-24 Q2" in msg
    assert fv_text.availability(budget, STOCKPORT, "2017-18", "Q3", "Stockport") is None
    for fn in (variance.headline, largest_variances, reserves_in_budget):
        assert fn(variance.variance_table(budget, STOCKPORT, "2025-26", "BUD")).empty
    assert variance.movement(budget, STOCKPORT, "2025-26", "BUD").empty


def test_summary_text_and_table(budget: pd.DataFrame, key_activity: pd.DataFrame, savings: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, STOCKPORT, "2017-18", "Q3")
    sv = savings_summary(savings, STOCKPORT, "2017-18", "Q3")
    text = fv_text.summary_text(vt, decompose(key_activity, STOCKPORT, "2017-18", "Q3"), sv, "Stockport",
                                 "quarter 3 2017-18")
    assert ("forecasts an overspend of £584k on a budget of £69,839k (+0.8% of the budget): the total of 'para 2.1.2 "
            "revenue table (breakdown of the forecast by service)'") in text
    assert "Since quarter 2 the variance has fallen by £265k, from +£849k." in text  # 849 -> 584
    assert "Of the 9 lines of 'para 2.1.2 revenue table (breakdown of the forecast by service)', 2 are Red, " \
           "2 Amber and 5 Green." in text
    assert "Learning Disability £709k (+2.5%)" in text and "Boroughwide Services £407k (-7.5%)" in text
    # Strategy and Performance has a negative (net income) budget of -1,125: the per cent says so
    assert "Strategy and Performance £308k (+27.4% of a net income budget)" in text
    assert "Savings: £2,809k achieved of a £3,651k plan (77%), a shortfall of £842k." in text
    assert "stockport-2017-18" not in text  # no internal ids in the reader's text
    cambs = variance.variance_table(budget, CAMBS, "2018-19", "M04")
    table = summary_table(cambs, decompose(key_activity, CAMBS, "2018-19", "M04"), n=3)
    assert table.columns.tolist() == SUMMARY_COLUMNS
    assert table["kind"].tolist() == ["service line"] * 3 + ["key activity"] * 4
    assert table["name"].tolist()[:3] == ["Looked After Children Placements", "Strategic Management - Adults",
                                          "LD Head of Service"]
    assert table.loc[0, "driver"] == "up £335k since month 3 (June)"
    ld = table.set_index("name").loc["Learning Disability"]
    # the four parts add up to the key-activity table's variance
    assert ld["volume_gbp_k"] + ld["price_gbp_k"] + ld["remainder_gbp_k"] + ld["other_lines_gbp_k"] == \
        pytest.approx(ld["variance_gbp_k"]) == 2564
    ye = fv_text.summary_text(variance.variance_table(budget, CAMBS, "2017-18", "YE"), key_activity.iloc[0:0],
                               savings.iloc[0:0], "Cambridgeshire", periods.period_label("YE", "2017-18"))
    assert "reports an underspend of £492k on a budget of £4,541k (-10.8% of the budget)" in ye  # outturn, not forecast
    assert "Health Contributions £394k (no budget to compare with)" in ye


def test_display_has_reader_headings_units_and_formats(budget: pd.DataFrame) -> None:
    from helpers.reports import present as report

    vt = variance.variance_table(budget, NOTTS, "2024-25", "M03")
    shown = fv.display(vt)
    assert isinstance(shown, report.Presented)
    assert shown.frame.columns.tolist() == [
        "Line", "Budget (£k)", "Forecast outturn (£k)", "Variance (£k)", "Variance (% of budget)", "RAG",
        "Previous report", "Movement (£k)", "Notes"]
    assert shown.caption == "Source table: Summary Financial Position as at Period 3 2024/25 table"
    total = shown.frame.set_index("Line").loc["Net Department Total"]
    assert total.tolist()[:7] == ["277,910", "287,545", "+9,635", "+3.5%", "Red", "month 2 (May)", "+3,516"]
    assert shown.frame.set_index("Line").loc["Transfer to / (from) Capital Reserves", "Budget (£k)"] == "–"
    assert "table_id" not in repr(shown) and "nottinghamshire-2024" not in shown.html
    # Cambridgeshire (adults): a note that holds for every row is said once, above the table
    cambs = fv.display(variance.variance_table(budget, CAMBS, "2018-19", "M04", scope="adults"))
    assert "Every row: forecast = budget + printed variance (no forecast printed)" in cambs.caption
    assert "Source table" in cambs.frame.columns  # four printed tables
    nhs = cambs.frame.set_index("Line").loc["NHS Contribution to Pooled Budget"]
    assert nhs["Notes"].startswith("negative budget (net income)")
    totals = fv.show_totals(variance.variance_table(budget, STOCKPORT, "2017-18", "Q3"))
    assert totals.frame["Line"].tolist() == ["Total", "Total"]
    assert totals.frame["Variance (£k)"].tolist() == ["+584", "+518"]
    assert "font-weight: bold" in totals.html  # the lead total
    empty = fv.display(variance.variance_table(budget, STOCKPORT, "2025-26", "BUD"))
    assert "No budget figures" in empty.data
