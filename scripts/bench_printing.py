"""What printing to PDF costs: per default report, and for an all-councils batch.

Runs the default reports (``asc run``) and one notebook for every council (``asc run NOTEBOOK --all-councils``,
warm kernels, HTML in the workers) without PDFs, then prints the HTML the way ``--pdf`` does
(:func:`helpers.pipeline.execute.print_reports`: one headless Chromium for the run, driven over the DevTools
pipe) and times it: the browser's start, each report's print, the pages. For comparison a few reports are also
printed the plain way, one ``chromium --headless --print-to-pdf`` process each.

Usage::

    ASC_NATIONAL_DIR=../shared/data .venv/bin/python scripts/bench_printing.py [--notebook spend_benchmarking]
        [--councils N] [--workers 2]

Prints the load average before and after (the machine may be shared). The run folders are kept under
``outputs/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers.core.paths import OUTPUTS
from helpers.pipeline import execute, notebooks, outputs, printing


def run(specs: list, label: str, workers: int, batch: bool) -> tuple[outputs.RunSummary, float]:
    run_dir = outputs.new_run_dir(OUTPUTS, label)
    jobs = execute.plan_jobs(specs, run_dir, batch=batch, mode="warm")
    t0 = time.perf_counter()
    summary = execute.execute(jobs, run_dir, workers=workers, progress=False)
    return summary, time.perf_counter() - t0


def print_all(summary: outputs.RunSummary, browsers: int) -> dict[str, float]:
    """Print every report as ``--pdf`` does (``browsers`` side by side); return the timings."""
    for r in summary.results:
        r.output_pdf, r.pdf_seconds, r.pdf_pages, r.pdf_error = None, 0.0, 0, ""
    t0 = time.perf_counter()
    execute.print_reports(summary, browsers=browsers)
    total = time.perf_counter() - t0
    done = [r for r in summary.results if r.output_pdf]
    per = [r.pdf_seconds for r in done]
    if not per:
        raise SystemExit(f"nothing printed: {summary.pdf_note or [r.pdf_error for r in summary.results]}")
    pages = [r.pdf_pages for r in done]
    return {"reports": len(done), "total": total, "browsers": browsers, "median": statistics.median(per),
            "p90": sorted(per)[int(0.9 * (len(per) - 1))], "max": max(per), "pages": sum(pages),
            "failed": sum(1 for r in summary.results if r.pdf_error)}


def plain(htmls: list[Path]) -> float:
    """Median seconds of one ``chromium --headless --print-to-pdf`` process per report."""
    exe = printing.find_browser()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, html in enumerate(htmls):
            t0 = time.perf_counter()
            subprocess.run([exe, *printing.FLAGS, f"--user-data-dir={tmp}/p{i}", f"--print-to-pdf={tmp}/{i}.pdf",
                            "--no-pdf-header-footer", html.resolve().as_uri()], capture_output=True, check=True,
                           timeout=120)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _show(name: str, t: dict[str, float], run_seconds: float, n: int) -> None:
    print(f"{name}, {t['browsers']} browser(s): {t['reports']} reports printed ({t['failed']} failed), {t['pages']} "
          f"pages; printing {t['total']:.1f} s (per report median {t['median']:.2f} s, "
          f"90th percentile {t['p90']:.2f} s, max {t['max']:.2f} s); the run without PDFs {run_seconds:.1f} s "
          f"for {n} notebooks: printing adds {100 * t['total'] / run_seconds:.0f}%")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebook", default="spend_benchmarking", help="the notebook of the all-councils batch")
    ap.add_argument("--councils", type=int, default=0, help="only the first N councils (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    if printing.find_browser() is None:
        print(printing.NO_BROWSER, file=sys.stderr)
        return 1
    print(f"load average before: {os.getloadavg()[0]:.2f}")

    defaults, secs = run([(nb, {}) for nb in notebooks.list_notebooks()], "bench-print-defaults", args.workers,
                         batch=False)
    for n in (1, 2):
        t = print_all(defaults, n)
        _show("default reports", t, secs, len(defaults.results))
    for r in sorted(defaults.results, key=lambda r: r.notebook):
        print(f"    {Path(r.notebook).stem}: {r.pdf_seconds:.2f} s, {r.pdf_pages} pages, HTML export "
              f"{r.html_seconds:.2f} s")
    sample = [Path(r.output_html) for r in defaults.results if r.output_html]
    t0 = time.perf_counter()
    with printing.Browser():
        pass
    print(f"    starting and closing the browser: {time.perf_counter() - t0:.2f} s")
    print(f"    one chromium process per report instead (--print-to-pdf): median {plain(sample):.2f} s a report")

    nb = notebooks.find_notebook(args.notebook)
    specs = [(nb, p) for p in notebooks.batch_parameters(nb, {})]
    if args.councils:
        specs = specs[: args.councils]
    batch, secs = run(specs, f"bench-print-{notebooks.notebook_name(nb)}", args.workers, batch=True)
    for n in (1, 2):
        t = print_all(batch, n)
        _show(f"{nb.stem}, all councils", t, secs, len(batch.results))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
