"""End to end: a council's own figures, given as ONE Excel workbook in the template, run through the notebooks.

The workbook is written from Stockport's committed CSVs (real figures, in the other accepted format) into a
temporary project root (``ASC_PROJECT_ROOT``) that holds only that council, so the test exercises the path a
council analyst takes: fill the template, `asc data build`, `asc run NOTEBOOK -p council ...`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.core.paths import ROOT
from helpers.data import council_reports as council_data

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]
ASC = str(Path(sys.executable).parent / "asc")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "data" / "raw" / "councils" / "my_council").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    for name in ("reference", "sources.yml"):
        (root / "data" / "raw" / name).symlink_to(ROOT / "data" / "raw" / name)
    (root / "notebooks").symlink_to(ROOT / "notebooks")
    council_data.write_workbook(ROOT / "data" / "raw" / "councils" / "stockport",
                                root / "data" / "raw" / "councils" / "my_council" / "figures.xlsx")
    return root


def _asc(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASC_PROJECT_ROOT": str(project)}
    return subprocess.run([ASC, *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def test_workbook_builds_and_notebooks_run_on_it(project: Path) -> None:
    build = _asc(project, "data", "build", "council_budget", "council_kpis", "council_savings",
                 "council_reserves", "council_key_activity")
    assert build.returncode == 0, build.stderr
    assert "council_budget         built" in build.stdout
    for nb, params in (("forecast_variance", ["-p", "financial_year", "2017-18", "-p", "period", "Q3"]),
                       ("performance_scorecard", ["-p", "financial_year", "2023-24", "-p", "period", "Q2"])):
        proc = _asc(project, "run", nb, "-p", "council", "E08000007", *params, "--quiet")
        assert proc.returncode == 0, proc.stderr
    runs = sorted(p for p in (project / "outputs").iterdir() if p.is_dir() and p.name != "latest")
    manifests = [json.loads((r / "manifest.json").read_text()) for r in runs]
    assert all(m["status"] == "ok" for m in manifests)
    inputs = {k for m in manifests for k in m["input_files_sha256"]}
    assert "data/raw/councils/my_council/figures.xlsx" in inputs  # the workbook is what the reports read
