"""Tests of helpers.analysis.demand.models. Every series here is SYNTHETIC (made up in the test), never real council data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.analysis.demand import models as d
from helpers.core.errors import DataError, ParameterError

Z80, Z95 = 1.2815515655446004, 1.959963984540054


def fy(start: int, n: int) -> list[str]:
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(start, start + n)]


def synthetic(values, start: int = 2010, style: str = "fy", name: str = "synthetic") -> pd.Series:
    idx = fy(start, len(values)) if style == "fy" else list(range(start, start + len(values)))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name=name)


def random_walk(n: int = 20, seed: int = 1, drift: float = 5.0, sd: float = 15.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return synthetic(500 + np.cumsum(rng.normal(drift, sd, n)), start=2004, name="synthetic random walk")


# ---------------------------------------------------------------- periods and series checks


def test_period_labels_round_trip():
    assert d.parse_period("2023-24") == (2023, "fy")
    assert d.parse_period(2023) == (2023, "int")
    assert d.parse_period("2023") == (2023, "int")
    assert d.period_label(1999, "fy") == "1999-00"
    assert d.period_label(2023, "int") == 2023
    with pytest.raises(DataError, match="2023-25"):
        d.parse_period("2023-25")


def test_zero_or_negative_value_names_the_year():
    s = synthetic([10, 12, 0, 13, -1])
    with pytest.raises(ValueError, match=r"2012-13, 2014-15"):
        d.check_series(s)


def test_missing_value_names_the_year():
    s = synthetic([10, 12, np.nan, 13])
    with pytest.raises(DataError, match=r"no value for 2012-13"):
        d.check_series(s)


def test_gap_in_years_is_an_error_not_interpolated():
    s = pd.Series([10.0, 11, 12, 14], index=["2015-16", "2016-17", "2017-18", "2019-20"])
    with pytest.raises(DataError, match=r"gap: no value for 2018-19.*not interpolated"):
        d.check_series(s)
    with pytest.raises(DataError, match="gap"):
        d.forecast_series(s)


def test_duplicate_and_mixed_index_rejected():
    with pytest.raises(DataError, match="more than one value for 2015"):
        d.check_series(pd.Series([1.0, 2.0], index=[2015, 2015]))
    with pytest.raises(DataError, match="mixes"):
        d.check_series(pd.Series([1.0, 2.0], index=[2015, "2016-17"]))


def test_unsorted_series_is_sorted():
    s = pd.Series([3.0, 1.0, 2.0], index=[2012, 2010, 2011])
    chk = d.check_series(s)
    assert chk.years.tolist() == [2010, 2011, 2012]
    assert chk.values.tolist() == [1.0, 2.0, 3.0]


def test_break_segment_models_only_post_break_and_reports_it():
    s = synthetic([100, 102, 104, 106, 108, 110, 80, 82, 84, 86, 88, 90], start=2014)  # COVID-like drop 2020-21
    chk = d.check_series(s, break_year="2020-21", break_mode="segment")
    assert chk.years[0] == 2020 and chk.n == 6
    assert any("break at 2020-21" in n for n in chk.notes)
    fc = d.drift(chk, 1)  # drift on the post-break segment only: 90 + 2
    assert fc.table["mean"].iloc[0] == pytest.approx(92.0)
    assert any("break" in n for n in fc.notes)


def test_break_exclude_does_not_score_break_year():
    s = synthetic([100, 102, 104, 106, 108, 110, 80, 82, 84, 86, 88, 90], start=2014)
    bt = d.backtest(s, ["drift"], break_year="2020-21", break_mode="exclude")
    unscored = bt.forecasts[~bt.forecasts["scored"]]
    assert set(unscored["target"]) == {"2020-21"}
    assert len(unscored) == 2 * 2  # two horizons x (naive, drift)
    n_scored = bt.forecasts[bt.forecasts["scored"] & (bt.forecasts["model"] == "naive")].shape[0]
    assert bt.metrics.loc[bt.metrics["model"] == "naive", "n"].sum() == n_scored
    assert any("2020-21" in n for n in bt.notes)


def test_break_outside_series_has_no_effect():
    chk = d.check_series(synthetic([1, 2, 3]), break_year="2030-31")
    assert chk.n == 3 and "no effect" in chk.notes[0]


def test_bad_parameters():
    with pytest.raises(ParameterError):
        d.check_series(synthetic([1, 2, 3]), break_year=2011, break_mode="interpolate")
    with pytest.raises(ParameterError):
        d.naive(synthetic([1, 2, 3]), 0)
    with pytest.raises(ParameterError, match="unknown model"):
        d.backtest(random_walk(), ["prophet"])


# ---------------------------------------------------------------- models with known answers


@pytest.mark.parametrize("model", ["naive", "drift", "linear", "ets"])
def test_constant_series_all_models_exact_with_zero_width(model):
    s = synthetic([250.0] * 10, name="synthetic constant")
    fc = d.MODELS[model](s, 3)
    t = fc.table
    assert np.allclose(t["mean"], 250.0)
    for c in d.BOUND_COLUMNS:
        assert np.allclose(t[c], 250.0, atol=1e-6), c
    assert any("zero width" in n for n in fc.notes)


@pytest.mark.parametrize("model", ["drift", "linear"])
def test_straight_line_drift_and_linear_exact(model):
    s = synthetic(5.0 + 3.0 * np.arange(8), name="synthetic line")
    fc = d.MODELS[model](s, 3)
    assert fc.table["mean"].tolist() == pytest.approx([29.0, 32.0, 35.0])
    assert np.allclose(fc.table["upper_95"] - fc.table["lower_95"], 0, atol=1e-8)
    assert fc.table.index.tolist() == ["2018-19", "2019-20", "2020-21"]
    assert fc.origin == "2017-18" and fc.last_value == 26.0


def test_naive_intervals_hand_computed():
    fc = d.naive(synthetic([10, 12, 11, 13], style="int"), 2)
    sigma = np.sqrt((4 + 1 + 4) / 3)  # RMS of the one-step changes 2, -1, 2
    t = fc.table
    assert t.index.tolist() == [2014, 2015]
    assert t["mean"].tolist() == [13, 13]
    assert t["upper_80"].tolist() == pytest.approx([13 + Z80 * sigma, 13 + Z80 * sigma * np.sqrt(2)])
    assert t["lower_95"].tolist() == pytest.approx([13 - Z95 * sigma, 13 - Z95 * sigma * np.sqrt(2)])


def test_drift_intervals_hand_computed():
    # changes 2, -1, 2: drift b = 1, sd (ddof 1) = sqrt(3), m = 3 changes
    fc = d.drift(synthetic([10, 12, 11, 13]), 2)
    t = fc.table
    assert t["mean"].tolist() == pytest.approx([14, 15])
    sd = np.sqrt(3) * np.sqrt(np.array([1, 2]) * (1 + np.array([1, 2]) / 3))  # = [2, sqrt(10)]
    assert sd == pytest.approx([2, np.sqrt(10)])
    assert t["upper_95"].tolist() == pytest.approx((np.array([14, 15]) + Z95 * sd).tolist())
    assert t["lower_80"].tolist() == pytest.approx((np.array([14, 15]) - Z80 * sd).tolist())


def test_linear_intervals_match_textbook_formula():
    from scipy import stats

    y = np.array([10, 13, 12, 16, 15, 19.0])
    fc = d.linear_trend(synthetic(y), 2)
    x = np.arange(6.0)
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    s = np.sqrt(resid @ resid / 4)
    x0 = np.array([6.0, 7.0])
    se = s * np.sqrt(1 + 1 / 6 + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    t95 = stats.t.ppf(0.975, 4)
    assert fc.table["mean"].tolist() == pytest.approx((a + b * x0).tolist())
    assert fc.table["upper_95"].tolist() == pytest.approx((a + b * x0 + t95 * se).tolist())


def test_ets_falls_back_to_naive_on_short_series_and_says_so():
    fc = d.ets(synthetic([10, 12, 11, 13]), 2)
    assert fc.method.startswith("naive (fallback")
    assert fc.table["mean"].tolist() == [13, 13]
    assert any("ETS needs at least 5 points" in n for n in fc.notes)


def test_ets_fits_and_chooses_by_aicc():
    fc = d.ets(random_walk(16), 2)
    assert fc.method in {"ETS(A,N,N)", "ETS(A,A,N)", "ETS(A,Ad,N)"}
    assert any("AICc" in n for n in fc.notes)


@pytest.mark.parametrize("model", ["naive", "drift", "linear", "ets"])
def test_intervals_widen_with_horizon_and_nest(model):
    fc = d.MODELS[model](random_walk(16, seed=4), 4)
    t = fc.table
    w80, w95 = t["upper_80"] - t["lower_80"], t["upper_95"] - t["lower_95"]
    assert (np.diff(w80) >= -1e-9).all() and (np.diff(w95) >= -1e-9).all()
    if model != "ets":  # ETS(A,N,N) with alpha ~ 0 may have constant width
        assert (np.diff(w95) > 0).all()
    assert (t["lower_95"] <= t["lower_80"]).all() and (t["lower_80"] <= t["mean"]).all()
    assert (t["mean"] <= t["upper_80"]).all() and (t["upper_80"] <= t["upper_95"]).all()


def test_one_point_naive_has_no_interval():
    fc = d.naive(synthetic([7.0]), 1)
    assert fc.table["mean"].iloc[0] == 7.0 and np.isnan(fc.table["lower_80"].iloc[0])


# ---------------------------------------------------------------- driver and stock-flow models


def test_driver_model_constant_rate_is_exact():
    pop = pd.Series(np.linspace(1000, 1300, 13), index=range(2010, 2023))  # synthetic population
    s = synthetic(0.02 * pop.to_numpy()[:10], start=2010)  # financial years 2010-11.. use mid-year 2010..
    fc = d.driver_model(pop)(s, 3)
    assert fc.table["mean"].tolist() == pytest.approx((0.02 * pop.loc[2020:2022]).tolist())
    assert np.allclose(fc.table["upper_95"], fc.table["lower_95"])
    comp = fc.components
    assert comp["rate_per_head"].to_numpy() == pytest.approx(0.02)
    assert comp["kind"].tolist().count("forecast") == 3


def test_driver_model_missing_population_year_is_clear():
    pop = pd.Series([1000.0, 1010, 1020], index=[2010, 2011, 2012])
    with pytest.raises(DataError, match="driver population has no value for 2013, 2014"):
        d.driver_model(pop)(synthetic([20, 21, 22], start=2010), 2)


def test_driver_function_only_sees_origin():
    calls = []

    def drv(origin, horizon):
        calls.append((origin, horizon))
        years = np.arange(2000, origin + horizon + 1)
        return pd.Series(1000.0 + years - 2000, index=years)

    s = random_walk(10)
    d.backtest(s, [d.driver_model(drv, name="drv")], min_train=5)
    assert sorted({c[0] for c in calls}) == list(range(2008, 2013))  # origins: 5th .. 9th point (2004 + 4 ..)


def test_stock_flow_exact_on_constant_components():
    pop = pd.Series(np.linspace(40_000, 44_400, 12), index=range(2012, 2024))  # synthetic 65+
    rate = synthetic([600.0] * 10, start=2012)  # per 100,000
    placements = synthetic(600 / 1e5 * pop.to_numpy()[:10] * 2.5, start=2012)  # length of stay 2.5 years
    fc = d.stock_flow_model(rate, pop)(placements, 2)
    expect = 600 / 1e5 * pop.loc[2022:2023].to_numpy() * 2.5
    assert fc.table["mean"].tolist() == pytest.approx(expect.tolist())
    assert np.allclose(fc.table["upper_95"], fc.table["lower_95"])
    assert fc.components["length_of_stay_years"].to_numpy() == pytest.approx(2.5)
    assert fc.components["admissions"].iloc[0] == pytest.approx(600 / 1e5 * 40_000)


def test_stock_flow_drift_on_linear_rate():
    pop = pd.Series(50_000.0, index=range(2012, 2024))
    rate = synthetic(700 - 10 * np.arange(10), start=2012)
    placements = synthetic((700 - 10 * np.arange(10)) / 1e5 * 50_000 * 2.0, start=2012)
    fc = d.stock_flow_model(rate, pop, rate_method="drift")(placements, 2)
    assert fc.table["mean"].tolist() == pytest.approx([(610 - 10 * h) / 1e5 * 50_000 * 2.0 for h in (1, 2)])  # last rate 610


def test_helpers_weeks_and_rates():
    assert d.placements_from_weeks(pd.Series([5200.0])).iloc[0] == 100.0
    adm = d.admissions_from_rate(pd.Series([500.0], index=["2020-21"]), pd.Series([40_000.0], index=[2020]))
    assert adm.loc[2020] == pytest.approx(200.0)


# ---------------------------------------------------------------- backtest, metrics, choice


def test_coverage_mase_mape_hand_examples():
    assert d.coverage([1, 2, 3, 4], [0, 2.5, 3, 0], [1, 3, 3, 3]) == 0.5  # bounds count as inside
    assert d.mase([1, -4], [5 / 3, 1.5]) == pytest.approx((0.6 + 8 / 3) / 2)
    assert d.mape([12, 16], [13, 12]) == pytest.approx(100 * (1 / 12 + 4 / 16) / 2)


def test_backtest_naive_hand_example():
    # synthetic: origins after 4 and 5 points; naive forecasts 13 and 12, actuals 12 and 16
    bt = d.backtest(synthetic([10, 12, 11, 13, 12, 16]), ["naive"], horizons=(1,), min_train=4)
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
    bt = d.backtest(synthetic(100 + 7.0 * np.arange(12)), ["drift"])
    m = bt.metrics.set_index(["model", "horizon"])
    assert m.loc[("naive", 1), "mase"] == pytest.approx(1.0)
    assert m.loc[("naive", 2), "mase"] == pytest.approx(2.0)
    assert m.loc[("drift", 1), "mase"] == pytest.approx(0.0)
    assert (bt.metrics.loc[bt.metrics["model"] == "naive", "rel_mae"] == 1.0).all()


def test_backtest_never_uses_future_data():
    s = random_walk(11, seed=7)
    spiked = s.copy()
    spiked.iloc[-1] = 1e9  # a huge last value
    models = ["drift", "linear", "ets"]
    a = d.backtest(s, models).forecasts
    b = d.backtest(spiked, models).forecasts
    cols = ["mean", *d.BOUND_COLUMNS, "method"]
    pd.testing.assert_frame_equal(a[cols], b[cols])  # forecasts are the same: only actuals of the last target differ
    assert not a["actual"].equals(b["actual"])


def test_backtest_forecast_equals_fit_on_truncated_series():
    s = random_walk(12, seed=2)
    bt = d.backtest(s, ["linear"], horizons=(2,), min_train=6)
    row = bt.forecasts[(bt.forecasts["model"] == "linear")].iloc[2]  # origin = 9th point
    direct = d.linear_trend(s.iloc[: int(row["n_train"])], 2).table.iloc[1]
    assert row["target"] == direct.name
    assert row["mean"] == pytest.approx(direct["mean"]) and row["upper_95"] == pytest.approx(direct["upper_95"])


def test_choose_model_prefers_trend_on_trending_series():
    rng = np.random.default_rng(0)
    s = synthetic(200 + 20 * np.arange(16) + rng.normal(0, 3, 16), name="synthetic trend")
    ch = d.choose_model(d.backtest(s, ["drift", "linear"]))
    assert ch.model in {"drift", "linear"}
    assert "better" in ch.reason


def _fake_backtest(naive_ase: float, other_ase: float, n: int) -> d.Backtest:
    rows = []
    for model, ase in (("naive", naive_ase), ("drift", other_ase)):
        for i in range(n):
            rows.append(dict(model=model, origin=2010 + i, horizon=1, error=ase, ase=ase, ape=ase, in_80=True,
                             in_95=True, lower_80=0.0, scored=True))
    return d.Backtest(pd.DataFrame(rows), pd.DataFrame(), d.check_series(synthetic([1, 2])), ("naive", "drift"))


def test_choose_model_margin_and_insufficient_evidence_rules():
    assert d.choose_model(_fake_backtest(1.0, 0.95, 10)).model == "naive"  # 5% better: not enough
    ch = d.choose_model(_fake_backtest(1.0, 0.85, 10))
    assert ch.model == "drift" and "15% better" in ch.reason
    assert d.choose_model(_fake_backtest(1.0, 0.5, 2)).model == "naive"  # only 2 scored forecasts
    assert d.choose_model(_fake_backtest(1.0, 0.95, 10), margin=0.0).model == "drift"
    assert d.choose_model(_fake_backtest(1.0, 1.0, 10), margin=0.0).model == "naive"  # tie -> naive


def test_too_short_series_falls_back_to_naive_with_warning():
    s = synthetic([10, 11, 12, 13], name="synthetic short")
    with pytest.warns(d.ForecastWarning, match="too short to backtest"):
        rep = d.forecast_series(s)
    assert rep.backtest is None and rep.choice.model == "naive"
    assert rep.forecast.table["mean"].tolist() == [13, 13]
    assert rep.forecast.to_frame()["backtest_mase"].isna().all()
    with pytest.warns(d.ForecastWarning):
        bt = d.backtest(s)
    assert bt.forecasts.empty


def test_forecast_series_attaches_backtest_error_to_every_forecast():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warnings on an ordinary series
        rep = d.forecast_series(random_walk(11), horizon=2)
    assert set(rep.candidates) == {"naive", "drift", "linear", "ets"}
    tab = rep.table()
    assert tab["backtest_mase"].notna().all() and tab["backtest_coverage_95"].notna().all()
    assert tab.loc[tab["chosen"], "model"].unique().tolist() == [rep.choice.model]
    assert rep.choice.reason in rep.forecast.notes


def test_backtest_speed_20_points_fast_models():
    import time

    s = random_walk(20)
    pop = pd.Series(np.linspace(5e4, 6e4, 25), index=range(2004, 2029))
    models = ["drift", "linear", d.driver_model(pop)]
    d.backtest(s, models)
    t0 = time.perf_counter()
    d.backtest(s, models)
    assert time.perf_counter() - t0 < 1.0  # ~0.02 s; ETS adds ~0.3 s (not timed here: shared machine)


# ---------------------------------------------------------------- budget table


def test_budget_table_hand_example():
    tab = d.budget_table(110.0, 500.0, 52, base_clients=100.0, demography_growth=0.02,
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
    fc = d.naive(synthetic([100, 104, 102, 106]), 1)
    tab = d.budget_table(fc, 800.0, demography_growth=0.01).set_index("component")
    assert tab.loc["base year cost", "clients"] == 106
    assert tab.loc["price", "assumption"] == "no price rise assumed"
    lo, hi = fc.table["lower_80"].iloc[0], fc.table["upper_80"].iloc[0]
    assert tab.loc["total pressure", "low_80_gbp_k"] == pytest.approx((lo - 106) * 800 * 52 / 1000)
    assert tab.loc["total pressure", "high_80_gbp_k"] == pytest.approx((hi - 106) * 800 * 52 / 1000)
    with pytest.raises(ParameterError, match="base_clients"):
        d.budget_table(100.0, 800.0, demography_growth=0.0)


# ---------------------------------------------------------------- properties (hypothesis)

positive_series = st.lists(st.floats(1.0, 1e6, allow_nan=False), min_size=3, max_size=15)


@given(values=positive_series, scale=st.floats(0.01, 100))
def test_scale_equivariance(values, scale):
    s = synthetic(values)
    for model in ("naive", "drift", "linear"):
        a = d.MODELS[model](s, 3).table[["mean", *d.BOUND_COLUMNS]].to_numpy()
        b = d.MODELS[model](s * scale, 3).table[["mean", *d.BOUND_COLUMNS]].to_numpy()
        assert np.allclose(b, a * scale, rtol=1e-7, atol=1e-6 * scale * max(values))


@given(values=positive_series)
def test_intervals_nested_and_widening(values):
    for model in ("naive", "drift", "linear"):
        t = d.MODELS[model](synthetic(values), 3).table
        tol = 1e-9 * max(values)
        assert (t["lower_95"] <= t["lower_80"] + tol).all() and (t["upper_80"] <= t["upper_95"] + tol).all()
        assert (np.diff(t["upper_95"] - t["lower_95"]) >= -tol).all()


@settings(max_examples=25)
@given(values=st.lists(st.floats(1.0, 1e4, allow_nan=False), min_size=6, max_size=10),
       spike=st.floats(1e5, 1e9))
def test_backtest_past_origins_ignore_later_values(values, spike):
    s = synthetic(values)
    t = s.copy()
    t.iloc[-1] = spike
    a = d.backtest(s, ["drift", "linear"], min_train=4).forecasts
    b = d.backtest(t, ["drift", "linear"], min_train=4).forecasts
    assert np.array_equal(a["mean"].to_numpy(), b["mean"].to_numpy())


@given(c0=st.floats(0, 1e4), c1=st.floats(0, 1e4), u=st.floats(0, 5e3), g=st.floats(-0.1, 0.1),
       p1=st.floats(-0.05, 0.2), p2=st.floats(-0.05, 0.2))
def test_budget_components_add_up(c0, c1, u, g, p1, p2):
    tab = d.budget_table(c1, u, base_clients=c0, demography_growth=g, price_uplifts={"a": p1, "b": p2})
    amt = tab.set_index("component")["amount_gbp_k"]
    parts = amt.drop(["base year cost", "total pressure", "next year cost"]).sum()
    assert parts == pytest.approx(amt["total pressure"], abs=1e-6 * (1 + abs(amt["base year cost"])))
    assert amt["base year cost"] + amt["total pressure"] == pytest.approx(amt["next year cost"], abs=1e-6 * (1 + c1 * u))
