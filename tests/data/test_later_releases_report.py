"""End to end, report side of issue 13: a synthetic 2023-24 ASCOF annual file in the 2023-24 layout with the new
codes (the ``later_files`` fixture builders of ``tests/conftest.py``; synthetic, never figures) is added with
`asc data add`, built, and report 02 for Stockport shows the new year under the right names with the earlier
code beside it and one trend across the renumbering under the stable id."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.analysis.benchmarking import groups, outcomes
from helpers.data import families, tables
from tests.data.test_later_releases import sandbox  # noqa: F401  (the fixture)

STOCKPORT = "E08000007"


@pytest.mark.national
@pytest.mark.slow
def test_report_02_shows_the_new_year_with_both_codes(sandbox, tmp_path: Path, later_files) -> None:  # noqa: F811
    families.add(later_files.ascof_annual(tmp_path / "dl" / "ascof-2023-24-open-data.csv"))
    res = tables.build(["councils", "population", "comparators", "deprivation", "ascof_measures", "ascof_series_breaks", "ascof"])
    assert all(r.status in ("built", "unchanged") for r in res), [(r.name, r.message) for r in res]
    b = groups.setup(STOCKPORT, "2023-24")
    comp = outcomes.comparison(b)
    row = comp.set_index("measure_code").loc["2C"]
    assert row["code_shown"] == "2C (was 2A(2))" and row["measure"].startswith("Permanent admissions to care homes, aged 65+")
    t = outcomes.trend(b, ["2C"])
    assert set(t["measure_id"]) == {"ltc_admissions_65plus"}
    assert t.groupby("framework")["measure_code"].first().to_dict() == {"to 2022-23": "2A(2)", "from 2023-24": "2C"}
    assert t["year"].iloc[-1] == "2023-24" and t["year"].iloc[0] == "2017-18"
