"""Tests of helpers.analysis.demand.series: one council's series cut at its breaks, on SYNTHETIC frames (made up
here, never real council data; the tests on the real tables are in tests/data/test_demand.py)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.analysis.demand import series
from helpers.core import periods
from helpers.core.errors import DataError, ParameterError


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


def test_series_for_cuts_at_collection_change_gap_and_zero(fake_frame, synthetic_frame):
    """Synthetic Stockport series: PSS-EX1 2010-11..2013-14, ASC-FR from 2014-15 with a gap and a zero."""
    rows = [("E08000007", y, 500.0, "reported", "PSS-EX1") for y in fy(2010, 4)]
    rows += [("E08000007", "2014-15", 400.0, "reported", "ASC-FR"), ("E08000007", "2015-16", 0.0, "reported", "ASC-FR"),
             ("E08000007", "2016-17", 410.0, "reported", "ASC-FR"),  # 2017-18 missing: a gap
             *[("E08000007", y, 420.0 + i, "reported", "ASC-FR") for i, y in enumerate(fy(2018, 4))]]
    fake_frame["df"] = synthetic_frame(rows)
    s, meta = series.series_for("Stockport", "op_residential_placements")
    assert list(s.index) == fy(2018, 4) and s.tolist() == [420.0, 421.0, 422.0, 423.0]
    text = " ".join(meta.breaks)
    assert "Collection change: PSS-EX1 figures for 2010-11 to 2013-14" in text
    assert "2015-16 (zero or negative)" in text and "2017-18 (no row)" in text and "after 2017-18" in text
    assert meta.break_year == "2020-21" and "COVID-19" in text
    assert meta.history["used"].sum() == 4 and meta.break_marks == ("2018-19", "2020-21")


def test_series_for_suppressed_value_and_trailing_missing(fake_frame, synthetic_frame):
    """Synthetic: a suppressed middle year cuts the series; a missing last year ends it, saying so."""
    rows = [("E08000007", y, 100.0 + i, "reported", "ASC-FR") for i, y in enumerate(fy(2014, 8))]
    rows[3] = ("E08000007", "2017-18", np.nan, "suppressed", "ASC-FR")
    rows[-1] = ("E08000007", "2021-22", np.nan, "missing", "ASC-FR")
    fake_frame["df"] = synthetic_frame(rows)
    s, meta = series.series_for("E08000007", "op_residential_placements")
    assert list(s.index) == fy(2018, 3)
    assert any("2017-18 (suppressed)" in b for b in meta.breaks)
    assert any("No usable value after 2020-21 (2021-22)" in b for b in meta.breaks)
    assert meta.break_year == "2020-21"  # the last year: forecasts of it are not scored


def test_series_for_errors(fake_frame, synthetic_frame):
    """Synthetic: no rows, only zeros/negatives, two codes of one area with the same year."""
    fake_frame["df"] = synthetic_frame([("E08000009", "2020-21", 5.0, "reported", "ASC-FR")])
    with pytest.raises(DataError, match=r"Stockport \(E08000007\) has no older people .*\(2020-21 to 2020-21\): the activity table"):
        series.series_for("E08000007", "op_residential_placements")
    fake_frame["df"] = synthetic_frame([("E08000007", "2020-21", 0.0, "reported", "ASC-FR"),
                                        ("E08000007", "2021-22", -3.0, "reported", "ASC-FR")])
    with pytest.raises(DataError, match="no positive .*2020-21: 0.0; 2021-22: -3.0.*must be positive"):
        series.series_for("E08000007", "op_residential_placements")
    fake_frame["df"] = synthetic_frame([("E06000060", "2019-20", 5.0, "reported", "ASC-FR"),
                                        ("E10000002", "2019-20", 6.0, "reported", "ASC-FR")])
    with pytest.raises(DataError, match="values under two of its codes"):
        series.series_for("E06000060", "op_residential_placements")
    with pytest.raises(ParameterError, match="unknown council"):
        series.series_for("Narnia", "op_residential_placements")


def test_recoded_council_joined_and_old_code_followed(fake_frame, synthetic_frame):
    """Synthetic: Buckinghamshire's old county code to 2019-20, the unitary code after: one series, said so."""
    fake_frame["df"] = synthetic_frame(
        [("E10000002", y, 10.0 + i, "reported", "ASC-FR") for i, y in enumerate(fy(2014, 6))]
        + [("E06000060", y, 20.0, "reported", "ASC-FR") for y in fy(2020, 2)])
    s, meta = series.series_for("E06000060", "op_residential_placements")
    assert len(s) == 8 and meta.codes == ("E06000060", "E10000002")
    assert any("was E10000002 before E06000060 (same area)" in b for b in meta.breaks)
    s_old, meta_old = series.series_for("E10000002", "op_residential_placements")  # old code: followed
    assert meta_old.council == "E06000060" and s_old.equals(s)
    assert meta_old.breaks[0].startswith("E10000002 is an older code of Buckinghamshire")
