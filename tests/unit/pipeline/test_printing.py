"""Printing (helpers.pipeline.printing): finding a browser, saying so in one line where none is, joining PDFs.

The real browser is tested in tests/notebooks/test_browser.py (skipped where none is installed).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from helpers.pipeline import printing


def test_asc_chromium_names_the_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASC_CHROMIUM", "/bin/true")
    assert printing.find_browser() == "/bin/true"
    monkeypatch.setenv("ASC_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert printing.find_browser() is None


def test_no_browser_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASC_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(printing.PrintError) as err:
        printing.Browser()
    assert str(err.value) == printing.NO_BROWSER and "\n" not in str(err.value)
    assert "install the OS package `chromium`" in printing.NO_BROWSER


def test_a_browser_that_dies_at_once_is_one_line_not_a_hang() -> None:
    with pytest.raises(printing.PrintError, match="^the browser stopped"):
        with printing.Browser("/bin/false"):
            pass


def _pdf(path: Path, pages: int) -> Path:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    path.write_bytes(buf.getvalue())
    return path


def test_merge_pdfs_with_a_bookmark_per_part(tmp_path: Path) -> None:
    parts = [("Contents", _pdf(tmp_path / "a.pdf", 1)), ("Stockport - Spend per head, 2023-24",
                                                         _pdf(tmp_path / "b.pdf", 3))]
    assert printing.merge_pdfs(parts, tmp_path / "pack.pdf") == 4
    reader = PdfReader(str(tmp_path / "pack.pdf"))
    assert len(reader.pages) == 4
    assert [(o.title, reader.get_destination_page_number(o)) for o in reader.outline] == [
        ("Contents", 0), ("Stockport - Spend per head, 2023-24", 1)]
