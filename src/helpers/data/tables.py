"""The registry of processed tables: incremental build from raw inputs, and ``load(name)``.

Data flows one way: raw files -> loaders (validate) -> ``data/processed/<name>.parquet`` -> notebooks.

A loader module declares its tables with :func:`register_table`. :func:`build` rebuilds a table only
when something it depends on has changed: the sha256 of each input file, the source code of the loader
module and of every ``helpers`` module it imports (:func:`code_modules`), and the state of the tables it
reads. The state is kept
in ``data/processed/_build_state.json``, with the row count and sha256 of each processed file: a processed file
that is damaged (unreadable footer, other rows or bytes than built) is rebuilt. Each table is written
atomically; a table whose build fails keeps its previous version, the failure is reported and remembered
(:func:`table_status`), and reading the table warns (:class:`StaleDataWarning`). One build runs at a time (a
lock in ``data/processed``); temporary files left by a killed build are removed when the next one starts.

A build may attach the values that a later release of a file changed (``df.attrs["changes"]``, from
:func:`helpers.data.revisions.later_release_wins`): they are reported (:class:`RevisionWarning`) and kept for
:func:`changes`.

Modules that register tables are listed in :data:`TABLE_MODULES` (imported lazily).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from helpers.core.errors import AscError, DataError, MissingDataError
from helpers.core.paths import PROCESSED, processed_path, relative
from helpers.data.io import atomic_write_parquet, atomic_write_text, sha256_file
from helpers.data.processed import (
    CHANGE_COLUMNS,
    RevisionWarning,
    StaleDataWarning,
    build_lock,
    clear_temporary_files,
    damage,
    os_message,
    read_changes,
    write_changes,
)

#: Modules that register tables, in build order (a module's tables may read earlier tables).
TABLE_MODULES: tuple[str, ...] = (
    "helpers.data.councils.build",
    "helpers.data.national.population",
    "helpers.data.national.ascof",
    "helpers.data.national.spend",
    "helpers.data.national.activity",
    "helpers.data.national.comparators",
    "helpers.data.national.deprivation",
    "helpers.data.council_reports",
)

#: Shared modules whose code every table depends on (a change rebuilds everything).
SHARED_MODULES: tuple[str, ...] = ("helpers.data.io", "helpers.data.schemas", "helpers.data.tables")

STATE_FILE = "_build_state.json"
#: Warnings of the processed tables (defined in :mod:`helpers.data.processed`).
WARNINGS = (StaleDataWarning, RevisionWarning)

@dataclass
class TableSpec:
    """One processed table.

    Attributes
    ----------
    name
        Table name; written to ``data/processed/<name>.parquet``.
    build
        Function returning the validated DataFrame (it raises :class:`~helpers.core.errors.DataError` on bad input).
    inputs
        Function returning the input files the table is built from (for change detection and the manifest).
    depends
        Other tables the build reads (built first; their changes trigger a rebuild).
    kind
        ``"national"`` (needs ``ASC_NATIONAL_DIR``), ``"council"`` (embedded council report data) or
        ``"reference"`` (committed reference tables).
    description
        One line for ``asc data status`` and the docs.
    """

    name: str
    build: Callable[[], pd.DataFrame]
    inputs: Callable[[], list[Path]]
    depends: tuple[str, ...] = ()
    kind: str = "national"
    description: str = ""
    module: str = field(default="", repr=False)


REGISTRY: dict[str, TableSpec] = {}


def register_table(spec: TableSpec) -> TableSpec:
    """Register a table (called at import time of a loader module)."""
    if not spec.module:  # the caller's module; inspect.stack() would read every frame's source (1 s per import)
        caller = inspect.currentframe()
        caller = caller.f_back if caller is not None else None
        spec.module = caller.f_globals.get("__name__", "") if caller is not None else ""
    REGISTRY[spec.name] = spec
    return spec


def discover() -> dict[str, TableSpec]:
    """Import every loader module in :data:`TABLE_MODULES` and return the registry."""
    for mod in TABLE_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue  # a loader module that is not written yet
            raise
    return REGISTRY


def code_modules(names: list[str]) -> list[str]:
    """The ``helpers`` modules whose code a table's build runs: ``names`` and what they import, transitively.

    Read from each module's namespace (imported modules, and the modules of imported functions and classes), so
    a loader split into a reading module and a building module is covered as a whole.
    """
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        mod = sys.modules.get(name) or importlib.import_module(name)
        for value in vars(mod).values():
            used = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
            if isinstance(used, str) and used.startswith("helpers.") and used not in seen:
                todo.append(used)
    return sorted(seen)


def _module_hash(names: list[str]) -> str:
    h = hashlib.sha256()
    for name in code_modules(names):
        mod = importlib.import_module(name)
        src = Path(inspect.getfile(mod))
        h.update(name.encode())
        h.update(src.read_bytes())
    return h.hexdigest()


def table_status(name: str) -> tuple[str, str | None]:
    """The state of a processed table: ``("built", None)``, ``("missing", None)`` or ``("failed", message)``.

    ``failed`` means the latest build of the table failed (the previous version, if any, is still on disk
    and readers that use it must say so: the report status ``stale data``).
    """
    entry = build_state().get(name, {})
    if entry.get("failed"):
        return "failed", str(entry["failed"])
    return ("built", None) if processed_path(name).is_file() else ("missing", None)


def build_state() -> dict:
    """The state of the last builds (``data/processed/_build_state.json``): per table its change key, row count,
    the sha256 of each input file and of the processed file, and the failure of its latest build if it failed
    (``{table: {"key", "rows", "inputs", "sha256", "failed"?, "changes"?}}``); empty when there is none."""
    p = PROCESSED / STATE_FILE
    if p.is_file():
        try:
            return json.loads(p.read_text())
        except json.JSONDecodeError:
            return {}
    return {}


def changes(name: str) -> pd.DataFrame:
    """The values of table ``name`` that a later release of a file changed, as of its last build.

    Where two registered files of a family give the same value (same council, year and key), the later
    release is used (:func:`helpers.data.revisions.later_release_wins`); this lists what it changed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~helpers.data.processed.CHANGE_COLUMNS`: ``key`` names the rest of the table's key (measure, line, age ...),
        ``column`` the value column, ``old_*`` / ``new_*`` the earlier and the later release's value, status
        and register id. Empty when nothing changed or the table is not built.
    """
    if not processed_path(name).is_file():
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    return read_changes(PROCESSED, name)


def _save_state(state: dict) -> None:
    atomic_write_text(PROCESSED / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))


def _order(names: list[str]) -> list[str]:
    """Topological order of ``names`` and everything they depend on."""
    out: list[str] = []

    def visit(n: str, stack: tuple[str, ...] = ()) -> None:
        if n in out:
            return
        if n in stack:
            raise AscError(f"table dependency cycle: {' -> '.join((*stack, n))}")
        if n not in REGISTRY:
            raise AscError(f"unknown table {n!r}; known tables: {sorted(REGISTRY)}")
        for d in REGISTRY[n].depends:
            visit(d, (*stack, n))
        out.append(n)

    for n in names:
        visit(n)
    return out


@dataclass
class BuildResult:
    """What happened to one table in a build."""

    name: str
    status: str  # built | unchanged | skipped | failed
    seconds: float = 0.0
    rows: int | None = None
    message: str = ""
    inputs: dict[str, str] = field(default_factory=dict)


def build(names: list[str] | None = None, *, force: bool = False, progress: Callable[[str], None] | None = None
          ) -> list[BuildResult]:
    """Build processed tables whose inputs changed.

    Parameters
    ----------
    names
        Tables to build (with their dependencies); all registered tables when ``None``.
    force
        Rebuild even when nothing changed.
    progress
        Called with one line per table (e.g. ``print``).

    Returns
    -------
    list of BuildResult
        One per table: ``built``, ``unchanged``, ``skipped`` (a national table with no national data)
        or ``failed`` (with the one-line error; the previous version of the table is kept).
    """
    discover()
    order = _order(names or list(REGISTRY))
    with build_lock(PROCESSED, progress=progress):
        clear_temporary_files(PROCESSED)
        return _build_locked(order, force=force, progress=progress)


def _build_locked(order: list[str], *, force: bool, progress: Callable[[str], None] | None) -> list[BuildResult]:
    state = build_state()
    results: list[BuildResult] = []
    status_of: dict[str, str] = {}
    for name in order:
        spec = REGISTRY[name]
        t0 = time.perf_counter()
        failed_dep = [d for d in spec.depends if status_of.get(d) in ("failed", "skipped")
                      and not processed_path(d).is_file()]
        if failed_dep:
            res = BuildResult(name, "skipped", message=f"needs table(s) {failed_dep}, which could not be built")
        else:
            try:
                res = _build_one(spec, state, force=force)
            except MissingDataError as exc:
                res = BuildResult(name, "skipped", message=str(exc))
            except (AscError, OSError) as exc:
                msg = str(exc) if isinstance(exc, AscError) else os_message(exc)
                res = BuildResult(name, "failed", message=msg)
                entry = dict(state.get(name, {}))
                entry["failed"] = msg
                state[name] = entry
                try:
                    _save_state(state)
                except OSError as exc2:
                    res.message += f"; and the build state could not be saved ({os_message(exc2)})"
        res.seconds = time.perf_counter() - t0
        status_of[name] = res.status
        results.append(res)
        if progress:
            extra = f" ({res.rows} rows)" if res.rows is not None else ""
            msg = f": {res.message}" if res.message else ""
            progress(f"{name:<22} {res.status}{extra} in {res.seconds:.2f} s{msg}")
    return results


def _build_one(spec: TableSpec, state: dict, *, force: bool) -> BuildResult:
    """Build one table whose dependencies are built (raises what its build raises)."""
    name = spec.name
    files = spec.inputs()
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise MissingDataError(
            f"{len(missing)} input file(s) missing, first {relative(Path(missing[0]))}: set "
            "ASC_NATIONAL_DIR to the folder of national files or run `asc data fetch`"
        )
    hashes = {relative(Path(f)): sha256_file(f) for f in files}
    key = hashlib.sha256(
        json.dumps(
            {
                "inputs": hashes,
                "code": _module_hash([spec.module, *SHARED_MODULES]),
                "deps": {d: state.get(d, {}).get("key") for d in spec.depends},
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    out = processed_path(name)
    entry = state.get(name, {})
    note = ""
    if not force and out.is_file() and entry.get("key") == key and not entry.get("failed"):
        why = damage(out, entry)
        if why is None:
            return BuildResult(name, "unchanged", inputs=hashes, rows=entry.get("rows"))
        note = f"rebuilt: the processed file {relative(out)} was damaged ({why})"
    df = spec.build()
    found = df.attrs.pop("changes", None)
    atomic_write_parquet(df, out)
    changed = write_changes(PROCESSED, name, found)
    state[name] = {"key": key, "rows": len(df), "inputs": hashes, "sha256": sha256_file(out)}
    if changed:
        state[name]["changes"] = changed
    _save_state(state)
    return BuildResult(name, "built", rows=len(df), inputs=hashes, message=note)


def load(name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Load a processed table.

    Parameters
    ----------
    name
        Table name, e.g. ``"ascof"``.
    columns
        Columns to read (all when ``None``).

    Raises
    ------
    MissingDataError
        The table has not been built: says to run ``asc data build`` (and to set ``ASC_NATIONAL_DIR``).
    """
    p = processed_path(name)
    if not p.is_file():
        raise MissingDataError(
            f"processed table {relative(p)} is not built: run `asc data build` "
            "(national tables need ASC_NATIONAL_DIR set to the folder of national files)"
        )
    record_read(name)
    warn_if_stale(name)
    return _read(p, columns)


def warn_if_stale(name: str) -> None:
    """Warn (:class:`StaleDataWarning`) when the latest build of table ``name`` failed."""
    state, message = table_status(name)
    if state == "failed":
        warnings.warn(StaleDataWarning(
            f"table {name}: its latest build failed ({message}); the previous version is being read: "
            "fix the input and run `asc data build`"), stacklevel=3)


def _read(p: Path, columns: list[str] | None) -> pd.DataFrame:
    try:
        return pd.read_parquet(p, columns=columns)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DataError(f"the processed table cannot be read ({type(exc).__name__}): damaged? Run `asc data build` "
                        "(it rebuilds a damaged table)", file=p) from None


@lru_cache(maxsize=32)
def _read_cached(name: str, stamp: tuple[int, int], columns: tuple[str, ...] | None) -> pd.DataFrame:
    return _read(processed_path(name), list(columns) if columns else None)


def cached(name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Like :func:`load`, read once per process while the file is unchanged: the one cached loader.

    Warm kernels run many reports in one process; a table read by every report is read from disk once
    (the cache key is the file's modification time and size, so a rebuild is seen). Every call records the
    read for the run manifest. The frame is shared: do not modify it (copy first).
    """
    p = processed_path(name)
    if not p.is_file():
        return load(name, columns)  # raises MissingDataError with the how-to-fix message
    st = p.stat()
    record_read(name)
    warn_if_stale(name)
    return _read_cached(name, (st.st_mtime_ns, st.st_size), tuple(columns) if columns else None)


def record_read(name: str) -> None:
    """Record that a table was read, for the run manifest's list of each notebook's inputs.

    :func:`load` calls it; a module that keeps a table in a per-process cache (warm kernels run many
    notebooks) calls it on every use so that each notebook's manifest entry is complete.
    """
    target = os.environ.get("ASC_READ_LOG")
    if target:
        try:
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(name + "\n")
        except OSError:
            pass


def available(name: str) -> bool:
    """True if the processed table exists."""
    return processed_path(name).is_file()


def overview() -> pd.DataFrame:
    """One row per registered table: kind, whether built, rows, years covered and number of areas.

    Returns
    -------
    pandas.DataFrame
        Columns ``table, kind, built, rows, first_year, last_year, areas, description``, sorted by kind
        then table name.
    """
    discover()
    rows = []
    for name, spec in REGISTRY.items():
        row = {"table": name, "kind": spec.kind, "built": available(name), "rows": pd.NA,
               "first_year": None, "last_year": None, "areas": pd.NA, "description": spec.description}
        if row["built"]:
            record_read(name)
            p = processed_path(name)
            cols = set(pq.read_schema(p).names)
            want = [c for c in ("year", "financial_year", "gss_code") if c in cols]
            df = pd.read_parquet(p, columns=want) if want else None
            row["rows"] = pq.ParquetFile(p).metadata.num_rows
            ycol = "year" if "year" in cols else ("financial_year" if "financial_year" in cols else None)
            if df is not None and ycol and df[ycol].notna().any():
                years = df[ycol].dropna().astype(str)
                row["first_year"], row["last_year"] = years.min(), years.max()
            if df is not None and "gss_code" in cols:
                row["areas"] = df["gss_code"].nunique()
        rows.append(row)
    out = pd.DataFrame(rows, columns=["table", "kind", "built", "rows", "first_year", "last_year", "areas",
                                      "description"])
    return out.sort_values(["kind", "table"]).reset_index(drop=True)


def coverage(gss_code: str) -> pd.DataFrame:
    """For one council: rows and years available in each built table that is keyed by ``gss_code``.

    Returns
    -------
    pandas.DataFrame
        Columns ``table, rows, years`` (years as ``first..last`` with the count), sorted by table.
    """
    discover()
    rows = []
    for name in sorted(REGISTRY):
        if not available(name):
            continue
        cols = set(pq.read_schema(processed_path(name)).names)
        if "gss_code" not in cols:
            continue
        record_read(name)
        ycol = "year" if "year" in cols else ("financial_year" if "financial_year" in cols else None)
        df = pd.read_parquet(processed_path(name), columns=["gss_code", *([ycol] if ycol else [])],
                             filters=[("gss_code", "==", gss_code)])
        years = sorted(df[ycol].dropna().astype(str).unique()) if ycol and len(df) else []
        span = f"{years[0]}..{years[-1]} ({len(years)})" if years else "-"
        rows.append({"table": name, "rows": len(df), "years": span})
    return pd.DataFrame(rows, columns=["table", "rows", "years"])
