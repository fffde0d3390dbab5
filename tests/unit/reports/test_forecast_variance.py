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
from helpers.reports import forecast_variance as fv
from helpers.reports import forecast_variance_text as fv_text

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


@pytest.fixture(scope="module")
def budget(council_kind) -> pd.DataFrame:
    return council_kind("budget_monitoring")


@pytest.fixture(scope="module")
def key_activity(council_kind) -> pd.DataFrame:
    return council_kind("key_activity")


@pytest.fixture(scope="module")
def savings(council_kind) -> pd.DataFrame:
    return council_kind("savings")


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
    # RAG on the size either way (issue 14 item 11): Boroughwide -407 is Red, Safeguarding +15 (under £50k) Green
    assert "Of the 9 lines of 'para 2.1.2 revenue table (breakdown of the forecast by service)', 3 are Red, " \
           "0 Amber and 6 Green." in text
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
    assert total.tolist()[:7] == ["277,910", "287,545", "+9,635", "+3.5%", "Red (overspend)", "month 2 (May)",
                                  "+3,516"]  # the direction beside the rating (issue 14 item 11)
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


# ------------------------------------------------------------------------------------------------
# issue 16 (answer first, charts in £, workbook, alt text) and issue 14 items 12-16 in the report
# ------------------------------------------------------------------------------------------------


def _report(council: str, year: str, period: str, **kw) -> fv.ForecastVariance:
    p = {"service_scope": "adults", "rag_rule": "own", "rag_amber_pct": 1.0, "rag_amber_min_gbp_k": 50.0,
         "rag_red_pct": 2.0, "rag_red_min_gbp_k": 100.0, "spend_profile": [], "top_lines": 8, **kw}
    return fv.prepare(council, year, period, **p)


def test_the_answer_comes_first() -> None:
    """Stockport 2017-18 Q3: a title naming council and period, then the position, what is Red and the drivers
    with the report's own reasons (issue 16 item 1)."""
    r = _report(STOCKPORT, "2017-18", "Q3")
    assert r.title() == "Stockport - forecast variance, quarter 3 2017-18"
    lines = r.summary_lines()
    assert 3 <= len(lines) <= 5
    assert lines[0].startswith("Forecast outturn £70,423k against a budget of £69,839k: an overspend of £584k")
    assert lines[1].startswith("Red (3 of 9 lines): Learning Disability +£709k (overspend); Boroughwide Services "
                               "-£407k (underspend)")
    assert lines[2].startswith("Learning Disability +£709k: the most significant pressure is non-residential services")
    box = r.summary().items[0].data
    assert "Stockport - forecast variance, quarter 3 2017-18" in box and 'class="asc-summary"' in box


def test_nottinghamshire_quarter_1_and_its_reasons() -> None:
    """-p period Q1 finds the figures held as M03 and says so (before: 'no budget figures' and four empty charts);
    the summary carries para 37's reason, the £11.5m overspend on commissioned care (issue 16 item 1)."""
    r = _report(NOTTS, "2024-25", "Q1")
    assert r.period == "M03" and "M03 is used" in r.period_note and not r.empty
    assert r.title() == "Nottinghamshire - forecast variance, quarter 1 2024-25"
    text = " ".join(r.summary_lines())
    assert "Living Well and Direct Services +£9,155k" in text
    assert "Working Age Adults and Older Adults +£11.5m (para 37: commitments in the system for commissioned care" in text
    drivers = r.drivers.set_index("name")
    assert "para 35: Integrated Strategic Commissioning" in drivers.loc["Strategic Commissioning and Integration",
                                                                          "driver"]


def test_cambridgeshire_headline_says_its_totals_do_not_add_up() -> None:
    """The lead total (cover table 'Total') is printed with lines that do not add up to it: said in the first
    summary line and beside the total (issue 14 item 14); the LD pool's council share beside the pool's (item 16)."""
    r = _report(CAMBS, "2018-19", "M04")
    second = r.summary_lines()[1]
    assert second.startswith("Caution: the printed totals are not the sum of their lines: 'Total Expenditure': spend "
                             "to date printed 30,558, its lines add to 54,390; budget printed 164,789, its lines add "
                             "to 164,631")
    totals = r.totals().items[0]
    assert "not the sum of its lines: spend to date printed 30,239" in totals.frame.set_index("Line").loc["Total",
                                                                                                          "Printed total"]
    pool = " ".join(r.summary_lines())
    assert "Learning Disability Partnership (pooled with a partner): the pool's variance +£2,586k; the council's " \
           "share +£1,986k as the report prints it; 78% of the pool's would be +£2,017k." in pool
    diffs = r.printed_differences().items
    assert len(diffs[0]) == 25 and len(diffs[2]) == 11  # totals that do not add up; key-activity lines £1k off


def test_an_empty_report_says_so_and_draws_nothing(tmp_path, monkeypatch) -> None:
    """Stockport 2025-26 BUD has savings only; Cambridgeshire 2018-19 M05 has nothing: status 'no data' for the
    index and manifest, said at the top, and no empty chart frames (issue 14 item 13)."""
    import json

    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(tmp_path / "03_forecast_variance"))
    r = _report(CAMBS, "2018-19", "M05")
    assert r.empty
    parts = r.summary().items
    assert "No budget figures for Cambridgeshire in month 5 (August) 2018-19" in parts[1].data
    status = json.loads((tmp_path / "03_forecast_variance.status").read_text().splitlines()[0])
    assert status["status"] == "no data" and "month 5 (August)" in status["reason"]
    for method in ("rag_chart", "waterfall", "movement_chart", "decomposition_chart", "lines", "totals", "projection"):
        assert getattr(r, method)() is None, method
    bud = _report(STOCKPORT, "2025-26", "BUD")
    assert not bud.empty and bud.rag_chart() is None and len(bud.savings())


def test_charts_are_in_pounds_with_alt_text() -> None:
    """The variance chart's bars are £k with the per cent as a label, RAG as a word; every chart has alt text
    (the SVG's accessible name) that names its figures (issue 16 items 2 and 9)."""
    r = _report(STOCKPORT, "2017-18", "Q3")
    svg = r.rag_chart().data
    assert 'role="img"' in svg and "aria-label=\"Bar chart of the 8 largest variances in £ thousands: Learning " \
           "Disability +£709k, Red (overspend)" in svg
    assert "+£709k (+2.5% of budget) Red (overspend)" in svg
    for chart in (r.waterfall(), r.movement_chart()):
        assert "<title>" in chart.data and 'aria-label="' in chart.data


def test_one_workbook_with_the_finance_teams_sheets(tmp_path, monkeypatch) -> None:
    """One workbook: a cover, the summary with budget, forecast and variance, every line, the price / volume split
    per key-activity line, savings; numbers stored as numbers and RAG cells coloured and worded (issue 16 item 5)."""
    from openpyxl import load_workbook

    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(tmp_path / "03_forecast_variance"))
    r = _report(CAMBS, "2018-19", "M04")
    r.workbook()
    wb = load_workbook(tmp_path / "03_forecast_variance_workbook.xlsx")
    assert wb.sheetnames[:6] == ["Cover", "Summary", "Every line", "Drivers", "Price and volume", "Savings"]
    ws = wb["Summary"]
    head = [c.value for c in ws[3]]
    assert head[:7] == ["Source table", "Line", "Budget (£k)", "Forecast outturn (£k)", "Variance (£k)",
                        "Variance (% of budget)", "RAG"]
    row = [c for c in ws[4]]
    assert isinstance(row[2].value, (int, float)) and row[2].number_format == "#,##0"
    rag = [c for c in ws["G"] if c.value and str(c.value).startswith(("Red", "Amber", "Green"))]
    assert rag and all(c.fill.fgColor.rgb not in (None, "00000000") for c in rag)
    pv = wb["Price and volume"]
    assert [c.value for c in pv[3]][:3] == ["Service", "Line", "Unit cost per"] and pv.max_row >= 40
    assert len(list(tmp_path.glob("*.xlsx"))) == 1


HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> *x* [a](b) `c` ="


def test_text_from_data_never_becomes_markup(budget: pd.DataFrame) -> None:
    """Issue 11 item 1: a line, source table, source document and commentary holding HTML and Markdown reach the
    report's prose, captions, tables, summary and charts only escaped."""
    import html as html_lib

    vt = variance.variance_table(budget, STOCKPORT, "2017-18", "Q3")
    bad = vt.assign(line=HOSTILE + vt["line"], source_table=HOSTILE, commentary=HOSTILE, source_document=HOSTILE)
    r = _report(STOCKPORT, "2017-18", "Q3")
    r.vt, r.drivers = bad, summary_table(bad, r.dec)
    r.source = HOSTILE
    outs = [*r.summary().items, r.intro(), *r.totals().items, *r.lines().items, r.rag_chart(), r.waterfall(),
            r.summary_table(), *r.in_words().items]
    for o in outs:
        if o is None:
            continue
        text = getattr(o, "data", None) or getattr(o, "html", None) or ""
        assert "<script>" not in text and "<img src" not in text, type(o)
        if hasattr(o, "data") and isinstance(o.data, str) and not o.data.lstrip().startswith("<"):
            assert "&lt;script&gt;" in o.data or "script" not in o.data.lower()
    assert html_lib.escape("<script>") in r.summary().items[0].data


def test_two_lead_tables_both_lead_and_their_lines_say_which() -> None:
    """Cambridgeshire's CPFT report (2017-18 quarter 3) prints two tables of the same detail, AMH and OPMH: the
    lead-total rule takes both on a tie (docs/methods.md, *Lead total*), so the summary states both totals (before:
    only AMH's +£237k, not OPMH's +£1,224k), and lines of the same name say their table (two 'Residential')."""
    lines = _report(CAMBS, "2017-18", "Q3").summary_lines()
    assert lines[0].count("Forecast outturn") == 2
    assert "an overspend of £237k (+5.2% of the budget), rated Red (the total of para 7.2 table 'AMH Activity'" in lines[0]
    assert "an overspend of £1,224k (+24.0% of the budget), rated Red (the total of para 7.8 table 'OPMH Activity'" \
        in lines[0]
    assert "Residential (OPMH Activity) +£297k (overspend)" in lines[1]
    assert "Residential (AMH Activity) +£228k (overspend)" in lines[1]
    assert lines[2] == "Nursing (OPMH Activity) +£1,026k (the report gives no reason for it in the figures transcribed)."


@pytest.mark.parametrize(("council", "year", "period"), [(CAMBS, "2018-19", "M04"), (STOCKPORT, "2017-18", "Q3"),
                                                         (NOTTS, "2024-25", "Q1")])
def test_variance_chart_labels_stay_clear_of_the_line_names(council: str, year: str, period: str) -> None:
    """Cambridgeshire month 4 2018-19: the label of the longest underspend bar (-£1,970k) was drawn over the line
    names; every bar label now lies inside the plot, right of the line names (issue 16, seen in the printed pack)."""
    from helpers.analysis.variance import budget as vb
    from helpers.reports.plots import finance as charts

    r = _report(council, year, period)
    if r.vt.empty:
        pytest.skip(f"no figures for {council} {period} {year}")
    fig, _ = charts.variance_chart(r.vt, vb.main_tables(r.vt), top=r.top, source=r.source)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    plot = ax.get_window_extent(renderer)
    names_right = max(t.get_window_extent(renderer).x1 for t in ax.get_yticklabels())
    for t in ax.texts:
        box = t.get_window_extent(renderer)
        assert box.x0 >= max(plot.x0, names_right) - 0.5 and box.x1 <= plot.x1 + 0.5, t.get_text()
