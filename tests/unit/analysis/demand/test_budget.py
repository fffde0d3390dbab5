"""Tests of helpers.analysis.demand.budget: the budget table and its scenario.
Every series here is SYNTHETIC (made up in the test), never real council data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis.demand import budget, models
from helpers.core import periods
from helpers.core.errors import ParameterError


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


def synthetic(values, start: int = 2010, style: str = "fy", name: str = "synthetic") -> pd.Series:
    idx = fy(start, len(values)) if style == "fy" else list(range(start, start + len(values)))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name=name)


def test_budget_table_hand_example():
    tab = budget.budget_table(110.0, 500.0, 52, base_clients=100.0, demography_growth=0.02,
                              price_uplifts={"inflation": 0.03}).set_index("component")
    amt = tab["amount_gbp_k"]
    assert amt["base year cost"] == pytest.approx(2600.0)
    assert amt["demography"] == pytest.approx(52.0)
    assert amt["need (other volume growth)"] == pytest.approx(208.0)
    assert amt["price: inflation"] == pytest.approx(85.8)
    assert amt["total pressure"] == pytest.approx(345.8)
    assert amt["next year cost"] == pytest.approx(2945.8)
    assert "+2.00%" in tab.loc["demography", "assumption"]


def test_budget_table_from_forecast_uses_interval():
    fc = models.naive(synthetic([100, 104, 102, 106]), 1)
    tab = budget.budget_table(fc, 800.0, demography_growth=0.01).set_index("component")
    assert tab.loc["base year cost", "clients"] == 106
    assert tab.loc["price", "assumption"] == "no price rise assumed"
    lo, hi = fc.table["lower_80"].iloc[0], fc.table["upper_80"].iloc[0]
    assert tab.loc["total pressure", "low_80_gbp_k"] == pytest.approx((lo - 106) * 800 * 52 / 1000)
    assert tab.loc["total pressure", "high_80_gbp_k"] == pytest.approx((hi - 106) * 800 * 52 / 1000)
    with pytest.raises(ParameterError, match="base_clients"):
        budget.budget_table(100.0, 800.0, demography_growth=0.0)


@given(c0=st.floats(0, 1e4), c1=st.floats(0, 1e4), u=st.floats(0, 5e3), g=st.floats(-0.1, 0.1),
       p1=st.floats(-0.05, 0.2), p2=st.floats(-0.05, 0.2))
def test_budget_components_add_up(c0, c1, u, g, p1, p2):
    tab = budget.budget_table(c1, u, base_clients=c0, demography_growth=g, price_uplifts={"a": p1, "b": p2})
    amt = tab.set_index("component")["amount_gbp_k"]
    parts = amt.drop(["base year cost", "total pressure", "next year cost"]).sum()
    assert parts == pytest.approx(amt["total pressure"], abs=1e-6 * (1 + abs(amt["base year cost"])))
    assert amt["base year cost"] + amt["total pressure"] == pytest.approx(amt["next year cost"], abs=1e-6 * (1 + c1 * u))


def test_scenario_uplifts_hand_computed():
    s = budget.Scenario(price_uplift_pct=2.0, nlw_rise_pct=6.7, pay_share_pct=60.0)
    assert list(s.uplifts().values()) == pytest.approx([0.067 * 0.6, 0.02 * 0.4])  # 4.02% and 0.80%
    assert budget.Scenario.from_params({"nlw_rise_pct": 10.0, "council": "x"}).nlw_rise_pct == 10.0
    with pytest.raises(ParameterError):
        budget.Scenario(need_growth_pct=500.0)
