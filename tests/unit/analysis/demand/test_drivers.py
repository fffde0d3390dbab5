"""Tests of helpers.analysis.demand.drivers: the demographic driver and stock-flow models (including
``partial_history``). Every series here is SYNTHETIC (made up in the test), never real council data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.demand import drivers, evaluation
from helpers.core import periods
from helpers.core.errors import DataError


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


def synthetic(values, start: int = 2010, style: str = "fy", name: str = "synthetic") -> pd.Series:
    idx = fy(start, len(values)) if style == "fy" else list(range(start, start + len(values)))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name=name)


def random_walk(n: int = 20, seed: int = 1, drift: float = 5.0, sd: float = 15.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return synthetic(500 + np.cumsum(rng.normal(drift, sd, n)), start=2004, name="synthetic random walk")


def test_driver_model_constant_rate_is_exact():
    pop = pd.Series(np.linspace(1000, 1300, 13), index=range(2010, 2023))  # synthetic population
    s = synthetic(0.02 * pop.to_numpy()[:10], start=2010)  # financial years 2010-11.. use mid-year 2010..
    fc = drivers.driver_model(pop)(s, 3)
    assert fc.table["mean"].tolist() == pytest.approx((0.02 * pop.loc[2020:2022]).tolist())
    assert np.allclose(fc.table["upper_95"], fc.table["lower_95"])
    comp = fc.components
    assert comp["rate_per_head"].to_numpy() == pytest.approx(0.02)
    assert comp["kind"].tolist().count("forecast") == 3


def test_driver_model_missing_population_year_is_clear():
    pop = pd.Series([1000.0, 1010, 1020], index=[2010, 2011, 2012])
    with pytest.raises(DataError, match="driver population has no value for 2013, 2014"):
        drivers.driver_model(pop)(synthetic([20, 21, 22], start=2010), 2)


def test_driver_function_only_sees_origin():
    calls = []

    def drv(origin, horizon):
        calls.append((origin, horizon))
        years = np.arange(2000, origin + horizon + 1)
        return pd.Series(1000.0 + years - 2000, index=years)

    s = random_walk(10)
    evaluation.backtest(s, [drivers.driver_model(drv, name="drv")], min_train=5)
    assert sorted({c[0] for c in calls}) == list(range(2008, 2013))  # origins: 5th .. 9th point (2004 + 4 ..)


def test_stock_flow_exact_on_constant_components():
    pop = pd.Series(np.linspace(40_000, 44_400, 12), index=range(2012, 2024))  # synthetic 65+
    rate = synthetic([600.0] * 10, start=2012)  # per 100,000
    placements = synthetic(600 / 1e5 * pop.to_numpy()[:10] * 2.5, start=2012)  # length of stay 2.5 years
    fc = drivers.stock_flow_model(rate, pop)(placements, 2)
    expect = 600 / 1e5 * pop.loc[2022:2023].to_numpy() * 2.5
    assert fc.table["mean"].tolist() == pytest.approx(expect.tolist())
    assert np.allclose(fc.table["upper_95"], fc.table["lower_95"])
    assert fc.components["length_of_stay_years"].to_numpy() == pytest.approx(2.5)
    assert fc.components["admissions"].iloc[0] == pytest.approx(600 / 1e5 * 40_000)


def test_stock_flow_drift_on_linear_rate():
    pop = pd.Series(50_000.0, index=range(2012, 2024))
    rate = synthetic(700 - 10 * np.arange(10), start=2012)
    placements = synthetic((700 - 10 * np.arange(10)) / 1e5 * 50_000 * 2.0, start=2012)
    fc = drivers.stock_flow_model(rate, pop, rate_method="drift")(placements, 2)
    assert fc.table["mean"].tolist() == pytest.approx([(610 - 10 * h) / 1e5 * 50_000 * 2.0 for h in (1, 2)])  # last rate 610


def test_helpers_weeks_and_rates():
    assert drivers.placements_from_weeks(pd.Series([5200.0])).iloc[0] == 100.0
    adm = drivers.admissions_from_rate(pd.Series([500.0], index=["2020-21"]), pd.Series([40_000.0], index=[2020]))
    assert adm.loc[2020] == pytest.approx(200.0)


def test_driver_partial_history_uses_covered_years_only():
    """Synthetic: population from 2012 only; the series starts 2010. The rate history is 2012-2016."""
    pop = pd.Series(np.linspace(1000, 1180, 10), index=range(2012, 2022))
    y = pd.Series([999.0, 999.0, *(0.05 * pop.loc[2012:2016]).tolist()], index=fy(2010, 7))  # 2010-11 .. 2016-17
    with pytest.raises(DataError, match="driver population has no value for 2010, 2011"):
        drivers.driver_model(pop)(y, 2)
    fc = drivers.driver_model(pop, partial_history=True)(y, 2)
    assert fc.table["mean"].tolist() == pytest.approx((0.05 * pop.loc[2017:2018]).tolist())
    assert any("starting 2010 to 2011" in n and "from 2012" in n for n in fc.notes)
    assert fc.components["year"].iloc[0] == 2012


def test_driver_partial_history_needs_last_year_and_forecast_years():
    """Synthetic: no population for the last training year -> naive fallback, said; none for a forecast year -> error."""
    pop = pd.Series([1000.0, 1010, 1020], index=[2010, 2011, 2012])
    y = pd.Series([20.0, 21, 22, 23], index=fy(2010, 4))
    with pytest.raises(DataError, match="no value for 2013, 2014"):
        drivers.driver_model(pop, partial_history=True)(pd.Series([20.0, 21, 22], index=fy(2010, 3)), 2)
    pop2 = pd.Series([1000.0, 1010, 1030, 1040], index=[2010, 2011, 2014, 2015])
    fc = drivers.driver_model(pop2, partial_history=True)(y, 2)
    assert fc.method.startswith("naive (fallback")
    assert fc.table["mean"].tolist() == [23.0, 23.0]


def test_stock_flow_partial_history_and_identity_with_driver():
    """Synthetic: rates from 2013 only; with both components carried forward the stock-flow mean equals the
    driver model's (the rate cancels: y_T x pop_T+h / pop_T), which is why the notebook uses a drift in the rate."""
    pop = pd.Series(np.linspace(40_000, 44_000, 12), index=range(2010, 2022))
    rate = pd.Series([600.0, 610, 590, 605], index=fy(2013, 4))
    y = pd.Series([700.0, 720, 710, 730, 725, 740, 735], index=fy(2010, 7))
    sf = drivers.stock_flow_model(rate, pop, partial_history=True)(y, 2)
    drv = drivers.driver_model(pop)(y, 2)
    assert sf.table["mean"].tolist() == pytest.approx(drv.table["mean"].tolist())
    assert any("from 2013" in n for n in sf.notes)
    with pytest.raises(DataError, match="admission rate has no value"):
        drivers.stock_flow_model(rate, pop)(y, 2)
    short = drivers.stock_flow_model(rate, pop, rate_method="drift", partial_history=True)(y.iloc[:5], 1)
    assert short.method.startswith("naive (fallback") and any("from 2013" in n for n in short.notes)
