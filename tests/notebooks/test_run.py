"""Tests of the notebook runner (helpers.pipeline notebooks, execute, outputs): parameters, runs, failures.

The notebooks used here are small synthetic fixtures in ``tests/fixtures/notebooks`` (not reports).
"""

from __future__ import annotations

import json
import re
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
    with pytest.raises(ParameterError, match=r"unknown notebook .nope.; notebooks are: dies, noted, slow, status, "
                       r"trivial"):
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
    # counts in words (issue 16: not "1 reports"); the failure is listed first, above the table in notebook order
    assert "6 reports: 5 ok, 1 failed" in index and "AssertionError: n must not be 99" in index
    assert index.index("Needs attention: 1 report") < re.search(r'<td class="status"[^>]*>ok</td>', index).start()
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
    assert "1 report carries notes" in index and "No figures for 2019-20: nothing to compare." in index
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["jobs"][0]["notes"] == ["No figures for 2019-20: nothing to compare."]
    assert not list(run_dir.rglob("*.notes"))


def test_all_councils_batch_of_national_notebook_uses_the_default_years_councils(tmp_path: Path) -> None:
    """Councils of the notebook's default year (2022-23: 152, with Cumbria), not of the latest year."""
    got = notebooks.batch_parameters(FIX / "noted.ipynb", {})
    codes = [p["council"] for p in got]
    assert len(codes) == 152 and "E10000006" in codes and "E06000063" not in codes


STATUS = FIX / "status.ipynb"


def _status_job(tmp_path: Path, name: str, **params) -> execute.Job:
    run_dir = tmp_path / "run"
    job = execute.plan_jobs([(STATUS, params)], run_dir, batch=True, mode="cold")[0]
    return job


@pytest.mark.parametrize(("given", "status"), [({}, "ok"), ({"status": "no data"}, "no data"),
                                               ({"status": "stale data"}, "stale data")])
def test_a_report_sets_its_own_status_and_its_data_files_are_recorded(tmp_path: Path, given: dict,
                                                                       status: str) -> None:
    """present.set_status -> <prefix>.status -> the result, the manifest and the index (synthetic fixture)."""
    run_dir = outputs.new_run_dir(tmp_path, "status")
    jobs = execute.plan_jobs([(STATUS, given)], run_dir, batch=True, mode="cold")
    summary = execute.execute(jobs, run_dir, workers=1, progress=False)
    r = summary.results[0]
    assert r.status == status and summary.ok  # no data / stale data are not failures: the run exits 0
    assert r.reasons == ([] if status == "ok" else [f"{status}: nothing for this year"])
    assert [Path(f).name for f in r.data_files] == ["defaults_figures.csv", "defaults_figures.xlsx"] if not given \
        else [Path(f).name for f in r.data_files][0].endswith("_figures.csv")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    job = manifest["jobs"][0]
    assert job["status"] == status and manifest["status"] == status
    assert manifest["statuses"][status] == 1 and manifest["counts"] == {"notebooks": 1, "failed": 0}
    assert all((run_dir / f).is_file() for f in job["data_files"]) and len(job["data_files"]) == 2
    assert job["all_parameters"] == {"status": "", "reason": "nothing for this year", "table": "councils",
                                     "export": True, **given}
    index = (run_dir / "index.html").read_text()
    assert re.search(f'<td class="status"[^>]*>{status}</td>', index)
    assert all(f'href="{f}"' in index for f in job["data_files"])
    if status != "ok":
        assert "Needs attention: 1 report" in index and "nothing for this year" in index
    assert not [p for p in run_dir.rglob("*") if p.suffix in (".status", ".exports", ".reads", ".notes")]


def test_a_table_whose_latest_build_failed_makes_the_report_stale_with_a_banner(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the notebook, every table it read is checked: a failed latest build -> stale data + a banner."""
    from helpers.data import tables

    real = tables.table_status
    monkeypatch.setattr(tables, "table_status", lambda name: ("failed", "councils.csv row 3: bad <code>")
                        if name == "councils" else real(name))
    job = _status_job(tmp_path, "stale")
    r = execute.run_job(job)
    assert r.status == "stale data" and r.tables_read == ["councils"]
    assert r.reasons == ["stale data: the latest build of councils failed (councils.csv row 3: bad <code>)"]
    page = Path(r.output_html).read_text()
    top = page.index('class="asc-banner asc-stale-data"')
    assert top < page.index("Read <strong>163</strong> rows")  # at the top, before the report's own output
    assert "the table councils could not be rebuilt" in page and "bad &lt;code&gt;" in page
    assert "bad <code>" not in page


def test_status_precedence_failed_over_stale_over_no_data(tmp_path: Path) -> None:
    from helpers.pipeline import words

    assert words.worst(["ok", "no data", "stale data"]) == "stale data"
    assert words.worst(["no data", "failed", "stale data"]) == "failed"
    assert words.worst(["ok", "no data"]) == "no data" and words.worst([]) == "ok"
    # a notebook that fails after saying "no data" is failed, and the run exits non-zero
    r = execute.run_job(_status_job(tmp_path, "f", status="no data", table="no_such_table"))
    assert r.status == "failed" and "no_such_table" in r.error


def test_executed_notebook_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that refuses papermill's last write leaves no truncated .ipynb and no temporary file."""
    import errno

    import papermill.iorw

    def full_disk(self, buf, path):  # papermill writes the executed notebook once, at the end
        with open(path, "w") as fh:
            fh.write(buf[: len(buf) // 2])  # half written, as on a full disk
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(papermill.iorw.LocalHandler, "write", full_disk)
    job = execute.Job(str(TRIVIAL), {"n": 2}, str(tmp_path / "t.ipynb"), str(tmp_path / "t.html"), mode="cold")
    r = execute.run_job(job)
    assert r.status == "failed" and "No space left on device" in r.error and r.error.count("\n") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing half-written, no .tmp
