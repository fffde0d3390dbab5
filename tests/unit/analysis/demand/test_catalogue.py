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
        assert s.join is None or (s.join == ("PSS-EX1", "ASC-FR") and s.table == "activity")
        assert (s.unit_cost is not None) <= (s.kind == "stock"), "only stocks get a budget table"
