"""One Excel workbook per report, made for a finance team: a cover sheet and a formatted sheet per table.

A workbook has a **cover** sheet (the report's title, council, period, the source documents and national
files, the run it came from and how to cite it) and one sheet per table: bold frozen headings, filters,
column widths, number formats over full-precision values (£k with thousands separators, per cents to one
decimal, counts), numbers stored as numbers, RAG cells coloured *and* worded, and every text cell written as
text (a line name that starts with ``=``, ``+``, ``-`` or ``@`` never becomes a formula).

Written with XlsxWriter (fast, write-only, full control of formats; see ``docs/decisions.md``), atomically.

Periods: a column formatted ``period`` holds reporting-period codes (``Q2``, ``M03``, ``YE``); the workbook
writes them in the words the reports use (``quarter 2``, ``month 3 (June)``, ``year end``:
:func:`helpers.core.periods.period_label`), and keeps any other text as it is.

Per cents: a column formatted ``pct`` / ``pct_signed`` holds per cent *points* in the frame (``27.4`` for
27.4%); the workbook stores the fraction (``0.274``) under a per-cent format, so that the cell reads 27.4% and
a finance team's own formulas work on it.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter

from helpers.core import periods, text
from helpers.data.io import atomic_write_bytes
from helpers.reports.present import output_prefix, record_output_file

#: Excel number formats by the names of :data:`helpers.core.text.FORMATS`.
NUMBER_FORMATS: dict[str, str] = {
    "gbp_k": "#,##0",
    "gbp_k_signed": "+#,##0;-#,##0;0",
    "gbp": "#,##0.00",
    "pct": "0.0%",
    "pct_signed": "+0.0%;-0.0%;0.0%",
    "int": "#,##0",
    "num": "#,##0.##",
}
#: Fill colours of RAG cells (the same light tints as the HTML tables); the cell keeps the word.
RAG_FILLS = {"red": "#F6C9B3", "amber": "#FBE3B0", "green": "#B8E6D5"}
_PCT = ("pct", "pct_signed")
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook.

    Attributes
    ----------
    title
        The sheet's name (cut to Excel's 31 characters, ``[]:*?/\\`` removed).
    frame
        The data, with machine column names.
    columns
        Column -> heading, in order (as for :func:`helpers.reports.present.present`); ``None``: every column
        under its own name.
    formats
        Column -> a name of :data:`NUMBER_FORMATS` (``gbp_k``, ``pct``...), ``"text"`` or ``"period"`` (period
        codes written as words); numeric columns not named get ``num``.
    rag
        Columns holding Red / Amber / Green (coloured, word kept).
    note
        A line above the table (what it shows, its source).
    """

    title: str
    frame: pd.DataFrame
    columns: Mapping[str, str] | None = None
    formats: Mapping[str, str] = field(default_factory=dict)
    rag: Sequence[str] = ()
    note: str | None = None


@dataclass(frozen=True)
class Cover:
    """The cover sheet: what the workbook is, for whom, from what."""

    title: str
    council: str
    period: str
    sources: Sequence[str] = ()
    notes: Sequence[str] = ()
    run_id: str | None = None

    def rows(self) -> list[tuple[str, str]]:
        run = self.run_id or os.environ.get("ASC_RUN_ID") or "interactive (not a recorded run)"
        out = [("Report", self.title), ("Council", self.council), ("Period", self.period), ("Run", run)]
        out += [("Source", s) for s in self.sources]
        out += [("Note", n) for n in self.notes]
        out.append(("How to cite", f"{self.title}, {self.council}, {self.period}. Adult social care finance and "
                                   f"performance notebooks, run {run}. Figures from the sources listed above."))
        return out


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name for ``title``."""
    base = _BAD_SHEET.sub("", title).strip().strip("'")[:31].strip("'") or "Sheet"
    name, i = base, 2
    while name.lower() in taken:
        suffix = f" ({i})"
        name, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(name.lower())
    return name


def _rag_key(value: object) -> str | None:
    key = str(value).strip().lower()
    for name in RAG_FILLS:
        if key == name or key.startswith(name + " ") or key == name[0]:
            return name
    return None


def period_words(value: object) -> object:
    """A reporting-period code in the reports' words (``"Q2"`` -> ``"quarter 2"``); anything else unchanged."""
    if isinstance(value, str) and periods.PERIOD_RE.match(value.strip().rstrip("+")):
        return periods.period_label(value.strip())
    return value


def _width(values: Sequence[str], heading: str) -> float:
    longest = max([len(heading) * 0.9, *[len(v) for v in values]] or [8])
    return float(min(60, max(8, longest + 2)))


def workbook_bytes(cover: Cover, sheets: Sequence[Sheet]) -> bytes:
    """The workbook as bytes (for :func:`write_workbook` and for tests)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1, "bg_color": "#EDEDED"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    note_fmt = wb.add_format({"italic": True, "font_color": "#444444"})
    num_fmts = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
    rag_fmts = {k: wb.add_format({"bg_color": v}) for k, v in RAG_FILLS.items()}
    taken: set[str] = set()

    ws = wb.add_worksheet(sheet_name("Cover", taken))
    ws.write_string(0, 0, cover.title, title_fmt)
    for i, (k, v) in enumerate(cover.rows(), start=2):
        ws.write_string(i, 0, k, bold)
        ws.write_string(i, 1, str(v), wrap)
    ws.write_string(len(cover.rows()) + 3, 0, "Sheets", bold)
    for j, s in enumerate(sheets):
        ws.write_string(len(cover.rows()) + 4 + j, 0, s.title)
        if s.note:
            ws.write_string(len(cover.rows()) + 4 + j, 1, s.note, wrap)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 100)

    for s in sheets:
        ws = wb.add_worksheet(sheet_name(s.title, taken))
        cols = dict(s.columns) if s.columns is not None else {c: str(c) for c in s.frame.columns}
        shown = [c for c in cols if c in s.frame.columns]
        top = 0
        if s.note:
            ws.write_string(0, 0, s.note, note_fmt)
            top = 2
        for j, c in enumerate(shown):
            ws.write_string(top, j, cols[c], head)
        for j, c in enumerate(shown):
            series = s.frame[c]
            fmt_name = s.formats.get(c)
            is_num = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
            if fmt_name is None:
                fmt_name = "num" if is_num else "text"
            shown_text = []
            values = [period_words(v) for v in series.tolist()] if fmt_name == "period" else series.tolist()
            for i, v in enumerate(values, start=top + 1):
                cell_fmt = None
                rag = _rag_key(v) if c in s.rag and not text.is_missing(v) else None
                if rag:
                    cell_fmt = rag_fmts[rag]
                if text.is_missing(v):
                    ws.write_blank(i, j, None, cell_fmt)
                    shown_text.append("")
                elif isinstance(v, bool):
                    ws.write_string(i, j, "yes" if v else "no", cell_fmt)
                    shown_text.append("yes")
                elif fmt_name not in ("text", "period") and isinstance(v, (int, float)):
                    value = float(v) / 100.0 if fmt_name in _PCT else v
                    ws.write_number(i, j, value, num_fmts.get(fmt_name, num_fmts["num"]))
                    shown_text.append(text.FORMATS.get(fmt_name, text.general)(v))
                else:
                    ws.write_string(i, j, str(v), cell_fmt)
                    shown_text.append(str(v))
            ws.set_column(j, j, _width(shown_text, cols[c]))
        ws.freeze_panes(top + 1, 0)
        if shown:
            ws.autofilter(top, 0, top + max(len(s.frame), 1), len(shown) - 1)
    wb.close()
    return buf.getvalue()


def write_workbook(path: str | Path, cover: Cover, sheets: Sequence[Sheet]) -> Path:
    """Write the workbook to ``path`` atomically; return the path."""
    path = Path(path)
    atomic_write_bytes(path, workbook_bytes(cover, sheets))
    return path


def export_workbook(cover: Cover, sheets: Sequence[Sheet], name: str = "workbook") -> str:
    """Write the report's workbook next to it (``<report>_<name>.xlsx``); return the file name (no folders)."""
    prefix = output_prefix()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    path = prefix.with_name(f"{prefix.name}_{name}.xlsx")
    write_workbook(path, cover, sheets)
    record_output_file(path)
    return path.name
