"""Savings delivery against plan (Stockport 2017/18 Q3, 2023/24 Q2 and the 2025/26 plan) and the reserves schedule
of a People & Communities report in the adults scope (Cambridgeshire 2017/18 year end)."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.savings import reserves_summary, savings_summary

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


def test_savings_delivery(savings: pd.DataFrame) -> None:
    s17 = savings_summary(savings, STOCKPORT, "2017-18", "Q3").set_index("line")
    tot = s17.loc["Total"]
    assert (tot["target_gbp_k"], tot["delivered_gbp_k"], tot["shortfall_gbp_k"], tot["shortfall_printed_gbp_k"]) == (
        3651, 2809, 842, 842)
    assert s17.loc["Unachieved saving balance from 16/17", "rag_printed"] == "Red"
    s23 = savings_summary(savings, STOCKPORT, "2023-24", "Q2").set_index("line")
    asc = s23.loc["Adult Social Care - subtotal"]
    assert (asc["target_gbp_k"], asc["delivered_gbp_k"], asc["shortfall_gbp_k"]) == (4428 - 625, 3782, 21)
    assert s23.loc["Total", "shortfall_gbp_k"] == s23.loc["Total", "shortfall_printed_gbp_k"] == 21
    plan = savings_summary(savings, STOCKPORT, "2025-26", "BUD")
    assert plan.loc[plan["row_type"] == "total", "target_gbp_k"].tolist() == [4598]
    assert plan["delivered_gbp_k"].isna().all()


def test_adults_scope_of_a_people_and_communities_reserves_schedule(council_kind) -> None:
    reserves = council_kind("reserves")
    a = reserves_summary(reserves, CAMBS, "2017-18", "YE", scope="adults")
    b = reserves_summary(reserves, CAMBS, "2017-18", "YE", scope="all")
    assert len(b) == 33 and 0 < len(a) < len(b)
    raw = variance.select(reserves, CAMBS, "2017-18", "YE").set_index("row_order")
    kept = raw.loc[a["row_order"]]
    assert set(kept["service_area"].dropna()) == {"Adults & Safeguarding", "Commissioning"}
    assert "Capacity in Adults procurement & contract management" in set(kept["line"])  # area Commissioning
    assert "Other Adult Capital Reserves" in set(kept["line"])  # no area: the line names adults
    assert not kept["line"].str.contains("Child|School|YOT|TOTAL", case=False).any()
