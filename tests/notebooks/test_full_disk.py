"""`asc run` on a full or read-only disk (issue 11, item 9): one line per failure, a non-zero exit, no traceback,
and nothing half-written (every file left is whole: no truncated .ipynb, no temporary file).

The disks are small tmpfs mounts made by the test; where mounting is not allowed (not root) the test is skipped
with the reason (tests/notebooks/test_run.py and tests/unit/pipeline/test_outputs.py inject the same faults
without a mount).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.core.paths import ROOT

pytestmark = pytest.mark.notebooks

ASC = str(Path(sys.executable).parent / "asc")
TRIVIAL = ROOT / "tests" / "fixtures" / "notebooks" / "trivial.ipynb"


@pytest.fixture
def small_disk(tmp_path: Path):
    """A tmpfs of a given size, mounted for the test (skipped where mounting is not allowed)."""
    mounted: list[Path] = []

    def make(size: str, *options: str) -> Path:
        mnt = tmp_path / f"disk{len(mounted)}"
        mnt.mkdir()
        opts = ",".join([f"size={size}", *options])
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mnt)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'needs root'}); the same faults "
                        "are injected without a mount in test_run.py and test_outputs.py")
        mounted.append(mnt)
        return mnt

    yield make
    for mnt in mounted:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _run(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ASC, "run", str(TRIVIAL), "-p", "n", "2", "--output-dir", str(out), "--quiet",
                           "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ})


def _no_traceback_one_line_each(proc: subprocess.CompletedProcess) -> list[str]:
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith("[IPKernelApp]")]
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert lines and all(ln.startswith(("error: ", "FAILED ")) for ln in lines), lines
    return lines


def _nothing_half_written(root: Path) -> None:
    for p in root.rglob("*"):
        assert ".tmp" not in p.name, f"temporary file left: {p}"
        if p.suffix in (".ipynb", ".json"):
            json.loads(p.read_text(encoding="utf-8"))  # whole, or not there


@pytest.mark.parametrize("size", ["16k", "64k"])
def test_full_disk_one_line_and_no_partial_file(small_disk, size: str) -> None:
    """16k: the executed notebook does not fit; 64k: the notebook fits, its HTML does not."""
    disk = small_disk(size)
    proc = _run(disk)
    assert proc.returncode != 0
    lines = _no_traceback_one_line_each(proc)
    assert any("No space left on device" in ln for ln in lines), lines
    _nothing_half_written(disk)


def test_disk_already_full_the_run_index_cannot_be_written(small_disk) -> None:
    disk = small_disk("64k")
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    proc = _run(disk)
    assert proc.returncode != 0
    lines = _no_traceback_one_line_each(proc)
    assert lines == [ln for ln in lines if ln.startswith("error: cannot write the run manifest ")] and len(lines) == 1, \
        lines
    _nothing_half_written(disk)


def test_read_only_disk_one_line(small_disk) -> None:
    disk = small_disk("1m", "ro")
    proc = _run(disk)
    assert proc.returncode == 2
    assert _no_traceback_one_line_each(proc) == [
        f"error: cannot create a run folder in {disk}: Read-only file system"]
    assert list(disk.iterdir()) == []
