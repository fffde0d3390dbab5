"""Tests of helpers.data.national.spend on hand-made tables (synthetic, no national data): real terms and totals.
The tests on the real files are in ``tests/data/test_spend.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import ParameterError
from helpers.data.national import spend as S

_DEF = pd.DataFrame({"year": ["2021-22", "2022-23", "2023-24"], "gdp_deflator": [90.0, 100.0, 110.0]})


def test_to_real_terms_hand_worked():
    """Synthetic deflators 90 / 100 / 110: 99 in 2021-22 is 121 in 2023-24 prices (99 x 110 / 90)."""
    df = pd.DataFrame({"year": ["2021-22", "2022-23", "2023-24", "2022-23"], "v": [99.0, 50.0, 7.0, np.nan]})
    out = S.to_real_terms(df, "v", base_year="2023-24", deflators=_DEF)
    assert out.iloc[0] == pytest.approx(121.0)
    assert out.iloc[1] == pytest.approx(55.0)
    assert out.iloc[2] == 7.0  # the base year is unchanged
    assert np.isnan(out.iloc[3])  # missing stays missing
    back = S.to_real_terms(df.assign(v=out, year="2023-24"), "v", base_year="2021-22", deflators=_DEF)
    assert back.iloc[0] == pytest.approx(99.0)  # 121 in 2023-24 prices is 99 in 2021-22 prices


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.sampled_from(list(_DEF["year"])),
       st.sampled_from(list(_DEF["year"])))
def test_to_real_terms_round_trip(x, year, base):
    """Property: converting to a base year and back returns the cash value (synthetic deflators)."""
    df = pd.DataFrame({"year": [year], "v": [x]})
    real = S.to_real_terms(df, "v", base_year=base, deflators=_DEF)
    again = S.to_real_terms(pd.DataFrame({"year": [base], "v": real.to_numpy()}), "v", base_year=year,
                            deflators=_DEF)
    assert again.iloc[0] == pytest.approx(x, rel=1e-12, abs=1e-9)


def test_to_real_terms_unknown_years():
    """A base year or a data year outside the series is a ParameterError (synthetic deflators)."""
    df = pd.DataFrame({"year": ["2022-23"], "v": [1.0]})
    with pytest.raises(ParameterError, match="base year '1999-00'"):
        S.to_real_terms(df, "v", base_year="1999-00", deflators=_DEF)
    with pytest.raises(ParameterError, match="2030-31"):
        S.to_real_terms(pd.DataFrame({"year": ["2030-31"], "v": [1.0]}), "v", deflators=_DEF)


def test_totals_helper_synthetic():
    """Synthetic spend rows (invented numbers): a published total wins; otherwise detail lines are summed,
    and one unreported line makes the sum not_available."""
    rows = [
        ("E1", "RO3", "total", 10.0, "reported"), ("E1", "RO3", "detail", 4.0, "reported"),
        ("E1", "RO3", "detail", 6.0, "reported"),
        ("E2", "ASC-FR", "detail", 1.5, "reported"), ("E2", "ASC-FR", "detail", 2.5, "reported"),
        ("E2", "ASC-FR", "memorandum", 99.0, "reported"),
        ("E3", "ASC-FR", "detail", 1.0, "reported"), ("E3", "ASC-FR", "detail", np.nan, "suppressed"),
    ]
    df = pd.DataFrame(rows, columns=["gss_code", "collection", "line_type", "value_gbp_k", "value_status"]).assign(
        year="2016-17", measure="total_expenditure")
    t = S.totals(df).set_index("gss_code")
    assert t.loc["E1", "value_gbp_k"] == 10.0 and t.loc["E1", "basis"] == "published_total"
    assert t.loc["E2", "value_gbp_k"] == 4.0 and t.loc["E2", "basis"] == "sum_of_detail_lines"
    assert np.isnan(t.loc["E3", "value_gbp_k"]) and t.loc["E3", "value_status"] == "not_available"
