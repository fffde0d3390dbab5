"""Tests of helpers.data.national.ascof: the ASCOF tables, the measure registry and the Oflog table.

Tests marked ``national`` read the real files in ``ASC_NATIONAL_DIR`` and check the tables against figures published in them (England values, regional
totals, the 2020-21 numerators and denominators, Oflog's medians). Bad-input tests write small mangled
copies of real rows to a temporary folder (said in each docstring). The registry and parser tests without
national data are in ``tests/unit/data/national/test_ascof_measures.py``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import DataError
from helpers.data import councils, sources, tables
from helpers.data.national import ascof_files, ascof_measures

SURVEY = {"1A", "1B", "1D", "1I(1)", "1I(2)", "1J", "3A", "3B", "3C", "3D(1)", "3D(2)", "4A", "4B"}


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return ascof_measures.measures()


# ----------------------------------------------------------------------------------------------------
# national data
# ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built() -> dict[str, pd.DataFrame]:
    """Build only this module's tables (and the councils table they depend on), then load them."""
    results = tables.build(["ascof_measures", "ascof", "oflog_asc"])
    failed = [f"{r.name}: {r.message}" for r in results if r.status in ("failed", "skipped")]
    if failed:
        pytest.fail("; ".join(failed))
    return {n: tables.load(n) for n in ("ascof", "oflog_asc", "ascof_measures")}


def _raw_trend() -> pd.DataFrame:
    return pd.read_csv(sources.get(ascof_files.SOURCE_TREND).path, dtype=str, keep_default_na=False)


def _one(df: pd.DataFrame, **kw: str) -> pd.Series:
    q = df
    for k, v in kw.items():
        q = q[q[k] == v]
    assert len(q) == 1, kw
    return q.iloc[0]


@pytest.mark.national
@pytest.mark.parametrize(
    ("year", "code", "value"),
    [("2022-23", "1A", 19.0), ("2022-23", "2A(2)", 560.8), ("2022-23", "2A(1)", 14.6), ("2021-22", "2D", 77.6),
     ("2017-18", "1C(2A)", 28.5), ("2018-19", "2C(1)", 10.3), ("2019-20", "1J", 0.401), ("2018-19", "1D", 7.5),
     ("2021-22", "3D(2)", 57.7), ("2020-21", "2B(1)", 79.1), ("2021-22", "1H", 26.0)],
)
def test_england_values(built: dict[str, pd.DataFrame], year: str, code: str, value: float) -> None:
    """England values equal the published England rows (ASCOF publication, England, Total)."""
    df = built["ascof"]
    row = _one(df[df["primary"]], gss_code="E92000001", year=year, measure_code=code, disaggregation="Total")
    assert row["value"] == pytest.approx(value, abs=1e-9)
    assert row["area_name"] == "England" and row["geography_level"] == "england"


@pytest.mark.national
def test_england_2020_21_numerators(built: dict[str, pd.DataFrame]) -> None:
    """2020-21 open data, England: 52,133 older people admitted / 10,464,019 aged 65+ = 498.2 per 100,000."""
    df = built["ascof"]
    row = _one(df, gss_code="E92000001", year="2020-21", measure_code="2A(2)", disaggregation="Total",
               source_id=ascof_files.SOURCE_OPEN)
    assert (row["numerator"], row["denominator"], row["value"]) == (52133, 10464019, 498.2)
    assert round(row["numerator"] / row["denominator"] * 1e5, 1) == row["value"]
    row = _one(df, gss_code="E92000001", year="2020-21", measure_code="1C(2A)", disaggregation="65+",
               source_id=ascof_files.SOURCE_OPEN)
    assert (row["numerator"], row["denominator"], row["value"]) == (34775, 227096, 15.3)


@pytest.mark.national
def test_value_equals_numerator_over_denominator(built: dict[str, pd.DataFrame]) -> None:
    """2020-21: value = numerator / denominator x scale, within the published rounding.

    Non-survey measures: values are rounded to 1 dp, so |value - n/d x m| <= 0.05. Survey measures: the
    numerator and denominator are weighted estimates rounded to the nearest 5, so the value lies within
    [(n-2.5)/(d+2.5), (n+2.5)/(d-2.5)] x m, +-0.05. 1F, 1H (no numerator/denominator published) and 1J
    (a ratio with none) cannot be checked.
    """
    df = built["ascof"]
    reg = built["ascof_measures"].set_index("measure_code")
    op = df[(df["source_id"] == ascof_files.SOURCE_OPEN) & df["value"].notna() & df["numerator"].notna()
            & df["denominator"].notna()]
    assert set(op["measure_code"]) == set(reg.index[reg["multiplier"].notna()]) & set(
        df.loc[df["source_id"] == ascof_files.SOURCE_OPEN, "measure_code"]) - {"1F", "1H"}
    m = op["measure_code"].map(reg["multiplier"])
    survey = op["measure_code"].map(reg["survey_based"]).astype(bool)
    exact = op["numerator"] / op["denominator"] * m
    assert ((op["value"] - exact).abs()[~survey] <= 0.05 + 1e-9).all()
    lo = (op["numerator"] - 2.5) / (op["denominator"] + 2.5) * m - 0.05 - 1e-9
    hi = (op["numerator"] + 2.5) / (op["denominator"] - 2.5) * m + 0.05 + 1e-9
    assert ((op["value"] >= lo) & (op["value"] <= hi))[survey].all()
    assert survey.sum() > 600 and (~survey).sum() > 5000
    no_nd = df[(df["source_id"] == ascof_files.SOURCE_OPEN) & df["measure_code"].isin(["1F", "1H", "1J"])]
    assert (no_nd["numerator_status"] == "not_available").all()


@pytest.mark.national
def test_regions_sum_to_england_2020_21(built: dict[str, pd.DataFrame]) -> None:
    """2020-21 numerators and denominators: the nine regions add up to England exactly.

    Councils add up to England except for Hackney (E09000012), which has no 2020-21 data in the file (not
    available) but is included in England and London, and suppressed council values (also included).
    """
    df = built["ascof"]
    op = df[(df["source_id"] == ascof_files.SOURCE_OPEN) & df["numerator"].notna()
            & ~df["measure_code"].isin(SURVEY)]
    key = ["measure_code", "disaggregation"]
    eng = op[op["geography_level"] == "england"].set_index(key)[["numerator", "denominator"]]
    reg = op[op["geography_level"] == "region"].groupby(key)[["numerator", "denominator"]].sum()
    assert len(eng) >= 30
    pd.testing.assert_frame_equal(reg.loc[eng.index], eng, check_exact=True)
    # where every council but Hackney has a reported numerator and denominator (no suppressed council),
    # England minus the councils is exactly London minus its boroughs (E09): Hackney's share
    allc = df[(df["source_id"] == ascof_files.SOURCE_OPEN) & (df["geography_level"] == "council")
              & (df["gss_code"] != "E09000012")]
    complete = allc.groupby(key).apply(
        lambda g: ((g["numerator_status"] == "reported") & (g["denominator_status"] == "reported")).all(),
        include_groups=False)
    idx = eng.index[complete.reindex(eng.index, fill_value=False).to_numpy()]
    assert len(idx) >= 25
    cou = op[op["geography_level"] == "council"]
    gap_england = eng.loc[idx] - cou.groupby(key)[["numerator", "denominator"]].sum().loc[idx]
    london = op[op["gss_code"] == "E12000007"].set_index(key)[["numerator", "denominator"]]
    boroughs = cou[cou["gss_code"].str.startswith("E09")].groupby(key)[["numerator", "denominator"]].sum()
    gap_london = (london - boroughs).loc[idx]
    pd.testing.assert_frame_equal(gap_england, gap_london, check_exact=True)
    assert (gap_england["denominator"] > 0).all()
    hackney = df[(df["gss_code"] == "E09000012") & (df["source_id"] == ascof_files.SOURCE_OPEN)
                 & (df["measure_code"] == "2A(2)")]
    assert hackney["value_status"].tolist() == ["not_available"]


@pytest.mark.national
def test_trend_and_open_data_agree(built: dict[str, pd.DataFrame]) -> None:
    """Every 2020-21 trend value equals the open-data value for the same area, measure and disaggregation."""
    df = built["ascof"]
    key = ["gss_code", "year", "measure_code", "disaggregation"]
    tr = df[(df["source_id"] == ascof_files.SOURCE_TREND) & (df["year"] == "2020-21")]
    op = df[df["source_id"] == ascof_files.SOURCE_OPEN]
    m = tr.merge(op, on=key, how="left", suffixes=("_t", "_o"), validate="one_to_one")
    assert len(m) == 2213
    assert m["value_o"].notna().all()
    assert (m["value_t"] == m["value_o"]).all()
    assert (~tr["primary"]).all()
    primary = df[df["primary"]]
    assert not primary.duplicated(key).any()
    assert len(primary) == len(df) - len(tr)


@pytest.mark.national
def test_suppressed_markers(built: dict[str, pd.DataFrame]) -> None:
    """The open data's 43 '[c]' cells are NaN with status 'suppressed'; '[x]' cells are 'not_available'."""
    df = built["ascof"]
    op = df[df["source_id"] == ascof_files.SOURCE_OPEN]
    cols = ["value", "numerator", "denominator", "base", "moe"]
    n_supp = sum(int((op[f"{c}_status"] == "suppressed").sum()) for c in cols)
    assert n_supp == 43
    for c in cols:
        assert op.loc[op[f"{c}_status"] != "reported", c].isna().all()
        assert op.loc[op[f"{c}_status"] == "reported", c].notna().all()
    row = _one(op, gss_code="E09000001", measure_code="1F", disaggregation="Total")
    assert np.isnan(row["value"]) and row["value_status"] == "suppressed"
    # Isles of Scilly 1E: numerator and denominator suppressed, the published value (0.0) kept
    row = _one(op, gss_code="E06000053", measure_code="1E", disaggregation="Total")
    assert (row["value"], row["numerator_status"], row["denominator_status"]) == (0.0, "suppressed", "suppressed")
    # England survey measures 2020-21: not collected nationally ([x])
    row = _one(op, gss_code="E92000001", measure_code="1A", disaggregation="Total")
    assert row["value_status"] == "not_available" and np.isnan(row["value"])


@pytest.mark.national
def test_row_counts(built: dict[str, pd.DataFrame]) -> None:
    """Rows per year and source: the raw files' rows less council-type aggregates (no GSS code)."""
    df = built["ascof"]
    counts = df.groupby(["year", "source_id"]).size().to_dict()
    assert counts == {
        ("2017-18", "ascof_trend"): 3866, ("2018-19", "ascof_trend"): 4682, ("2019-20", "ascof_trend"): 3821,
        ("2020-21", "ascof_trend"): 2213, ("2021-22", "ascof_trend"): 4154, ("2022-23", "ascof_trend"): 3363,
        ("2020-21", "ascof_2020_21_open_data"): 12719,
    }
    raw = _raw_trend()
    kept = raw[~raw["Geographical Level"].str.lower().eq("council type")].groupby("Year").size()
    tr = df[df["source_id"] == ascof_files.SOURCE_TREND].groupby("year").size()
    assert kept.to_dict() == tr.to_dict()
    assert len(built["oflog_asc"]) == 6376
    oflog_raw = pd.read_csv(sources.get(ascof_files.SOURCE_OFLOG).path, dtype=str, keep_default_na=False)
    assert built["oflog_asc"].groupby("year").size().to_dict() == oflog_raw.groupby("Financial year").size().to_dict()


@pytest.mark.national
def test_council_codes_are_the_councils_of_each_year(built: dict[str, pd.DataFrame]) -> None:
    """Each year's council codes are exactly helpers.data.councils.current(year): 152, 152, 151, 151, 152, 152."""
    df = built["ascof"]
    cou = df[df["geography_level"] == "council"]
    for year, codes in cou.groupby("year")["gss_code"]:
        assert set(codes) == set(councils.current(year)["gss_code"]), year
    assert cou.groupby("year")["gss_code"].nunique().tolist() == [152, 152, 151, 151, 152, 152]
    regions = set(councils.regions()["region_code"])
    assert set(df.loc[df["geography_level"] != "council", "gss_code"]) == regions
    of = built["oflog_asc"]
    known = set(councils.reference()["gss_code"])
    assert set(of["gss_code"]) <= known


@pytest.mark.national
def test_years_available_match_data(built: dict[str, pd.DataFrame]) -> None:
    """The registry's years_available are the years with a reported value in the ascof table."""
    df = built["ascof"]
    got = df[df["value_status"] == "reported"].groupby("measure_code")["year"].apply(lambda s: ";".join(sorted(set(s))))
    reg = built["ascof_measures"].set_index("measure_code")["years_available"]
    pd.testing.assert_series_equal(got.sort_index(), reg.sort_index(), check_names=False)


@pytest.mark.national
def test_directions_agree_with_registry() -> None:
    """Every line of ascof_measure_direction.csv maps to one registry code; all agree except 2D.

    2D (sequel to short-term services: the share needing no or lower-level ongoing support) is "Lower is
    better" in the file; the handbook, NHS Digital, LG Inform and Oflog's ranking say higher is better
    (docs/caveats.md).
    """
    cmp_ = ascof_measures.compare_directions()
    assert len(cmp_) == 22
    assert cmp_["measure_code"].notna().all() and cmp_["measure_code"].is_unique
    assert cmp_.loc[~cmp_["agree"], "measure_code"].tolist() == ["2D"]
    assert _one(cmp_, measure_code="2D")[["published", "registry"]].tolist() == ["lower", "higher"]


@pytest.mark.national
def test_published_names_resolve_to_their_codes() -> None:
    """Every published description resolves (through the registry) to its row's code, except known errors.

    Known: the 2019-20 carers' rows of 1C(1B) and 1C(2B) carry the users' descriptions (their values are the
    carers', e.g. England 1C(1B) 86.9 vs 1C(1A) 91.9), and 2017-18 2A rows have no description.
    """
    raw = _raw_trend()
    code = raw["Measure Group"].map(ascof_measures.normalise_measure_code)
    res = ascof_measures.resolve_measure_names(raw["Measure Group Description"])
    bad = raw[res.ne(code)].assign(code=code)
    assert bad.groupby(["Year", "code"]).size().to_dict() == {
        ("2017-18", "2A(1)"): 167, ("2017-18", "2A(2)"): 167, ("2019-20", "1C(1B)"): 163, ("2019-20", "1C(2B)"): 163}
    assert (bad.loc[bad["code"].str.startswith("2A"), "Measure Group Description"] == "").all()


@pytest.mark.national
def test_oflog_agrees_with_ascof(built: dict[str, pd.DataFrame]) -> None:
    """Oflog ASC1 = ASCOF 1D, ASC2 = 1J, ASC3 = 3D(1), ASC4 = 3D(2), ASC5 = 2D: equal where both publish.

    The only disagreements are five Oflog ASC2 2019-20 values of 0 (Wokingham, City of London, Kent, Isles
    of Scilly, Trafford) where ASCOF publishes no 1J value (docs/caveats.md). ASC6 and ASC7 are not ASCOF.
    """
    df, of = built["ascof"], built["oflog_asc"]
    a = df[df["primary"] & (df["disaggregation"] == "Total") & (df["geography_level"] == "council")]
    m = of.dropna(subset=["ascof_code"]).merge(
        a, left_on=["gss_code", "year", "ascof_code"], right_on=["gss_code", "year", "measure_code"],
        how="left", suffixes=("_o", "_a"))
    both = m[m["value_o"].notna() & m["value_a"].notna()]
    assert (both["value_o"] == both["value_a"]).all()
    assert both.groupby("measure_code_o").size().to_dict() == {
        "ASC1": 300, "ASC2": 745, "ASC3": 746, "ASC4": 300, "ASC5": 905}
    only_oflog = m[m["value_o"].notna() & m["value_a"].isna() & (m["year"] >= "2017-18")]
    assert sorted(only_oflog["gss_code"]) == ["E06000041", "E06000053", "E08000009", "E09000001", "E10000016"]
    assert set(only_oflog["measure_code_o"]) == {"ASC2"} and set(only_oflog["year"]) == {"2019-20"}
    assert (only_oflog["value_o"] == 0).all()
    assert of.loc[of["measure_code"].isin(["ASC6", "ASC7"]), "ascof_code"].isna().all()


@pytest.mark.national
def test_oflog_median_and_mads_are_consistent(built: dict[str, pd.DataFrame]) -> None:
    """Oflog's median is the median of the reported council values, and MADs = (value - median) / MAD with
    the unscaled MAD (median absolute deviation, no 1.4826 factor), for every measure and year."""
    of = built["oflog_asc"]
    rep = of[of["value_status"] == "reported"]
    for (_, _), g in rep.groupby(["measure_code", "year"]):
        med = g["value"].median()
        assert g["oflog_median"].nunique() == 1
        assert g["oflog_median"].iloc[0] == pytest.approx(med, rel=1e-9, abs=1e-9)
        mad = (g["value"] - med).abs().median()
        assert np.allclose(g["oflog_mads_from_median"], (g["value"] - med) / mad, rtol=1e-6, atol=1e-6)
    assert set(of.loc[of["measure_code"].isin(["ASC6", "ASC7"]), "polarity"]) == {"none"}
    assert set(of.loc[~of["measure_code"].isin(["ASC6", "ASC7"]), "polarity"]) == {"higher"}


@pytest.mark.national
def test_one_filter_gives_value_with_numerator(built: dict[str, pd.DataFrame]) -> None:
    """The shape the notebooks need: one filter -> one row with value, numerator and denominator."""
    df = built["ascof"]
    q = df.query("gss_code == 'E08000007' and measure_code == '2A(2)' and year == '2020-21' "
                 "and disaggregation == 'Total' and primary")
    assert len(q) == 1
    assert q[["value", "numerator", "denominator", "unit"]].iloc[0].tolist() == [1367.7, 806.0, 58933.0,
                                                                                 "rate_per_100k"]


# ----------------------------------------------------------------------------------------------------
# bad input: small mangled copies of real rows (national: they start from the real files)
# ----------------------------------------------------------------------------------------------------

def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def trend_sample() -> tuple[list[str], list[list[str]]]:
    """The first 40 rows of the real trend file (2017-18, 1A), as text."""
    raw = _raw_trend()
    return list(raw.columns), raw.head(40).to_numpy().tolist()


@pytest.mark.national
def test_trend_sample_loads(tmp_path: Path, trend_sample: tuple, registry: pd.DataFrame) -> None:
    header, rows = trend_sample
    out = ascof_files.load_trend(_write_rows(tmp_path / "t.csv", header, rows), registry)
    assert len(out) == 40 and (out["measure_code"] == "1A").all()


@pytest.mark.national
def test_trend_renamed_column(tmp_path: Path, trend_sample: tuple, registry: pd.DataFrame) -> None:
    """A renamed column (Measure_Value -> Value): one DataError naming the file, header row and column."""
    header, rows = trend_sample
    header = ["Value" if h == "Measure_Value" else h for h in header]
    with pytest.raises(DataError, match=r"t\.csv, row 1, column 'Measure_Value': expected column 'Measure_Value' is missing"):
        ascof_files.load_trend(_write_rows(tmp_path / "t.csv", header, rows), registry)


@pytest.mark.national
@pytest.mark.parametrize(("code", "msg"), [("2E", "unknown ASCOF measure code '2E'"),
                                           ("5Z", "not an ASCOF measure code")])
def test_trend_unknown_measure_code(tmp_path: Path, trend_sample: tuple, registry: pd.DataFrame, code: str,
                                    msg: str) -> None:
    """An unknown measure code on the 8th data row: DataError at row 9, column 'Measure Group'."""
    header, rows = trend_sample
    rows = [list(r) for r in rows]
    rows[7][header.index("Measure Group")] = code
    with pytest.raises(DataError, match=rf"row 9, column 'Measure Group': {re.escape(msg)}"):
        ascof_files.load_trend(_write_rows(tmp_path / "t.csv", header, rows), registry)


@pytest.mark.national
def test_trend_duplicate_row(tmp_path: Path, trend_sample: tuple, registry: pd.DataFrame) -> None:
    """A council-year-measure-disaggregation given twice: DataError at the second copy's row."""
    header, rows = trend_sample
    rows = [list(r) for r in rows] + [list(rows[3])]
    with pytest.raises(DataError, match=r"row 42, column 'gss_code': duplicate ascof key"):
        ascof_files.load_trend(_write_rows(tmp_path / "t.csv", header, rows), registry)


@pytest.mark.national
def test_trend_non_numeric_and_bad_code(tmp_path: Path, trend_sample: tuple, registry: pd.DataFrame) -> None:
    header, rows = trend_sample
    bad = [list(r) for r in rows]
    bad[4][header.index("Measure_Value")] = "19,x"
    with pytest.raises(DataError, match=r"row 6, column 'Measure_Value': not a number"):
        ascof_files.load_trend(_write_rows(tmp_path / "t.csv", header, bad), registry)
    bad = [list(r) for r in rows]
    bad[2][header.index("ONS Code")] = "E99999999"
    with pytest.raises(DataError, match=r"row 4, column 'ONS Code': not a GSS code of a council"):
        ascof_files.load_trend(_write_rows(tmp_path / "t.csv", header, bad), registry)
    bad = [list(r) for r in rows]
    bad[2][header.index("ONS Code")] = "E06000099"
    with pytest.raises(DataError, match=r"row 4, column 'gss_code': GSS code not in the councils reference"):
        ascof_files.load_trend(_write_rows(tmp_path / "t.csv", header, bad), registry)


MARKERS = {"[c]": "suppressed", "c": "suppressed", "[x]": "not_available", "x": "not_available",
           "*": "suppressed", ":": "not_available", "..": "not_available", "": "missing"}


@pytest.mark.national
@given(
    picks=st.lists(st.tuples(st.integers(0, 39), st.sampled_from(sorted(MARKERS)), st.booleans(),
                             st.sampled_from(["", " ", "  "])), min_size=1, max_size=6),
)
def test_trend_marker_fuzz(tmp_path_factory: pytest.TempPathFactory, trend_sample: tuple, registry: pd.DataFrame,
                           picks: list[tuple[int, str, bool, str]]) -> None:
    """Mangled copies of real rows: markers in any case with spaces stay NaN with their status; spaced
    numbers keep their value."""
    header, rows = trend_sample
    rows = [list(r) for r in rows]
    col = header.index("Measure_Value")
    expect: dict[int, str] = {}
    for i, marker, upper, pad in picks:
        rows[i][col] = f"{pad}{marker.upper() if upper else marker}{pad}"
        expect[i] = MARKERS[marker]
    spaced = next(i for i in range(40) if i not in expect)
    original = float(rows[spaced][col])
    rows[spaced][col] = f" {rows[spaced][col]} "
    path = _write_rows(tmp_path_factory.mktemp("fuzz") / "t.csv", header, rows)
    out = ascof_files.load_trend(path, registry)
    by_code = out.set_index("gss_code")
    for i, status in expect.items():
        r = by_code.loc[rows[i][header.index("ONS Code")]]
        assert np.isnan(r["value"]) and r["value_status"] == status
    assert by_code.loc[rows[spaced][header.index("ONS Code")], "value"] == original


@pytest.fixture(scope="module")
def open_sample() -> tuple[list[str], list[list[str]]]:
    """The open data's rows for Kirklees (all measures and types), as text (a CSV copy of real rows)."""
    from helpers.data.io import read_sheet

    raw = read_sheet(sources.get(ascof_files.SOURCE_OPEN).path, 0, header=0)
    part = raw[raw["ONS Code"] == "E08000034"].astype(str)
    return list(raw.columns), part.to_numpy().tolist()


@pytest.mark.national
def test_open_sample_loads_like_the_workbook(tmp_path: Path, open_sample: tuple, registry: pd.DataFrame,
                                            built: dict[str, pd.DataFrame]) -> None:
    """A CSV copy of Kirklees' rows gives the same table rows as the workbook."""
    header, rows = open_sample
    out = ascof_files.load_open_data(_write_rows(tmp_path / "o.csv", header, rows), registry)
    ref = built["ascof"]
    ref = ref[(ref["gss_code"] == "E08000034") & (ref["source_id"] == ascof_files.SOURCE_OPEN)].reset_index(drop=True)
    pd.testing.assert_frame_equal(out, ref)
    row = _one(out, measure_code="1B", disaggregation="Total")
    assert (row["value"], row["numerator"], row["denominator"], row["base"], row["moe"]) == (
        85.1, 3605, 4235, 495, 2.9)


@pytest.mark.national
def test_open_data_bad_input(tmp_path: Path, open_sample: tuple, registry: pd.DataFrame) -> None:
    """Mangled Kirklees rows: wrong code suffix, unknown measure type, a duplicated type -> one DataError each."""
    header, rows = open_sample
    ci, ti = header.index("ASCOF Measure Code"), header.index("Measure Type")
    bad = [list(r) for r in rows]
    bad[5][ci] = bad[5][ci] + "X"
    with pytest.raises(DataError, match=r"row 7, column 'ASCOF Measure Code': ASCOF Measure Code disagrees"):
        ascof_files.load_open_data(_write_rows(tmp_path / "o.csv", header, bad), registry)
    bad = [list(r) for r in rows]
    bad[3][ti] = "Median"
    with pytest.raises(DataError, match=r"row 5, column 'Measure Type': unknown measure type"):
        ascof_files.load_open_data(_write_rows(tmp_path / "o.csv", header, bad), registry)
    bad = [list(r) for r in rows] + [list(rows[0])]
    with pytest.raises(DataError, match=rf"row {len(rows) + 2}, column 'gss_code': duplicate ascof open data key"):
        ascof_files.load_open_data(_write_rows(tmp_path / "o.csv", header, bad), registry)


@pytest.mark.national
def test_oflog_bad_input(tmp_path: Path, registry: pd.DataFrame) -> None:
    """Mangled copies of the first 30 Oflog rows: renamed column, duplicate, unknown rank order."""
    raw = pd.read_csv(sources.get(ascof_files.SOURCE_OFLOG).path, dtype=str, keep_default_na=False)
    header, rows = list(raw.columns), raw.head(30).to_numpy().tolist()
    out = ascof_files.load_oflog(_write_rows(tmp_path / "f.csv", header, rows), registry)
    assert len(out) == 30 and set(out["ascof_code"]) == {"1D"}
    with pytest.raises(DataError, match=r"row 1, column 'MEDIAN': expected column 'MEDIAN' is missing"):
        ascof_files.load_oflog(_write_rows(tmp_path / "f.csv", [h.replace("MEDIAN", "Median") for h in header], rows),
                         registry)
    with pytest.raises(DataError, match=r"row 32, column 'gss_code': duplicate oflog_asc key"):
        ascof_files.load_oflog(_write_rows(tmp_path / "f.csv", header, [*rows, rows[0]]), registry)
    bad = [list(r) for r in rows]
    bad[10][header.index("rank_order")] = "up"
    with pytest.raises(DataError, match=r"row 12, column 'rank_order': unknown rank_order"):
        ascof_files.load_oflog(_write_rows(tmp_path / "f.csv", header, bad), registry)
    bad = [list(r) for r in rows]
    bad[10][header.index("rank_order")] = "None"
    with pytest.raises(DataError, match=r"row 12, column 'rank_order': measure ASC1 has more than one rank_order"):
        ascof_files.load_oflog(_write_rows(tmp_path / "f.csv", header, bad), registry)
