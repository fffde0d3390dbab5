"""Presentation helpers for the rendered reports: tables and plain-English messages a reader can follow.

Notebooks show DataFrames through :func:`table` so that an empty result says *why* it is empty instead of
printing an empty frame, and messages through :func:`say` so that they render as text (not code output)
in the HTML a councillor reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown


def say(text: str) -> Markdown:
    """Return ``text`` as Markdown, for a message that should read as prose in the report."""
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
    """Like :func:`table`, for a list of dicts (e.g. :func:`helpers.councils.series_breaks`)."""
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
    from helpers.paths import OUTPUTS

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
    from helpers.io import atomic_write_bytes, atomic_write_text

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
