"""Full-year projections from actual spend to date (Nottinghamshire 2024/25 period 3, Cambridgeshire July 2018)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.projection import month_profile, project_year_end
from helpers.core.errors import ParameterError

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


def test_year_end_projection_from_actual_to_date(budget: pd.DataFrame) -> None:
    """Projections are made only where spending is in step with the year (issue 14 item 15): the Net Department
    Total includes an income line (Strategic Commissioning, budget -35,643), so it is no longer projected (before:
    77,009 x 4 = 308,036 was shown as a figure); Living Well and Direct Services (30.7% spent after 24.9% of the
    year) is."""
    vt = variance.variance_table(budget, NOTTS, "2024-25", "M03")
    pr = project_year_end(vt, "2024-25", "M03").set_index("line")
    net = pr.loc["Net Department Total"]
    assert net["months"] == 3 and not net["meaningful"] and pd.isna(net["straight_line_gbp_k"])
    assert net["why_not"] == "a total of lines whose spending is not in step with the year"
    assert "income line" in pr.loc["Strategic Commissioning and Integration", "why_not"]
    lw = pr.loc["Living Well and Direct Services"]
    assert lw["meaningful"] and lw["straight_line_gbp_k"] == pytest.approx(51403 * 4)
    assert lw["profile_based_gbp_k"] == pytest.approx(51403 / (91 / 365))  # April-June: 91 of 365 days
    assert lw["straight_line_minus_forecast_gbp_k"] == pytest.approx(51403 * 4 - 176509)
    custom = project_year_end(vt, "2024-25", "M03", profile=[2] * 3 + [1] * 9).set_index("line")
    assert custom.loc["Living Well and Direct Services", "profile_based_gbp_k"] == pytest.approx(51403 / (6 / 15))
    cambs = variance.variance_table(budget, CAMBS, "2018-19", "M04")
    pc = project_year_end(cambs, "2018-19", "M04").set_index(["table_id", "line"])
    sma = pc.loc[("cambridgeshire-2018-19-m04-app1", "Strategic Management - Adults")]
    assert sma["actual_to_date_gbp_k"] == -22634 and isinstance(sma["caution"], str)
    assert pd.isna(sma["straight_line_gbp_k"]) and "negative" in sma["why_not"]
    # the cover table's Total Expenditure: 18.5% spent after 33.4% of the year (before: projected as a figure)
    tot = pc.loc[("cambridgeshire-2018-19-m04-cover-1.3", "Total Expenditure")]
    assert not tot["meaningful"] and "behind the year" in tot["why_not"]
    # in step: LD - City, South and East Localities, 35.7% spent after 33.4% of the year
    ld = pc.loc[("cambridgeshire-2018-19-m04-app1", "LD - City, South and East Localities")]
    assert ld["meaningful"] and ld["straight_line_gbp_k"] == pytest.approx(11961 * 3)
    assert project_year_end(variance.variance_table(budget, STOCKPORT, "2017-18", "Q3"), "2017-18", "Q3").empty
    with pytest.raises(ParameterError):
        month_profile("2024-25", [1, 2, 3])
    assert month_profile("2023-24")[10] == pytest.approx((365 + 1 - 31) / 366)  # leap February 2024
