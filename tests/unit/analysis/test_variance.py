"""Forecast variance: the seeds' printed variances, percentages and movements reproduced from their inputs,
the price / volume / remainder decomposition, year-to-date projections, savings, and bad input.

Figures asserted are the documents' printed ones (Stockport 2017/18 Q3 and 2023/24 Q2, Nottinghamshire
2024/25 period 3, Cambridgeshire F&PR July 2018 and the CPFT 2017/18 report), read through the council data
loader. Small synthetic frames are used only for edge cases (zero budget, bad units, bad thresholds) and say so.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis.variance import budget as variance
from helpers.core.errors import DataError, ParameterError
from helpers.data import council_reports as council_data

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


def _row(vt: pd.DataFrame, line: str, table_id: str | None = None) -> pd.Series:
    d = vt[vt["line"] == line]
    if table_id:
        d = d[d["table_id"] == table_id]
    assert len(d) == 1, f"{line!r}: {len(d)} rows"
    return d.iloc[0]


# ------------------------------------------------------------------------------------------------
# decomposition: property and hand examples
# ------------------------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
counts = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)
costs = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)


@given(bn=counts, bc=costs, an=counts, ac=costs, weeks=st.floats(min_value=0, max_value=53), var=finite)
def test_price_plus_volume_plus_remainder_is_the_variance(bn, bc, an, ac, weeks, var) -> None:
    pv = variance.price_volume(pd.Series([bn]), pd.Series([bc]), pd.Series([an]), pd.Series([ac]),
                               pd.Series([weeks]), pd.Series([var])).iloc[0]
    total = pv["volume_gbp_k"] + pv["price_gbp_k"] + pv["remainder_gbp_k"]
    assert math.isclose(total, var, rel_tol=1e-9, abs_tol=1e-6 * max(1.0, abs(pv["volume_gbp_k"]), abs(pv["price_gbp_k"])))
    # volume + price is the change in clients x cost x weeks (quantity at standard price + price at actual quantity)
    assert math.isclose(pv["volume_gbp_k"] + pv["price_gbp_k"], (an * ac - bn * bc) * weeks / 1000,
                        rel_tol=1e-9, abs_tol=1e-6 * max(1.0, an * ac * weeks / 1000, bn * bc * weeks / 1000))


def test_price_volume_hand_example_cambridgeshire_ld_residential() -> None:
    """F&PR July 2018 table 2.5.3: 299 -> 291 clients, £1,364 -> £1,455 a week, 52 weeks, variance £1,021k."""
    pv = variance.price_volume(pd.Series([299.0]), pd.Series([1364.0]), pd.Series([291.0]), pd.Series([1455.0]),
                               pd.Series([52.0]), pd.Series([1021.0])).iloc[0]
    assert pv["volume_gbp_k"] == pytest.approx(-8 * 1364 * 52 / 1000)   # -567.424: fewer clients
    assert pv["price_gbp_k"] == pytest.approx(91 * 291 * 52 / 1000)     # 1,377.012: dearer care
    assert pv["remainder_gbp_k"] == pytest.approx(1021 + 567.424 - 1377.012)


def test_decomposition_of_the_cambridgeshire_key_activity_tables(key_activity: pd.DataFrame) -> None:
    dec = variance.decompose(key_activity, CAMBS, "2018-19", "M04")
    ok = dec[dec["decomposed"] == "yes"]
    assert np.allclose(ok["volume_gbp_k"] + ok["price_gbp_k"] + ok["remainder_gbp_k"], ok["variance_gbp_k"])
    # every line is decomposed or says why not; a line not decomposed keeps its whole variance as remainder
    no = dec[dec["decomposed"] != "yes"]
    assert no["decomposed"].str.startswith("no: ").all()
    assert (no["remainder_gbp_k"] == no["variance_gbp_k"]).all()
    s = variance.decomposition_summary(dec).set_index("service_group")
    ld = s.loc["Learning Disability"]
    # LD: 1,021 + 50 + 4,484 = 5,555 (the printed LD Service Total) on the three care lines; income -571 and
    # "further savings" -2,420 are not client lines; 5,555 - 571 - 2,420 = 2,564 (the printed Net Total)
    assert ld["volume_gbp_k"] == pytest.approx((-8 * 1364 + 0 * 1639 + 17 * 651) * 52 / 1000)
    assert ld["price_gbp_k"] == pytest.approx((91 * 291 + 55 * 8 + 27 * 1302) * 52 / 1000)
    assert ld["volume_gbp_k"] + ld["price_gbp_k"] + ld["remainder_gbp_k"] == pytest.approx(5555)
    assert ld["other_lines_gbp_k"] == -2991 and ld["variance_gbp_k"] == 2564
    # per-hour homecare: hours per client implied by the budget, 14,911k / (1,516 x £16.31)
    home = dec[(dec["service_group"] == "Older People") & (dec["line"] == "~ Homecare arranged")].iloc[0]
    hours = 14911 * 1000 / (1516 * 16.31)
    assert home["units_basis"].startswith(f"{hours:,.0f} hours")
    assert home["volume_gbp_k"] == pytest.approx((1458 - 1516) * 16.31 * hours / 1000)


def test_key_activity_printed_variances_that_differ_from_outturn_minus_budget(key_activity: pd.DataFrame) -> None:
    """README discrepancy 17: the twelve printed variances that are not forecast - budget (lines only here)."""
    dec = variance.decompose(key_activity, CAMBS, "2018-19", "M04")
    rows = variance.select(key_activity, CAMBS, "2018-19", "M04")
    rows = rows[rows["row_type"] == "line"].reset_index(drop=True)
    diff = rows["variance_gbp_k"] - dec["variance_gbp_k"]
    got = sorted((r.service_group, r.line, int(d)) for r, d in zip(rows.itertuples(), diff, strict=True) if d)
    assert got == sorted([
        ("Adult Mental Health", "Community based support", 1), ("Adult Mental Health", "Home & Community support", -1),
        ("Adult Mental Health", "Nursing Placement", 1), ("Adult Mental Health", "Health Contribution", 1),
        ("Older People", "Residential", -1), ("Older People", "Nursing Dementia", -1), ("Older People", "Respite", 1),
        ("Older People", "~ Direct payments", -1), ("Older People", "Residential Income", 1),
        ("Older People Mental Health", "Nursing", 1), ("Older People Mental Health", "Residential Income", -1),
    ])  # the twelfth, OP Total Expenditure (-273 vs -272), is a total row


def test_budget_in_pounds_is_refused() -> None:
    """Synthetic edge case: a key-activity budget typed in pounds (x1000) is an inconsistent unit."""
    df = pd.DataFrame({"unit_of_cost": ["per week"], "budgeted_clients": [10.0], "budgeted_unit_cost_gbp": [500.0],
                       "budget_gbp_k": [260000.0], "weeks_funded": [52.0], "source_file": ["x.csv"], "source_row": [2]})
    with pytest.raises(DataError, match="pounds, not £ thousands"):
        variance.check_key_activity_units(df)


# ------------------------------------------------------------------------------------------------
# variances, percentages, movement: the seeds' printed figures
# ------------------------------------------------------------------------------------------------


def test_stockport_2017_18_q3_printed_variances(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, STOCKPORT, "2017-18", "Q3")
    assert variance.printed_differences(vt).empty  # every printed variance = forecast - budget
    t = _row(vt, "Total", "stockport-2017-18-q3-2.1.2")
    assert (t["budget_gbp_k"], t["forecast_outturn_gbp_k"], t["variance_gbp_k"]) == (69839, 70423, 584)
    assert (t["previous_period"], t["previous_variance_gbp_k"], t["movement_gbp_k"]) == ("Q2", 849, -265)
    ld = _row(vt, "Learning Disability")
    assert (ld["variance_gbp_k"], ld["movement_gbp_k"]) == (709, 709 - 866)
    assert variance.headline(vt)["variance_gbp_k"].tolist() == [584]
    pooled = _row(vt, "Total", "stockport-2017-18-q3-2.4")
    assert (pooled["budget_gbp_k"], pooled["variance_gbp_k"], pooled["movement_gbp_k"]) == (86243, 518, 518 - 843)


def test_stockport_2023_24_q2_forecast_from_net_expenditure_and_reserves(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, STOCKPORT, "2023-24", "Q2")
    asc = _row(vt, "Adult Social Care", "stockport-2023-24-q2-2.1-forecast-outturn")
    assert asc["forecast_basis"] == "net expenditure + reserves appropriation"
    assert asc["forecast_outturn_gbp_k"] == 111064 - 3700 == asc["budget_gbp_k"]
    assert asc["variance_gbp_k"] == 0 and asc["reserves_appropriation_gbp_k"] == -3700
    pw = _row(vt, "Prevention Wellbeing & Independence")
    assert (pw["variance_gbp_k"], pw["previous_period"], pw["movement_gbp_k"]) == (33, "Q1+", 33 + 304)
    assert variance.printed_differences(vt).empty
    res = variance.reserves_in_budget(vt)
    assert res.loc[res["line"] == "Total", "reserves_appropriation_gbp_k"].tolist() == [-5486]


def test_nottinghamshire_p3_variances_percentages_and_movement(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, NOTTS, "2024-25", "M03")
    assert variance.printed_differences(vt).empty
    net = _row(vt, "Net Department Total")
    assert (net["variance_gbp_k"], round(net["variance_pct"], 2), net["movement_gbp_k"]) == (9635, 3.47, 3516)
    lw = _row(vt, "Living Well and Direct Services")
    assert (round(lw["variance_pct"], 2), lw["movement_gbp_k"], lw["rag"]) == (5.47, 1729, "Red")
    # the printed "change in forecast" column is our movement on every row that prints one
    raw = variance.select(budget, NOTTS, "2024-25", "M03")
    has = raw["variance_change_gbp_k"].notna()
    assert (vt.loc[has, "movement_gbp_k"] == raw.loc[has, "variance_change_gbp_k"]).all()
    # a line printed '-' everywhere: no budget, so no per cent and no RAG
    cap = _row(vt, "Transfer to / (from) Capital Reserves")
    assert (cap["variance_pct_text"], cap["rag"]) == ("n/a", "n/a")


def _pct_tol(printed: float, v: float, b: float) -> float:
    dec = len(f"{printed:.10g}".split(".")[1]) if "." in f"{printed:.10g}" else 0
    return 0.5 * 10.0 ** -dec + 100.0 * (0.5 / abs(b)) * (1.0 + abs(v) / abs(b)) + 1e-9


def test_printed_percentages_reproduced_with_the_sign_convention_difference(budget: pd.DataFrame) -> None:
    """Ours = 100 x variance / |budget|. Every printed per cent agrees within rounding, except five printed
    with the sign of variance / budget on a negative (income) budget (docs/caveats.md)."""
    flipped = []
    for code, year, period in ((NOTTS, "2024-25", "M03"), (CAMBS, "2018-19", "M04")):
        vt = variance.variance_table(budget, code, year, period)
        sub = vt[vt["variance_pct_printed"].notna() & vt["budget_gbp_k"].notna()]
        for r in sub.itertuples():
            tol = _pct_tol(r.variance_pct_printed, r.variance_gbp_k, r.budget_gbp_k)
            if abs(r.variance_pct - r.variance_pct_printed) <= tol:
                continue
            assert r.budget_gbp_k < 0 and abs(r.variance_pct + r.variance_pct_printed) <= tol, r
            flipped.append((r.table_id.split("-")[-1], r.line, r.variance_pct_printed))
    assert sorted(flipped) == sorted([
        ("summary", "Strategic Commissioning and Integration", 0.81),
        ("summary", "Transfer to / (from) Revenue Reserves", 0.01),
        ("summary", "Subtotal", 0.01),
        ("2.1", "Grant Funding", 1.0),
        ("app1", "Grant Funding Total", 1.0),
    ])
    cambs = variance.variance_table(budget, CAMBS, "2018-19", "M04")
    assert round(_row(cambs, "Commissioning", "cambridgeshire-2018-19-m04-2.1")["variance_pct"], 1) == 8.5
    assert round(_row(cambs, "Total", "cambridgeshire-2018-19-m04-2.1")["variance_pct"], 1) == 2.0


def test_cambridgeshire_july_forecast_derived_from_printed_variance(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, CAMBS, "2018-19", "M04")
    net = _row(vt, "Net Total")
    assert net["forecast_basis"] == "budget + printed variance"
    assert (net["forecast_outturn_gbp_k"], net["variance_gbp_k"]) == (239944 + 4690, 4690)
    assert (net["previous_period"], net["movement_gbp_k"]) == ("M03", 4690 - 3868)
    sma = _row(vt, "Strategic Management - Adults")
    assert (sma["variance_gbp_k"], sma["movement_gbp_k"]) == (-1970, 30)  # June -2,000 -> July -1,970
    assert variance.main_tables(vt) == ["cambridgeshire-2018-19-m04-app1"]


def test_cpft_year_end_movement_equals_printed_change_from_february(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, CAMBS, "2017-18", "YE")
    raw = variance.select(budget, CAMBS, "2017-18", "YE")
    assert (vt["previous_period"] == "M11").all()
    assert (vt["movement_gbp_k"] == raw["variance_change_gbp_k"]).all()
    assert variance.headline(vt)[["line", "variance_gbp_k"]].values.tolist() == [["Total", -492], ["Total", 847]]
    mv = variance.movement(budget, CAMBS, "2017-18", "YE")
    total = mv[(mv["row_type"] == "total") & mv["table_id"].str.contains("amh-")]
    assert total["period"].tolist() == ["M01", "Q1", "Q2", "Q3", "M11", "YE"]
    assert total["variance_gbp_k"].tolist() == [4684 - 4541, 229, 170, 237, -50, -492]


def test_zero_budget_says_na(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, CAMBS, "2017-18", "YE")
    respite = _row(vt, "Respite", "cambridgeshire-2017-18-ye-s75-amh-activity")  # budget 0, outturn 17
    assert respite["budget_gbp_k"] == 0 and respite["variance_gbp_k"] == 17
    assert (respite["variance_pct_text"], respite["rag"]) == ("n/a", "n/a") and pd.isna(respite["variance_pct"])
    # synthetic: zero and missing budgets, no division by zero
    pct = variance.variance_pct(pd.Series([5.0, 5.0, np.nan]), pd.Series([0.0, np.nan, 10.0]))
    assert pct.isna().all()
    assert variance.pct_text(pct).tolist() == ["n/a"] * 3


def test_variance_rag_thresholds() -> None:
    """Defaults: Red above 2% of budget and £100k (Cambridgeshire's explanation rule), Amber any other overspend."""
    v = pd.Series([709.0, 771.0, 150.0, 90.0, -407.0, 0.0, 17.0])
    b = pd.Series([27851.0, 158357.0, 5000.0, 1000.0, 5448.0, 100.0, 0.0])
    assert variance.variance_rag(v, b).tolist() == ["Red", "Amber", "Red", "Amber", "Green", "Green", "n/a"]
    t = variance.Thresholds(amber_pct=1.0, red_pct=5.0, red_min_gbp_k=0.0)
    assert variance.variance_rag(v, b, t).tolist() == ["Amber", "Green", "Amber", "Red", "Green", "Green", "n/a"]
    with pytest.raises(ParameterError):
        variance.Thresholds(amber_pct=3.0, red_pct=2.0)
    with pytest.raises(ParameterError):
        variance.Thresholds(red_min_gbp_k=-1.0)


def test_a_period_with_no_budget_gives_a_message(budget: pd.DataFrame) -> None:
    assert variance.variance_table(budget, STOCKPORT, "2025-26", "BUD").empty
    msg = variance.availability(budget, STOCKPORT, "2025-26", "BUD", "Stockport")
    assert "No budget figures for Stockport in budget setting 2025-26" in msg
    assert "2017-18 Q3, 2023-24 Q2" in msg
    assert variance.availability(budget, STOCKPORT, "2017-18", "Q3", "Stockport") is None
    for fn in (variance.headline, variance.largest_variances, variance.reserves_in_budget):
        assert fn(variance.variance_table(budget, STOCKPORT, "2025-26", "BUD")).empty
    assert variance.movement(budget, STOCKPORT, "2025-26", "BUD").empty


# ------------------------------------------------------------------------------------------------
# projections, savings, summary
# ------------------------------------------------------------------------------------------------


def test_year_end_projection_from_actual_to_date(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, NOTTS, "2024-25", "M03")
    pr = variance.project_year_end(vt, "2024-25", "M03").set_index("line")
    net = pr.loc["Net Department Total"]
    assert net["months"] == 3
    assert net["straight_line_gbp_k"] == pytest.approx(77009 * 4)
    assert net["profile_based_gbp_k"] == pytest.approx(77009 / (91 / 365))  # April-June: 91 of 365 days
    assert net["straight_line_minus_forecast_gbp_k"] == pytest.approx(77009 * 4 - 287545)
    custom = variance.project_year_end(vt, "2024-25", "M03", profile=[2] * 3 + [1] * 9).set_index("line")
    assert custom.loc["Net Department Total", "profile_based_gbp_k"] == pytest.approx(77009 / (6 / 15))
    cambs = variance.variance_table(budget, CAMBS, "2018-19", "M04")
    pc = variance.project_year_end(cambs, "2018-19", "M04").set_index(["table_id", "line"])
    sma = pc.loc[("cambridgeshire-2018-19-m04-app1", "Strategic Management - Adults")]
    assert sma["actual_to_date_gbp_k"] == -22634 and isinstance(sma["caution"], str)
    assert variance.project_year_end(variance.variance_table(budget, STOCKPORT, "2017-18", "Q3"), "2017-18", "Q3").empty
    with pytest.raises(ParameterError):
        variance.month_profile("2024-25", [1, 2, 3])
    assert variance.month_profile("2023-24")[10] == pytest.approx((365 + 1 - 31) / 366)  # leap February 2024


def test_savings_delivery(savings: pd.DataFrame) -> None:
    s17 = variance.savings_summary(savings, STOCKPORT, "2017-18", "Q3").set_index("line")
    tot = s17.loc["Total"]
    assert (tot["target_gbp_k"], tot["delivered_gbp_k"], tot["shortfall_gbp_k"], tot["shortfall_printed_gbp_k"]) == (
        3651, 2809, 842, 842)
    assert s17.loc["Unachieved saving balance from 16/17", "rag_printed"] == "Red"
    s23 = variance.savings_summary(savings, STOCKPORT, "2023-24", "Q2").set_index("line")
    asc = s23.loc["Adult Social Care - subtotal"]
    assert (asc["target_gbp_k"], asc["delivered_gbp_k"], asc["shortfall_gbp_k"]) == (4428 - 625, 3782, 21)
    assert s23.loc["Total", "shortfall_gbp_k"] == s23.loc["Total", "shortfall_printed_gbp_k"] == 21
    plan = variance.savings_summary(savings, STOCKPORT, "2025-26", "BUD")
    assert plan.loc[plan["row_type"] == "total", "target_gbp_k"].tolist() == [4598]
    assert plan["delivered_gbp_k"].isna().all()


def test_summary_text_and_table(budget: pd.DataFrame, key_activity: pd.DataFrame, savings: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, STOCKPORT, "2017-18", "Q3")
    sv = variance.savings_summary(savings, STOCKPORT, "2017-18", "Q3")
    text = variance.summary_text(vt, variance.decompose(key_activity, STOCKPORT, "2017-18", "Q3"), sv, "Stockport",
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
    table = variance.summary_table(cambs, variance.decompose(key_activity, CAMBS, "2018-19", "M04"), n=3)
    assert table.columns.tolist() == variance.SUMMARY_COLUMNS
    assert table["kind"].tolist() == ["service line"] * 3 + ["key activity"] * 4
    assert table["name"].tolist()[:3] == ["Looked After Children Placements", "Strategic Management - Adults",
                                          "LD Head of Service"]
    assert table.loc[0, "driver"] == "up £335k since month 3 (June)"
    ld = table.set_index("name").loc["Learning Disability"]
    # the four parts add up to the key-activity table's variance
    assert ld["volume_gbp_k"] + ld["price_gbp_k"] + ld["remainder_gbp_k"] + ld["other_lines_gbp_k"] == \
        pytest.approx(ld["variance_gbp_k"]) == 2564
    ye = variance.summary_text(variance.variance_table(budget, CAMBS, "2017-18", "YE"), key_activity.iloc[0:0],
                               savings.iloc[0:0], "Cambridgeshire", variance.period_label("YE", "2017-18"))
    assert "reports an underspend of £492k on a budget of £4,541k (-10.8% of the budget)" in ye  # outturn, not forecast
    assert "Health Contributions £394k (no budget to compare with)" in ye


# ------------------------------------------------------------------------------------------------
# service scope: adult social care only, or every printed row
# ------------------------------------------------------------------------------------------------


def test_service_class_edges() -> None:
    """Synthetic rows (edge cases of the patterns): the service area decides, else the line."""
    df = pd.DataFrame({
        "line": ["Adult Learning & Skills", "Looked After Children Placements", "Carers", "Children & Safeguarding",
                 "Grant Funding", "Public Health", "Youth Offending Service", "Adults & Safeguarding",
                 "Capacity in Adults procurement", "Local Assistance Scheme"],
        "service_area": ["Communities & Safety Directorate", "Commissioning Directorate / Childrens Commissioning",
                         "Adults & Safeguarding Directorate", None, "Grant Funding", "Public Health", "", None,
                         "Commissioning", "Commissioning Directorate"],
    })
    assert variance.service_class(df).tolist() == [
        "other", "other", "adults", "other", "shared", "shared", "other", "adults", "adults", "shared"]


def test_adults_scope_cambridgeshire_people_and_communities(budget: pd.DataFrame) -> None:
    """Cambridgeshire's July 2018 report covers People & Communities: children's lines are left out in the
    adults scope, and the lead total becomes the report's own Adults Committee total (cover report para 1.3)."""
    allrows = variance.variance_table(budget, CAMBS, "2018-19", "M04", scope="all")
    adults = variance.variance_table(budget, CAMBS, "2018-19", "M04", scope="adults")
    assert len(allrows) == 95 and len(adults) == 33
    assert "Looked After Children Placements" in set(allrows["line"])
    assert not adults["line"].isin(["Looked After Children Placements", "Education", "Net Total",
                                    "Local Assistance Scheme"]).any()
    head = variance.headline(adults)
    assert head[["line", "budget_gbp_k", "variance_gbp_k"]].values.tolist() == [["Total", 138275, 21]]
    assert variance.main_tables(adults) == ["cambridgeshire-2018-19-m04-app1"]
    app1 = adults[adults["table_id"] == "cambridgeshire-2018-19-m04-app1"]
    ads = app1[app1["service_area"].str.startswith("Adults & Safeguarding") & (app1["row_type"] == "line")]
    # the kept adult lines add up to the printed directorate subtotal (+17 on 154,041)
    sub = _row(app1, "Adult & Safeguarding Directorate Total")
    assert ads["variance_gbp_k"].sum() == sub["variance_gbp_k"] == 17
    assert ads["budget_gbp_k"].sum() == sub["budget_gbp_k"] == 154041
    assert variance.largest_variances(adults, 2)["line"].tolist() == ["Strategic Management - Adults",
                                                                     "LD Head of Service"]
    note = variance.scope_note(budget, CAMBS, "2018-19", "M04", "adults")
    assert "8 of the 9 rows of *F&PR section 2.1 Overall Position*" in note
    assert "54 of the 79 rows of *Appendix 1" in note
    assert variance.scope_note(budget, CAMBS, "2018-19", "M04", "all") is None
    # the movement chart follows the scope
    mv = variance.movement(budget, CAMBS, "2018-19", "M04", scope="adults")
    assert "Looked After Children Placements" not in set(mv["line"])


def test_adults_scope_keeps_reports_without_other_services(budget: pd.DataFrame) -> None:
    """Stockport's and Nottinghamshire's tables print no children's services: the scope changes nothing (and
    Stockport's public health line, part of its Health and Adult Social Care portfolio total, stays)."""
    for code, year, period in ((STOCKPORT, "2017-18", "Q3"), (STOCKPORT, "2023-24", "Q2"), (NOTTS, "2024-25", "M03")):
        a = variance.variance_table(budget, code, year, period, scope="adults")
        b = variance.variance_table(budget, code, year, period, scope="all")
        pd.testing.assert_frame_equal(a, b)
        assert variance.scope_note(budget, code, year, period, "adults") is None
    assert "Public Health" in set(variance.variance_table(budget, STOCKPORT, "2023-24", "Q2", scope="adults")["line"])


def test_adults_scope_of_a_people_and_communities_reserves_schedule() -> None:
    reserves = council_data.load_kind("reserves", warn=False)
    a = variance.reserves_summary(reserves, CAMBS, "2017-18", "YE", scope="adults")
    b = variance.reserves_summary(reserves, CAMBS, "2017-18", "YE", scope="all")
    assert len(b) == 33 and 0 < len(a) < len(b)
    raw = variance.select(reserves, CAMBS, "2017-18", "YE").set_index("row_order")
    kept = raw.loc[a["row_order"]]
    assert set(kept["service_area"].dropna()) == {"Adults & Safeguarding", "Commissioning"}
    assert "Capacity in Adults procurement & contract management" in set(kept["line"])  # area Commissioning
    assert "Other Adult Capital Reserves" in set(kept["line"])  # no area: the line names adults
    assert not kept["line"].str.contains("Child|School|YOT|TOTAL", case=False).any()


def test_scope_parameter() -> None:
    assert variance.check_scope(" Adults ") == "adults"
    with pytest.raises(ParameterError, match="service_scope"):
        variance.check_scope("children")
    from helpers.pipeline import params

    assert params.check(service_scope="all")["service_scope"] == "all"
    with pytest.raises(ParameterError, match="service_scope"):
        params.check(service_scope="")


# ------------------------------------------------------------------------------------------------
# the reader's tables
# ------------------------------------------------------------------------------------------------


def test_row_notes_explain_the_figures_that_need_it(budget: pd.DataFrame) -> None:
    notts = variance.variance_table(budget, NOTTS, "2024-25", "M03").set_index("line")
    notes = variance.row_notes(notts.reset_index()).set_axis(notts.index)
    # printed 0.81% for a -290 variance on a -35,643 budget: ours is -0.8% (size of the budget)
    assert notes["Strategic Commissioning and Integration"] == (
        "negative budget (net income): the % is of its size, + = overspend; the report prints 0.81%")
    assert notes["Transfer to / (from) Capital Reserves"] == "no figures printed"
    assert notes["Living Well and Direct Services"] == ""
    ye = variance.variance_table(budget, CAMBS, "2017-18", "YE")
    respite = ye[(ye["line"] == "Respite") & ye["table_id"].str.contains("amh-")]
    assert variance.row_notes(ye).loc[respite.index[0]] == "zero budget: no %"


def test_display_has_reader_headings_units_and_formats(budget: pd.DataFrame) -> None:
    from helpers.reports import present as report

    vt = variance.variance_table(budget, NOTTS, "2024-25", "M03")
    shown = variance.display(vt)
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
    cambs = variance.display(variance.variance_table(budget, CAMBS, "2018-19", "M04", scope="adults"))
    assert "Every row: forecast = budget + printed variance (no forecast printed)" in cambs.caption
    assert "Source table" in cambs.frame.columns  # four printed tables
    nhs = cambs.frame.set_index("Line").loc["NHS Contribution to Pooled Budget"]
    assert nhs["Notes"].startswith("negative budget (net income)")
    totals = variance.show_totals(variance.variance_table(budget, STOCKPORT, "2017-18", "Q3"))
    assert totals.frame["Line"].tolist() == ["Total", "Total"]
    assert totals.frame["Variance (£k)"].tolist() == ["+584", "+518"]
    assert "font-weight: bold" in totals.html  # the lead total
    empty = variance.display(variance.variance_table(budget, STOCKPORT, "2025-26", "BUD"))
    assert "No budget figures" in empty.data


def test_period_helpers() -> None:
    assert [variance.months_elapsed(p) for p in ("BUD", "M04", "Q1", "Q3", "YE")] == [0, 4, 3, 9, 12]
    assert sorted(["YE", "Q2", "M01", "Q1+", "M11", "BUD", "Q1"], key=variance.period_order) == [
        "BUD", "M01", "Q1", "Q1+", "Q2", "M11", "YE"]
    assert variance.period_label("M04", "2018-19") == "month 4 (July) 2018-19"
    with pytest.raises(ParameterError):
        variance.period_order("Q5")
