"""The notebook runner: papermill execution, HTML reports, an index page, a manifest and a log per run.

Every run writes ``outputs/<run_id>/`` (never overwriting an earlier run) with

* the executed notebooks (``<notebook>.ipynb``, or ``<notebook>/<council>.ipynb`` for a batch),
* their HTML with the code hidden and a contents section (nbconvert),
* ``index.html`` listing every report with its parameters and status (and where a failure happened),
* ``manifest.json``: parameters, git commit, package versions, sha256 of every input file read, timings,
  status per notebook,
* ``run.log``.

A failing notebook does not stop the others; :func:`execute` returns the summary and the CLI exits
non-zero when any notebook failed.

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

import datetime as dt
import html
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from helpers.core.errors import AscError, ParameterError
from helpers.core.paths import NOTEBOOKS, OUTPUTS, ROOT, national_dir
from helpers.pipeline import params as params_mod

log = logging.getLogger("asc.run")

#: Default per-cell timeout in seconds.
CELL_TIMEOUT = 600
#: Packages whose versions go into the manifest.
PACKAGES = (
    "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "pandera", "pyarrow", "papermill",
    "nbconvert", "nbclient", "ipykernel", "python-calamine", "asc-helpers",
)
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
# Notebooks and their parameters
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NotebookParam:
    """One parameter of a notebook's ``parameters`` cell."""

    name: str
    type_name: str | None
    default: Any
    help: str


def list_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Return the notebooks in ``folder``, sorted by name (checkpoints excluded)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))


def find_notebook(name: str, folder: Path = NOTEBOOKS) -> Path:
    """Resolve a notebook given as a path, a file name or a name without number/extension.

    ``spend_benchmarking``, ``02_spend_benchmarking``, ``02_spend_benchmarking.ipynb`` and
    ``notebooks/02_spend_benchmarking.ipynb`` all name the same notebook.

    Raises
    ------
    ParameterError
        Unknown (or ambiguous) notebook, listing the notebooks there are.
    """
    p = Path(name)
    if p.suffix == ".ipynb" and p.is_file():
        return p.resolve()
    stem = p.stem if p.suffix == ".ipynb" else p.name
    nbs = list_notebooks(folder)
    exact = [n for n in nbs if n.stem == stem]
    loose = [n for n in nbs if re.sub(r"^\d+_", "", n.stem) == stem]
    hits = exact or loose
    if len(hits) == 1:
        return hits[0]
    names = ", ".join(re.sub(r"^\d+_", "", n.stem) for n in nbs) or "none"
    what = "ambiguous" if hits else "unknown"
    raise ParameterError(f"{what} notebook {name!r}; notebooks are: {names}")


def notebook_parameters(path: Path) -> dict[str, NotebookParam]:
    """Read the ``parameters`` cell of a notebook (names, type hints, defaults, comments).

    Uses papermill's own parser (:func:`papermill.inspect_notebook`), so the CLI sees the parameters the way
    papermill will inject them.
    """
    import papermill as pm

    found = pm.inspect_notebook(str(path))
    out = {}
    for name, info in found.items():
        default_src = info.get("default")
        try:
            import ast

            default = ast.literal_eval(default_src) if default_src is not None else None
        except (ValueError, SyntaxError):
            default = default_src
        type_name = info.get("inferred_type_name")
        out[name] = NotebookParam(name, None if type_name in (None, "None") else type_name, default,
                                  info.get("help") or "")
    return out


def prepare_parameters(path: Path, raw: dict[str, str] | None) -> dict[str, Any]:
    """Check command-line parameters against the notebook's parameters cell, before any kernel starts.

    Unknown names, values of the wrong type and values that break a named rule (council code, financial
    year, period) are refused with one line.

    Returns
    -------
    dict
        The parameters as typed values, ready for papermill (only those given).
    """
    declared = notebook_parameters(path)
    out: dict[str, Any] = {}
    for name, value in (raw or {}).items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise ParameterError(f"notebook {path.stem} has no parameter {name!r}; its parameters are: {known}")
        p = declared[name]
        out[name] = params_mod.coerce(name, value, p.type_name, p.default) if isinstance(value, str) else value
    checked = params_mod.check(re.sub(r"^\d+_", "", path.stem), **out)
    return checked


def notebook_title(path: Path) -> str:
    """The first markdown heading of a notebook (its title)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def batch_parameters(path: Path, checked: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameter sets of an ``--all-councils`` batch: one per council.

    National notebooks run for every council with adult social services responsibility in the ``year``
    given (default: the latest year), from :mod:`helpers.data.councils`.

    Notebooks whose metadata says ``"asc": {"councils": "council_data", "period_table": TABLE}`` run for every
    council with report figures in ``data/raw/councils``; unless ``financial_year`` and ``period`` are given,
    each council gets its own latest reporting period in ``TABLE`` (by the date its figures are as at), so no
    council is run for a period it never reported.
    """
    import nbformat

    meta = nbformat.read(str(path), as_version=4).metadata.get("asc", {})
    fixed = {k: v for k, v in checked.items() if k != "council"}
    if meta.get("councils") != "council_data":
        from helpers.data import councils

        year = checked.get("year") or checked.get("financial_year")
        if year is None:  # the councils of the notebook's default year, not of the latest year
            declared = notebook_parameters(path)
            year = next((declared[k].default for k in ("year", "financial_year") if k in declared), None)
        return [{"council": c, **fixed} for c in sorted(councils.current(year)["gss_code"])]
    from helpers.data import council_reports as council_data
    from helpers.data import tables

    codes = council_data.councils_with_data()
    table = meta.get("period_table")
    if not table or ("financial_year" in checked and "period" in checked):
        return [{"council": c, **fixed} for c in codes]
    df = tables.load(table, columns=["gss_code", "year", "period", "period_end"])
    out = []
    for code in codes:
        rows = df[df["gss_code"] == code]
        if "financial_year" in checked:
            rows = rows[rows["year"] == checked["financial_year"]]
        if rows.empty:
            continue  # no figures of this kind: nothing to report
        last = rows.sort_values(["period_end", "year", "period"]).iloc[-1]
        out.append({"council": code, **fixed, "financial_year": str(last["year"]), "period": str(last["period"])})
    return out


def batch_councils(path: Path, year: str | None = None) -> list[str]:
    """The council codes an ``--all-councils`` batch of this notebook covers (see :func:`batch_parameters`)."""
    return [p["council"] for p in batch_parameters(path, {"year": year} if year else {})]


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


@dataclass
class JobResult:
    """What happened to one job."""

    notebook: str
    parameters: dict[str, Any]
    status: str  # ok | failed
    seconds: float
    output_ipynb: str
    output_html: str | None
    title: str = ""
    error: str = ""
    failed_cell: int | None = None
    tables_read: list[str] = field(default_factory=list)
    html_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class _Warm:
    """The warm kernel of this worker process (one per process)."""

    km: Any = None
    kc: Any = None
    ipc_dir: str | None = None


_WARM = _Warm()


def _register_warm_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

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
                from jupyter_client.manager import AsyncKernelManager

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
            from jupyter_core.utils import run_sync

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
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

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


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"\s+", "-", text.strip())


def export_html(ipynb: Path, html_out: Path, *, title: str = "", parameters: dict[str, Any] | None = None) -> Path:
    """Export an executed notebook to HTML with the code hidden and a contents section at the top.

    The contents list links to every ``##``/``###`` heading; the parameters the notebook ran with are shown
    under the title, so a reader who never sees code knows what the report is about.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    heads = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^(#{2,3})\s+(.+?)\s*#*$", line)
            if m:
                heads.append((len(m.group(1)), m.group(2)))
    lines = []
    if parameters:
        shown = ", ".join(f"**{k}** = `{v}`" for k, v in parameters.items())
        lines.append(f"*Run with* {shown}\n")
    if heads:
        lines.append("**Contents**\n")
        for level, text in heads:
            plain = re.sub(r"[`*_]", "", text)
            lines.append(f"{'  ' * (level - 2)}- [{plain}](#{_slug(plain)})")
    if lines:
        toc = nbformat.v4.new_markdown_cell("\n".join(lines))
        toc.metadata["tags"] = ["asc-contents"]
        first_md = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), -1)
        nb.cells.insert(first_md + 1, toc)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or ipynb.stem}})
    html_out.parent.mkdir(parents=True, exist_ok=True)
    from helpers.data.io import atomic_write_text

    atomic_write_text(html_out, body)
    return html_out


# --------------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------------

def new_run_dir(root: Path = OUTPUTS, label: str = "run") -> Path:
    """Create a new, never-reused run folder ``outputs/<YYYYmmdd-HHMMSS>-<label>-<id>``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for _ in range(100):
        run = root / f"{stamp}-{label}-{uuid.uuid4().hex[:6]}"
        try:
            run.mkdir(parents=True, exist_ok=False)
            return run
        except FileExistsError:
            continue
    raise AscError(f"could not create a new run folder under {root}")


def git_commit() -> dict[str, Any]:
    """The git commit of the project and whether the work tree has uncommitted changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip())
        return {"commit": sha, "dirty": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers and the reports."""
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def _slug_params(parameters: dict[str, Any]) -> str:
    if not parameters:
        return "defaults"
    return "_".join(re.sub(r"[^A-Za-z0-9.-]+", "-", str(v)) for v in parameters.values())[:80]


@dataclass
class RunSummary:
    """The outcome of a run."""

    run_dir: Path
    results: list[JobResult]
    seconds: float

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed and bool(self.results)


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


#: Environment for kernels: one numerical thread each (the workers already use every core).
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _init_worker() -> None:
    import multiprocessing.util

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
        The run folder (from :func:`new_run_dir`).
    executor
        Any :class:`concurrent.futures.Executor` (e.g. a Dask client's ``get_executor()``); by default a
        process pool of ``workers`` processes (default: the number of CPU cores, at most the number of jobs).
    progress
        Show a progress bar that advances once per finished notebook.

    Returns
    -------
    RunSummary
    """
    from tqdm import tqdm

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
    _point_latest(run_dir)
    return summary


def _point_latest(run_dir: Path) -> None:
    latest = run_dir.parent / "latest"
    try:
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(run_dir.name, target_is_directory=True)
    except OSError:
        pass


def _rel(path: str | None, run_dir: Path) -> str | None:
    if not path:
        return None
    try:
        return Path(path).resolve().relative_to(run_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def write_manifest(summary: RunSummary, command: str = "") -> Path:
    """Write ``manifest.json``: parameters, git commit, package versions, input hashes, timings, statuses."""
    from helpers.data import tables
    from helpers.data.io import atomic_write_text

    state_inputs = tables._read_state()
    run_dir = summary.run_dir
    jobs = []
    all_inputs: dict[str, str] = {}
    for r in summary.results:
        inputs: dict[str, str] = {}
        for t in r.tables_read:
            inputs.update(state_inputs.get(t, {}).get("inputs", {}))
        all_inputs.update(inputs)
        jobs.append({
            "notebook": Path(r.notebook).name, "title": r.title, "parameters": r.parameters,
            "status": r.status, "error": r.error or None, "failed_cell": r.failed_cell,
            "seconds": round(r.seconds, 2), "html_seconds": round(r.html_seconds, 2),
            "executed_notebook": _rel(r.output_ipynb, run_dir), "html": _rel(r.output_html, run_dir),
            "notes": r.notes, "tables_read": r.tables_read, "input_files_sha256": dict(sorted(inputs.items())),
        })
    manifest = {
        "run_id": run_dir.name,
        "command": command,
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "git": git_commit(),
        "packages": package_versions(),
        "national_data_dir": str(os.environ.get("ASC_NATIONAL_DIR", "")) or None,
        "seconds": round(summary.seconds, 2),
        "status": "ok" if summary.ok else "failed",
        "counts": {"notebooks": len(summary.results), "failed": len(summary.failed)},
        "input_files_sha256": dict(sorted(all_inputs.items())),
        "jobs": jobs,
    }
    path = run_dir / "manifest.json"
    atomic_write_text(path, json.dumps(manifest, indent=2, default=str) + "\n")
    return path


def write_index(summary: RunSummary) -> Path:
    """Write ``index.html``: every report with its parameters and status, failures first."""
    from helpers.data.io import atomic_write_text

    run_dir = summary.run_dir
    rows = []
    ordered = sorted(summary.results, key=lambda r: (r.status == "ok", r.title, json.dumps(r.parameters, default=str)))
    for r in ordered:
        link = _rel(r.output_html, run_dir)
        nb_link = _rel(r.output_ipynb, run_dir)
        title = html.escape(r.title or Path(r.notebook).stem)
        name = f'<a href="{html.escape(link)}">{title}</a>' if link else title
        params = ", ".join(f"{html.escape(str(k))} = {html.escape(str(v))}" for k, v in r.parameters.items())
        state = "ok" if r.status == "ok" else "FAILED"
        detail = html.escape(r.error) if r.error else ""
        notes = "<br>".join(html.escape(n) for n in r.notes)
        extra = f' · <a href="{html.escape(nb_link)}">notebook</a>' if nb_link else ""
        rows.append(
            f'<tr class="{r.status}"><td>{name}{extra}</td><td>{params or "defaults"}</td>'
            f'<td class="status">{state}</td><td>{detail}</td><td>{notes}</td><td class="num">{r.seconds:.1f}</td></tr>'
        )
    n_fail = len(summary.failed)
    headline = (f"{len(summary.results)} reports, all ran" if not n_fail
                else f"{n_fail} of {len(summary.results)} reports FAILED (listed first)")
    n_notes = sum(1 for r in summary.results if r.notes)
    if n_notes:
        headline += f"; {n_notes} report(s) carry notes on missing or limited data (see the Notes column)"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ASC reports: {html.escape(run_dir.name)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .4em .6em; text-align: left; vertical-align: top; }}
tr.failed td {{ background: #fde8e0; }} td.status {{ font-weight: bold; }}
tr.failed td.status {{ color: #a33a00; }} td.num {{ text-align: right; }}
</style></head><body>
<h1>Adult social care reports</h1>
<p>Run <code>{html.escape(run_dir.name)}</code>: {headline}. Details: <a href="manifest.json">manifest.json</a>,
<a href="run.log">run.log</a>.</p>
<table><thead><tr><th>Report</th><th>Parameters</th><th>Status</th><th>Where it failed</th><th>Notes</th>
<th>Seconds</th></tr>
</thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    path = run_dir / "index.html"
    atomic_write_text(path, page)
    return path


def result_dict(r: JobResult) -> dict[str, Any]:
    """A JSON-friendly view of a result (for tests and logs)."""
    return asdict(r)
