"""What every loader does the same way: read a file whole, parse a block of published cells, point at the
first bad row, and check that a table was built from the registered copy of each file.

Used by the council reference tables (:mod:`helpers.data.councils`) and every national loader
(:mod:`helpers.data.national`).

* :func:`read_csv` -- :func:`helpers.data.io.read_csv_raw` after checking that the file does not end in the middle
  of a record (a truncated download or copy): one :class:`~helpers.core.errors.DataError` naming the last row and
  the column where the record stops.
* :func:`parse_block` -- :func:`helpers.data.io.parse_numbers` over a whole block of value columns at once (one
  vectorised pass instead of one call per column); an error still names the cell's row and column.
* :func:`long_rows` -- a block's values as long rows: per-row fields (council, row number) x per-column fields
  (service line, measure).
* :func:`raise_first` -- the "first offending row" error every loader raises.
* :func:`check_registered` -- the files a table was built from are the registered versions (sha256 of
  ``data/raw/sources.yml``). A truncated file that still parses (cut exactly at the end of a record) or a
  silently edited one fails here, so no table is built from it; a revised release needs its register entry
  updated (after its checks pass).
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.data import sources
from helpers.data.io import parse_numbers, read_csv_raw, require_file, sha256_file

#: How much of a file's end is read to find its last record (a record longer than this is not checked).
TAIL_BYTES = 1 << 16


def column_letter(col: int) -> str:
    """Spreadsheet column letter of a 0-based position (0 -> 'A', 27 -> 'AB')."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _fields(line: str) -> tuple[list[str], bool]:
    """The CSV fields of one line, and whether a quoted field is left open (the line was cut inside it)."""
    open_quote = line.count('"') % 2 == 1
    try:
        rec = next(csv.reader(_io.StringIO(line + ('"' if open_quote else ""))), [])
    except csv.Error:
        rec = []
    return rec, open_quote


def check_not_truncated(path: str | Path, *, header_row: int | None = 0, encoding: str = "utf-8-sig",
                        hint: str = "fetch it again (`asc data fetch`)") -> None:
    """Raise :class:`DataError` if a CSV file ends in the middle of a record.

    A file that ends with a line break is complete as far as its text can tell (a cut at a record boundary is
    caught by the loaders' completeness checks and by :func:`check_registered`). A file that does not, whose
    last line has fewer fields than its header row, or leaves a quoted field open, was cut short.

    Parameters
    ----------
    path
        The CSV file.
    header_row
        0-based line of the header whose fields name the columns; ``None`` when the file has no single header
        line (columns are then named by spreadsheet letter and the widest of the last lines is the reference).
    hint
        How to fix it, for the message.

    Raises
    ------
    DataError
        Naming the file, the row of the cut record (1-based, as a spreadsheet shows it) and the column where
        it stops.
    """
    path = require_file(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return
    try:
        text = tail.decode(encoding)
    except UnicodeDecodeError:
        text = tail.decode("cp1252", errors="replace")
    lines = text.splitlines()
    last, open_quote = _fields(lines[-1])
    if header_row is not None:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            head = next(csv.reader(line for i, line in enumerate(fh) if i == header_row), [])
        names = [h.strip() or column_letter(j) for j, h in enumerate(head)]
    else:
        width = max((len(_fields(ln)[0]) for ln in lines[1:-1]), default=0)
        names = [column_letter(j) for j in range(width)]
    if not open_quote and len(last) >= len(names):
        return
    with open(path, "rb") as fh:
        row = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")) + 1
    at = max(len(last) - 1, 0)
    column = names[at] if at < len(names) else column_letter(at)
    what = "inside a quoted field" if open_quote else f"after {len(last)} of {len(names)} fields"
    raise DataError(f"the file ends in the middle of a record ({what}): truncated? {hint}", file=path, row=row,
                    column=column, value=lines[-1][-40:])


def read_csv(path: str | Path, *, header_row: int | None = 0, **kwargs: object) -> pd.DataFrame:
    """:func:`helpers.data.io.read_csv_raw` (every cell text) after :func:`check_not_truncated`."""
    check_not_truncated(path, header_row=header_row)
    return read_csv_raw(path, **kwargs)


def raise_first(
    mask: pd.Series | np.ndarray,
    message: str,
    *,
    file: str | Path,
    rows: Sequence[int] | pd.Series | np.ndarray | None,
    column: str | None,
    values: pd.Series | Sequence[object] | None = None,
    sheet: str | None = None,
) -> None:
    """Raise one :class:`DataError` for the first ``True`` of ``mask`` (if any), naming its row and column.

    Parameters
    ----------
    mask
        Which records are bad (positional).
    message
        What is wrong.
    rows
        Spreadsheet row of each record (same length as ``mask``).
    values
        The offending values (same length), shown in the message.
    """
    bad = np.asarray(mask, dtype=bool)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    row = None if rows is None else int(np.asarray(rows)[i])
    value = None if values is None else (values.iloc[i] if isinstance(values, pd.Series) else values[i])
    raise DataError(message, file=file, row=row, column=column, value=value, sheet=sheet)


def parse_block(
    block: pd.DataFrame,
    *,
    file: str | Path,
    rows: Sequence[int] | np.ndarray,
    columns: Sequence[str],
    extra_markers: dict[str, str] | None = None,
    sheet: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Parse a block of published cells (rows x value columns) with :func:`helpers.data.io.parse_numbers`.

    Parameters
    ----------
    block
        The cells, one column per published value column.
    rows
        Spreadsheet row of each line of the block.
    columns
        The published name of each column, for the error message.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Values (float, ``NaN`` where not reported) and statuses, both shaped like ``block``.

    Raises
    ------
    DataError
        The first cell (column by column) that is neither a number nor a known marker, naming its row and
        column.
    """
    n, m = block.shape
    flat = pd.Series(block.to_numpy(dtype=object).ravel(order="F"))
    try:
        values, status = parse_numbers(flat, file=file, column="", rows=np.arange(n * m),
                                       extra_markers=extra_markers, sheet=sheet)
    except DataError as exc:
        pos = int(exc.row)
        raise DataError(exc.message, file=file, row=int(np.asarray(rows)[pos % n]), column=str(columns[pos // n]),
                        value=exc.value, sheet=sheet) from None
    return (values.to_numpy(dtype=float).reshape((n, m), order="F"),
            status.to_numpy(dtype=object).reshape((n, m), order="F"))


def long_rows(per_row: pd.DataFrame, per_column: pd.DataFrame, values: np.ndarray, status: np.ndarray,
              *, value: str = "value", status_col: str = "value_status") -> pd.DataFrame:
    """A parsed block as long rows, column after column: ``per_row`` fields x ``per_column`` fields.

    Parameters
    ----------
    per_row
        One row per line of the block (e.g. ``gss_code``, ``_row``).
    per_column
        One row per column of the block (e.g. ``service_line``, ``measure``).
    values, status
        From :func:`parse_block` (``len(per_row)`` x ``len(per_column)``).
    """
    n, m = len(per_row), len(per_column)
    out = {c: np.tile(per_row[c].to_numpy(), m) for c in per_row.columns}
    out.update({c: np.repeat(per_column[c].to_numpy(), n) for c in per_column.columns})
    out[value] = values.ravel(order="F")
    out[status_col] = status.ravel(order="F").astype(str)
    return pd.DataFrame(out)


@lru_cache(maxsize=128)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    return sha256_file(path)


def registered_paths(source_ids: Iterable[str]) -> list[Path]:
    """The expected paths of registered files (for a table's ``inputs``), present or not."""
    return [sources.get(sid).path for sid in source_ids]


def check_registered(source_ids: Iterable[str]) -> None:
    """Raise :class:`DataError` if a file a table was built from is not the registered version.

    Called at the end of each national table's build, after the content checks (which name row and column):
    the sha256 of each file read (:func:`helpers.data.sources.path`) must equal the register's. A file cut at a
    record boundary or edited passes every content check that it can pass; this one it cannot.

    Raises
    ------
    DataError
        Naming the file, its size and the registered size.
    """
    for sid in source_ids:
        src = sources.get(sid)
        path = sources.path(sid)
        st = path.stat()
        if _sha256(str(path), st.st_mtime_ns, st.st_size) != src.sha256:
            size = f"{st.st_size:,} bytes" + (f", registered {src.bytes:,}" if src.bytes else "")
            raise DataError(
                f"not the registered version of {sid} (sha256 differs; {size}): a truncated or edited copy? "
                "Fetch it again (`asc data fetch`); for a revised release, check it and update its sha256 and "
                "bytes in data/raw/sources.yml",
                file=path,
            )
