"""Fuzz suite, report paths (issue 11, item 1): hostile text in a council's files and in parameters, through
``asc data build`` and ``asc run`` (papermill, the HTML report, the run index, the workbook).

A sample of the cases of :mod:`tests.fuzz.reports` (``scripts/fuzz_report.py`` runs them all, with the figures in
docs/reliability.md): no page gains an element or attribute the template does not have, no workbook cell is a
formula, and a refused value is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import reports as R

pytestmark = [pytest.mark.national, pytest.mark.notebooks, pytest.mark.slow]

SAMPLE = [
    R.ReportCase("report 03", "script tag", "03 forecast variance, text fields"),
    R.ReportCase("report 03", "=HYPERLINK", "03 forecast variance, text fields"),
    R.ReportCase("report 04", "img onerror", "04 performance scorecard, text fields"),
    R.ReportCase("report 04", "markdown", "04 performance scorecard, text fields"),
    R.ReportCase("report 03", "backticks", "03 forecast variance, a number cell"),
]


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, R.Baseline]:
    out = {}
    for case in SAMPLE:
        if case.target not in out:
            report, where = case.target.split(", ")
            out[case.target] = R.baseline(report, tmp_path_factory.mktemp("base"), stale=where != "text fields")
    return out


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: c.id)
def test_hostile_council_text_is_never_live(case: R.ReportCase, baselines: dict, tmp_path: Path) -> None:
    outcome, detail = R.run_report(case, tmp_path, baselines[case.target])
    where = case.target.split(", ")[1]
    assert outcome == ("escaped" if where == "text fields" else "clear error"), detail
    if where != "text fields":  # refused in one line naming the file, row and column, and shown as text
        assert "budget_monitoring.csv, row 2, column 'budget_gbp_k'" in detail
        assert "'index.html': 0" not in detail, detail  # the banner's reason reaches the index, as text


@pytest.mark.parametrize("case", [c for c in R.parameter_cases() if c.payload == "script tag"], ids=lambda c: c.id)
def test_hostile_parameter_is_refused_in_one_line(case: R.ReportCase, tmp_path: Path) -> None:
    outcome, detail = R.run_parameter(case, tmp_path)
    assert outcome == "clear error", detail
