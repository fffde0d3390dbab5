"""The workbook template: a council folder's CSV files written as one Excel workbook with a sheet per kind."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from helpers.core.errors import MissingDataError
from helpers.core.paths import relative
from helpers.data.council_reports.kinds import numeric_columns
from helpers.data.council_reports.reader import data_files
from helpers.data.io import atomic_write_bytes, read_csv_raw


def write_workbook(folder: str | Path, path: str | Path) -> Path:
    """Write a council folder's CSV files as one Excel workbook with a sheet per kind (a fill-in template).

    The cells are copied as text from the CSV files (numbers as numbers), so reading the workbook back with
    :func:`load_council_folder` gives the same tables.
    """
    folder, path = Path(folder), Path(path)
    files = [p for p in data_files(folder) if p.suffix.lower() == ".csv"]
    if not files:
        raise MissingDataError(f"no council CSV files in {relative(folder)}")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for p in files:
            raw = read_csv_raw(p)
            numeric = set(numeric_columns(p.stem)) | {"row_order"}
            for c in raw.columns:
                if c in numeric:
                    raw[c] = raw[c].map(lambda v: float(v) if isinstance(v, str) and _is_number(v) else v)
            raw.to_excel(xw, sheet_name=p.stem, index=False)
    atomic_write_bytes(path, buf.getvalue())
    return path


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
