"""The sources register and `asc data fetch` / `status` (helpers.data.sources)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.core.errors import MissingDataError
from helpers.data import sources


def test_register_is_complete_and_https_only() -> None:
    reg = sources.register()
    assert len(reg) >= 39
    for src in reg.values():
        assert src.page.startswith("https://"), src.id
        assert src.url is None or src.url.startswith("https://"), src.id
        assert len(src.sha256) == 64 and src.licence


def test_fetch_without_url_says_where_to_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path / "national"))
    no_url = next(s for s in sources.register().values() if not s.url)
    with pytest.raises(MissingDataError, match="no direct download address is registered; download it from https://"):
        sources.fetch([no_url.id])


def test_missing_national_file_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(MissingDataError, match="does not exist: set ASC_NATIONAL_DIR"):
        sources.path("ro3_2023_24")
