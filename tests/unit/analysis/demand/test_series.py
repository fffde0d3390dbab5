"""Tests of helpers.analysis.demand.series and helpers.reports.demand_trends (demand series, analysis, benchmark), and of the
``partial_history`` option this work added to helpers.analysis.demand.models's driver and stock-flow models.

Tests marked ``national`` assemble series from the processed tables and check them against values visible in
the published files (weeks of care, ASCOF numerators, RO3 lines, Cambridgeshire's key activity table).
The other tests use small SYNTHETIC series or frames (made up here, never real council data) for edge cases.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.demand import models as demand
from helpers.analysis.demand import series as demand_data
from helpers.core.errors import DataError, ParameterError
from helpers.pipeline import params
from helpers.reports import demand_trends as demand_analysis

# ---------------------------------------------------------------- helpers.analysis.demand.models: partial history (synthetic)


def _fy(start: int, n: int) -> list[str]:
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(start, start + n)]


def test_driver_partial_history_uses_covered_years_only():
    """Synthetic: population from 2012 only; the series starts 2010. The rate history is 2012-2016."""
    pop = pd.Series(np.linspace(1000, 1180, 10), index=range(2012, 2022))
    y = pd.Series([999.0, 999.0, *(0.05 * pop.loc[2012:2016]).tolist()], index=_fy(2010, 7))  # 2010-11 .. 2016-17
    with pytest.raises(DataError, match="driver population has no value for 2010, 2011"):
        demand.driver_model(pop)(y, 2)
    fc = demand.driver_model(pop, partial_history=True)(y, 2)
    assert fc.table["mean"].tolist() == pytest.approx((0.05 * pop.loc[2017:2018]).tolist())
    assert any("starting 2010 to 2011" in n and "from 2012" in n for n in fc.notes)
    assert fc.components["year"].iloc[0] == 2012


def test_driver_partial_history_needs_last_year_and_forecast_years():
    """Synthetic: no population for the last training year -> naive fallback, said; none for a forecast year -> error."""
    pop = pd.Series([1000.0, 1010, 1020], index=[2010, 2011, 2012])
    y = pd.Series([20.0, 21, 22, 23], index=_fy(2010, 4))
    with pytest.raises(DataError, match="no value for 2013, 2014"):
        demand.driver_model(pop, partial_history=True)(pd.Series([20.0, 21, 22], index=_fy(2010, 3)), 2)
    pop2 = pd.Series([1000.0, 1010, 1030, 1040], index=[2010, 2011, 2014, 2015])
    fc = demand.driver_model(pop2, partial_history=True)(y, 2)
    assert fc.method.startswith("naive (fallback")
    assert fc.table["mean"].tolist() == [23.0, 23.0]


def test_stock_flow_partial_history_and_identity_with_driver():
    """Synthetic: rates from 2013 only; with both components carried forward the stock-flow mean equals the
    driver model's (the rate cancels: y_T x pop_T+h / pop_T), which is why the notebook uses a drift in the rate."""
    pop = pd.Series(np.linspace(40_000, 44_000, 12), index=range(2010, 2022))
    rate = pd.Series([600.0, 610, 590, 605], index=_fy(2013, 4))
    y = pd.Series([700.0, 720, 710, 730, 725, 740, 735], index=_fy(2010, 7))
    sf = demand.stock_flow_model(rate, pop, partial_history=True)(y, 2)
    drv = demand.driver_model(pop)(y, 2)
    assert sf.table["mean"].tolist() == pytest.approx(drv.table["mean"].tolist())
    assert any("from 2013" in n for n in sf.notes)
    with pytest.raises(DataError, match="admission rate has no value"):
        demand.stock_flow_model(rate, pop)(y, 2)
    short = demand.stock_flow_model(rate, pop, rate_method="drift", partial_history=True)(y.iloc[:5], 1)
    assert short.method.startswith("naive (fallback") and any("from 2013" in n for n in short.notes)


# ---------------------------------------------------------------- catalogue and parameters


def test_catalogue_entries_are_consistent():
    from helpers.analysis.demand import demography
    from helpers.data import tables

    names = set(tables.discover())
    cat = demand_data.catalogue()
    assert list(cat["key"]) == list(demand_data.SERIES)
    for s in demand_data.SERIES.values():
        assert s.table in names, s.key
        assert s.kind in ("stock", "flow", "money", "unit_cost")
        assert s.driver_band is None or s.driver_band in demography.DEFAULT_BANDS
        assert s.scope in ("national", "council")
        assert set(s.models) <= {"driver", "stock-flow"}
        assert ("driver" in s.models) <= (s.driver_band is not None)
        assert (s.unit_cost is not None) <= (s.kind == "stock"), "only stocks get a budget table"


def test_parameter_rules():
    with pytest.raises(ParameterError, match="not a demand series; choose one of op_residential_placements"):
        params.check(series="ld_client")
    for bad in (0, 6, 2.0, True):
        with pytest.raises(ParameterError, match="horizon"):
            params.check(horizon=bad)
    with pytest.raises(ParameterError, match="pay_share_pct"):
        params.check(pay_share_pct=120.0)
    with pytest.raises(ParameterError, match="unit_cost_gbp_per_week"):
        params.check(unit_cost_gbp_per_week=0)
    out = params.check(series=" ld_clients", horizon=5, need_growth_pct="2.5", demography_growth_pct="None",
                       unit_cost_gbp_per_week="700")
    assert out == {"series": "ld_clients", "horizon": 5, "need_growth_pct": 2.5, "demography_growth_pct": None,
                   "unit_cost_gbp_per_week": 700.0}


def test_scenario_uplifts_hand_computed():
    s = demand_analysis.Scenario(price_uplift_pct=2.0, nlw_rise_pct=6.7, pay_share_pct=60.0)
    assert list(s.uplifts().values()) == pytest.approx([0.067 * 0.6, 0.02 * 0.4])  # 4.02% and 0.80%
    assert demand_analysis.Scenario.from_params({"nlw_rise_pct": 10.0, "council": "x"}).nlw_rise_pct == 10.0
    with pytest.raises(ParameterError):
        demand_analysis.Scenario(need_growth_pct=500.0)


# ---------------------------------------------------------------- series_for on synthetic frames


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Synthetic series frame rows: (gss_code, year, value, status, collection)."""
    df = pd.DataFrame(rows, columns=["gss_code", "year", "value", "status", "collection"])
    df.insert(0, "series", "op_residential_placements")
    df["source_id"], df["basis"] = "synthetic", "synthetic"
    df["value"] = df["value"].where(df["status"] == "reported")
    return df


@pytest.fixture
def fake_frame(monkeypatch):
    """Replace the all-council frame with a synthetic one (no national data needed)."""
    holder = {}
    monkeypatch.setattr(demand_data, "series_frame", lambda series: holder["df"])
    return holder


def test_series_for_cuts_at_collection_change_gap_and_zero(fake_frame):
    """Synthetic Stockport series: PSS-EX1 2010-11..2013-14, ASC-FR from 2014-15 with a gap and a zero."""
    rows = [("E08000007", y, 500.0, "reported", "PSS-EX1") for y in _fy(2010, 4)]
    rows += [("E08000007", "2014-15", 400.0, "reported", "ASC-FR"), ("E08000007", "2015-16", 0.0, "reported", "ASC-FR"),
             ("E08000007", "2016-17", 410.0, "reported", "ASC-FR"),  # 2017-18 missing: a gap
             *[("E08000007", y, 420.0 + i, "reported", "ASC-FR") for i, y in enumerate(_fy(2018, 4))]]
    fake_frame["df"] = _frame(rows)
    s, meta = demand_data.series_for("Stockport", "op_residential_placements")
    assert list(s.index) == _fy(2018, 4) and s.tolist() == [420.0, 421.0, 422.0, 423.0]
    text = " ".join(meta.breaks)
    assert "Collection change: PSS-EX1 figures for 2010-11 to 2013-14" in text
    assert "2015-16 (zero or negative)" in text and "2017-18 (no row)" in text and "after 2017-18" in text
    assert meta.break_year == "2020-21" and "COVID-19" in text
    assert meta.history["used"].sum() == 4 and meta.break_marks == ("2018-19", "2020-21")


def test_series_for_suppressed_value_and_trailing_missing(fake_frame):
    """Synthetic: a suppressed middle year cuts the series; a missing last year ends it, saying so."""
    rows = [("E08000007", y, 100.0 + i, "reported", "ASC-FR") for i, y in enumerate(_fy(2014, 8))]
    rows[3] = ("E08000007", "2017-18", np.nan, "suppressed", "ASC-FR")
    rows[-1] = ("E08000007", "2021-22", np.nan, "missing", "ASC-FR")
    fake_frame["df"] = _frame(rows)
    s, meta = demand_data.series_for("E08000007", "op_residential_placements")
    assert list(s.index) == _fy(2018, 3)
    assert any("2017-18 (suppressed)" in b for b in meta.breaks)
    assert any("No usable value after 2020-21 (2021-22)" in b for b in meta.breaks)
    assert meta.break_year == "2020-21"  # the last year: forecasts of it are not scored


def test_series_for_errors(fake_frame):
    """Synthetic: no rows, only zeros/negatives, two codes of one area with the same year."""
    fake_frame["df"] = _frame([("E08000009", "2020-21", 5.0, "reported", "ASC-FR")])
    with pytest.raises(DataError, match=r"Stockport \(E08000007\) has no older people .*\(2020-21 to 2020-21\): the activity table"):
        demand_data.series_for("E08000007", "op_residential_placements")
    fake_frame["df"] = _frame([("E08000007", "2020-21", 0.0, "reported", "ASC-FR"),
                               ("E08000007", "2021-22", -3.0, "reported", "ASC-FR")])
    with pytest.raises(DataError, match="no positive .*2020-21: 0.0; 2021-22: -3.0.*must be positive"):
        demand_data.series_for("E08000007", "op_residential_placements")
    fake_frame["df"] = _frame([("E06000060", "2019-20", 5.0, "reported", "ASC-FR"),
                               ("E10000002", "2019-20", 6.0, "reported", "ASC-FR")])
    with pytest.raises(DataError, match="values under two of its codes"):
        demand_data.series_for("E06000060", "op_residential_placements")
    with pytest.raises(ParameterError, match="unknown council"):
        demand_data.series_for("Narnia", "op_residential_placements")


def test_recoded_council_joined_and_old_code_followed(fake_frame):
    """Synthetic: Buckinghamshire's old county code to 2019-20, the unitary code after: one series, said so."""
    fake_frame["df"] = _frame([("E10000002", y, 10.0 + i, "reported", "ASC-FR") for i, y in enumerate(_fy(2014, 6))]
                              + [("E06000060", y, 20.0, "reported", "ASC-FR") for y in _fy(2020, 2)])
    s, meta = demand_data.series_for("E06000060", "op_residential_placements")
    assert len(s) == 8 and meta.codes == ("E06000060", "E10000002")
    assert any("was E10000002 before E06000060 (same area)" in b for b in meta.breaks)
    s_old, meta_old = demand_data.series_for("E10000002", "op_residential_placements")  # old code: followed
    assert meta_old.council == "E06000060" and s_old.equals(s)
    assert meta_old.breaks[0].startswith("E10000002 is an older code of Buckinghamshire")


def test_collection_run_for_history_check(fake_frame):
    """Synthetic: the last unbroken PSS-EX1 run, for the benchmark's history check."""
    rows = [("E08000007", y, 50.0 + i, "reported", "PSS-EX1") for i, y in enumerate(_fy(2000, 14))]
    rows[4] = ("E08000007", "2004-05", np.nan, "missing", "PSS-EX1")
    rows += [("E08000007", y, 40.0, "reported", "ASC-FR") for y in _fy(2014, 2)]
    fake_frame["df"] = _frame(rows)
    _, meta = demand_data.series_for("E08000007", "op_residential_placements")
    run = demand_analysis.collection_run(meta, "PSS-EX1")
    assert list(run.index) == _fy(2005, 9) and run.iloc[0] == 55.0


# ---------------------------------------------------------------- real data (national)


@pytest.mark.national
def test_placements_equal_activity_weeks_over_52(built_tables):
    """Stockport: 2021-22 residential 34,393 weeks (ASC-FR, 'all' provision); 2013-14 42,800 (PSS-EX1, in-house 0
    + external 42,800: the 2013-14 annex column D1.3); nursing 2021-22 13,150 weeks."""
    act = demand_data._table("activity")
    st = act[(act["gss_code"] == "E08000007")]
    s, meta = demand_data.series_for("E08000007", "op_residential_placements")
    w = st[(st["support_setting"] == "residential") & (st["provision"] == "all")].set_index("year")["value"]
    assert s.to_dict() == pytest.approx((w / 52).to_dict())
    assert s["2021-22"] == pytest.approx(34393 / 52)
    assert list(s.index) == _fy(2014, 8)
    early = meta.history.set_index("year")
    assert early.loc["2013-14", "value"] == pytest.approx(42800 / 52) and not early.loc["2013-14", "used"]
    n, _ = demand_data.series_for("E08000007", "op_nursing_placements")
    assert n["2021-22"] == pytest.approx(13150 / 52)
    c, _ = demand_data.series_for("E08000007", "op_care_home_placements")
    assert c.to_dict() == pytest.approx((s + n).to_dict())


@pytest.mark.national
def test_national_placements_agree_with_cambridgeshire_key_activity(built_tables):
    """Cambridgeshire 2018-19: ASC-FR weeks / 52 against the council's own service users at the end of July 2018
    (Adults Committee Sept 2018, tables 2.5.5 and 2.5.6): residential 891 vs 472 + 370 + 24 + 27 = 893,
    nursing 455 vs 287 + 70 + 22 + 83 = 462 -- within 2% although one is a yearly average and one a snapshot."""
    res, _ = demand_data.series_for("E10000003", "op_residential_placements")
    nur, _ = demand_data.series_for("E10000003", "op_nursing_placements")
    assert res["2018-19"] == pytest.approx(893, rel=0.02)
    assert nur["2018-19"] == pytest.approx(462, rel=0.02)
    clients, meta = demand_data.series_for("E10000003", "op_care_home_clients")
    assert clients.to_dict() == {"2018-19": 893.0 + 462.0}
    ld, _ = demand_data.series_for("Cambridgeshire", "ld_clients")
    assert ld.to_dict() == {"2018-19": 291.0 + 8 + 1302}  # printed LD Service Total: 1,601


@pytest.mark.national
def test_admissions_use_numerator_or_rate_times_population(built_tables):
    """Stockport ASCOF 2A(2): 2020-21 published numerator 806 (rate 1,367.7 per 100,000 of 58,933);
    2019-20 rate 577.3 x mid-2019 population 65+ 58,726 / 100,000 = 339.0."""
    s, meta = demand_data.series_for("E08000007", "op_permanent_admissions")
    assert s["2020-21"] == 806.0
    assert s["2019-20"] == pytest.approx(577.3 * 58726 / 1e5)
    h = meta.history.set_index("year")
    assert h.loc["2020-21", "basis"] == "published numerator"
    assert list(s.index) == _fy(2017, 6)
    a, _ = demand_data.series_for("E08000007", "adult_permanent_admissions")
    assert a["2020-21"] == 65.0  # 2A(1): 37.9 per 100,000 of 171,361


@pytest.mark.national
def test_ld_spend_collections_not_joined(built_tables):
    """Stockport LD support 18-64: RO3 total expenditure 40,285 / 44,759 / 49,066 (£k, 2022-23..2024-25) modelled;
    ASC-FR gross current expenditure 23,795 (2014-15, equal to the published 'Short and long term total') and
    28,168 (2016-17, sum of its lines) shown but not modelled."""
    s, meta = demand_data.series_for("E08000007", "ld_spend_18_64")
    assert s.to_dict() == {"2022-23": 40285.0, "2023-24": 44759.0, "2024-25": 49066.0}
    h = meta.history.set_index("year")
    assert h.loc["2014-15", "value"] == 23795.0 and h.loc["2016-17", "value"] == 28168.0
    assert not h.loc["2014-15", "used"] and h.loc["2014-15", "collection"] == "ASC-FR"
    assert any(b.startswith("Collection change: ASC-FR figures for 2014-15 to 2016-17") for b in meta.breaks)


@pytest.mark.national
def test_unit_costs_hand_computed(built_tables):
    """Stockport ASC-FR 2016-17 residential 65+: GCE £15,370k (320 + 1,736 + 10,705 + 215 + 2,394 across the five
    support reasons) / 29,086 weeks = £528.43 a week. Cambridgeshire LD key activity M04 2018-19:
    (291 x £1,455 + 8 x £1,694 + 1,302 x £678) / 1,601 = £824.31."""
    s, _ = demand_data.series_for("E08000007", "op_residential_unit_cost")
    assert s["2016-17"] == pytest.approx(15370 * 1000 / 29086)
    u = demand_data.unit_cost_for("E08000007", "op_residential_placements")
    assert (u.year, round(u.gbp_per_week, 2)) == ("2016-17", 528.43)
    ld = demand_data.unit_cost_for("E10000003", "ld_clients")
    assert ld.gbp_per_week == pytest.approx((291 * 1455 + 8 * 1694 + 1302 * 678) / 1601)
    assert ld.year == "2018-19" and "key activity" in ld.source
    assert demand_data.unit_cost_for("E08000007", "op_permanent_admissions") is None


@pytest.mark.national
def test_boundary_changes_are_stated_not_joined(built_tables):
    """BCP (2019-20) and North Northamptonshire (2021-22) start new series; Northamptonshire's ends in 2020-21."""
    s, meta = demand_data.series_for("E06000058", "op_care_home_placements")
    assert s.index[0] == "2019-20" and set(meta.history["gss_code"]) == {"E06000058"}
    assert any("created from Bournemouth (E06000028) and Poole (E06000029)" in b and "not joined" in b
               for b in meta.breaks)
    nn, meta_nn = demand_data.series_for("E06000061", "op_residential_placements")
    assert list(nn.index) == ["2021-22"] and any("North Northamptonshire" in b for b in meta_nn.breaks)
    old, meta_old = demand_data.series_for("E10000021", "op_residential_placements")
    assert old.index[-1] == "2020-21"
    assert any("abolished and split" in b and "no longer has its own council" in b for b in meta_old.breaks)


@pytest.mark.national
def test_driver_is_ex_ante_in_the_backtest(built_tables):
    """The driver function uses only estimates up to a backtest origin, and every estimate from the last year."""
    d = demand_data.driver_for("E08000007", "65+", final_origin=2021, horizon=2)
    est = d.population.set_index("mid_year")["population"]
    early = d.function(2018, 2)
    assert early.index.max() == 2020 and early[2018] == est[2018]
    assert early[2020] != est[2020]  # projected from mid-2018, not the later estimate
    assert d.function(2021, 2)[2023] == est[2023] == 60533.0
    assert d.growth(2022) == pytest.approx(60194 / 59604 - 1)


@pytest.mark.national
def test_analysis_of_a_series_too_short_warns_and_falls_back_to_naive(built_tables):
    a = demand_analysis.analyse("E08000007", "ld_spend_18_64", 2)
    assert a.ok and a.report.backtest is None and a.report.forecast.model == "naive"
    assert any("too short to backtest" in n for n in a.notes)
    assert "No backtest error" in a.backtest_note()
    assert "No budget table" in a.budget().data
    none = demand_analysis.analyse("E08000007", "ld_clients", 2)
    assert not none.ok and "only councils whose key activity data" in none.error
    assert "Nothing to show" in none.backtest_table().data


@pytest.mark.national
def test_analysis_forecast_has_backtest_error_and_widening_intervals(built_tables):
    a = demand_analysis.analyse("E08000007", "op_care_home_placements", 3)
    t = a.forecast_table()
    assert {"backtest_mase", "backtest_mape", "backtest_coverage_80"} <= set(t.columns)
    assert t["backtest_n"].iloc[0] >= 1
    width = (t["upper_95"] - t["lower_95"]).to_numpy()
    assert (np.diff(width) >= -1e-9).all() and ((t["upper_80"] - t["lower_80"]) <= width).all()
    bt = a.backtest_table()
    assert set(bt["model"]) == {"naive", "drift", "linear", "ets", "driver", "stock-flow"}
    assert bt["chosen"].sum() == 1 and "Forecasts more than 2 years ahead have no backtest error" in a.backtest_note()
    b = a.budget()
    comp = b.set_index("component")["amount_gbp_k"]
    parts = comp["demography"] + comp["need (other volume growth)"] + comp[[c for c in comp.index
                                                                            if c.startswith("price")]].sum()
    assert comp["total pressure"] == pytest.approx(parts, abs=0.2)
    assert comp["base year cost"] == pytest.approx(a.values.iloc[-1] * a.unit_cost.gbp_per_week * 52 / 1000, abs=0.1)
    assert a.summary()["topic"].tolist()[:2] == ["council", "series"]


@pytest.mark.national
def test_benchmark_one_and_summary(built_tables):
    row, held = demand_analysis.benchmark_one("E08000007", "op_care_home_placements", holdout_years=1)
    assert row["status"] == "backtested" and row["n"] == 8
    assert {"mase_naive", "mase_drift", "mase_linear", "mase_ets", "mase_driver", "mase_stock-flow"} <= set(row)
    assert len(held) == 1 and held[0]["target"] == "2021-22"
    assert held[0]["chosen"] == "naive"  # without 2021-22 only one forecast is scored: too few to leave naive
    no, _ = demand_analysis.benchmark_one("E08000007", "ld_clients")
    assert no["status"] == "no_data"
    res = demand_analysis.benchmark(["op_care_home_placements"], ["E08000007", "E10000003", "E06000058"])
    summ = res.summary().iloc[0]
    assert (summ["councils"], summ["backtested"], summ["too_short"]) == (3, 2, 1)
    assert summ["median_mase_chosen"] <= summ["median_mase_naive"] + 1e-12


def test_benchmark_summary_hand_example():
    """Synthetic rows: medians, shares and the hold-out comparison by hand."""
    rows = pd.DataFrame([
        {"series": "s", "gss_code": "a", "status": "backtested", "chosen": "naive", "mase_naive": 1.0,
         "mase_drift": 2.0, "cov80_chosen": 1.0, "cov95_chosen": 1.0},
        {"series": "s", "gss_code": "b", "status": "backtested", "chosen": "drift", "mase_naive": 3.0,
         "mase_drift": 1.5, "cov80_chosen": 0.5, "cov95_chosen": 1.0},
        {"series": "s", "gss_code": "c", "status": "too_short"},
    ])
    held = pd.DataFrame([{"series": "s", "gss_code": "a", "target": "x", "chosen": "naive", "ase_chosen": 1.0,
                          "ase_naive": 1.0},
                         {"series": "s", "gss_code": "b", "target": "x", "chosen": "drift", "ase_chosen": 0.5,
                          "ase_naive": 2.0}])
    s = demand_analysis.benchmark_summary(rows, held).iloc[0]
    assert (s["councils"], s["backtested"], s["too_short"]) == (3, 2, 1)
    assert s["median_mase_chosen"] == pytest.approx((1.0 + 1.5) / 2)
    assert s["median_mase_naive"] == 2.0 and s["median_mase_drift"] == 1.75
    assert s["share_chosen_not_naive"] == 0.5 and s["coverage80_chosen"] == 0.75
    assert (s["holdout_n"], s["holdout_share_beats_naive"], s["holdout_share_worse_than_naive"]) == (2, 0.5, 0.0)


def test_no_warnings_leak_from_too_short_analysis(monkeypatch):
    """Synthetic: a one-point series gives the naive forecast with the warning captured in the notes."""
    s = pd.Series([10.0], index=["2018-19"], name="synthetic")
    meta = demand_data.SeriesMeta(demand_data.SERIES["ld_clients"], "E10000003", "Cambridgeshire", ("E10000003",),
                                  pd.DataFrame({"year": ["2018-19"], "gss_code": ["E10000003"], "value": [10.0],
                                                "status": ["reported"], "collection": ["council report"],
                                                "source_id": ["synthetic"], "basis": ["synthetic"], "used": [True]}),
                                  ("2018-19",))
    monkeypatch.setattr(demand_data, "series_for", lambda c, k: (s, meta))
    monkeypatch.setattr(demand_data, "driver_for", lambda *a, **k: (_ for _ in ()).throw(DataError("no population")))
    monkeypatch.setattr(demand_data, "unit_cost_for", lambda c, k: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = demand_analysis.analyse("E10000003", "ld_clients", 1)
    assert a.report.forecast.model == "naive" and any("too short" in n for n in a.notes)
    assert any("No demographic driver model: no population" in n for n in a.notes)
    assert "No budget table: no weekly unit cost" in a.budget().data


@pytest.mark.national
def test_reader_tables_and_notes_of_the_demand_report(built_tables, tmp_path, monkeypatch):
    """What the reader sees: human headings, no internal column names, values in the series' unit; a series too
    short to backtest or a council without figures is written to the run's notes file (for index.html)."""
    from helpers.reports import present as report

    prefix = tmp_path / "report"
    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(prefix))
    notes = prefix.with_name("report.notes")
    a = demand_analysis.analyse("E08000007", "op_care_home_placements", 2)
    assert "before the latest year the national files cover (2024-25)" in a.intro().data and not notes.exists()
    bt = a.backtest_display()
    assert isinstance(bt, report.Presented) and "80% interval held (%)" in bt.frame.columns
    assert "coverage_80" not in " ".join(bt.frame.columns) and set(bt.frame["Chosen"]) == {"yes", "no"}
    row = a.backtest_table().set_index("model").loc["naive"]
    assert bt.frame.set_index("Model").loc["naive", "MASE, all"] == f"{row['MASE (all)']:.2f}"
    fc = a.forecast_display().frame
    t = a.forecast_table()
    assert fc["Forecast"].iloc[0] == f"{t['mean'].iloc[0]:,.1f}"
    assert fc["80% interval"].iloc[0] == f"{t['lower_80'].iloc[0]:,.1f} to {t['upper_80'].iloc[0]:,.1f}"
    hist = a.history_display().frame
    assert "Figures of (ONS code)" not in hist.columns and hist["Modelled"].eq("yes").all()
    assert hist["Value: placements (weeks of care / 52)"].iloc[-1] == f"{a.values.iloc[-1]:,.1f}"
    budget = a.budget_display().frame.set_index("Component")
    assert budget.loc["base year cost", "Amount (£k)"] == f"{a.budget().iloc[0]['amount_gbp_k']:,.0f}"
    short = demand_analysis.analyse("E08000007", "ld_spend_18_64", 2)
    short.intro()
    none = demand_analysis.analyse("E08000007", "ld_clients", 2)
    none.intro()
    lines = notes.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "too short to backtest" in lines[0] and lines[1] == none.error
    assert "No demographic driver" in demand_analysis.analyse("E08000007", "op_residential_unit_cost",
                                                              2).population_view().data
