"""Full-year projections from actual spend to date (Nottinghamshire 2024/25 period 3, Cambridgeshire July 2018)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.projection import month_profile, project_year_end
from helpers.core.errors import ParameterError

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


def test_year_end_projection_from_actual_to_date(budget: pd.DataFrame) -> None:
    vt = variance.variance_table(budget, NOTTS, "2024-25", "M03")
    pr = project_year_end(vt, "2024-25", "M03").set_index("line")
    net = pr.loc["Net Department Total"]
    assert net["months"] == 3
    assert net["straight_line_gbp_k"] == pytest.approx(77009 * 4)
    assert net["profile_based_gbp_k"] == pytest.approx(77009 / (91 / 365))  # April-June: 91 of 365 days
    assert net["straight_line_minus_forecast_gbp_k"] == pytest.approx(77009 * 4 - 287545)
    custom = project_year_end(vt, "2024-25", "M03", profile=[2] * 3 + [1] * 9).set_index("line")
    assert custom.loc["Net Department Total", "profile_based_gbp_k"] == pytest.approx(77009 / (6 / 15))
    cambs = variance.variance_table(budget, CAMBS, "2018-19", "M04")
    pc = project_year_end(cambs, "2018-19", "M04").set_index(["table_id", "line"])
    sma = pc.loc[("cambridgeshire-2018-19-m04-app1", "Strategic Management - Adults")]
    assert sma["actual_to_date_gbp_k"] == -22634 and isinstance(sma["caution"], str)
    assert project_year_end(variance.variance_table(budget, STOCKPORT, "2017-18", "Q3"), "2017-18", "Q3").empty
    with pytest.raises(ParameterError):
        month_profile("2024-25", [1, 2, 3])
    assert month_profile("2023-24")[10] == pytest.approx((365 + 1 - 31) / 366)  # leap February 2024
