"""Tests of the council reference table (helpers.data.councils).

The reference CSVs are committed, so most tests need no national data. Tests marked ``national`` read
every national file and check that each council code, CASSR code and name in it resolves, and that the
set of councils in each year's files is exactly :func:`helpers.data.councils.current` for that year.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core import periods
from helpers.core.errors import DataError, ParameterError
from helpers.data import councils as c
from helpers.data import sources
from helpers.data.councils import build as council_tables
from helpers.data.io import read_csv_raw, read_sheet, sheet_names

COUNCIL_RE = re.compile(r"^E(06|08|09|10)\d{6}$")


# ------------------------------------------------------------------------------------------------
# the reference table itself
# ------------------------------------------------------------------------------------------------

def test_counts_by_year_match_the_published_council_lists():
    """152 CASSRs to 2018-19, 151 in 2019-20 and 2020-21, 152 in 2021-22 and 2022-23, 153 from 2023-24.

    Verified against ASCOF 2017-18..2022-23 and Oflog 2015-16..2022-23 (council codes per year), RO3 2022-23
    (152), RO3 2023-24 and 2024-25 (153), ASC-FR 2016-17 and PSS-EX 2014-15 (152 with the Isles of Scilly).
    """
    n = c.counts_by_year()
    assert all(n[y] == 152 for y in ["2009-10", "2013-14", "2014-15", "2015-16", "2016-17", "2017-18", "2018-19"])
    assert n["2019-20"] == 151 and n["2020-21"] == 151
    assert n["2021-22"] == 152 and n["2022-23"] == 152
    assert n["2023-24"] == 153 and n["2024-25"] == 153
    assert n["2008-09"] == 150  # Bedfordshire and Cheshire counties before the April 2009 splits


def test_current_default_is_latest_and_excludes_abolished():
    now = c.current()
    assert len(now) == 153
    codes = set(now["gss_code"])
    assert {"E06000063", "E06000064", "E06000065", "E06000066", "E06000058", "E06000060"} <= codes
    assert not codes & {"E10000006", "E10000023", "E10000027", "E10000021", "E10000002", "E10000009"}
    assert {"E09000001", "E06000053"} <= codes  # City of London and Isles of Scilly are CASSRs


def test_reference_columns_and_codes():
    ref = c.reference()
    assert ref["gss_code"].is_unique
    assert ref["gss_code"].str.match(COUNCIL_RE).all()
    assert set(ref["council_type"]) == set(c.COUNCIL_TYPES)
    prefix = {"E06": "unitary", "E08": "metropolitan district", "E09": "london borough", "E10": "county"}
    assert (ref["gss_code"].str[:3].map(prefix) == ref["council_type"]).all()
    assert ref["cassr_code"].dropna().str.match(r"^\d{3}$").all()
    assert set(ref["region_code"]) <= set(c.regions()["region_code"])
    # councils created after the CASSR-coded files have no CASSR code
    new = ["E06000058", "E06000059", "E06000060", "E06000061", "E06000062", "E06000063", "E06000064",
           "E06000065", "E06000066"]
    assert ref.set_index("gss_code").loc[new, "cassr_code"].isna().all()
    assert c.get("E08000007")["cassr_code"] == "310"
    assert c.get("E06000053")["cassr_code"] == "906"


@pytest.mark.parametrize(
    ("old", "new", "year"),
    [
        ("E06000028", "E06000058", "2019-20"),
        ("E06000029", "E06000058", "2019-20"),
        ("E10000009", "E06000058", "2019-20"),
        ("E10000009", "E06000059", "2019-20"),
        ("E10000002", "E06000060", "2020-21"),
        ("E10000021", "E06000061", "2021-22"),
        ("E10000021", "E06000062", "2021-22"),
        ("E10000006", "E06000063", "2023-24"),
        ("E10000006", "E06000064", "2023-24"),
        ("E10000023", "E06000065", "2023-24"),
        ("E10000027", "E06000066", "2023-24"),
        ("E10000001", "E06000055", "2009-10"),
        ("E10000004", "E06000050", "2009-10"),
    ],
)
def test_boundary_changes_are_linked_both_ways(old, new, year):
    o, n = c.get(old), c.get(new)
    assert new in o["successor_codes"].split(";")
    assert old in n["predecessor_codes"].split(";")
    assert n["first_year"] == year
    assert periods.next_fy(o["last_year"]) == year  # no gap, no overlap


def test_links_are_symmetric_for_every_council():
    ref = c.reference().set_index("gss_code")
    for code, row in ref.iterrows():
        for s in c.split_codes(row["successor_codes"]):
            assert code in c.split_codes(ref.loc[s, "predecessor_codes"]), (code, s)
        for p in c.split_codes(row["predecessor_codes"]):
            assert code in c.split_codes(ref.loc[p, "successor_codes"]), (code, p)


def test_current_code_follows_same_area_recodes_only():
    assert c.current_code("E06000048") == "E06000057"  # Northumberland, 2013
    assert c.current_code("E08000020") == "E08000037"  # Gateshead, 2013
    assert c.current_code("E10000002") == "E06000060"
    assert c.current_code("E10000023") == "E06000065"
    assert c.current_code("E10000027") == "E06000066"
    assert c.current_code("E10000006") == "E10000006"  # split: no single successor
    assert c.current_code("E08000007") == "E08000007"
    with pytest.raises(ParameterError):
        c.current_code("E08000099")


def test_series_breaks_kinds():
    assert c.series_breaks("E08000007") == []
    bcp = c.series_breaks("E06000058")
    assert [(b["year"], b["kind"]) for b in bcp] == [("2019-20", "merged")]
    assert set(bcp[0]["related_codes"]) == {"E06000028", "E06000029", "E10000009"}
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E06000028")] == [("2019-20", "merged")]
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E10000009")] == [("2019-20", "split")]
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E06000059")] == [("2019-20", "split")]
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E10000002")] == [("2020-21", "recoded")]
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E06000060")] == [("2020-21", "recoded")]
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E06000061")] == [("2021-22", "split")]
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E10000006")] == [("2023-24", "split")]
    assert [(b["year"], b["kind"]) for b in c.series_breaks("E06000066")] == [("2023-24", "recoded")]
    nland = c.series_breaks("E06000057")
    assert nland[0]["kind"] == "recoded" and nland[0]["related_codes"] == ["E06000048"]


def test_validate_code_accepts_names_and_suggests():
    assert c.validate_code("E08000007") == "E08000007"
    assert c.validate_code("e08000007 ") == "E08000007"
    assert c.validate_code("Stockport") == "E08000007"
    assert c.validate_code("Bristol, City of") == "E06000023"
    assert c.validate_code("Telford & Wrekin") == "E06000020"
    assert c.validate_code("Dorset", "2018-19") == "E10000009"
    assert c.validate_code("Dorset", "2019-20") == "E06000059"
    with pytest.raises(ParameterError, match="did you mean E08000007"):
        c.validate_code("Stokport")
    with pytest.raises(ParameterError, match="did you mean"):
        c.validate_code("E08000070")
    with pytest.raises(ParameterError, match="old code of Northumberland"):
        c.validate_code("E06000048")
    with pytest.raises(ParameterError, match="more than one council"):
        c.validate_code("Dorset")
    with pytest.raises(ParameterError, match="E06000061 or E06000062"):
        c.validate_code("E10000021", "2022-23")
    with pytest.raises(ParameterError, match="financial year"):
        c.validate_code("E08000007", "2022/23")


def test_name_of_regions_and_england():
    assert c.name_of("E08000009") == "Trafford"
    assert c.name_of("E12000002") == "North West"
    assert c.name_of("E92000001") == "England"


def test_resolve_names_and_errors():
    """Small synthetic inputs (edge cases): variants, a year-dependent name, an unknown name."""
    s = pd.Series(["St. Helens", "ST HELENS", "Barking%20and%20Dagenham", "Kingston upon Hull City of",
                   "Herefordshire, County of", "Medway Towns", "City of London"])
    got = c.resolve_names(s, file="x.csv", column="name")
    assert list(got) == ["E08000013", "E08000013", "E09000002", "E06000010", "E06000019", "E06000035",
                         "E09000001"]
    years = pd.Series(["2018-19", "2021-22"])
    assert list(c.resolve_names(pd.Series(["Buckinghamshire", "Buckinghamshire"]), file="x", column="n",
                                year=years)) == ["E10000002", "E06000060"]
    with pytest.raises(DataError, match="give the year|must give the year"):
        c.resolve_names(pd.Series(["Somerset"]), file="x", column="n")
    with pytest.raises(DataError, match=r"x.csv, row 5, column 'name'.*Stokport"):
        c.resolve_names(pd.Series(["Bury", "Stokport"]), file="x.csv", column="name", rows=[4, 5])
    with pytest.raises(DataError):
        c.resolve_names(pd.Series(["North West"]), file="x", column="n")  # a region, not allowed by default
    assert c.resolve_names(pd.Series(["North West", "ENGLAND"]), file="x", column="n",
                           levels=("region", "england")).tolist() == ["E12000002", "E92000001"]


def test_cassr_to_gss():
    got = c.cassr_to_gss(pd.Series(["310", 312, "906", "102 - Cumbria ", "714.0"]), file="x", column="c")
    assert list(got) == ["E08000007", "E08000009", "E06000053", "E10000006", "E09000001"]
    with pytest.raises(DataError, match="row 3, column 'c'"):
        c.cassr_to_gss(pd.Series(["310", "999"]), file="x", column="c")


# ------------------------------------------------------------------------------------------------
# normalisation properties
# ------------------------------------------------------------------------------------------------

_names = st.sampled_from(sorted(set(c.name_variants()["name_variant"])))


@given(_names)
def test_normalise_is_idempotent(name):
    once = c.normalise_name(name)
    assert c.normalise_name(once) == once


@given(_names, st.sampled_from([str.upper, str.lower, str.title, lambda x: f"  {x} "]))
def test_normalise_ignores_case_and_padding(name, f):
    assert c.normalise_name(f(name)) == c.normalise_name(name)


@given(_names)
def test_normalise_treats_ampersand_dots_hyphens_and_escapes_alike(name):
    base = c.normalise_name(name)
    assert c.normalise_name(name.replace(" and ", " & ")) == base
    assert c.normalise_name(name.replace(" ", ".")) == base
    assert c.normalise_name(name.replace(" ", "%20")) == base
    assert c.normalise_name(name.replace("-", " ")) == base


@given(st.sampled_from(sorted(c.reference()["name"])))
def test_city_and_county_of_suffix(name):
    assert c.normalise_name(f"{name}, City of") == c.normalise_name(name)
    assert c.normalise_name(f"{name}, County of") == c.normalise_name(name)


def test_every_variant_resolves_to_its_own_code():
    var = c.name_variants()
    var = var[var["gss_code"].str.match(COUNCIL_RE)]
    amb = var.groupby(var["name_variant"].map(c.normalise_name))["gss_code"].nunique()
    ok = var[var["name_variant"].map(c.normalise_name).map(amb) == 1]
    got = c.resolve_names(ok["name_variant"], file="variants", column="name_variant")
    assert (got.to_numpy() == ok["gss_code"].to_numpy()).all()
    # only the four county -> unitary recodes share a name
    assert set(amb[amb > 1].index) == {"dorset", "buckinghamshire", "north yorkshire", "somerset"}


def test_tables_build_and_validate(tmp_path, monkeypatch):
    df = council_tables.build_councils()
    assert len(df) == len(c.reference())
    names = council_tables.build_names()
    assert "_row" not in names.columns and names["gss_code"].isin(
        set(df["gss_code"]) | set(c.regions()["region_code"])).all()


# ------------------------------------------------------------------------------------------------
# against every national file
# ------------------------------------------------------------------------------------------------

def _ro3(sid: str, header: int) -> pd.DataFrame:
    p = sources.path(sid)
    d = read_sheet(p, sheet_names(p)[-1])
    d.columns = [str(x) for x in d.iloc[header]]
    d = d.iloc[header + 1:]
    return d[d["Class"].isin(["UA", "MD", "LB", "SC"]) & d["ONS Code"].astype(str).str.match(COUNCIL_RE)]


def _assert_year(codes: set[str], year: str, what: str, allow_missing: set[str] = frozenset()) -> None:
    expected = set(c.current(year)["gss_code"])
    assert codes - expected == set(), f"{what}: codes not councils in {year}"
    assert expected - codes == set(allow_missing), f"{what}: councils of {year} missing"


@pytest.mark.national
def test_ascof_and_oflog_council_codes_and_names_by_year():
    a = read_csv_raw(sources.path("ascof_trend"))
    a = a[a["Geographical Level"] == "Council"]
    for year, g in a.groupby("Year"):
        _assert_year(set(g["ONS Code"]), year, "ascof_trend")
        got = c.resolve_names(g["Geographical Description"], file="ascof", column="Geographical Description",
                              year=year)
        assert (got == g["ONS Code"]).all()
    o = read_csv_raw(sources.path("oflog_asc"))
    for year, g in o.groupby("Financial year"):
        _assert_year(set(g["Local authority code"]), year, "oflog_asc")
        got = c.resolve_names(g["Local authority name"], file="oflog", column="Local authority name", year=year)
        assert (got == g["Local authority code"]).all()
    regions = c.resolve_names(o["Region"], file="oflog", column="Region", levels=("region",))
    assert regions.str.startswith("E12").all()


@pytest.mark.national
@pytest.mark.parametrize(("sid", "header", "year", "n"),
                         [("ro3_2022_23", 11, "2022-23", 152), ("ro3_2023_24", 11, "2023-24", 153),
                          ("ro3_2024_25", 6, "2024-25", 153)])
def test_ro3_councils(sid, header, year, n):
    d = _ro3(sid, header)
    assert len(d) == n
    _assert_year(set(d["ONS Code"]), year, sid)
    got = c.resolve_names(d["Local authority"], file=sid, column="Local authority", year=year)
    assert (got == d["ONS Code"]).all()


@pytest.mark.national
def test_ascfr_2016_17_codes_cassr_and_regions():
    """ASC-FR 2016-17 has 151 councils: every CASSR but the Isles of Scilly (906 / E06000053)."""
    for sid in ["ascfr_2016_17_totals", "ascfr_2016_17_activity", "ascfr_2016_17_additional"]:
        d = read_csv_raw(sources.path(sid)).dropna(subset=["CASSR_CODE"])
        _assert_year(set(d["GEOGRAPHY_CODE"]), "2016-17", sid, allow_missing={"E06000053"})
        pairs = d[["CASSR_CODE", "GEOGRAPHY_CODE", "REGION_GO_CODE"]].drop_duplicates()
        assert (c.cassr_to_gss(pairs["CASSR_CODE"], file=sid, column="CASSR_CODE") == pairs["GEOGRAPHY_CODE"]).all()
        ref = c.reference().set_index("gss_code")
        assert (ref.loc[pairs["GEOGRAPHY_CODE"], "region_code"].to_numpy() == pairs["REGION_GO_CODE"].to_numpy()).all()


@pytest.mark.national
def test_pssex_and_ascfr_2015_16_cassr_headers_and_names():
    for sid in ["pssex_2014_15_activity", "pssex_2014_15_bridging", "pssex_2014_15_expenditure",
                "pssex_2014_15_unit_costs", "pssex_2014_15_volume_expenditure"]:
        d = read_csv_raw(sources.path(sid), header=None, nrows=3)
        labels = pd.Series([str(x) for x in d.iloc[1] if re.match(r"^\d{3} - ", str(x))])
        codes = c.cassr_to_gss(labels, file=sid, column="header")
        _assert_year(set(codes), "2014-15", sid)
        names = c.resolve_names(labels.str.split(" - ", n=1).str[1], file=sid, column="header", year="2014-15")
        assert (names == codes).all()
    for sid in ["pssex_2013_14_activity", "pssex_2013_14_unit_costs"]:
        d = read_csv_raw(sources.path(sid), header=None)
        labels = d[0].dropna()
        labels = labels[labels.str.match(r"^\d{3} - ")]
        codes = c.cassr_to_gss(labels, file=sid, column="A")
        _assert_year(set(codes), "2013-14", sid)
        assert (c.resolve_names(labels.str.split(" - ", n=1).str[1], file=sid, column="A", year="2013-14")
                == codes).all()
    for sid, code_col, name_col in [("ascfr_2015_16_activity", "Council Code", "Council Name"),
                                    ("ascfr_2015_16_additional", "Council Code", "Council Name"),
                                    ("ascfr_2015_16_dpa_counts", "CASSR_CODE", "CASSR_NAME"),
                                    ("ascfr_2015_16_dpa_values", "CASSR_CODE", "CASSR_NAME")]:
        d = read_csv_raw(sources.path(sid))[[code_col, name_col]].drop_duplicates()
        codes = c.cassr_to_gss(d[code_col], file=sid, column=code_col)
        assert (c.resolve_names(d[name_col], file=sid, column=name_col, year="2015-16") == codes).all()
        if "dpa" not in sid:
            _assert_year(set(codes), "2015-16", sid)


@pytest.mark.national
def test_mye_and_iod_codes_and_names():
    """Every MYE vintage's upper-tier areas are the councils of the financial year its geography serves;
    IoD2015 has 152 upper-tier areas (2015 geography), IoD2019 151 (2019 geography: BCP and Dorset)."""
    expected_year = {"mye_2015": "2015-16", "mye_2016": "2016-17", "mye_2017": "2017-18", "mye_2018": "2019-20",
                     "mye_2019": "2020-21", "mye_2020": "2021-22", "mye_2021": "2021-22", "mye_2022": "2023-24",
                     "mye_2023": "2023-24", "iod2015_upper_tier": "2015-16", "iod2019_upper_tier": "2019-20"}
    for sid, year in expected_year.items():
        p = sources.path(sid)
        for sheet in sheet_names(p):
            d = read_sheet(p, sheet, nrows=700)
            hdr = next((i for i in range(min(30, len(d)))
                        if any("code" in str(v).lower() for v in d.iloc[i])
                        and any("name" in str(v).lower() for v in d.iloc[i])), None)
            if hdr is not None:
                break
        head = [str(v).lower() for v in d.iloc[hdr]]
        ci = next(i for i, v in enumerate(head) if "code" in v)
        ni = next(i for i, v in enumerate(head) if "name" in v)
        body = d.iloc[hdr + 1:]
        code = body.iloc[:, ci].astype(str).str.strip()
        keep = code.str.match(COUNCIL_RE)
        _assert_year(set(code[keep]), year, sid)
        got = c.resolve_names(body.iloc[:, ni][keep].astype(str), file=sid, column="name", year=year)
        assert (got.to_numpy() == code[keep].to_numpy()).all()
        areas = code.str.match(r"^E(12\d{6}|92000001)$")
        if areas.any():
            assert (c.resolve_names(body.iloc[:, ni][areas].astype(str), file=sid, column="name",
                                    levels=("region", "england")).to_numpy() == code[areas].to_numpy()).all()


@pytest.mark.national
def test_comparator_files_codes_and_names():
    nn = json.loads(sources.path("oflog_nearest_neighbours").read_text())
    upper = {k: v for k, v in nn.items() if COUNCIL_RE.match(k)}
    # Oflog's groups are on the 2021-22 / 2022-23 council geography (Cumbria, North Yorkshire and Somerset
    # counties, not their 2023 successors)
    _assert_year(set(upper), "2022-23", "oflog_nearest_neighbours")
    for sid in ["trafford_cipfa2019", "trafford_cipfa2021", "trafford_cipfalga0724", "trafford_nhsennpg"]:
        d = read_csv_raw(sources.path(sid))
        assert d["area_code"].isin(c.reference()["gss_code"]).all()
        assert (c.resolve_names(d["area_name"], file=sid, column="area_name", year="2021-22")
                == d["area_code"]).all()


@pytest.mark.national
def test_activity_file_names_all_resolve():
    """Every council and region name in the activity file resolves (its ``year`` is the year ending March);
    the five council-type totals (``TOTAL Inner London`` ...) are not areas and are left to the loader."""
    a = read_csv_raw(sources.path("activity_by_setting")).dropna(subset=["DH_GEOGRAPHY_NAME"])
    a = a[["DH_GEOGRAPHY_NAME", "year"]].drop_duplicates()
    totals = a["DH_GEOGRAPHY_NAME"].map(c.normalise_name).str.match(r"^total (inner|outer|metropolitan|shire|unitary)")
    a = a[~totals]
    fy = (a["year"].astype(int) - 1).astype(str) + "-" + (a["year"].astype(int) % 100).map("{:02d}".format)
    got = c.resolve_names(a["DH_GEOGRAPHY_NAME"], file="activity", column="DH_GEOGRAPHY_NAME",
                          year=fy.where(fy >= c.FIRST_YEAR, c.FIRST_YEAR),
                          levels=("council", "region", "england"))
    assert got.notna().all()
    assert got[a["DH_GEOGRAPHY_NAME"].str.strip() == "Bedfordshire"].eq("E10000001").all()
    assert set(got[a["DH_GEOGRAPHY_NAME"].str.strip() == "Dorset"]) == {"E10000009", "E06000059"}


@pytest.mark.national
def test_reference_checked_in_lists_are_true():
    """The ``checked_in`` column names, for each council, files that really contain its GSS code."""
    seen: dict[str, set[str]] = {}
    a = read_csv_raw(sources.path("ascof_trend"))
    seen["ascof_trend"] = set(a["ONS Code"].dropna())
    seen["oflog_asc"] = set(read_csv_raw(sources.path("oflog_asc"))["Local authority code"])
    seen["ascfr_2016_17_totals"] = set(read_csv_raw(sources.path("ascfr_2016_17_totals"))["GEOGRAPHY_CODE"].dropna())
    for code, row in c.reference().set_index("gss_code").iterrows():
        listed = set(c.split_codes(row["checked_in"]))
        for sid, codes in seen.items():
            assert (sid in listed) == (code in codes), (code, sid)
