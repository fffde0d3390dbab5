"""Printed totals that are not the sum of their lines, key-activity lines whose printed variance is not outturn
minus budget, suppressed figures, and a pooled budget's council share (issue 14 items 14 and 16, issue 11 item 5).
Figures are Cambridgeshire's July 2018 F&PR (seed 004); one synthetic frame tests a suppressed cell and says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance import checks
from helpers.analysis.variance import price_volume as pv

CAMBS = "E10000003"


def test_the_headline_tables_totals_that_do_not_add_up(budget: pd.DataFrame, key_activity: pd.DataFrame) -> None:
    """The cover table's Total Expenditure: budget printed 164,789 against its lines' 164,631, spend to date 30,558
    against 54,390 (README discrepancy 1), said in words for the headline."""
    c = checks.total_checks({"budget_monitoring": budget, "key_activity": key_activity}, CAMBS, "2018-19", "M04")
    assert len(c) == 25 and c["documented"].all()
    words = checks.totals_not_summing(c, ["cambridgeshire-2018-19-m04-cover-1.3"])
    assert words[0] == ("'Total Expenditure': spend to date printed 30,558, its lines add to 54,390; budget printed "
                        "164,789, its lines add to 164,631")
    opmh = c[(c["kind"] == "key_activity") & (c["line"] == "Total Expenditure") & (c["column"] == "budget_gbp_k")]
    assert opmh["printed"].tolist() == [6991.0] and opmh["expected"].tolist() == [7176.0]  # leaves out live-in care


def test_key_activity_lines_whose_printed_variance_is_off(key_activity: pd.DataFrame) -> None:
    """Eleven key-activity lines print a variance £1k off outturn minus budget (within rounding, so the loader's
    reconciliation does not list them; before, the report's 'figures disagree' section found none)."""
    d = pv.printed_differences(pv.decompose(key_activity, CAMBS, "2018-19", "M04"))
    assert len(d) == 11 and (d["variance_difference_gbp_k"].abs() == 1).all()
    row = d[(d["service_group"] == "Adult Mental Health") & (d["line"] == "Community based support")].iloc[0]
    assert (row["variance_gbp_k"], row["variance_printed_gbp_k"]) == (-63.0, -62.0)


def test_a_suppressed_key_activity_figure_is_never_summed_as_zero(key_activity: pd.DataFrame) -> None:
    """Synthetic: Learning Disability's Residential outturn and variance suppressed ([c] -> empty). Before, the
    service's variance was the sum of the other lines (sum with min_count=1): now it is empty, marked incomplete,
    and the printed lines' sum is kept apart."""
    ka = key_activity.copy()
    hit = (ka["gss_code"] == CAMBS) & (ka["service_group"] == "Learning Disability") & (ka["line"] == "Residential")
    ka.loc[hit, ["forecast_outturn_gbp_k", "variance_gbp_k"]] = np.nan
    s = pv.decomposition_summary(pv.decompose(ka, CAMBS, "2018-19", "M04")).set_index("service_group")
    ld = s.loc["Learning Disability"]
    assert ld["missing_lines"] == 1 and pd.isna(ld["variance_gbp_k"]) and pd.isna(ld["other_lines_gbp_k"])
    full = pv.decomposition_summary(pv.decompose(key_activity, CAMBS, "2018-19", "M04")).set_index("service_group")
    assert full.loc["Learning Disability", "missing_lines"] == 0
    assert full.loc["Learning Disability", "variance_gbp_k"] == pytest.approx(2564.0)
    assert ld["variance_known_gbp_k"] < full.loc["Learning Disability", "variance_gbp_k"]


def test_the_pooled_budget_council_share(budget: pd.DataFrame) -> None:
    """The Learning Disability Partnership (78:22 with the NHS, item 8 para 2.11.1): pool overspend £2,586k
    (Appendix 2: "An over spend of £2,586k is forecast against the LDP"); the council's share £1,987k by the lines
    (with the NHS contribution -£599k), £1,986k as printed, £2,017k at the 78% funding split."""
    vt = variance.variance_table(budget, CAMBS, "2018-19", "M04", scope="adults")
    p = checks.pooled_budgets(vt).iloc[0]
    assert p["pooled_budget"] == "Learning Disability Partnership"
    assert (p["pool_variance_gbp_k"], p["partner_contribution_gbp_k"], p["council_share_lines_gbp_k"],
            p["council_share_printed_gbp_k"], p["funding_share_pct"]) == (2586.0, -599.0, 1987.0, 1986.0, 78.0)
    assert p["council_share_at_funding_share_gbp_k"] == pytest.approx(2586 * 0.78)
    assert checks.pooled_budgets(variance.variance_table(budget, "E08000007", "2017-18", "Q3")).empty
