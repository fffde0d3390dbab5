"""Tests of the council reference table (helpers.data.councils) against every national file.

Each council code, CASSR code and name in a national file resolves, and the set of councils in each year's
files is exactly :func:`helpers.data.councils.current` for that year. The tests of the reference table
itself (no national data) are in ``tests/unit/data/test_councils.py``.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from helpers.core import periods
from helpers.data import councils as c
from helpers.data import sources
from helpers.data.io import read_csv_raw, read_sheet, sheet_names

COUNCIL_RE = re.compile(r"^E(06|08|09|10)\d{6}$")


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
    fy = a["year"].astype(int).map(periods.fy_from_end_year)
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
