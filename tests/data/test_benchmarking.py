"""Tests of cross-council benchmarking on the national tables (helpers.analysis.benchmarking and the two
benchmarking reports, helpers.reports.spend_benchmarking and helpers.reports.ascof_benchmarking).

Checked against values recomputed from the processed files or published in them (Oflog's medians and MAD
distances, England's RO3 total, the councils' own report figures); the synthetic edge cases are in
tests/unit/analysis/benchmarking/.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import stats
from helpers.analysis.benchmarking import groups as bg
from helpers.analysis.benchmarking import identity
from helpers.analysis.benchmarking import outcomes as oc
from helpers.analysis.benchmarking import reported as rp
from helpers.analysis.benchmarking import spend as bs
from helpers.core.errors import ParameterError
from helpers.reports import ascof_benchmarking as ar
from helpers.reports import benchmarking as rb
from helpers.reports import spend_benchmarking as sr

national = pytest.mark.national

STOCKPORT, TRAFFORD, BIRMINGHAM = "E08000007", "E08000009", "E08000025"


# ------------------------------------------------------------------------------------------------
# the national tables
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables_built(built_tables):
    return built_tables


@national
def test_setup_bad_input(tables_built) -> None:
    with pytest.raises(ParameterError, match="unknown council"):
        bg.setup("E08999999", "2023-24")
    with pytest.raises(ParameterError, match="financial year|outside"):
        bg.setup(STOCKPORT, "2031-32")
    with pytest.raises(ParameterError, match="at least 5"):
        bg.setup(STOCKPORT, "2023-24", "E08000009, E08000003")
    with pytest.raises(ParameterError, match="not a group"):
        bg.setup(STOCKPORT, "2023-24", "neighbours")


@national
def test_setup_groups(tables_built) -> None:
    b = bg.setup(STOCKPORT, "2023-24")
    assert b.group_name == "nearest_neighbours" and len(b.group) == 15 and STOCKPORT not in b.group
    assert b.group_label == "Oflog's nearest neighbours (15 councils)"
    region = bg.setup(STOCKPORT, "2023-24", "region")
    assert len(region.group) == 23 and region.group_label == "the other councils in North West (23)"
    assert len(bg.setup(STOCKPORT, "2023-24", "england").group) == 152
    # Oflog has no group for Cumberland: falls back to its region, and says so
    cum = bg.setup("E06000063", "2023-24")
    assert cum.group_name == "region" and any("no nearest-neighbour group" in n for n in cum.notes)
    # North Yorkshire's 2022-23 figures are under the county code (same area)
    ny = bg.setup("E06000065", "2022-23")
    assert ny.data_code == "E10000023" and ny.series_code == "E06000065" and ny.available
    # a council that did not exist in the year: nothing to benchmark, a clear note
    bcp = bg.setup("E06000058", "2016-17")
    assert not bcp.available and "no adult social services responsibility in 2016-17" in bcp.describe()
    assert bs.spend_summary(bcp).empty and oc.comparison(bcp).empty


@national
def test_spend_per_head_equals_the_processed_tables(tables_built) -> None:
    """Council values recomputed straight from the spend and population parquet files."""
    from helpers.data import tables

    spend, pop = tables.load("spend"), tables.load("population")
    for code, year in ((STOCKPORT, "2023-24"), (TRAFFORD, "2022-23"), ("E10000003", "2016-17")):
        b = bg.setup(code, year)
        s = bs.spend_summary(b, "gross").set_index("line")
        p18 = pop.query("gss_code == @code and year == @year and age_band == '18+'")["population"].iloc[0]
        p65 = pop.query("gss_code == @code and year == @year and age_band == '65+'")["population"].iloc[0]
        rows = spend.query("gss_code == @code and year == @year")
        gross = "total_expenditure" if year >= "2022-23" else "gross_current_expenditure"
        detail = rows[(rows["line_type"] == "detail") & (rows["measure"] == gross)]
        total = rows[(rows["line_type"] == "total") & (rows["measure"] == gross)]["value_gbp_k"].sum() \
            if year >= "2022-23" else detail["value_gbp_k"].sum()
        assert s.loc["total", "value"] == pytest.approx(total * 1000 / p18, rel=1e-12)
        ps65 = detail[(detail["service_group"] == "physical_support") & (detail["age_band"] == "65+")]
        assert s.loc["physical_support_65+", "value"] == pytest.approx(ps65["value_gbp_k"].sum() * 1000 / p65)
        plain = sr.spend_plain_summary(b, s.reset_index())
        assert plain["our_value"].iloc[0] == round(total * 1000 / p18)


@national
def test_england_spend_per_head_reproduces_ro3_england_total(tables_built) -> None:
    """England 2023-24: RO3's published England total expenditure £32,716,170k / 45,691,677 adults (mid-2023)."""
    b = bg.setup(STOCKPORT, "2023-24")
    s = bs.spend_summary(b, "gross", ["total"]).iloc[0]
    assert s["england"] == pytest.approx(32_716_170 * 1000 / 45_691_677, rel=1e-6)
    assert round(s["england"]) == 716


@national
def test_spend_medians_recomputed(tables_built) -> None:
    """The all-council median and the comparator median recomputed by hand from the table.

    Issue 14 item 1 changed the rule: the comparator median leaves the council out (it used to count it)."""
    b = bg.setup(STOCKPORT, "2023-24")
    df = bs.spend_per_head()
    sl = df[(df["year"] == "2023-24") & (df["measure"] == "gross") & (df["line"] == "support_65+")
            & (df["level"] == "council")].set_index("gss_code")["per_head_gbp"]
    s = bs.spend_summary(b, "gross", ["support_65+"]).iloc[0]
    assert s["england_median"] == pytest.approx(float(np.median(sl.dropna())))
    grp = sl.reindex(list(b.group)).dropna()
    assert s["group_median"] == pytest.approx(float(np.median(grp))) and s["group_n"] == len(grp) == 13
    assert s["rank_of"] == len(grp) + 1 and s["rank"] == int((grp > sl.loc[STOCKPORT]).sum()) + 1
    # the comparators without a 2023-24 RO3 figure are named, and "all councils" is counted
    assert {bs.councils.name_of(c) for c in s["group_missing"]} == {"Calderdale", "North Somerset"}
    assert s["england_n"] == 142 and s["england_of"] == 153


@national
def test_spend_edge_cases(tables_built) -> None:
    brm = bg.setup(BIRMINGHAM, "2023-24")
    assert "not available" in bs.spend_availability(brm)
    s = bs.spend_summary(brm)
    assert s["value"].isna().all() and (s["status"] == "not_available").all()
    assert s["group_median"].notna().all()  # the group still has values
    late = bg.setup(STOCKPORT, "2024-25", population_rule="same")
    assert "mid-2024" in bs.spend_availability(late) and bs.spend_summary(late).empty
    # issue 13 item 5: by default RO3 2024-25 divides by the latest estimate (mid-2023), and says so
    latest = bs.spend_summary(bg.setup(STOCKPORT, "2024-25")).set_index("line").loc["total"]
    assert latest["value"] > 0 and latest["population_basis"].startswith("latest estimate available (mid-2023)")
    assert "No spend data for 2019-20" in bs.spend_availability(bg.setup(STOCKPORT, "2019-20"))
    # Cumbria 2022-23: RO3 on the old county; mid-2022 population on 2023 boundaries -> sum of its successors
    df = bs.spend_per_head()
    cumbria = df[(df["gss_code"] == "E10000006") & (df["year"] == "2022-23") & (df["line"] == "total")]
    assert cumbria["population_basis"].str.startswith("sum of its successors E06000063 + E06000064").all()
    assert cumbria["per_head_gbp"].notna().all()


@national
def test_spend_trend_real_terms(tables_built) -> None:
    """Real terms = cash x deflator(base) / deflator(year), HM Treasury's method."""
    from helpers.data import tables

    b = bg.setup(STOCKPORT, "2023-24")
    t = bs.spend_trend(b, "total", "gross").set_index("year")
    assert list(t.index) == ["2016-17", "2022-23", "2023-24", "2024-25"]  # 2024-25 on mid-2023 (issue 13 item 5)
    assert list(t["collection"]) == ["ASC-FR", "RO3", "RO3", "RO3"]
    d = tables.load("deflators").set_index("year")["gdp_deflator"]
    assert t.loc["2022-23", "council_real"] == pytest.approx(t.loc["2022-23", "council"] * d["2023-24"] / d["2022-23"])
    assert t.loc["2023-24", "council_real"] == pytest.approx(t.loc["2023-24", "council"])
    # BCP starts in its first year: no 2016-17 value (Bournemouth and Poole then)
    bcp = bs.spend_trend(bg.setup("E06000058", "2023-24"), "total").set_index("year")
    assert math.isnan(bcp.loc["2016-17", "council"]) and bcp.loc["2022-23", "council"] > 0


@national
def test_cached_tables_still_recorded_for_the_manifest(tables_built, tmp_path, monkeypatch) -> None:
    log = tmp_path / "reads"
    monkeypatch.setenv("ASC_READ_LOG", str(log))
    first = bs.spend_per_head()
    second = bs.spend_per_head()
    assert first is second  # computed once per process
    assert log.read_text().split().count("spend") == 2


# ------------------------------------------------------------------------------------------------
# ASCOF
# ------------------------------------------------------------------------------------------------


@national
def test_ascof_values_equal_the_processed_table_and_intervals(tables_built) -> None:
    from helpers.data import tables

    a = tables.load("ascof")
    b = bg.setup(STOCKPORT, "2020-21")
    comp = oc.comparison(b).set_index("measure_code")
    row = a[(a["gss_code"] == STOCKPORT) & (a["year"] == "2020-21") & (a["measure_code"] == "1G")
            & (a["disaggregation"] == "Total") & a["primary"]].iloc[0]
    assert comp.loc["1G", "value"] == row["value"] == 90.7
    lo, hi = stats.wilson_ci(644, 710)
    assert (comp.loc["1G", "lower"], comp.loc["1G", "upper"]) == pytest.approx((lo * 100, hi * 100))
    # 2A(2) 806 / 58,933 per 100,000 (Byar): wholly above England's 498.2, lower is better -> worse
    # (issue 14 item 5: a tested verdict says "significantly")
    assert comp.loc["2A(2)", "interval"] == "Byar 95%" and comp.loc["2A(2)", "vs_england"] == "significantly worse"
    assert comp.loc["1F", "interval"] == "" and comp.loc["1F", "basis"].startswith("distance from the median")
    plain = ar.plain(b, comp.reset_index()).set_index("Measure")
    assert plain.filter(like="1G", axis=0)["our_value"].iloc[0] == 90.7


@national
@pytest.mark.parametrize("council", [STOCKPORT, TRAFFORD, "E06000001"])
def test_all_council_medians_and_mads_reproduce_oflog(tables_built, council) -> None:
    """Oflog publishes its median and each council's distance from it in MADs (oflog_asc): ours agree."""
    from helpers.data import tables

    of = tables.load("oflog_asc")
    for year in ("2018-19", "2021-22", "2022-23"):
        b = bg.setup(council, year)
        comp = oc.comparison(b).set_index("measure_code")
        pub = of[(of["gss_code"] == council) & (of["year"] == year) & of["value"].notna() & of["ascof_code"].notna()]
        assert len(pub) >= 3
        for r in pub.itertuples():
            assert comp.loc[r.ascof_code, "england_median"] == pytest.approx(r.oflog_median)
            assert comp.loc[r.ascof_code, "england_mads"] == pytest.approx(r.oflog_mads_from_median, abs=1e-8)


@national
def test_ascof_edge_cases(tables_built) -> None:
    # a suppressed value: Rutland 1F 2020-21 is suppressed -> no value, "not compared", the status given
    r = oc.comparison(bg.setup("E06000017", "2020-21")).set_index("measure_code").loc["1F"]
    assert math.isnan(r["value"]) and r["value_status"] == "suppressed" and r["vs_group"] == stats.NOT_COMPARED
    assert "suppressed" in r["reason"]
    # a year without ASCOF values
    late = bg.setup(STOCKPORT, "2023-24")
    assert "2017-18 to 2022-23" in oc.availability(late) and oc.comparison(late).empty
    # a measure not published in the year (carers' survey is biennial)
    b = bg.setup(STOCKPORT, "2022-23")
    assert "1D" in set(oc.not_published(b, ["1D", "1G"])["Measure"]) and "1D" not in set(oc.comparison(b, ["1D", "1G"])["measure_code"])
    with pytest.raises(ParameterError, match="not an ASCOF measure"):
        identity.check_measures("1G, 9Z")
    assert identity.check_measures("2a2, 1g") == ["1G", "2A(2)"]


@national
def test_check_measures_names_every_unknown_code_and_the_parameter(tables_built) -> None:
    """The validator of `measures` and `trend_measures`: 'all' is every registry code; a list or text of codes
    comes back in registry order; every unknown code is named, under the parameter's own name."""
    every = list(oc.registry()["measure_code"])
    assert identity.check_measures("all") == identity.check_measures(None) == identity.check_measures(" ") == every
    assert identity.check_measures(["2D", "1g"]) == ["1G", "2D"]
    with pytest.raises(ParameterError, match=r"parameter 'measures': '9Z', '8Y' are not ASCOF measures"):
        identity.check_measures("1G, 9Z, 8Y")
    with pytest.raises(ParameterError, match=r"parameter 'trend_measures': '9Z' is not an ASCOF measure"):
        identity.check_measures(["9Z", "2D"], "trend_measures")


@national
def test_ascof_trend_follows_series_and_breaks(tables_built) -> None:
    ny = oc.trend(bg.setup("E06000065", "2022-23"), ["2D"]).set_index("year")
    assert ny["council"].notna().sum() == 6  # the county's series, same area
    bcp = oc.trend(bg.setup("E06000058", "2022-23"), ["2D"]).set_index("year")
    assert bcp.loc[["2017-18", "2018-19"], "council"].isna().all() and bcp.loc["2019-20":, "council"].notna().all()
    ts = oc.trend_summary(bg.setup(STOCKPORT, "2022-23"), ["1H", "1D"]).set_index("Measure")
    assert ts.loc["1H", "Trend"].startswith("not enough points (since the 2021-22")
    assert ts.loc["1D", "Trend"] == "not enough points"


@national
def test_council_report_values_against_national(tables_built) -> None:
    """Stockport's 2023-24 mid-year report prints 2022-23 outturns: 2D 94.3 (national 94.3, same), 1G 93.2
    (national 93.1), older people's admissions 558.3 (national 2A(2) 597.3)."""
    from helpers.data import tables

    if not tables.available("council_kpis"):
        pytest.skip("council_kpis is not built (helpers.data.council_reports)")
    out, msg = rp.council_reported(bg.setup(STOCKPORT, "2022-23"))
    got = out.set_index(["Measure", "Year"])
    assert got.loc[("2D", "2022-23"), "Same?"] == "same"
    assert got.loc[("1G", "2022-23"), ["National value", "Council report"]].tolist() == [93.1, 93.2]
    assert got.loc[("2A(2)", "2022-23"), "Same?"] == "DIFFERENT"
    assert "differ" in msg


# ------------------------------------------------------------------------------------------------
# charts and the summary
# ------------------------------------------------------------------------------------------------


@national
def test_charts_render_and_say_why_when_empty(tables_built) -> None:
    from helpers.reports import plots

    plots.setup()
    b = bg.setup(STOCKPORT, "2023-24")
    img = plots.image(sr.strip_chart(b))
    assert img.data.startswith("<svg") and "Spend per head, 2023-24: Stockport among all councils" in img.data
    assert "Source: MHCLG Revenue Outturn (RO3) 2023-24" in img.data  # text kept as text (svg.fonttype none)
    assert plots.image(sr.strip_chart(b)).data == img.data  # deterministic bytes
    png = plots.image(sr.strip_chart(b), fmt="png")
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n" and plots.image(sr.strip_chart(b), fmt="png").data == png.data
    late = bg.setup(STOCKPORT, "2024-25", population_rule="same")
    fig = sr.strip_chart(late)
    assert any("mid-2024" in t.get_text() for t in fig.axes[0].texts)
    fig = ar.spine_figure(late, oc.comparison(late))
    assert any("2017-18 to 2022-23" in t.get_text() for t in fig.axes[0].texts)
    quad = sr.quadrant_figure(b, "support_65+", "2A(2)")
    assert "2022-23" in quad.texts[-1].get_text()  # the outcome year used is stated
    import matplotlib.pyplot as plt

    plt.close("all")


@national
@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_summaries_equal_the_processed_tables(tables_built, tmp_path) -> None:
    """Both notebooks run for Stockport; the exported councillor tables hold the processed tables' values."""
    from helpers.core.paths import NOTEBOOKS
    from helpers.data import tables
    from helpers.pipeline import execute, outputs

    specs = [(NOTEBOOKS / "01_spend_benchmarking.ipynb", {"council": STOCKPORT}),
             (NOTEBOOKS / "02_ascof_benchmarking.ipynb", {"council": STOCKPORT, "year": "2020-21"})]
    run_dir = outputs.new_run_dir(tmp_path, "test")
    summary = execute.execute(execute.plan_jobs(specs, run_dir, batch=True, mode="warm", html=False), run_dir,
                          workers=1, progress=False)
    assert summary.ok, [r.error for r in summary.failed]
    spend_csv = pd.read_csv(next(Path(run_dir, "01_spend_benchmarking").glob("*_summary.csv")))
    spend, pop = tables.load("spend"), tables.load("population")
    total = spend.query("gss_code == @STOCKPORT and year == '2023-24' and line_type == 'total' "
                        "and measure == 'total_expenditure'")["value_gbp_k"].iloc[0]
    p18 = pop.query("gss_code == @STOCKPORT and year == '2023-24' and age_band == '18+'")["population"].iloc[0]
    assert spend_csv["our_value"].iloc[0] == round(total * 1000 / p18)
    ascof_csv = pd.read_csv(next(Path(run_dir, "02_ascof_benchmarking").glob("*_summary.csv")))
    a = tables.load("ascof").query("gss_code == @STOCKPORT and year == '2020-21' and disaggregation == 'Total' "
                                   "and primary")
    nat = a.set_index("measure_code")["value"]
    for measure, value in zip(ascof_csv["Measure"], ascof_csv["our_value"], strict=True):
        code = measure.split(":")[0].removeprefix("ASCOF ")
        assert value == pytest.approx(round(nat[code], 1)), code


@national
def test_reader_tables_use_headings_units_and_dashes(tables_built) -> None:
    """The reader's tables go through report.present: human headings, whole pounds, a dash for no value."""
    from helpers.reports import present as report

    brm = bg.setup(BIRMINGHAM, "2023-24")
    shown = sr.spend_display(brm, bs.spend_summary(brm))
    assert isinstance(shown, report.Presented)
    assert {"Spend line", "Council (£)", "Comparator median (£)", "Rank (1 = highest)"} <= set(shown.frame.columns)
    assert (shown.frame["Council (£)"] == report.NA_TEXT).all()
    assert "gss_code" not in shown.frame.columns
    st = sr.spend_display(bg.setup(STOCKPORT, "2023-24"), bs.spend_summary(bg.setup(STOCKPORT, "2023-24")))
    assert st.frame["Council (£)"].iloc[0] == "798"
    late = bg.setup(STOCKPORT, "2024-25", population_rule="same")
    assert "mid-2024" in sr.spend_display(late, bs.spend_summary(late)).data
    b = bg.setup(STOCKPORT, "2020-21")
    comp = ar.comparison_display(b, oc.comparison(b))
    row = comp.frame.set_index("ASCOF").loc["1G"]
    assert row["Council"] == "90.7" and row["Interval"] == "88.3 to 92.6"
    assert row["Against England (interval test)"] == "significantly better"


# ------------------------------------------------------------------------------------------------
# what the reader sees: notes for the run index, captions naming sources, views instead of empty charts
# ------------------------------------------------------------------------------------------------


def _plain(markdown) -> str:
    """The words of an escaped Markdown object (``present.say`` escapes its values: ``\\(`` -> ``(``)."""
    return re.sub(r"\\(.)", r"\1", markdown.data)


def _notes(prefix: Path) -> list[str]:
    f = Path(f"{prefix}.notes")
    return f.read_text(encoding="utf-8").splitlines() if f.is_file() else []


@national
def test_reports_with_little_to_show_leave_a_note_for_the_index(tables_built, tmp_path, monkeypatch) -> None:
    """No spend per head for 2024-25 (no mid-2024 population), no ASCOF for 2023-24, no ASCOF year at or
    before 2016-17 for the quadrant: each is said in the report and written once to the run's notes file;
    a report with data writes no note."""
    prefix = tmp_path / "report"
    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(prefix))
    ok = bg.setup(STOCKPORT, "2023-24")
    shown = sr.spend_intro(ok, bs.spend_summary(ok))
    assert "raw (unscaled) MADs" in _plain(shown) and _notes(prefix) == []
    late = bg.setup(STOCKPORT, "2024-25", population_rule="same")
    shown = sr.spend_intro(late, bs.spend_summary(late))
    assert "mid-2024" in _plain(shown)
    assert len(_notes(prefix)) == 1 and "no spend per head for 2024-25" in _notes(prefix)[0]
    assert "No chart" in _plain(sr.strip_view(late)) and len(_notes(prefix)) == 1  # said, not noted twice
    early = bg.setup(STOCKPORT, "2016-17")
    assert "No ASCOF 2A(2) values for 2016-17 or earlier" in _plain(sr.quadrant_view(early, "support_65+", "2A(2)"))
    assert len(_notes(prefix)) == 2
    gone = bg.setup(STOCKPORT, "2023-24")
    assert _plain(ar.intro(gone, oc.comparison(gone))).endswith("Choose one of those years.**")
    assert "No ASCOF values for 2023-24" in _notes(prefix)[-1]
    brm = bg.setup(BIRMINGHAM, "2023-24")
    sr.spend_intro(brm, bs.spend_summary(brm))
    assert "RO3_2023-24_data_by_LA.ods" in _notes(prefix)[-1] and "ro3_2023_24" not in _notes(prefix)[-1]


@national
def test_reader_tables_name_their_sources_once_and_say_the_method_once(tables_built) -> None:
    """Sources are named once, in the report's footnote (issue 16: not on every row or table); a column that is
    the same on every row is said once."""
    from helpers.reports import ascof_benchmarking, spend_benchmarking

    b = bg.setup(STOCKPORT, "2023-24")
    summary = bs.spend_summary(b)
    r = spend_benchmarking.prepare(STOCKPORT, "2023-24")
    assert "RO3_2023-24_data_by_LA.ods" in _plain(r.sources())
    assert "RO3_2023-24" not in sr.spend_display(b, summary).caption
    plain = rb.plain_display(sr.spend_plain_summary(b, summary), empty="-")
    assert "How judged" not in plain.frame.columns and "Source" not in plain.frame.columns
    assert plain.caption == "Verdict: distance from the comparator median in MADs (a distance, not a test)"
    y = bg.setup(STOCKPORT, "2022-23")
    comp = oc.comparison(y)
    shown = ar.comparison_display(y, comp)
    assert "How judged" not in shown.frame.columns
    assert "distance from their median in MADs (a distance, not a test)" in shown.caption
    assert "ascof_outcomes_trend_2017-18_to_2022-23.csv" in _plain(ascof_benchmarking.prepare(STOCKPORT, "2022-23").sources())
    row = shown.frame.set_index("ASCOF")
    assert row.loc["1J", "Council"] == "0.408"  # 1J is published to 3 decimals
    med = float(comp.set_index("measure_code").loc["1A", "group_median"])
    assert row.loc["1A", "Comparator median"] == f"{round(med, 1):.1f}"  # at the measure's published precision
    assert row.loc["1A", "Measure"].endswith("(survey)")


@national
def test_stockport_2a2_is_what_nhs_england_published(tables_built) -> None:
    """Stockport's ASCOF 2A(2) (1,512.8 in 2017-18, 1,367.7 in 2020-21, against England about 580) is the
    published figure, not a loader or join error: the ``ascof`` table equals the rows of the trend file for
    every year, and the 2020-21 open data give the same rate from 806 admissions / 58,933 people aged 65+."""
    from helpers.data import sources, tables
    from helpers.data.io import read_csv_raw

    raw = read_csv_raw(sources.path("ascof_trend"))
    raw = raw[(raw["ONS Code"] == STOCKPORT) & (raw["Measure Group"] == "2A2")
              & (raw["Disaggregation Level"] == "Total")]
    published = dict(zip(raw["Year"], raw["Measure_Value"].astype(float), strict=True))
    assert published == {"2017-18": 1512.8, "2018-19": 1417.4, "2019-20": 577.3, "2020-21": 1367.7,
                         "2021-22": 746.6, "2022-23": 597.3}
    a = tables.load("ascof").query("gss_code == @STOCKPORT and measure_code == '2A(2)' and disaggregation == 'Total' "
                                   "and primary")
    assert dict(zip(a["year"], a["value"], strict=True)) == published
    r = a.set_index("year").loc["2020-21"]
    assert round(r["numerator"] / r["denominator"] * 100_000, 1) == 1367.7


# ------------------------------------------------------------------------------------------------
# issue 14 items 1-10: verdicts a statistician would sign (each fails on the code before)
# ------------------------------------------------------------------------------------------------
LEEDS, IOW, RUTLAND, DEVON = "E08000035", "E06000046", "E06000017", "E10000008"


@national
def test_one_group_median_rule_everywhere(tables_built) -> None:
    """Item 1-2: Leeds 2023-24, the at-a-glance table and the trend give one comparator median (£716, the council
    left out, 14 of 15 with a figure) and name Bradford (no 2023-24 RO3 return); all councils 142 of 153."""
    b = bg.setup(LEEDS, "2023-24")
    s = bs.spend_summary(b, "gross", ["total"]).iloc[0]
    t = bs.spend_trend(b).set_index("year").loc["2023-24"]
    assert round(s["group_median"]) == round(t["group_median"]) == 716
    assert s["group_n"] == t["group_n"] == 14 and s["group_size"] == 15
    assert [bs.councils.name_of(c) for c in s["group_missing"]] == ["Bradford"]
    assert s["rank_of"] == 15 and (s["england_n"], s["england_of"]) == (142, 153)


@national
def test_england_column_is_england_and_the_mad_has_a_floor(tables_built) -> None:
    """Items 3-5: Stockport 1C(2B) 2022-23, 98.7% against England 76.8% and a median council of 99.8% (MAD 0.2).
    Without an interval England's column says "not tested"; the distance from the median council is -1.1 MADs
    over the 1-point floor ("slightly worse"), not -5.5 ("much worse")."""
    comp = oc.comparison(bg.setup(STOCKPORT, "2022-23")).set_index("measure_code")
    r = comp.loc["1C(2B)"]
    assert (r["value"], r["england"], r["england_median"]) == pytest.approx((98.7, 76.8, 99.8))
    assert r["vs_england"] == "not tested (no interval)" and not r["tested"]
    assert r["england_mads"] == pytest.approx(-1.1) and r["england_verdict"] == "slightly worse"
    assert "a distance, not a test" in r["basis"]
    assert not any("significantly" in v for v in comp.loc[~comp["tested"], "vs_group"])


@national
def test_rates_per_100k_have_derived_intervals_in_every_year(tables_built) -> None:
    """Item 5: Stockport 2A(2) 2022-23 = 597.3 per 100,000 aged 65+ (mid-2022: 60,194) -> count 360, a Byar
    interval on it, labelled approximate; a 2020-21 published count keeps its own label."""
    comp = oc.comparison(bg.setup(STOCKPORT, "2022-23")).set_index("measure_code")
    r = comp.loc["2A(2)"]
    assert r["count"] == round(597.3 * 60_194 / 100_000) == 360 and r["count_basis"] == "derived"
    lo, hi = stats.rate_ci(360, 60_194)
    assert (r["lower"], r["upper"]) == pytest.approx((lo, hi)) and r["interval"] == "Byar 95% (approximate)"
    years = oc.ascof_values().query("gss_code == @STOCKPORT and measure_code == '2A(2)'")
    assert years["lower"].notna().all() and len(years) == 6


@national
def test_labels_say_what_was_computed(tables_built) -> None:
    """Item 8: Rutland 2A(1) 2020-21 (2 admissions) is an exact Poisson interval; Stockport 1C(1B) 2020-21
    (98.6 to 99.957 against a median of 100.0) touches the median at the published precision: not significant;
    the quadrant's title names both years; Stockport's printed 93.2 for 1G 2022-23 is the published 93.1."""
    v = oc.comparison(bg.setup(RUTLAND, "2020-21")).set_index("measure_code")
    assert v.loc["2A(1)", "count"] == 2 and v.loc["2A(1)", "interval"] == "exact Poisson 95%"
    s = oc.comparison(bg.setup(STOCKPORT, "2020-21")).set_index("measure_code").loc["1C(1B)"]
    assert s["upper"] < s["group_median"] == 100.0 and s["vs_group"] == "not significantly different"
    quad = sr.quadrant_figure(bg.setup(STOCKPORT, "2023-24"), "support_65+", "2A(2)")
    assert quad.axes[0].get_title(loc="left") == "Spend per head 2023-24 and ASCOF 2A(2) 2022-23"
    got, _ = rp.council_reported(bg.setup(STOCKPORT, "2022-23"))
    assert got.set_index(["Measure", "Year"]).loc[("1G", "2022-23"), "Same?"] == "same"


@national
def test_funnels_have_exact_and_overdispersed_limits(tables_built) -> None:
    """Item 6: 2A(2) 2022-23 funnel (derived counts): councils overdispersed (phi > 1), the additive limits wider
    than the exact ones, Stockport placed in both."""
    from helpers.analysis.benchmarking import funnel

    f = funnel.funnel(bg.setup(STOCKPORT, "2022-23"), "2A(2)")
    assert f is not None and f.phi > 1 and f.tau2 > 0 and f.derived and len(f.points) > 140
    lim = f.limits
    # wider bands everywhere; the lower end is not compared point by point: at small denominators the exact
    # Poisson lower limit is 0 while the random-effects limit (on the transformed scale, back) is above it
    for z in ("95", "99.8"):
        assert ((lim[f"od_upper_{z}"] - lim[f"od_lower_{z}"]) >= (lim[f"upper_{z}"] - lim[f"lower_{z}"])).all()
        assert (lim[f"od_upper_{z}"] >= lim[f"upper_{z}"]).all()
    assert f.council_exact.startswith(("within", "above", "below")) and f.council_od == "within 95%"
    assert "2B(1)" in funnel.funnel_measures(bg.setup(STOCKPORT, "2020-21"))  # published counts, 2020-21


@national
def test_small_numbers_do_not_set_the_spine_ends(tables_built) -> None:
    """Item 7: 2A(1) 2020-21 the Isles of Scilly's 315 per 100,000 from 4 admissions no longer sets the worst end,
    so Isle of Wight's 30.0 (significantly worse than England) plots left of the median, not near the best end."""
    b = bg.setup(IOW, "2020-21")
    sp = ar.spine(b, oc.comparison(b)).set_index("measure_code").loc["2A(1)"]
    assert sp["council"] < sp["median"] and sp["left_out"] > 0
    before = 1 - (30.0 - 0.0) / (315.0 - 0.0)  # the old scale: Scilly's 315 set the worst end
    assert before > 0.9 and sp["council"] < 0.5


@national
def test_age_band_lines_use_the_ro3_subcategories(tables_built) -> None:
    """Item 9: Leeds 2023-24, all spend on adults aged 18-64 = support (£315) plus the age-split assessment,
    commissioning, carers', equipment and information lines = about £393; 2016-17 does not split them."""
    s = bs.spend_summary(bg.setup(LEEDS, "2023-24")).set_index("line")
    assert round(s.loc["support_18-64", "value"]) == 315 and round(s.loc["all_18-64", "value"]) == 393
    old = bs.spend_summary(bg.setup(LEEDS, "2016-17")).set_index("line")
    assert np.isnan(old.loc["all_18-64", "value"]) and old.loc["all_18-64", "status"] == "not_split"


@national
def test_cumbria_successors_take_its_place(tables_built) -> None:
    """Item 10: Devon's Oflog neighbours include Cumbria; in 2023-24 Cumberland and Westmorland and Furness take
    its place (and the note says so); in 2022-23 Cumbria itself is there."""
    b = bg.setup(DEVON, "2023-24")
    assert {"E06000063", "E06000064"} <= set(b.group) and "E10000006" not in b.group
    assert any("Cumberland and Westmorland and Furness" in n for n in b.notes)
    assert "E10000006" in bg.setup(DEVON, "2022-23").group


@national
def test_reports_keep_hostile_names_inert(tables_built, monkeypatch) -> None:
    """Issue 11 items 1-2: a hostile council name and measure name go through every section of both reports and
    stay text."""
    import importlib.util

    from helpers.analysis.benchmarking import outcomes
    from helpers.reports import ascof_benchmarking, spend_benchmarking

    spec = importlib.util.spec_from_file_location(
        "escaping", Path(__file__).parents[1] / "unit" / "reports" / "test_benchmarking_escaping.py")
    esc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(esc)  # the same HTML checks as the unit tests
    _html, _inert = esc._html, esc._inert
    hostile = "<img src=x onerror=alert(1)> `x` **y**"
    real = bg.setup
    monkeypatch.setattr(bg, "setup", lambda *a, **k: __import__("dataclasses").replace(real(*a, **k), name=hostile))
    monkeypatch.setitem(outcomes.SHORT_NAMES, "1G", "<script>alert(1)</script>")
    s = spend_benchmarking.prepare(STOCKPORT, "2023-24")
    for m in ("summary", "group", "at_a_glance", "strip", "outliers", "trend_chart", "trend_table", "quadrant",
              "glossary", "sources"):
        _inert(_html(getattr(s, m)()))
    a = ascof_benchmarking.prepare(STOCKPORT, "2022-23")
    for m in ("summary", "group", "every_measure", "not_published", "spine", "funnels", "outliers", "trend_chart",
              "trend_table", "own_reports", "glossary", "sources"):
        _inert(_html(getattr(a, m)()))
