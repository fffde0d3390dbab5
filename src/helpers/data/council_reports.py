"""Council report figures: the input template, its loader, and the reconciliation of printed totals.

A council's own report tables (budget monitoring, key activity data, KPIs, savings, reserves, ...) are
transcribed into one folder per council under ``data/raw/councils/<slug>/`` -- one CSV per *kind* of table
(``budget_monitoring.csv``, ``kpis.csv``, ...) or one Excel workbook with a sheet per kind -- following the
template in ``docs/council_data.md``. The seeds' tables (Stockport, Nottinghamshire, Cambridgeshire) are the
embedded default dataset.

This module

* reads and validates every council folder (:func:`load_council_folder`, :func:`load_kind`): required
  columns, numbers, period codes, financial years, ISO dates, GSS codes known to :mod:`helpers.data.councils`,
  row types, and that every ``parent_line`` names a subtotal or total row of the same table. Bad input
  raises one :class:`~helpers.core.errors.DataError` naming file, row and column;
* recomputes every printed total and derived figure (:func:`reconcile`) and warns
  (:class:`~helpers.core.errors.ReconciliationWarning`) with the count of figures that do not agree within the
  document's rounding. Printed values are kept as printed: nothing is dropped or "fixed";
* registers the processed tables ``council_budget``, ``council_key_activity``, ``council_kpis``,
  ``council_savings``, ``council_reserves``, ``council_budget_changes``, ``council_capital`` and
  ``council_complaints``.

Tolerance rule (see ``docs/methods.md``): each printed figure is rounded to its last printed digit, so a
figure computed from ``k`` rounded figures can differ from the printed one by up to half a unit of the last
digit for each term: a sum of ``k`` children against its parent by ``0.5 * u * (k + 1)``, a difference
(variance = forecast - budget) by ``1.5 * u``, where ``u`` is the unit of the last printed digit (inferred
from the values: 1 for whole £ thousands). Counts (clients, complaints, numerators) are exact: tolerance 0.
A percentage is checked against the interval its rounded inputs allow plus half a unit of its own last
digit. Differences within the tolerance are not discrepancies; ``reconcile(..., include_rounding=True)``
shows them too.
"""

from __future__ import annotations

import difflib
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, MissingDataError, ParameterError, ReconciliationWarning
from helpers.core.paths import COUNCIL_DATA, relative
from helpers.data import schemas
from helpers.data.io import parse_numbers, read_csv_raw, read_sheet, require_columns, sheet_names
from helpers.data.tables import TableSpec, register_table


@dataclass(frozen=True)
class Kind:
    """One kind of council table (one CSV file per council folder, or one sheet of a workbook).

    Attributes
    ----------
    name
        File stem / sheet name, e.g. ``"budget_monitoring"``.
    table
        Processed table name, e.g. ``"council_budget"``.
    required
        Kind-specific columns a file must have (the others may be left out and are then empty).
    sums
        Columns whose ``line``/``subtotal`` rows add up to the row named in their ``parent_line``.
    exact
        Columns holding exact counts (tolerance 0).
    group
        Extra columns a sum is taken within (tables printed with one column per period, stored long).
    description
        One line for ``asc data status``.
    """

    name: str
    table: str
    required: tuple[str, ...]
    sums: tuple[str, ...]
    exact: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    description: str = ""


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("budget_monitoring", "council_budget", ("budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k"),
             ("budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k", "previous_variance_gbp_k",
              "actual_to_date_gbp_k", "variance_change_gbp_k", "forecast_net_expenditure_gbp_k",
              "reserves_appropriation_gbp_k"),
             description="Council budget monitoring: budget, forecast outturn and variance by service line and period"),
        Kind("key_activity", "council_key_activity",
             ("service_group", "budgeted_clients", "budgeted_unit_cost_gbp", "budget_gbp_k", "actual_clients",
              "actual_unit_cost_gbp", "forecast_outturn_gbp_k", "variance_gbp_k"),
             ("budgeted_clients", "budget_gbp_k", "actual_clients", "forecast_outturn_gbp_k", "variance_gbp_k"),
             exact=("budgeted_clients", "actual_clients"),
             description="Council key activity data: clients x unit cost x weeks by service"),
        Kind("kpis", "council_kpis", ("kpi_name", "value"), (), exact=("numerator", "denominator"),
             description="Council performance indicators with targets, RAG and direction of travel as printed"),
        Kind("savings", "council_savings", ("target_gbp_k",),
             ("target_gbp_k", "forecast_gbp_k", "shortfall_gbp_k", "double_running_gbp_k", "net_target_gbp_k",
              "achieved_gbp_k"),
             description="Council savings programmes: target, forecast or achieved delivery, RAG"),
        Kind("reserves", "council_reserves", ("approved_gbp_k", "used_gbp_k", "balance_gbp_k"),
             ("approved_gbp_k", "used_gbp_k", "balance_gbp_k"),
             description="Council earmarked reserves: approved, used and balance"),
        Kind("budget_changes", "council_budget_changes", (),
             ("previous_budget_gbp_k", "change_gbp_k", "budget_gbp_k"),
             description="Council cash-limit (budget) changes since the previous report"),
        Kind("capital", "council_capital", ("programme_year1_gbp_k",),
             ("spend_to_date_gbp_k", "programme_year1_gbp_k", "programme_year2_gbp_k", "programme_year3_gbp_k"),
             description="Council capital programme, resources and rephasing by scheme"),
        Kind("complaints", "council_complaints", ("count_period", "count"), ("count",), exact=("count",),
             group=("count_period",), description="Council complaints counts by issue or service and period"),
    )
}

#: Processed table name -> kind.
TABLES: dict[str, str] = {k.table: k.name for k in KINDS.values()}

#: Columns every file starts with, as named in the CSV template.
TEMPLATE_COMMON: tuple[str, ...] = (
    "gss_code", "council", "financial_year", "period", "period_end", "table_id", "row_order", "line",
    "parent_line", "row_type",
)
#: Columns every file ends with.
TEMPLATE_TAIL: tuple[str, ...] = ("source_document", "source_table", "note")
#: Common columns a file may leave out (empty when absent).
OPTIONAL_COMMON: tuple[str, ...] = ("parent_line", "note")

#: Markers accepted (and read as empty) in number cells, besides those of :data:`helpers.data.io.MARKER_STATUS`.
EXTRA_MARKERS: dict[str, str] = {"n/a": "not_applicable", "-": "not_applicable", "na": "not_available"}

#: Sheets of a workbook that are not data (ignored): ``README``/``notes`` or any name starting with ``_``.
IGNORED_SHEETS = re.compile(r"^(_.*|readme|notes?|about)$", re.IGNORECASE)

#: Unit -> multiplier of numerator / denominator, for checking a KPI value.
KPI_SCALES: dict[str, float] = {
    "%": 100.0, "number": 1.0, "rate per 1,000": 1_000.0, "rate per 10,000": 10_000.0,
    "rate per 100,000": 100_000.0,
}

_NEG_RE = r"^\(\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*\)$"
#: Extra columns whose name ends so are numbers (money in £ thousands, money in £, percentages).
NUMBER_SUFFIX = re.compile(r"_(gbp_k|gbp|pct)$")
#: Names a file (stem) or sheet of a kind outside the template must have.
KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


# ------------------------------------------------------------------------------------------------
# template
# ------------------------------------------------------------------------------------------------


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise ParameterError(f"unknown council table kind {kind!r}; kinds are {sorted(KINDS)}")
    return KINDS[kind]


def _spec(kind: str) -> Kind:
    """The template kind, or a plain kind outside the template (common and source columns only)."""
    return KINDS.get(kind) or Kind(kind, "", (), ())


def template_columns(kind: str, *, processed: bool = False) -> list[str]:
    """Return the columns of a kind in template order.

    Parameters
    ----------
    kind
        ``"budget_monitoring"``, ``"key_activity"``, ``"kpis"``, ``"savings"``, ``"reserves"``,
        ``"budget_changes"``, ``"capital"`` or ``"complaints"``; any other name gives the common and
        source columns of a kind outside the template.
    processed
        Names of the processed table (``year`` for ``financial_year``, plus ``source_file`` and
        ``source_row``) instead of the CSV template's.
    """
    cols = [*TEMPLATE_COMMON, *schemas.COUNCIL_KIND_COLUMNS.get(kind, {}), *TEMPLATE_TAIL]
    if processed:
        cols = ["year" if c == "financial_year" else c for c in cols] + ["source_file", "source_row"]
    return cols


def _numeric_columns(kind: str) -> list[str]:
    cols = schemas.COUNCIL_KIND_COLUMNS.get(kind, {})
    return [c for c, col in cols.items() if str(col.dtype).startswith("float")]


def _extra_columns(df: pd.DataFrame, kind: str) -> list[str]:
    """Columns a council added beyond the template (after ``source_row``)."""
    known = set(template_columns(kind, processed=True))
    return [c for c in df.columns if c not in known]


def _money_columns(df: pd.DataFrame, kind: str) -> list[str]:
    """Columns summed over parent_line: the kind's, plus any added number column."""
    spec = _spec(kind)
    extra = [c for c in _extra_columns(df, kind) if pd.api.types.is_float_dtype(df[c])]
    return [c for c in (*spec.sums, *extra) if c in df.columns]


# ------------------------------------------------------------------------------------------------
# finding files
# ------------------------------------------------------------------------------------------------


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".xlsx")
                  and not p.name.startswith((".", "~$")))


def council_folders(root: str | Path | None = None) -> list[Path]:
    """Return the council folders under ``root`` (default :data:`helpers.core.paths.COUNCIL_DATA`).

    A folder holding ``.csv`` / ``.xlsx`` files is itself a council folder; otherwise each sub-folder that
    holds such files is one (sorted by name). Sub-folders without data files (e.g. only a README) are skipped.
    """
    root = Path(COUNCIL_DATA if root is None else root)
    if not root.is_dir():
        raise MissingDataError(f"council data folder {relative(root)} is missing")
    if _data_files(root):
        return [root]
    return [p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".") and _data_files(p)]


def council_files(root: str | Path | None = None, kind: str | None = None) -> list[Path]:
    """Return the input files (CSV files and workbooks) of every council folder, optionally of one kind.

    A workbook counts as an input of every kind (it may hold a sheet of each).
    """
    out: list[Path] = []
    for folder in council_folders(root):
        for p in _data_files(folder):
            if p.suffix.lower() == ".xlsx" or kind is None or p.stem == kind:
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
            parts = [read_sheet(path, s, header=0, dtype=object) for s in sheet_names(path)
                     if not IGNORED_SHEETS.match(s.strip()) and (kind is None or s.strip() == kind)]
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
    return nums


def _frame_from_raw(raw: pd.DataFrame, kind: str, *, file: Path, sheet: str | None = None) -> pd.DataFrame:
    """Validate one file's (or sheet's) raw text cells and return the processed-shape frame."""
    spec = _spec(kind)
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
    blank = raw.isna().all(axis=1) | raw.astype("string").apply(lambda s: s.str.strip().fillna("") == "").all(axis=1)
    raw, rows = raw[~blank], rows[~blank]
    df = pd.DataFrame(index=raw.index)
    numeric = set(_numeric_columns(kind))
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
        A CSV file named ``<kind>.csv``, or an ``.xlsx`` workbook (then give ``sheet``).
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
    if path.suffix.lower() == ".xlsx":
        if sheet is None:
            raise ParameterError("read_council_file: give the sheet of a workbook (or use load_council_folder)")
        kind = kind or sheet.strip()
        if not KIND_NAME.match(kind):
            raise DataError(f"sheet name is not a kind of council table: use one of {sorted(KINDS)}, or a plain "
                            "lower-case name for another kind (sheets named README, notes or starting with '_' "
                            "are ignored)", file=path, sheet=sheet)
        raw = read_sheet(path, sheet, header=0, dtype=object)
        raw = raw.map(_cell_text) if hasattr(raw, "map") else raw.applymap(_cell_text)
        return _frame_from_raw(raw, kind, file=path, sheet=sheet)
    kind = kind or path.stem
    if not KIND_NAME.match(kind):
        raise DataError(f"file name is not a kind of council table: name it one of "
                        f"{[k + '.csv' for k in sorted(KINDS)]}, or a plain lower-case name for another kind",
                        file=path)
    raw = read_csv_raw(path, skip_blank_lines=False)
    return _frame_from_raw(raw, kind, file=path)


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
    from helpers.data import councils

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


def _table_keys(kind: str) -> list[str]:
    """The columns that identify one printed table's block of rows: a table printed with one column per
    period is stored as one block per period (``period``/``period_end`` per row, or the kind's group column)."""
    return ["table_id", "period", "period_end", *_spec(kind).group]


def _check_table(df: pd.DataFrame, kind: str) -> None:
    """Checks across rows: keys unique, one council per table, parents exist and are unique."""
    if df.empty:
        return
    keys = _table_keys(kind)
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
    keys = _table_keys(kind)
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


# ------------------------------------------------------------------------------------------------
# loading folders
# ------------------------------------------------------------------------------------------------


def _sort(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    keys = ["gss_code", "year", "table_id", "period", "period_end", *_spec(kind).group, "row_order"]
    return df.sort_values(keys, kind="mergesort").reset_index(drop=True)


def _empty(kind: str) -> pd.DataFrame:
    schema = schemas.council_schema(kind)
    return pd.DataFrame({c: pd.Series(dtype=str(col.dtype) if str(col.dtype) != "str" else object)
                         for c, col in schema.columns.items()})


def _read_folder(folder: Path) -> dict[str, list[pd.DataFrame]]:
    out: dict[str, list[pd.DataFrame]] = {}
    seen: dict[str, Path] = {}
    for p in _data_files(folder):
        if p.suffix.lower() == ".csv":
            parts = [(p.stem, None)]
        else:
            parts = [(s.strip(), s) for s in sheet_names(p) if not IGNORED_SHEETS.match(s.strip())]
        for kind, sheet in parts:
            if not KIND_NAME.match(kind):
                raise DataError(
                    f"not a kind of council table: name {'sheets' if sheet else 'files'} after a kind, one of "
                    f"{sorted(KINDS)}, or a plain lower-case name for another kind", file=p, sheet=sheet)
            if kind in seen:
                raise DataError(f"a second {kind} table in one council folder (first in {relative(seen[kind])}): "
                                "keep one file or sheet per kind", file=p, sheet=sheet)
            seen[kind] = p
            out.setdefault(kind, []).append(read_council_file(p, kind, sheet=sheet))
    return out


def load_council_folder(path: str | Path | None = None, *, warn: bool = True) -> dict[str, pd.DataFrame]:
    """Read and validate council report figures: every kind found, each as one tidy table.

    Parameters
    ----------
    path
        The folder of council folders (default :data:`helpers.core.paths.COUNCIL_DATA`), one council folder
        (CSV files named by kind, or a workbook), or one ``.xlsx`` workbook with a sheet per kind.
    warn
        Warn (:class:`~helpers.core.errors.ReconciliationWarning`) with the number of printed totals and
        derived figures that do not reconcile (see :func:`reconcile`).

    Returns
    -------
    dict of str to pandas.DataFrame
        Kind -> validated table (processed column names, rows sorted by council, year, period, table and
        printed order). Kinds with no file are absent.

    Raises
    ------
    DataError
        The first bad file, row or column.
    MissingDataError
        The path does not exist.
    """
    path = Path(COUNCIL_DATA if path is None else path)
    if path.is_file():
        if path.suffix.lower() != ".xlsx":
            kind = path.stem
            parts = {kind: [read_council_file(path)]}
        else:
            parts = {}
            for s in sheet_names(path):
                if IGNORED_SHEETS.match(s.strip()):
                    continue
                parts.setdefault(s.strip(), []).append(read_council_file(path, sheet=s))
    elif path.is_dir():
        parts = {}
        for folder in council_folders(path):
            for kind, frames in _read_folder(folder).items():
                parts.setdefault(kind, []).extend(frames)
    else:
        raise MissingDataError(f"council data {relative(path)} is missing")
    out: dict[str, pd.DataFrame] = {}
    for kind in sorted(parts):
        frames = [f for f in parts[kind] if len(f)]
        df = pd.concat(frames, ignore_index=True) if frames else _empty(kind)
        _check_table(df, kind)
        df = _sort(df, kind)
        if warn:
            _warn(df, kind)
        out[kind] = df
    return out


def load_kind(kind: str, path: str | Path | None = None, *, warn: bool = True) -> pd.DataFrame:
    """Return the validated table of one kind from every council folder (empty table if none has it)."""
    if not KIND_NAME.match(kind):
        raise ParameterError(f"not a kind of council table: {kind!r}")
    path = Path(COUNCIL_DATA if path is None else path)
    if path.is_dir():
        frames: list[pd.DataFrame] = []
        for folder in council_folders(path):
            for p in _data_files(folder):
                if p.suffix.lower() == ".csv" and p.stem == kind:
                    frames.append(read_council_file(p, kind))
                elif p.suffix.lower() == ".xlsx":
                    for s in sheet_names(p):
                        if s.strip() == kind:
                            frames.append(read_council_file(p, kind, sheet=s))
        frames = [f for f in frames if len(f)]
        df = pd.concat(frames, ignore_index=True) if frames else _empty(kind)
        _check_table(df, kind)
        df = _sort(df, kind)
        if warn:
            _warn(df, kind)
        return df
    return load_council_folder(path, warn=warn).get(kind, _empty(kind))


def _warn(df: pd.DataFrame, kind: str) -> None:
    disc = reconcile(df, kind)
    if len(disc):
        first = disc.iloc[0]
        warnings.warn(
            f"{len(disc)} printed figure(s) in the council {kind} tables do not reconcile within rounding "
            f"(first: {first['source_file']} row {first['source_row']} column {first['column']!r}, "
            f"{first['check']}: expected {first['expected']:g}, printed {first['printed']:g}); the printed "
            "values are kept -- see helpers.data.council_reports.reconcile and docs/council_data.md",
            ReconciliationWarning, stacklevel=3,
        )


# ------------------------------------------------------------------------------------------------
# reconciliation
# ------------------------------------------------------------------------------------------------


def _decimals(x: float, max_d: int = 6) -> int:
    """Number of decimals of a printed figure (a trailing zero is not seen: that only loosens a tolerance)."""
    if x is None or not np.isfinite(x):
        return 0
    for d in range(max_d + 1):
        if abs(round(x, d) - x) < 1e-9 * max(1.0, abs(x)):
            return d
    return max_d


def _unit(values: Iterable[float]) -> float:
    d = max((_decimals(float(v)) for v in values if pd.notna(v)), default=0)
    return 10.0 ** -d


_RESULT_COLUMNS = ["kind", "gss_code", "year", "period", "table_id", "source_file", "source_row", "line", "check",
                   "column", "expected", "printed", "difference", "tolerance"]


def _record(out: list[dict], kind: str, r: pd.Series, check: str, column: str, expected: float, printed: float,
            tol: float, include_rounding: bool) -> None:
    diff = printed - expected
    if abs(diff) <= tol + 1e-9 and not (include_rounding and abs(diff) > 1e-9):
        return
    out.append({
        "kind": kind, "gss_code": r["gss_code"], "year": r["year"], "period": r["period"], "table_id": r["table_id"],
        "source_file": r["source_file"], "source_row": int(r["source_row"]), "line": r["line"], "check": check,
        "column": column, "expected": round(float(expected), 9), "printed": float(printed),
        "difference": round(float(diff), 9), "tolerance": round(float(tol), 9),
    })


def _diff_check(out: list[dict], kind: str, df: pd.DataFrame, target: str, plus: list[str], minus: list[str],
                check: str, include_rounding: bool) -> None:
    """``target = sum(plus) - sum(minus)`` on every row where all the terms are present."""
    cols = [target, *plus, *minus]
    if not all(c in df.columns for c in cols):
        return
    sub = df[df[cols].notna().all(axis=1)]
    for _, r in sub.iterrows():
        expected = sum(float(r[c]) for c in plus) - sum(float(r[c]) for c in minus)
        tol = 0.5 * _unit(r[cols]) * len(cols)
        _record(out, kind, r, check, target, expected, float(r[target]), tol, include_rounding)


def _sum_checks(out: list[dict], kind: str, df: pd.DataFrame, include_rounding: bool) -> None:
    spec = _spec(kind)
    keys = _table_keys(kind)
    if kind not in KINDS:  # skip cross-tabs (row_order repeated): their blocks cannot be told apart
        crossed = df.duplicated([*keys, "row_order"], keep=False)
        df = df[~df.groupby(keys, dropna=False)["row_order"].transform(lambda s: s.duplicated().any())
                .astype(bool) & ~crossed]
    parent = resolve_parents(df, kind)
    counted = df["row_type"].isin(("line", "subtotal")) & parent.notna()
    if not counted.any():
        return
    groups = dict(iter(df[counted].groupby(parent[counted], sort=False)))
    for idx, g in groups.items():
        p = df.loc[idx]
        for col in _money_columns(df, kind):
            if pd.isna(p[col]):
                continue
            vals = g[col].dropna()
            if vals.empty:
                continue
            exact = col in spec.exact
            tol = 0.0 if exact else 0.5 * _unit([p[col], *vals]) * (len(vals) + 1)
            _record(out, kind, p, f"children sum to {p['row_type']} ({len(vals)} rows)", col, float(vals.sum()),
                    float(p[col]), tol, include_rounding)


def _pct_check(out: list[dict], kind: str, df: pd.DataFrame, include_rounding: bool) -> None:
    cols = ["variance_pct", "variance_gbp_k", "budget_gbp_k"]
    sub = df[df[cols].notna().all(axis=1) & (df["budget_gbp_k"] != 0)]
    for _, r in sub.iterrows():
        v, b, pct = float(r["variance_gbp_k"]), float(r["budget_gbp_k"]), float(r["variance_pct"])
        u = _unit([v, b])
        expected = 100.0 * v / b
        tol = 0.5 * 10.0 ** -_decimals(pct) + 100.0 * (0.5 * u / abs(b)) * (1.0 + abs(v) / abs(b))
        if b < 0 and abs(pct + expected) <= tol + 1e-9:
            continue  # on a negative (income) budget some tables print the sign of the variance: accepted
        _record(out, kind, r, "variance_pct = 100 x variance / budget", "variance_pct", expected, pct, tol,
                include_rounding)


def _key_activity_check(out: list[dict], df: pd.DataFrame, include_rounding: bool) -> None:
    cols = ["budgeted_clients", "budgeted_unit_cost_gbp", "budget_gbp_k"]
    unit = df["unit_of_cost"].fillna("").str.lower()
    sub = df[df[cols].notna().all(axis=1) & unit.str.contains("week") & (df["row_type"] == "line")]
    for _, r in sub.iterrows():
        weeks = float(r["weeks_funded"]) if pd.notna(r.get("weeks_funded")) else 52.0
        n, cost, budget = float(r["budgeted_clients"]), float(r["budgeted_unit_cost_gbp"]), float(r["budget_gbp_k"])
        expected = n * cost * weeks / 1000.0
        tol = 0.5 * _unit([budget]) + 0.5 * _unit([cost]) * n * weeks / 1000.0
        how = "weeks_funded" if pd.notna(r.get("weeks_funded")) else "52 weeks"
        _record(out, "key_activity", r, f"budget = clients x unit cost x {how} / 1000", "budget_gbp_k", expected,
                budget, tol, include_rounding)


def _kpi_check(out: list[dict], df: pd.DataFrame, include_rounding: bool) -> None:
    cols = ["value", "numerator", "denominator"]
    sub = df[df[cols].notna().all(axis=1) & (df["denominator"] != 0) & df["unit"].isin(list(KPI_SCALES))]
    for _, r in sub.iterrows():
        scale = KPI_SCALES[r["unit"]]
        expected = float(r["numerator"]) / float(r["denominator"]) * scale
        tol = 0.5 * 10.0 ** -_decimals(float(r["value"]))
        _record(out, "kpis", r, f"value = numerator / denominator x {scale:g}", "value", expected, float(r["value"]),
                tol, include_rounding)


def reconcile(df: pd.DataFrame, kind: str, *, include_rounding: bool = False) -> pd.DataFrame:
    """Recompute every printed total and derived figure of a council table; return the discrepancies.

    Checks (each only where all its terms are printed):

    * every kind: the ``line``/``subtotal`` rows naming a row in ``parent_line`` add up to it, column by
      column (``heading`` and ``memo`` rows never count);
    * budget_monitoring: variance = forecast outturn - budget; forecast outturn = forecast net expenditure
      + reserves appropriation (or variance = both - budget when the outturn is not printed); variance
      change = variance - previous variance; variance % = 100 x variance / budget (on a negative budget
      either sign is accepted: tables print the sign of the ratio or of the variance);
    * key_activity: variance = forecast outturn - budget; budget = budgeted clients x budgeted unit cost x
      weeks / 1000 for costs per week (``weeks_funded``, else 52 weeks);
    * kpis: value = numerator / denominator x 100 (``%``), x 100,000 (``rate per 100,000``), ...;
    * savings: net target = target + double running; shortfall = (net) target - achieved (or forecast);
    * reserves: balance = approved - used; budget_changes: budget = previous budget + change.

    Parameters
    ----------
    df
        A validated table (as returned by :func:`load_kind` or read from its processed Parquet file).
    kind
        Its kind.
    include_rounding
        Also list non-zero differences that are within the rounding tolerance.

    Returns
    -------
    pandas.DataFrame
        One row per discrepancy: ``kind, gss_code, year, period, table_id, source_file, source_row, line,
        check, column, expected, printed, difference (printed - expected), tolerance``, sorted by file, row
        and column. Empty when everything reconciles.
    """
    out: list[dict] = []
    if len(df):
        _sum_checks(out, kind, df, include_rounding)
        if kind == "budget_monitoring":
            _diff_check(out, kind, df, "variance_gbp_k", ["forecast_outturn_gbp_k"], ["budget_gbp_k"],
                        "variance = forecast outturn - budget", include_rounding)
            _diff_check(out, kind, df, "forecast_outturn_gbp_k",
                        ["forecast_net_expenditure_gbp_k", "reserves_appropriation_gbp_k"], [],
                        "forecast outturn = net expenditure + reserves appropriation", include_rounding)
            no_fo = df[df["forecast_outturn_gbp_k"].isna()]
            _diff_check(out, kind, no_fo, "variance_gbp_k",
                        ["forecast_net_expenditure_gbp_k", "reserves_appropriation_gbp_k"], ["budget_gbp_k"],
                        "variance = net expenditure + reserves appropriation - budget", include_rounding)
            _diff_check(out, kind, df, "variance_change_gbp_k", ["variance_gbp_k"], ["previous_variance_gbp_k"],
                        "change = variance - previous variance", include_rounding)
            _pct_check(out, kind, df, include_rounding)
        elif kind == "key_activity":
            _diff_check(out, kind, df, "variance_gbp_k", ["forecast_outturn_gbp_k"], ["budget_gbp_k"],
                        "variance = forecast outturn - budget", include_rounding)
            _key_activity_check(out, df, include_rounding)
        elif kind == "kpis":
            _kpi_check(out, df, include_rounding)
        elif kind == "savings":
            _diff_check(out, kind, df, "net_target_gbp_k", ["target_gbp_k", "double_running_gbp_k"], [],
                        "net target = target + double running", include_rounding)
            has_net = df["net_target_gbp_k"].notna()
            has_ach = df["achieved_gbp_k"].notna()
            for net, ach, sub in (
                ("net_target_gbp_k", "achieved_gbp_k", df[has_net & has_ach]),
                ("target_gbp_k", "achieved_gbp_k", df[~has_net & has_ach]),
                ("net_target_gbp_k", "forecast_gbp_k", df[has_net & ~has_ach]),
                ("target_gbp_k", "forecast_gbp_k", df[~has_net & ~has_ach]),
            ):
                _diff_check(out, kind, sub, "shortfall_gbp_k", [net], [ach],
                            f"shortfall = {net.removesuffix('_gbp_k')} - {ach.removesuffix('_gbp_k')}",
                            include_rounding)
        elif kind == "reserves":
            _diff_check(out, kind, df, "balance_gbp_k", ["approved_gbp_k"], ["used_gbp_k"],
                        "balance = approved - used", include_rounding)
        elif kind == "budget_changes":
            _diff_check(out, kind, df, "budget_gbp_k", ["previous_budget_gbp_k", "change_gbp_k"], [],
                        "budget = previous budget + change", include_rounding)
    res = pd.DataFrame(out, columns=_RESULT_COLUMNS)
    return res.sort_values(["source_file", "source_row", "column", "check"], kind="mergesort").reset_index(drop=True)


def reconcile_all(path: str | Path | None = None, *, include_rounding: bool = False) -> pd.DataFrame:
    """Reconcile every kind of every council folder (see :func:`reconcile`) and return one table."""
    frames = [reconcile(df, kind, include_rounding=include_rounding)
              for kind, df in load_council_folder(path, warn=False).items()]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_RESULT_COLUMNS)


# ------------------------------------------------------------------------------------------------
# workbook template
# ------------------------------------------------------------------------------------------------


def write_workbook(folder: str | Path, path: str | Path) -> Path:
    """Write a council folder's CSV files as one Excel workbook with a sheet per kind (a fill-in template).

    The cells are copied as text from the CSV files (numbers as numbers), so reading the workbook back with
    :func:`load_council_folder` gives the same tables.
    """
    import io as _io

    from helpers.data.io import atomic_write_bytes

    folder, path = Path(folder), Path(path)
    files = [p for p in _data_files(folder) if p.suffix.lower() == ".csv"]
    if not files:
        raise MissingDataError(f"no council CSV files in {relative(folder)}")
    buf = _io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for p in files:
            raw = read_csv_raw(p)
            numeric = set(_numeric_columns(p.stem)) | {"row_order"}
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


# ------------------------------------------------------------------------------------------------
# processed tables
# ------------------------------------------------------------------------------------------------


def _inputs(kind: str) -> list[Path]:
    from helpers.data.councils import COUNCILS_CSV, NAMES_CSV

    try:
        files = council_files(kind=kind)
    except MissingDataError:
        files = []
    return [*files, COUNCILS_CSV, NAMES_CSV]


def _make_spec(kind: Kind) -> TableSpec:
    return TableSpec(
        name=kind.table,
        build=lambda k=kind.name: load_kind(k),
        inputs=lambda k=kind.name: _inputs(k),
        kind="council",
        description=kind.description,
    )


for _k in KINDS.values():
    register_table(_make_spec(_k))
