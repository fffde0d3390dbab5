"""Loading council report folders into tidy tables, and registering the processed council tables.

:func:`load_council_folder` reads every kind found (:mod:`helpers.data.council_reports.reader`), checks each
table across its rows and warns (:class:`~helpers.core.errors.ReconciliationWarning`) with the count of printed
figures that do not reconcile (:mod:`helpers.data.council_reports.checks`). Registers the processed tables
``council_budget``, ``council_key_activity``, ``council_kpis``, ``council_savings``, ``council_reserves``,
``council_budget_changes``, ``council_capital`` and ``council_complaints``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from helpers.core.errors import DataError, MissingDataError, ParameterError, ReconciliationWarning
from helpers.core.paths import COUNCIL_DATA, relative
from helpers.data import schemas
from helpers.data.council_reports.checks import RESULT_COLUMNS, reconcile
from helpers.data.council_reports.kinds import KINDS, Kind, check_kind_name, is_kind, kind_spec
from helpers.data.council_reports.reader import (
    WORKBOOKS,
    check_table,
    council_files,
    council_folders,
    data_files,
    data_sheets,
    read_council_file,
    resolve_parents,
)
from helpers.data.council_reports.units import check_plausible, check_thousands
from helpers.data.councils import COUNCILS_CSV, NAMES_CSV
from helpers.data.tables import TableSpec, register_table


def _sort(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    keys = ["gss_code", "year", "table_id", "period", "period_end", *kind_spec(kind).group, "row_order"]
    return df.sort_values(keys, kind="mergesort").reset_index(drop=True)


def _empty(kind: str) -> pd.DataFrame:
    schema = schemas.council_schema(kind)
    return pd.DataFrame({c: pd.Series(dtype=str(col.dtype) if str(col.dtype) != "str" else object)
                         for c, col in schema.columns.items()})


def _read_folder(folder: Path) -> dict[str, list[pd.DataFrame]]:
    out: dict[str, list[pd.DataFrame]] = {}
    seen: dict[str, Path] = {}
    for p in data_files(folder):
        if p.suffix.lower() == ".csv":
            parts = [(p.stem, None)]
        else:
            parts = [(s.strip(), s) for s in data_sheets(p)]
        for kind, sheet in parts:
            check_kind_name(kind, file=p, sheet=sheet)
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
        (CSV files named by kind, or a workbook), or one ``.xlsx`` / ``.ods`` workbook with a sheet per kind.
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
        if path.suffix.lower() not in WORKBOOKS:
            kind = path.stem
            parts = {kind: [read_council_file(path)]}
        else:
            parts = {}
            for s in data_sheets(path):
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
        _check(df, kind)
        df = _sort(df, kind)
        if warn:
            _warn(df, kind)
        out[kind] = df
    return out


def load_kind(kind: str, path: str | Path | None = None, *, warn: bool = True) -> pd.DataFrame:
    """Return the validated table of one kind from every council folder (empty table if none has it)."""
    if kind not in KINDS and not is_kind(kind):
        raise ParameterError(f"not a kind of council table: {kind!r}")
    path = Path(COUNCIL_DATA if path is None else path)
    if path.is_dir():
        frames: list[pd.DataFrame] = []
        for folder in council_folders(path):
            for p in data_files(folder):
                if p.suffix.lower() == ".csv" and p.stem == kind:
                    frames.append(read_council_file(p, kind))
                elif p.suffix.lower() in WORKBOOKS:
                    for s in data_sheets(p):
                        if s.strip() == kind:
                            frames.append(read_council_file(p, kind, sheet=s))
        frames = [f for f in frames if len(f)]
        df = pd.concat(frames, ignore_index=True) if frames else _empty(kind)
        _check(df, kind)
        df = _sort(df, kind)
        if warn:
            _warn(df, kind)
        return df
    return load_council_folder(path, warn=warn).get(kind, _empty(kind))


def _check(df: pd.DataFrame, kind: str) -> None:
    """The checks across a kind's rows: keys and parents, then units (plausible ranges, a line in pounds)."""
    check_table(df, kind)
    if df.empty:
        return
    check_plausible(df)
    check_thousands(df, kind, resolve_parents(df, kind))


def _warn(df: pd.DataFrame, kind: str) -> None:
    """Warn with the figures that do not reconcile and that no ``known_discrepancy`` cell documents, naming the
    first of them (a new row's slip is never hidden behind a discrepancy the README already lists)."""
    disc = reconcile(df, kind)
    new = disc[~disc["documented"].astype(bool)] if len(disc) else disc
    if len(new):
        first = new.iloc[0]
        known = len(disc) - len(new)
        warnings.warn(
            f"{len(new)} printed figure(s) in the council {kind} tables do not reconcile within rounding "
            f"(first: {first['source_file']} row {first['source_row']} column {first['column']!r}, "
            f"{first['check']}: expected {first['expected']:g}, printed {first['printed']:g})"
            + (f", besides {known} documented in the council folders' README (column known_discrepancy)" if known
               else "") + "; the printed values are kept -- see helpers.data.council_reports.reconcile and "
            "docs/council_data.md",
            ReconciliationWarning, stacklevel=3,
        )


def reconcile_all(path: str | Path | None = None, *, include_rounding: bool = False) -> pd.DataFrame:
    """Reconcile every kind of every council folder (see :func:`reconcile`) and return one table."""
    frames = [reconcile(df, kind, include_rounding=include_rounding)
              for kind, df in load_council_folder(path, warn=False).items()]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RESULT_COLUMNS)


# ------------------------------------------------------------------------------------------------
# processed tables
# ------------------------------------------------------------------------------------------------


def _inputs(kind: str) -> list[Path]:
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
