"""Tests of helpers.data.national.spend: the ``spend`` and ``deflators`` tables and ``to_real_terms``.

National tests reproduce figures printed in the files themselves (RO3 England and class-total rows, the
ASC-FR 2016-17 England and regional rows, a council's values read off the files), check that each
collection's detail lines add up to its published total, cross-check the 2014-15 expenditure file against
the 2014-15 unit-cost file (a second publication of the same numbers), and re-derive the evidence for the
ASC-FR 2016-17 key lookup. The tests on small synthetic frames (the arithmetic of ``to_real_terms`` and
``totals``) are in ``tests/unit/data/national/test_spend.py``.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import DataError
from helpers.data import sources
from helpers.data.io import read_csv_raw, read_sheet
from helpers.data.national import spend as S
from helpers.data.national import spend_ascfr as FR
from helpers.data.national import spend_ro3 as RO3

ENGLAND = "E92000001"
STOCKPORT = "E08000007"
CUMBRIA = "E10000006"


@pytest.fixture(scope="module")
def built():
    from helpers.data import tables

    res = tables.build(["spend", "deflators"])
    bad = [f"{r.name}: {r.status} {r.message}" for r in res if r.status in ("failed", "skipped")]
    assert not bad, bad
    return tables.load("spend"), tables.load("deflators")


def _value(df: pd.DataFrame, **where: str) -> float:
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (where, len(sel))
    return float(sel["value_gbp_k"].iloc[0])


# ------------------------------------------------------------------------------------------------
# deflators (national)
# ------------------------------------------------------------------------------------------------


@pytest.mark.national
def test_deflator_published_values(built):
    """2022-23 = 100 (the base); 2021-22 93.629 and 1955-56 3.521 as printed; forecasts chained."""
    _, d = built
    idx = d.set_index("year")
    assert idx.loc["2022-23", "gdp_deflator"] == 100.0
    assert idx.loc["2021-22", "gdp_deflator"] == pytest.approx(93.629)
    assert idx.loc["1955-56", "gdp_deflator"] == pytest.approx(3.521)
    assert d["year"].iloc[0] == "1955-56" and d["year"].iloc[-1] == "2028-29" and len(d) == 74
    # 2023-24 is an OBR forecast: only +6.10% is published; the index is chained: 100 x 1.061
    assert bool(idx.loc["2023-24", "is_forecast"]) and bool(idx.loc["2023-24", "derived_index"])
    assert idx.loc["2023-24", "gdp_deflator"] == pytest.approx(106.1)
    assert idx.loc["2024-25", "gdp_deflator"] == pytest.approx(106.1 * 1.0168)
    assert not idx.loc[:"2022-23", "is_forecast"].any()
    # the published % changes agree with the published index (e.g. 2022-23: +6.80% on 93.629)
    assert idx.loc["2022-23", "pct_change"] == pytest.approx(6.80)
    assert 93.629 * 1.068 == pytest.approx(100.0, abs=0.01)


@pytest.mark.national
def test_real_terms_with_the_table(built):
    """£100k of 2022-23 is £106.1k in 2023-24 prices; RO3 England 2022-23 in 2023-24 prices."""
    s, d = built
    df = pd.DataFrame({"year": ["2022-23"], "v": [100.0]})
    assert S.to_real_terms(df, "v", deflators=d).iloc[0] == pytest.approx(106.1)
    eng = s[(s.gss_code == ENGLAND) & (s.collection == "RO3") & (s.line_type == "total")
            & (s.measure == "net_current_expenditure")]
    real = S.to_real_terms(eng, "value_gbp_k", deflators=d)
    got = dict(zip(eng["year"], real, strict=True))
    assert got["2023-24"] == pytest.approx(_value(eng, year="2023-24"))
    assert got["2022-23"] == pytest.approx(_value(eng, year="2022-23") * 1.061)


# ------------------------------------------------------------------------------------------------
# spend: published figures (national)
# ------------------------------------------------------------------------------------------------


@pytest.mark.national
def test_ro3_england_rows_as_printed(built):
    """RO3 England row (E92000001), TOTAL ADULT SOCIAL CARE, read off the files."""
    s, _ = built
    r = s[(s.collection == "RO3") & (s.gss_code == ENGLAND) & (s.line_type == "total")]
    assert _value(r, year="2023-24", measure="total_expenditure") == pytest.approx(32_716_167.369981)
    assert _value(r, year="2023-24", measure="net_current_expenditure") == pytest.approx(23_321_572.533166)


@pytest.mark.national
def test_ro3_shire_counties_sum_to_class_total(built):
    """RO3 2023-24: every shire county reported, so the 21 E10 councils add up to the printed class total
    'Shire Counties' (total expenditure 10,851,969; net current expenditure 7,962,153) to rounding."""
    s, _ = built
    sc = s[(s.collection == "RO3") & (s.year == "2023-24") & (s.line_type == "total") & s.gss_code.str.startswith("E10")]
    assert sc.gss_code.nunique() == 21
    by = sc.groupby("measure")["value_gbp_k"].sum()
    assert by["total_expenditure"] == pytest.approx(10_851_969, abs=5)
    assert by["net_current_expenditure"] == pytest.approx(7_962_153, abs=5)


@pytest.mark.national
def test_council_values_read_off_the_files(built):
    """Values read by eye: Stockport MBC RO3 2023-24 total expenditure 187,802; Wirral 208,058 and net
    147,541; Cumbria 2014-15 'Adult Social Care' GCE 177,607.74 and NCE 135,052.56; Cumbria ASC-FR
    2016-17 first row (long term, 18-64, key PSR 4 = LD, setting 3 = other long term care) GCE 9,596.61449."""
    s, _ = built
    ro3 = s[(s.collection == "RO3") & (s.year == "2023-24") & (s.line_type == "total")]
    assert _value(ro3, gss_code=STOCKPORT, measure="total_expenditure") == 187_802
    assert _value(ro3, gss_code="E08000015", measure="total_expenditure") == 208_058
    assert _value(ro3, gss_code="E08000015", measure="net_current_expenditure") == 147_541
    a15 = s[(s.year == "2014-15") & (s.gss_code == CUMBRIA) & (s.line_type == "total")]
    assert _value(a15, measure="gross_current_expenditure") == pytest.approx(177_607.74)
    assert _value(a15, measure="net_current_expenditure") == pytest.approx(135_052.56)
    a17 = s[(s.year == "2016-17") & (s.gss_code == CUMBRIA)]
    assert _value(a17, service_line="Long term support: Learning disability support: Community: other long term care",
                  age_band="18-64", measure="gross_current_expenditure") == pytest.approx(9596.61449)


@pytest.mark.national
def test_ascfr_2016_17_england_and_regions(built):
    """ASC-FR 2016-17: England gross current expenditure £17.5bn (published); the England and each
    region's rows equal the sum of their councils' rows, every measure."""
    from helpers.data import councils

    s, _ = built
    a = s[s.year == "2016-17"]
    eng = a[a.gss_code == ENGLAND].groupby("measure")["value_gbp_k"].sum()
    assert round(eng["gross_current_expenditure"] / 1e6, 1) == 17.5
    assert eng["gross_current_expenditure"] == pytest.approx(17_526_380, abs=50)
    cou = a[a.gss_code.str.match(r"^E(06|08|09|10)")]
    pd.testing.assert_series_equal(cou.groupby("measure")["value_gbp_k"].sum(), eng, rtol=1e-9)
    region = cou.gss_code.map(councils.reference().set_index("gss_code")["region_code"])
    by_region = cou.groupby([region, "measure"])["value_gbp_k"].sum()
    published = a[a.gss_code.str.startswith("E12")].groupby(["gss_code", "measure"])["value_gbp_k"].sum()
    assert len(published) == 9 * 6
    np.testing.assert_allclose(by_region.sort_index().to_numpy(), published.sort_index().to_numpy(), rtol=1e-9)


@pytest.mark.national
def test_detail_lines_add_up_to_total(built):
    """In every collection the ``detail`` lines of a council-year-measure sum to its published total
    (RO3 to £3k: its cells are rounded to £1k; ASC-FR 2014-15 to £0.15k)."""
    s, _ = built
    det = s[s.line_type == "detail"].groupby(["collection", "year", "gss_code", "measure"])["value_gbp_k"].sum(min_count=1)
    tot = s[s.line_type == "total"].set_index(["collection", "year", "gss_code", "measure"])["value_gbp_k"]
    j = pd.concat([det.rename("det"), tot.rename("tot")], axis=1, join="inner").dropna()
    assert len(j) > 3000
    tol = np.where(j.index.get_level_values("collection") == "RO3", 3.0, 0.15)
    worst = (j["det"] - j["tot"]).abs() - tol
    assert (worst <= 1e-6).all(), j[worst > 1e-6].head()


@pytest.mark.national
def test_ascfr_2016_17_detail_sums_to_england_17_5bn(built):
    """ASC-FR 2016-17 has no total line: its detail lines over councils reproduce £17.5bn GCE."""
    s, _ = built
    a = s[(s.year == "2016-17") & s.gss_code.str.match(r"^E(06|08|09|10)") & (s.measure == "gross_current_expenditure")]
    assert a["value_gbp_k"].sum() / 1e6 == pytest.approx(17.526, abs=0.001)


@pytest.mark.national
def test_rows_and_councils_per_year(built):
    """Councils per year: RO3 152 (2022-23) and 153 (2023-24, 2024-25) plus England; ASC-FR 2014-15 all
    152 (no England column); 2016-17 151 councils (no Isles of Scilly) + 9 regions + England."""
    from helpers.data import councils

    s, _ = built
    n = s.groupby(["year", "collection"])["gss_code"].nunique().to_dict()
    assert n == {("2014-15", "ASC-FR"): 152, ("2016-17", "ASC-FR"): 161, ("2022-23", "RO3"): 153,
                 ("2023-24", "RO3"): 154, ("2024-25", "RO3"): 154}
    for year in ("2022-23", "2023-24", "2024-25"):
        got = set(s[(s.year == year) & (s.gss_code != ENGLAND)]["gss_code"])
        assert got == set(councils.current(year)["gss_code"])
    assert "E06000053" not in set(s[s.year == "2016-17"]["gss_code"])
    # RO3: 31 (2022-23, 2023-24) or 29 (2024-25, no provider-payment lines) ASC lines + 2 memo lines
    lines = s[s.collection == "RO3"].groupby("year")["service_line"].nunique().to_dict()
    assert lines == {"2022-23": 33, "2023-24": 33, "2024-25": 31}
    key = ["gss_code", "year", "collection", "service_line", "age_band", "measure"]
    assert not s.duplicated(key).any()


@pytest.mark.national
def test_row_counts_per_year(built):
    """Rows per year and collection: RO3 = areas x the file's adult social care columns (153 x 225 in 2022-23,
    154 x 225 in 2023-24, 154 x 211 in 2024-25, which has no provider-payment lines); ASC-FR 2014-15 = 152
    councils x 974 loaded lines; ASC-FR 2016-17 = the file's mandatory rows (DataType_KEY 1) x 6 measures."""
    s, _ = built
    raw = read_csv_raw(sources.path("ascfr_2016_17_totals"))
    mandatory = int((raw["DataType_KEY"].str.strip() == "1").sum())
    assert s.groupby(["year", "collection"]).size().to_dict() == {
        ("2014-15", "ASC-FR"): 152 * 974, ("2016-17", "ASC-FR"): mandatory * 6, ("2022-23", "RO3"): 153 * 225,
        ("2023-24", "RO3"): 154 * 225, ("2024-25", "RO3"): 154 * 211}
    assert mandatory == 17_549


@pytest.mark.national
def test_series_break_at_the_2023_reorganisation(built):
    """Cumbria's RO3 series stops in 2022-23 and Cumberland / Westmorland and Furness start in 2023-24, each
    under its own code (nothing re-aggregated); helpers.data.councils states the break (a split)."""
    from helpers.data import councils

    s, _ = built
    years = lambda code: sorted(set(s.loc[s.gss_code == code, "year"]))  # noqa: E731
    assert years(CUMBRIA) == ["2014-15", "2016-17", "2022-23"]
    assert years("E06000063") == years("E06000064") == ["2023-24", "2024-25"]
    assert years("E06000065") == ["2023-24", "2024-25"] and "2023-24" not in years("E10000023")  # North Yorkshire
    (brk,) = councils.series_breaks(CUMBRIA)
    assert (brk["year"], brk["kind"], brk["related_codes"]) == ("2023-24", "split", ["E06000063", "E06000064"])
    assert councils.series_breaks("E06000065")[0]["kind"] == "recoded"


@pytest.mark.national
def test_not_reported_values_kept_missing_with_reason(built):
    """Birmingham sent no RO 2023-24 return ('[x]'): NaN with status not_available, never 0. Warrington
    2024-25 lines are '[note 4]' (no breakdown) but its total is reported. England's agency-staff memo
    item is '[n]' (no estimate)."""
    s, _ = built
    bham = s[(s.gss_code == "E08000025") & (s.year == "2023-24")]
    assert len(bham) > 200 and bham["value_gbp_k"].isna().all()
    assert set(bham["value_status"]) == {"not_available"}
    w = s[(s.gss_code == "E06000007") & (s.year == "2024-25")]
    assert w.loc[w.line_type == "total", "value_status"].eq("reported").all()
    lines = w[w.line_type == "detail"]
    assert lines["value_gbp_k"].isna().all() and set(lines["value_status"]) == {"not_available"}
    memo = s[(s.gss_code == ENGLAND) & (s.service_line == RO3._MEMO_LABEL)]
    assert set(memo["value_status"]) == {"not_available"} and len(memo) == 3
    assert not ((s.value_status != "reported") & s.value_gbp_k.notna()).any()


@pytest.mark.national
def test_2014_15_expenditure_matches_unit_cost_numerators(built):
    """Two publications of the same 2014-15 figures. The unit-cost file's numerator of a long-term
    residential / nursing line (a support reason, an age band, all provision) is the expenditure file's
    own provision + provision by others, i.e. total expenditure less grants to voluntary organisations
    (Dorset 18-64 physical support residential: 8,559 - 203 = 8,356). So it equals our total expenditure
    where no grants were paid (Cumbria 18-64 physical support residential 3,469.17; 2,955 of the 3,040
    council lines) and never exceeds it."""
    from helpers.data import councils

    s, _ = built
    a = s[(s.year == "2014-15") & (s.measure == "total_expenditure")]
    raw = read_csv_raw(sources.path("pssex_2014_15_unit_costs"), header=None, keep_default_na=False, na_values=[])
    header = raw.iloc[1]
    cols = [j for j in range(6, raw.shape[1]) if str(header[j])[:3].isdigit()]
    gss = councils.cassr_to_gss(pd.Series([header[j] for j in cols]), file="unit costs", column="header").to_numpy()
    num = raw[(raw[4] == "Numerator") & (raw[5] == "All") & raw[3].isin(["Nursing", "Residential"]) & (raw[2] != "")]
    ages = {"Age 18 to 64": "18-64", "Age 65 and over": "65+"}
    u = pd.DataFrame([(g, ages[r[1]], f"{r[0]}: {r[2]}: {r[3]}", float(r[j]))
                      for _, r in num.iterrows() for j, g in zip(cols, gss, strict=True)],
                     columns=["gss_code", "age_band", "service_line", "numerator"])
    m = u.merge(a, on=["gss_code", "age_band", "service_line"], how="left", validate="one_to_one")
    assert len(m) == 3040 and m["value_gbp_k"].notna().all()
    same = (m["value_gbp_k"] - m["numerator"]).abs() <= 0.011
    assert same.sum() == 2955
    assert (m["numerator"] <= m["value_gbp_k"] + 0.011).all()
    one = m[(m.gss_code == CUMBRIA) & (m.age_band == "18-64") & (m.service_line == "Long term: Physical support: Residential")]
    assert float(one["numerator"].iloc[0]) == 3469.17 == float(one["value_gbp_k"].iloc[0])
    dorset = m[(m.gss_code == "E10000009") & (m.age_band == "18-64")
               & (m.service_line == "Long term: Physical support: Residential")]
    assert float(dorset["value_gbp_k"].iloc[0]) - float(dorset["numerator"].iloc[0]) == 203


@pytest.mark.national
def test_ascfr_key_lookup_covers_the_file():
    """Every key in the ASC-FR 2016-17 Totals file is in the committed lookup with an established label."""
    keys = FR.ascfr_keys()
    t = read_csv_raw(sources.path("ascfr_2016_17_totals"))
    for col in FR.ASCFR_KEY_COLUMNS:
        present = set(pd.to_numeric(t[col], errors="coerce").dropna().astype(int))
        known = set(keys.loc[(keys.dimension == col) & (keys.status == "established"), "key"])
        assert present <= known, (col, present - known)


@pytest.mark.national
def test_ascfr_key_lookup_evidence_reproduced():
    """Re-derive the lookup's correlation evidence: for each key decoded by correlation, the 2014-15 line
    with the highest council-level Spearman correlation is the one the lookup names."""
    t = read_csv_raw(sources.path("ascfr_2016_17_totals"))
    t = t[t.CASSR_CODE.notna() & (t.DataType_KEY == "1")].copy()
    for c in ("GROSSCURRENTEXPENDITURE", "TOTALINCOME"):
        t[c] = pd.to_numeric(t[c])
    p = FR.load_ascfr_2014_15()
    gce = p[p.measure == "gross_current_expenditure"]
    def piv(df, col, values="GROSSCURRENTEXPENDITURE"):
        return df.pivot_table(index="GEOGRAPHY_CODE", columns=col, values=values, aggfunc="sum")
    def check(mine: pd.DataFrame, theirs: pd.DataFrame, expect: dict[int, str]):
        j = mine.join(theirs, how="inner")
        corr = j.corr(method="spearman").loc[mine.columns, theirs.columns]
        for key, line in expect.items():
            assert corr.loc[key].idxmax() == line, (key, corr.loc[key].round(2).to_dict())
    # other (non-SALT) categories: PrimarySupportReason_KEY of care type 3
    nonsalt = gce[(gce.line_type == "detail") & (gce.age_band == "18+")]
    theirs = nonsalt.assign(cat=nonsalt.service_line.str.split(": Community").str[0]).pivot_table(
        index="gss_code", columns="cat", values="value_gbp_k", aggfunc="sum")
    mine = piv(t[t.CareType_KEY == "3"], "PrimarySupportReason_KEY")
    mine.columns = mine.columns.astype(int)
    check(mine, theirs, {1: "Assistive equipment and technology", 2: "Commissioning and service delivery",
                         3: "Information and early intervention", 8: "Social care activities",
                         9: "Social Support: Asylum Seeker Support", 10: "Social Support: Substance Misuse Support",
                         11: "Social Support: Support for Social Isolation / Other", 12: "Social Support: Support to Carer"})
    # long-term support settings
    lt = gce[gce.service_line.str.match(r"^Long term: Total: ") & gce.age_band.isin(["18-64", "65+"])]
    theirs = lt.assign(m=lt.service_line.str.replace("Long term: Total: ", "")).pivot_table(
        index="gss_code", columns="m", values="value_gbp_k", aggfunc="sum").drop(columns=["Total"])
    mine = piv(t[t.CareType_KEY == "2"], "SupportSetting_KEY")
    mine.columns = mine.columns.astype(int)
    check(mine.drop(columns=[5]), theirs, {1: "Community: Direct Payments", 2: "Community: home care",
                                           3: "Community: other long term care", 4: "Community: supported living",
                                           6: "Nursing", 7: "Residential", 9: "Supported accommodation"})
    # short-term purposes
    stt = gce[gce.service_line.str.match(r"^Short term: ") & (gce.line_type == "detail")]
    theirs = stt.assign(m=stt.service_line.str.split(": ").str[-1]).pivot_table(
        index="gss_code", columns="m", values="value_gbp_k", aggfunc="sum")
    mine = piv(t[t.CareType_KEY == "4"], "Purpose_KEY")
    mine.columns = mine.columns.astype(int)
    check(mine, theirs, {1: "Other short term", 2: "To maximise independence"})


# ------------------------------------------------------------------------------------------------
# bad input -> one DataError naming file, row and column (mangled copies of real files, in tmp_path)
# ------------------------------------------------------------------------------------------------


def _redirect(monkeypatch, sid: str, path: Path) -> None:
    real = sources.path

    def fake(source_id: str) -> Path:
        return path if source_id == sid else real(source_id)

    monkeypatch.setattr(sources, "path", fake)


@pytest.fixture(scope="module")
def ascfr_sample() -> pd.DataFrame:
    """The header and the first 40 rows of the real ASC-FR 2016-17 Totals file, as text."""
    if not sources.national_available():
        pytest.skip("no national data")
    return read_csv_raw(sources.path("ascfr_2016_17_totals"), nrows=40, keep_default_na=False, na_values=[])


@pytest.mark.national
@given(pos=st.integers(0, 39), col=st.sampled_from(list(FR.ASCFR_MEASURES)),
       text=st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8), st.sampled_from(["1,234.5", " 12 ", "[c]", "*", ":", "x", "..", "-3"])))
def test_fuzz_ascfr_value_cells(ascfr_sample, tmp_path_factory, pos, col, text):
    """A value cell of a real row replaced by arbitrary text: either it parses (number or known marker,
    kept NaN with its status) or one DataError names the file, the row (header = 1) and the column."""
    df = ascfr_sample.copy()
    if df.loc[pos, "DataType_KEY"] != "1":
        return
    df.loc[pos, col] = text
    path = tmp_path_factory.mktemp("ascfr") / "ASCFR_2016-17_Totals.csv"
    df.to_csv(path, index=False)
    mp = pytest.MonkeyPatch()
    _redirect(mp, "ascfr_2016_17_totals", path)
    try:
        try:
            out = FR.load_ascfr_2016_17()
        except DataError as exc:
            assert exc.row == pos + 2 and exc.column == col and Path(str(exc.file)).name == path.name
            return
        got = out[(out._row == pos + 2) & (out.measure == FR.ASCFR_MEASURES[col])]
        assert len(got) == 1
        v, status = got["value_gbp_k"].iloc[0], got["value_status"].iloc[0]
        cleaned = text.strip().replace(",", "")
        if status == "reported":
            assert v == pytest.approx(float(cleaned))
        else:
            assert np.isnan(v)
    finally:
        mp.undo()


@pytest.mark.national
def test_ascfr_unknown_key_is_not_guessed(ascfr_sample, tmp_path, monkeypatch):
    """A key the lookup does not establish (SupportSetting_KEY 8) fails, naming row and column."""
    df = ascfr_sample.copy()
    i = int(np.flatnonzero((df.SupportSetting_KEY != "").to_numpy() & (df.DataType_KEY == "1").to_numpy())[0])
    df.loc[i, "SupportSetting_KEY"] = "8"
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    _redirect(monkeypatch, "ascfr_2016_17_totals", path)
    with pytest.raises(DataError) as e:
        FR.load_ascfr_2016_17()
    assert e.value.row == i + 2 and e.value.column == "SupportSetting_KEY" and "not established" in str(e.value)


@pytest.mark.national
def test_2014_15_bad_value_and_renamed_header(tmp_path, monkeypatch):
    """Mangled copies of the 2014-15 file: a non-numeric GCE cell (Stockport, 'Adult Social Care'); a
    renamed header; an unknown CASSR code -- each one DataError naming file, row and column."""
    src = sources.path("pssex_2014_15_expenditure")
    lines = src.read_bytes().decode("cp1252").splitlines()
    header = lines[1].split(",")
    col = header.index("310 - Stockport")
    i = next(k for k, ln in enumerate(lines) if ln.startswith("Non Salt Totals,,Adult Social Care,Total,Gross current expenditure"))
    bad = list(lines)
    cells = bad[i].split(",")
    cells[col] = "12a"
    bad[i] = ",".join(cells)
    path = tmp_path / "exp.csv"
    path.write_text("\n".join(bad), encoding="cp1252")
    _redirect(monkeypatch, "pssex_2014_15_expenditure", path)
    with pytest.raises(DataError) as e:
        FR.load_ascfr_2014_15()
    assert (e.value.row, e.value.column, e.value.value) == (i + 1, "310 - Stockport", "12a")
    renamed = list(lines)
    renamed[1] = renamed[1].replace("Accounting category", "Accounting type")
    path.write_text("\n".join(renamed), encoding="cp1252")
    with pytest.raises(DataError, match="expected the first five columns") as e:
        FR.load_ascfr_2014_15()
    assert e.value.row == 2
    unknown = list(lines)
    unknown[1] = unknown[1].replace("310 - Stockport", "399 - Stockport")
    path.write_text("\n".join(unknown), encoding="cp1252")
    with pytest.raises(DataError, match="CASSR") as e:
        FR.load_ascfr_2014_15()
    assert e.value.row == 2 and e.value.value == "399 - Stockport"


@pytest.fixture(scope="module")
def ro3_2023_24_sheet() -> pd.DataFrame:
    """The RO3 2023-24 data sheet, first 7 columns + the adult social care columns only."""
    if not sources.national_available():
        pytest.skip("no national data")
    path = sources.path("ro3_2023_24")
    df = read_sheet(path, "RO3_LA_Data_2023-24")
    keep = [j for j in range(df.shape[1]) if j < 7 or "asc" in str(df.iat[6, j])]
    return df.iloc[:, keep]


def _write_ro3(df: pd.DataFrame, path: Path) -> None:
    with pd.ExcelWriter(path, engine="xlsxwriter") as xw:
        df.to_excel(xw, sheet_name="RO3_LA_Data_2023-24", header=False, index=False)


@pytest.mark.national
@pytest.mark.parametrize("case", ["value", "header", "duplicate", "missing"])
def test_ro3_bad_input(ro3_2023_24_sheet, tmp_path, monkeypatch, case):
    """Mangled copies of RO3 2023-24 (written to tmp): a non-numeric cell, a renamed 'ONS Code' header, a
    council listed twice, a council missing -- each one DataError naming file, row and column."""
    df = ro3_2023_24_sheet.copy()
    df.columns = range(df.shape[1])
    row = int(np.flatnonzero((df[1] == STOCKPORT).to_numpy())[0])
    codes = list(df.iloc[6])
    if case == "value":
        df.iat[row, codes.index("RO3-asctot-tot-exp")] = "1O0"
    elif case == "header":
        df.iat[11, 1] = "ONS code (new)"
    elif case == "duplicate":
        df = pd.concat([df.iloc[: row + 1], df.iloc[[row]], df.iloc[row + 1:]], ignore_index=True)
    else:
        df = df.drop(index=row).reset_index(drop=True)
    path = tmp_path / "RO3_2023-24_data_by_LA.xlsx"
    _write_ro3(df, path)
    _redirect(monkeypatch, "ro3_2023_24", path)
    with pytest.raises(DataError) as e:
        RO3.load_ro3("2023-24")
    err = e.value
    assert Path(str(err.file)).name == path.name
    if case == "value":
        assert (err.row, err.column, err.value) == (row + 1, "RO3-asctot-tot-exp", "1O0")
    elif case == "header":
        assert (err.row, err.column) == (12, "ONS Code")
    elif case == "duplicate":
        assert (err.row, err.column, err.value) == (row + 2, "ONS Code", STOCKPORT)
    else:
        assert err.column == "ONS Code" and STOCKPORT in str(err)


@pytest.mark.national
def test_ro3_file_not_there(tmp_path, monkeypatch):
    """A missing file is a MissingDataError saying how to fix it."""
    from helpers.core.errors import MissingDataError

    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path))
    with pytest.raises(MissingDataError, match="ASC_NATIONAL_DIR"):
        RO3.load_ro3("2023-24")


@pytest.mark.national
def test_deflator_bad_cell(tmp_path, monkeypatch):
    """A mangled index cell in a copy of the HM Treasury CSV names its row (as a spreadsheet shows it: a
    record, some header cells spanning two text lines) and column."""
    src = sources.path("gdp_deflators_2023_12")
    path = tmp_path / "gdp.csv"
    shutil.copy(src, path)
    text = path.read_text(encoding="utf-8-sig").replace(",2010-11,76.580,", ",2010-11,76.58O,")
    path.write_text(text, encoding="utf-8")
    _redirect(monkeypatch, "gdp_deflators_2023_12", path)
    with pytest.raises(DataError) as e:
        S.load_deflators()
    records = list(csv.reader(io.StringIO(text)))
    assert e.value.row == next(k for k, rec in enumerate(records) if rec[1:2] == ["2010-11"]) + 1 == 63
    assert e.value.column == "2022-23 = 100"


@pytest.mark.national
@pytest.mark.slow
def test_build_time():
    """Measure the build of both tables (reported; loose bound for a shared 2-core machine)."""
    import time

    t0 = time.perf_counter()
    s = S.build_spend()
    t1 = time.perf_counter()
    d = S.build_deflators()
    t2 = time.perf_counter()
    print(f"spend: {len(s)} rows in {t1 - t0:.1f} s; deflators: {len(d)} rows in {t2 - t1:.2f} s")
    assert t1 - t0 < 120 and t2 - t1 < 10


@pytest.mark.national
def test_totals_helper(built):
    """``totals``: RO3 and 2014-15 use the published total line; 2016-17 sums the detail lines (England GCE
    £17,526m); a council without an RO3 return has a not_available total."""
    s, _ = built
    t = S.totals(s)
    assert not t.duplicated(["gss_code", "year", "collection", "measure"]).any()
    assert set(t.loc[t.year == "2016-17", "basis"]) == {"sum_of_detail_lines"}
    assert set(t.loc[t.year != "2016-17", "basis"]) == {"published_total"}
    eng = t[(t.gss_code == ENGLAND) & (t.year == "2016-17") & (t.measure == "gross_current_expenditure")]
    assert float(eng["value_gbp_k"].iloc[0]) == pytest.approx(17_526_380, abs=50)
    stock = t[(t.gss_code == STOCKPORT) & (t.year == "2023-24") & (t.measure == "total_expenditure")]
    assert float(stock["value_gbp_k"].iloc[0]) == 187_802
    bham = t[(t.gss_code == "E08000025") & (t.year == "2023-24")]
    assert bham["value_gbp_k"].isna().all() and set(bham["value_status"]) == {"not_available"}
    assert t.groupby(["year", "collection"])["gss_code"].nunique().to_dict() == {
        ("2014-15", "ASC-FR"): 152, ("2016-17", "ASC-FR"): 161, ("2022-23", "RO3"): 153,
        ("2023-24", "RO3"): 154, ("2024-25", "RO3"): 154}


@pytest.mark.national
def test_ro3_column_arithmetic(built):
    """Every RO3 council line satisfies the form's arithmetic, C3 = C1 + C2, C6 = C4 + C5, C7 = C3 - C6 (to
    £2k: cells are rounded). This catches swapped columns: MHCLG's 2022-23 file has the codes of the two
    carers' Total Income columns swapped; read by heading, Stockport's are 82 (18-64: 0 + 82) and 68 (65+)."""
    s, _ = built
    r = s[(s.collection == "RO3") & (s.gss_code != ENGLAND) & (s.value_status == "reported")]
    w = r.pivot_table(index=["year", "gss_code", "service_line"], columns="measure", values="value_gbp_k")
    w = w.dropna(subset=["employees", "total_income"])
    assert len(w) > 10_000
    assert ((w.employees + w.running_expenses - w.total_expenditure).abs() <= 2).all()
    assert ((w.sales_fees_and_charges + w.other_income - w.total_income).abs() <= 2).all()
    assert ((w.total_expenditure - w.total_income - w.net_current_expenditure).abs() <= 2).all()
    st_ = s[(s.gss_code == STOCKPORT) & (s.year == "2022-23") & (s.measure == "total_income")]
    assert _value(st_, service_line="Social support: Support for carer - adults (18-64)") == 82
    assert _value(st_, service_line="Social support: Support for carer - older people (65+)") == 68
    ages = s[s.service_line.str.contains(r"\(18.64\)")]["age_band"]
    assert set(ages) == {"18-64"}
    assert set(s[s.service_line.str.contains(r"\(65\+\)")]["age_band"]) == {"65+"}


@pytest.mark.national
def test_ascfr_measure_arithmetic(built):
    """ASC-FR lines: net total expenditure = total expenditure - total income (to £0.02k) in both years."""
    s, _ = built
    a = s[(s.collection == "ASC-FR") & s.measure.isin(["total_expenditure", "total_income", "net_total_expenditure"])]
    w = a.pivot_table(index=["year", "gss_code", "service_line", "age_band"], columns="measure", values="value_gbp_k")
    w = w.dropna()
    assert set(w.index.get_level_values("year")) == {"2014-15", "2016-17"} and len(w) > 20_000
    assert ((w.total_expenditure - w.total_income - w.net_total_expenditure).abs() <= 0.02).all()
