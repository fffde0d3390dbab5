"""One national sandbox for the tests that break or add national files (tests/data, tests/fuzz, scripts/fuzz_report).

A national folder of links to the real registered files (a test may replace one with a broken or later copy)
and an empty processed folder that :mod:`helpers.data.tables` builds into. A plain function, so that the fuzz
report script can use it without pytest's fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.data import sources, tables
from helpers.data.national import population_files as PF


def national_sandbox(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Make ``tmp/national`` (links to the real files) and ``tmp/processed`` (empty) the ones the code uses."""
    nat = tmp / "national"
    for src in sources.register().values():
        if src.path.is_file():
            (nat / src.file).parent.mkdir(parents=True, exist_ok=True)
            (nat / src.file).symlink_to(src.path)
    mp.setenv("ASC_NATIONAL_DIR", str(nat))
    processed = tmp / "processed"
    processed.mkdir()
    mp.setattr(tables, "PROCESSED", processed)
    mp.setattr(tables, "processed_path", lambda name: processed / f"{name}.parquet")
    PF._read_mye_cached.cache_clear()
    return nat, processed
