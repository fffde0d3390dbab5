"""Tests of the council reference table (helpers.data.councils), from the committed reference CSVs only.

The checks against every national file are in ``tests/data/test_councils.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core import periods
from helpers.core.errors import DataError, MissingDataError, ParameterError
from helpers.data import councils as c
from helpers.data import tables
from helpers.data.councils import build as council_tables
from helpers.data.io import sha256_file

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
# the processed tables councils and council_names (helpers.data.councils.build): bad input, failed builds
# (mangled copies of the committed reference files, in tmp_path)
# ------------------------------------------------------------------------------------------------


def _error(exc: pytest.ExceptionInfo, name: str, row: int | None = None, column: str | None = None) -> DataError:
    """The raised DataError names the file (by its name), and the row and column when given."""
    err = exc.value
    assert isinstance(err, DataError), err
    assert Path(str(err.file).split(" [sheet")[0]).name == name, str(err)
    if row is not None:
        assert err.row == row, str(err)
    if column is not None:
        assert err.column == column, str(err)
    return err


def test_failed_reference_build_keeps_the_previous_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed reference tables too: a councils.csv with a duplicated council fails the build naming the
    row, and the previous councils table stays (a mangled copy of the committed file, in tmp_path)."""
    processed = tmp_path / "processed"
    processed.mkdir()
    monkeypatch.setattr(tables, "PROCESSED", processed)
    monkeypatch.setattr(tables, "processed_path", lambda name: processed / f"{name}.parquet")
    lines = c.COUNCILS_CSV.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "councils.csv"
    bad.write_text("\n".join([*lines, lines[7]]) + "\n", encoding="utf-8")
    monkeypatch.setattr(council_tables, "COUNCILS_CSV", bad)
    pd.DataFrame({"previous_version": [1]}).to_parquet(processed / "councils.parquet")
    before = sha256_file(processed / "councils.parquet")
    res = {r.name: r for r in tables.build(["councils"], force=True)}
    assert res["councils"].status == "failed"
    assert res["councils"].message.startswith(f"councils.csv, row {len(lines) + 1}, column 'gss_code': duplicate")
    assert sha256_file(processed / "councils.parquet") == before
    # no partial file; the build state remembers the failure (tables.table_status) and the build lock stays
    assert sorted(p.name for p in processed.iterdir()) == ["_build.lock", "_build_state.json", "councils.parquet"]
    assert tables.table_status("councils")[0] == "failed"


@pytest.mark.parametrize("case", ["renamed", "unknown_region", "unknown_link", "layout", "non_numeric",
                                  "truncated"])
def test_councils_reference_bad_input(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mangled copies of the committed councils.csv (in tmp_path): a renamed column; a region code not in
    regions.csv; a successor code not in the table; a title line above the header; a CASSR code that is not
    three digits; the file cut in the middle of a record -- one DataError each."""
    lines = c.COUNCILS_CSV.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    text = None
    if case == "truncated":
        full = c.COUNCILS_CSV.read_text(encoding="utf-8")
        start = full.index("\n", len(full) // 2) + 1  # a record's third field onwards lost
        text = full[: full.index(",", full.index(",", start) + 1) + 1]
        expect = (text.count("\n") + 1, None)
    elif case == "non_numeric":
        lines[1] = lines[1].replace(",111,", ",1l1,")  # Hartlepool's CASSR code with a letter l
        expect = (2, "cassr_code")
    elif case == "renamed":
        lines[0] = lines[0].replace("region_code", "region")
        expect = (1, "region_code")
    elif case == "unknown_region":
        lines[3] = lines[3].replace("E12000001", "E12000099")
        expect = (4, "region_code")
    elif case == "unknown_link":
        i = next(k for k, ln in enumerate(lines) if ln.startswith("E06000028,"))  # Bournemouth -> BCP
        lines[i] = lines[i].replace("E06000058", "E06000098")
        expect = (i + 1, "successor_codes")
    else:
        lines.insert(0, "Councils with adult social services responsibility")
        expect = (1, header[0])
    bad = tmp_path / "councils.csv"
    bad.write_text(text if text is not None else "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(council_tables, "COUNCILS_CSV", bad)
    with pytest.raises(DataError) as e:
        council_tables.build_councils()
    err = _error(e, "councils.csv", *expect)
    assert err.column is not None


def test_council_names_unknown_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the committed name variants with a code that no council or region has: one DataError at its
    row, column gss_code."""
    lines = c.NAMES_CSV.read_text(encoding="utf-8").splitlines()
    lines[5] = re.sub(r"E\d{8}", "E06000099", lines[5], count=1)
    bad = tmp_path / "council_name_variants.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(council_tables, "NAMES_CSV", bad)
    with pytest.raises(DataError, match="code not in councils.csv or regions.csv") as e:
        council_tables.build_names()
    _error(e, bad.name, 6, "gss_code")


def test_councils_reference_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed councils.csv absent: MissingDataError naming it."""
    monkeypatch.setattr(council_tables, "COUNCILS_CSV", tmp_path / "councils.csv")
    with pytest.raises(MissingDataError, match="councils.csv is missing"):
        council_tables.build_councils()
