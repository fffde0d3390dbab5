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
