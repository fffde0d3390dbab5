"""Tests of helpers.analysis.stats on the national files: Oflog's published MAD distances and medians."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import stats as st
from helpers.core import paths

# ------------------------------------------------------------------------------------------------- MAD


def _oflog() -> pd.DataFrame:
    return pd.read_csv(paths.national_dir() / "ascof" / "oflog_asc_measures_2015-16_to_2022-23.csv")


@pytest.mark.national
def test_reproduces_oflog_mads_from_median():
    """Oflog: raw (unscaled) MAD; median and MAD over all councils with a value, per measure and year."""
    d = _oflog()
    got = pd.concat(
        [st.mads_from_median(g["Value"], g["Value"], scaled=False) for _, g in d.groupby(["Code", "Financial year"])]
    ).reindex(d.index)
    assert (got.isna() == d["MADs_from_median"].isna()).all()
    assert np.nanmax(np.abs(got - d["MADs_from_median"])) < 1e-6
    # and their MEDIAN column is the median over the same set
    med = d.groupby(["Code", "Financial year"])["Value"].transform("median")
    assert np.allclose(med, d["MEDIAN"], atol=1e-9)
    # a scaled MAD (x1.4826) would not reproduce it: every distance would shrink by 1.4826
    scaled = pd.concat(
        [st.mads_from_median(g["Value"], g["Value"], scaled=True) for _, g in d.groupby(["Code", "Financial year"])]
    ).reindex(d.index)
    nz = d["MADs_from_median"].abs() > 0.5
    assert np.allclose(d.loc[nz, "MADs_from_median"] / scaled[nz], 1.482602, rtol=1e-5)


@pytest.mark.national
def test_oflog_median_is_national_not_by_council_type():
    d = _oflog()
    by_type = d.groupby(["Code", "Financial year", "Entity_Name"])["Value"].transform("median")
    assert d.groupby(["Code", "Financial year"])["MEDIAN"].nunique().eq(1).all()
    assert not np.allclose(by_type, d["MEDIAN"], equal_nan=True)
