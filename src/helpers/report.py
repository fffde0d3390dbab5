"""Presentation helpers for the rendered reports: tables and plain-English messages a reader can follow.

Notebooks show DataFrames through :func:`table` so that an empty result says *why* it is empty instead of
printing an empty frame, and messages through :func:`say` so that they render as text (not code output)
in the HTML a councillor reads.
"""

from __future__ import annotations

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
