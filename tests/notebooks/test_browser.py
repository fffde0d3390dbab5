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


def test_each_reports_heading_and_page_title_name_the_council_and_period(printed: outputs.RunSummary) -> None:
    """The visible title and <title> say whose report and when (issue 16), not the notebook's generic question."""
    from bs4 import BeautifulSoup

    for r in _reports(printed):
        soup = BeautifulSoup(Path(r.output_html).read_text(encoding="utf-8"), "html.parser")
        h1 = soup.find("main").find("h1").get_text().replace("\u00b6", "").strip()
        assert h1 == soup.title.get_text() == r.title, r.notebook
        assert h1.startswith("Stockport - "), h1
        if not Path(r.notebook).stem.startswith("00_"):  # the data overview covers every year held
            assert re.search(r"\b20\d\d-\d\d\b", h1), h1


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


#: Each ancestor of a table's box, in print media, that Chromium lays out once at the first page's width (a CSS
#: table or table cell: JupyterLab prints every output so), which cut report 02's landscape table to portrait width.
FIXED_WIDTH_JS = """
(() => Array.from(document.querySelectorAll('main .asc-table-wrap')).flatMap((box, i) => {
  const out = [];
  for (let e = box.parentElement; e; e = e.parentElement) {
    const d = getComputedStyle(e).display;
    if (d.startsWith('table') || d === 'inline-table') { out.push(`table ${i}: <${e.tagName} class="${e.className}"> is display: ${d}`); }
  }
  return out;
}))()
"""


def test_printed_a_table_is_laid_out_at_its_own_pages_width(printed: outputs.RunSummary,
                                                           browser: printing.Browser) -> None:
    """A landscape table is laid out at the landscape width: no ancestor of its box is a CSS table in print."""
    problems = [f"{Path(r.output_html).name} {p}" for r in _reports(printed)
                for p in browser.evaluate(Path(r.output_html), FIXED_WIDTH_JS, width=int(PORTRAIT_PX), media="print")]
    assert not problems, "\n".join(sorted(set(problems))[:20])


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


INDEX_JS = """
(() => {
  const visible = () => Array.from(document.querySelectorAll('#asc-reports tbody tr'))
    .filter(r => !r.hidden).map(r => r.getAttribute('data-council'));
  const set = (id, v) => { const el = document.getElementById(id); el.value = v;
                           el.dispatchEvent(new Event('input')); };
  const out = {all: visible()};
  set('f-status', 'failed'); out.failed = visible(); set('f-status', '');
  set('f-region', 'London'); out.london = visible(); set('f-region', '');
  set('f-council', 'stock'); out.council = visible(); out.shown = document.getElementById('f-shown').textContent;
  set('f-council', '');
  const button = name => Array.from(document.querySelectorAll('#asc-reports thead button'))
    .find(b => b.textContent === name);
  button('Status').click(); out.byStatus = visible();
  button('Status').click(); out.byStatusDown = visible();
  return out;
})()
"""


def test_batch_index_filters_and_sorts_in_a_browser(tmp_path: Path, browser: printing.Browser) -> None:
    """The all-councils index's filters (council, region, status) and sorting really work (synthetic records)."""
    from helpers.pipeline.index import write_index

    run = tmp_path / "run"
    results = []
    for code, status in [("E08000007", "ok"), ("E06000001", "failed"), ("E09000001", "stale data"),
                         ("E09000002", "ok")]:
        html = run / "01_spend" / f"{code}.html"
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text("x")
        results.append(outputs.JobResult("notebooks/01_spend.ipynb", {"council": code}, status, 1.0, "", str(html),
                                         "t", all_parameters={"council": code}))
    write_index(outputs.RunSummary(run, results, 1.0))
    got = browser.evaluate(run / "index.html", INDEX_JS)
    assert got["all"] == ["Barking and Dagenham", "City of London", "Hartlepool", "Stockport"]
    assert got["failed"] == ["Hartlepool"]
    assert got["london"] == ["Barking and Dagenham", "City of London"]
    assert got["council"] == ["Stockport"] and got["shown"] == "1 report shown"
    # by status: the most serious first, then the other way round (ties keep their order)
    assert got["byStatus"] == ["Hartlepool", "City of London", "Barking and Dagenham", "Stockport"]
    assert got["byStatusDown"] == ["Barking and Dagenham", "Stockport", "City of London", "Hartlepool"]
