"""Tests of the table registry: incremental build, failures keep the previous table, clear load errors.

The tables here are synthetic fixtures registered for the test only (not project data).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.core.errors import DataError, MissingDataError
from helpers.data import tables
from helpers.data.io import sha256_file


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tables, "PROCESSED", tmp_path / "processed")
    monkeypatch.setattr(tables, "processed_path", lambda name: tmp_path / "processed" / f"{name}.parquet")
    monkeypatch.setattr(tables, "REGISTRY", {})
    monkeypatch.setattr(tables, "TABLE_MODULES", ())
    src = tmp_path / "input.csv"
    src.write_text("a\n1\n2\n")
    calls = {"n": 0}

    def build() -> pd.DataFrame:
        calls["n"] += 1
        df = pd.read_csv(src)
        if (df["a"] < 0).any():
            raise DataError("negative value", file=src, row=int((df["a"] < 0).idxmax()) + 2, column="a")
        return df

    tables.register_table(tables.TableSpec("demo", build, lambda: [src], kind="council"))
    tables.register_table(tables.TableSpec("downstream", lambda: tables.load("demo") * 10, lambda: [],
                                           depends=("demo",), kind="council"))
    return src, calls


def test_build_then_no_change_then_change(sandbox) -> None:
    src, calls = sandbox
    assert [r.status for r in tables.build()] == ["built", "built"]
    assert [r.status for r in tables.build()] == ["unchanged", "unchanged"]
    assert calls["n"] == 1
    src.write_text("a\n5\n")
    res = {r.name: r.status for r in tables.build()}
    assert res == {"demo": "built", "downstream": "built"}  # the change flows downstream
    assert tables.load("downstream")["a"].tolist() == [50]


def test_failed_build_keeps_previous_version_and_reports_file_row_column(sandbox) -> None:
    src, _ = sandbox
    tables.build()
    src.write_text("a\n1\n-3\n")
    res = {r.name: r for r in tables.build()}
    assert res["demo"].status == "failed"
    assert res["demo"].message.endswith("row 3, column 'a': negative value")
    assert tables.load("demo")["a"].tolist() == [1, 2]


def test_missing_input_is_skipped_with_how_to_fix(sandbox) -> None:
    src, _ = sandbox
    src.unlink()
    res = tables.build(["demo"])[0]
    assert res.status == "skipped" and "ASC_NATIONAL_DIR" in res.message


def test_load_of_unbuilt_table_says_what_to_run(sandbox) -> None:
    with pytest.raises(MissingDataError, match="run `asc data build`"):
        tables.load("demo")


def test_unknown_table_named() -> None:
    with pytest.raises(Exception, match="unknown table 'nope'"):
        tables.build(["nope"])


def test_cached_reads_once_while_unchanged_and_sees_a_rebuild(tmp_path, monkeypatch):
    import os

    import pandas as pd

    from helpers.data import tables

    path = tmp_path / "t_cached.parquet"
    monkeypatch.setattr(tables, "processed_path", lambda name: tmp_path / f"{name}.parquet")
    log = tmp_path / "reads"
    monkeypatch.setenv("ASC_READ_LOG", str(log))
    pd.DataFrame({"a": [1, 2]}).to_parquet(path)
    first = tables.cached("t_cached")
    assert tables.cached("t_cached") is first
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(path)
    os.utime(path, ns=(1, 1))
    assert len(tables.cached("t_cached")) == 3
    assert log.read_text().split() == ["t_cached"] * 3


def test_build_state_records_each_tables_inputs(sandbox) -> None:
    src, _ = sandbox
    assert tables.build_state() == {}
    tables.build()
    state = tables.build_state()
    assert set(state) == {"demo", "downstream"}
    assert state["demo"]["rows"] == 2 and list(state["demo"]["inputs"].values()) == [sha256_file(src)]


def test_change_key_covers_the_modules_a_loader_imports() -> None:
    """A loader split into a reading and a building module: a change to either rebuilds its tables."""
    tables.discover()
    mods = tables.code_modules(["helpers.data.national.population"])
    assert {"helpers.data.national.population", "helpers.data.national.population_files", "helpers.data.reading",
            "helpers.data.councils.reference", "helpers.data.schemas.national", "helpers.core.periods"} <= set(mods)
    assert not [m for m in mods if not m.startswith("helpers.")]


def test_a_failed_build_is_remembered_until_a_good_one(tmp_path, monkeypatch):
    import pandas as pd

    from helpers.core.errors import DataError
    from helpers.data import tables

    monkeypatch.setattr(tables, "PROCESSED", tmp_path)
    monkeypatch.setattr(tables, "processed_path", lambda name: tmp_path / f"{name}.parquet")
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n")
    good = {"ok": True}

    def make():
        if not good["ok"]:
            raise DataError("row 2 column 'a': not a number")
        return pd.DataFrame({"a": [1]})

    monkeypatch.setattr(tables, "REGISTRY", {"t_stale": tables.TableSpec(
        "t_stale", build=make, inputs=lambda: [src], kind="synthetic", description="test table",
        module=__name__)})
    monkeypatch.setattr(tables, "discover", lambda: tables.REGISTRY)
    assert tables.build()[0].status == "built" and tables.table_status("t_stale") == ("built", None)
    good["ok"] = False
    src.write_text("a\nx\n")
    assert tables.build()[0].status == "failed"
    assert tables.table_status("t_stale") == ("failed", "row 2 column 'a': not a number")
    good["ok"] = True
    src.write_text("a\n2\n")
    assert tables.build()[0].status == "built" and tables.table_status("t_stale") == ("built", None)


# ------------------------------------------------------------------------------------------------
# hardening (issue 11 items 8, 10, 11 and the smaller ones): each test fails on the code before it
# ------------------------------------------------------------------------------------------------


def test_failed_table_warns_when_read_and_status_says_failed(sandbox) -> None:
    """After a failed build, load and cached still return the previous table but warn, naming the table and the
    failure; table_status keeps its contract ("failed", message); a good build clears it."""
    src, _ = sandbox
    tables.build()
    src.write_text("a\n1\n-3\n")
    tables.build()
    state, message = tables.table_status("demo")
    assert state == "failed" and message.endswith("row 3, column 'a': negative value")
    with pytest.warns(tables.StaleDataWarning, match=r"table demo: its latest build failed \(.*negative value\)"):
        assert tables.load("demo")["a"].tolist() == [1, 2]
    with pytest.warns(tables.StaleDataWarning, match="table demo"):
        tables.cached("demo")
    src.write_text("a\n4\n")
    tables.build()
    assert tables.table_status("demo") == ("built", None)


def test_corrupt_processed_file_is_detected_and_rebuilt(sandbox) -> None:
    """A processed file whose bytes changed after its build (a cut copy, a bit flip) is not reported unchanged:
    the build rebuilds it and says why; reading a damaged table is one clear error, not ArrowInvalid."""
    _, calls = sandbox
    tables.build()
    out = tables.processed_path("demo")
    data = out.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cannot be read.*Run `asc data build`"):
        tables.load("demo")
    res = {r.name: r for r in tables.build()}
    assert res["demo"].status == "built" and "was damaged (its footer cannot be read" in res["demo"].message
    assert calls["n"] == 2 and tables.load("demo")["a"].tolist() == [1, 2]
    # same length, other bytes: the sha256 in the build state catches it
    good = out.read_bytes()
    other = pd.DataFrame({"a": [7, 8]})
    other.to_parquet(out, index=False)
    assert len(good) == len(out.read_bytes())
    res = {r.name: r for r in tables.build(["demo"])}
    assert "its sha256 is not the one built" in res["demo"].message
    assert tables.load("demo")["a"].tolist() == [1, 2]


def test_build_state_records_rows_and_sha256(sandbox) -> None:
    tables.build()
    entry = tables.build_state()["demo"]
    assert entry["rows"] == 2 and entry["sha256"] == sha256_file(tables.processed_path("demo"))


def test_stale_temporary_files_are_removed_when_a_build_starts(sandbox) -> None:
    """A killed build leaves `.demo.parquet.*.tmp` behind: the next build removes it (under the lock)."""
    tables.build()
    left = tables.PROCESSED / ".demo.parquet.abc123.tmp"
    left.write_bytes(b"partial")
    tables.build()
    assert not left.exists()
    assert not [p for p in tables.PROCESSED.iterdir() if p.suffix == ".tmp"]


def test_concurrent_builds_take_a_lock(sandbox, tmp_path: Path) -> None:
    """While one build holds the lock, another waits (and gives up with one line after its wait)."""
    from helpers.data import processed

    tables.PROCESSED.mkdir(parents=True, exist_ok=True)
    with processed.build_lock(tables.PROCESSED):
        lines: list[str] = []
        with pytest.raises(tables.AscError, match="another `asc data build` has held"):
            with processed.build_lock(tables.PROCESSED, progress=lines.append, wait=0.2):
                pass
        assert lines and "waiting for it" in lines[0]
    with processed.build_lock(tables.PROCESSED, wait=0.2):  # released: free again
        pass


def test_concurrent_builds_lose_no_state_entry(sandbox, tmp_path: Path) -> None:
    """Two builds of different tables at the same time (threads): both entries are in the state file."""
    import threading

    src, _ = sandbox
    other = tmp_path / "other.csv"
    other.write_text("b\n1\n")
    tables.register_table(tables.TableSpec("other", lambda: pd.read_csv(other), lambda: [other], kind="council"))
    threads = [threading.Thread(target=tables.build, args=([n],)) for n in ("demo", "other")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {"demo", "other"} <= set(tables.build_state())


def test_disk_full_is_one_line_and_keeps_the_previous_table(sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError from the processed folder (disk full) is a failed build with one line naming the file, not a
    traceback; the previous table is kept."""
    import errno

    src, _ = sandbox
    tables.build()
    before = sha256_file(tables.processed_path("demo"))
    src.write_text("a\n9\n")

    def full(df, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(tables, "atomic_write_parquet", full)
    res = {r.name: r for r in tables.build(["demo"])}
    assert res["demo"].status == "failed"
    assert res["demo"].message.startswith("cannot write ") and "No space left on device" in res["demo"].message
    assert "\n" not in res["demo"].message
    assert sha256_file(tables.processed_path("demo")) == before


def test_processed_files_get_normal_permissions(sandbox) -> None:
    """mkstemp makes 0600 files; processed tables and the build state are readable by others (umask 022)."""
    import os

    old = os.umask(0o022)
    try:
        tables.build()
    finally:
        os.umask(old)
    for p in (tables.processed_path("demo"), tables.PROCESSED / tables.STATE_FILE):
        assert p.stat().st_mode & 0o777 == 0o644, p
