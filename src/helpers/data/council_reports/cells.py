"""What a council workbook's cells hold besides their values: per-cent formats, error values, unsaved formulas.

The reader takes a sheet's values with the fast ``calamine`` engine (:func:`helpers.data.io.read_sheet`), which
gives a cell's last saved value and nothing else. Three kinds of cell then read wrong without a word:

* a cell **formatted as a per cent** shows ``5.47%`` and holds ``0.0547`` (read as 0.0547, 1/100 of the figure);
* an **error value** (``#DIV/0!`` where the budget is 0, ``#REF!``, ``#VALUE!``, ``#N/A``; ``Err:502`` in
  LibreOffice) reads as an empty cell;
* a **formula with no saved value** (a workbook written by a script and never opened in a spreadsheet) reads as
  an empty cell.

:func:`inspect` finds them in ``.xlsx`` (openpyxl) and ``.ods`` (odfpy) workbooks, by position in the sheet's
data rows (0-based, the header row excluded), so that the reader reads per cents as shown, reads ``#DIV/0!`` in
a per-cent column as missing (the analysis then gives no per cent, with a note) and refuses every other error
value and unsaved formula naming the sheet, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from odf.namespaces import OFFICENS, TABLENS
from odf.opendocument import load as load_ods
from odf.table import Table, TableRow
from openpyxl import load_workbook

#: Error values a spreadsheet shows in a cell whose formula failed (Excel's, and LibreOffice's ``Err:nnn``).
ERROR_VALUES = ("#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")


@dataclass
class Cells:
    """Positions ``(data row, column)`` of the cells of one sheet that need more than their value."""

    percent: list[tuple[int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)


def inspect(path: str | Path, sheet: str) -> Cells:
    """Per-cent cells, error values and formulas without a saved value of one sheet of an ``.xlsx`` or ``.ods``
    workbook (an empty :class:`Cells` for other files or a sheet that is not there)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(path, sheet)
    if suffix == ".ods":
        return _ods(path, sheet)
    return Cells()


def _is_error(value: object) -> bool:
    return isinstance(value, str) and (value.strip().upper() in ERROR_VALUES or value.startswith("Err:"))


def _xlsx(path: Path, sheet: str) -> Cells:
    out = Cells()
    cached = load_workbook(path, read_only=True, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False)
    try:
        if sheet not in cached.sheetnames:
            return out
        for i, (vrow, frow) in enumerate(zip(cached[sheet].iter_rows(min_row=2),
                                             formulas[sheet].iter_rows(min_row=2), strict=False)):
            for j, (cell, f) in enumerate(zip(vrow, frow, strict=False)):
                v, fmt = cell.value, getattr(cell, "number_format", None) or ""
                if "%" in fmt and isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.percent.append((i, j))
                elif getattr(cell, "data_type", None) == "e" or _is_error(v):
                    out.errors[(i, j)] = str(v)
                elif v is None and isinstance(f.value, str) and f.value.startswith("="):
                    out.unsaved[(i, j)] = f.value
    finally:
        cached.close()
        formulas.close()
    return out


def _repeat(el: object, attr: str) -> int:
    try:
        return max(1, int(el.getAttrNS(TABLENS, attr) or 1))  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return 1


def _ods(path: Path, sheet: str) -> Cells:
    out = Cells()
    doc = load_ods(str(path))
    table = next((t for t in doc.spreadsheet.getElementsByType(Table) if t.getAttrNS(TABLENS, "name") == sheet),
                 None)
    if table is None:
        return out
    i = -1  # the header row is row -1
    for row in table.getElementsByType(TableRow):
        reps = _repeat(row, "number-rows-repeated")
        cells = [c for c in row.childNodes if c.qname[1] in ("table-cell", "covered-table-cell")]
        for _ in range(min(reps, 2)):  # a repeated row is a run of blank rows (or one row copied): see once
            j = 0
            for c in cells:
                n = _repeat(c, "number-columns-repeated")
                vtype = c.getAttrNS(OFFICENS, "value-type")
                formula = c.getAttrNS(TABLENS, "formula")
                text = "".join(str(t) for t in c.childNodes if t.qname[1] == "p")
                if i >= 0:
                    for k in range(min(n, 1000)):
                        if vtype == "percentage":
                            out.percent.append((i, j + k))
                        elif formula and _is_error(text):
                            out.errors[(i, j + k)] = text
                        elif formula and not vtype:
                            out.unsaved[(i, j + k)] = formula
                j += n
            i += 1
        i += reps - min(reps, 2)
    return out
