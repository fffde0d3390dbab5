"""Every notebook executed through the runner, on its defaults and on its test parameter sets.

A notebook lists extra parameter sets (edge cases: a council with a boundary change, a suppressed value, a
missing year...) in its metadata under ``asc.test_parameters``; notebooks that read national tables say
``asc.needs_national: true`` and are skipped with the reason when the national data are absent.
All runs go through :func:`helpers.pipeline.execute.execute` in one batch (warm kernels, two workers), as ``asc run`` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from helpers.core.paths import NOTEBOOKS
from helpers.data import sources
from helpers.pipeline import execute, notebooks, outputs
from helpers.reports import present

HAS_NATIONAL = sources.national_available()
NATIONAL_REASON = "no national data files: set ASC_NATIONAL_DIR to the folder of national files (CI: ../shared/data)"

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


def _plan() -> list[tuple[Path, dict]]:
    specs = []
    for path in notebooks.list_notebooks(NOTEBOOKS):
        meta = nbformat.read(str(path), as_version=4).metadata.get("asc", {})
        if meta.get("needs_national") and not HAS_NATIONAL:
            continue
        specs.append((path, {}))
        specs += [(path, dict(p)) for p in meta.get("test_parameters", [])]
    return specs


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, built_tables) -> outputs.RunSummary:
    specs = _plan()
    if not specs:
        pytest.skip(NATIONAL_REASON)
    run_dir = outputs.new_run_dir(tmp_path_factory.mktemp("runs"), "test")
    jobs = execute.plan_jobs(specs, run_dir, batch=True, mode="warm", timeout=600)
    return execute.execute(jobs, run_dir, workers=2, progress=False, command="tests/test_notebooks.py")


def test_every_notebook_and_parameter_set_runs(batch: outputs.RunSummary) -> None:
    failures = [f"{Path(r.notebook).stem} {r.parameters}: {r.error}" for r in batch.failed]
    assert not failures, "\n".join(failures)


def test_every_report_has_html_without_code(batch: outputs.RunSummary) -> None:
    for r in batch.results:
        page = Path(r.output_html).read_text(encoding="utf-8")
        assert "params.check(" not in page, f"code shown in {r.output_html}"
        assert "Traceback" not in page


def test_skipped_national_notebooks_say_why() -> None:
    if HAS_NATIONAL:
        pytest.skip("national data present: nothing skipped")
    needing = [p.stem for p in notebooks.list_notebooks(NOTEBOOKS)
               if nbformat.read(str(p), as_version=4).metadata.get("asc", {}).get("needs_national")]
    pytest.skip(f"{', '.join(needing) or 'no notebook'} not run: {NATIONAL_REASON}")


_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CELL = re.compile(r"#(T_\w+?_row\d+_col\d+)")
_RAG_WORDS = re.compile(r"^(red|amber|green|r|a|g)\b", re.IGNORECASE)


def test_every_chart_has_alt_text_and_every_table_a_caption(batch: outputs.RunSummary) -> None:
    """Accessibility (issue 16 item 9), in every report of every parameter set: what the charts' SVG / PNG
    outputs carry reaches the page's <img alt>, and a table without its own caption gets one."""
    problems = []
    for r in batch.results:
        main = BeautifulSoup(Path(r.output_html).read_text(encoding="utf-8"), "html.parser").find("main")
        for img in main.find_all("img"):
            alt = " ".join((img.get("alt") or "").split())
            if len(alt) < 20 or alt == "Chart: no title":  # a sentence: plots.alt_text's or the report's own
                problems.append(f"{Path(r.output_html).name}: a chart without alt text")
        for table in main.find_all("table"):
            if table.find("caption") is None or not table.caption.get_text(strip=True):
                problems.append(f"{Path(r.output_html).name}: a table without a caption")
    assert not problems, "\n".join(sorted(set(problems)))


def test_a_rag_colour_is_always_beside_its_word(batch: outputs.RunSummary) -> None:
    """Every table cell tinted a RAG colour says Red / Amber / Green (or R / A / G) in words."""
    tints = {c.upper() for c in present.RAG_TINTS.values()}
    seen = 0
    for r in batch.results:
        page = Path(r.output_html).read_text(encoding="utf-8")
        soup = BeautifulSoup(page, "html.parser")
        for selectors, body in _RULE.findall(page):
            colour = re.search(r"background-color:\s*(#[0-9A-Fa-f]{6})", body)
            if colour is None or colour.group(1).upper() not in tints:
                continue
            for cell_id in _CELL.findall(selectors):
                cell = soup.find(id=cell_id)
                assert cell is not None and _RAG_WORDS.match(cell.get_text(strip=True)), (r.output_html, cell_id)
                seen += 1
    assert seen > 0  # the budget and KPI reports colour their RAG cells
