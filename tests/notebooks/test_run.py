"""Tests of the notebook runner (helpers.pipeline notebooks, execute, outputs): parameters, runs, failures.

The notebooks used here are small synthetic fixtures in ``tests/fixtures/notebooks`` (not reports).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from helpers.core.errors import ParameterError
from helpers.pipeline import execute, notebooks, outputs

FIX = Path(__file__).parents[1] / "fixtures" / "notebooks"
TRIVIAL = FIX / "trivial.ipynb"

pytestmark = pytest.mark.notebooks


def _code_outputs(path: str | Path) -> list:
    """Cells' execution counts and outputs, without metadata (timings differ run to run)."""
    nb = nbformat.read(str(path), as_version=4)
    out = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        outs = [{k: v for k, v in o.items() if k != "metadata"} for o in c.get("outputs", [])]
        out.append((c.get("execution_count"), c.source, outs))
    return out


def test_find_notebook_by_name_and_errors() -> None:
    assert notebooks.find_notebook("trivial", FIX) == FIX / "trivial.ipynb"
    assert notebooks.find_notebook(str(TRIVIAL)) == TRIVIAL.resolve()
    with pytest.raises(ParameterError, match=r"unknown notebook .nope.; notebooks are: dies, noted, slow, trivial"):
        notebooks.find_notebook("nope", FIX)


def test_notebook_parameters_read_types_defaults_and_help() -> None:
    p = notebooks.notebook_parameters(TRIVIAL)
    assert list(p) == ["council", "n", "names"]
    assert p["n"].type_name == "int" and p["n"].default == 3 and p["n"].help == "a whole number"
    assert p["names"].default == ["a", "b"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"nope": "1"}, r"has no parameter 'nope'; its parameters are: council, n, names"),
        ({"n": "three"}, r"parameter 'n': expected int, got 'three'"),
        ({"n": "true"}, r"parameter 'n': expected int"),
        ({"council": "E99999999"}, r"E99999999"),
    ],
)
def test_bad_parameters_refused_before_any_kernel(raw: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        notebooks.prepare_parameters(TRIVIAL, raw)


def test_parameters_coerced_and_council_name_resolved() -> None:
    got = notebooks.prepare_parameters(TRIVIAL, {"n": "5", "names": "x,y", "council": "Stockport"})
    assert got == {"n": 5, "names": ["x", "y"], "council": "E08000007"}


def test_warm_runs_give_the_same_notebook_as_plain_papermill(tmp_path: Path) -> None:
    """The warm kernel (reused across notebooks, reset in between) must not change any output."""
    params = {"council": "E08000009", "n": 5}
    jobs = []
    for i, mode in enumerate(["cold", "warm", "warm", "warm"]):
        p = {**params, "n": 7} if i == 2 else params  # a different run in between must not leak state
        jobs.append(execute.Job(str(TRIVIAL), p, str(tmp_path / f"{i}.ipynb"), str(tmp_path / f"{i}.html"),
                            title="t", mode=mode, html=False))
    results = [execute.run_job(j) for j in jobs]
    execute.shutdown_warm_kernel()
    assert [r.status for r in results] == ["ok"] * 4, [r.error for r in results]
    cold = _code_outputs(tmp_path / "0.ipynb")
    assert _code_outputs(tmp_path / "1.ipynb") == cold
    assert _code_outputs(tmp_path / "3.ipynb") == cold
    assert _code_outputs(tmp_path / "2.ipynb") != cold  # it really ran with n = 7
    # the figure was drawn in every run (matplotlib state reset, not broken)
    assert any("image/png" in o.get("data", {}) for _, _, outs in _code_outputs(tmp_path / "3.ipynb") for o in outs)


def test_failing_notebook_reported_with_cell_and_message(tmp_path: Path) -> None:
    job = execute.Job(str(TRIVIAL), {"n": 99}, str(tmp_path / "f.ipynb"), str(tmp_path / "f.html"), title="t",
                  mode="cold")
    r = execute.run_job(job)
    assert r.status == "failed"
    assert r.failed_cell == 4
    assert r.error == "cell [4]: AssertionError: n must not be 99"
    assert Path(r.output_ipynb).is_file() and Path(r.output_html).is_file()  # kept for reading


def test_dead_kernel_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    job = execute.Job(str(FIX / "dies.ipynb"), {}, str(tmp_path / "d.ipynb"), str(tmp_path / "d.html"), mode="warm")
    r = execute.run_job(job)
    assert r.status == "failed" and "kernel died" in r.error
    # the next job in the same worker gets a new kernel
    ok = execute.run_job(execute.Job(str(FIX / "dies.ipynb"), {"how": "ok"}, str(tmp_path / "e.ipynb"),
                             str(tmp_path / "e.html"), mode="warm", html=False))
    execute.shutdown_warm_kernel()
    assert ok.status == "ok", ok.error


def test_cell_timeout_reported(tmp_path: Path) -> None:
    job = execute.Job(str(FIX / "slow.ipynb"), {}, str(tmp_path / "s.ipynb"), str(tmp_path / "s.html"), mode="cold",
                  timeout=2, html=False)
    r = execute.run_job(job)
    assert r.status == "failed" and "timeout" in r.error


def test_run_folder_index_manifest_and_failures_listed(tmp_path: Path) -> None:
    run_dir = outputs.new_run_dir(tmp_path, "t")
    specs = [(TRIVIAL, {"n": n}) for n in (1, 2, 3, 4, 5, 99)]
    jobs = execute.plan_jobs(specs, run_dir, batch=True, mode="warm")
    # the default executor: a pool of two worker processes, each with its own warm kernel
    summary = execute.execute(jobs, run_dir, workers=2, progress=False, command="test")
    assert not summary.ok and len(summary.failed) == 1, [r.error for r in summary.results]
    assert not list(FIX.glob("kernel-ipc-*")), "kernel sockets left in the notebook folder"
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["counts"] == {"notebooks": 6, "failed": 1}
    assert manifest["git"]["commit"] and manifest["packages"]["papermill"]
    by_n = {j["parameters"]["n"]: j for j in manifest["jobs"]}
    assert by_n[1]["status"] == "ok" and by_n[99]["failed_cell"] == 4
    assert by_n[1]["html"] == "trivial/1.html" and (run_dir / "trivial" / "1.html").is_file()
    index = (run_dir / "index.html").read_text()
    assert "1 of 6 reports FAILED" in index and "AssertionError: n must not be 99" in index
    assert index.index("FAILED</td>") < index.index(">ok</td>")  # failures listed first
    assert (run_dir / "run.log").read_text().count("FAILED") == 1
    # a second run never reuses the folder
    assert outputs.new_run_dir(tmp_path, "t") != run_dir


def test_html_hides_code_and_has_contents(tmp_path: Path) -> None:
    job = execute.Job(str(TRIVIAL), {"n": 2}, str(tmp_path / "h.ipynb"), str(tmp_path / "h.html"), title="t",
                  mode="cold")
    r = execute.run_job(job)
    assert r.status == "ok", r.error
    page = Path(r.output_html).read_text()
    assert "params.check" not in page  # code hidden
    assert 'href="#Part-one"' in page and 'id="Part-one"' in page and 'href="#Part-two"' in page
    assert "Run with" in page and "E08000007" in page


@pytest.mark.slow
def test_dask_executor_path(tmp_path: Path) -> None:
    """The batch runner takes any concurrent.futures executor: here a local Dask cluster's."""
    distributed = pytest.importorskip("distributed")
    run_dir = outputs.new_run_dir(tmp_path, "dask")
    jobs = execute.plan_jobs([(TRIVIAL, {"n": i}) for i in (1, 2, 3)], run_dir, batch=True, mode="warm", html=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
            distributed.Client(cl) as client:
        summary = execute.execute(jobs, run_dir, executor=client.get_executor(), progress=False)
    assert summary.ok, [r.error for r in summary.results]
    assert sorted(r.parameters["n"] for r in summary.results) == [1, 2, 3]


def test_all_councils_batch_of_council_data_notebook_uses_each_councils_latest_period() -> None:
    """--all-councils on a council-report notebook: every council with figures, at its own latest period."""
    from helpers.core.paths import NOTEBOOKS

    nb = NOTEBOOKS / "03_forecast_variance.ipynb"
    got = notebooks.batch_parameters(nb, {})
    assert got == [
        {"council": "E08000007", "financial_year": "2023-24", "period": "Q2"},
        {"council": "E10000003", "financial_year": "2018-19", "period": "M04"},
        {"council": "E10000024", "financial_year": "2024-25", "period": "M03"},
    ]
    fixed = notebooks.batch_parameters(nb, {"financial_year": "2017-18", "period": "Q3"})
    assert [p["council"] for p in fixed] == ["E08000007", "E10000003", "E10000024"]
    assert all(p["period"] == "Q3" for p in fixed)


def test_report_notes_reach_the_index_and_manifest(tmp_path: Path) -> None:
    """A report that ran but has little to show says so in the index (synthetic fixture notebook)."""
    run_dir = outputs.new_run_dir(tmp_path, "notes")
    jobs = execute.plan_jobs([(FIX / "noted.ipynb", {"year": "2019-20"})], run_dir, batch=True, mode="cold")
    summary = execute.execute(jobs, run_dir, workers=1, progress=False)
    assert summary.ok and summary.results[0].notes == ["No figures for 2019-20: nothing to compare."]
    index = (run_dir / "index.html").read_text()
    assert "1 report(s) carry notes" in index and "No figures for 2019-20: nothing to compare." in index
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["jobs"][0]["notes"] == ["No figures for 2019-20: nothing to compare."]
    assert not list(run_dir.rglob("*.notes"))


def test_all_councils_batch_of_national_notebook_uses_the_default_years_councils(tmp_path: Path) -> None:
    """Councils of the notebook's default year (2022-23: 152, with Cumbria), not of the latest year."""
    got = notebooks.batch_parameters(FIX / "noted.ipynb", {})
    codes = [p["council"] for p in got]
    assert len(codes) == 152 and "E10000006" in codes and "E06000063" not in codes
