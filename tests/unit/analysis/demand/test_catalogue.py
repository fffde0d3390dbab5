"""Tests of helpers.analysis.demand.catalogue: the series catalogue is consistent with the tables and models."""

from __future__ import annotations

from helpers.analysis.demand import catalogue, demography
from helpers.data import tables


def test_catalogue_entries_are_consistent():
    names = set(tables.discover())
    cat = catalogue.catalogue()
    assert list(cat["key"]) == list(catalogue.SERIES)
    for s in catalogue.SERIES.values():
        assert s.table in names, s.key
        assert s.kind in ("stock", "flow", "money", "unit_cost")
        assert s.driver_band is None or s.driver_band in demography.DEFAULT_BANDS
        assert s.scope in ("national", "council")
        assert set(s.models) <= {"driver", "stock-flow"}
        assert ("driver" in s.models) <= (s.driver_band is not None)
        assert (s.unit_cost is not None) <= (s.kind == "stock"), "only stocks get a budget table"
