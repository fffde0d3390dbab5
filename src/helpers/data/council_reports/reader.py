"""Reading council report files: finding the council folders, and reading and validating one file or sheet.

Every file is checked: required columns, numbers, period codes, financial years, ISO dates, GSS codes known to
:mod:`helpers.data.councils`, row types, and that every ``parent_line`` names a subtotal or total row of the
same table (:func:`resolve_parents`). Bad input raises one :class:`~helpers.core.errors.DataError` naming file,
row and column. Whole folders are loaded by :mod:`helpers.data.council_reports.load`.
"""

from __future__ import annotations

import difflib
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, MissingDataError, ParameterError
from helpers.core.paths import COUNCIL_DATA, relative
from helpers.data import councils, schemas
from helpers.data.council_reports.cells import inspect as inspect_cells
from helpers.data.council_reports.kinds import (
    EXTRA_MARKERS,
    IGNORED_SHEETS,
    KIND_NAME,
    KINDS,
    NUMBER_SUFFIX,
    OPTIONAL_COMMON,
    TEMPLATE_COMMON,
    TEMPLATE_TAIL,
    check_kind_name,
    kind_spec,
    numeric_columns,
    table_keys,
    template_columns,
)
from helpers.data.io import parse_numbers, read_csv_raw, read_sheet, require_columns, sheet_names

#: A negative number printed in brackets: ``(407)``.
_NEG_RE = r"^\(\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*\)$"

#: Workbooks the reader takes (a sheet per kind): Excel and OpenDocument (LibreOffice, Google Sheets' .ods).
WORKBOOKS: tuple[str, ...] = (".xlsx", ".ods")

#: Spreadsheet and table formats it does not take: refused naming the file, never skipped.
OTHER_FORMATS: tuple[str, ...] = (".xls", ".xlsm", ".xlsb", ".numbers", ".tsv", ".fods", ".json",
                                  ".parquet")


# ------------------------------------------------------------------------------------------------
# finding files
# ------------------------------------------------------------------------------------------------


def data_files(folder: Path) -> list[Path]:
    """The data files (``.csv``, ``.xlsx``, ``.ods``) of one folder, sorted; hidden and lock files left out.

    Raises
    ------
    DataError
        A spreadsheet or table in another format (``.xls``, ``.xlsm``, ``.numbers``, ...): it would otherwise be
        skipped and the council shown as having no figures.
    """
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$", ".~lock")))
    for p in files:
        if p.suffix.lower() in OTHER_FORMATS:
            raise DataError(f"the council loader does not read {p.suffix} files: save it as an Excel workbook "
                            "(.xlsx) or an OpenDocument spreadsheet (.ods) with a sheet per kind, or as one .csv "
                            "per kind (docs/council_data.md)", file=p)
    return [p for p in files if p.suffix.lower() in (".csv", *WORKBOOKS)]


def data_sheets(path: Path) -> list[str]:
    """The data sheets of a council workbook (``README``, ``notes`` and ``_...`` sheets left out)."""
    return [s for s in sheet_names(path) if not IGNORED_SHEETS.match(s.strip())]


def check_names(folder: Path) -> None:
    """Raise :class:`DataError` when a data file or workbook sheet of a council folder is not named after a
    kind (:func:`~helpers.data.council_reports.kinds.check_kind_name`): never skip a misnamed table."""
    for p in data_files(folder):
        if p.suffix.lower() == ".csv":
            check_kind_name(p.stem, file=p)
        else:
            for s in data_sheets(p):
                check_kind_name(s.strip(), file=p, sheet=s)


def council_folders(root: str | Path | None = None) -> list[Path]:
    """Return the council folders under ``root`` (default :data:`helpers.core.paths.COUNCIL_DATA`).

    A folder holding ``.csv`` / ``.xlsx`` files is itself a council folder; otherwise each sub-folder that
    holds such files is one (sorted by name). Sub-folders without data files (e.g. only a README) are skipped.
    Every data file and sheet must be named after a kind (:func:`check_names`).
    """
    root = Path(COUNCIL_DATA if root is None else root)
    if not root.is_dir():
        raise MissingDataError(f"council data folder {relative(root)} is missing")
    folders = [root] if data_files(root) else \
        [p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".") and data_files(p)]
    for f in folders:
        check_names(f)
    return folders


def council_files(root: str | Path | None = None, kind: str | None = None) -> list[Path]:
    """Return the input files (CSV files and workbooks) of every council folder, optionally of one kind.

    A workbook counts as an input of every kind (it may hold a sheet of each).
    """
    out: list[Path] = []
    for folder in council_folders(root):
        for p in data_files(folder):
            if p.suffix.lower() in WORKBOOKS or kind is None or p.stem == kind:
                out.append(p)
    return out


def councils_with_data(root: str | Path | None = None, kind: str | None = None) -> list[str]:
    """Return the GSS codes that have council report figures (optionally of one kind), sorted.

    Reads only the ``gss_code`` column of each file or sheet (fast; for listing the councils a batch run
    covers). Use :func:`load_council_folder` to validate.
    """
    codes: set[str] = set()
    for path in council_files(root, kind):
        if path.suffix.lower() == ".csv":
            parts = [read_csv_raw(path, usecols=lambda c: str(c).strip() == "gss_code")]
        else:
            parts = [read_sheet(path, s, header=0, dtype=object) for s in data_sheets(path)
                     if kind is None or s.strip() == kind]
        for df in parts:
            df.columns = [str(c).strip() for c in df.columns]
            if "gss_code" in df.columns:
                codes |= {str(v).strip() for v in df["gss_code"].dropna() if str(v).strip()}
    return sorted(c for c in codes if re.match(schemas.GSS_RE, c))


# ------------------------------------------------------------------------------------------------
# reading one file or sheet
# ------------------------------------------------------------------------------------------------


def _cell_text(v: object) -> object:
    """A spreadsheet cell as the text a CSV would hold (dates ISO, whole floats without ``.0``)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return np.nan
    if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        return ts.date().isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _clean_text(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip()
    t = t.where(t.notna() & (t != ""))
    return t.astype(object).where(t.notna(), None)


def _parse_number_column(s: pd.Series, *, file: str | Path, column: str, rows: pd.Series,
                         sheet: str | None) -> pd.Series:
    """Parse a number column: ``(407)`` -> -407, thousands separators allowed, markers -> NaN."""
    text = s.astype("string").str.strip()
    text = text.str.replace(_NEG_RE, r"-\1", regex=True)
    nums, _status = parse_numbers(text, file=file, column=column, rows=rows, extra_markers=EXTRA_MARKERS,
                                  sheet=sheet)
    inf = np.isinf(nums.to_numpy(dtype=float))
    if inf.any():  # "inf" / "-Infinity" parse as numbers: a division by zero typed out, never a figure
        i = int(np.flatnonzero(inf)[0])
        raise DataError("not a finite number (a division by zero?): leave the cell empty, or write n/a",
                        file=file, row=int(list(rows)[i]), column=column, value=str(s.iloc[i]), sheet=sheet)
    return nums


def _frame_from_raw(raw: pd.DataFrame, kind: str, *, file: Path, sheet: str | None = None) -> pd.DataFrame:
    """Validate one file's (or sheet's) raw text cells and return the processed-shape frame."""
    spec = kind_spec(kind)
    where: str | Path = file if sheet is None else f"{relative(file)} [sheet {sheet!r}]"
    src = relative(file) if sheet is None else f"{relative(file)}#{sheet}"
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    allowed = template_columns(kind)
    extras = [c for c in raw.columns if c not in allowed]
    for c in extras:
        close = difflib.get_close_matches(c, allowed, n=1, cutoff=0.85)
        if close or c in ("year", "source_file", "source_row") or c.startswith("_") or not KIND_NAME.match(c):
            hint = f": did you mean {close[0]!r}?" if close else (
                ": column names are lower case words joined by '_' (units in the name)")
            raise DataError(f"unknown column for a {kind} table{hint} (the template is in docs/council_data.md)",
                            file=where, row=1, column=c)
    if len(set(raw.columns)) != len(raw.columns):
        dup = [c for c in raw.columns if list(raw.columns).count(c) > 1][0]
        raise DataError("column appears twice", file=where, row=1, column=dup)
    required = [c for c in (*TEMPLATE_COMMON, *TEMPLATE_TAIL) if c not in OPTIONAL_COMMON] + list(spec.required)
    require_columns(raw, required, file=where)
    rows = pd.Series(np.arange(len(raw)) + 2, index=raw.index)
    # a fully blank line carries nothing: skip it (its row number is kept for the others)
    text = raw.astype(object).where(raw.notna(), "").astype(str)
    blank = (text.apply(lambda s: s.str.strip()) == "").all(axis=1) if len(raw) else pd.Series([], dtype=bool)
    raw, rows = raw[~blank], rows[~blank]
    if raw.empty:
        raise DataError("a header row but no data rows: add the table's rows, or remove the "
                        f"{'sheet' if sheet is not None else 'file'}", file=where, row=2)
    df = pd.DataFrame(index=raw.index)
    numeric = set(numeric_columns(kind))
    for c in template_columns(kind):
        s = raw[c] if c in raw.columns else pd.Series(np.nan, index=raw.index, dtype=object)
        name = "year" if c == "financial_year" else c
        if c in numeric:
            df[name] = _parse_number_column(s, file=file, column=c, rows=rows, sheet=sheet)
        else:
            df[name] = _clean_text(s)
    # row_order: a whole number
    ro = _parse_number_column(raw["row_order"], file=file, column="row_order", rows=rows, sheet=sheet)
    bad = ro.isna() | (ro != ro.round())
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise DataError("row_order must be a whole number (1, 2, ... in printed order)", file=where,
                        row=int(rows.iloc[i]), column="row_order", value=raw["row_order"].iloc[i])
    df["row_order"] = ro.astype("int64")
    # period_end: ISO date
    pe = df["period_end"]
    dates = pd.to_datetime(pe, format="%Y-%m-%d", errors="coerce")
    bad = pe.notna() & dates.isna()
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise DataError("period_end is not an ISO date YYYY-MM-DD", file=where, row=int(rows.iloc[i]),
                        column="period_end", value=pe.iloc[i])
    df["period_end"] = dates.astype("datetime64[ns]")
    df["source_file"] = src
    df["source_row"] = rows.astype("int64")
    for c in extras:  # a council's own columns: numbers if named so (or, in a kind outside the template,
        # if every cell is a number), else text
        text = _clean_text(raw[c])
        if NUMBER_SUFFIX.search(c):
            df[c] = _parse_number_column(raw[c], file=file, column=c, rows=rows, sheet=sheet)
        elif kind not in KINDS and text.notna().any() and _all_numbers(text):
            df[c] = _parse_number_column(raw[c], file=file, column=c, rows=rows, sheet=sheet)
        else:
            df[c] = text
    df["_row"] = rows.astype("int64")
    df["_file"] = str(where) if sheet is not None else relative(file)
    df = df.reset_index(drop=True)
    try:
        out = schemas.validate(df, schemas.council_schema(kind), file=where)
    except DataError as exc:
        if exc.column == "year":  # the template calls it financial_year
            raise DataError(exc.message, file=exc.file, row=exc.row, column="financial_year",
                            value=exc.value) from None
        raise
    _check_rows(out, kind)
    return out


def _all_numbers(text: pd.Series) -> bool:
    t = text.dropna().astype(str).str.replace(_NEG_RE, r"-\1", regex=True).str.replace(",", "", regex=False)
    return bool(pd.to_numeric(t, errors="coerce").notna().all())


def read_council_file(path: str | Path, kind: str | None = None, *, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate one council CSV file (or one sheet of a workbook).

    Parameters
    ----------
    path
        A CSV file named ``<kind>.csv``, or an ``.xlsx`` / ``.ods`` workbook (then give ``sheet``).
    kind
        The kind of table; defaults to the file stem (CSV) or the sheet name (workbook).
    sheet
        Sheet of a workbook.

    Returns
    -------
    pandas.DataFrame
        The validated rows in processed form (see :func:`template_columns` with ``processed=True``).

    Raises
    ------
    DataError
        Unknown kind, unknown or missing column, a bad value -- naming file, row and column.
    """
    path = Path(path)
    if path.suffix.lower() in WORKBOOKS:
        if sheet is None:
            raise ParameterError("read_council_file: give the sheet of a workbook (or use load_council_folder)")
        kind = check_kind_name(kind or sheet.strip(), file=path, sheet=sheet)
        raw = read_sheet(path, sheet, header=0, dtype=object)
        _read_cells(raw, path, sheet)
        raw = raw.map(_cell_text)
        return _frame_from_raw(raw, kind, file=path, sheet=sheet)
    kind = check_kind_name(kind or path.stem, file=path)
    check_utf8(path)
    raw = read_csv_raw(path, skip_blank_lines=False)
    return _frame_from_raw(raw, kind, file=path)


def _read_cells(raw: pd.DataFrame, path: Path, sheet: str) -> None:
    """Per cents as shown, ``#DIV/0!`` in a per-cent column as missing; refuse other error values and formulas
    with no saved value (:mod:`helpers.data.council_reports.cells`). ``raw`` is changed in place."""
    found = inspect_cells(path, sheet)
    where = f"{relative(path)} [sheet {sheet!r}]"
    inside = [(i, j) for (i, j) in found.percent if 0 <= i < len(raw) and 0 <= j < raw.shape[1]]
    for (i, j) in inside:  # a cell formatted 5.47% holds 0.0547: read it as per cents
        if isinstance(raw.iat[i, j], (int, float)) and not isinstance(raw.iat[i, j], bool):
            raw.iat[i, j] = round(float(raw.iat[i, j]) * 100.0, 10)
    for (i, j), code in sorted(found.errors.items()):
        if not (0 <= i < len(raw) and 0 <= j < raw.shape[1]):
            continue
        column = str(raw.columns[j]).strip()
        if code.strip().upper() == "#DIV/0!" and column.endswith("_pct"):
            raw.iat[i, j] = np.nan  # a per cent of a zero budget: none (the analysis says "zero budget: no %")
            continue
        raise DataError(f"the cell shows the error value {code}: its formula failed, so the figure is not known; "
                        "mend the formula or type the printed figure", file=where, row=i + 2, column=column)
    for (i, j), formula in sorted(found.unsaved.items()):
        if 0 <= i < len(raw) and 0 <= j < raw.shape[1]:
            raise DataError("a formula with no saved value (the workbook was written by a program and never "
                            "opened and saved in a spreadsheet): open and save it, or type the figure",
                            file=where, row=i + 2, column=str(raw.columns[j]).strip(), value=formula[:60])


def check_utf8(path: Path) -> None:
    """Raise :class:`DataError` naming the line and byte offset of the first byte that is not UTF-8.

    The template's CSV files are UTF-8 (a spreadsheet's "CSV UTF-8" format); a file saved in another encoding
    would otherwise be read with guessed characters.
    """
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(f"byte 0x{data[exc.start]:02x} at byte offset {exc.start} is not UTF-8: save the file as "
                        "'CSV UTF-8'", file=path, row=line) from None


# ------------------------------------------------------------------------------------------------
# row and table checks (after the schema)
# ------------------------------------------------------------------------------------------------


def _fail(df: pd.DataFrame, mask: pd.Series | np.ndarray, message: str, column: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        r = df.iloc[i]
        raise DataError(message, file=r["source_file"], row=int(r["source_row"]), column=column,
                        value=None if column not in df.columns or pd.isna(r[column]) else r[column])


def _fy_bounds(year: pd.Series) -> tuple[pd.Series, pd.Series]:
    first = pd.to_numeric(year.str[:4], errors="coerce")
    start = pd.to_datetime(first.astype("Int64").astype("string") + "-04-01", errors="coerce")
    end = pd.to_datetime((first + 1).astype("Int64").astype("string") + "-03-31", errors="coerce")
    return start, end


def _check_codes(df: pd.DataFrame) -> None:
    for code in sorted(df["gss_code"].unique()):
        rows = df[df["gss_code"] == code]
        try:
            years = sorted(rows["year"].dropna().unique())
            inside = [y for y in years if councils.FIRST_YEAR <= y <= councils.LATEST_YEAR]
            for y in inside or [None]:
                councils.validate_code(code, y)
        except ParameterError as exc:
            _fail(rows, np.ones(len(rows), bool), f"council code not valid: {exc}", "gss_code")
        for name in sorted(rows["council"].unique()):
            try:
                hit = councils.validate_code(name)
            except ParameterError:
                continue  # a name not in the variants table is allowed; the code is what counts
            if hit != code:
                _fail(rows, (rows["council"] == name).to_numpy(),
                      f"council name {name!r} is {hit} ({councils.name_of(hit)}), not {code}", "council")


def _check_rows(df: pd.DataFrame, kind: str) -> None:
    """Checks a schema cannot express: period_end vs period and year, headings, council codes."""
    if df.empty:
        return
    _fail(df, df["period_end"].isna() & (df["period"] != "BUD"),
          "period_end (the date the figures are as at) is required unless period is BUD", "period_end")
    start, end = _fy_bounds(df["year"])
    outside = df["period_end"].notna() & (df["period"] != "BUD") & ((df["period_end"] < start) | (df["period_end"] > end))
    _fail(df, outside, "period_end is outside the financial year", "period_end")
    nums = [c for c in df.columns if c not in ("row_order", "source_row") and pd.api.types.is_numeric_dtype(df[c])]
    head = (df["row_type"] == "heading") & df[nums].notna().any(axis=1)
    _fail(df, head, "a heading row carries figures: make it a line, subtotal, total or memo row", "row_type")
    _fail(df, df["parent_line"].notna() & (df["parent_line"] == df["line"]), "a row cannot be its own parent",
          "parent_line")
    _check_codes(df)


def check_table(df: pd.DataFrame, kind: str) -> None:
    """Checks across rows: keys unique, one council per table, parents exist and are unique."""
    if df.empty:
        return
    keys = table_keys(kind)
    if kind in KINDS:  # outside the template a cross-tab may repeat row_order (one row per cell)
        dup = df.duplicated([*keys, "row_order"], keep="first")
        _fail(df, dup, "duplicate row_order in this table_id and period", "row_order")
    ident = df.groupby("table_id")["gss_code"].transform("nunique") > 1
    _fail(df, ident, "one table_id must belong to one council", "table_id")
    parent = resolve_parents(df, kind)
    child = df["parent_line"].notna()
    _fail(df, child & parent.isna(), "parent_line names no subtotal/total row of the same table_id", "parent_line")


def resolve_parents(df: pd.DataFrame, kind: str) -> pd.Series:
    """Return, for every row, the index (label) of the row its ``parent_line`` names (``NaN`` if none).

    The parent is a ``subtotal`` or ``total`` row of the same printed table (``table_id``, period) whose
    ``line`` equals the child's ``parent_line``. Where a label repeats (a table printing "subtotal" under
    each group), the parent is the first such row printed after the child, else the last one printed
    before it -- as a reader of the printed table would take it.
    """
    keys = table_keys(kind)
    out = pd.Series(np.nan, index=df.index, dtype=float)
    if df.empty:
        return out
    par = df.loc[df["row_type"].isin(("subtotal", "total")), [*keys, "line", "row_order"]]
    par = par.rename(columns={"line": "parent_line", "row_order": "_p_order"}).assign(_p_index=par.index)
    kids = df.loc[df["parent_line"].notna(), [*keys, "parent_line", "row_order"]].assign(_c_index=lambda d: d.index)
    if kids.empty or par.empty:
        return out
    m = kids.merge(par, on=[*keys, "parent_line"], how="inner")
    m["_after"] = m["_p_order"] > m["row_order"]
    m["_dist"] = np.where(m["_after"], m["_p_order"] - m["row_order"], 1e9 + m["row_order"] - m["_p_order"])
    best = m.sort_values(["_c_index", "_dist", "_p_index"]).drop_duplicates("_c_index")
    out.loc[best["_c_index"].to_numpy()] = best["_p_index"].to_numpy()
    return out
