"""Tests of helpers.data.national.activity: the ``activity`` table.

National tests establish the file's year convention and units by matching the compilation against the
official files it was built from (the 2013-14 PSS-EX1 annex, the 2014-15 and 2015-16 activity files,
ASC-FR 2016-17), reproduce England rows from council rows, and check boundary changes, row counts and
missing values. The fuzz and bad-input tests use mangled copies of real rows written to a temporary
folder (not committed). The year convention and the unit table are tested without national data in
``tests/unit/data/national/test_activity.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data import councils, sources
from helpers.data.io import read_csv_raw
from helpers.data.national import activity as A

BARNSLEY, STOCKPORT, HARTLEPOOL = "E08000016", "E08000007", "E06000001"


@pytest.fixture(scope="module")
def act() -> pd.DataFrame:
    from helpers.data import tables

    res = tables.build(["activity"])
    bad = [f"{r.name}: {r.status} {r.message}" for r in res if r.status in ("failed", "skipped")]
    assert not bad, bad
    return tables.load("activity")


def _get(df: pd.DataFrame, gss: str, year: str, setting: str, provision: str) -> float:
    sel = df[(df.gss_code == gss) & (df.year == year) & (df.support_setting == setting) & (df.provision == provision)]
    assert len(sel) == 1, (gss, year, setting, provision)
    return float(sel["value"].iloc[0])


def _annex() -> pd.DataFrame:
    """The 2013-14 annex: one row per council (GSS), columns = the annex's data-item codes (D1.2 ...)."""
    raw = read_csv_raw(sources.path("pssex_2013_14_activity"), header=None, keep_default_na=False, na_values=[])
    codes = raw.iloc[5]
    body = raw[raw[0].str.match(r"^\d{3} - ")]
    out = body.iloc[:, 1:].copy()
    out.columns = codes.iloc[1:]
    out = out.apply(lambda s: pd.to_numeric(s.str.replace(",", "", regex=False), errors="coerce"))
    out.index = councils.cassr_to_gss(body[0], file="annex", column="0").to_numpy()
    return out


@pytest.mark.national
def test_year_2014_is_2013_14_and_units_from_the_annex(act):
    """File year 2014 = the 2013-14 PSS-EX1 annex, council by council: residential = D1.2 / D1.3 ("Number
    of weeks supported residents spent in residential ... care", 65+ own provision / provided by
    others), home care = F2.1 / F2.2 ("Actual hours of home care provided during the year", council /
    independent sector), day care = G1.1+G1.3+G1.5+G1.7 / G1.2+G1.4+G1.6+G1.8 ("Number of day care ...
    clients per week on average during the year"). Barnsley: 38,645 weeks, 69,730 + 667,610 hours."""
    raw = read_csv_raw(sources.path("pssex_2013_14_activity"), header=None, keep_default_na=False, na_values=[])
    text = " ".join(raw.iloc[2].astype(str))
    assert "Number of weeks supported residents spent in residential and nursing care" in text
    assert "Actual hours of home care provided during the year" in text
    assert "Number of day care or day services clients per week on average during the year" in text
    an = _annex()
    y = act[act.year == "2013-14"].set_index(["gss_code", "support_setting", "provision"])["value"]
    checks = {
        ("residential", "in_house"): an["D1.2"], ("residential", "external"): an["D1.3"],
        ("home_care", "in_house"): an["F2.1"], ("home_care", "external"): an["F2.2"],
        ("day_care", "in_house"): an[["G1.1", "G1.3", "G1.5", "G1.7"]].sum(axis=1, min_count=1),
        ("day_care", "external"): an[["G1.2", "G1.4", "G1.6", "G1.8"]].sum(axis=1, min_count=1),
    }
    for (setting, prov), want in checks.items():
        got = y.xs((setting, prov), level=[1, 2]).reindex(want.index)
        ok = np.isclose(got.to_numpy(), want.to_numpy(), atol=0.5)
        assert ok.sum() >= 150, (setting, prov, ok.sum())
    assert _get(act, BARNSLEY, "2013-14", "residential", "external") == 38_645
    assert _get(act, BARNSLEY, "2013-14", "home_care", "in_house") == 69_730
    assert _get(act, BARNSLEY, "2013-14", "home_care", "external") == 667_610
    # and the same annex columns do not match the neighbouring file year (2015 = 2014-15)
    other = act[(act.year == "2014-15") & (act.support_setting == "residential") & (act.provision == "external")]
    assert not np.isclose(other.set_index("gss_code")["value"].reindex(an.index), an["D1.3"]).mean() > 0.5


@pytest.mark.national
def test_year_2015_is_2014_15_weeks(act):
    """File year 2015 = the 2014-15 activity file ("Data for short and long term support are presented in
    weeks"): 65+ residential by provision and nursing, summed over support reasons, every council."""
    path = sources.path("pssex_2014_15_activity")
    raw = read_csv_raw(path, header=None, keep_default_na=False, na_values=[])
    assert (raw[0] == "Data for short and long term support are presented in weeks").any()
    header = raw.iloc[1]
    cols = [j for j in range(5, raw.shape[1]) if str(header[j])[:3].isdigit()]
    gss = councils.cassr_to_gss(pd.Series([header[j] for j in cols]), file=path, column="header").to_numpy()
    rows = raw[(raw[0] == "Long term") & (raw[1] == "Age 65 and over")]
    prov = {"In house provision": "in_house", "External provision": "external", "Total provision": "all"}
    y = act[act.year == "2014-15"].set_index(["gss_code", "support_setting", "provision"])["value"]
    for (mech, p), grp in rows.groupby([3, 4]):
        want = grp[cols].apply(pd.to_numeric).sum().to_numpy()
        got = y.xs((mech.lower(), prov[p]), level=[1, 2]).reindex(gss).to_numpy()
        np.testing.assert_allclose(got, want, atol=0.02)


@pytest.mark.national
def test_year_2016_is_2015_16(act):
    """File year 2016 = ASC-FR 2015-16 (fin-act, 65+, summed over support reasons): Stockport residential
    external 29,580 weeks, ST-Max in house 8,447 and external 1,121 weeks; every council."""
    fa = read_csv_raw(sources.path("ascfr_2015_16_activity"))
    fa = fa[fa["Age Bands"] == "Age 65 and over"].copy()
    fa["v"] = pd.to_numeric(fa["Value"])
    fa["gss"] = councils.cassr_to_gss(fa["Council Code"], file="fin-act", column="Council Code").to_numpy()
    setting = fa["Long Term Support Setting"].map({"Residential": "residential", "Nursing": "nursing",
                                                   "-": "short_term_max_independence"})
    prov = fa["Activity Provision"].map({"In house": "in_house", "External": "external"})
    want = fa.groupby([fa["gss"], setting, prov])["v"].sum()
    y = act[act.year == "2015-16"].set_index(["gss_code", "support_setting", "provision"])["value"]
    got = y.reindex(want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), atol=0.02)
    assert _get(act, STOCKPORT, "2015-16", "residential", "external") == 29_580
    assert _get(act, STOCKPORT, "2015-16", "short_term_max_independence", "in_house") == 8_447
    assert _get(act, STOCKPORT, "2015-16", "short_term_max_independence", "external") == 1_121


@pytest.mark.national
def test_year_2017_rows_attributed_from_ascfr_2016_17(act):
    """The compilation's unnamed 2016-17 rows are ASC-FR 2016-17 activity (65+): 151 councils (no Isles of
    Scilly); Hartlepool nursing 7,354, residential 23,896 and ST-Max 751 weeks, all external."""
    y = act[act.year == "2016-17"]
    assert y.gss_code.nunique() == 151 and "E06000053" not in set(y.gss_code) and len(y) == 1208
    assert _get(act, HARTLEPOOL, "2016-17", "nursing", "external") == 7_354
    assert _get(act, HARTLEPOOL, "2016-17", "residential", "all") == 23_896
    assert _get(act, HARTLEPOOL, "2016-17", "short_term_max_independence", "external") == 751


@pytest.mark.national
def test_councils_sum_to_england(act):
    """Where the compilation has an England row and every council reported, councils add up to it
    (residential weeks 2000-01, 2001-02, 2002-03, 2004-05, 2007-08; 2014-15 residential and nursing, whose
    nine regions add up to England too)."""
    cou = act[act.gss_code.str.match(r"^E(06|08|09|10)")].groupby(["year", "support_setting", "provision"])["value"].sum()
    eng = act[act.gss_code == "E92000001"].set_index(["year", "support_setting", "provision"])["value"]
    for year in ("2000-01", "2001-02", "2002-03", "2004-05", "2007-08"):
        for prov in ("external", "in_house"):
            assert cou[(year, "residential", prov)] == pytest.approx(eng[(year, "residential", prov)], rel=1e-6)
    reg = act[act.gss_code.str.startswith("E12")].groupby(["year", "support_setting", "provision"])["value"].sum()
    for key in eng.xs("2014-15", level=0, drop_level=False).index:
        assert cou[key] == pytest.approx(eng[key], abs=0.1) and reg[key] == pytest.approx(eng[key], abs=0.1)
    assert eng[("2014-15", "residential", "all")] == pytest.approx(5_969_666.42)


@pytest.mark.national
def test_rows_per_year_and_boundary_changes(act):
    """Geographies per year (councils of the year + England / regions where the file has them); councils
    that no longer exist keep their own codes."""
    n = act.groupby("year")["gss_code"].nunique()
    assert n["2000-01"] == 151 and n["2008-09"] == 151 and n["2009-10"] == 152 and n["2014-15"] == 162
    assert n["2019-20"] == 151 and n["2021-22"] == 152
    assert len(act) == 17181
    years = lambda code: set(act.loc[act.gss_code == code, "year"])  # noqa: E731
    assert max(years("E10000001")) == "2008-09" and min(years("E06000055")) == "2009-10"  # Bedfordshire -> Bedford
    assert max(years("E06000028")) == "2018-19" and min(years("E06000058")) == "2019-20"  # Bournemouth -> BCP
    assert max(years("E10000021")) == "2020-21" and min(years("E06000061")) == "2021-22"  # Northamptonshire
    assert councils.series_breaks("E06000028")
    for year, grp in act[act.gss_code.str.match(r"^E(06|08|09|10)")].groupby("year"):
        if year >= "2008-09":
            assert set(grp.gss_code) <= set(councils.current(year)["gss_code"]), year
    assert not act.duplicated(["gss_code", "year", "support_setting", "provision"]).any()


@pytest.mark.national
def test_row_counts_per_year_match_the_file(act):
    """Rows per financial year = the compilation's rows of that file year, less the class aggregates without a
    GSS code (TOTAL Metropolitan Districts etc.), counted from the raw file."""
    raw = read_csv_raw(sources.path(A.SOURCE_ID), keep_default_na=False, na_values=[])
    named = ~councils.normalise_names(raw["DH_GEOGRAPHY_NAME"]).isin(A.AGGREGATES)
    expected = raw[named].groupby(raw["year"].astype(int).map(periods.fy_from_end_year)).size()
    assert act.groupby("year").size().to_dict() == expected.to_dict()
    assert len(expected) == 22 and expected["2021-22"] == 152 * 8


@pytest.mark.national
def test_blank_values_stay_missing(act):
    """The 37 blank ITEMVALUE cells (e.g. Bradford 2000-01 residential) are NaN with status missing."""
    miss = act[act.value_status != "reported"]
    assert len(miss) == 37 and miss["value"].isna().all() and set(miss["value_status"]) == {"missing"}
    assert np.isnan(_get(act, "E08000032", "2000-01", "residential", "in_house"))
    assert act.loc[act.value_status == "reported", "value"].notna().all()


@pytest.mark.national
def test_percent_sector_as_published(act):
    """percent_sector is the published share of the setting's activity: 100 for 'all'; in-house +
    external = 100 where both are reported and the total is not 0 (2015-16)."""
    y = act[(act.year == "2015-16") & (act.support_setting == "residential")].pivot_table(
        index="gss_code", columns="provision", values="percent_sector")
    ok = y["all"].notna()
    assert (y.loc[ok, "all"] == 100).all()
    np.testing.assert_allclose((y.loc[ok, "in_house"] + y.loc[ok, "external"]).to_numpy(), 100, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# bad input (mangled copies of real rows, written to tmp_path)
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """The first 60 rows of the real compilation (2000-01), as text."""
    if not sources.national_available():
        pytest.skip("no national data")
    return read_csv_raw(sources.path(A.SOURCE_ID), nrows=60, keep_default_na=False, na_values=[])


def _write(df: pd.DataFrame, folder: Path) -> Path:
    path = folder / "activity_by_setting_2001-2022.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.national
@given(pos=st.integers(0, 59), col=st.sampled_from(["ITEMVALUE", "percent_sector", "year", "ActivityProvision"]),
       text=st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
                      st.sampled_from(["12.5", "1,234", "2009", "In House", "99", "[c]", "", "3001"])))
def test_fuzz_mangled_cells(sample, tmp_path_factory, pos, col, text):
    """A cell of a real row replaced by arbitrary text: the loader parses it or raises one DataError that
    names the file, that row (header = 1) and that column."""
    df = sample.copy()
    df.loc[pos, col] = text
    path = _write(df, tmp_path_factory.mktemp("act"))
    try:
        out = A.load_activity(path)
    except DataError as exc:
        assert Path(str(exc.file)).name == path.name
        assert exc.column in (col, "SupportSetting", "DH_GEOGRAPHY_NAME")
        if exc.column == col:
            assert exc.row == pos + 2
        return
    got = out[out._row == pos + 2]
    if col == "ITEMVALUE" and len(got):
        v, status = got["value"].iloc[0], got["value_status"].iloc[0]
        assert (status == "reported") == (not np.isnan(v))
        if status == "reported":
            assert v == pytest.approx(float(text.strip().replace(",", "")))


@pytest.mark.national
def test_unknown_name_and_duplicate(sample, tmp_path, monkeypatch):
    """An unknown council name, and one council-year-setting-provision twice: one DataError each, naming
    row and column."""
    df = sample.copy()
    df.loc[4, "DH_GEOGRAPHY_NAME"] = "Barsetshire"
    with pytest.raises(DataError) as e:
        A.load_activity(_write(df, tmp_path))
    assert (e.value.row, e.value.column, e.value.value) == (6, "DH_GEOGRAPHY_NAME", "Barsetshire")
    dup = pd.concat([sample, sample.iloc[[3]]], ignore_index=True)
    path = _write(dup, tmp_path)
    real = sources.path
    monkeypatch.setattr(sources, "path", lambda sid: path if sid == A.SOURCE_ID else real(sid))
    with pytest.raises(DataError, match="duplicate activity key") as e:
        A.build_activity()
    assert e.value.row == len(dup) + 1 and e.value.column == "gss_code"


@pytest.mark.national
def test_blank_name_outside_2016_17_and_bad_attribution(sample, tmp_path):
    """A blank name is only accepted for the 2016-17 rows, and those must match ASC-FR 2016-17 exactly."""
    df = sample.copy()
    df.loc[7, "DH_GEOGRAPHY_NAME"] = ""
    with pytest.raises(DataError, match="blank council name") as e:
        A.load_activity(_write(df, tmp_path))
    assert (e.value.row, e.value.column) == (9, "DH_GEOGRAPHY_NAME")
    full = read_csv_raw(sources.path(A.SOURCE_ID), keep_default_na=False, na_values=[])
    first = int(np.flatnonzero((full["year"] == "2017").to_numpy())[0])
    full.loc[first + 1, "ITEMVALUE"] = "23897.0"  # Hartlepool residential (all): 23,896 in ASC-FR
    with pytest.raises(DataError, match="does not match ASC-FR 2016-17") as e:
        A.load_activity(_write(full, tmp_path))
    assert (e.value.row, e.value.column) == (first + 3, "ITEMVALUE")


@pytest.mark.national
def test_build_time():
    """Measure the build (reported; loose bound for a shared 2-core machine)."""
    import time

    t0 = time.perf_counter()
    out = A.build_activity()
    dt = time.perf_counter() - t0
    print(f"activity: {len(out)} rows in {dt:.2f} s")
    assert dt < 30
