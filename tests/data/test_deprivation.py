"""Tests of the Indices of Deprivation loader (helpers.data.national.deprivation)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data import councils, tables
from helpers.data.national import deprivation as dep


@pytest.fixture(scope="module")
def built() -> None:
    """Build only this table and what it depends on (other engineers' tables may be mid-change)."""
    failed = [f"{r.name}: {r.message}" for r in tables.build(["deprivation"])
              if r.status not in ("built", "unchanged")]
    if failed:
        pytest.fail("table build failed: " + "; ".join(failed))


@pytest.fixture(scope="module")
def table(built) -> pd.DataFrame:
    return tables.load("deprivation")


@pytest.mark.national
def test_row_counts(table):
    """IoD2015 has 152 upper-tier areas (2013 codes), IoD2019 151 (2019 codes); 68 measures each
    (IMD 10, Income 8, Employment 8, the other seven 6 each)."""
    n = table.groupby("iod_year")["gss_code"].nunique()
    assert n[2015] == 152 and n[2019] == 151
    assert (table.groupby("iod_year")["measure"].nunique() == 68).all()
    assert len(table) == (152 + 151) * 68
    assert set(table.loc[table["iod_year"] == 2015, "gss_code"]) == set(councils.current("2015-16")["gss_code"])
    assert set(table.loc[table["iod_year"] == 2019, "gss_code"]) == set(councils.current("2019-20")["gss_code"])
    assert (table["value_status"] == "reported").all()


@pytest.mark.national
def test_published_values(table):
    """Blackpool (E06000009) is rank 1 on IMD average score in both vintages (41.997 in 2015, 45.039 in
    2019); on the rank of average rank Manchester (E08000003) is 1 in 2015 and Blackpool in 2019."""
    def val(year, code, measure):
        row = table[(table["iod_year"] == year) & (table["gss_code"] == code) & (table["measure"] == measure)]
        assert len(row) == 1
        return float(row["value"].iloc[0])

    assert val(2015, "E06000009", "IMD - Average score") == pytest.approx(41.997)
    assert val(2019, "E06000009", "IMD - Average score") == pytest.approx(45.039)
    assert val(2015, "E06000009", "IMD - Rank of average score") == 1
    assert val(2019, "E06000009", "IMD - Rank of average score") == 1
    assert val(2015, "E08000003", "IMD - Rank of average rank") == 1
    assert val(2019, "E06000009", "IMD - Rank of average rank") == 1
    # Hartlepool's row as published in IoD2019 (first data row of the IMD sheet)
    assert val(2019, "E06000001", "IMD - Average score") == pytest.approx(35.037)
    assert val(2019, "E06000001", "IMD - Rank of average score") == 9


@pytest.mark.national
def test_ranks_agree_with_scores(table):
    """Each "Rank of average score" is the descending order of "Average score" (1 = most deprived).

    Scores are published rounded (3 dp; ties), so the check is that sorted by rank the scores never rise."""
    for year in (2015, 2019):
        for domain in dep.SHEETS.values():
            t = table[(table["iod_year"] == year) & (table["domain"] == domain)]
            wide = t.pivot(index="gss_code", columns="statistic", values="value")
            by_rank = wide.sort_values("Rank of average score")
            assert by_rank["Average score"].is_monotonic_decreasing, (year, domain)
            assert sorted(by_rank["Rank of average score"]) == list(range(1, len(by_rank) + 1))


@pytest.mark.national
def test_boundary_change_between_vintages(table):
    """Bournemouth, Poole and Dorset county are in IoD2015 only; BCP and Dorset unitary in IoD2019 only."""
    y15 = set(table.loc[table["iod_year"] == 2015, "gss_code"])
    y19 = set(table.loc[table["iod_year"] == 2019, "gss_code"])
    assert y15 - y19 == {"E06000028", "E06000029", "E10000009"}
    assert y19 - y15 == {"E06000058", "E06000059"}
