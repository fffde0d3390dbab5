"""Council workbooks, .xlsx and .ods (issue 11, item 2 of the hardening follow-up): value-level faults give one
line naming the file, sheet, row and column, a zero budget gives no per cent (with a note, never inf), and a
workbook in a format the loader does not read is refused, never skipped.

Every workbook is synthetic (written here from small rows, or from Stockport's committed CSV files in the other
accepted format); each test's docstring says what is wrong with it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook

from helpers.analysis.variance.budget import row_notes, variance_table
from helpers.core.errors import DataError
from helpers.core.paths import COUNCIL_DATA
from helpers.data import council_reports as cd
from helpers.data.council_reports import cells

STOCKPORT = "E08000007"
HEADER = list(cd.TEMPLATE_COMMON) + ["budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k", "variance_pct"] + \
    list(cd.TEMPLATE_TAIL)
NUMBERS = {"row_order", "budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k", "variance_pct"}


def _rows() -> list[list[object]]:
    """Stockport 2017-18 Q3 para 2.1.2 (three lines and the total), as spreadsheet rows."""
    base = {"gss_code": STOCKPORT, "council": "Stockport", "financial_year": "2017-18", "period": "Q3",
            "period_end": "2017-12-31", "table_id": "t-1", "source_document": "synthetic", "source_table": "t",
            "note": None, "variance_pct": None, "parent_line": "Total", "row_type": "line"}
    rows = [
        {**base, "row_order": 1, "line": "A", "budget_gbp_k": 27852, "forecast_outturn_gbp_k": 27874,
         "variance_gbp_k": 22},
        {**base, "row_order": 2, "line": "B", "budget_gbp_k": 5448, "forecast_outturn_gbp_k": 5041,
         "variance_gbp_k": -407},
        {**base, "row_order": 3, "line": "C", "budget_gbp_k": 27851, "forecast_outturn_gbp_k": 28560,
         "variance_gbp_k": 709},
        {**base, "row_order": 4, "line": "Total", "parent_line": None, "row_type": "total", "budget_gbp_k": 61151,
         "forecast_outturn_gbp_k": 61475, "variance_gbp_k": 324},
    ]
    return [[r[c] for c in HEADER] for r in rows]


def _xlsx(path: Path, rows: list[list[object]], sheet: str = "budget_monitoring",
          cell: tuple[int, str, object, str | None] | None = None) -> Path:
    """Write rows to an .xlsx; ``cell`` = (data row, column, value, data type) overrides one cell."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    if cell is not None:
        i, col, value, dtype = cell
        c = ws.cell(row=i + 2, column=HEADER.index(col) + 1, value=value)
        if dtype:
            c.data_type = dtype
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _ods_cell(value: object, kind: str | None = None) -> TableCell:
    if value is None:
        return TableCell()
    if kind == "percentage":
        c = TableCell(valuetype="percentage", value=value)
        c.addElement(P(text=f"{value:.2%}"))
    elif kind == "error":
        c = TableCell(formula="of:=1/0", valuetype="string", stringvalue=value)
        c.addElement(P(text=str(value)))
    elif isinstance(value, (int, float)):
        c = TableCell(valuetype="float", value=value)
        c.addElement(P(text=str(value)))
    else:
        c = TableCell(valuetype="string")
        c.addElement(P(text=str(value)))
    return c


def _ods(path: Path, rows: list[list[object]], sheet: str = "budget_monitoring",
         special: dict[tuple[int, str], tuple[object, str]] | None = None) -> Path:
    """Write rows to an .ods with odfpy; ``special`` = {(data row, column): (value, "percentage" | "error")}."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for i, r in enumerate([HEADER, *rows]):
        tr = TableRow()
        for j, v in enumerate(r):
            kind = None
            if special and (i - 1, HEADER[j]) in special:
                v, kind = special[(i - 1, HEADER[j])]
            tr.addElement(_ods_cell(v, kind))
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _error(call, *args, **kwargs) -> DataError:
    with pytest.raises(DataError) as exc:
        call(*args, **kwargs)
    assert "\n" not in str(exc.value), "one line"
    return exc.value


WRITERS = {"xlsx": _xlsx, "ods": _ods}


# ------------------------------------------------------------------------------------------------
# the .ods family: read like .xlsx (before: an .ods in a council folder was skipped in silence)
# ------------------------------------------------------------------------------------------------


def test_an_ods_workbook_gives_the_same_tables_as_the_csv_files(tmp_path: Path) -> None:
    """Stockport's committed CSV files written as one .ods workbook (LibreOffice's format) give the same tables."""
    folder = tmp_path / "stockport"
    folder.mkdir()
    with pd.ExcelWriter(folder / "figures.ods", engine="odf") as xw:
        for p in sorted((COUNCIL_DATA / "stockport").glob("*.csv")):
            raw = pd.read_csv(p, dtype=str, keep_default_na=False)
            for c in raw.columns:
                if c in cd.kinds.numeric_columns(p.stem) or c == "row_order":
                    raw[c] = pd.to_numeric(raw[c].str.replace(",", ""), errors="coerce").where(raw[c] != "")
            raw.to_excel(xw, sheet_name=p.stem, index=False)
    ods = cd.load_council_folder(folder, warn=False)
    csv = cd.load_council_folder(COUNCIL_DATA / "stockport", warn=False)
    assert sorted(ods) == sorted(csv)
    for kind in csv:
        a, b = (d.drop(columns=["source_file"]).reset_index(drop=True) for d in (ods[kind], csv[kind]))
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=kind)
    assert cd.council_files(tmp_path, kind="kpis") == [folder / "figures.ods"]


@pytest.mark.parametrize("suffix", [".xls", ".xlsm", ".numbers", ".tsv"])
def test_a_workbook_in_another_format_is_refused_naming_it(tmp_path: Path, suffix: str) -> None:
    """Synthetic: a council folder whose figures are in a format the loader does not read (before: skipped, so the
    council had no figures and the build said nothing)."""
    folder = tmp_path / "c"
    _xlsx(folder / "budget_monitoring.xlsx", _rows())
    (folder / f"savings{suffix}").write_bytes(b"not read")
    err = _error(cd.load_council_folder, tmp_path, warn=False)
    assert f"savings{suffix}" in str(err) and ".xlsx" in str(err) and ".ods" in str(err)


@pytest.mark.parametrize("fmt", WRITERS)
def test_an_unknown_sheet_name_names_the_file_the_sheet_and_the_kinds(tmp_path: Path, fmt: str) -> None:
    """Synthetic: a sheet called 'Budget Monitoring' (a space and capitals)."""
    path = WRITERS[fmt](tmp_path / "c" / f"council.{fmt}", _rows(), sheet="Budget Monitoring")
    err = _error(cd.load_council_folder, tmp_path, warn=False)
    assert path.name in str(err) and "'Budget Monitoring'" in str(err)
    assert "did you mean 'budget_monitoring'" in str(err) and "kpis" in str(err) and "savings" in str(err)


# ------------------------------------------------------------------------------------------------
# value-level faults, both formats
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", WRITERS)
def test_text_in_a_number_column_names_file_sheet_row_and_column(tmp_path: Path, fmt: str) -> None:
    """Synthetic: 'about 5,400' typed in the budget of line B (sheet row 3)."""
    rows = _rows()
    rows[1][HEADER.index("budget_gbp_k")] = "about 5,400"
    path = WRITERS[fmt](tmp_path / "c" / f"council.{fmt}", rows)
    err = _error(cd.load_council_folder, tmp_path, warn=False)
    assert path.name in str(err) and "budget_monitoring" in str(err)
    assert (err.row, err.column) == (3, "budget_gbp_k") and "about 5,400" in str(err)


@pytest.mark.parametrize("fmt", WRITERS)
def test_a_per_cent_formatted_cell_is_read_as_the_per_cent_shown(tmp_path: Path, fmt: str) -> None:
    """Synthetic: line C's variance_pct formatted as a per cent, holding 709/27851 = 0.0255 (shown 2.55%)."""
    value = 709 / 27851
    if fmt == "xlsx":
        path = _xlsx(tmp_path / "c" / "council.xlsx", _rows(), cell=(2, "variance_pct", value, None))
        from openpyxl import load_workbook

        wb = load_workbook(path)
        wb.active.cell(row=4, column=HEADER.index("variance_pct") + 1).number_format = "0.00%"
        wb.save(path)
    else:  # before: an .ods was not read at all; its percentage cells are read as shown too
        _ods(tmp_path / "c" / "council.ods", _rows(), special={(2, "variance_pct"): (value, "percentage")})
    df = cd.load_kind("budget_monitoring", tmp_path, warn=False)
    assert df.loc[df["line"] == "C", "variance_pct"].iloc[0] == pytest.approx(100 * value)


@pytest.mark.parametrize("fmt", WRITERS)
def test_one_line_in_pounds_is_named(tmp_path: Path, fmt: str) -> None:
    """Synthetic: line B's budget typed in pounds (5,448,000) among lines in £ thousands (sheet row 3)."""
    rows = _rows()
    rows[1][HEADER.index("budget_gbp_k")] = 5_448_000
    WRITERS[fmt](tmp_path / "c" / f"council.{fmt}", rows)
    err = _error(cd.load_council_folder, tmp_path, warn=False)
    assert (err.row, err.column) == (3, "budget_gbp_k") and "pounds" in str(err) and f"council.{fmt}" in str(err)


def _zero_budget_rows() -> list[list[object]]:
    """Line C with a budget of 0 and its whole forecast as variance; the total moved with it (still adds up)."""
    rows = _rows()
    b, v = HEADER.index("budget_gbp_k"), HEADER.index("variance_gbp_k")
    rows[2][b], rows[2][v] = 0, 28560
    rows[3][b], rows[3][v] = 61151 - 27851, 324 - 709 + 28560
    return rows


@pytest.mark.parametrize("fmt", WRITERS)
def test_a_zero_budget_gives_no_per_cent_with_a_note_never_inf(tmp_path: Path, fmt: str) -> None:
    """Synthetic: line C's budget is 0 and its printed per cent is the spreadsheet's #DIV/0! error (before: an
    .xlsx error value was read as an empty cell without a check; an .ods was not read)."""
    if fmt == "xlsx":
        _xlsx(tmp_path / "c" / "council.xlsx", _zero_budget_rows(), cell=(2, "variance_pct", "#DIV/0!", "e"))
    else:
        _ods(tmp_path / "c" / "council.ods", _zero_budget_rows(), special={(2, "variance_pct"): ("#DIV/0!", "error")})
    df = cd.load_kind("budget_monitoring", tmp_path, warn=False)
    assert df.loc[df["line"] == "C", "variance_pct"].isna().all()
    vt = variance_table(df, STOCKPORT, "2017-18", "Q3")
    c = vt[vt["line"] == "C"].iloc[0]
    assert np.isnan(c["variance_pct"]) and c["variance_gbp_k"] == 28560
    assert np.isfinite(vt["variance_pct"].dropna()).all()
    assert "zero budget: no %" in row_notes(vt)[vt["line"] == "C"].iloc[0]


@pytest.mark.parametrize("text", ["inf", "-Infinity", "+inf"])
def test_an_infinite_number_is_refused(tmp_path: Path, text: str) -> None:
    """Synthetic: 'inf' typed as the per cent of a zero budget (before: read as inf, a per cent no reader can
    use, reaching the tables and charts)."""
    rows = _zero_budget_rows()
    rows[2][HEADER.index("variance_pct")] = text
    _xlsx(tmp_path / "c" / "council.xlsx", rows)
    err = _error(cd.load_council_folder, tmp_path, warn=False)
    assert (err.row, err.column) == (4, "variance_pct") and "not a finite number" in str(err)


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("code", ["#REF!", "#VALUE!", "#DIV/0!"])
def test_an_error_value_in_a_money_column_is_refused(tmp_path: Path, fmt: str, code: str) -> None:
    """Synthetic: line B's budget cell shows a spreadsheet error (before: read as an empty cell, the line's budget
    missing without a word)."""
    if fmt == "xlsx":
        _xlsx(tmp_path / "c" / "council.xlsx", _rows(), cell=(1, "budget_gbp_k", code, "e"))
    else:
        _ods(tmp_path / "c" / "council.ods", _rows(), special={(1, "budget_gbp_k"): (code, "error")})
    err = _error(cd.load_council_folder, tmp_path, warn=False)
    assert (err.row, err.column) == (3, "budget_gbp_k") and code in str(err) and "sheet 'budget_monitoring'" in str(err)


def test_a_formula_with_no_saved_value_is_refused(tmp_path: Path) -> None:
    """Synthetic: a workbook written by a program with the total's budget as a formula never calculated (before:
    read as an empty cell)."""
    _xlsx(tmp_path / "c" / "council.xlsx", _rows(), cell=(3, "budget_gbp_k", "=SUM(K2:K4)", None))
    err = _error(cd.load_council_folder, tmp_path, warn=False)
    assert (err.row, err.column) == (5, "budget_gbp_k") and "no saved value" in str(err)


def test_inspect_counts_repeated_ods_cells(tmp_path: Path) -> None:
    """An .ods sheet as LibreOffice saves it: three empty cells stored as one repeated cell, two empty rows as one
    repeated row; the percentage cell after them is found at its place (data row 2, column 4)."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name="s")
    header = TableRow()
    for h in "abcde":
        header.addElement(_ods_cell(h))
    table.addElement(header)
    first = TableRow()
    first.addElement(_ods_cell(1))
    table.addElement(first)
    table.addElement(TableRow(numberrowsrepeated=1))
    gap = TableRow()
    gap.addElement(_ods_cell(2))
    gap.addElement(TableCell(numbercolumnsrepeated=3))
    gap.addElement(_ods_cell(0.25, "percentage"))
    table.addElement(gap)
    doc.spreadsheet.addElement(table)
    doc.save(str(tmp_path / "x.ods"))
    assert cells.inspect(tmp_path / "x.ods", "s").percent == [(2, 4)]
