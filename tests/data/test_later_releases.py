"""End to end on the real national files plus small synthetic files in later official layouts (issue 13):
`asc data add` -> `asc data build` -> the processed tables hold the new years under the right ids, trends run
across the 2023-24 renumbering under the stable measure id, and a later release's changes are reported.

The national folder is a sandbox of links to the real files; the added files are synthetic fixtures made by
the tests (``later_files`` in ``tests/conftest.py``), never figures. The report side (banners, charts) is the
report modules'; this tests the data they read.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers.data import families, sources, tables
from tests.sandbox import national_sandbox

STOCKPORT = "E08000007"


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    return national_sandbox(tmp_path, monkeypatch)


@pytest.mark.national
@pytest.mark.slow
def test_add_then_build_holds_the_new_years_under_stable_ids(sandbox, tmp_path: Path, later_files) -> None:
    dl = tmp_path / "downloads"
    for f in (later_files.ascof_annual(dl / "ascof-2023-24-open-data.csv"),
              later_files.ro3(dl / "RO3_2025-26_data_by_LA.xlsx"), later_files.mye(dl / "mye24.xlsx"),
              later_files.activity(dl / "activity_2023.csv")):
        families.add(f)
    res = {r.name: r for r in tables.build()}
    bad = {n: r.message for n, r in res.items() if r.status not in ("built", "unchanged")}
    assert not bad, bad
    ascof = tables.load("ascof")
    new = ascof[(ascof["year"] == "2023-24") & ascof["primary"]]
    assert set(new["framework"]) == {"from 2023-24"}
    assert set(new["measure_code"]) == {"2C", "2B", "2E", "3D(2A)"}
    by_code = new.drop_duplicates("measure_code").set_index("measure_code")["measure_id"]
    assert by_code["2C"] == "ltc_admissions_65plus" and by_code["2E"] == "ld_live_own_home_or_family"
    # the trend across the renumbering: one measure id, its code of each year's framework
    s = ascof[(ascof["gss_code"] == STOCKPORT) & (ascof["measure_id"] == "ltc_admissions_65plus")
              & (ascof["disaggregation"] == "Total") & ascof["primary"]].sort_values("year")
    assert s["year"].tolist()[-2:] == ["2022-23", "2023-24"] and s["year"].iloc[0] == "2017-18"
    assert s.groupby("framework")["measure_code"].unique().map(list).to_dict() == {
        "to 2022-23": ["2A(2)"], "from 2023-24": ["2C"]}
    # the registry now lists the 2023-24 framework's codes, with the names a report shows
    reg = tables.load("ascof_measures").set_index(["framework", "measure_code"])
    assert reg.loc[("from 2023-24", "2C"), "measure_name"].startswith("The number of adults aged 65 and over")
    assert reg.loc[("to 2022-23", "1B"), "measure_name"].startswith("The proportion of people who use services")
    breaks = tables.load("ascof_series_breaks")
    assert ((breaks["measure_id"] == "ltc_admissions_65plus") & (breaks["year"] == "2024-25")).any()
    assert "2025-26" in set(tables.load("spend")["year"])
    assert 2024 in set(tables.load("population_sya")["mid_year"])
    assert "2024-25" in set(tables.load("population")["year"])
    assert "2022-23" in set(tables.load("activity")["year"])
    # the earlier rows are as they were: the committed files' tables keep their rows
    assert len(ascof[ascof["framework"] == "to 2022-23"]) == 34818


@pytest.mark.national
@pytest.mark.slow
def test_a_later_release_of_the_same_year_wins_and_its_changes_are_listed(sandbox, tmp_path: Path,
                                                                         later_files) -> None:
    families.add(later_files.ascof_annual(tmp_path / "a" / "ascof-2023-24.csv"))
    tables.build(["ascof"])
    assert tables.changes("ascof").empty
    families.add(later_files.ascof_annual(tmp_path / "b" / "ascof-2023-24-revised.csv", scale=1.1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables.build(["ascof"])
    assert any(issubclass(w.category, tables.RevisionWarning) and "ascof_2023_24_r2 over ascof_2023_24"
               in str(w.message) for w in caught)
    ch = tables.changes("ascof")
    assert len(ch) > 100 and set(ch["new_source_id"]) == {"ascof_2023_24_r2"} and set(ch["year"]) == {"2023-24"}
    df = tables.load("ascof")
    prim = df[df["primary"] & (df["year"] == "2023-24")]
    assert set(prim["source_id"]) == {"ascof_2023_24_r2"} and not prim.duplicated(
        ["gss_code", "measure_id", "disaggregation"]).any()
    assert tables.build_state()["ascof"]["changes"] == len(ch)


@pytest.mark.national
def test_value_checks_hold_on_every_committed_ascof_file() -> None:
    """The value-level checks (range, zero denominators, value = n / d x m within rounding, councils present)
    pass on the real files: they refuse damage, not the publications."""
    from helpers.data.national import ascof

    for src in ascof.ascof_sources():
        assert len(ascof.load_source(src)) > 1000


@pytest.mark.national
def test_england_zero_with_zero_denominator_is_refused(tmp_path: Path) -> None:
    """The issue's fault: the open data's England 1A set to 0 over a 0 denominator builds no table."""
    from helpers.core.errors import DataError
    from helpers.data.io import read_sheet
    from helpers.data.national import ascof_files as AF

    raw = read_sheet(sources.path(AF.SOURCE_OPEN), 0, header=0)
    eng = (raw["ONS Code"] == "E92000001") & (raw["ASCOF Measure Code"] == "1C1A")
    raw.loc[eng & (raw["Measure Type"] == "Outcome"), "Measure Value"] = 0
    raw.loc[eng & (raw["Measure Type"] == "Denominator"), "Measure Value"] = 0
    p = tmp_path / "open.csv"
    raw.to_csv(p, index=False)
    with pytest.raises(DataError, match="zero denominator"):
        AF.load_open_data(p)


@pytest.mark.national
def test_ro3_markers_turned_into_zeros_are_refused(tmp_path: Path) -> None:
    """A revised RO3 2024-25 whose [x] cells became 0 (the issue's 10,279 false zeros) is refused on adding."""
    from helpers.data import revisions
    from helpers.data.national import spend_ro3 as RO3

    rows = RO3.load_ro3("2024-25")
    zeroed = rows.assign(value_gbp_k=rows["value_gbp_k"].fillna(0.0), value_status="reported",
                         source_id="ro3_2024_25_r2")
    with pytest.raises(Exception, match="suppression markers replaced by zeros"):
        revisions.later_release_wins([rows, zeroed], ["gss_code", "year", "service_line", "age_band", "measure"],
                                     value="value_gbp_k", status="value_status")
    counts = revisions.value_counts(rows, value="value_gbp_k")
    after = revisions.value_counts(zeroed, value="value_gbp_k")
    with pytest.raises(Exception, match="suppression markers replaced by zeros"):
        revisions.compare_counts(counts, after, old_id="ro3_2024_25", new_file="RO3.ods")
    assert pd.notna(counts["2024-25"]["markers"]) and counts["2024-25"]["markers"] > 1000


@pytest.mark.national
def test_register_counts_are_those_of_the_files_and_catch_a_zeroed_copy() -> None:
    """The counts committed for each family file are what its table reads from it; a copy of RO3 2024-25
    with its markers written as 0 saved over the registered one is refused from those counts alone (the
    earlier file is gone)."""
    from helpers.data import revisions
    from helpers.data.national import spend_ro3 as RO3

    for sid in ("ro3_2024_25", "ascof_2020_21_open_data", "mye_2023"):
        src = sources.get(sid)
        rows = families.check_file(src.path, src.family, src.years, sid)
        assert revisions.value_counts(rows) == src.counts, sid
    rows = RO3.load_ro3("2024-25").rename(columns={"value_gbp_k": "value"})
    zeroed = rows.assign(value=rows["value"].fillna(0.0), value_status="reported")
    with pytest.raises(Exception, match="1,885 fewer suppressed / not-available values and 1,885 more zeros"):
        revisions.compare_counts(sources.get("ro3_2024_25").counts, revisions.value_counts(zeroed),
                                 old_id="ro3_2024_25", new_file="RO3_LA_Data_2024-25_data_by_LA.ods")
