"""Every default report in a real browser: on screen at 1280 px and printed to A4 PDF (issue 16).

Headless Chromium (from the OS packages; ``.ci/run`` installs it and poppler-utils) loads each report the
runner wrote with ``--pdf``: at 1280 px no table is cut off (it fits, or scrolls inside its own box, and the
page never scrolls sideways) and a screenshot is taken; in print media at the printable width of its page
(A4 portrait, or landscape for a table the page marks so) no table is wider than the page; and in the PDF every
column heading of every table is in the text and no word lies outside the page. Skipped, with the reason, where
no browser (or no ``pdftotext``) is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import nbformat
import pytest

from helpers.core.paths import NOTEBOOKS
from helpers.data import sources
from helpers.pipeline import execute, notebooks, outputs, printing
from helpers.pipeline.report_html import LANDSCAPE_PX, PORTRAIT_PX

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

BROWSER = printing.find_browser()
PDFTOTEXT = shutil.which("pdftotext")
if BROWSER is None:
    pytestmark.append(pytest.mark.skip(reason="no headless Chromium: install the OS package `chromium` (.ci/run "
                                              "does) or set ASC_CHROMIUM"))
elif PDFTOTEXT is None:
    pytestmark.append(pytest.mark.skip(reason="no pdftotext: install the OS package `poppler-utils` (.ci/run does)"))


def _default_reports() -> list[Path]:
    has_national = sources.national_available()
    return [p for p in notebooks.list_notebooks(NOTEBOOKS)
            if has_national or not nbformat.read(str(p), as_version=4).metadata.get("asc", {}).get("needs_national")]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, built_tables) -> outputs.RunSummary:
    run_dir = outputs.new_run_dir(tmp_path_factory.mktemp("browser"), "browser")
    jobs = execute.plan_jobs([(nb, {}) for nb in _default_reports()], run_dir, mode="warm")
    summary = execute.execute(jobs, run_dir, workers=2, progress=False, pdf=True)
    assert not summary.failed, [r.error for r in summary.failed]
    assert not summary.pdf_note, summary.pdf_note
    return summary


@pytest.fixture(scope="module")
def browser() -> printing.Browser:
    with printing.Browser(BROWSER) as b:
        yield b


def _reports(summary: outputs.RunSummary) -> list[outputs.JobResult]:
    return [r for r in summary.results if r.output_html]


def test_every_default_report_was_printed(printed: outputs.RunSummary) -> None:
    assert {Path(r.notebook).stem for r in printed.results} == {p.stem for p in _default_reports()}
    for r in _reports(printed):
        assert r.output_pdf and Path(r.output_pdf).read_bytes()[:5] == b"%PDF-", r.notebook
        assert r.pdf_pages >= 1 and not r.pdf_error


def test_at_1280_px_nothing_is_cut_off(printed: outputs.RunSummary, browser: printing.Browser,
                                       tmp_path: Path) -> None:
    problems = []
    for r in _reports(printed):
        html = Path(r.output_html)
        m = browser.measure(html, width=1280)
        if m["scrollWidth"] > m["viewport"]:
            problems.append(f"{html.name}: the page scrolls sideways ({m['scrollWidth']} px > {m['viewport']} px)")
        for t in m["tables"]:
            if t["boxRight"] > m["viewport"] + 1:
                problems.append(f"{html.name} table {t['index']} ({t['caption']}): its box ends past the page")
            if t["width"] > t["box"] + 1 and t["overflowX"] not in ("auto", "scroll"):
                problems.append(f"{html.name} table {t['index']} ({t['caption']}): {t['width']} px in a "
                                f"{t['box']} px box that does not scroll")
        png = tmp_path / f"{html.stem}.png"
        browser.screenshot(html, png)
        assert png.stat().st_size > 10_000, png
    assert not problems, "\n".join(problems)


def test_printed_no_table_is_wider_than_its_page(printed: outputs.RunSummary, browser: printing.Browser) -> None:
    problems = []
    for r in _reports(printed):
        html = Path(r.output_html)
        for width, landscape in ((int(PORTRAIT_PX), False), (int(LANDSCAPE_PX), True)):
            m = browser.measure(html, width=width, media="print")
            for t in m["tables"]:
                if t["landscape"] == landscape and t["width"] > t["box"] + 1:
                    problems.append(f"{html.name} table {t['index']} ({t['caption']}): {t['width']} px on a "
                                    f"{t['box']} px {'landscape' if landscape else 'portrait'} page")
    assert not problems, "\n".join(problems)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_every_column_heading_is_in_the_pdf_and_nothing_is_off_the_page(printed: outputs.RunSummary,
                                                                       browser: printing.Browser) -> None:
    problems = []
    for r in _reports(printed):
        pdf = Path(r.output_pdf)
        # -raw: the text in the order it was drawn (cell by cell), so a heading wrapped over two lines reads whole
        text = _squash(subprocess.run([PDFTOTEXT, "-raw", str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout)
        heads = {h for t in browser.measure(Path(r.output_html), width=int(PORTRAIT_PX), media="print")["tables"]
                 for h in t["headers"]}
        missing = sorted(h for h in heads if _squash(h) not in text)
        if missing:
            problems.append(f"{pdf.name}: headings not in the PDF: {missing}")
        bbox = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
            w = float(page.group(1))
            for word in re.finditer(r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)"[^>]*>([^<]*)</word>',
                                    page.group(3)):
                if float(word.group(1)) < -0.5 or float(word.group(2)) > w + 0.5:
                    problems.append(f"{pdf.name}: {word.group(3)!r} lies outside the page")
    assert not problems, "\n".join(problems[:40])
