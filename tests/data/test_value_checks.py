"""Value-level checks of the national tables (issue 11 item 7): a revised or damaged file that keeps its layout
but loses councils or carries impossible values builds no table. Each case mangles a copy of the real file in
``tmp_path`` (never committed); the real files pass (the tables build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.core.errors import DataError
from helpers.data import sources
from helpers.data.io import read_csv_raw
from helpers.data.national import ascof, deprivation
from helpers.data.national import ascof_files as AF

STOCKPORT = "E08000007"


@pytest.mark.national
def test_a_council_deleted_from_the_ascof_trend_file_is_named(tmp_path: Path) -> None:
    raw = read_csv_raw(sources.path(AF.SOURCE_TREND))
    raw = raw[~((raw["ONS Code"] == STOCKPORT) & (raw["Year"] == "2018-19"))]
    p = tmp_path / "trend.csv"
    raw.to_csv(p, index=False)
    with pytest.raises(DataError, match=r"1 council\(s\) missing from 2018-19: E08000007 \(Stockport\)"):
        ascof.load_source(sources.get(AF.SOURCE_TREND), path=p)


@pytest.mark.national
def test_an_ascof_value_outside_its_range_is_refused(tmp_path: Path) -> None:
    raw = read_csv_raw(sources.path(AF.SOURCE_TREND))
    i = raw.index[(raw["Measure Group"] == "1G") & (raw["ONS Code"] == STOCKPORT)][0]
    raw.loc[i, "Measure_Value"] = "175.0"  # a percentage over 100 (a unit slip)
    p = tmp_path / "trend.csv"
    raw.to_csv(p, index=False)
    with pytest.raises(DataError, match=f"row {i + 2}, column 'value': value outside the measure's range"):
        AF.load_trend(p)


@pytest.mark.national
def test_a_value_that_is_not_numerator_over_denominator_is_refused(tmp_path: Path) -> None:
    from helpers.data.io import read_sheet

    raw = read_sheet(sources.path(AF.SOURCE_OPEN), 0, header=0)
    sel = (raw["ONS Code"] == STOCKPORT) & (raw["ASCOF Measure Code"] == "1G") & (raw["Measure Type"] == "Outcome")
    raw.loc[sel, "Measure Value"] = float(raw.loc[sel, "Measure Value"].iloc[0]) + 3
    p = tmp_path / "open.csv"
    raw.to_csv(p, index=False)
    with pytest.raises(DataError, match="not numerator / denominator x the measure's multiplier"):
        AF.load_open_data(p)


@pytest.mark.national
def test_oflog_council_missing_or_value_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    df = AF.load_oflog()
    path = sources.path(AF.SOURCE_OFLOG)
    ascof.check_oflog_values(df, file=path)  # the real file passes
    gone = df[~((df["gss_code"] == STOCKPORT) & (df["year"] == "2019-20"))]
    with pytest.raises(DataError, match=r"missing from 2019-20, first E08000007 \(Stockport\)"):
        ascof.check_oflog_values(gone, file=path)
    bad = df.copy()
    bad.loc[bad.index[(bad["measure_code"] == "ASC2") & bad["value"].notna()][0], "value"] = 3.5  # 1J is 0-1
    with pytest.raises(DataError, match="ASC2 value outside the measure's range"):
        ascof.check_oflog_values(bad, file=path)


@pytest.mark.national
def test_deprivation_share_or_rank_out_of_range_is_refused() -> None:
    df = deprivation.load_vintage(2019)
    deprivation.check_deprivation_values(df)
    bad = df.copy()
    i = bad.index[bad["statistic"].str.startswith("Extent")][0]
    bad.loc[i, "value"] = 1.7
    with pytest.raises(DataError, match="outside its range"):
        deprivation.check_deprivation_values(bad)


def _append(path: Path, rows: list[list[str]]) -> Path:
    """The real trend file's bytes (as published) with ``rows`` appended (ASCII)."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = sources.path(AF.SOURCE_TREND).read_bytes().rstrip(b"\r\n") + b"\r\n" + buf.getvalue().encode("ascii")
    path.write_bytes(data)
    return path


def _trend_rows_2023_24(later_files, tmp_path: Path, **kw) -> list[list[str]]:
    """The synthetic 2023-24 annual file's Outcome rows in the trend file's layout (a later trend release)."""
    import pandas as pd

    ann = pd.read_csv(later_files.ascof_annual(tmp_path / "ann-2023-24.csv", **kw), dtype=str)
    out = ann[ann["Measure Type"] == "Outcome"]
    return [["2023-24", r["Geographical Description"], r["ONS Code"], r["Measure Group"],
             r["Measure Group Description"], r["Measure Value"], r["Geographical Level"], r["Disaggregation Level"],
             "Outcome"] for _, r in out.iterrows()]


@pytest.mark.national
def test_a_trend_file_running_into_2023_24_maps_each_year_by_its_framework(tmp_path: Path, later_files) -> None:
    """The issue's case: 2023-24 rows appended to the trend file. Each year's codes are read in its framework,
    so 2C in 2023-24 is the admissions measure that was 2A(2), one series under one measure id."""
    p = _append(tmp_path / "trend-2017-18-to-2023-24.csv", _trend_rows_2023_24(later_files, tmp_path))
    df = AF.load_trend(p)
    s = df[(df["gss_code"] == STOCKPORT) & (df["measure_id"] == "ltc_admissions_65plus")
           & (df["disaggregation"] == "Total")]
    assert s.set_index("year")["measure_code"].to_dict() == {
        **{y: "2A(2)" for y in ("2018-19", "2019-20", "2020-21", "2021-22", "2022-23")}, "2017-18": "2A(2)",
        "2023-24": "2C"}
    assert set(df.loc[df["year"] == "2023-24", "framework"]) == {"from 2023-24"}


@pytest.mark.national
def test_reused_code_or_blank_measure_type_in_a_later_trend_file_is_refused(tmp_path: Path, later_files) -> None:
    p = _append(tmp_path / "t.csv", _trend_rows_2023_24(later_files, tmp_path, reuse_2c=True))
    with pytest.raises(DataError, match="'2C' in 2023-24: the file describes it as 'Delayed transfers of care"):
        AF.load_trend(p)
    rows = _trend_rows_2023_24(later_files, tmp_path / "b")
    rows[0][8] = ""  # a blank Measure Type (slipped through the 'Outcome only' check before)
    _append(p, rows)
    with pytest.raises(DataError, match="column 'Measure Type': the trend file should hold only 'Outcome'"):
        AF.load_trend(p)
