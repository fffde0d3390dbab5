"""Tests of helpers.analysis.demand.forecast (one council's analysis) on a SYNTHETIC series (made up here, never
real council data; the analysis of real series is tested in tests/data/test_demand.py)."""

from __future__ import annotations

import warnings

import pandas as pd

from helpers.analysis.demand import budget, catalogue, drivers, forecast, series
from helpers.core.errors import DataError


def test_no_warnings_leak_from_too_short_analysis(monkeypatch):
    """Synthetic: a one-point series gives the naive forecast with the warning captured in the notes."""
    s = pd.Series([10.0], index=["2018-19"], name="synthetic")
    meta = series.SeriesMeta(catalogue.SERIES["ld_clients"], "E10000003", "Cambridgeshire", ("E10000003",),
                             pd.DataFrame({"year": ["2018-19"], "gss_code": ["E10000003"], "value": [10.0],
                                           "status": ["reported"], "collection": ["council report"],
                                           "source_id": ["synthetic"], "basis": ["synthetic"], "used": [True]}),
                             ("2018-19",))
    monkeypatch.setattr(series, "series_for", lambda c, k: (s, meta))
    monkeypatch.setattr(drivers, "driver_for", lambda *a, **k: (_ for _ in ()).throw(DataError("no population")))
    monkeypatch.setattr(budget, "unit_cost_for", lambda c, k: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = forecast.analyse("E10000003", "ld_clients", 1)
    assert a.report.forecast.model == "naive" and any("too short" in n for n in a.notes)
    assert any("No demographic driver model: no population" in n for n in a.notes)
    assert "No budget table: no weekly unit cost" in a.budget_gap()
