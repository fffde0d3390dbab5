"""Tests of helpers.analysis.demand.forecast (one council's analysis) on SYNTHETIC series and panels (made up here,
never real council data; the analysis of real series is tested in tests/data/test_demand.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.demand import budget, catalogue, drivers, forecast, rolling, series
from helpers.core.errors import DataError


@pytest.fixture
def one_council(monkeypatch, make_panel):
    """Council E06000001 (row 1 of a SYNTHETIC 30-council panel declining 3% a year, 2008-09 to 2019-20)."""
    rng = np.random.default_rng(5)
    v = 300 * np.exp(np.cumsum(rng.normal(-0.03, 0.03, (30, 12)), axis=1))
    p = make_panel(v, 2008, series="op_residential_unit_cost")
    ev = rolling.evaluate_panel(p)
    years = [f"{y}-{(y + 1) % 100:02d}" for y in p.years]
    s = pd.Series(v[1], index=years, name="synthetic")
    hist = pd.DataFrame({"year": years, "gss_code": p.codes[1], "value": v[1], "status": "reported",
                         "collection": "ASC-FR", "source_id": "synthetic", "basis": "synthetic", "used": True})
    meta = series.SeriesMeta(catalogue.SERIES["op_residential_unit_cost"], p.codes[1], "Synthetic", (p.codes[1],),
                             hist, tuple(years))
    monkeypatch.setattr(series, "series_for", lambda c, k: (s, meta))
    monkeypatch.setattr(forecast, "evaluate", lambda k: ev)
    monkeypatch.setattr(forecast.councils, "validate_code", lambda c: c)
    monkeypatch.setattr(budget, "unit_cost_for", lambda c, k: None)
    return ev


def test_the_forecast_is_the_procedure_at_the_last_year(one_council):
    ev = one_council
    a = forecast.analyse("E06000001", "op_residential_unit_cost", 3)
    assert a.ok and a.model == ev.choice[-1] != "naive"  # every council declines: a growth candidate is chosen
    t = a.forecast.table
    assert list(t.index) == ["2020-21", "2021-22", "2022-23"]
    assert t["mean"].iloc[0] == pytest.approx(np.exp(ev.forecasts[a.model][1, -1, 0]))
    assert t["mean"].iloc[0] < a.values.iloc[-1]
    width = (t["upper_95"] - t["lower_95"]).to_numpy()
    assert np.all(np.diff(width) > 0) and (t["upper_80"] < t["upper_95"]).all()
    assert a.checked.all() and "smallest typical one-year miss" in a.reason
    past = a.past()
    assert len(past) == 9 and past["target"].iloc[0] == "2011-12"  # from 2 changes of history
    assert past["method"].iloc[0] == "naive"  # no evidence at the first origins


def test_no_warnings_and_no_crash_for_a_one_point_series(monkeypatch, make_panel):
    p = make_panel(np.array([[10.0]]), 2018, series="ld_clients")
    ev = rolling.evaluate_panel(p)
    s = pd.Series([10.0], index=["2018-19"], name="synthetic")
    meta = series.SeriesMeta(catalogue.SERIES["ld_clients"], p.codes[0], "Synthetic", (p.codes[0],),
                             pd.DataFrame({"year": ["2018-19"], "gss_code": [p.codes[0]], "value": [10.0],
                                           "status": ["reported"], "collection": ["council report"],
                                           "source_id": ["synthetic"], "basis": ["synthetic"], "used": [True]}),
                             ("2018-19",))
    monkeypatch.setattr(series, "series_for", lambda c, k: (s, meta))
    monkeypatch.setattr(forecast, "evaluate", lambda k: ev)
    monkeypatch.setattr(forecast.councils, "validate_code", lambda c: c)
    monkeypatch.setattr(drivers, "driver_for", lambda *a, **k: (_ for _ in ()).throw(DataError("no population")))
    monkeypatch.setattr(budget, "unit_cost_for", lambda c, k: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = forecast.analyse(p.codes[0], "ld_clients", 2)
    assert a.ok and a.model == "naive" and a.forecast.table["mean"].tolist() == [10.0, 10.0]
    assert np.isnan(a.forecast.table["lower_80"]).all() and not a.checked.any()
    assert any("No population for this council: no population" in n for n in a.notes)
    assert "No budget table: no weekly unit cost" in a.budget_gap() and a.evidence().empty and a.past().empty
