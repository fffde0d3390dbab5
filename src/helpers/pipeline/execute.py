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
    through papermill with a registered engine (:mod:`helpers.pipeline.kernels`), reset between notebooks, so
    the executed notebook is the one a fresh kernel would give.

After the notebooks, with ``pdf``, one headless browser prints every report (:func:`print_reports`) and, for a
council pack, the contents page and every report are joined into one PDF (:func:`print_pack`).
"""

from __future__ import annotations

import json
import logging
import multiprocessing.util
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from helpers.core import periods
from helpers.core.errors import AscError
from helpers.core.paths import national_dir
from helpers.pipeline import printing, words
from helpers.pipeline.index import ordered, write_index
from helpers.pipeline.kernels import RESET_CODE, register_warm_engine, shutdown_warm_kernel
from helpers.pipeline.notebooks import notebook_parameters, notebook_title
from helpers.pipeline.outputs import (
    JobResult,
    RunSummary,
    clear_side_files,
    git_commit,
    point_latest,
    read_side_files,
    rel,
    stale_tables,
    table_inputs,
    write_manifest,
)
from helpers.pipeline.report_html import Page, export_html, rerun_command

log = logging.getLogger("asc.run")

#: Default per-cell timeout in seconds.
CELL_TIMEOUT = 600
#: Environment for kernels: one numerical thread each (the workers already use every core).
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
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
    all_parameters: dict[str, Any] | None = None  # every parameter, defaults included (None: the given ones)
    run_id: str = ""
    commit: str | None = None
    dirty: bool | None = None
    manifest_href: str = ""


def _one_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    return " ".join(text.splitlines()[-1:]) if text else ""


def run_job(job: Job) -> JobResult:
    """Execute one notebook (cold or warm) and export its HTML. Never raises: failures are in the result.

    The executed notebook is written to a hidden temporary file beside its place and renamed there when
    papermill has written it whole (papermill saves as it goes), so a full or read-only disk never leaves a
    truncated ``.ipynb``. After the notebook, the report's status is the most serious of its own
    (:func:`helpers.reports.present.set_status`), ``stale data`` for each table it read whose latest build failed
    (a banner says which, at the top of the HTML) and ``failed``. This function runs in a worker process (or in
    the caller's process for a single notebook).
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
    tmp = out.with_name(f".{out.stem}.tmp.ipynb")
    prefix = out.with_suffix("")
    status, error, failed_cell = "ok", "", None
    t0 = time.perf_counter()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clear_side_files(prefix)
        kwargs: dict[str, Any] = dict(
            kernel_name="python3", cwd=str(nb_path.parent), execution_timeout=job.timeout,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        )
        if job.mode == "warm":
            register_warm_engine()
            pre = RESET_CODE.format(cwd=str(nb_path.parent), read_log=f"{prefix}.reads", prefix=str(prefix),
                                    run_id=job.run_id)
            pm.execute_notebook(str(nb_path), str(tmp), parameters=job.parameters or None,
                                engine_name="asc-warm", preamble=pre, **kwargs)
        else:
            os.environ["ASC_READ_LOG"] = f"{prefix}.reads"
            os.environ["ASC_OUTPUT_PREFIX"] = str(prefix)
            os.environ["ASC_RUN_ID"] = job.run_id
            pm.execute_notebook(str(nb_path), str(tmp), parameters=job.parameters or None, **kwargs)
    except PapermillExecutionError as exc:
        status = "failed"
        failed_cell = exc.exec_count
        error = f"cell [{exc.exec_count}]: {exc.ename}: {_one_line(exc.evalue)}"
    except OSError as exc:  # the disk refused a write (full, read-only): nothing half-written is kept
        status = "failed"
        error = f"cannot write {exc.filename or out}: {exc.strerror or exc}"
        tmp.unlink(missing_ok=True)
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
    if tmp.is_file():
        try:
            os.replace(tmp, out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            status, error = "failed", error or f"cannot write {out}: {exc.strerror or exc}"
    seconds = time.perf_counter() - t0
    side = read_side_files(prefix)
    reasons = [error] if error else []
    statuses = [status]
    for st, why in side.statuses:
        statuses.append(st)
        reasons.append(f"{st}: {why}")
    stale = stale_tables(side.reads)
    for table, why in stale:
        statuses.append("stale data")
        reasons.append(f"stale data: the latest build of {table} failed ({why})")
    status = words.worst(statuses)
    title = side.title or job.title  # the report's own (its summary box's), else the runner's from the parameters
    html_path = None
    t1 = time.perf_counter()
    if job.html and out.is_file():
        page = Page(title=title, notebook=nb_path.name, parameters=job.all_parameters or job.parameters,
                    given=tuple(job.parameters), run_id=job.run_id, commit=job.commit, dirty=job.dirty,
                    tables={t: list(files) for t, files in table_inputs(side.reads).items()}, stale=stale,
                    command=rerun_command(nb_path.name, job.parameters), manifest=job.manifest_href)
        try:
            export_html(out, Path(job.output_html), page)
            html_path = job.output_html
        except Exception as exc:  # noqa: BLE001
            status = "failed"
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else _one_line(str(exc))
            error = error or f"HTML export failed: {type(exc).__name__}: {detail}"
            reasons.insert(0, error)
    return JobResult(
        notebook=job.notebook, parameters=job.parameters, status=status, seconds=seconds,
        output_ipynb=str(out) if out.is_file() else "", output_html=html_path, title=title, error=error,
        failed_cell=failed_cell, tables_read=side.reads, html_seconds=time.perf_counter() - t1, notes=side.notes,
        reasons=list(dict.fromkeys(reasons)), all_parameters=dict(job.all_parameters or job.parameters),
        data_files=side.exports,
    )


def report_title(notebook_title: str, parameters: dict[str, Any]) -> str:
    """The title a reader sees in the index and the browser: council, report and period.

    ``"Forecast variance: where is ...?"`` with Stockport, 2017-18, Q3 -> ``"Stockport - forecast variance,
    quarter 3 2017-18"`` (a capitalised first word in lower case, an acronym kept); a notebook without a council
    parameter keeps its own title. A report that shows a summary box is titled by the box once it has run.
    """
    council = parameters.get("council")
    if not council:
        return notebook_title
    short = notebook_title.split(":")[0].strip() or notebook_title
    if len(short) > 1 and short[0].isupper() and not short[1].isupper():
        short = short[0].lower() + short[1:]
    year = parameters.get("financial_year") or parameters.get("year")
    period = parameters.get("period")
    when = ""
    if period and year and periods.PERIOD_RE.match(str(period)):
        when = periods.period_label(str(period), str(year))
    elif year:
        when = str(year)
    return f"{words.council_name(council)} - {short}" + (f", {when}" if when else "")


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
    defaults: dict[Path, dict[str, Any]] = {}
    git = git_commit()
    for nb, p in specs:
        nb = Path(nb)
        if nb not in titles:
            titles[nb] = notebook_title(nb)
            defaults[nb] = {k: v.default for k, v in notebook_parameters(nb).items()}
        base = run_dir / nb.stem / _slug_params(p) if batch else run_dir / nb.stem
        every = {**defaults[nb], **p}
        jobs.append(Job(str(nb), dict(p), str(base.with_suffix(".ipynb")), str(base.with_suffix(".html")),
                        title=report_title(titles[nb], every), timeout=timeout, mode=mode, html=html,
                        all_parameters=every, run_id=run_dir.name, commit=git["commit"], dirty=git["dirty"],
                        manifest_href="../manifest.json" if batch else "manifest.json"))
    return jobs


def _init_worker() -> None:
    logging.getLogger("papermill").setLevel(logging.WARNING)
    multiprocessing.util.Finalize(None, shutdown_warm_kernel, exitpriority=10)


class _RunLog(logging.FileHandler):
    """``run.log``: a write the disk refuses loses the line, never prints a traceback (the run reports it)."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            pass


def execute(jobs: list[Job], run_dir: Path, *, executor: Executor | None = None, workers: int | None = None,
            progress: bool = True, command: str = "", on_result: Callable[[JobResult], None] | None = None,
            pdf: bool = False, kind: str = "run", skipped: list[tuple[str, str]] | None = None) -> RunSummary:
    """Run jobs in parallel and write the run's index, manifest and log (and PDFs, and a pack's one PDF).

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
    pdf
        Print each report's HTML to a PDF beside it with a headless browser (:mod:`helpers.pipeline.printing`);
        where none is installed, :attr:`RunSummary.pdf_note` says so.
    kind, skipped
        ``"pack"`` for a council pack (its index is the pack's contents page, and with ``pdf`` the contents and
        every report are joined into one PDF); ``skipped``: (report, why) for the reports not in the pack.

    Returns
    -------
    RunSummary

    Raises
    ------
    AscError
        The run folder's index, manifest or log cannot be written (one line).
    """
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        handler = _RunLog(run_dir / "run.log", encoding="utf-8")
    except OSError as exc:
        raise AscError(f"cannot write in the run folder {run_dir}: {exc.strerror or exc}") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        summary = _execute(jobs, run_dir, executor=executor, workers=workers, progress=progress, command=command,
                           on_result=on_result, pdf=pdf, kind=kind, skipped=skipped or [])
    finally:
        log.removeHandler(handler)
        handler.close()
    point_latest(run_dir)
    return summary


def _execute(jobs: list[Job], run_dir: Path, *, executor: Executor | None, workers: int | None, progress: bool,
             command: str, on_result: Callable[[JobResult], None] | None, pdf: bool, kind: str,
             skipped: list[tuple[str, str]]) -> RunSummary:
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
                error = f"worker failed: {type(exc).__name__}: {_one_line(str(exc))}"
                res = JobResult(job.notebook, job.parameters, "failed", 0.0, "", None, job.title, error=error,
                                reasons=[error], all_parameters=dict(job.all_parameters or job.parameters))
            results.append(res)
            where = Path(res.notebook).stem + (f" {res.parameters}" if res.parameters else "")
            if res.status == "ok":
                log.info("ok     %s in %.1f s", where, res.seconds)
            elif res.status == "failed":
                log.error("FAILED %s: %s", where, res.error)
            else:
                log.warning("%-6s %s: %s", res.status.upper(), where, "; ".join(res.reasons))
            if on_result:
                on_result(res)
            bar.update(1)
        bar.close()
    finally:
        if own:
            executor.shutdown(wait=True)
    results.sort(key=lambda r: (Path(r.notebook).name, json.dumps(r.parameters, sort_keys=True, default=str)))
    summary = RunSummary(run_dir, results, 0.0, kind=kind, skipped=list(skipped))
    if pdf:
        print_reports(summary, browsers=min(2, workers or os.cpu_count() or 1))
    summary.seconds = time.perf_counter() - t0
    write_manifest(summary, command=command)
    write_index(summary)
    if pdf and kind == "pack" and not summary.pdf_note:
        print_pack(summary)
        write_manifest(summary, command=command)
    log.info("finished in %.1f s: %s", summary.seconds, words.status_counts([r.status for r in results]))
    return summary


def print_reports(summary: RunSummary, browsers: int = 1) -> None:
    """Print every report's HTML to a PDF beside it; record each one's outcome.

    ``browsers`` headless browsers print side by side (one thread each, the reports dealt out in turn). Without a
    browser, :attr:`RunSummary.pdf_note` says so in one line (the run's status is unchanged); a report that does
    not print keeps its HTML and says why in the index (``pdf_error``).
    """
    exe = printing.find_browser()
    if exe is None:
        summary.pdf_note = printing.NO_BROWSER
        log.warning(summary.pdf_note)
        return
    todo = [r for r in summary.results if r.output_html]
    n = max(1, min(browsers, len(todo)))

    def work(share: list[JobResult]) -> None:
        with printing.Browser(exe) as browser:
            for r in share:
                t = time.perf_counter()
                out = Path(r.output_html).with_suffix(".pdf")
                try:
                    r.pdf_pages = browser.print_pdf(Path(r.output_html), out)
                    r.output_pdf = str(out)
                except printing.PrintError as exc:
                    r.pdf_error = str(exc)
                    log.error("PDF not made for %s: %s", rel(r.output_html, summary.run_dir), exc)
                r.pdf_seconds = time.perf_counter() - t

    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            for fut in [pool.submit(work, todo[i::n]) for i in range(n)]:
                fut.result()
    except printing.PrintError as exc:
        summary.pdf_note = f"no PDF: {exc}"
        log.error(summary.pdf_note)


def print_pack(summary: RunSummary) -> None:
    """A council pack's one PDF: its contents page (with the page each report starts on), then every report
    that printed, with a bookmark each."""
    run_dir = summary.run_dir
    printed = [r for r in ordered(summary.results) if r.output_pdf]
    if not printed:
        return
    council = next((r.council for r in summary.results if r.council), None)
    name = re.sub(r"[^A-Za-z0-9]+", "-", words.council_name(council) if council else "council").strip("-").lower()
    target = run_dir / f"{name}_pack.pdf"
    summary.pack_pdf = str(target)
    contents = run_dir / ".contents.pdf"
    try:
        with printing.Browser() as browser:
            length = 1
            for _ in range(3):  # the contents' own length moves the reports' first pages: settle it
                start = length + 1
                for r in printed:
                    r.pack_page, start = start, start + r.pdf_pages
                write_index(summary)
                got = browser.print_pdf(run_dir / "index.html", contents)
                if got == length:
                    break
                length = got
        printing.merge_pdfs([("Contents", contents)] + [(r.title, Path(r.output_pdf)) for r in printed], target)
    except printing.PrintError as exc:
        summary.pack_pdf = None
        summary.pdf_note = f"no PDF of the pack: {exc}"
        log.error(summary.pdf_note)
        for r in printed:
            r.pack_page = None
        write_index(summary)
    finally:
        contents.unlink(missing_ok=True)
