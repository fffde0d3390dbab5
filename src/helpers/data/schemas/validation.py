"""Validating a table against its schema, with errors that name the raw input's file, row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from helpers.core.errors import DataError


def validate(
    df: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    file: str | Path | None = None,
    row_col: str = "_row",
    file_col: str = "_file",
) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; on failure raise :class:`DataError` naming file, row and column.

    Loaders keep the spreadsheet row of every record in ``_row`` (and, when a table is built from
    several files, the file in ``_file``) until validation, so that the error points at the raw input.
    Those helper columns are dropped from the returned frame.

    Parameters
    ----------
    df
        The table to check.
    schema
        Its pandera schema (``strict`` schemas reject unknown columns).
    file
        The input file, when the whole table comes from one.

    Returns
    -------
    pandas.DataFrame
        The validated table (coerced dtypes), without ``_row`` / ``_file``.
    """
    helper_cols = [c for c in (row_col, file_col) if c in df.columns]
    body = df.drop(columns=helper_cols)
    try:
        out = schema.validate(body, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases
        if fc is None or len(fc) == 0:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "schema check failed"
            raise DataError(f"table {schema.name!r}: {first_line}", file=file) from None
        first = fc.iloc[0]
        column = first.get("column")
        index = first.get("index")
        check = first.get("check")
        value = first.get("failure_case")
        row = None
        where_file = file
        if index is not None and not pd.isna(index) and index in df.index:
            if row_col in df.columns:
                row = int(df.loc[index, row_col]) if not isinstance(df.loc[index, row_col], pd.Series) else None
            if file_col in df.columns:
                where_file = df.loc[index, file_col]
        n = len(fc)
        more = f" ({n} failures in all; first shown)" if n > 1 else ""
        raise DataError(
            f"fails check {check!r} of table {schema.name!r}{more}",
            file=where_file, row=row, column=None if pd.isna(column) else str(column),
            value=None if pd.isna(value) else value,
        ) from None
    except SchemaError as exc:  # pragma: no cover - non-lazy path
        raise DataError(str(exc).splitlines()[0], file=file) from None
    return out


def unique_key(df: pd.DataFrame, key: list[str], *, table: str, file: str | Path | None = None,
               row_col: str = "_row", file_col: str = "_file") -> None:
    """Raise :class:`DataError` naming the first duplicated key (e.g. a council-year twice)."""
    dup = df.duplicated(subset=key, keep="first")
    if dup.any():
        i = df.index[dup.to_numpy().nonzero()[0][0]]
        row = int(df.loc[i, row_col]) if row_col in df.columns else None
        where = df.loc[i, file_col] if file_col in df.columns else file
        vals = {k: df.loc[i, k] for k in key}
        raise DataError(f"duplicate {table} key {vals}", file=where, row=row, column=key[0])

