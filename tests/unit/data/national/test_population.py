"""Tests of helpers.data.national.population on hand-made tables (synthetic, no national data): the financial-year
convention and the age bands. The tests on the real files are in ``tests/data/test_population.py``.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from helpers.core import periods
from helpers.data.national import population as P


def test_financial_year_convention():
    """The financial year starting in the mid-year (hand-worked; :func:`helpers.core.periods.fy`, as
    :func:`helpers.data.national.population.age_bands` uses)."""
    assert periods.fy(2022) == "2022-23"
    assert periods.fy(2015) == "2015-16"
    assert periods.fy(1999) == "1999-00"


@given(st.integers(min_value=1990, max_value=2098))
def test_financial_year_property(y):
    fy = periods.fy(y)
    assert int(fy[:4]) == y and (int(fy[:4]) + 1) % 100 == int(fy[5:])


def test_age_bands_hand_worked():
    """Bands from a hand-made single-year table: ages 0..90 with population = age (synthetic).

    all = 0+1+...+90 = 4095; 18-64 = sum(18..64) = 1927; 65+ = sum(65..90) = 2015; 18+ = 3942;
    85+ = 85+..+90 = 525.
    """
    sya = pd.DataFrame({"gss_code": "E08000007", "mid_year": 2022, "sex": "persons", "age": list(range(91)),
                        "population": [float(a) for a in range(91)], "source_id": "mye_2022",
                        "geography_vintage": "2023 boundaries"})
    male = sya.assign(sex="male", population=1.0)
    out = P.age_bands(pd.concat([sya, male]))
    got = dict(zip(out["age_band"], out["population"], strict=True))
    assert got == {"all": 4095.0, "18+": 3942.0, "18-64": 1927.0, "65+": 2015.0, "85+": 525.0}
    assert out["year"].unique().tolist() == ["2022-23"]
    assert out["age_band"].tolist() == ["all", "18+", "18-64", "65+", "85+"]
