"""Tests of helpers.analysis.demand.demography (cohort ageing). Every population here is a SYNTHETIC toy, not ONS data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis.demand.demography import (
    ProjectionWarning,
    band_growth,
    band_series,
    population_driver,
    project_population,
)
from helpers.core.errors import DataError, ParameterError

# the toy bands start at age 0, which is held constant: that warning is tested once, below
pytestmark = pytest.mark.filterwarnings("ignore::helpers.analysis.demand.demography.ProjectionWarning")

TOY_BANDS = {"1+": (1, None), "0-1": (0, 1), "2+": (2, None), "3+": (3, None)}


def toy(years=range(2018, 2022), shape=(100.0, 90.0, 80.0, 150.0), grow=0.0) -> pd.DataFrame:
    """Synthetic population, ages 0..3 (3 = open-ended), optionally growing by ``grow`` per year per age."""
    rows = [(y, a, shape[a] + grow * (y - 2018) + (10 * a * (grow != 0))) for y in years for a in range(4)]
    return pd.DataFrame(rows, columns=["mid_year", "age", "population"])


def pop_of(out: pd.DataFrame, band: str, year: int) -> float:
    return float(out[(out["band"] == band) & (out["mid_year"] == year)]["population"].iloc[0])


def test_stationary_population_stays_constant():
    out = project_population(toy(), 3, bands={"1+": (1, None), "3+": (3, None)})
    assert out["kind"].value_counts().to_dict() == {"estimate": 8, "projection": 6}
    for y in (2022, 2023, 2024):
        assert pop_of(out, "1+", y) == pytest.approx(90 + 80 + 150)
        assert pop_of(out, "3+", y) == pytest.approx(150)  # open group: 150 / (80 + 150) x (80 + 150)


def test_hand_computed_cohort_ageing():
    # synthetic: P(a, y) = 100 + 10a + (y - 2018)
    rows = [(y, a, 100.0 + 10 * a + (y - 2018)) for y in range(2018, 2022) for a in range(4)]
    out = project_population(pd.DataFrame(rows, columns=["mid_year", "age", "population"]), 1, bands=TOY_BANDS)
    r1 = (111 + 112 + 113) / (100 + 101 + 102)  # age 0 -> 1, ratio of sums over 3 transitions
    r2 = (121 + 122 + 123) / (110 + 111 + 112)
    r3 = (131 + 132 + 133) / ((120 + 130) + (121 + 131) + (122 + 132))  # open-ended 3+
    p = {0: 103.0, 1: r1 * 103, 2: r2 * 113, 3: r3 * (123 + 133)}
    assert pop_of(out, "0-1", 2022) == pytest.approx(p[0] + p[1])  # age 0 held at its last value
    assert pop_of(out, "2+", 2022) == pytest.approx(p[2] + p[3])
    assert pop_of(out, "3+", 2022) == pytest.approx(p[3])
    assert pop_of(out, "1+", 2021) == pytest.approx(113 + 123 + 133)  # estimates returned unchanged


def test_ratio_years_uses_only_last_transitions():
    rows = [(y, a, 100.0 + 10 * a + (y - 2018) ** 2) for y in range(2015, 2022) for a in range(4)]
    df = pd.DataFrame(rows, columns=["mid_year", "age", "population"])
    one = project_population(df, 1, ratio_years=1, bands=TOY_BANDS)
    r1 = (100 + 10 + 9) / (100 + 4)  # P(1, 2021) / P(0, 2020)
    assert pop_of(one, "0-1", 2022) - 109 == pytest.approx(r1 * 109)


def test_groups_are_projected_separately_and_vectorised():
    a, b = toy(), toy(shape=(50.0, 60.0, 40.0, 10.0))
    both = pd.concat([a.assign(gss_code="E1"), b.assign(gss_code="E2")])
    out = project_population(both, 2, bands=TOY_BANDS)
    for code, single in (("E1", a), ("E2", b)):
        sep = project_population(single, 2, bands=TOY_BANDS)
        got = out[out["gss_code"] == code].drop(columns="gss_code").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, sep)


def test_default_bands_need_old_ages():
    with pytest.raises(ParameterError, match="band '18\\+'"):
        project_population(toy(), 1)


def test_bad_input_is_clear():
    df = toy()
    with pytest.raises(DataError, match="incomplete"):
        project_population(df.iloc[1:], 1, bands=TOY_BANDS)
    with pytest.raises(DataError, match="two rows"):
        project_population(pd.concat([df, df.iloc[:1]]), 1, bands=TOY_BANDS)
    with pytest.raises(DataError, match="consecutive"):
        project_population(toy(years=[2015, 2018, 2019, 2020]), 1, bands=TOY_BANDS)
    with pytest.raises(DataError, match="needs 4 mid-years"):
        project_population(toy(years=[2019, 2020]), 1, bands=TOY_BANDS)
    with pytest.raises(DataError, match="population"):
        project_population(df.assign(population=-1.0), 1, bands=TOY_BANDS)
    with pytest.raises(DataError, match="lacks column"):
        project_population(df.drop(columns="age"), 1, bands=TOY_BANDS)


def test_warns_when_band_depends_on_held_births():
    with pytest.warns(ProjectionWarning, match="youngest"):
        project_population(toy(), 2, bands={"1+": (1, None)})


def test_band_growth_and_series():
    out = project_population(toy(), 2, bands={"1+": (1, None)})
    s = band_series(out, "1+")
    assert s.index.tolist() == list(range(2018, 2024))
    assert band_growth(out, "1+", 2023) == pytest.approx(0.0)
    with pytest.raises(DataError):
        band_growth(out, "1+", 2030)


def test_population_driver_uses_only_data_up_to_origin():
    df = toy(years=range(2015, 2023), grow=2.0)
    drv = population_driver(df, "2+", bands=TOY_BANDS)
    changed = df.copy()
    changed.loc[changed["mid_year"] == 2022, "population"] *= 10  # a later estimate changes a lot
    drv2 = population_driver(changed, "2+", bands=TOY_BANDS)
    pd.testing.assert_series_equal(drv(2020, 2), drv2(2020, 2))
    assert drv(2020, 2).index.max() == 2022
    assert drv(2020, 2)[2021] != pop_of(project_population(df, 0, bands=TOY_BANDS), "2+", 2021)  # projected
    assert drv(2024, 1).index.max() == 2025  # beyond the last estimate: projected from 2022


@given(scale=st.floats(0.01, 1000), years=st.integers(1, 3))
def test_projection_scales_with_population(scale, years):
    base = toy(grow=3.0)
    a = project_population(base, years, bands=TOY_BANDS)
    b = project_population(base.assign(population=base["population"] * scale), years, bands=TOY_BANDS)
    assert np.allclose(b["population"], a["population"] * scale, rtol=1e-9)


@given(shape=st.lists(st.floats(1, 1e5), min_size=4, max_size=4))
def test_total_of_aged_population_follows_ratios(shape):
    # with unchanging history every ratio reproduces the same shape, so every band total is unchanged
    out = project_population(toy(shape=tuple(shape)), 2, bands={"1+": (1, None)})
    s = band_series(out, "1+")
    assert s.iloc[-1] == pytest.approx(s.iloc[0], rel=1e-9)


def test_other_columns_ignored_and_groups_chosen():
    df = toy().assign(gss_code="E1", source_id=lambda x: "mye" + x["mid_year"].astype(str))  # varies by year
    out = project_population(df, 1, bands=TOY_BANDS)
    assert "source_id" not in out.columns and set(out["gss_code"]) == {"E1"}
    pd.testing.assert_frame_equal(out.drop(columns="gss_code"), project_population(toy(), 1, bands=TOY_BANDS))
    with pytest.raises(ParameterError, match="not in the population table"):
        project_population(df, 1, bands=TOY_BANDS, by=["sex"])


def test_persons_and_single_sex_rows_are_not_summed_together():
    df = pd.concat([toy().assign(sex=s) for s in ("persons", "male", "female")])
    out = project_population(df, 1, bands=TOY_BANDS)
    with pytest.raises(ParameterError, match="persons"):
        band_series(out, "2+")
    two = pd.concat([toy().assign(gss_code=c) for c in ("E1", "E2")])
    with pytest.raises(ParameterError, match="one council"):
        population_driver(two, "2+", bands=TOY_BANDS)
