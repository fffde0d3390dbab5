"""The processed folder's housekeeping for :mod:`helpers.data.tables`: the build lock, temporary files left by a
killed build, the integrity check of each processed file, the values later releases changed, and the one-line
message of an operating-system error (disk full, read-only folder).

Every function takes the processed folder as an argument (``tables.PROCESSED``), so that a test that points
the table registry at another folder moves all of it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from helpers.core.errors import AscError
from helpers.core.paths import relative
from helpers.data.io import TMP_SUFFIX, atomic_write_parquet, sha256_file

#: The lock file that keeps two builds from running at once (in the processed folder).
LOCK_FILE = "_build.lock"
#: How long a build waits for another one to finish, in seconds.
LOCK_WAIT = 600.0
#: Folder (in the processed folder) of the values each table's later releases changed.
CHANGES_DIR = "_changes"
#: Columns of :func:`helpers.data.tables.changes`.
CHANGE_COLUMNS = ["table", "gss_code", "year", "key", "column", "old_value", "new_value", "old_status",
                  "new_status", "old_source_id", "new_source_id"]


class StaleDataWarning(UserWarning):
    """A processed table was read whose latest build failed: what is read is the previous version."""


class RevisionWarning(UserWarning):
    """A later release of a file changed values that an earlier one published (the later one is used)."""


@contextmanager
def build_lock(folder: Path, progress: Callable[[str], None] | None = None,
               wait: float | None = None) -> Iterator[None]:
    """Hold the build lock of ``folder``, waiting up to ``wait`` seconds (default :data:`LOCK_WAIT`) for another
    build to finish.

    Raises
    ------
    AscError
        The other build still holds the lock after ``wait`` seconds.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_FILE))
    wait = LOCK_WAIT if wait is None else wait
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if progress:
            progress(f"another `asc data build` is running: waiting for it (up to {wait:.0f} s)")
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise AscError(f"another `asc data build` has held {relative(folder / LOCK_FILE)} for {wait:.0f} s: "
                           "wait for it to finish, then build again") from None
    try:
        yield
    finally:
        lock.release()


def clear_temporary_files(folder: Path) -> list[str]:
    """Remove the temporary files (``.<name>.*.tmp``) a killed build left in ``folder``; call under the lock."""
    gone = []
    for sub in (folder, folder / CHANGES_DIR):
        if sub.is_dir():
            for p in sub.glob(f".*{TMP_SUFFIX}"):
                p.unlink(missing_ok=True)
                gone.append(p.name)
    return gone


def damage(path: Path, entry: dict) -> str | None:
    """Why the processed file ``path`` is not the one its build-state ``entry`` describes (``None`` if it is):
    a footer that cannot be read, another row count, another sha256."""
    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except Exception as exc:  # noqa: BLE001 -- pyarrow raises ArrowInvalid, OSError ... for a damaged footer
        return f"its footer cannot be read ({type(exc).__name__})"
    if entry.get("rows") is not None and rows != entry["rows"]:
        return f"it has {rows} rows, {entry['rows']} were built"
    if entry.get("sha256") and sha256_file(path) != entry["sha256"]:
        return "its sha256 is not the one built"
    return None


def os_message(exc: OSError) -> str:
    """One line for an operating-system error (disk full, read-only folder ...), naming the file."""
    where = relative(Path(exc.filename)) if getattr(exc, "filename", None) else "the processed folder"
    return f"cannot write {where}: {exc.strerror or exc}"


def read_changes(folder: Path, name: str) -> pd.DataFrame:
    """The changes kept for table ``name`` by :func:`write_changes`; empty when there are none."""
    p = folder / CHANGES_DIR / f"{name}.parquet"
    return pd.read_parquet(p) if p.is_file() else pd.DataFrame(columns=CHANGE_COLUMNS)


def write_changes(folder: Path, name: str, found: pd.DataFrame | None) -> int:
    """Keep the values a later release changed in table ``name`` (or remove the old list) and warn
    (:class:`RevisionWarning`, one line); return how many."""
    path = folder / CHANGES_DIR / f"{name}.parquet"
    if found is None or found.empty:
        path.unlink(missing_ok=True)
        return 0
    found = found.assign(table=name)[CHANGE_COLUMNS].reset_index(drop=True)
    atomic_write_parquet(found, path)
    first = found.iloc[0]
    pairs = sorted({f"{r.new_source_id} over {r.old_source_id}" for r in found.itertuples()})
    warnings.warn(RevisionWarning(
        f"{name}: {len(found)} value(s) published by an earlier release were changed by a later one "
        f"({'; '.join(pairs)}); the later release is used (first: {first['gss_code']} {first['year']} "
        f"{first['key']} {first['column']} {first['old_value']} -> {first['new_value']}); "
        f"see helpers.data.tables.changes({name!r})"), stacklevel=3)
    return len(found)
