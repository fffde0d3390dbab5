"""Tests of helpers.data.national.population (ONS mid-year estimates, MYE2).

National tests reproduce figures published in the files themselves (England, a region, Stockport) and
check the tables' internal arithmetic (bands, sexes, councils -> regions -> England). The tests on small
synthetic grids (layouts and edge cases) are in ``tests/unit/data/national/test_population_files.py`` and
``tests/unit/data/national/test_population.py``.
"""

from __future__ import annotations

import re
import time
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data.councils import ENGLAND
from helpers.data.national import population as P
from helpers.data.national import population_files as PF

# Published England "All ages" for each mid-year, as printed in each file's MYE2 persons sheet
# (E92000001 row). Mid-2021 is the first Census-2021-based estimate.
ENGLAND_ALL_AGES = {
    2015: 54_786_327, 2016: 55_268_067, 2017: 55_619_430, 2018: 55_977_178, 2019: 56_286_961,
    2020: 56_550_138, 2021: 56_536_419, 2022: 57_106_398, 2023: 57_690_323,
}
# Councils with adult social services responsibility in each file (boundary set of the file).
COUNCILS_PER_FILE = {2015: 152, 2016: 152, 2017: 152, 2018: 151, 2019: 151, 2020: 152, 2021: 152,
                     2022: 153, 2023: 153}
COUNCIL_PREFIXES = ("E06", "E08", "E09", "E10")


# ------------------------------------------------------------------------------------------------
# Real files
# ------------------------------------------------------------------------------------------------


@cache
def _raw(mid_year: int, sex: str = "persons") -> tuple[pd.DataFrame, str]:
    from helpers.data import sources
    from helpers.data.io import read_sheet, sheet_names

    path = sources.path(PF.SOURCE_IDS[mid_year])
    sheet = PF.find_sheet(sheet_names(path), sex, file=path)
    return read_sheet(path, sheet), sheet


@cache
def _wide(mid_year: int, sex: str = "persons") -> pd.DataFrame:
    return PF.read_mye(mid_year, sex)


@pytest.fixture(scope="module")
def tables_built():
    from helpers.data import tables

    res = tables.build(["population_sya", "population", "population_latest_boundaries"])
    bad = [f"{r.name}: {r.status} {r.message}" for r in res if r.status in ("failed", "skipped")]
    assert not bad, bad
    return tables.load("population_sya"), tables.load("population")


@pytest.mark.national
@pytest.mark.parametrize("mid_year", sorted(PF.SOURCE_IDS))
def test_england_total_reproduced(tables_built, mid_year):
    """England all ages = the published England cell = the sum of the councils, every mid-year."""
    _, pop = tables_built
    allb = pop[(pop.mid_year == mid_year) & (pop.age_band == "all")].set_index("gss_code")["population"]
    wide = _wide(mid_year)
    published = wide.loc[wide.gss_code == ENGLAND, "all_ages"].item()
    assert published == ENGLAND_ALL_AGES[mid_year]
    assert allb[ENGLAND] == published
    councils = allb[allb.index.str[:3].isin(COUNCIL_PREFIXES)]
    assert len(councils) == COUNCILS_PER_FILE[mid_year]
    assert councils.sum() == published


@pytest.mark.national
def test_known_published_values(tables_built):
    """Values read off the files by eye (mye22final.xlsx 'MYE2 - Persons' row 130: Stockport)."""
    _, pop = tables_built
    v = pop.set_index(["gss_code", "mid_year", "age_band"])["population"]
    assert v["E08000007", 2022, "all"] == 297_107          # Stockport, mid-2022, row 130
    assert v["E09000001", 2022, "all"] == 10_847           # City of London, mid-2022
    assert v["E06000053", 2022, "all"] == 2_281            # Isles of Scilly, mid-2022
    assert v["E12000002", 2022, "all"] == 7_516_113        # North West, mid-2022
    assert v["E08000007", 2017, "all"] == 291_045          # Stockport, mid-2017
    assert v["E06000028", 2017, "all"] == 194_752          # Bournemouth, mid-2017 (before BCP)
    assert v["E10000009", 2017, "all"] == 424_667          # Dorset county, mid-2017


@pytest.mark.national
def test_bands_add_up(tables_built):
    """18-64 + 65+ = 18+ and 18+ <= all, 85+ <= 65+, for every area and year."""
    _, pop = tables_built
    w = pop.pivot_table(index=["gss_code", "mid_year"], columns="age_band", values="population")
    assert np.allclose(w["18-64"] + w["65+"], w["18+"], rtol=0, atol=1e-6)
    assert (w["18+"] <= w["all"]).all() and (w["85+"] <= w["65+"]).all()
    assert len(w) == len(pop) / 5


@pytest.mark.national
@pytest.mark.parametrize("mid_year", sorted(PF.SOURCE_IDS))
def test_single_years_sum_to_published_all_ages(tables_built, mid_year):
    """Sum of single years (our 'all' band) = the file's own 'All ages' column, every area, both sexes."""
    sya, pop = tables_built
    wide = pd.concat([_wide(mid_year, s) for s in PF.SEXES])
    published = wide.set_index(["gss_code", "sex"])["all_ages"]
    ours = sya[sya.mid_year == mid_year].groupby(["gss_code", "sex"])["population"].sum()
    joined = pd.concat([ours, published], axis=1, join="inner")
    assert len(joined) == len(ours) == 3 * (COUNCILS_PER_FILE[mid_year] + 10)
    assert (joined.iloc[:, 0] == joined.iloc[:, 1]).all()


@pytest.mark.national
@pytest.mark.parametrize("mid_year", sorted(PF.SOURCE_IDS))
def test_councils_add_up_to_regions(tables_built, mid_year):
    """Sum of councils in each region (regions from helpers.data.councils) = the published region, each age."""
    from helpers.data import councils

    sya, _ = tables_built
    member = councils.reference().set_index("gss_code")["region_code"]
    d = sya[(sya.mid_year == mid_year) & (sya.sex == "persons")]
    c = d[d.gss_code.str[:3].isin(COUNCIL_PREFIXES)]
    summed = c.assign(region=c.gss_code.map(member)).groupby(["region", "age"])["population"].sum()
    regions = d[d.gss_code.str.startswith("E12")].set_index(["gss_code", "age"])["population"]
    assert len(regions) == 9 * 91
    assert (summed.reindex(regions.index) == regions).all()
    eng = d[d.gss_code == ENGLAND].set_index("age")["population"]
    assert (regions.groupby(level="age").sum() == eng).all()


@pytest.mark.national
def test_males_plus_females_equal_persons(tables_built):
    sya, _ = tables_built
    w = sya.pivot_table(index=["gss_code", "mid_year", "age"], columns="sex", values="population")
    assert w.notna().all().all()
    assert ((w["male"] + w["female"]) == w["persons"]).all()


@pytest.mark.national
def test_row_counts_and_no_missing(tables_built):
    """Rows per year = (councils + 9 regions + England) x 91 ages x 3 sexes; x 5 bands; none missing."""
    sya, pop = tables_built
    for y, n in COUNCILS_PER_FILE.items():
        assert (sya.mid_year == y).sum() == (n + 10) * 91 * 3
        assert (pop.mid_year == y).sum() == (n + 10) * 5
    for df in (sya, pop):
        assert df["population"].notna().all() and (df["population"] >= 0).all()
    assert sya.age.min() == 0 and sya.age.max() == 90
    assert pop.groupby("mid_year")["year"].unique().map(list).to_dict() == {
        y: [periods.fy(y)] for y in PF.SOURCE_IDS
    }
    assert list(sya.columns) == ["gss_code", "mid_year", "sex", "age", "population", "source_id",
                                 "geography_vintage"]
    assert list(pop.columns) == ["gss_code", "mid_year", "year", "age_band", "population", "source_id"]
    assert sya.equals(sya.sort_values(["mid_year", "gss_code", "sex", "age"],
                                      key=lambda s: s.map({"persons": 0, "male": 1, "female": 2})
                                      if s.name == "sex" else s).reset_index(drop=True))


@pytest.mark.national
def test_codes_kept_as_published(tables_built):
    """Boundary changes are not re-aggregated: each file's own codes, with its vintage."""
    sya, _ = tables_built
    codes = sya.groupby("mid_year")["gss_code"].apply(set)
    assert "E06000028" in codes[2017] and "E06000058" not in codes[2017]       # Bournemouth
    assert "E06000058" in codes[2018] and "E06000028" not in codes[2018]       # BCP on 2019 codes
    assert "E10000021" in codes[2019] and "E06000061" in codes[2020]           # Northamptonshire split
    assert "E10000006" in codes[2021] and "E10000006" not in codes[2022]       # Cumbria
    assert {"E06000063", "E06000064", "E06000065", "E06000066"} <= codes[2022]
    assert "E07000048" not in set().union(*codes)                              # no districts
    vint = sya.groupby("mid_year")["geography_vintage"].unique().map(list).to_dict()
    assert vint[2018] == ["2019 boundaries"] and vint[2022] == ["2023 boundaries"]


@pytest.mark.national
def test_councils_checked_against_reference():
    """A council code the reference does not know, or a missing council, fails naming the file's row."""
    wide = _wide(2022)
    bad = wide.copy()
    i = bad.index[bad.gss_code == "E08000007"][0]
    bad.loc[i, "gss_code"] = "E08000099"
    with pytest.raises(DataError, match=r"row 130, column 'Code': council code E08000099 \(Stockport\) is not in "
                                        r"the council reference table"):
        P.select_areas(bad, 2022, file="mye22final.xlsx")
    with pytest.raises(DataError, match=r"missing from the file, first E08000007 \(Stockport\)"):
        P.select_areas(wide[wide.gss_code != "E08000007"], 2022, file="mye22final.xlsx")
    # a council of another boundary set: Cumbria (abolished April 2023) in the mid-2022 file
    old = wide.copy()
    old.loc[old.gss_code == "E06000063", "gss_code"] = "E10000006"
    with pytest.raises(DataError, match=r"E10000006 \(Cumberland\) is not a council of 2023-24"):
        P.select_areas(old, 2022, file="mye22final.xlsx")


@pytest.mark.national
def test_on_financial_year_councils(tables_built):
    """Population on each financial year's councils: counts as helpers.data.councils; successors summed only
    where they are exactly the old area; otherwise NaN with a reason."""
    from helpers.data import councils

    _, pop = tables_built
    fy = P.on_financial_year_councils(pop)
    c = fy[fy.gss_code.str[:3].isin(COUNCIL_PREFIXES)]
    counts = c.groupby("year")["gss_code"].nunique()
    assert counts.to_dict() == councils.counts_by_year(list(counts.index)).to_dict()
    for year in counts.index:
        assert set(c.loc[c.year == year, "gss_code"]) == set(councils.current(year)["gss_code"])
    v = pop.set_index(["gss_code", "year", "age_band"])["population"]
    f = fy.set_index(["gss_code", "year", "age_band"])
    # Cumbria 2022-23 = Cumberland + Westmorland and Furness (mid-2022 file, April 2023 boundaries)
    assert f.loc[("E10000006", "2022-23", "65+"), "population"] == v["E06000063", "2022-23", "65+"] + v[
        "E06000064", "2022-23", "65+"]
    assert f.loc[("E10000023", "2022-23", "18+"), "population"] == v["E06000065", "2022-23", "18+"]
    assert f.loc[("E10000021", "2020-21", "all"), "population"] == v["E06000061", "2020-21", "all"] + v[
        "E06000062", "2020-21", "all"]
    assert f.loc[("E10000002", "2019-20", "all"), "basis"].startswith("recoded")
    assert np.isnan(f.loc[("E06000028", "2018-19", "all"), "population"])
    assert f.loc[("E06000028", "2018-19", "all"), "population_status"] == "not_available"
    assert "E06000058" not in set(fy.loc[fy.year == "2018-19", "gss_code"])
    reported = fy[fy.population_status == "reported"]
    assert reported.population.notna().all()
    assert (fy.loc[fy.population_status != "reported", "population"].isna()).all()
    # sum of the year's councils = England wherever every council has a figure
    for _year, part in fy[fy.age_band == "all"].groupby("year"):
        cs = part[part.gss_code.str[:3].isin(COUNCIL_PREFIXES)]
        if cs.population.notna().all():
            assert cs.population.sum() == part.loc[part.gss_code == ENGLAND, "population"].item()


@pytest.mark.national
def test_latest_boundaries_series(tables_built):
    """The derived continuous series: every year's councils (April 2023 boundaries) add up to the
    published England; published rows equal population_sya; counties = the districts they are split by."""
    from helpers.data import councils, tables

    sya, _ = tables_built
    lat = tables.load("population_latest_boundaries")
    latest = set(councils.current("2023-24")["gss_code"])
    assert len(lat) == (153 + 10) * 91 * len(PF.SOURCE_IDS)
    for y, part in lat.groupby("mid_year"):
        cs = part[part.gss_code.isin(latest)]
        assert cs.gss_code.nunique() == 153
        assert cs.population.sum() == ENGLAND_ALL_AGES[y]
    pub = lat[lat.basis == "published"].merge(
        sya[sya.sex == "persons"], on=["gss_code", "mid_year", "age"], suffixes=("", "_sya"))
    assert len(pub) == (lat.basis == "published").sum()
    assert (pub.population == pub.population_sya).all()
    # the county rows equal the sum of the districts listed in SUCCESSOR_COMPONENTS, in the files that
    # list the county (so no district is missing from the lists)
    county_parts = {
        "E10000009": ["E07000048", *P.SUCCESSOR_COMPONENTS["E06000059"]],              # Dorset
        "E10000021": [*P.SUCCESSOR_COMPONENTS["E06000061"], *P.SUCCESSOR_COMPONENTS["E06000062"]],
        "E10000006": [*P.SUCCESSOR_COMPONENTS["E06000063"], *P.SUCCESSOR_COMPONENTS["E06000064"]],
    }
    checked = 0
    for y in PF.SOURCE_IDS:
        w = _wide(y).set_index("gss_code")
        for county, parts in county_parts.items():
            if county in w.index:
                assert w.loc[parts, "all_ages"].sum() == w.loc[county, "all_ages"]
                checked += 1
    assert checked == 3 + 5 + 7  # Dorset to mid-2017, Northamptonshire to mid-2019, Cumbria to mid-2021
    # continuity at the joins: the derived last year before a change is within 1.5% of the first published
    s = lat[lat.age >= 0].groupby(["gss_code", "mid_year"])["population"].sum()
    for code, last_derived in {"E06000058": 2017, "E06000059": 2017, "E06000063": 2021, "E06000064": 2021}.items():
        assert abs(s[code, last_derived + 1] / s[code, last_derived] - 1) < 0.015


@pytest.mark.national
def test_read_speed():
    """All nine files (3 sheets each) read and parsed in a few seconds."""
    PF._read_mye_cached.cache_clear()
    t0 = time.perf_counter()
    sya = P.load_population_sya()
    seconds = time.perf_counter() - t0
    assert len(sya) > 390_000
    assert seconds < 15, f"full read took {seconds:.1f} s"


# ------------------------------------------------------------------------------------------------
# Fuzz: mangled copies of real rows (in memory)
# ------------------------------------------------------------------------------------------------


def _real_snippet(mid_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Header + the first 6 data rows of a real MYE2 sheet, and their parse (in memory only)."""
    raw, _ = _raw(mid_year)
    lay = PF.find_header(raw, file="real")
    snippet = raw.iloc[lay.row: lay.row + 7].reset_index(drop=True)
    return snippet, PF.parse_mye_sheet(snippet, file="real")


def _case(text: str, how: int) -> str:
    return [text, text.upper(), text.lower(), f"  {text} ", text.replace(" ", "  ")][how]


@pytest.mark.national
@given(
    mid_year=st.sampled_from([2015, 2017, 2022]),
    lead=st.integers(min_value=0, max_value=12),
    case=st.integers(min_value=0, max_value=4),
    age_style=st.sampled_from(["int", "str", "float"]),
    plus=st.booleans(),
    trailing_blank=st.booleans(),
)
def test_fuzz_header_detection_real_rows(mid_year, lead, case, age_style, plus, trailing_blank):
    """Real rows under a mangled header (junk rows above, label case/spacing, age label types) parse to
    the same numbers; the row numbers shift by the rows added."""
    snippet, expected = _real_snippet(mid_year)
    g = snippet.copy()
    lay = PF.find_header(g, file="real")
    for col, text in ((lay.code, "Code"), (lay.name, "Name"), (lay.all_ages, "All ages")):
        g.iat[0, col] = _case(text, case)
    for age, col in zip(PF.AGES, lay.ages, strict=True):
        lab: object = {"int": age, "str": str(age), "float": float(age)}[age_style]
        if age == 90 and plus:
            lab = "90+"
        g.iat[0, col] = lab
    if trailing_blank:
        g[g.shape[1]] = None
    junk = pd.DataFrame([[f"note {i}" if i % 3 == 0 else None] + [None] * (g.shape[1] - 1) for i in range(lead)],
                        columns=g.columns)
    mangled = pd.concat([junk, g], ignore_index=True)
    got = PF.parse_mye_sheet(mangled, file="real")
    cols = ["gss_code", "all_ages", *PF.AGES]
    pd.testing.assert_frame_equal(got[cols], expected[cols])
    assert (got["_row"] - expected["_row"] == lead).all()


@pytest.mark.national
@given(
    mid_year=st.sampled_from([2016, 2020, 2023]),
    data_row=st.integers(min_value=1, max_value=6),
    age=st.integers(min_value=0, max_value=90),
    junk=st.text(alphabet="abcxyz?-/ ", min_size=1, max_size=6).filter(
        lambda s: s.strip().lower() not in ("x", "c", "z", "")),
)
def test_fuzz_bad_cell_located(mid_year, data_row, age, junk):
    """A non-number put in any real data cell fails naming that row and age column."""
    snippet, _ = _real_snippet(mid_year)
    lay = PF.find_header(snippet, file="real")
    g = snippet.copy()
    g.iat[data_row, lay.ages[age]] = junk
    label = str(snippet.iat[0, lay.ages[age]]).strip()
    with pytest.raises(DataError, match=rf"row {data_row + 1}, column '{re.escape(label)}'"):
        PF.parse_mye_sheet(g, file="real")


@pytest.mark.national
@given(mid_year=st.sampled_from([2015, 2018, 2021]), age=st.integers(min_value=0, max_value=90))
def test_fuzz_header_age_removed(mid_year, age):
    """A real header with one age label blanked fails naming that age."""
    snippet, _ = _real_snippet(mid_year)
    lay = PF.find_header(snippet, file="real")
    g = snippet.copy()
    g.iat[0, lay.ages[age]] = None
    with pytest.raises(DataError, match=rf"row 1, column '{age}': no column for age {age}"):
        PF.parse_mye_sheet(g, file="real")


@pytest.mark.national
def test_ascof_2a_denominators_are_the_mid_year_estimates(tables_built):
    """Two sources that should agree: the ASCOF 2020-21 open data's 2A denominators (population aged 18-64 /
    65+) are ONS's mid-2020 estimates -- every one of the 160 published, councils, regions and England, equals
    our 2020-21 band exactly (Northamptonshire as the sum of North and West Northamptonshire, as
    on_financial_year_councils gives it). This also confirms the denominator convention (financial year
    2020-21 -> mid-2020). Hackney has no 2020-21 ASCOF data."""
    from helpers.data import tables

    _, pop = tables_built
    bad = [f"{r.name}: {r.message}" for r in tables.build(["ascof"]) if r.status in ("failed", "skipped")]
    assert not bad, bad
    asc = tables.load("ascof")
    fy = P.on_financial_year_councils(pop)
    op = asc[(asc.source_id == "ascof_2020_21_open_data") & (asc.disaggregation == "Total")]
    for code, band in (("2A(2)", "65+"), ("2A(1)", "18-64")):
        den = op[(op.measure_code == code) & op.denominator.notna()].set_index("gss_code")["denominator"]
        ours = fy[(fy.year == "2020-21") & (fy.age_band == band)].set_index("gss_code")["population"]
        assert len(den) == 160 and "E09000012" not in den.index
        assert (den == ours.reindex(den.index)).all()
    assert den["E92000001"] == 33_992_831
