"""Fuzz cases for council workbooks (.xlsx, .ods) and for unregistered files in the national folder (issue 11).

Council workbooks: Stockport's committed CSV files (real figures) written as one workbook with a sheet per kind,
then one value-level or file-level fault put in (the first line of the 2017-18 Q3 budget table, para 2.1.2, is the
one changed), loaded with :func:`helpers.data.council_reports.load_council_folder` and, for the zero budget, run
through the variance analysis. National folder: one file the register does not name dropped into a sandbox of the
real national folder, then ``asc data build`` and ``asc data status`` (the CLI, in process).

Outcomes as in :mod:`tests.fuzz.cases`: "clear error" (one line naming the file, and the sheet, row and column
where they apply; for an unregistered national file, a line from both commands naming it, saying what it looks
like and giving the ``asc data add`` command), "accepted" (read right by a documented rule: a per-cent cell read
as the per cent shown, a zero budget giving no per cent with a note), "silent wrong" (read wrong, or skipped,
without a word), "traceback".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook
from typer.testing import CliRunner

from helpers.core.errors import AscError
from helpers.core.paths import COUNCIL_DATA
from helpers.data import sources
from helpers.data.council_reports import load_council_folder
from helpers.data.council_reports.kinds import numeric_columns
from tests.fuzz.cases import Case
from tests.sandbox import national_sandbox

SHEET = "budget_monitoring"
#: The changed line: Stockport 2017-18 Q3 para 2.1.2, "Integrated Neighbourhoods" (sheet row 2).
ROW = 0

Frames = dict[str, pd.DataFrame]
#: (sheet, data row, column) -> (value, "percent" | "error" | "formula")
Special = dict[tuple[str, int, str], tuple[object, str]]


def _frames() -> Frames:
    out = {}
    for p in sorted((COUNCIL_DATA / "stockport").glob("*.csv")):
        raw = pd.read_csv(p, dtype=str, keep_default_na=False)
        df = raw.astype(object)
        for c in [*numeric_columns(p.stem), "row_order"]:
            if c in df.columns:
                df[c] = [float(v.replace(",", "")) if v.strip() else None for v in raw[c]]
        out[p.stem] = df
    return out


def write_xlsx(path: Path, frames: Frames, special: Special) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in frames.items():
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    for (name, i, col), (value, kind) in special.items():
        ws = wb[name]
        c = ws.cell(row=i + 2, column=list(frames[name].columns).index(col) + 1, value=value)
        if kind == "percent":
            c.number_format = "0.00%"
        elif kind == "error":
            c.data_type = "e"
    wb.save(path)


def _ods_cell(value: object, kind: str | None) -> TableCell:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return TableCell()
    if kind == "percent":
        c = TableCell(valuetype="percentage", value=value)
    elif kind == "error":
        c = TableCell(formula="of:=1/0", valuetype="string", stringvalue=value)
    elif kind == "formula":
        c = TableCell(formula=f"of:{value}")
        return c
    elif isinstance(value, (int, float)):
        c = TableCell(valuetype="float", value=value)
    else:
        c = TableCell(valuetype="string")
    c.addElement(P(text=str(value)))
    return c


def write_ods(path: Path, frames: Frames, special: Special) -> None:
    doc = OpenDocumentSpreadsheet()
    for name, df in frames.items():
        table = Table(name=name)
        head = TableRow()
        for c in df.columns:
            head.addElement(_ods_cell(str(c), None))
        table.addElement(head)
        for i, row in enumerate(df.itertuples(index=False)):
            tr = TableRow()
            for col, v in zip(df.columns, row, strict=True):
                value, kind = special.get((name, i, col), (v, None))
                tr.addElement(_ods_cell(value, kind))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


WRITERS: dict[str, Callable[[Path, Frames, Special], None]] = {"xlsx": write_xlsx, "ods": write_ods}


# ------------------------------------------------------------------------------------------------
# mutations: (frames, special) -> (frames, special, sheet name of the fault, file suffix)
# ------------------------------------------------------------------------------------------------


def _total_row(df: pd.DataFrame) -> int:
    t = df.loc[ROW, "table_id"]
    return int(df.index[(df["table_id"] == t) & (df["line"] == df.loc[ROW, "parent_line"])][0])


def _zero_budget(f: Frames, s: Special) -> None:  # budget 0 with a variance; the total moved with it
    df = f[SHEET]
    t, b = _total_row(df), df.loc[ROW, "budget_gbp_k"]
    df.loc[ROW, "budget_gbp_k"] = 0.0
    df.loc[ROW, "variance_gbp_k"] = df.loc[ROW, "forecast_outturn_gbp_k"]
    df.loc[t, "budget_gbp_k"] -= b
    df.loc[t, "variance_gbp_k"] += b
    s[(SHEET, ROW, "variance_pct")] = ("#DIV/0!", "error")


def _percent(f: Frames, s: Special) -> None:  # the line's per cent typed into a cell formatted 0.00%
    df = f[SHEET]
    s[(SHEET, ROW, "variance_pct")] = (df.loc[ROW, "variance_gbp_k"] / df.loc[ROW, "budget_gbp_k"], "percent")


def _set(column: str, value: object, kind: str | None = None) -> Callable[[Frames, Special], None]:
    def f(frames: Frames, s: Special) -> None:
        if kind:
            s[(SHEET, ROW, column)] = (value, kind)
        else:
            frames[SHEET][column] = frames[SHEET][column].astype(object)
            frames[SHEET].loc[ROW, column] = value
    return f


def _pounds(f: Frames, s: Special) -> None:
    f[SHEET].loc[ROW, "budget_gbp_k"] *= 1000


def _unknown_sheet(f: Frames, s: Special) -> None:
    f["Budget Monitoring"] = f.pop(SHEET)


def _header_only(f: Frames, s: Special) -> None:
    f[SHEET] = f[SHEET].iloc[:0]


def _formula(f: Frames, s: Special) -> None:  # a formula never calculated (a workbook written by a program)
    s[(SHEET, ROW, "budget_gbp_k")] = ("=SUM(K3:K4)", "formula")


WORKBOOK_MUTATIONS: dict[str, Callable[[Frames, Special], None]] = {
    "unknown sheet name": _unknown_sheet,
    "text in a number column": _set("budget_gbp_k", "about 27,900"),
    "per-cent formatted cell": _percent,
    "one line in pounds": _pounds,
    "zero budget with a variance (#DIV/0! per cent)": _zero_budget,
    "error value in a money column": _set("budget_gbp_k", "#REF!", "error"),
    "inf typed in a number column": _set("variance_pct", "inf"),
    "formula with no saved value": _formula,
    "header-only sheet": _header_only,
    "truncated file": lambda f, s: None,
    "saved as .xls": lambda f, s: None,
}

#: What a right reading gives, for the cases whose input is valid (accepted by a documented rule).
ACCEPTED_WORKBOOK = {"per-cent formatted cell", "zero budget with a variance (#DIV/0! per cent)"}


def workbook_cases() -> list[Case]:
    return [Case(f"council workbook ({fmt})", m) for fmt in WRITERS for m in WORKBOOK_MUTATIONS]


def run_workbook(case: Case, tmp: Path) -> tuple[str, str]:
    """Write Stockport's figures as one workbook with the case's fault, load it, classify the outcome."""
    fmt = case.family.split("(")[1].rstrip(")")
    frames, special = _frames(), {}
    WORKBOOK_MUTATIONS[case.mutation](frames, special)
    folder = tmp / "councils" / "stockport"
    folder.mkdir(parents=True)
    path = folder / f"figures.{fmt}"
    WRITERS[fmt](path, frames, special)
    if case.mutation == "truncated file":
        path.write_bytes(path.read_bytes()[: int(path.stat().st_size * 0.6)])
    if case.mutation == "saved as .xls":
        path = path.rename(folder / "figures.xls")
    try:
        tables = load_council_folder(folder, warn=False)
    except AscError as exc:
        msg = str(exc)
        named = path.name in msg and "\n" not in msg
        if case.mutation not in ("truncated file", "saved as .xls", "unknown sheet name"):  # the sheet, as
            # "[sheet 'x']" or as the source_file "book.xlsx#x" of the checks across rows
            named = named and "row " in msg and ("sheet" in msg or f"#{SHEET}" in msg)
            named = named and ("column" in msg or case.mutation == "header-only sheet")
        return ("clear error" if named else "traceback"), msg[:300]
    except Exception as exc:  # noqa: BLE001 - any other exception is the failure being counted
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    return _judge(case, tables, frames)


def _judge(case: Case, tables: dict[str, pd.DataFrame], frames: Frames) -> tuple[str, str]:
    from helpers.analysis.variance.budget import row_notes, variance_table

    df = tables.get(SHEET)
    if df is None or df.empty:
        return "silent wrong", "loaded with no budget table"
    line = frames[SHEET].loc[ROW, "line"]
    row = df[(df["line"] == line) & (df["source_row"] == ROW + 2)]
    if case.mutation == "per-cent formatted cell":
        want = 100 * frames[SHEET].loc[ROW, "variance_gbp_k"] / frames[SHEET].loc[ROW, "budget_gbp_k"]
        got = float(row["variance_pct"].iloc[0])
        return ("accepted", f"read as {got:.4g} (shown {want:.4g}%)") if abs(got - want) < 1e-6 else \
            ("silent wrong", f"read as {got!r}, shown {want:.4g}%")
    if case.mutation.startswith("zero budget"):
        vt = variance_table(df, "E08000007", "2017-18", "Q3")
        r = vt[vt["line"] == line]
        pct = r["variance_pct"].astype(float)
        note = row_notes(vt)[vt["line"] == line]
        if pct.isna().all() and note.str.contains("zero budget: no %").all() and \
                np.isfinite(vt["variance_pct"].dropna().astype(float)).all():
            return "accepted", "no per cent, noted 'zero budget: no %'"
        return "silent wrong", f"per cent {pct.tolist()}, note {note.tolist()}"
    return "silent wrong", "loaded without error"


# ------------------------------------------------------------------------------------------------
# unregistered files in the national folder
# ------------------------------------------------------------------------------------------------


def _copy_of(source_id: str) -> Callable[[Path], bytes]:
    return lambda tmp: sources.get(source_id).path.read_bytes()


def _xlsx_bytes(tmp: Path) -> bytes:
    wb = Workbook()
    wb.active.title = "Data"
    wb.active.append(["Area", "Value"])
    wb.save(tmp / "w.xlsx")
    return (tmp / "w.xlsx").read_bytes()


def _ods_bytes(tmp: Path) -> bytes:
    pd.DataFrame({"Area": ["x"], "Value": [1]}).to_excel(tmp / "w.ods", sheet_name="Table 1", index=False,
                                                         engine="odf")
    return (tmp / "w.ods").read_bytes()


#: Name -> (file placed in the national folder, its bytes).
NATIONAL_FILES: dict[str, tuple[str, Callable[[Path], bytes]]] = {
    "a copy of the ASCOF trend file under a new name": ("ascof/ascof_trend_new.csv", _copy_of("ascof_trend")),
    "a CSV of an unknown layout": ("budget.csv", lambda tmp: b"line,amount\nx,1\n"),
    "a workbook with an unknown sheet (xlsx)": ("other/extra.xlsx", _xlsx_bytes),
    "a spreadsheet with an unknown sheet (ods)": ("other/extra.ods", _ods_bytes),
    "a cut workbook": ("other/cut.xlsx", lambda tmp: _xlsx_bytes(tmp)[:300]),
    "a CSV with a byte that does not decode": ("ascof/bad.csv", lambda tmp: b"Year,ONS Code\n2023\x9d,E1\n"),
    "an empty file": ("empty.csv", lambda tmp: b""),
    "a file with no extension": ("notes", lambda tmp: b"some notes"),
}


def national_cases() -> list[Case]:
    return [Case("national folder: unregistered file", m) for m in NATIONAL_FILES]


def run_national(case: Case, tmp: Path, mp: pytest.MonkeyPatch) -> tuple[str, str]:
    """Drop one unregistered file into a sandbox national folder; run ``asc data build comparators`` and
    ``asc data status``; classify."""
    from helpers.pipeline.cli import app

    nat, _processed = national_sandbox(tmp, mp)
    rel, make = NATIONAL_FILES[case.mutation]
    scratch = tmp / "scratch"
    scratch.mkdir()
    target = nat / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(make(scratch))
    runner = CliRunner()
    build = runner.invoke(app, ["data", "build", "comparators"])
    status = runner.invoke(app, ["data", "status"])
    for res in (build, status):
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            return "traceback", f"{type(res.exception).__name__}: {res.exception}"[:300]
    said = [ln for ln in build.output.splitlines() if rel in ln]
    told = status.output.split(rel, 1)[1].split("\n", 2)[:2] if rel in status.output else []
    if not said or not told:
        return "silent wrong", f"skipped without a word (build: {bool(said)}, status: {bool(told)})"
    if "asc data add" not in said[0] or not any("asc data add" in t for t in told):
        return "silent wrong", f"named but no command: {said[0][:200]}"
    if build.exit_code != 0:
        return "traceback", f"the build failed: {build.output[-300:]}"
    return "clear error", said[0].removeprefix("warning: ")[:300]
