"""Hostile text never becomes markup in the runner's pages (issue 11, items 1-2; a hypothesis property).

Strings made of ``<>&"'`*_[]()=+-@`` (and a few known payloads) go in as parameter values, notes, statuses'
reasons, error messages, titles, table names and run ids, through :func:`export_html` and :func:`write_index`.
The property: every element and attribute of the parsed page is one the same page has with harmless text (the
template's own), so no string opened a tag, added an attribute or started a script.
"""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers.pipeline.index import write_index
from helpers.pipeline.outputs import JobResult, RunSummary, read_side_files
from helpers.pipeline.report_html import Page, export_html
from tests.examples import examples

from .conftest import executed_notebook

HOSTILE = st.text(alphabet=st.sampled_from(list("<>&\"'`*_[]()=+-@ /\\!#:;{}|~$%ax1")), min_size=1, max_size=40)
PAYLOADS = ["x` <script>alert(1)</script> `y", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
            "'; DROP TABLE x; --", "**bold** _it_ [link](javascript:alert(1)) `code`", "</textarea></style></script>",
            "=HYPERLINK(\"http://x\")", "@SUM(1)", "&lt;b&gt; &amp; &#x3C;"]


def _shape(html: str) -> set[tuple[str, tuple[str, ...]]]:
    """Every (element, its attribute names) of a page."""
    soup = BeautifulSoup(html, "html.parser")
    return {(t.name, tuple(sorted(t.attrs))) for t in soup.find_all(True)}


def _scripts(html: str) -> list[str]:
    return [s.get_text() for s in BeautifulSoup(html, "html.parser").find_all("script")]


def _report_page(tmp: Path, text: str) -> str:
    nb = tmp / "01_trivial.ipynb"
    if not nb.exists():
        executed_notebook(nb)
    page = Page(title=text, notebook="01_trivial.ipynb", parameters={"council": "E08000007", "measures": text,
                                                                     "year": [text, text]},
                given=("measures",), run_id=text, commit=text, dirty=True, tables={"spend": [text], text: []},
                stale=[(text, text)], command="", manifest="manifest.json")
    out = tmp / "page.html"
    export_html(nb, out, page)
    return out.read_text(encoding="utf-8")


def _index_page(tmp: Path, text: str) -> str:
    run = tmp / "run"
    run.mkdir(exist_ok=True)
    prefix = run / "r"
    Path(f"{prefix}.status").write_text(json.dumps({"status": "stale data", "reason": text}) + "\n")
    Path(f"{prefix}.notes").write_text(text.replace("\n", " ") + "\n")
    side = read_side_files(prefix)
    html = run / "r.html"
    html.write_text("x")
    results = [
        JobResult(notebook="notebooks/01_spend.ipynb", parameters={"council": "E08000007", "measures": text},
                  status="stale data", seconds=1.0, output_ipynb="", output_html=str(html), title=text,
                  error=text, notes=side.notes, reasons=[f"{s}: {r}" for s, r in side.statuses], pdf_error=text,
                  all_parameters={"council": "E08000007", "measures": text}),
        JobResult(notebook="notebooks/02_ascof.ipynb", parameters={"council": text}, status="failed", seconds=1.0,
                  output_ipynb="", output_html=None, title=text, error=text, all_parameters={"council": text}),
    ]
    write_index(RunSummary(run, results, 1.0, kind="run", skipped=[(text, text)]))
    pages = [(run / "index.html").read_text(encoding="utf-8")]
    pages += [p.read_text(encoding="utf-8") for p in sorted((run / "councils").glob("*.html"))]
    return "\n".join(pages)


@settings(max_examples=examples(15), deadline=None)
@given(HOSTILE)
@example(PAYLOADS[0])
@example(PAYLOADS[1])
@example(PAYLOADS[2])
@example(PAYLOADS[4])
@example(PAYLOADS[5])
def test_hostile_text_never_becomes_markup_in_a_report_page(tmp_path_factory, text: str) -> None:
    tmp = tmp_path_factory.mktemp("page")
    benign = _report_page(tmp, "harmless words")
    hostile = _report_page(tmp, text)
    assert _shape(hostile) <= _shape(benign), sorted(_shape(hostile) - _shape(benign))
    assert _scripts(hostile) == _scripts(benign)
    assert "<script>alert" not in hostile and "onerror=alert" not in hostile.replace("onerror=alert(1)&gt;", "")


@settings(max_examples=examples(40), deadline=None)
@given(HOSTILE)
@example(PAYLOADS[0])
@example(PAYLOADS[1])
@example(PAYLOADS[2])
@example(PAYLOADS[3])
@example(PAYLOADS[5])
@example(PAYLOADS[8])
def test_hostile_text_never_becomes_markup_in_the_index(tmp_path_factory, text: str) -> None:
    benign = _index_page(tmp_path_factory.mktemp("index"), "harmless words")
    hostile = _index_page(tmp_path_factory.mktemp("index"), text)
    assert _shape(hostile) <= _shape(benign), sorted(_shape(hostile) - _shape(benign))
    assert _scripts(hostile) == _scripts(benign)


def test_a_council_code_cannot_name_a_file_outside_the_council_folder(tmp_path: Path) -> None:
    _index_page(tmp_path, "../../evil")
    assert sorted(p.name for p in (tmp_path / "run" / "councils").iterdir()) == ["------evil.html",
                                                                                 "E08000007.html"]
