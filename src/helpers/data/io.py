"""Reading and writing files: spreadsheets, numbers with suppression markers, atomic writes, hashes.

Conventions
-----------
* A published value that is suppressed or not available stays missing (``NaN``), never 0, and its
  reason is kept in a status column (see :data:`MARKER_STATUS`).
* Every processed file is written atomically: to a temporary file in the same folder, then renamed,
  so a failed build never leaves a partial table behind.
* Row numbers in messages are as a spreadsheet shows them (1-based, header row included).
"""

from __future__ import annotations

import hashlib
import io as _io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from helpers.core.errors import DataError, MissingDataError
from helpers.core.paths import relative

#: Value statuses used in every processed table's ``*_status`` columns.
STATUSES = ("reported", "suppressed", "not_available", "not_applicable", "missing")

#: Published markers and what they mean. Matching ignores case and surrounding spaces.
#: ``c``/``[c]``: confidential (small numbers); ``*``: suppressed (NHS Digital's small-number mark);
#: ``x``/``[x]``/``:``/``..``: not available; ``z``/``[z]``: not applicable; blank: missing.
MARKER_STATUS: dict[str, str] = {
    "c": "suppressed",
    "[c]": "suppressed",
    "*": "suppressed",
    "x": "not_available",
    "[x]": "not_available",
    ":": "not_available",
    "..": "not_available",
    "z": "not_applicable",
    "[z]": "not_applicable",
    "": "missing",
    "nan": "missing",
}


def parse_numbers(
    values: pd.Series,
    *,
    file: str | Path,
    column: str,
    rows: Iterable[int] | pd.Series | None = None,
    extra_markers: dict[str, str] | None = None,
    thousands: bool = True,
    sheet: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Parse published numbers, keeping suppression markers as missing with a reason.

    Parameters
    ----------
    values
        Raw cells (strings or numbers).
    file, column, sheet
        Where the values came from, for the error message.
    rows
        The spreadsheet row number of each value (same length as ``values``); defaults to
        ``index + 2`` (one header row).
    extra_markers
        More markers for this file, e.g. ``{"-": "not_applicable"}``, lower-case keys.
    thousands
        Accept thousands separators in their places (``"1,234"``, not ``"1,23"``) and surrounding spaces.

    Returns
    -------
    (pandas.Series, pandas.Series)
        Float values (``NaN`` where not reported) and a status per value (one of :data:`STATUSES`).

    Raises
    ------
    DataError
        On the first cell that is neither a number nor a known marker, naming file, row and column.
    """
    markers = dict(MARKER_STATUS)
    if extra_markers:
        markers.update({k.strip().lower(): v for k, v in extra_markers.items()})
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        nums = values.astype(float)
        status = pd.Series(np.where(nums.isna(), "missing", "reported"), index=values.index)
        return nums, status
    # Fast path: cells that are already numbers (spreadsheet readers give floats in object columns) or plain
    # numeric text. Only the rest go through the text rules below.
    nums = pd.to_numeric(values, errors="coerce").astype(float)
    status = pd.Series("reported", index=values.index, dtype=object)
    rest = nums.isna().to_numpy()
    if extra_markers:
        rest |= values.astype("string").str.strip().str.lower().isin(list(extra_markers)).fillna(False).to_numpy()
    if rest.any():
        sub = values[rest]
        text = sub.astype("string").str.strip()
        key = text.str.lower().fillna("")
        sub_status = key.map(markers)
        cleaned = text.where(sub_status.isna())
        if thousands:  # "1,234" / "-12,345.6" only: a comma elsewhere ("7,6") is not a number, not 76
            grouped = cleaned.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?").fillna(False).astype(bool)
            cleaned = cleaned.where(~grouped, cleaned.str.replace(",", "", regex=False))
        sub_nums = pd.to_numeric(cleaned, errors="coerce")
        bad = sub_status.isna() & sub_nums.isna()
        if bad.any():
            pos_in_sub = int(np.flatnonzero(bad.to_numpy())[0])
            pos = int(np.flatnonzero(rest)[pos_in_sub])
            if rows is None:
                idx = values.index[pos]
                row = int(idx) + 2 if isinstance(idx, (int, np.integer)) else None
            else:
                row = int(list(rows)[pos])
            raise DataError(
                "not a number or a known suppression marker", file=file, row=row, column=column,
                value=str(values.iloc[pos]), sheet=sheet,
            )
        nums[rest] = sub_nums.astype(float).to_numpy()
        status[rest] = sub_status.fillna("reported").astype(str).to_numpy()
    return nums, status.astype(str)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Return the hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


#: Suffix of the temporary files of :func:`atomic_write_bytes` / :func:`atomic_write_parquet` (``.<name>.*.tmp``).
TMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def normal_permissions(path: str | Path) -> None:
    """Give a file written through :func:`tempfile.mkstemp` (mode 0600) the permissions of any new file:
    ``0666`` less the process umask (``0644`` with the usual umask 022)."""
    os.chmod(path, 0o666 & ~_umask())


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename).

    The file gets normal permissions (:func:`normal_permissions`), not the 0600 of a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        normal_permissions(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_parquet(df: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame as Parquet atomically (no index, deterministic row order kept)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        normal_permissions(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def require_file(path: str | Path, what: str = "input file") -> Path:
    """Return ``path`` if it exists, else raise :class:`MissingDataError` with how to fix it."""
    path = Path(path)
    if not path.is_file():
        raise MissingDataError(
            f"{what} {relative(path)} is missing: set ASC_NATIONAL_DIR to the folder of national files "
            "or run `asc data fetch` (see README)"
        )
    return path


def read_sheet(
    path: str | Path,
    sheet: str | int = 0,
    *,
    header: int | None = None,
    dtype: object = object,
    **kwargs: object,
) -> pd.DataFrame:
    """Read one sheet of a spreadsheet (.xlsx, .xls, .ods) with the fast ``calamine`` engine.

    Parameters
    ----------
    path
        The file.
    sheet
        Sheet name or 0-based position.
    header
        Header row (0-based) or ``None`` to read raw cells (the default: loaders find their own header).
    dtype
        Passed to pandas; ``object`` keeps cells as published.

    Raises
    ------
    MissingDataError
        The file is not there.
    DataError
        The file cannot be read as a spreadsheet, or the sheet is not in it.
    """
    path = require_file(path)
    try:
        return pd.read_excel(path, sheet_name=sheet, header=header, dtype=dtype, engine="calamine", **kwargs)
    except (ValueError, KeyError) as exc:
        if "not found" in str(exc).lower() or isinstance(exc, KeyError):
            try:
                names = sheet_names(path)
            except Exception:  # noqa: BLE001
                names = []
            raise DataError(f"no sheet {sheet!r}; sheets are {names}", file=path) from exc
        raise DataError(f"cannot read as a spreadsheet: {exc}", file=path) from exc
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise DataError(f"cannot read as a spreadsheet ({type(exc).__name__}: {exc})", file=path) from exc


def sheet_names(path: str | Path) -> list[str]:
    """Return the sheet names of a spreadsheet."""
    path = require_file(path)
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # calamine raises its own error types (e.g. ZipError) for corrupt or cut files
        raise DataError(f"cannot read as a spreadsheet ({type(exc).__name__}: {exc})", file=path) from exc


#: First bytes of spreadsheet workbooks: a zip archive (.xlsx, .ods) and an OLE2 compound file (.xls).
WORKBOOK_SIGNATURES: dict[bytes, str] = {b"PK\x03\x04": "an .xlsx/.ods workbook (a zip archive)",
                                         b"\xd0\xcf\x11\xe0": "an .xls workbook"}
#: The longest piece of a parser's message (or of a value) repeated in an error: a binary file's "line" can be
#: kilobytes long.
MESSAGE_CHARS = 160


def short(text: object, limit: int = MESSAGE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters (with an ellipsis) for an error message."""
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[: limit - 3] + "..."


def decode_text(path: str | Path, data: bytes | None = None, encoding: str | None = None) -> str:
    """The text of a file: UTF-8 (a BOM dropped), else Windows-1252 (older official CSVs), else one error.

    Parameters
    ----------
    path
        The file (read when ``data`` is ``None``).
    encoding
        Decode with this encoding only.

    Raises
    ------
    DataError
        The file is a spreadsheet workbook under a text name, or a byte decodes in neither encoding: the
        error names the byte, its offset and its line.
    """
    raw = Path(path).read_bytes() if data is None else data
    for sig, what in WORKBOOK_SIGNATURES.items():
        if raw.startswith(sig):
            raise DataError(f"not a text file: it is {what} saved under a {Path(path).suffix or 'text'} name; "
                            "save the sheet as CSV, or give the workbook its own extension", file=Path(path))
    tried = [encoding] if encoding else ["utf-8-sig", "cp1252"]
    first: UnicodeDecodeError | None = None
    for enc in tried:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError as exc:
            first = first or exc
    assert first is not None
    at = first.start
    line = raw.count(b"\n", 0, at) + 1
    names = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}
    said = " or ".join(names.get(t, t) for t in tried)
    raise DataError(f"byte 0x{raw[at]:02x} at offset {at:,} (line {line}) is not {said} text: "
                    "a damaged or mis-saved file? Save it as UTF-8 CSV", file=Path(path), row=line)


def read_csv_raw(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """Read a CSV with every cell as text (``dtype=str``, blanks kept as ``NaN``), BOM stripped.

    The text is decoded by :func:`decode_text` (UTF-8, else Windows-1252).

    Raises
    ------
    MissingDataError, DataError
        Missing file; a workbook under a .csv name, a byte that decodes in neither encoding (offset and line),
        an unreadable or empty file.
    """
    path = require_file(path)
    encoding = kwargs.pop("encoding", None)
    text = decode_text(path, encoding=str(encoding) if encoding else None)
    opts: dict[str, object] = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    opts.update(kwargs)
    try:
        return pd.read_csv(_io.StringIO(text), **opts)
    except pd.errors.EmptyDataError as exc:
        raise DataError("the file is empty", file=path) from exc
    except pd.errors.ParserError as exc:
        raise DataError(f"cannot parse as CSV: {short(exc)}", file=path) from exc


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, file: str | Path, header_row: int = 1) -> None:
    """Raise :class:`DataError` naming the first expected column that the file lacks."""
    have = [str(c) for c in df.columns]
    for col in columns:
        if col not in have:
            found = short([short(h, 40) for h in have[:12]]) + ("..." if len(have) > 12 else "")
            raise DataError(
                f"expected column {col!r} is missing (columns found: {found})",
                file=file, row=header_row, column=col,
            )
