"""What a reader sees, in one place: prose, tables, summary boxes, banners, and the report's status.

Every string from data or parameters reaches the page through one escaping function of
:mod:`helpers.core.text` (Markdown: :func:`~helpers.core.text.md`; HTML: :func:`~helpers.core.text.escape_html`);
the project's own template text may use Markdown.

* :func:`say` -- prose: a Markdown template, its ``{fields}`` filled with escaped values.
* :func:`note` -- prose that the run's index shows too (a report with little to show).
* :func:`set_status` -- the report's status for the index and manifest (``no data``, ``stale data``).
* :func:`summary_box`, :func:`banner` -- the answer-first box and a warning banner, as escaped HTML (the box's
  title, naming council and period, is also the report's title for the runner: its heading, page and index).
* :class:`Parts` -- several outputs returned from one call (a notebook cell shows each in turn).
* :func:`table`, :func:`records`, :func:`present` -- tables; :func:`present` formats a table for a reader
  (human headings with units, thousands separators, missing values as a dash, every row shown, the printed
  source table named once).
* :func:`export_table` -- a table next to the report as CSV and Excel (:func:`record_output_file` tells the
  runner, whose index links it).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from helpers.core import text
from helpers.core.paths import OUTPUTS
from helpers.data.io import atomic_write_bytes, atomic_write_text

#: Report statuses a report can set for the run index, most serious last (the runner adds ``ok``/``failed``).
STATUSES = ("no data", "stale data")


def _filled(template: str, values: Mapping[str, object]) -> str:
    return text.md(template, **values) if values else template


def say(template: str, /, **values: object) -> Markdown:
    """Prose for the report: ``template`` is Markdown (the project's own words), ``values`` are escaped.

    Examples
    --------
    ``say("**{name}** has no figures for {year}.", name=council_name, year=year)``
    """
    return Markdown(_filled(template, values))


def _output_file(suffix: str) -> Path | None:
    prefix = os.environ.get("ASC_OUTPUT_PREFIX")
    return Path(f"{prefix}{suffix}") if prefix else None


def _plain(template: str, values: Mapping[str, object]) -> str:
    """The words of a template with its values, without Markdown emphasis (for the run index)."""
    words = template.format(**{k: str(v) for k, v in values.items()}) if values else template
    return " ".join(words.replace("**", "").split())


def note(template: str, /, **values: object) -> Markdown:
    """Say something in the report that the run's index page should show too.

    For a report that ran but has little or nothing to show (no figures for that year, a comparator group too
    small): the message appears in the report as prose and, under the runner, in the ``Notes`` column of
    ``index.html`` and in ``manifest.json``, so that a batch of 150 reports does not hide it. ``values`` are
    escaped in the report; the index escapes the whole line for HTML.
    """
    f = _output_file(".notes")
    if f is not None:
        with open(f, "a", encoding="utf-8") as fh:
            fh.write(_plain(template, values) + "\n")
    return Markdown(_filled(template, values))


def set_status(status: str, reason: str) -> None:
    """Record the report's status for the run index and manifest: ``"no data"`` or ``"stale data"``.

    A report with nothing to show for its parameters is ``no data`` (not ``ok``); a report that read a table
    whose latest build failed is ``stale data``. Interactively (no runner) this does nothing but check.
    """
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {STATUSES}")
    f = _output_file(".status")
    if f is not None:
        with open(f, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"status": status, "reason": " ".join(str(reason).split())}) + "\n")


class Parts:
    """Several outputs from one call, shown one after another (each keeps its own rich display).

    Report modules return a ``Parts`` where a section is more than one table or paragraph, so that a notebook
    cell stays one call. ``None`` items are skipped.
    """

    def __init__(self, *items: Any) -> None:
        self.items = [i for i in items if i is not None]

    def _ipython_display_(self) -> None:
        for item in self.items:
            display(item)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return "\n\n".join(repr(i) for i in self.items)


#: Styles of the summary box and banners (inline, so that a saved HTML page needs no stylesheet).
_BOX_STYLE = ("border: 2px solid #0072B2; border-radius: 4px; padding: 0.6em 1em; margin: 0.5em 0 1em 0; "
              "background: #F2F8FC; color: #1a1a1a;")
_BANNER_STYLES = {
    "stale data": "border-left: 6px solid #D55E00; background: #FDEEE6; padding: 0.5em 1em; color: #1a1a1a;",
    "no data": "border-left: 6px solid #666666; background: #F2F2F2; padding: 0.5em 1em; color: #1a1a1a;",
    "warning": "border-left: 6px solid #E69F00; background: #FDF5E6; padding: 0.5em 1em; color: #1a1a1a;",
}


def summary_box(title: str, lines: Sequence[str], *, heading: str = "In brief") -> HTML:
    """The answer-first box at the top of a report: a title and three to five plain lines (all escaped).

    Parameters
    ----------
    title
        E.g. ``"Stockport - forecast variance, quarter 3 2017-18"``.
    lines
        Plain sentences (no markup): the position, what is Red, the main drivers with the report's reasons.

    Under the runner the first box's title is also the report's title (``<prefix>.title``): its heading, the
    page's ``<title>``, the index and the PDF's running footer name the council and period as the box does.
    """
    f = _output_file(".title")
    if f is not None and not f.exists():
        atomic_write_text(f, " ".join(str(title).split()) + "\n")
    items = "".join(f"<li>{text.escape_html(x)}</li>" for x in lines if x)
    return HTML(f'<div class="asc-summary" role="note" aria-label="{text.escape_html(heading)}" '
                f'style="{_BOX_STYLE}"><p style="margin: 0 0 0.3em 0;"><strong>{text.escape_html(title)}</strong>'
                f'</p><ul style="margin: 0.2em 0 0.2em 1.2em; padding: 0;">{items}</ul></div>')


def banner(kind: str, message: str) -> HTML:
    """A warning banner (escaped): ``kind`` is ``"stale data"``, ``"no data"`` or ``"warning"``.

    ``stale data`` and ``no data`` also set the report's status (:func:`set_status`).
    """
    html = banner_html(kind, message)
    if kind in STATUSES:
        set_status(kind, message)
    return HTML(html)


def banner_html(kind: str, message: str) -> str:
    """The HTML of a :func:`banner` (escaped), without setting the report's status (for the runner's pages)."""
    if kind not in _BANNER_STYLES:
        raise ValueError(f"banner kind {kind!r} is not one of {sorted(_BANNER_STYLES)}")
    label = {"stale data": "Stale data", "no data": "No data", "warning": "Note"}[kind]
    return (f'<div class="asc-banner asc-{kind.replace(" ", "-")}" role="alert" style="{_BANNER_STYLES[kind]}">'
            f"<strong>{label}:</strong> {text.escape_html(message)}</div>")


#: The glossary as a two-column grid: JupyterLab's output stylesheet floats ``dt`` (20%) and ``dd`` (80%), so a
#: term that wraps to two lines beside a one-line meaning pushed the next term into the meaning column.
_GLOSSARY_STYLES = {
    "dl": "display: grid; grid-template-columns: minmax(9em, 22%) 1fr; gap: 0.25em 1em; width: 100%",
    "dt": "float: none; width: auto; margin: 0",
    "dd": "float: none; width: auto; margin: 0",
}


def glossary(terms: Mapping[str, str]) -> HTML:
    """A short glossary of the terms a report uses (term -> plain meaning), escaped, sorted by term, as a grid of
    two columns (a term and its meaning always on one row)."""
    st = _GLOSSARY_STYLES
    rows = "".join(f'<dt style="{st["dt"]}"><strong>{text.escape_html(k)}</strong></dt>'
                   f'<dd style="{st["dd"]}">{text.escape_html(v)}</dd>'
                   for k, v in sorted(terms.items(), key=lambda kv: kv[0].lower()))
    return HTML(f'<dl class="asc-glossary" style="{st["dl"]}">{rows}</dl>')


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


def record_output_file(path: str | Path) -> None:
    """Tell the runner that this report wrote a data file (CSV, workbook) beside it, for the run's index.

    Under the runner each name is appended to ``<output prefix>.exports`` (one per line); the index links every
    report's data files. Interactively this does nothing.
    """
    f = _output_file(".exports")
    if f is not None:
        with open(f, "a", encoding="utf-8") as fh:
            fh.write(Path(path).name + "\n")


def output_prefix() -> Path:
    """Where this report's extra files go.

    Under the runner: ``outputs/<run>/<notebook>`` (or ``outputs/<run>/<notebook>/<council>`` in a batch), from
    the ``ASC_OUTPUT_PREFIX`` the runner sets. Interactively: ``outputs/interactive/<name>``.
    """
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
    csv_name = export_csv(df, name)
    prefix = output_prefix()
    xlsx_path = prefix.with_name(f"{prefix.name}_{name}.xlsx")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as xl:
        df.to_excel(xl, sheet_name=name[:31], index=False)
    atomic_write_bytes(xlsx_path, buf.getvalue())
    record_output_file(xlsx_path)
    return [csv_name, xlsx_path.name]


def export_csv(df: pd.DataFrame, name: str) -> str:
    """Write ``df`` next to the report as ``<report>_<name>.csv`` (text that looks like a formula kept as text,
    atomically), list it for the run index and return the file name."""
    prefix = output_prefix()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    path = prefix.with_name(f"{prefix.name}_{name}.csv")
    safe = df.copy()
    for c in safe.columns:
        if safe[c].dtype == object:
            safe[c] = safe[c].map(text.csv_text)
    atomic_write_text(path, safe.to_csv(index=False))
    record_output_file(path)
    return path.name


# ------------------------------------------------------------------------------------------------
# reader-facing tables
# ------------------------------------------------------------------------------------------------

#: Display formats (see :data:`helpers.core.text.FORMATS`).
FORMATS = text.FORMATS
NA_TEXT = text.NA_TEXT
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
    sty = sty.hide(axis="index").format(escape="html").format_index(escape="html", axis=1)
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
        sty = sty.set_caption(text.escape_html(caption))
    if bold is not None and bold.any():
        rows = list(frame.index[bold.to_numpy()])
        sty = sty.apply(lambda r: ["font-weight: bold;" if r.name in rows else "" for _ in r], axis=1)
    for c in rag:
        sty = sty.map(_rag_tint, subset=[c])
    return sty.to_html()
