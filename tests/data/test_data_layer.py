"""The national data layer as a whole (issue 3): bad input of every kind, for every loader family, gives one
clear error naming file, row and column; a failing build never writes a partial table; every column of every
built table is in the data dictionary.

Every mangled file here is built in memory or in ``tmp_path`` from the real national files (never committed);
a case that starts from a synthetic frame says so. The seven kinds of bad input (issue 3): a file that is
missing, truncated, in an unexpected layout, with a renamed column, a duplicated council-year, an unknown
code, a non-numeric value. Cases already proved in a loader's own test module are named in
``docs/data_layer_checklist.md`` rather than repeated here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.errors import DataError, MissingDataError
from helpers.data import sources, tables
from helpers.data.io import read_csv_raw, read_sheet, sha256_file, sheet_names
from helpers.data.national import activity as A
from helpers.data.national import ascof_files as AF
from helpers.data.national import comparators as CMP
from helpers.data.national import deprivation as DEP
from helpers.data.national import population_files as PF
from helpers.data.national import spend as S
from helpers.data.national import spend_ascfr as FR
from helpers.data.national import spend_ro3 as RO3
from tests.sandbox import national_sandbox

STOCKPORT = "E08000007"


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


def _cut(src: Path, dest: Path, at: int) -> Path:
    """The first ``at`` bytes of a real file, written to ``dest`` (a truncated download)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(src.read_bytes()[:at])
    return dest


def _redirect(monkeypatch: pytest.MonkeyPatch, sid: str, path: Path) -> None:
    real = sources.path
    monkeypatch.setattr(sources, "path", lambda s: path if s == sid else real(s))


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return path


# ------------------------------------------------------------------------------------------------
# truncated files, every loader family (the first bytes of the real file, in tmp_path)
# ------------------------------------------------------------------------------------------------

#: Loader family -> (register id, a function loading a given path). Spreadsheets, CSVs and JSON.
_LOADERS = {
    "population (MYE .xls)": ("mye_2017", None),
    "population (MYE .xlsx)": ("mye_2022", None),
    "ascof trend (CSV)": ("ascof_trend", lambda p: AF.load_trend(p)),
    "ascof open data (.xlsx)": ("ascof_2020_21_open_data", lambda p: AF.load_open_data(p)),
    "oflog_asc (CSV)": ("oflog_asc", lambda p: AF.load_oflog(p)),
    "spend RO3 (.ods)": ("ro3_2024_25", None),
    "spend ASC-FR 2014-15 (CSV)": ("pssex_2014_15_expenditure", None),
    "spend ASC-FR 2016-17 (CSV)": ("ascfr_2016_17_totals", None),
    "deflators (CSV)": ("gdp_deflators_2023_12", None),
    "activity (CSV)": ("activity_by_setting", lambda p: A.load_activity(p)),
    "comparators Oflog (JSON)": ("oflog_nearest_neighbours", lambda p: CMP.load_oflog(p)),
    "comparators Trafford (CSV)": ("trafford_cipfa2021", lambda p: CMP.load_trafford("cipfa_2021", p)),
    "deprivation (.xlsx)": ("iod2015_upper_tier", lambda p: DEP.load_vintage(2015, p)),
}
_VIA_REGISTER = {
    "mye_2017": lambda: PF.read_mye(2017), "mye_2022": lambda: PF.read_mye(2022),
    "ro3_2024_25": lambda: RO3.load_ro3("2024-25"), "pssex_2014_15_expenditure": FR.load_ascfr_2014_15,
    "ascfr_2016_17_totals": FR.load_ascfr_2016_17, "gdp_deflators_2023_12": S.load_deflators,
}


@pytest.mark.national
@pytest.mark.parametrize("family", list(_LOADERS))
@pytest.mark.parametrize("fraction", [0.3, 0.97])
def test_truncated_file_is_one_error(family: str, fraction: float, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The real file cut in the middle of a record at about 30% / 97% of its bytes: one DataError naming the
    file; for a text file (CSV, JSON) also the row where it stops and a column (a cut workbook cannot be opened,
    so it has no row). A cut at a record boundary or inside a record's last field is caught when the table is
    built (next test)."""
    sid, load = _LOADERS[family]
    src = sources.get(sid)
    data = src.path.read_bytes()
    at = int(len(data) * fraction)
    if src.file.endswith(".csv"):
        at = data.index(b",", at) + 1  # just after a delimiter: the record's later fields are lost
    cut = _cut(src.path, tmp_path / Path(src.file).name, at)
    PF._read_mye_cached.cache_clear()
    if load is None:
        _redirect(monkeypatch, sid, cut)
        load = lambda _p: _VIA_REGISTER[sid]()  # noqa: E731
    with pytest.raises(DataError) as e:
        load(cut)
    err = _error(e, cut.name)
    if cut.suffix in (".csv", ".json"):
        assert err.row is not None and err.column is not None, str(err)
    else:
        assert "cannot read as a spreadsheet" in str(err)


@pytest.mark.national
@pytest.mark.parametrize(("table", "sid", "where"), [
    ("ascof", "ascof_trend", "boundary"), ("oflog_asc", "oflog_asc", "boundary"),
    ("activity", "activity_by_setting", "boundary"), ("deflators", "gdp_deflators_2023_12", "boundary"),
    ("spend", "ascfr_2016_17_totals", "last field")])
def test_file_cut_at_a_record_boundary_fails_the_register_check(table: str, sid: str, where: str, sandbox) -> None:
    """A CSV cut exactly after a complete record, or inside the last field of its last record (a number loses
    digits), still parses; its table fails to build all the same: the file is not the registered version
    (sha256), and the error names it with its size and the registered size."""
    nat, processed = sandbox
    src = sources.get(sid)
    data = src.path.read_bytes()
    target = nat / src.file
    target.unlink()
    end = data.rstrip(b"\r\n")
    target.write_bytes(data[: end.rfind(b"\n") + 1] if where == "boundary" else end[:-3])
    res = {r.name: r for r in tables.build([table], force=True)}
    assert res[table].status == "failed"
    assert "not the registered version" in res[table].message and Path(src.file).name in res[table].message
    assert f"registered {src.bytes:,}" in res[table].message
    assert not (processed / f"{table}.parquet").exists()


# ------------------------------------------------------------------------------------------------
# no partial table: a failing build leaves the previous table and no temporary file
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A national folder of links to the real files (one may be replaced) and an empty processed folder."""
    return national_sandbox(tmp_path, monkeypatch)


#: Loader family -> (table, the input broken, how): "cut" = the first 60% of its bytes.
_FAMILIES = {
    "population": ("population_sya", "mye_2015", "cut"),
    "ascof": ("ascof", "ascof_trend", "cut"),
    "oflog_asc": ("oflog_asc", "oflog_asc", "cut"),
    "spend": ("spend", "pssex_2014_15_expenditure", "cut"),
    "deflators": ("deflators", "gdp_deflators_2023_12", "cut"),
    "activity": ("activity", "activity_by_setting", "cut"),
    "comparators": ("comparators", "oflog_nearest_neighbours", "cut"),
    "deprivation": ("deprivation", "iod2019_upper_tier", "cut"),
}


@pytest.mark.national
@pytest.mark.parametrize("family", list(_FAMILIES))
def test_failed_build_keeps_the_previous_table(family: str, sandbox) -> None:
    """With one input truncated, the table's build fails with the file named; the previous Parquet file and its
    build-state entry are kept (the entry gains the failure, for tables.table_status) and no temporary file is
    left behind."""
    nat, processed = sandbox
    table, sid, _how = _FAMILIES[family]
    src = sources.get(sid)
    real = src.path.resolve()
    previous = processed / f"{table}.parquet"
    pd.DataFrame({"previous_version": [1, 2, 3]}).to_parquet(previous)
    state = {table: {"key": "previous", "rows": 3, "inputs": {}}}
    (processed / tables.STATE_FILE).write_text(json.dumps(state))
    before = sha256_file(previous)
    target = nat / src.file
    target.unlink()
    _cut(real, target, int(real.stat().st_size * 0.6))
    res = {r.name: r for r in tables.build([table], force=True)}
    assert res[table].status == "failed", res[table]
    assert Path(src.file).name in res[table].message
    assert sha256_file(previous) == before
    after = json.loads((processed / tables.STATE_FILE).read_text())[table]
    assert after == {**state[table], "failed": res[table].message}  # the entry is kept; the failure remembered
    assert not [p.name for p in processed.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


# ------------------------------------------------------------------------------------------------
# missing files: every national table says which file and how to get it
# ------------------------------------------------------------------------------------------------


@pytest.mark.national
def test_missing_file_skips_its_tables_naming_the_file(sandbox) -> None:
    """One input of each national table removed: the table is skipped with the file named and the fix
    (ASC_NATIONAL_DIR / `asc data fetch`); nothing is written for it."""
    nat, processed = sandbox
    drop = {"population_sya": "mye_2019", "ascof": "ascof_2020_21_open_data", "oflog_asc": "oflog_asc",
            "spend": "ro3_2023_24", "deflators": "gdp_deflators_2023_12", "activity": "ascfr_2016_17_activity",
            "comparators": "trafford_nhsennpg", "deprivation": "iod2015_upper_tier"}
    for sid in drop.values():
        (nat / sources.get(sid).file).unlink()
    res = {r.name: r for r in tables.build(list(drop))}
    for table, sid in drop.items():
        assert res[table].status == "skipped", table
        assert Path(sources.get(sid).file).name in res[table].message and "asc data fetch" in res[table].message
        assert not (processed / f"{table}.parquet").exists()


@pytest.mark.national
def test_status_says_present_missing_or_changed(sandbox) -> None:
    """`asc data status` (helpers.data.sources.status): a removed file is missing, a truncated copy is changed, the
    others are present."""
    nat, _ = sandbox
    gone, cut = sources.get("trafford_nhsennpg"), sources.get("activity_by_setting")
    (nat / gone.file).unlink()
    real = cut.path.resolve()
    (nat / cut.file).unlink()
    _cut(real, nat / cut.file, 1000)
    state = {r["id"]: r["state"] for r in sources.status()}
    assert state.pop(gone.id) == "missing" and state.pop(cut.id) == "changed"
    assert set(state.values()) == {"present"}


@pytest.mark.national
@pytest.mark.parametrize("call", [
    lambda: PF.read_mye(2016), lambda: AF.load_trend(), lambda: AF.load_oflog(), lambda: FR.load_ascfr_2016_17(),
    lambda: FR.load_ascfr_2014_15(), lambda: S.load_deflators(), lambda: A.load_activity(), lambda: CMP.load_oflog(),
    lambda: CMP.load_trafford("cipfa_2019"), lambda: DEP.load_vintage(2019)])
def test_missing_file_is_a_missing_data_error(call, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every loader, with ASC_NATIONAL_DIR empty: MissingDataError naming the file and how to get it."""
    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path))
    with pytest.raises(MissingDataError, match=r"(ASC_NATIONAL_DIR|asc data fetch)"):
        call()


# ------------------------------------------------------------------------------------------------
# unexpected layout, renamed column, duplicated council-year, unknown code, non-numeric value
# (mangled copies of real rows; the loaders' own test modules cover the rest, see the checklist)
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ro3_sheet() -> pd.DataFrame:
    path = sources.path("ro3_2024_25")
    return read_sheet(path, RO3.ro3_sheet(path))


def _ro3_codes_row(df: pd.DataFrame) -> int:
    """The row of RO3 variable codes (``RO3-asctot-tot-exp`` ...), 0-based."""
    return next(i for i in range(len(df)) if sum(str(x).startswith("RO3-") for x in df.iloc[i]) > 50)


@pytest.mark.national
@pytest.mark.parametrize("case", ["layout", "unknown_code", "unknown_variable"])
def test_ro3_more_bad_input(ro3_sheet: pd.DataFrame, case: str) -> None:
    """RO3 2024-25 cells (in memory): the row of variable codes blanked (layout); Stockport's ONS code replaced by a code no council
    has; an adult social care variable code the loader does not know -- one DataError each."""
    df = ro3_sheet.copy()
    df.columns = range(df.shape[1])
    row = int(np.flatnonzero((df[1] == STOCKPORT).to_numpy())[0])
    codes_row = _ro3_codes_row(df)
    if case == "layout":
        df.iloc[codes_row] = None
    elif case == "unknown_code":
        df.iat[row, 1] = "E08000099"
    else:
        j = list(df.iloc[codes_row]).index("RO3-asctot-tot-exp")
        df.iat[codes_row, j] = "RO3-ascxyz-tot-exp"
    f = Path("RO3_LA_Data_2024-25_data_by_LA.ods")
    with pytest.raises(DataError) as e:
        RO3.parse_ro3(df, "2024-25", file=f, sheet="RO3_LA_Data_2024-25")
    if case == "layout":
        assert "no row of RO3 variable codes found: unexpected layout" in str(e.value)
    elif case == "unknown_code":
        _error(e, f.name, row + 1, "ONS Code")
        assert e.value.value == "E08000099"
    else:
        _error(e, f.name, codes_row + 1, "RO3-ascxyz-tot-exp")


@pytest.fixture(scope="module")
def ascfr_1415_raw() -> pd.DataFrame:
    return read_csv_raw(sources.path("pssex_2014_15_expenditure"), header=None, keep_default_na=False, na_values=[])


@pytest.mark.national
@pytest.mark.parametrize("case", ["layout", "duplicate", "unknown_reason"])
def test_ascfr_2014_15_more_bad_input(ascfr_1415_raw: pd.DataFrame, case: str) -> None:
    """The 2014-15 expenditure file (in memory): a title row inserted above the header (layout); Stockport's
    column twice (a duplicated council); an unknown support reason -- one DataError each."""
    raw = ascfr_1415_raw.copy()
    f = Path("pss-exp-eng-14-15-fin-coun-lev-exp-data.csv")
    if case == "layout":
        raw = pd.concat([pd.DataFrame([["A title"] + [""] * (raw.shape[1] - 1)]), raw], ignore_index=True)
        with pytest.raises(DataError, match="expected the first five columns") as e:
            FR.parse_ascfr_2014_15(raw, file=f)
        _error(e, f.name, 2)
    elif case == "duplicate":
        j = list(raw.iloc[1]).index("310 - Stockport")
        raw[raw.shape[1]] = raw[j]
        with pytest.raises(DataError, match="a council has two columns") as e:
            FR.parse_ascfr_2014_15(raw, file=f)
        _error(e, f.name, 2)
        assert e.value.value == "310 - Stockport"
    else:
        i = int(np.flatnonzero((raw[2] == "Physical support").to_numpy())[0])
        raw.iat[i, 2] = "Physical supports"
        with pytest.raises(DataError, match="unknown support reason") as e:
            FR.parse_ascfr_2014_15(raw, file=f)
        _error(e, f.name, i + 1, "Summary")


@pytest.mark.national
@pytest.mark.parametrize("case", ["renamed", "duplicate", "unknown_code"])
def test_ascfr_2016_17_more_bad_input(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first 60 rows of ASC-FR 2016-17 Totals (in tmp_path): a renamed value column, a row repeated, a
    CASSR code no council has -- one DataError each, naming the row (header = 1) and column."""
    df = read_csv_raw(sources.path("ascfr_2016_17_totals"), nrows=60, keep_default_na=False, na_values=[])
    mand = np.flatnonzero((df["DataType_KEY"] == "1").to_numpy())
    if case == "renamed":
        df = df.rename(columns={"GROSSCURRENTEXPENDITURE": "GROSS_CURRENT_EXPENDITURE"})
        expect = (1, "GROSSCURRENTEXPENDITURE")
    elif case == "duplicate":
        df = pd.concat([df, df.iloc[[mand[2]]]], ignore_index=True)
        expect = (len(df) + 1, "GEOGRAPHY_CODE")
    else:
        df.loc[mand[3], "CASSR_CODE"] = "999"
        expect = (int(mand[3]) + 2, "CASSR_CODE")
    path = _write_csv(df, tmp_path / "ASCFR_2016-17_Totals.csv")
    _redirect(monkeypatch, "ascfr_2016_17_totals", path)
    with pytest.raises(DataError) as e:
        FR.load_ascfr_2016_17()
    _error(e, path.name, *expect)


@pytest.mark.national
@pytest.mark.parametrize("case", ["layout", "duplicate"])
def test_deflators_more_bad_input(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the HM Treasury CSV: the '2022-23 = 100' header renamed (layout), a financial year twice."""
    text = sources.path("gdp_deflators_2023_12").read_text(encoding="utf-8-sig")
    if case == "layout":
        text = text.replace("2022-23 = 100", "2022-23 base")
    else:
        text = text.replace(",2011-12,", ",2010-11,", 1)
    path = tmp_path / "gdp.csv"
    path.write_text(text, encoding="utf-8")
    _redirect(monkeypatch, "gdp_deflators_2023_12", path)
    with pytest.raises(DataError) as e:
        S.build_deflators()
    if case == "layout":
        assert "no header row 'Financial year'" in str(e.value)
        _error(e, path.name)
    else:
        _error(e, path.name, 64, "year")


@pytest.mark.national
@pytest.mark.parametrize("case", ["renamed", "layout"])
def test_activity_more_bad_input(case: str, tmp_path: Path) -> None:
    """The first 60 rows of the activity compilation: ITEMVALUE renamed; a title line above the header."""
    df = read_csv_raw(sources.path(A.SOURCE_ID), nrows=60, keep_default_na=False, na_values=[])
    path = tmp_path / "activity_by_setting_2001-2022.csv"
    if case == "renamed":
        _write_csv(df.rename(columns={"ITEMVALUE": "Value"}), path)
    else:
        path.write_text("Adult social care activity\n" + df.to_csv(index=False))
    with pytest.raises(DataError, match="expected column") as e:
        A.load_activity(path)
    _error(e, path.name, 1, "percent_sector" if case == "layout" else "ITEMVALUE")


@pytest.mark.national
@pytest.mark.parametrize("case", ["renamed", "unknown_code", "non_numeric", "layout"])
def test_ascof_open_data_more_bad_input(case: str, tmp_path: Path) -> None:
    """Kirklees' rows of the 2020-21 open data as CSV: 'Measure Value' renamed; an ONS code no council has; a
    non-numeric value; the header row moved down (a title above it) -- one DataError each."""
    raw = read_sheet(sources.get(AF.SOURCE_OPEN).path, 0, header=0)
    part = raw[raw["ONS Code"] == "E08000034"].astype(str).reset_index(drop=True)
    path = tmp_path / "open.csv"
    if case == "renamed":
        part = part.rename(columns={"Measure Value": "Value"})
        expect = (1, "Measure Value")
    elif case == "unknown_code":
        part.loc[4, "ONS Code"] = "E08000099"
        expect = (6, "gss_code")
    elif case == "non_numeric":
        part.loc[9, "Measure Value"] = "85.1%"
        expect = (11, "Measure Value")
    else:
        expect = (1, "Geographical Code")
    _write_csv(part, path)
    if case == "layout":
        path.write_text("Measures from the ASCOF\n" + path.read_text())
    with pytest.raises(DataError) as e:
        AF.load_open_data(path)
    _error(e, path.name, *expect)


@pytest.mark.national
@pytest.mark.parametrize("case", ["unknown_code", "non_numeric", "outside_years"])
def test_oflog_more_bad_input(case: str, tmp_path: Path) -> None:
    """The first 30 Oflog rows: a council code not in the reference table; a non-numeric value; a council
    outside its years (Bournemouth in 2022-23) -- one DataError each."""
    raw = read_csv_raw(sources.get(AF.SOURCE_OFLOG).path, nrows=30, keep_default_na=False, na_values=[])
    if case == "unknown_code":
        raw.loc[6, "Local authority code"] = "E06000099"
        expect = (8, "gss_code")
    elif case == "non_numeric":
        raw.loc[6, "Value"] = "7,6,1"
        expect = (8, "Value")
    else:
        raw.loc[6, ["Local authority code", "Financial year"]] = ["E06000028", "2022-23"]
        expect = (8, "gss_code")
    path = _write_csv(raw, tmp_path / "oflog.csv")
    with pytest.raises(DataError) as e:
        AF.load_oflog(path)
    _error(e, path.name, *expect)


@pytest.fixture(scope="module")
def oflog_json() -> str:
    return sources.path("oflog_nearest_neighbours").read_text(encoding="utf-8")


@pytest.mark.national
@pytest.mark.parametrize("case", ["layout", "duplicate", "unknown_code", "non_numeric", "missing_council"])
def test_oflog_neighbours_bad_input(oflog_json: str, case: str, tmp_path: Path) -> None:
    """Mangled copies of the Oflog nearest-neighbour JSON: a list instead of an object; Stockport's key twice;
    a neighbour code no council has; a number in place of a code; a council's entry removed -- one DataError
    each, naming the line (row) and the council (column)."""
    text = oflog_json
    line = text[: text.index(f'"{STOCKPORT}":')].count("\n") + 1
    if case == "layout":
        text = json.dumps(list(json.loads(text).items()))
        expect = (1, None)
    elif case == "duplicate":
        block = re.search(rf'\n    "{STOCKPORT}": \[[^\]]*\],', text).group(0)
        text = text.replace(block, block + block)
        expect = (line + block.count("\n"), STOCKPORT)
    elif case in ("unknown_code", "non_numeric"):
        doc = json.loads(text)
        doc[STOCKPORT][3] = "E06000099" if case == "unknown_code" else 7
        text = json.dumps(doc, indent=4)
        expect = (text[: text.index(f'"{STOCKPORT}":')].count("\n") + 1, STOCKPORT)
    else:
        doc = json.loads(text)
        del doc[STOCKPORT]
        text = json.dumps(doc, indent=4)
        expect = (None, STOCKPORT)
    path = tmp_path / "oflog_nearest_neighbours.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as e:
        CMP.load_oflog(path)
    _error(e, path.name, *expect)


@pytest.mark.national
@pytest.mark.parametrize("case", ["renamed", "duplicate", "unknown_code"])
def test_trafford_groups_bad_input(case: str, tmp_path: Path) -> None:
    """Trafford's CIPFA 2021 list: area_code renamed; a neighbour twice; a code no council has."""
    raw = read_csv_raw(sources.path("trafford_cipfa2021"))
    if case == "renamed":
        raw = raw.rename(columns={"area_code": "code"})
        expect = (1, "area_code")
    elif case == "duplicate":
        raw = pd.concat([raw.iloc[:14], raw.iloc[[3]]], ignore_index=True)
        expect = (16, "area_code")
    else:
        raw.loc[2, "area_code"] = "E06000099"
        expect = (4, "area_code")
    path = _write_csv(raw, tmp_path / "trafford_cipfa2021.csv")
    with pytest.raises(DataError) as e:
        CMP.load_trafford("cipfa_2021", path)
    _error(e, path.name, *expect)


@pytest.fixture(scope="module")
def iod_sheets() -> dict[str, pd.DataFrame]:
    return read_sheet(sources.path("iod2019_upper_tier"), list(DEP.SHEETS))


@pytest.mark.national
@pytest.mark.parametrize("case", ["layout", "renamed", "duplicate", "unknown_code", "non_numeric", "missing_row",
                                  "name_mismatch"])
def test_deprivation_bad_input(iod_sheets: dict[str, pd.DataFrame], case: str) -> None:
    """IoD2019 Income sheet (in memory): the code column moved (layout); a measure header renamed; Stockport's
    row twice; a code no council has; a non-numeric score; a council's row removed; Stockport's name replaced
    by another council's (names resolve through helpers.data.councils and must agree with the code) -- one
    DataError each."""
    raw = iod_sheets["Income"].copy()
    f = "File_11_IoD2019_Local_Authority_District_Summaries_upper-tier.xlsx"
    row = int(np.flatnonzero((raw[0] == STOCKPORT).to_numpy())[0])
    code_col = str(raw.iat[0, 0])
    if case == "layout":
        raw = raw[[1, 0, *raw.columns[2:]]]
        raw.columns = range(raw.shape[1])
        expect = (1, "A")
    elif case == "renamed":
        raw.iat[0, 4] = "Income - Mean score"
        expect = (1, "E")
    elif case == "duplicate":
        raw = pd.concat([raw.iloc[: row + 1], raw.iloc[[row]], raw.iloc[row + 1:]], ignore_index=True)
        expect = (row + 2, code_col)
    elif case == "unknown_code":
        raw.iat[row, 0] = "E08000099"
        expect = (row + 1, code_col)
    elif case == "non_numeric":
        raw.iat[row, 4] = "0.13x"
        expect = (row + 1, str(raw.iat[0, 4]).strip())
    elif case == "missing_row":
        raw = raw.drop(index=row)
        expect = (None, code_col)
    else:
        raw.iat[row, 1] = "Tameside"
        expect = (row + 1, code_col)
    with pytest.raises(DataError) as e:
        DEP.parse_sheet(raw, "Income", 2019, file=f)
    err = _error(e, f, *expect)
    assert err.sheet == "Income"


@pytest.mark.national
def test_population_duplicated_council_in_a_real_sheet() -> None:
    """The mid-2021 persons sheet (in memory) with Stockport's row repeated: one DataError at the repeat."""
    path = sources.path("mye_2021")
    sheet = PF.find_sheet(sheet_names(path), "persons", file=path)
    raw = read_sheet(path, sheet)
    row = int(np.flatnonzero((raw.iloc[:, 0] == STOCKPORT).to_numpy())[0])
    dup = pd.concat([raw.iloc[: row + 1], raw.iloc[[row]], raw.iloc[row + 1:]], ignore_index=True)
    with pytest.raises(DataError, match="the same area code appears twice") as e:
        PF.parse_mye_sheet(dup, file=path, sheet=sheet)
    _error(e, path.name, row + 2, "Code")


# ------------------------------------------------------------------------------------------------
# fuzz: mangled copies of real rows, for the loader families without a fuzz test of their own
# ------------------------------------------------------------------------------------------------

_JUNK = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
                  st.sampled_from(["1,234.5", " 12 ", "[c]", "c", "*", ":", "x", "..", "-3", "", "[z]", "1e3"]))


def _check_cell(parse, base: pd.DataFrame, *, row: int, column: str, text: str, value_col: str) -> None:
    """The mangled copy either raises one DataError at the mangled cell (its row and column), or parses to the
    same rows as the real one except the mangled cell: a number equal to the text, or NaN with a not-reported
    status."""
    try:
        out = parse()
    except DataError as exc:
        assert (exc.row, exc.column) == (row, column), str(exc)
        return
    assert len(out) == len(base)
    same = ((out[value_col] == base[value_col]) | (out[value_col].isna() & base[value_col].isna())) & (
        out["value_status"] == base["value_status"])
    assert (~same).sum() <= 1
    if (~same).any():
        got = out[~same].iloc[0]
        assert got["_row"] == row
        if got["value_status"] == "reported":
            assert got[value_col] == pytest.approx(float(text.strip().replace(",", "")))
        else:
            assert np.isnan(got[value_col])


@pytest.fixture(scope="module")
def ro3_base(ro3_sheet: pd.DataFrame) -> pd.DataFrame:
    return RO3.parse_ro3(ro3_sheet, "2024-25", file=Path("ro3.ods"), sheet="RO3_LA_Data_2024-25")


@pytest.mark.national
@given(pick=st.integers(0, 10**6), text=_JUNK)
def test_fuzz_ro3_cells(ro3_sheet: pd.DataFrame, ro3_base: pd.DataFrame, pick: int, text: str) -> None:
    """A value cell of a real RO3 2024-25 council row replaced by arbitrary text (in memory)."""
    df = ro3_sheet.copy()
    df.columns = range(df.shape[1])
    rows = np.flatnonzero(df[1].astype(str).str.match(r"^E(06|08|09|10)\d{6}$").to_numpy())
    codes_row = _ro3_codes_row(df)
    cols = [j for j in range(df.shape[1]) if str(df.iat[codes_row, j]).startswith("RO3-asc")]
    assert len(cols) > 100
    i, j = int(rows[pick % len(rows)]), cols[(pick // 7) % len(cols)]
    df.iat[i, j] = text
    _check_cell(lambda: RO3.parse_ro3(df, "2024-25", file=Path("ro3.ods"), sheet="RO3_LA_Data_2024-25"), ro3_base,
                row=i + 1, column=str(df.iat[codes_row, j]), text=text, value_col="value_gbp_k")


@pytest.fixture(scope="module")
def ascfr_1415_base(ascfr_1415_raw: pd.DataFrame) -> pd.DataFrame:
    return FR.parse_ascfr_2014_15(ascfr_1415_raw, file=Path("exp.csv"))


@pytest.mark.national
@given(pick=st.integers(0, 10**6), text=_JUNK)
def test_fuzz_ascfr_2014_15_cells(ascfr_1415_raw: pd.DataFrame, ascfr_1415_base: pd.DataFrame, pick: int,
                                  text: str) -> None:
    """A council's cell on a real 2014-15 line (a loaded measure, first appearance) replaced by arbitrary text
    (in memory)."""
    raw = ascfr_1415_raw.copy()
    lines = np.flatnonzero(raw[4].isin(list(FR.ASCFR_1415_MEASURES)).to_numpy()
                           & raw[0].isin(["Long term", "Short term"]).to_numpy())
    councils_cols = [j for j, h in enumerate(raw.iloc[1]) if re.match(r"^\d{3}\s*-", str(h))]
    i, j = int(lines[pick % len(lines)]), councils_cols[(pick // 11) % len(councils_cols)]
    raw.iat[i, j] = text
    _check_cell(lambda: FR.parse_ascfr_2014_15(raw, file=Path("exp.csv")), ascfr_1415_base, row=i + 1,
                column=str(raw.iat[1, j]), text=text, value_col="value_gbp_k")


@pytest.fixture(scope="module")
def iod_base(iod_sheets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {sheet: DEP.parse_sheet(raw, sheet, 2019, file="iod.xlsx") for sheet, raw in iod_sheets.items()}


@pytest.mark.national
@given(pick=st.integers(0, 10**6), text=_JUNK)
def test_fuzz_deprivation_cells(iod_sheets: dict[str, pd.DataFrame], iod_base: dict[str, pd.DataFrame], pick: int,
                                text: str) -> None:
    """A value cell of a real IoD2019 row, any sheet, replaced by arbitrary text (in memory)."""
    sheet = list(DEP.SHEETS)[pick % len(DEP.SHEETS)]
    raw = iod_sheets[sheet].copy()
    i = 1 + (pick // 10) % (len(raw) - 1)
    j = 2 + (pick // 7) % (raw.shape[1] - 2)
    raw.iat[i, j] = text
    _check_cell(lambda: DEP.parse_sheet(raw, sheet, 2019, file="iod.xlsx"), iod_base[sheet], row=i + 1,
                column=str(raw.iat[0, j]).strip(), text=text, value_col="value")


@pytest.mark.national
@given(pos=st.integers(0, 29), col=st.sampled_from(["Value", "MEDIAN", "MADs_from_median", "Local authority code",
                                                   "Financial year"]), text=_JUNK)
def test_fuzz_oflog_cells(tmp_path_factory: pytest.TempPathFactory, pos: int, col: str, text: str) -> None:
    """A cell of one of the first 30 real Oflog rows replaced by arbitrary text (in tmp_path): the loader parses
    it or raises one DataError naming that row (or the row's derived column)."""
    raw = read_csv_raw(sources.get(AF.SOURCE_OFLOG).path, nrows=30, keep_default_na=False, na_values=[])
    raw.loc[pos, col] = text
    path = _write_csv(raw, tmp_path_factory.mktemp("oflog") / "oflog.csv")
    try:
        out = AF.load_oflog(path)
    except DataError as exc:
        assert Path(str(exc.file)).name == "oflog.csv"
        assert exc.row == pos + 2 or (exc.row is None and col == "Financial year"), str(exc)
        assert exc.column in (col, "gss_code", "year", "value", "oflog_median", "oflog_mads_from_median"), str(exc)
        return
    if col == "Value":
        got = out[(out["gss_code"] == raw.loc[pos, "Local authority code"].strip().upper())
                  & (out["year"] == raw.loc[pos, "Financial year"].strip())]
        v, status = got["value"].iloc[0], got["value_status"].iloc[0]
        assert (status == "reported") != bool(np.isnan(v))


# ------------------------------------------------------------------------------------------------
# the data dictionary documents every column of every built table
# ------------------------------------------------------------------------------------------------

@pytest.mark.national
def test_data_dictionary_documents_every_column(built_tables: dict[str, str],
                                               data_dictionary: dict[str, str]) -> None:
    """Each column of each built table (national, reference and council report) appears (as `column`) in the
    dictionary's section for that table."""
    sections = data_dictionary
    council_section = sections.get("Council report tables", "")
    missing = []
    for name, spec in tables.discover().items():
        if not tables.available(name):
            continue
        assert name in sections, f"docs/data_dictionary.md has no section for {name}"
        for col in pq.read_schema(tables.processed_path(name)).names:
            # council tables share their first and last columns, documented once for the whole section
            where = sections[name] + (council_section if spec.kind == "council" else "")
            if f"`{col}`" not in where:
                missing.append(f"{name}.{col}")
    assert not missing, f"columns not in docs/data_dictionary.md: {missing}"
