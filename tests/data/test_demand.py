"""Demand series, analysis, benchmark and report on the real processed tables (national files).

The series are checked against values visible in the published files (weeks of care, ASCOF numerators, RO3
lines, Cambridgeshire's key activity table); the analysis and the report of notebook 05 on real councils.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers.analysis.demand import benchmark, budget, drivers, series
from helpers.core import periods
from helpers.data import tables
from helpers.reports import demand_trends as report
from helpers.reports import present


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


@pytest.mark.national
def test_placements_equal_activity_weeks_over_52(built_tables):
    """Stockport: 2021-22 residential 34,393 weeks (ASC-FR, 'all' provision); 2013-14 42,800 (PSS-EX1, in-house 0
    + external 42,800: the 2013-14 annex column D1.3); nursing 2021-22 13,150 weeks."""
    act = tables.cached("activity")
    st = act[(act["gss_code"] == "E08000007")]
    s, meta = series.series_for("E08000007", "op_residential_placements")
    w = st[(st["support_setting"] == "residential") & (st["provision"] == "all")].set_index("year")["value"]
    assert s.to_dict() == pytest.approx((w / 52).to_dict())
    assert s["2021-22"] == pytest.approx(34393 / 52)
    assert list(s.index) == fy(2014, 8)
    early = meta.history.set_index("year")
    assert early.loc["2013-14", "value"] == pytest.approx(42800 / 52) and not early.loc["2013-14", "used"]
    n, _ = series.series_for("E08000007", "op_nursing_placements")
    assert n["2021-22"] == pytest.approx(13150 / 52)
    c, _ = series.series_for("E08000007", "op_care_home_placements")
    assert c.to_dict() == pytest.approx((s + n).to_dict())


@pytest.mark.national
def test_national_placements_agree_with_cambridgeshire_key_activity(built_tables):
    """Cambridgeshire 2018-19: ASC-FR weeks / 52 against the council's own service users at the end of July 2018
    (Adults Committee Sept 2018, tables 2.5.5 and 2.5.6): residential 891 vs 472 + 370 + 24 + 27 = 893,
    nursing 455 vs 287 + 70 + 22 + 83 = 462 -- within 2% although one is a yearly average and one a snapshot."""
    res, _ = series.series_for("E10000003", "op_residential_placements")
    nur, _ = series.series_for("E10000003", "op_nursing_placements")
    assert res["2018-19"] == pytest.approx(893, rel=0.02)
    assert nur["2018-19"] == pytest.approx(462, rel=0.02)
    clients, meta = series.series_for("E10000003", "op_care_home_clients")
    assert clients.to_dict() == {"2018-19": 893.0 + 462.0}
    ld, _ = series.series_for("Cambridgeshire", "ld_clients")
    assert ld.to_dict() == {"2018-19": 291.0 + 8 + 1302}  # printed LD Service Total: 1,601


@pytest.mark.national
def test_admissions_use_numerator_or_rate_times_population(built_tables):
    """Stockport ASCOF 2A(2): 2020-21 published numerator 806 (rate 1,367.7 per 100,000 of 58,933);
    2019-20 rate 577.3 x mid-2019 population 65+ 58,726 / 100,000 = 339.0."""
    s, meta = series.series_for("E08000007", "op_permanent_admissions")
    assert s["2020-21"] == 806.0
    assert s["2019-20"] == pytest.approx(577.3 * 58726 / 1e5)
    h = meta.history.set_index("year")
    assert h.loc["2020-21", "basis"] == "published numerator"
    assert list(s.index) == fy(2017, 6)
    a, _ = series.series_for("E08000007", "adult_permanent_admissions")
    assert a["2020-21"] == 65.0  # 2A(1): 37.9 per 100,000 of 171,361


@pytest.mark.national
def test_ld_spend_collections_not_joined(built_tables):
    """Stockport LD support 18-64: RO3 total expenditure 40,285 / 44,759 / 49,066 (£k, 2022-23..2024-25) modelled;
    ASC-FR gross current expenditure 23,795 (2014-15, equal to the published 'Short and long term total') and
    28,168 (2016-17, sum of its lines) shown but not modelled."""
    s, meta = series.series_for("E08000007", "ld_spend_18_64")
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
    s, _ = series.series_for("E08000007", "op_residential_unit_cost")
    assert s["2016-17"] == pytest.approx(15370 * 1000 / 29086)
    u = budget.unit_cost_for("E08000007", "op_residential_placements")
    assert (u.year, round(u.gbp_per_week, 2)) == ("2016-17", 528.43)
    ld = budget.unit_cost_for("E10000003", "ld_clients")
    assert ld.gbp_per_week == pytest.approx((291 * 1455 + 8 * 1694 + 1302 * 678) / 1601)
    assert ld.year == "2018-19" and "key activity" in ld.source
    assert budget.unit_cost_for("E08000007", "op_permanent_admissions") is None


@pytest.mark.national
def test_boundary_changes_are_stated_not_joined(built_tables):
    """BCP (2019-20) and North Northamptonshire (2021-22) start new series; Northamptonshire's ends in 2020-21."""
    s, meta = series.series_for("E06000058", "op_care_home_placements")
    assert s.index[0] == "2019-20" and set(meta.history["gss_code"]) == {"E06000058"}
    assert any("created from Bournemouth (E06000028) and Poole (E06000029)" in b and "not joined" in b
               for b in meta.breaks)
    nn, meta_nn = series.series_for("E06000061", "op_residential_placements")
    assert list(nn.index) == ["2021-22"] and any("North Northamptonshire" in b for b in meta_nn.breaks)
    old, meta_old = series.series_for("E10000021", "op_residential_placements")
    assert old.index[-1] == "2020-21"
    assert any("abolished and split" in b and "no longer has its own council" in b for b in meta_old.breaks)


@pytest.mark.national
def test_driver_is_ex_ante_in_the_backtest(built_tables):
    """The driver function uses only estimates up to a backtest origin, and every estimate from the last year."""
    d = drivers.driver_for("E08000007", "65+", final_origin=2021, horizon=2)
    est = d.population.set_index("mid_year")["population"]
    early = d.function(2018, 2)
    assert early.index.max() == 2020 and early[2018] == est[2018]
    assert early[2020] != est[2020]  # projected from mid-2018, not the later estimate
    assert d.function(2021, 2)[2023] == est[2023] == 60533.0
    assert d.growth(2022) == pytest.approx(60194 / 59604 - 1)


@pytest.mark.national
def test_analysis_of_a_series_too_short_warns_and_falls_back_to_naive(built_tables):
    r = report.prepare(council="E08000007", series="ld_spend_18_64", horizon=2)
    a = r.result
    assert a.ok and a.report.backtest is None and a.report.forecast.model == "naive"
    assert any("too short to backtest" in n for n in a.notes)
    assert "No backtest error" in r.backtest_note()
    assert "No budget table" in r.budget_table().data
    none = report.prepare(council="E08000007", series="ld_clients", horizon=2)
    assert not none.result.ok and "only councils whose key activity data" in none.result.error
    assert "Nothing to show" in none.backtest_table().data


@pytest.mark.national
def test_analysis_forecast_has_backtest_error_and_widening_intervals(built_tables):
    r = report.prepare(council="E08000007", series="op_care_home_placements", horizon=3)
    a = r.result
    t = r.forecast_table()
    assert {"backtest_mase", "backtest_mape", "backtest_coverage_80"} <= set(t.columns)
    assert t["backtest_n"].iloc[0] >= 1
    width = (t["upper_95"] - t["lower_95"]).to_numpy()
    assert (np.diff(width) >= -1e-9).all() and ((t["upper_80"] - t["lower_80"]) <= width).all()
    bt = r.backtest_table()
    assert set(bt["model"]) == {"naive", "drift", "linear", "ets", "driver", "stock-flow"}
    assert bt["chosen"].sum() == 1 and "Forecasts more than 2 years ahead have no backtest error" in r.backtest_note()
    b = a.budget()
    comp = b.set_index("component")["amount_gbp_k"]
    parts = comp["demography"] + comp["need (other volume growth)"] + comp[[c for c in comp.index
                                                                            if c.startswith("price")]].sum()
    assert comp["total pressure"] == pytest.approx(parts, abs=0.2)
    assert comp["base year cost"] == pytest.approx(a.values.iloc[-1] * a.unit_cost.gbp_per_week * 52 / 1000, abs=0.1)
    assert r.findings()["topic"].tolist()[:2] == ["council", "series"]


@pytest.mark.national
def test_benchmark_one_and_summary(built_tables):
    row, held = benchmark.benchmark_one("E08000007", "op_care_home_placements", holdout_years=1)
    assert row["status"] == "backtested" and row["n"] == 8
    assert {"mase_naive", "mase_drift", "mase_linear", "mase_ets", "mase_driver", "mase_stock-flow"} <= set(row)
    assert len(held) == 1 and held[0]["target"] == "2021-22"
    assert held[0]["chosen"] == "naive"  # without 2021-22 only one forecast is scored: too few to leave naive
    no, _ = benchmark.benchmark_one("E08000007", "ld_clients")
    assert no["status"] == "no_data"
    res = benchmark.benchmark(["op_care_home_placements"], ["E08000007", "E10000003", "E06000058"])
    summ = res.summary().iloc[0]
    assert (summ["councils"], summ["backtested"], summ["too_short"]) == (3, 2, 1)
    assert summ["median_mase_chosen"] <= summ["median_mase_naive"] + 1e-12


@pytest.mark.national
def test_reader_tables_and_notes_of_the_demand_report(built_tables, tmp_path, monkeypatch):
    """What the reader sees: human headings, no internal column names, values in the series' unit; a series too
    short to backtest or a council without figures is written to the run's notes file (for index.html)."""
    prefix = tmp_path / "report"
    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(prefix))
    notes = prefix.with_name("report.notes")
    r = report.prepare(council="E08000007", series="op_care_home_placements", horizon=2)
    assert "before the latest year the national files cover (2024-25)" in r.intro().data and not notes.exists()
    bt = r.backtest()
    assert isinstance(bt, present.Presented) and "80% interval held (%)" in bt.frame.columns
    assert "coverage_80" not in " ".join(bt.frame.columns) and set(bt.frame["Chosen"]) == {"yes", "no"}
    row = r.backtest_table().set_index("model").loc["naive"]
    assert bt.frame.set_index("Model").loc["naive", "MASE, all"] == f"{row['MASE (all)']:.2f}"
    fc = r.forecast().frame
    t = r.forecast_table()
    assert fc["Forecast"].iloc[0] == f"{t['mean'].iloc[0]:,.1f}"
    assert fc["80% interval"].iloc[0] == f"{t['lower_80'].iloc[0]:,.1f} to {t['upper_80'].iloc[0]:,.1f}"
    hist = r.history().frame
    assert "Figures of (ONS code)" not in hist.columns and hist["Modelled"].eq("yes").all()
    assert hist["Value: placements (weeks of care / 52)"].iloc[-1] == f"{r.result.values.iloc[-1]:,.1f}"
    table = r.budget().frame.set_index("Component")
    assert table.loc["base year cost", "Amount (£k)"] == f"{r.result.budget().iloc[0]['amount_gbp_k']:,.0f}"
    short = report.prepare(council="E08000007", series="ld_spend_18_64", horizon=2)
    short.intro()
    none = report.prepare(council="E08000007", series="ld_clients", horizon=2)
    none.intro()
    lines = notes.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "too short to backtest" in lines[0] and lines[1] == none.result.error
    assert "No demographic driver" in report.prepare(council="E08000007", series="op_residential_unit_cost",
                                                     horizon=2).population_chart().data
