"""Every default report's Excel workbook, as a finance team opens it (issue 16): the cover names the council and
period, every sheet's headings are words, periods read as the reports say them ("quarter 2", not "Q2"), and
figures are numbers, not text.

The reports are run as ``asc run`` runs them (the runner's executor, default parameters); the workbooks are read
back with openpyxl.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from helpers.core.paths import NOTEBOOKS
from helpers.data import sources
from helpers.pipeline import execute, notebooks, outputs

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

#: A machine name (snake_case) or a reporting-period code, which a reader should never meet in a workbook.
MACHINE = re.compile(r"[a-z]+(_[a-z0-9]+)+")
PERIOD_CODE = re.compile(r"(Q[1-4]|M(0[1-9]|1[0-2])|YE|BUD)\+?")
#: A figure written as text ("£798", "75.9%", "1,234"): it should be a number under a number format.
FIGURE_TEXT = re.compile(r"[-+]?£?[\d,]+(\.\d+)?%?")


def _default_reports() -> list[Path]:
    has_national = sources.national_available()
    return [p for p in notebooks.list_notebooks(NOTEBOOKS)
            if has_national or not nbformat.read(str(p), as_version=4).metadata.get("asc", {}).get("needs_national")]


#: Besides the defaults (Stockport): Cambridgeshire's reports, whose printed totals do not add up (a Checks sheet
#: with rows) and whose KPIs differ from the printed ratings.
CAMBRIDGESHIRE = [("03_forecast_variance", {"council": "E10000003", "financial_year": "2018-19", "period": "M04"}),
                  ("04_performance_scorecard", {"council": "E10000003", "financial_year": "2018-19", "period": "M03"})]


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory, built_tables) -> list[Path]:
    found = []
    for name, specs in (("defaults", [(nb, {}) for nb in _default_reports()]),
                        ("cambridgeshire", [(NOTEBOOKS / f"{nb}.ipynb", p) for nb, p in CAMBRIDGESHIRE])):
        run_dir = outputs.new_run_dir(tmp_path_factory.mktemp("workbooks"), name)
        jobs = execute.plan_jobs(specs, run_dir, mode="warm", html=False)
        summary = execute.execute(jobs, run_dir, workers=2, progress=False)
        assert not summary.failed, [r.error for r in summary.failed]
        found += sorted(run_dir.glob("*_workbook.xlsx"))
    assert len(found) >= 6, found
    return found


def test_the_cover_names_the_council_and_period_in_words(workbooks: list[Path]) -> None:
    for path in workbooks:
        cover = {r[0]: r[1] for r in load_workbook(path)["Cover"].iter_rows(values_only=True) if r[0] and r[1]}
        council = "Cambridgeshire" if "cambridgeshire" in str(path) else "Stockport"
        assert cover["Report"].startswith(f"{council} - "), (path.name, cover["Report"])
        assert cover["Council"].startswith(council), path.name
        assert not PERIOD_CODE.search(cover["Period"]), (path.name, cover["Period"])


def test_every_sheet_has_reader_headings_period_words_and_numbers_as_numbers(workbooks: list[Path]) -> None:
    problems = []
    for path in workbooks:
        for ws in load_workbook(path).worksheets:
            rows = list(ws.iter_rows(values_only=True))
            heads = rows[2] if len(rows) > 2 and ws.title != "Cover" and rows[1] == (None,) * len(rows[1]) else rows[0]
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    if not isinstance(v, str):
                        continue
                    where = f"{path.name} sheet {ws.title!r} row {i + 1} column {j + 1}: {v!r}"
                    if MACHINE.fullmatch(v.strip()):
                        problems.append(f"{where} is a machine name")
                    if PERIOD_CODE.fullmatch(v.strip()):
                        problems.append(f"{where} is a period code")
                    head = str(heads[j] or "") if j < len(heads) else ""
                    if ws.title != "Cover" and row is not heads and FIGURE_TEXT.fullmatch(v.strip()) \
                            and "printed" not in head.lower():
                        problems.append(f"{where} is a figure stored as text")
    assert not problems, "\n".join(problems[:40])
