"""Tests of helpers.analysis.demand.evaluation: the single-series backtest and its scores (issue 15 removed the
per-council model choice, choose_model / forecast_series, and its tests: the choice is now pooled, tests in
test_rolling.py).
Every series here is SYNTHETIC (made up in the test), never real council data."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.analysis.demand import drivers, evaluation, models
from helpers.core import periods
from tests.examples import examples


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


def synthetic(values, start: int = 2010, style: str = "fy", name: str = "synthetic") -> pd.Series:
    idx = fy(start, len(values)) if style == "fy" else list(range(start, start + len(values)))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name=name)


def random_walk(n: int = 20, seed: int = 1, drift: float = 5.0, sd: float = 15.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return synthetic(500 + np.cumsum(rng.normal(drift, sd, n)), start=2004, name="synthetic random walk")


def test_coverage_mase_mape_hand_examples():
    assert evaluation.coverage([1, 2, 3, 4], [0, 2.5, 3, 0], [1, 3, 3, 3]) == 0.5  # bounds count as inside
    assert evaluation.mase([1, -4], [5 / 3, 1.5]) == pytest.approx((0.6 + 8 / 3) / 2)
    assert evaluation.mape([12, 16], [13, 12]) == pytest.approx(100 * (1 / 12 + 4 / 16) / 2)


def test_backtest_naive_hand_example():
    # synthetic: origins after 4 and 5 points; naive forecasts 13 and 12, actuals 12 and 16
    bt = evaluation.backtest(synthetic([10, 12, 11, 13, 12, 16]), ["naive"], horizons=(1,), min_train=4)
    fc = bt.forecasts
    assert fc["origin"].tolist() == ["2013-14", "2014-15"]
    assert fc["target"].tolist() == ["2014-15", "2015-16"]
    assert fc["mean"].tolist() == [13, 12]
    assert fc["scale"].tolist() == pytest.approx([5 / 3, 6 / 4])
    # intervals: sigma sqrt(3) -> 80% half-width 2.22 (|e| = 1 inside); sigma sqrt(10/4) -> 95% half 3.10 (|e| = 4 out)
    assert fc["in_80"].tolist() == [True, False] and fc["in_95"].tolist() == [True, False]
    m = bt.metrics.iloc[0]
    assert m["coverage_80"] == 0.5 and m["coverage_95"] == 0.5
    assert m["mase"] == pytest.approx((0.6 + 4 / 1.5) / 2)
    assert m["mape"] == pytest.approx(100 * (1 / 12 + 4 / 16) / 2)
    assert m["rel_mae"] == 1.0


def test_mase_of_naive_on_line_is_one_at_h1():
    bt = evaluation.backtest(synthetic(100 + 7.0 * np.arange(12)), ["drift"])
    m = bt.metrics.set_index(["model", "horizon"])
    assert m.loc[("naive", 1), "mase"] == pytest.approx(1.0)
    assert m.loc[("naive", 2), "mase"] == pytest.approx(2.0)
    assert m.loc[("drift", 1), "mase"] == pytest.approx(0.0)
    assert (bt.metrics.loc[bt.metrics["model"] == "naive", "rel_mae"] == 1.0).all()


def test_backtest_never_uses_future_data():
    s = random_walk(11, seed=7)
    spiked = s.copy()
    spiked.iloc[-1] = 1e9  # a huge last value
    names = ["drift", "linear", "ets"]
    a = evaluation.backtest(s, names).forecasts
    b = evaluation.backtest(spiked, names).forecasts
    cols = ["mean", *models.BOUND_COLUMNS, "method"]
    pd.testing.assert_frame_equal(a[cols], b[cols])  # forecasts are the same: only actuals of the last target differ
    assert not a["actual"].equals(b["actual"])


def test_backtest_forecast_equals_fit_on_truncated_series():
    s = random_walk(12, seed=2)
    bt = evaluation.backtest(s, ["linear"], horizons=(2,), min_train=6)
    row = bt.forecasts[(bt.forecasts["model"] == "linear")].iloc[2]  # origin = 9th point
    direct = models.linear_trend(s.iloc[: int(row["n_train"])], 2).table.iloc[1]
    assert row["target"] == direct.name
    assert row["mean"] == pytest.approx(direct["mean"]) and row["upper_95"] == pytest.approx(direct["upper_95"])


def test_too_short_series_is_not_backtested_with_warning():
    s = synthetic([10, 11, 12, 13], name="synthetic short")
    with pytest.warns(models.ForecastWarning, match="too short to backtest"):
        bt = evaluation.backtest(s)
    assert bt.forecasts.empty


def test_backtest_speed_20_points_fast_models():
    s = random_walk(20)
    pop = pd.Series(np.linspace(5e4, 6e4, 25), index=range(2004, 2029))
    candidates = ["drift", "linear", drivers.driver_model(pop)]
    evaluation.backtest(s, candidates)
    t0 = time.perf_counter()
    evaluation.backtest(s, candidates)
    assert time.perf_counter() - t0 < 1.0  # ~0.02 s; ETS adds ~0.3 s (not timed here: shared machine)


@settings(max_examples=examples(25))
@given(values=st.lists(st.floats(1.0, 1e4, allow_nan=False), min_size=6, max_size=10),
       spike=st.floats(1e5, 1e9))
def test_backtest_past_origins_ignore_later_values(values, spike):
    s = synthetic(values)
    t = s.copy()
    t.iloc[-1] = spike
    a = evaluation.backtest(s, ["drift", "linear"], min_train=4).forecasts
    b = evaluation.backtest(t, ["drift", "linear"], min_train=4).forecasts
    assert np.array_equal(a["mean"].to_numpy(), b["mean"].to_numpy())
