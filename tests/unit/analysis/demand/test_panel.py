"""Tests of helpers.analysis.demand.panel: the year masks of the breaks (no data needed)."""

from __future__ import annotations

import numpy as np

from helpers.analysis.demand import panel


def test_year_masks_of_a_joined_series_through_covid():
    years = np.arange(2012, 2022)  # 2012-13 .. 2021-22
    growth, cross = panel.year_masks(years, "2014-15")
    label = [f"{y}-{(y + 1) % 100:02d}" for y in years]
    assert [y for y, g in zip(label, growth, strict=True) if not g] == ["2012-13", "2014-15", "2020-21", "2021-22"]
    assert [y for y, c in zip(label, cross, strict=True) if not c] == ["2014-15", "2020-21"]


def test_scorable_forecasts(make_panel):
    p = make_panel(np.ones((2, 10)) * 100, 2012, join_year="2014-15")
    assert not p.scorable(1, 1)  # 2013-14 -> 2014-15: across the change of collection
    assert p.scorable(2, 1) and p.scorable(2, 5)  # from 2014-15 to 2019-20
    assert not p.scorable(7, 1) and not p.scorable(6, 2) and p.scorable(8, 1)  # COVID 2020-21
    assert not p.scorable(8, 2)  # beyond the panel
