"""The sources register against the national files, and `asc data fetch` from a mirror of them
(helpers.data.sources). The tests without national data are in ``tests/unit/data/test_sources.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.core.errors import DataError
from helpers.core.paths import national_dir
from helpers.data import sources
from helpers.data.io import sha256_file


@pytest.mark.national
def test_register_checksums_match_the_national_files() -> None:
    changed = [r for r in sources.status() if r["state"] != "present"]
    assert not changed, changed


@pytest.mark.national
def test_fetch_from_mirror_verifies_and_writes_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = national_dir()
    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path / "national"))
    done = sources.fetch(["ascof_direction", "trafford_cipfa2019"], mirror=mirror)
    assert done == [f"ascof_direction: copied from {mirror}", f"trafford_cipfa2019: copied from {mirror}"]
    got = tmp_path / "national" / "ascof" / "ascof_measure_direction.csv"
    assert sha256_file(got) == sources.get("ascof_direction").sha256
    assert sources.fetch(["ascof_direction"], mirror=mirror) == ["ascof_direction: already present"]


@pytest.mark.national
def test_fetch_refuses_a_file_with_the_wrong_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A corrupted copy in the mirror (synthetic: one byte appended) is refused and nothing is written."""
    src = sources.get("trafford_cipfa2019")
    bad_mirror = tmp_path / "mirror"
    (bad_mirror / Path(src.file).parent).mkdir(parents=True)
    shutil.copyfile(src.path, bad_mirror / src.file)
    with open(bad_mirror / src.file, "ab") as fh:
        fh.write(b"x")
    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path / "national"))
    with pytest.raises(DataError, match="does not match the register"):
        sources.fetch([src.id], mirror=bad_mirror)
    assert not (tmp_path / "national" / src.file).exists()
