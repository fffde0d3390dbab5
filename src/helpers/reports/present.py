"""Presentation helpers for the rendered reports: tables and plain-English messages a reader can follow.

Notebooks show DataFrames through :func:`table` so that an empty result says *why* it is empty instead of
printing an empty frame, and messages through :func:`say` so that they render as text (not code output)
in the HTML a councillor reads. Tables meant for a reader (a finance manager, a councillor) go through
:func:`present`: chosen columns under human headings with units, numbers formatted (thousands separators,
1 decimal for per cents), missing values shown as a dash, every row shown, and the printed source table
named. The full detail goes to CSV / Excel through :func:`export_table`.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown


def say(text: str) -> Markdown:
    """Return ``text`` as Markdown, for a message that should read as prose in the report."""
    return Markdown(text)


def note(text: str) -> Markdown:
    """Say something in the report that the run's index page should show too.

    For a report that ran but has little or nothing to show (no figures for that year, a comparator group too
    small): the message appears in the report as prose and, under the runner, in the ``Notes`` column of
    ``index.html`` and in ``manifest.json``, so that a batch of 150 reports does not hide it.
    """
    prefix = os.environ.get("ASC_OUTPUT_PREFIX")
    if prefix:
        with open(f"{prefix}.notes", "a", encoding="utf-8") as fh:
            fh.write(" ".join(str(text).split()) + "\n")
    return Markdown(text)


def table(df: pd.DataFrame, *, empty: str, sort: list[str] | None = None) -> pd.DataFrame | Markdown:
    """Return ``df`` for display, or the ``empty`` message when it has no rows.

    Parameters
    ----------
    df
        The table.
    empty
        What to say when there is nothing to show (e.g. "No boundary change affects this council.").
    sort
        Columns to sort by, so that the output is deterministic.
    """
    if df is None or len(df) == 0:
        return Markdown(f"*{empty}*")
    if sort:
        df = df.sort_values(sort, kind="stable")
    return df.reset_index(drop=True)


def records(rows: list[dict[str, Any]], *, empty: str, columns: list[str] | None = None) -> pd.DataFrame | Markdown:
    """Like :func:`table`, for a list of dicts (e.g. :func:`helpers.data.councils.series_breaks`)."""
    df = pd.DataFrame(rows, columns=columns)
    for col in df.columns:
        if df[col].map(lambda v: isinstance(v, (list, tuple))).any():
            df[col] = df[col].map(lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else v)
    return table(df, empty=empty)


def output_prefix() -> Path:
    """Where this report's extra files go.

    Under the runner: ``outputs/<run>/<notebook>`` (or ``outputs/<run>/<notebook>/<council>`` in a batch), from
    the ``ASC_OUTPUT_PREFIX`` the runner sets. Interactively: ``outputs/interactive/<name>``.
    """
    from helpers.core.paths import OUTPUTS

    env = os.environ.get("ASC_OUTPUT_PREFIX")
    return Path(env) if env else OUTPUTS / "interactive" / "report"


def export_table(df: pd.DataFrame, name: str) -> list[str]:
    """Write a summary table next to the report as CSV and Excel (atomically); return the file names.

    Parameters
    ----------
    df
        The table (written without its index, in its current row order).
    name
        A short name, e.g. ``"summary"``: files are ``<report>_<name>.csv`` and ``<report>_<name>.xlsx``.

    Returns
    -------
    list of str
        The two file names (no folders, so that outputs do not show machine paths).
    """
    from helpers.data.io import atomic_write_bytes, atomic_write_text

    prefix = output_prefix()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    csv_path = prefix.with_name(f"{prefix.name}_{name}.csv")
    xlsx_path = prefix.with_name(f"{prefix.name}_{name}.xlsx")
    atomic_write_text(csv_path, df.to_csv(index=False))
    import io

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xl:
        df.to_excel(xl, sheet_name=name[:31], index=False)
    atomic_write_bytes(xlsx_path, buf.getvalue())
    return [csv_path.name, xlsx_path.name]


# ------------------------------------------------------------------------------------------------
# reader-facing tables
# ------------------------------------------------------------------------------------------------


def _plain(x: float, decimals: int, signed: bool = False) -> str:
    """``x`` rounded to ``decimals`` with thousands separators; no ``-0``; ``+`` on positives if ``signed``."""
    r = round(float(x), decimals)
    if r == 0:
        r = 0.0  # no "-0"
    text = f"{abs(r):,.{decimals}f}"
    if r < 0:
        return "-" + text
    return ("+" + text) if signed and r > 0 else text


def _small_pct(x: float) -> str:
    """Signed per cent to 1 decimal, or 2 decimals when 1 would show a non-zero value as 0.0%."""
    x = float(x)
    return _plain(x, 2 if 0 < abs(x) < 0.05 else 1, True) + "%"


def _general(x: float) -> str:
    """Up to 2 decimals, trailing zeros dropped (``2.7``, ``93.41``, ``2,235``)."""
    if abs(float(x)) >= 1000:
        return _plain(x, 0)
    return _plain(x, 2).rstrip("0").rstrip(".") if "." in _plain(x, 2) else _plain(x, 2)


#: Display formats of :func:`present`, by name: a function of one non-missing value returning text.
FORMATS: dict[str, Callable[[Any], str]] = {
    "gbp_k": lambda x: _plain(x, 0),                  # £ thousands, whole: 1,234
    "gbp_k_signed": lambda x: _plain(x, 0, True),     # variances, movements: +1,234 overspend / -20 underspend
    "gbp": lambda x: _plain(x, 2),                    # pounds with pence (unit costs): 1,364.00
    "pct": lambda x: _plain(x, 1) + "%",              # 42.3%
    "pct_signed": lambda x: _small_pct(x),            # +8.5%; +0.02% (not +0.0%) for a tiny non-zero share
    "int": lambda x: _plain(x, 0),                    # counts: 1,285
    "num": _general,                                  # mixed units (KPI values): 2.7, 93.41, 2,235
    "text": str,
}
#: What a missing value looks like in a reader's table (never 0: a blank or suppressed figure stays blank).
NA_TEXT = "–"
#: Background colours of RAG cells (light tints of the Okabe-Ito RAG colours; the text says the rating too).
RAG_TINTS: dict[str, str] = {"red": "#F6C9B3", "amber": "#FBE3B0", "green": "#B8E6D5"}


@dataclass(frozen=True)
class Presented:
    """A formatted table for a report: HTML for the rendered page, plain text for a console and nbval.

    Attributes
    ----------
    frame
        The table as it is shown: reader headings, every value already text.
    html
        The HTML (a pandas Styler with a content-derived id, so the same table gives the same bytes).
    caption
        The line above the table (e.g. ``"Source table: ..."``), or ``None``.
    """

    frame: pd.DataFrame
    html: str
    caption: str | None = None

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False)
        return f"{self.caption}\n{text}" if self.caption else text

    def __len__(self) -> int:
        return len(self.frame)


def _rag_tint(value: str) -> str:
    key = str(value).strip().lower()
    for name, colour in RAG_TINTS.items():
        if key == name or key.startswith(name + " ") or key in (name[0],):
            return f"background-color: {colour};"
    return ""


def present(df: pd.DataFrame, *, columns: Mapping[str, str], empty: str,
            formats: Mapping[str, str | Callable[[Any], str]] | None = None, sort: Sequence[str] | None = None,
            source: str | None = "source_table", emphasis: pd.Series | None = None,
            rag: Sequence[str] = (), na: str = NA_TEXT, note: str | None = None,
            drop_empty: Sequence[str] = ()) -> Presented | Markdown:
    """A table for a reader: chosen columns under human headings, formatted numbers, every row shown.

    Parameters
    ----------
    df
        The data, with machine column names (``budget_gbp_k`` ...). Not changed.
    columns
        Column -> heading, in display order (e.g. ``{"budget_gbp_k": "Budget (£k)"}``). Columns not named
        here (internal ids, row order, source ids) are not shown; columns named here but absent are skipped.
    empty
        What to say when there are no rows (e.g. "The report prints no savings figures for this period.").
    formats
        Column -> a name in :data:`FORMATS` (``gbp_k``, ``gbp_k_signed``, ``gbp``, ``pct``, ``pct_signed``,
        ``int``, ``num``, ``text``) or a function of one value. Unnamed columns: ``num`` for numbers,
        ``text`` otherwise. Missing values are shown as ``na`` whatever the format.
    sort
        Columns of ``df`` to sort by (stable) before display; ``None`` keeps the given order (e.g. the
        printed order of a council's table).
    source
        A column naming the printed table each row comes from. When every row has the same value it is
        shown once, above the table ("Source table: ..."), and left out of the columns; otherwise it stays
        as a column (its heading from ``columns``, else "Source table").
    emphasis
        Rows to show in bold (e.g. subtotals and totals), a boolean Series aligned with ``df``.
    rag
        Columns (of ``df``) holding Red / Amber / Green ratings: tinted, with the text kept.
    na
        Text for a missing value.
    note
        A sentence shown above the table, after the source (e.g. a caveat that holds for every row).
    drop_empty
        Columns to leave out when no row has a value (e.g. a programme column a report does not print);
        other columns are shown even when empty, since an empty column can itself be the finding.

    Returns
    -------
    Presented or IPython.display.Markdown
        The table, or the ``empty`` message in italics when ``df`` has no rows.
    """
    if df is None or len(df) == 0:
        return Markdown(f"*{empty}*")
    d = df.copy()
    if emphasis is not None:
        d["__bold"] = pd.Series(emphasis, index=df.index).fillna(False).astype(bool)
    if sort:
        d = d.sort_values(list(sort), kind="stable")
    d = d.reset_index(drop=True)
    caption = None
    cols = dict(columns)
    if source and source in d.columns:
        values = d[source].dropna().astype(str).unique()
        if len(values) <= 1:
            cols.pop(source, None)
            caption = f"Source table: {values[0]}" if len(values) else None
        elif source not in cols:
            cols = {source: "Source table", **cols}
    if note:
        caption = f"{caption}. {note}" if caption else note
    fmts = dict(formats or {})
    shown = [c for c in cols if c in d.columns and not (c in drop_empty and d[c].isna().all())]
    out = pd.DataFrame(index=d.index)
    numeric: list[str] = []
    for c in shown:
        f = fmts.get(c)
        s = d[c]
        is_num = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if f is None:
            f = "num" if is_num else "text"
        fn = FORMATS[f] if isinstance(f, str) else f
        if f in ("gbp_k", "gbp_k_signed", "gbp", "pct", "pct_signed", "int", "num") or (is_num and not isinstance(f, str)):
            numeric.append(cols[c])

        def cell(v: Any, fn: Callable[[Any], str] = fn) -> str:
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
                return na
            if isinstance(v, bool):
                return "yes" if v else "no"
            return fn(v)

        out[cols[c]] = s.map(cell).astype(object)
    html = _html(out, numeric=numeric, caption=caption,
                 bold=d["__bold"] if "__bold" in d.columns else None,
                 rag=[cols[c] for c in rag if c in shown])
    return Presented(out, html, caption)


def _html(frame: pd.DataFrame, *, numeric: list[str], caption: str | None, bold: pd.Series | None,
          rag: list[str]) -> str:
    """Render a formatted frame as HTML: numbers right-aligned, headings wrapped, optional bold rows and RAG tints."""
    key = frame.to_csv(index=False) + (caption or "") + ",".join(rag) + (
        "" if bold is None else "".join("1" if b else "0" for b in bold))
    uid = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
    sty = frame.style
    sty.set_uuid(uid)
    sty.cell_ids = False
    sty = sty.hide(axis="index").format(escape="html")
    positions = {c: i for i, c in enumerate(frame.columns)}
    styles = [
        {"selector": "", "props": "border-collapse: collapse; font-size: 0.92em; margin-bottom: 1em;"},
        {"selector": "caption", "props": "caption-side: top; text-align: left; font-style: italic; "
                                         "padding-bottom: 0.3em; color: #444;"},
        {"selector": "th", "props": "text-align: left; vertical-align: bottom; padding: 3px 8px; "
                                    "border-bottom: 1px solid #999;"},
        {"selector": "td", "props": "text-align: left; vertical-align: top; padding: 2px 8px; "
                                    "border-bottom: 1px solid #e4e4e4;"},
    ]
    for c in frame.columns:
        longest = frame[c].astype(str).str.len().max() if len(frame) else 0
        if c not in numeric and longest > 40:
            styles.append({"selector": f"td.col{positions[c]}", "props": "min-width: 14em;"})
        elif c not in numeric and longest <= 12:  # years, codes, RAG: never broken at a hyphen
            styles.append({"selector": f"td.col{positions[c]}", "props": "white-space: nowrap;"})
    for c in numeric:
        j = positions[c]
        styles.append({"selector": f"td.col{j}", "props": "text-align: right; white-space: nowrap;"})
        styles.append({"selector": f"th.col{j}", "props": "text-align: right;"})
    sty = sty.set_table_styles(styles, overwrite=True)
    if caption:
        sty = sty.set_caption(caption)
    if bold is not None and bold.any():
        rows = list(frame.index[bold.to_numpy()])
        sty = sty.apply(lambda r: ["font-weight: bold;" if r.name in rows else "" for _ in r], axis=1)
    for c in rag:
        sty = sty.map(_rag_tint, subset=[c])
    return sty.to_html()
