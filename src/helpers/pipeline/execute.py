"""Running notebooks: jobs, warm kernels, papermill, and the executor that runs a batch in parallel.

A failing notebook does not stop the others; :func:`execute` returns the summary (and writes the run's index,
manifest and log through :mod:`helpers.pipeline.outputs`); the CLI exits non-zero when any notebook failed.

Jobs run on a :class:`concurrent.futures.Executor`: a process pool by default, or any executor the caller
passes (for example ``dask.distributed.Client(...).get_executor()``). Two execution modes give the same
executed notebook:

``cold``
    plain ``papermill.execute_notebook``: a new kernel per notebook (about 4 s of kernel start and imports).
``warm``
    each worker process keeps one kernel with the heavy imports done and runs notebook after notebook in it
    through papermill with a registered engine (``asc-warm``). Before each notebook the kernel's namespace is
    cleared (``%reset -f``), matplotlib's settings and open figures are reset, the working directory is set and
    the execution counter restarts at 1, so the executed notebook is the one a fresh kernel would give.
"""

from __future__ import annotations

import json
import logging
import multiprocessing.util
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from tqdm import tqdm

from helpers.core.errors import AscError
from helpers.core.paths import national_dir
from helpers.pipeline.notebooks import notebook_title
from helpers.pipeline.outputs import (
    JobResult,
    RunSummary,
    export_html,
    point_latest,
    write_index,
    write_manifest,
)

log = logging.getLogger("asc.run")

#: Default per-cell timeout in seconds.
CELL_TIMEOUT = 600
#: Environment for kernels: one numerical thread each (the workers already use every core).
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Code run in a warm kernel once, when it starts: the heavy imports every notebook makes.
WARMUP_CODE = """
import matplotlib
import matplotlib.pyplot
import pandas, numpy, seaborn, scipy.stats, statsmodels.api
import helpers
matplotlib._asc_rc = {k: v for k, v in matplotlib.rcParams.items() if k not in ('backend', 'interactive')}
"""
#: Code run in a warm kernel before each notebook (silently, not recorded in the notebook). It leaves an
#: empty namespace, the matplotlib settings of a fresh kernel and the execution counter at 1.
RESET_CODE = """
import matplotlib as _m, matplotlib.pyplot as _p, os as _o
_p.close('all')
_m.rcParams.update(_m._asc_rc)
_o.chdir({cwd!r})
_o.environ['ASC_READ_LOG'] = {read_log!r}
_o.environ['ASC_OUTPUT_PREFIX'] = {prefix!r}
get_ipython().run_line_magic('reset', '-f')
get_ipython().user_ns.update({{'_': '', '__': '', '___': ''}})
get_ipython().execution_count = 1
"""


# --------------------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------------------

@dataclass
class Job:
    """One notebook execution."""

    notebook: str
    parameters: dict[str, Any]
    output_ipynb: str
    output_html: str
    title: str = ""
    timeout: int = CELL_TIMEOUT
    mode: str = "warm"
    html: bool = True


class _Warm:
    """The warm kernel of this worker process (one per process)."""

    km: Any = None
    kc: Any = None
    ipc_dir: str | None = None


_WARM = _Warm()


def _register_warm_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient  # lazy: slow import (see run_job)
    from papermill.engines import NBClientEngine, papermill_engines  # lazy: as above
    from papermill.utils import merge_kwargs, remove_args  # lazy: as above

    if "asc-warm" in papermill_engines._engines:
        return

    class WarmClient(PapermillNotebookClient):
        preamble: str = ""

        def papermill_execute_cells(self) -> None:  # noqa: D401 - papermill hook
            if self.preamble:
                msg_id = self.kc.execute(self.preamble, silent=True, store_history=False)
                reply = self.wait_for_reply(msg_id)
                if reply is None or reply["content"].get("status") != "ok":
                    err = (reply or {}).get("content", {})
                    raise AscError(f"could not reset the warm kernel: {err.get('ename')}: {err.get('evalue')}")
            super().papermill_execute_cells()

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            preamble = kwargs.pop("preamble", "")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logging.getLogger("papermill"),
                                 log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            fresh = _WARM.km is None or not _WARM.km.has_kernel
            if fresh:
                # IPC sockets (no TCP ports) in a private folder: several workers started in the same
                # working directory must never share socket paths.
                _WARM.ipc_dir = tempfile.mkdtemp(prefix="asc-kernel-")
                _WARM.km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc",
                                              ip=os.path.join(_WARM.ipc_dir, "kernel"))
                _WARM.kc = None
            client = WarmClient(nb_man, km=_WARM.km, **final)
            client.kc = _WARM.kc
            client.preamble = (WARMUP_CODE if fresh else "") + preamble
            try:
                return client.execute()
            finally:
                _WARM.kc = client.kc

    papermill_engines.register("asc-warm", WarmEngine)


def shutdown_warm_kernel() -> None:
    """Shut down this process's warm kernel, if any."""
    if _WARM.km is not None:
        try:
            if _WARM.kc is not None:
                _WARM.kc.stop_channels()
            run_sync(_WARM.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
        _WARM.km = _WARM.kc = None
    if _WARM.ipc_dir:
        shutil.rmtree(_WARM.ipc_dir, ignore_errors=True)
        _WARM.ipc_dir = None


def _one_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    return " ".join(text.splitlines()[-1:]) if text else ""


def run_job(job: Job) -> JobResult:
    """Execute one notebook (cold or warm) and export its HTML. Never raises: failures are in the result.

    This function runs in a worker process (or in the caller's process for a single notebook).
    """
    import papermill as pm  # lazy: seconds to import; `asc data` never needs it
    from papermill.exceptions import PapermillExecutionError  # lazy: as papermill

    for key, value in THREAD_ENV.items():
        os.environ.setdefault(key, value)  # kernels started from here inherit it
    if "inline" not in os.environ.get("MPLBACKEND", "inline"):
        # A non-inline backend (e.g. Agg from a headless shell) would leave every chart out of the report.
        os.environ.pop("MPLBACKEND")
    nb_path = Path(job.notebook).resolve()
    out = Path(job.output_ipynb).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    read_log = str(out.with_suffix(".reads"))
    notes_file = Path(str(out.with_suffix("")) + ".notes")
    Path(read_log).unlink(missing_ok=True)
    notes_file.unlink(missing_ok=True)
    status, error, failed_cell = "ok", "", None
    t0 = time.perf_counter()
    try:
        kwargs: dict[str, Any] = dict(
            kernel_name="python3", cwd=str(nb_path.parent), execution_timeout=job.timeout,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        )
        if job.mode == "warm":
            _register_warm_engine()
            pre = RESET_CODE.format(cwd=str(nb_path.parent), read_log=read_log, prefix=str(out.with_suffix("")))
            pm.execute_notebook(str(nb_path), str(out), parameters=job.parameters or None,
                                engine_name="asc-warm", preamble=pre, **kwargs)
        else:
            os.environ["ASC_READ_LOG"] = read_log
            os.environ["ASC_OUTPUT_PREFIX"] = str(out.with_suffix(""))
            pm.execute_notebook(str(nb_path), str(out), parameters=job.parameters or None, **kwargs)
    except PapermillExecutionError as exc:
        status = "failed"
        failed_cell = exc.exec_count
        error = f"cell [{exc.exec_count}]: {exc.ename}: {_one_line(exc.evalue)}"
    except Exception as exc:  # noqa: BLE001 - a dead kernel, a timeout, a bad notebook: report, don't crash
        status = "failed"
        name = type(exc).__name__
        if name == "DeadKernelError":
            error = "the kernel died (out of memory or a crash): see run.log; rerun this notebook alone"
            shutdown_warm_kernel()
        elif name in ("CellTimeoutError", "TimeoutError"):
            error = f"a cell ran longer than the {job.timeout} s timeout: raise it with --timeout"
            shutdown_warm_kernel()
        else:
            error = f"{name}: {_one_line(str(exc))}"
            log.debug("job failed: %s", traceback.format_exc())
    seconds = time.perf_counter() - t0
    reads = sorted(set(Path(read_log).read_text().split())) if Path(read_log).is_file() else []
    Path(read_log).unlink(missing_ok=True)
    notes = [ln for ln in notes_file.read_text(encoding="utf-8").splitlines() if ln.strip()] \
        if notes_file.is_file() else []
    notes_file.unlink(missing_ok=True)
    html_path = None
    t1 = time.perf_counter()
    if job.html and out.is_file():
        try:
            export_html(out, Path(job.output_html), title=job.title, parameters=job.parameters)
            html_path = job.output_html
        except Exception as exc:  # noqa: BLE001
            status = "failed"
            error = error or f"HTML export failed: {type(exc).__name__}: {_one_line(str(exc))}"
    return JobResult(
        notebook=job.notebook, parameters=job.parameters, status=status, seconds=seconds,
        output_ipynb=str(out) if out.is_file() else "", output_html=html_path, title=job.title, error=error,
        failed_cell=failed_cell, tables_read=reads, html_seconds=time.perf_counter() - t1, notes=notes,
    )


def _slug_params(parameters: dict[str, Any]) -> str:
    if not parameters:
        return "defaults"
    return "_".join(re.sub(r"[^A-Za-z0-9.-]+", "-", str(v)) for v in parameters.values())[:80]


def plan_jobs(specs: Iterable[tuple[Path, dict[str, Any]]], run_dir: Path, *, batch: bool = False,
              mode: str = "warm", timeout: int = CELL_TIMEOUT, html: bool = True) -> list[Job]:
    """Turn (notebook, parameters) pairs into jobs with output paths inside ``run_dir``.

    A single run of a notebook writes ``<run>/<notebook>.ipynb``; a batch writes
    ``<run>/<notebook>/<parameter values>.ipynb``.
    """
    jobs = []
    titles: dict[Path, str] = {}
    for nb, p in specs:
        nb = Path(nb)
        titles.setdefault(nb, notebook_title(nb))
        base = run_dir / nb.stem / _slug_params(p) if batch else run_dir / nb.stem
        jobs.append(Job(str(nb), dict(p), str(base.with_suffix(".ipynb")), str(base.with_suffix(".html")),
                        title=titles[nb], timeout=timeout, mode=mode, html=html))
    return jobs


def _init_worker() -> None:
    logging.getLogger("papermill").setLevel(logging.WARNING)
    multiprocessing.util.Finalize(None, shutdown_warm_kernel, exitpriority=10)


def execute(jobs: list[Job], run_dir: Path, *, executor: Executor | None = None, workers: int | None = None,
            progress: bool = True, command: str = "", on_result: Callable[[JobResult], None] | None = None
            ) -> RunSummary:
    """Run jobs in parallel and write the run's index, manifest and log.

    Parameters
    ----------
    jobs
        From :func:`plan_jobs`.
    run_dir
        The run folder (from :func:`helpers.pipeline.outputs.new_run_dir`).
    executor
        Any :class:`concurrent.futures.Executor` (e.g. a Dask client's ``get_executor()``); by default a
        process pool of ``workers`` processes (default: the number of CPU cores, at most the number of jobs).
    progress
        Show a progress bar that advances once per finished notebook.

    Returns
    -------
    RunSummary
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(run_dir / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("run %s: %d notebook(s)%s", run_dir.name, len(jobs), f" ({command})" if command else "")
    log.info("national data folder: %s", national_dir())
    t0 = time.perf_counter()
    results: list[JobResult] = []
    own = executor is None
    if own:
        n = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        executor = ProcessPoolExecutor(max_workers=n, initializer=_init_worker)
    try:
        futures = {executor.submit(run_job, job): job for job in jobs}
        bar = tqdm(total=len(jobs), unit="notebook", disable=not progress, file=sys.stderr,
                   bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} notebooks [{elapsed}<{remaining}]")
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker process died
                res = JobResult(job.notebook, job.parameters, "failed", 0.0, "", None, job.title,
                                error=f"worker failed: {type(exc).__name__}: {_one_line(str(exc))}")
            results.append(res)
            where = Path(res.notebook).stem + (f" {res.parameters}" if res.parameters else "")
            if res.status == "ok":
                log.info("ok     %s in %.1f s", where, res.seconds)
            else:
                log.error("FAILED %s: %s", where, res.error)
            if on_result:
                on_result(res)
            bar.update(1)
        bar.close()
    finally:
        if own:
            executor.shutdown(wait=True)
    results.sort(key=lambda r: (Path(r.notebook).name, json.dumps(r.parameters, sort_keys=True, default=str)))
    summary = RunSummary(run_dir, results, time.perf_counter() - t0)
    write_manifest(summary, command=command)
    write_index(summary)
    log.info("finished in %.1f s: %d ok, %d failed", summary.seconds, len(results) - len(summary.failed),
             len(summary.failed))
    log.removeHandler(handler)
    handler.close()
    point_latest(run_dir)
    return summary


