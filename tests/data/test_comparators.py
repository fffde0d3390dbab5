"""Tests of the comparator groups (helpers.data.national.comparators)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.core.errors import ParameterError
from helpers.data import councils, tables
from helpers.data.national import comparators as cmp

pytestmark = pytest.mark.national

#: Trafford's CIPFA 2019 nearest neighbours as published (trafford_cipfa2019.csv, in file order).
TRAFFORD_CIPFA_2019 = [
    "E06000007",  # Warrington
    "E06000030",  # Swindon
    "E08000029",  # Solihull
    "E06000042",  # Milton Keynes
    "E06000025",  # South Gloucestershire
    "E06000034",  # Thurrock
    "E08000007",  # Stockport
    "E06000014",  # York
    "E06000055",  # Bedford
    "E06000050",  # Cheshire West and Chester
    "E06000031",  # Peterborough
    "E06000005",  # Darlington
    "E06000015",  # Derby
    "E08000002",  # Bury
    "E06000020",  # Telford and Wrekin
]


@pytest.fixture(scope="module")
def built() -> None:
    """Build only this table and what it depends on (other engineers' tables may be mid-change)."""
    failed = [f"{r.name}: {r.message}" for r in tables.build(["comparators"])
              if r.status not in ("built", "unchanged")]
    if failed:
        pytest.fail("table build failed: " + "; ".join(failed))


@pytest.fixture(scope="module")
def table(built) -> pd.DataFrame:
    return tables.load("comparators")


def test_every_council_of_the_oflog_geography_has_15_neighbours(table):
    """Oflog: 150 of the 152 councils of 2022-23 have 15 neighbours; the Isles of Scilly and the City of
    London have none (their lists hold only themselves); the 2023 councils are not in the file."""
    of = table[table["group"] == "oflog_nearest_neighbours"]
    n = of[of["rank"].isna()].groupby("gss_code").size()
    expected = set(councils.current("2022-23")["gss_code"]) - {"E06000053", "E09000001"}
    assert set(n.index) == expected
    assert (n == 15).all()
    assert set(of.loc[of["rank"] == 0, "gss_code"]) == expected | {"E06000053", "E09000001"}
    assert len(of) == 150 * 16 + 2


def test_no_council_is_its_own_neighbour_beyond_rank_0(table):
    self_rows = table[table["gss_code"] == table["neighbour_gss_code"]]
    assert (self_rows["rank"] == 0).all()
    assert not (table.loc[table["gss_code"] != table["neighbour_gss_code"], "rank"] == 0).any()


def test_oflog_neighbours_are_councils_of_the_same_type_family(table):
    """A published property of the Oflog groups here: counties are compared with counties (and Somerset's
    neighbours are counties), London boroughs with London boroughs."""
    of = table[(table["group"] == "oflog_nearest_neighbours") & table["rank"].isna()]
    county = of[of["gss_code"].str.startswith("E10")]
    assert county["neighbour_gss_code"].str.startswith("E10").all()
    london = of[of["gss_code"].str.startswith("E09")]
    assert london["neighbour_gss_code"].str.startswith("E09").all()


def test_trafford_cipfa_2019_reproduced(table):
    got = table[(table["group"] == "cipfa_2019")].sort_values("rank")
    assert got["gss_code"].eq("E08000009").all()
    assert got["neighbour_gss_code"].tolist() == TRAFFORD_CIPFA_2019
    assert got["rank"].tolist() == list(range(1, 16))
    assert cmp.comparator_group("E08000009", "cipfa_2019", year="2019-20") == TRAFFORD_CIPFA_2019


def test_trafford_groups_change_between_vintages(table):
    groups = {g: set(table.loc[table["group"] == g, "neighbour_gss_code"]) for g in cmp.TRAFFORD_GROUPS}
    assert groups["cipfa_2019"] - groups["cipfa_2021"] == {"E06000005", "E06000020"}  # Darlington, Telford
    assert groups["cipfa_2021"] - groups["cipfa_2019"] == {"E06000038", "E06000035"}  # Reading, Medway
    assert "E06000061" in groups["cipfa_lga_2024"]  # North Northamptonshire: 2021 geography
    assert table.loc[table["group"] == "nhse_peer_group", "rank"].isna().all()  # listed in code order


def test_comparator_group_derived_groups(built):
    nw = cmp.comparator_group("E08000009", "region", year="2022-23")
    # North West in 2022-23: Cumbria, Lancashire, 6 unitaries, 10 Greater Manchester, 5 Merseyside = 23
    assert "E08000009" not in nw and len(nw) == 22
    assert len(cmp.comparator_group("E08000009", "council_type", year="2022-23")) == 35
    assert len(cmp.comparator_group("E08000009", "england", year="2022-23")) == 151
    assert len(cmp.comparator_group("E08000009", "england", year="2023-24")) == 152
    assert cmp.comparator_group("E08000009", ["E08000007", "Bury", "E08000009"]) == ["E08000002", "E08000007"]


def test_comparator_group_oflog_and_errors(built):
    nn = cmp.comparator_group("Stockport")
    assert len(nn) == 15 and "E08000007" not in nn
    # North Yorkshire unitary (2023) uses the Oflog group of the county it replaced; Cumbria is left out
    with pytest.warns(UserWarning, match="Cumbria"):
        ny = cmp.comparator_group("E06000065", year="2023-24")
    assert "E10000006" not in ny and "E06000066" in ny  # Somerset recoded
    with pytest.raises(ParameterError, match="unknown comparator group"):
        cmp.comparator_group("E08000007", "cipfa")
    with pytest.raises(ParameterError, match="Trafford"):
        cmp.comparator_group("E08000007", "cipfa_2019")
    with pytest.raises(ParameterError, match="no oflog_nearest_neighbours"):
        cmp.comparator_group("E09000001")
    with pytest.raises(ParameterError, match="did you mean"):
        cmp.comparator_group("E08000099")


def test_oflog_group_reproduced(table):
    """Stockport's Oflog group as listed in oflog_nearest_neighbours.json (read by eye: itself and 15 councils,
    in code order), and its names through helpers.data.councils."""
    got = table[(table["group"] == "oflog_nearest_neighbours") & (table["gss_code"] == "E08000007")]
    assert got["neighbour_gss_code"].tolist() == [
        "E08000007", "E06000004", "E06000007", "E06000020", "E06000024", "E06000030", "E06000033", "E06000050",
        "E06000061", "E08000002", "E08000010", "E08000027", "E08000029", "E08000033", "E08000034", "E08000036"]
    assert got["rank"].tolist()[0] == 0 and got["rank"].iloc[1:].isna().all()
    assert [councils.name_of(c) for c in got["neighbour_gss_code"].iloc[[1, 8, 15]]] == [
        "Stockton-on-Tees", "North Northamptonshire", "Wakefield"]
