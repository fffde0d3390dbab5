"""Tests of helpers.analysis.benchmarking.spend and helpers.analysis.benchmarking.outcomes (cross-council benchmarking).

Synthetic frames are used only for edge cases (the per-head arithmetic on a hand example, a missing value
in a sum, council-report KPIs whose code and name disagree) and say so; everything else is checked on the
national tables against values recomputed from the processed files or published in them (Oflog's medians
and MAD distances, England's RO3 total, the councils' own report figures).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis import stats
from helpers.analysis.benchmarking import outcomes as oc
from helpers.analysis.benchmarking import spend as bm
from helpers.core.errors import ParameterError
from helpers.pipeline import params

national = pytest.mark.national

STOCKPORT, TRAFFORD, BIRMINGHAM = "E08000007", "E08000009", "E08000025"


# ------------------------------------------------------------------------------------------------
# comparator parameter (no national data needed)
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("nearest_neighbours", "nearest_neighbours"), ("Region", "region"), ("council type", "council_type"),
    ("England", "england"), ("cipfa_2021", "cipfa_2021"),
    ("E08000009, Stockport", ["E08000007", "E08000009"]), (["Trafford", "E08000007"], ["E08000007", "E08000009"]),
])
def test_parse_comparator(raw, expected) -> None:
    assert bm.parse_comparator(raw) == expected


@pytest.mark.parametrize("raw", ["neighbours", "E08000007, Nowhere", "", "E99999999"])
def test_parse_comparator_refuses_bad_values(raw) -> None:
    with pytest.raises(ParameterError, match="comparator"):
        bm.parse_comparator(raw)


def test_comparator_is_a_named_parameter_check() -> None:
    """The CLI and the notebooks share the rule: a list comes back as codes, a group as its name."""
    assert params.check(comparator="Trafford, E08000007")["comparator"] == "E08000007,E08000009"
    assert params.check(comparator="REGION")["comparator"] == "region"
    with pytest.raises(ParameterError):
        params.check(comparator="nearest")


def test_check_expenditure() -> None:
    assert bm.check_expenditure(" Net ") == "net"
    with pytest.raises(ParameterError, match="expenditure"):
        bm.check_expenditure("total")


# ------------------------------------------------------------------------------------------------
# where a council sits: hand-worked example
# ------------------------------------------------------------------------------------------------


def test_position_hand_worked() -> None:
    """Synthetic values (an edge-case fixture): worked by hand.

    All councils: 10, 20, ..., 100 and the council A = 80 (11 values). Median 60; |x - 60| = 50, 40, 30, 20,
    10, 0, 10, 20, 30, 40, 20 -> MAD 20, so A is (80 - 60) / 20 = 1.0 MAD above: "slightly higher".
    Group: A with G1..G5 = 10, 20, 30, 40, 50 -> set {10, 20, 30, 40, 50, 80}: median 35, |x - 35| = 25, 15,
    5, 5, 15, 45 -> MAD 15; A is 45 / 15 = 3.0 MADs above: "much higher"; rank 1 of 6 (highest first).
    """
    values = pd.Series([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 80.0],
                       index=[f"C{i}" for i in range(1, 11)] + ["A"])
    group = ("C1", "C2", "C3", "C4", "C5")
    pos = bm.position(values, "A", group, "none")
    assert pos["england_median"] == 60 and pos["england_mads"] == pytest.approx(1.0)
    assert pos["england_verdict"] == "slightly higher"
    assert pos["group_median"] == 35 and pos["group_mads"] == pytest.approx(3.0)
    assert pos["group_verdict"] == "much higher" and pos["rank"] == 1 and pos["rank_of"] == 6
    assert pos["group_q1"] == pytest.approx(22.5) and pos["group_q3"] == pytest.approx(47.5)  # type 7
    assert not pos["outlier"]
    # polarity turns "higher" into better/worse
    assert bm.position(values, "A", group, "lower")["group_verdict"] == "much worse"
    # scaled MAD: 3.0 / 1.4826 = 2.02 MADs -> "higher"
    assert bm.position(values, "A", group, "none", scaled=True)["group_verdict"] == "higher"


def test_position_needs_five_comparators_with_a_value() -> None:
    """Synthetic edge case: 4 of 5 comparators have a value -> no group statistics, and the reason."""
    values = pd.Series([1.0, 2.0, 3.0, 4.0, np.nan, 5.0], index=["G1", "G2", "G3", "G4", "G5", "A"])
    pos = bm.position(values, "A", ("G1", "G2", "G3", "G4", "G5"))
    assert math.isnan(pos["group_median"]) and pos["group_verdict"] == stats.NOT_COMPARED
    assert "only 4 comparator council(s) have a value" in pos["reason"]
    missing = bm.position(values, "G5", ("G1", "G2", "G3", "G4", "A"))
    assert missing["england_verdict"] == stats.NOT_COMPARED and "no value for the council" in missing["reason"]


# ------------------------------------------------------------------------------------------------
# per-head arithmetic: hand example
# ------------------------------------------------------------------------------------------------


def _spend_rows(rows: list[tuple]) -> pd.DataFrame:
    cols = ["gss_code", "year", "source_id", "collection", "service_line", "service_group", "line_type", "age_band",
            "measure", "value_gbp_k", "value_status"]
    return pd.DataFrame(rows, columns=cols)


def test_spend_per_head_hand_example() -> None:
    """Synthetic RO3-like rows for Stockport 2023-24 (an edge-case fixture), per head worked by hand.

    Learning disability 18-64: £1,000k; physical support 18-64: £500k -> support 18-64 = £1,500k over 2,000
    people aged 18-64 = £750 per head; physical support 65+ £300k over 1,000 people aged 65+ = £300; total
    £2,000k over 3,000 adults = £666.67. A line with a value not reported is not available, never 0.
    """
    R = "reported"
    spend = _spend_rows([
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "LD", "learning_disability", "detail", "18-64",
         "total_expenditure", 1000.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "PS", "physical_support", "detail", "18-64",
         "total_expenditure", 500.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "PS", "physical_support", "detail", "65+",
         "total_expenditure", 300.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "MH", "mental_health", "detail", "65+",
         "total_expenditure", np.nan, "not_available"),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "TOTAL", "total", "total", "18+", "total_expenditure", 2000.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "TOTAL", "total", "total", "18+", "employees", 99.0, R),
    ])
    pop = pd.DataFrame({"gss_code": STOCKPORT, "year": "2023-24", "mid_year": 2023,
                        "age_band": ["18+", "18-64", "65+", "all"], "population": [3000.0, 2000.0, 1000.0, 4000.0],
                        "source_id": "mye_2023"})
    out = bm._build_spend_per_head(spend, pop).set_index("line")
    assert set(out["measure"]) == {"gross"}  # RO3 total expenditure is gross; employees is not a benchmark measure
    assert out.loc["support_18-64", "per_head_gbp"] == pytest.approx(750.0)
    assert out.loc["learning_disability_18-64", "per_head_gbp"] == pytest.approx(500.0)
    assert out.loc["physical_support_65+", "per_head_gbp"] == pytest.approx(300.0)
    assert out.loc["total", "per_head_gbp"] == pytest.approx(2000 * 1000 / 3000)
    assert out.loc["total", "total_basis"] == "published total"
    assert math.isnan(out.loc["support_65+", "per_head_gbp"])  # mental health 65+ not available
    assert out.loc["support_65+", "per_head_status"] == "not_available"
    assert math.isnan(out.loc["mental_health_65+", "spend_gbp_k"])


def test_total_from_detail_lines_where_no_total_is_published() -> None:
    """Synthetic ASC-FR-like rows without a total row (an edge-case fixture): total = sum of detail rows."""
    R = "reported"
    spend = _spend_rows([
        (STOCKPORT, "2016-17", "ascfr_2016_17_totals", "ASC-FR", "a", "learning_disability", "detail", "18-64",
         "gross_current_expenditure", 700.0, R),
        (STOCKPORT, "2016-17", "ascfr_2016_17_totals", "ASC-FR", "b", "social_support", "detail", "18+",
         "gross_current_expenditure", 300.0, R),
    ])
    pop = pd.DataFrame({"gss_code": STOCKPORT, "year": "2016-17", "mid_year": 2016, "age_band": ["18+", "18-64", "65+"],
                        "population": [2000.0, 1500.0, 500.0], "source_id": "mye_2016"})
    out = bm._build_spend_per_head(spend, pop).set_index("line")
    assert out.loc["total", "spend_gbp_k"] == 1000.0 and out.loc["total", "per_head_gbp"] == pytest.approx(500.0)
    assert out.loc["total", "total_basis"] == "sum of detail lines"


# ------------------------------------------------------------------------------------------------
# the national tables
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables_built(built_tables):
    return built_tables


@national
def test_setup_bad_input(tables_built) -> None:
    with pytest.raises(ParameterError, match="unknown council"):
        bm.setup("E08999999", "2023-24")
    with pytest.raises(ParameterError, match="financial year|outside"):
        bm.setup(STOCKPORT, "2031-32")
    with pytest.raises(ParameterError, match="at least 5"):
        bm.setup(STOCKPORT, "2023-24", "E08000009, E08000003")
    with pytest.raises(ParameterError, match="not a group"):
        bm.setup(STOCKPORT, "2023-24", "neighbours")


@national
def test_setup_groups(tables_built) -> None:
    b = bm.setup(STOCKPORT, "2023-24")
    assert b.group_name == "nearest_neighbours" and len(b.group) == 15 and STOCKPORT not in b.group
    assert b.group_label == "Oflog's nearest neighbours (15 councils)"
    region = bm.setup(STOCKPORT, "2023-24", "region")
    assert len(region.group) == 23 and region.group_label == "the other councils in North West (23)"
    assert len(bm.setup(STOCKPORT, "2023-24", "england").group) == 152
    # Oflog has no group for Cumberland: falls back to its region, and says so
    cum = bm.setup("E06000063", "2023-24")
    assert cum.group_name == "region" and any("no nearest-neighbour group" in n for n in cum.notes)
    # North Yorkshire's 2022-23 figures are under the county code (same area)
    ny = bm.setup("E06000065", "2022-23")
    assert ny.data_code == "E10000023" and ny.series_code == "E06000065" and ny.available
    # a council that did not exist in the year: nothing to benchmark, a clear note
    bcp = bm.setup("E06000058", "2016-17")
    assert not bcp.available and "no adult social services responsibility in 2016-17" in bcp.describe()
    assert bm.spend_summary(bcp).empty and oc.comparison(bcp).empty


@national
def test_spend_per_head_equals_the_processed_tables(tables_built) -> None:
    """Council values recomputed straight from the spend and population parquet files."""
    from helpers.data import tables

    spend, pop = tables.load("spend"), tables.load("population")
    for code, year in ((STOCKPORT, "2023-24"), (TRAFFORD, "2022-23"), ("E10000003", "2016-17")):
        b = bm.setup(code, year)
        s = bm.spend_summary(b, "gross").set_index("line")
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
        plain = bm.spend_plain_summary(b, s.reset_index())
        assert plain["our_value"].iloc[0] == round(total * 1000 / p18)


@national
def test_england_spend_per_head_reproduces_ro3_england_total(tables_built) -> None:
    """England 2023-24: RO3's published England total expenditure £32,716,170k / 45,691,677 adults (mid-2023)."""
    b = bm.setup(STOCKPORT, "2023-24")
    s = bm.spend_summary(b, "gross", ["total"]).iloc[0]
    assert s["england"] == pytest.approx(32_716_170 * 1000 / 45_691_677, rel=1e-6)
    assert round(s["england"]) == 716


@national
def test_spend_medians_recomputed(tables_built) -> None:
    """The all-council median and the comparator median recomputed by hand from the table."""
    b = bm.setup(STOCKPORT, "2023-24")
    df = bm.spend_per_head()
    sl = df[(df["year"] == "2023-24") & (df["measure"] == "gross") & (df["line"] == "support_65+")
            & (df["level"] == "council")].set_index("gss_code")["per_head_gbp"]
    s = bm.spend_summary(b, "gross", ["support_65+"]).iloc[0]
    assert s["england_median"] == pytest.approx(float(np.median(sl.dropna())))
    grp = sl.loc[[STOCKPORT, *b.group]].dropna()
    assert s["group_median"] == pytest.approx(float(np.median(grp))) and s["rank_of"] == len(grp)
    assert s["rank"] == int((grp > grp.loc[STOCKPORT]).sum()) + 1


@national
def test_spend_edge_cases(tables_built) -> None:
    brm = bm.setup(BIRMINGHAM, "2023-24")
    assert "not available" in bm.spend_availability(brm)
    s = bm.spend_summary(brm)
    assert s["value"].isna().all() and (s["status"] == "not_available").all()
    assert s["group_median"].notna().all()  # the group still has values
    late = bm.setup(STOCKPORT, "2024-25")
    assert "mid-2024" in bm.spend_availability(late) and bm.spend_summary(late).empty
    assert "No spend data for 2019-20" in bm.spend_availability(bm.setup(STOCKPORT, "2019-20"))
    # Cumbria 2022-23: RO3 on the old county; mid-2022 population on 2023 boundaries -> sum of its successors
    df = bm.spend_per_head()
    cumbria = df[(df["gss_code"] == "E10000006") & (df["year"] == "2022-23") & (df["line"] == "total")]
    assert cumbria["population_basis"].str.startswith("sum of its successors E06000063 + E06000064").all()
    assert cumbria["per_head_gbp"].notna().all()


@national
def test_spend_trend_real_terms(tables_built) -> None:
    """Real terms = cash x deflator(base) / deflator(year), HM Treasury's method."""
    from helpers.data import tables

    b = bm.setup(STOCKPORT, "2023-24")
    t = bm.spend_trend(b, "total", "gross").set_index("year")
    assert list(t.index) == ["2016-17", "2022-23", "2023-24"]
    assert list(t["collection"]) == ["ASC-FR", "RO3", "RO3"]
    d = tables.load("deflators").set_index("year")["gdp_deflator"]
    assert t.loc["2022-23", "council_real"] == pytest.approx(t.loc["2022-23", "council"] * d["2023-24"] / d["2022-23"])
    assert t.loc["2023-24", "council_real"] == pytest.approx(t.loc["2023-24", "council"])
    # BCP starts in its first year: no 2016-17 value (Bournemouth and Poole then)
    bcp = bm.spend_trend(bm.setup("E06000058", "2023-24"), "total").set_index("year")
    assert math.isnan(bcp.loc["2016-17", "council"]) and bcp.loc["2022-23", "council"] > 0


@national
def test_cached_tables_still_recorded_for_the_manifest(tables_built, tmp_path, monkeypatch) -> None:
    log = tmp_path / "reads"
    monkeypatch.setenv("ASC_READ_LOG", str(log))
    first = bm.spend_per_head()
    second = bm.spend_per_head()
    assert first is second  # computed once per process
    assert log.read_text().split().count("spend") == 2


# ------------------------------------------------------------------------------------------------
# ASCOF
# ------------------------------------------------------------------------------------------------


def test_interval_methods_hand_worked() -> None:
    """Synthetic rows (edge-case fixture) through the registry's methods, against published / hand values.

    Wilson 81/263: 25.53% to 36.62% (Newcombe 1998, table II). Byar 806 events / 58,933 (Stockport ASCOF
    2A(2) 2020-21): lower 806 (1 - 1/(9*806) - 1.96/(3 sqrt 806))^3, upper 807 (1 - 1/(9*807) + 1.96/(3
    sqrt 807))^3, per 100,000. A published margin of error 2.5 around 70.0: 67.5 to 72.5. Numerator above
    the denominator: no interval, with the reason.
    """
    rows = pd.DataFrame({
        "ci_method": ["wilson", "byar", "survey_moe", "wilson", "none"],
        "comparison": "ci95", "multiplier": [100.0, 100_000.0, 100.0, 100.0, 100_000.0],
        "numerator": [81.0, 806.0, np.nan, 12.0, 3.0], "denominator": [263.0, 58_933.0, np.nan, 10.0, 100.0],
        "numerator_status": "reported", "denominator_status": "reported",
        "value": [30.8, 1367.7, 70.0, 120.0, 3.0], "moe": [np.nan, np.nan, 2.5, np.nan, np.nan],
        "moe_status": ["not_available", "not_available", "reported", "not_available", "not_available"],
    })
    rows.loc[2, ["numerator_status", "denominator_status"]] = "not_available"
    out = oc._intervals(rows)
    assert out.loc[0, "lower"] == pytest.approx(25.53, abs=0.005) and out.loc[0, "upper"] == pytest.approx(36.62, abs=0.005)
    o, z = 806.0, 1.959963984540054
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3 / 58_933 * 1e5
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3 / 58_933 * 1e5
    assert out.loc[1, "lower"] == pytest.approx(lo) and out.loc[1, "upper"] == pytest.approx(hi)
    assert (out.loc[2, "lower"], out.loc[2, "upper"]) == (67.5, 72.5)
    assert math.isnan(out.loc[3, "lower"]) and "numerator larger" in out.loc[3, "interval_reason"]
    assert math.isnan(out.loc[4, "lower"]) and out.loc[4, "interval_reason"]
    assert list(out["interval"][:3]) == ["Wilson 95%", "Byar 95%", "published margin of error (95%)"]


@national
def test_ascof_values_equal_the_processed_table_and_intervals(tables_built) -> None:
    from helpers.data import tables

    a = tables.load("ascof")
    b = bm.setup(STOCKPORT, "2020-21")
    comp = oc.comparison(b).set_index("measure_code")
    row = a[(a["gss_code"] == STOCKPORT) & (a["year"] == "2020-21") & (a["measure_code"] == "1G")
            & (a["disaggregation"] == "Total") & a["primary"]].iloc[0]
    assert comp.loc["1G", "value"] == row["value"] == 90.7
    lo, hi = stats.wilson_ci(644, 710)
    assert (comp.loc["1G", "lower"], comp.loc["1G", "upper"]) == pytest.approx((lo * 100, hi * 100))
    # 2A(2) 806 / 58,933 per 100,000 (Byar): wholly above England's 498.2, lower is better -> worse
    assert comp.loc["2A(2)", "interval"] == "Byar 95%" and comp.loc["2A(2)", "vs_england"] == "worse"
    assert comp.loc["1F", "interval"] == "" and comp.loc["1F", "basis"].startswith("distance from the median")
    plain = oc.plain(b, comp.reset_index()).set_index("Measure")
    assert plain.filter(like="1G", axis=0)["our_value"].iloc[0] == 90.7


@national
@pytest.mark.parametrize("council", [STOCKPORT, TRAFFORD, "E06000001"])
def test_all_council_medians_and_mads_reproduce_oflog(tables_built, council) -> None:
    """Oflog publishes its median and each council's distance from it in MADs (oflog_asc): ours agree."""
    from helpers.data import tables

    of = tables.load("oflog_asc")
    for year in ("2018-19", "2021-22", "2022-23"):
        b = bm.setup(council, year)
        comp = oc.comparison(b).set_index("measure_code")
        pub = of[(of["gss_code"] == council) & (of["year"] == year) & of["value"].notna() & of["ascof_code"].notna()]
        assert len(pub) >= 3
        for r in pub.itertuples():
            assert comp.loc[r.ascof_code, "england_median"] == pytest.approx(r.oflog_median)
            assert comp.loc[r.ascof_code, "england_mads"] == pytest.approx(r.oflog_mads_from_median, abs=1e-8)


@national
def test_ascof_edge_cases(tables_built) -> None:
    # a suppressed value: Rutland 1F 2020-21 is suppressed -> no value, "not compared", the status given
    r = oc.comparison(bm.setup("E06000017", "2020-21")).set_index("measure_code").loc["1F"]
    assert math.isnan(r["value"]) and r["value_status"] == "suppressed" and r["vs_group"] == stats.NOT_COMPARED
    assert "suppressed" in r["reason"]
    # a year without ASCOF values
    late = bm.setup(STOCKPORT, "2023-24")
    assert "2017-18 to 2022-23" in oc.availability(late) and oc.comparison(late).empty
    # a measure not published in the year (carers' survey is biennial)
    b = bm.setup(STOCKPORT, "2022-23")
    assert "1D" in set(oc.not_published(b, ["1D", "1G"])["Measure"]) and "1D" not in set(oc.comparison(b, ["1D", "1G"])["measure_code"])
    with pytest.raises(ParameterError, match="not an ASCOF measure"):
        oc.parse_measures("1G, 9Z")
    assert oc.parse_measures("2a2, 1g") == ["1G", "2A(2)"]


@national
def test_ascof_trend_follows_series_and_breaks(tables_built) -> None:
    ny = oc.trend(bm.setup("E06000065", "2022-23"), ["2D"]).set_index("year")
    assert ny["council"].notna().sum() == 6  # the county's series, same area
    bcp = oc.trend(bm.setup("E06000058", "2022-23"), ["2D"]).set_index("year")
    assert bcp.loc[["2017-18", "2018-19"], "council"].isna().all() and bcp.loc["2019-20":, "council"].notna().all()
    ts = oc.trend_summary(bm.setup(STOCKPORT, "2022-23"), ["1H", "1D"]).set_index("Measure")
    assert ts.loc["1H", "Trend"].startswith("not enough points (since the 2021-22")
    assert ts.loc["1D", "Trend"] == "not enough points"


def test_match_kpis_needs_code_name_and_unit_to_agree() -> None:
    """Synthetic KPI rows (edge-case fixture) shaped like council_kpis."""
    k = pd.DataFrame({
        "kpi_code": ["ASCOF 2A", "ASCOF 2C", "1C Part 2 Local", "2A Part 1", "ASCOF 1G", "HASC 1.1"],
        "kpi_name": ["Percentage of people accessing short-term services who no longer need long-term care",
                     "Over 65s permanently admitted to residential or nursing care (per 100,000 pop)",
                     "Proportion of eligible social care users receiving direct payment.",
                     "Permanent admissions to residential care homes aged 18-64",
                     "Percentage of clients with a learning disability living independently",
                     "Proportion of adults with a learning disability in paid employment"],
        "unit": ["%", "rate per 100,000", "%", "number", "%", "%"],
    })
    m = oc.match_kpis(k)
    assert dict(zip(m["kpi_code"], m["measure_code"], strict=True)) == {
        "ASCOF 2A": "2D", "ASCOF 2C": "2A(2)", "ASCOF 1G": "1G"}


@national
def test_council_report_values_against_national(tables_built) -> None:
    """Stockport's 2023-24 mid-year report prints 2022-23 outturns: 2D 94.3 (national 94.3, same), 1G 93.2
    (national 93.1), older people's admissions 558.3 (national 2A(2) 597.3)."""
    from helpers.data import tables

    if not tables.available("council_kpis"):
        pytest.skip("council_kpis is not built (helpers.data.council_reports)")
    out, msg = oc.council_reported(bm.setup(STOCKPORT, "2022-23"))
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
    b = bm.setup(STOCKPORT, "2023-24")
    img = plots.image(bm.strip_chart(b))
    assert img.data.startswith("<svg") and "Spend per head, 2023-24: Stockport among all councils" in img.data
    assert "Source: MHCLG Revenue Outturn (RO3) 2023-24" in img.data  # text kept as text (svg.fonttype none)
    assert plots.image(bm.strip_chart(b)).data == img.data  # deterministic bytes
    png = plots.image(bm.strip_chart(b), fmt="png")
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n" and plots.image(bm.strip_chart(b), fmt="png").data == png.data
    late = bm.setup(STOCKPORT, "2024-25")
    fig = bm.strip_chart(late)
    assert any("mid-2024" in t.get_text() for t in fig.axes[0].texts)
    fig = oc.spine_figure(late, oc.comparison(late))
    assert any("2017-18 to 2022-23" in t.get_text() for t in fig.axes[0].texts)
    quad = bm.quadrant_figure(b, "support_65+", "2A(2)")
    assert "2022-23" in quad.texts[-1].get_text()  # the outcome year used is stated
    import matplotlib.pyplot as plt

    plt.close("all")


def test_plain_summary_formats_and_keeps_numbers() -> None:
    """Synthetic rows (edge-case fixture): text for the reader, rounded numbers for re-use."""
    rows = pd.DataFrame({"measure": ["a", "b", "c"], "unit": ["gbp_per_head", "percent", "rate_per_100k"],
                         "value": [798.4, 93.14, np.nan], "comparator": [756.0, 80.6, 484.8],
                         "england": [716.0, 78.3, 498.2], "verdict": ["higher", "better", "not compared"],
                         "basis": "x"})
    out = bm.plain_summary(rows)
    assert list(out["Our value"]) == ["£798", "93.1%", "not available"]
    assert list(out["Comparator median"])[2] == "484.8 per 100,000"
    assert out["our_value"].tolist()[:2] == [798.0, 93.1] and math.isnan(out["our_value"].iloc[2])


@national
@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_summaries_equal_the_processed_tables(tables_built, tmp_path) -> None:
    """Both notebooks run for Stockport; the exported councillor tables hold the processed tables' values."""
    from helpers.core.paths import NOTEBOOKS
    from helpers.data import tables
    from helpers.pipeline import run

    specs = [(NOTEBOOKS / "01_spend_benchmarking.ipynb", {"council": STOCKPORT}),
             (NOTEBOOKS / "02_ascof_benchmarking.ipynb", {"council": STOCKPORT, "year": "2020-21"})]
    run_dir = run.new_run_dir(tmp_path, "test")
    summary = run.execute(run.plan_jobs(specs, run_dir, batch=True, mode="warm", html=False), run_dir,
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

    brm = bm.setup(BIRMINGHAM, "2023-24")
    shown = bm.spend_display(brm, bm.spend_summary(brm))
    assert isinstance(shown, report.Presented)
    assert {"Spend line", "Council (£)", "Group median (£)", "Rank (1 = highest)"} <= set(shown.frame.columns)
    assert (shown.frame["Council (£)"] == report.NA_TEXT).all()
    assert "gss_code" not in shown.frame.columns
    st = bm.spend_display(bm.setup(STOCKPORT, "2023-24"), bm.spend_summary(bm.setup(STOCKPORT, "2023-24")))
    assert st.frame["Council (£)"].iloc[0] == "798"
    late = bm.setup(STOCKPORT, "2024-25")
    assert "mid-2024" in bm.spend_display(late, bm.spend_summary(late)).data
    b = bm.setup(STOCKPORT, "2020-21")
    comp = oc.comparison_display(b, oc.comparison(b))
    row = comp.frame.set_index("ASCOF").loc["1G"]
    assert row["Council"] == "90.7" and row["Interval"] == "88.3 to 92.6" and row["Against England"] == "better"


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=12, max_size=40),
       st.integers(min_value=5, max_value=10))
def test_position_properties(vals: list[float], k: int) -> None:
    """Properties on random values (hypothesis): the group median is the median of the council and its
    comparators; the rank lies in 1..n; reversing the polarity swaps better and worse; the England median is
    the median of all values."""
    codes = [f"C{i:02d}" for i in range(len(vals))]
    s = pd.Series(vals, index=codes)
    council, group = codes[0], tuple(codes[1:k + 1])
    hi = bm.position(s, council, group, "higher")
    lo = bm.position(s, council, group, "lower")
    assert hi["group_median"] == pytest.approx(float(np.median(s.loc[[council, *group]])))
    assert hi["england_median"] == pytest.approx(float(np.median(s)))
    assert 1 <= hi["rank"] <= hi["rank_of"] == k + 1
    swap = {"better": "worse", "worse": "better"}
    for key in ("group_verdict", "england_verdict"):
        words = hi[key].split(" ")
        assert lo[key] == " ".join(swap.get(w, w) for w in words)


# ------------------------------------------------------------------------------------------------
# what the reader sees: notes for the run index, captions naming sources, views instead of empty charts
# ------------------------------------------------------------------------------------------------


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
    ok = bm.setup(STOCKPORT, "2023-24")
    shown = bm.spend_intro(ok, bm.spend_summary(ok))
    assert "raw (unscaled) MADs" in shown.data and _notes(prefix) == []
    late = bm.setup(STOCKPORT, "2024-25")
    shown = bm.spend_intro(late, bm.spend_summary(late))
    assert "mid-2024" in shown.data
    assert len(_notes(prefix)) == 1 and "no spend per head for 2024-25" in _notes(prefix)[0]
    assert "No chart" in bm.strip_view(late).data and len(_notes(prefix)) == 1  # said, not noted twice
    early = bm.setup(STOCKPORT, "2016-17")
    assert "No ASCOF 2A(2) values for 2016-17 or earlier" in bm.quadrant_view(early, "support_65+", "2A(2)").data
    assert len(_notes(prefix)) == 2
    gone = bm.setup(STOCKPORT, "2023-24")
    assert oc.intro(gone, oc.comparison(gone)).data.endswith("Choose one of those years.**")
    assert "No ASCOF values for 2023-24" in _notes(prefix)[-1]
    brm = bm.setup(BIRMINGHAM, "2023-24")
    bm.spend_intro(brm, bm.spend_summary(brm))
    assert "RO3_2023-24_data_by_LA.ods" in _notes(prefix)[-1] and "ro3_2023_24" not in _notes(prefix)[-1]


def test_group_shortfall_counts_rows_with_too_few_comparators() -> None:
    """Synthetic summary rows (edge-case fixture): a row without a council value is not counted; all rows
    short -> advice to choose a larger group; some rows short -> how many."""
    b = bm.Benchmark("E08000007", "Stockport", "2023-24", "E08000007", "E08000007", "list", "list",
                     tuple(f"E0800000{i}" for i in range(1, 7)), "a chosen list of 6 councils", "E12000002",
                     "North West", "metropolitan district")
    rows = pd.DataFrame({"value": [1.0, 2.0, np.nan], "group_n": [6, 4, 0]})
    assert bm.group_shortfall(b, rows) == ("On 1 of 2 spend lines fewer than 5 comparator councils have a value for "
                                           "2023-24 (as few as 4): those rows have no group median, quartiles or rank.")
    assert "Choose a larger group" in bm.group_shortfall(b, rows.assign(group_n=[3, 4, 0]))
    assert bm.group_shortfall(b, rows.assign(group_n=[5, 5, 0])) is None


@national
def test_reader_tables_name_their_sources_and_say_the_method_once(tables_built) -> None:
    """Captions name the publications and files; a column that is the same on every row is said once."""
    b = bm.setup(STOCKPORT, "2023-24")
    summary = bm.spend_summary(b)
    assert "(files RO3_2023-24_data_by_LA.ods, mye23tablesew.xlsx)" in bm.spend_display(b, summary).caption
    plain = bm.plain_display(bm.spend_plain_summary(b, summary), empty="-")
    assert "How judged" not in plain.frame.columns
    assert plain.caption == ("Source table: MHCLG Revenue Outturn (RO3) 2023-24; ONS population estimates mid-2023. "
                             "Verdict: distance from the group median in MADs")
    assert "ASCFR_2016-17_Totals.csv" in bm.trend_display(b).caption
    y = bm.setup(STOCKPORT, "2022-23")
    comp = oc.comparison(y)
    shown = oc.comparison_display(y, comp)
    assert "Interval" not in shown.frame.columns and "How judged" not in shown.frame.columns
    assert "Verdicts: distance from the median in MADs" in shown.caption
    assert "(file ascof_outcomes_trend_2017-18_to_2022-23.csv)" in shown.caption
    row = shown.frame.set_index("ASCOF")
    assert row.loc["1J", "Council"] == "0.408"  # 1J is published to 3 decimals
    med = float(comp.set_index("measure_code").loc["1A", "group_median"])
    assert row.loc["1A", "Group median"] == f"{round(med, 1):.1f}" and med != round(med, 1)
    assert row.loc["1A", "Measure"].endswith("(survey)")
    assert "Note" not in row.columns  # "no margin of error" for every survey measure: said once, above the table
    y20 = bm.setup(STOCKPORT, "2020-21")
    shown = oc.comparison_display(y20, oc.comparison(y20))
    assert "Interval" in shown.frame.columns and "How judged" in shown.frame.columns
    assert shown.frame.set_index("ASCOF").loc["1A", "Note"] == "voluntary survey" and "was voluntary" in shown.caption
    assert shown.frame.set_index("ASCOF").loc["2A(2)", "How judged"] == "Byar 95%"
    assert "meas-from-asc-of-eng-2021-open-data-csv_v2.xlsx" in shown.caption
    nn = bm.setup("E06000061", "2022-23", "region")
    brk = bm.breaks_display(nn).frame
    assert brk[["From", "Change", "Other ONS codes involved"]].iloc[0].tolist() == ["2021-22", "split", "E10000021"]


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
