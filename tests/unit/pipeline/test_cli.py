"""The `asc` command line: bad input gets one clear line and a non-zero exit, before any kernel starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.core.paths import ROOT
from helpers.pipeline.cli import _expand_p, app

ASC = str(Path(sys.executable).parent / "asc")


def _asc(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([ASC, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_expand_p_accepts_both_spellings() -> None:
    assert _expand_p(["run", "nb", "-p", "council", "E08000007", "-p", "year=2022-23"]) == [
        "run", "nb", "-p", "council=E08000007", "-p", "year=2022-23"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nope"], "error: unknown notebook 'nope'; notebooks are: "),
        (["run", "data_overview", "-p", "colour", "red"], "has no parameter 'colour'; its parameters are: council"),
        (["run", "data_overview", "-p", "council", "E99999999"], "E99999999"),
        (["run", "data_overview", "--mode", "tepid"], "--mode 'tepid': use warm or cold"),
        (["run", "-p", "council", "E08000007"], "give a notebook name"),
        # every parameter has a rule: refused here, not in 153 kernels
        (["run", "spend_benchmarking", "-p", "expenditure", "grss", "--all-councils"],
         "parameter 'expenditure': 'grss' is not one of ['gross', 'net']"),
        (["run", "ascof_benchmarking", "-p", "measures", "1G, 9Z", "--all-councils"],
         "parameter 'measures': '9Z' is not an ASCOF measure"),
        (["run", "ascof_benchmarking", "-p", "trend_measures", "2A(9)"],
         "parameter 'trend_measures': '2A(9)' is not an ASCOF measure"),
        (["run", "spend_benchmarking", "-p", "mad_scaled", "maybe"], "parameter 'mad_scaled': expected bool"),
        (["run", "forecast_variance", "-p", "top_lines", "0"], "parameter 'top_lines': expected a whole number"),
        # issue 11: a zero or negative timeout silently disabled it
        (["run", "data_overview", "--timeout", "0"], "--timeout 0: give the per-cell timeout in seconds, at least 1"),
        (["run", "data_overview", "--timeout", "-5"], "--timeout -5: give the per-cell timeout in seconds"),
        (["run", "data_overview", "--pdf", "--no-html"], "--pdf prints the HTML reports"),
        (["pack", "Nowhereshire"], "unknown council 'Nowhereshire'"),
        (["pack", "Stockport", "-p", "council", "E08000009"], "`asc pack COUNCIL` names the council itself"),
        (["pack", "Stockport", "-p", "colour", "red"], "no notebook has a parameter 'colour'"),
        (["pack", "Stockport", "-p", "year", "2023/24"], "parameter 'year'"),
        (["pack", "Stockport", "--timeout", "0"], "--timeout 0"),
        # a hostile parameter *name* with a leading '=' (issue 11 fuzz): one line naming it, not typer's usage box
        (["run", "forecast_variance", "-p", '=HYPERLINK("http://x.invalid","click")', "x"],
         "parameter '=HYPERLINK(\"http://x.invalid\",\"click\")=x': write -p NAME VALUE"),
        (["run", "forecast_variance", "-p", "=x"], "parameter '=x': write -p NAME VALUE"),
    ],
)
def test_bad_input_one_line_non_zero(args: list[str], message: str) -> None:
    """In process (the entry point's own argument handling, ``_expand_p``, first): every case in a second."""
    result = CliRunner().invoke(app, _expand_p(args))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr


def test_bad_input_through_the_installed_command() -> None:
    proc = _asc("run", "spend_benchmarking", "-p", "expenditure", "grss", "--all-councils")
    assert proc.returncode == 2
    assert proc.stderr == "error: parameter 'expenditure': 'grss' is not one of ['gross', 'net']\n"


def test_missing_national_folder_is_one_line_and_non_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASC_NATIONAL_DIR", str(tmp_path / "nowhere"))
    result = CliRunner().invoke(app, ["data", "build", "population"])
    assert result.exit_code == 1
    assert "does not exist: set ASC_NATIONAL_DIR" in result.stderr


def test_rag_threshold_in_scientific_notation_accepted_before_any_kernel() -> None:
    from helpers.pipeline import notebooks

    nb = notebooks.find_notebook("forecast_variance")
    assert notebooks.prepare_parameters(nb, {"rag_red_min_gbp_k": "1e3"}) == {"rag_red_min_gbp_k": 1000.0}


def test_read_only_output_folder_is_one_line_and_non_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An output folder that cannot be written (here: one that is a file) is one line, never a traceback."""
    blocked = tmp_path / "outputs"
    blocked.write_text("not a folder")
    result = CliRunner().invoke(app, ["run", "data_overview", "--output-dir", str(blocked / "sub"), "--quiet"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot create a run folder in ") and "Traceback" not in \
        result.output


def test_notebooks_lists_parameters() -> None:
    result = CliRunner().invoke(app, ["notebooks"])
    assert result.exit_code == 0 and "00_data_overview" in result.stdout and "council: str" in result.stdout


def test_pack_gives_each_report_the_parameters_it_declares() -> None:
    """asc pack: every notebook with a council; the year where it applies; council-report notebooks at the
    council's latest period of that year, or left out with the reason."""
    from helpers.pipeline.pack import pack_specs

    specs, skipped = pack_specs("Stockport", {"year": "2023-24"})
    got = {p.stem: params for p, params in specs}
    assert got["01_spend_benchmarking"] == {"council": "E08000007", "year": "2023-24"}
    assert got["03_forecast_variance"] == {"council": "E08000007", "financial_year": "2023-24", "period": "Q2"}
    assert got["00_data_overview"] == {"council": "E08000007"} and skipped == []
    specs, skipped = pack_specs("Leeds", {})
    assert "03_forecast_variance" not in {p.stem for p, _ in specs}
    assert [t for t, _ in skipped] == ["Forecast variance", "Performance scorecard"]
    assert skipped[0][1].startswith("Leeds has no report figures in data/raw/councils/")
