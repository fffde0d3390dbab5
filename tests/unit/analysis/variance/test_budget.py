"""The variance table: the seeds' printed variances, percentages and movements reproduced from their inputs, RAG
thresholds, the service scope, the row notes, and the period helpers the table is ordered by.

Figures asserted are the documents' printed ones (Stockport 2017/18 Q3 and 2023/24 Q2, Nottinghamshire
2024/25 period 3, Cambridgeshire F&PR July 2018 and the CPFT 2017/18 report), read through the council data
loader. Small synthetic frames are used only for edge cases (zero budget, bad thresholds) and say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.savings import reserves_in_budget
from helpers.analysis.variance.summary import largest_variances
from helpers.core import periods
from helpers.core.errors import ParameterError
from helpers.reports import forecast_variance_text as fv_text

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


def _row(vt: pd.DataFrame, line: str, table_id: str | None = None) -> pd.Series:
    d = vt[vt["line"] == line]
    if table_id:
        d = d[d["table_id"] == table_id]
    assert len(d) == 1, f"{line!r}: {len(d)} rows"
    return d.iloc[0]


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
    res = reserves_in_budget(vt)
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
    """Defaults: Red above 2% of budget and £100k either way (Cambridgeshire's explanation rule, "adverse/positive"),
    Amber above 1% and £50k either way. Before: any overspend above 0% was Amber and every underspend Green
    (issue 14 item 11): -407 on 5,448 (-7.5%) is now Red, +21 on 138,275 (0.02%) Green, -1,970 on 6,467 Red."""
    v = pd.Series([709.0, 771.0, 150.0, 90.0, -407.0, 0.0, 17.0, 21.0, -1970.0, 15.0])
    b = pd.Series([27851.0, 158357.0, 5000.0, 1000.0, 5448.0, 100.0, 0.0, 138275.0, 6467.0, 875.0])
    assert variance.variance_rag(v, b).tolist() == ["Red", "Green", "Red", "Amber", "Red", "Green", "n/a", "Green",
                                                    "Red", "Green"]
    t = variance.Thresholds(amber_pct=1.0, red_pct=5.0, red_min_gbp_k=0.0, amber_min_gbp_k=0.0)
    assert variance.variance_rag(v, b, t).tolist() == ["Amber", "Green", "Amber", "Red", "Red", "Green", "n/a",
                                                       "Green", "Red", "Amber"]
    with pytest.raises(ParameterError):
        variance.Thresholds(amber_pct=3.0, red_pct=2.0)
    with pytest.raises(ParameterError):
        variance.Thresholds(red_min_gbp_k=-1.0)


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
    assert largest_variances(adults, 2)["line"].tolist() == ["Strategic Management - Adults",
                                                                     "LD Head of Service"]
    note = fv_text.scope_note(budget, CAMBS, "2018-19", "M04", "adults")
    # plain text, table names quoted, not Markdown emphasis around data (issue 11 item 1)
    assert "8 of the 9 rows of 'F&PR section 2.1 Overall Position'" in note
    assert "54 of the 79 rows of 'Appendix 1" in note
    assert fv_text.scope_note(budget, CAMBS, "2018-19", "M04", "all") is None
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
        assert fv_text.scope_note(budget, code, year, period, "adults") is None
    assert "Public Health" in set(variance.variance_table(budget, STOCKPORT, "2023-24", "Q2", scope="adults")["line"])


def test_scope_parameter() -> None:
    assert variance.check_scope(" Adults ") == "adults"
    with pytest.raises(ParameterError, match="service_scope"):
        variance.check_scope("children")
    from helpers.pipeline import params

    assert params.check(service_scope="all")["service_scope"] == "all"
    with pytest.raises(ParameterError, match="service_scope"):
        params.check(service_scope="")


# ------------------------------------------------------------------------------------------------
# row notes and periods
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


def test_period_helpers() -> None:
    assert [periods.months_elapsed(p) for p in ("BUD", "M04", "Q1", "Q3", "YE")] == [0, 4, 3, 9, 12]
    assert sorted(["YE", "Q2", "M01", "Q1+", "M11", "BUD", "Q1"], key=periods.period_order) == [
        "BUD", "M01", "Q1", "Q1+", "Q2", "M11", "YE"]
    assert periods.period_label("M04", "2018-19") == "month 4 (July) 2018-19"
    with pytest.raises(ParameterError):
        periods.period_order("Q5")
