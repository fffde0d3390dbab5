"""Tests of helpers.data.national.activity without national data: the year convention and the unit table.
The tests on the real files are in ``tests/data/test_activity.py``.
"""

from __future__ import annotations

import pytest

from helpers.core import periods
from helpers.data.national import activity as A


def test_financial_year_convention():
    """File year = the year the financial year ends (established by the national tests below)."""
    assert periods.fy_from_end_year(2001) == "2000-01"
    assert periods.fy_from_end_year(2014) == "2013-14"
    assert periods.fy_from_end_year(2000) == "1999-00"


def test_units_by_setting_and_year():
    """The unit table (hand-written from the evidence in docs/methods.md)."""
    assert A.unit_of("residential", "2000-01") == ("weeks", "65+")
    assert A.unit_of("nursing", "2021-22") == ("weeks", "65+")
    assert A.unit_of("home_care", "2013-14") == ("hours", "18+")
    assert A.unit_of("day_care", "2008-09") == ("clients_per_week", "65+")
    assert A.unit_of("day_care", "2009-10") == ("clients_per_week", "18+")
    assert A.unit_of("short_term_max_independence", "2016-17") == ("weeks", "65+")
    assert A.unit_of("unspecified", "2019-20") == ("unconfirmed", "65+")
    with pytest.raises(ValueError):
        A.unit_of("home_care", "2015-16")
