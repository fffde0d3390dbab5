"""Time the all-councils batch of the two benchmarking notebooks and compare it with the batch floor.

The floor is what a plain loop of fresh kernels must pay before any analysis: one cold papermill run of a
trivial notebook that imports pandas, seaborn and statsmodels (kernel start + imports), times the number of
notebooks, divided by the number of cores. The batch is run the way ``asc run NOTEBOOK --all-councils`` runs
it (warm kernels, one per worker, HTML exported in the workers), for both notebooks and every council.

Usage::

    ASC_NATIONAL_DIR=../shared/data .venv/bin/python scripts/bench_benchmarking.py [--councils N] [--workers 2]

Prints the load average before and after (the machine may be shared), the total seconds, the mean seconds per
notebook (execution and HTML), the floor and the ratio. The run folder (with its index page) is kept under
``outputs/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from helpers.core.paths import NOTEBOOKS, OUTPUTS
from helpers.pipeline import execute, notebooks, outputs

NOTEBOOK_NAMES = ("01_spend_benchmarking", "02_ascof_benchmarking")
TRIVIAL = "import pandas, seaborn, statsmodels.api\nprint('ok')\n"


def floor_seconds(repeats: int = 3) -> float:
    """Median seconds of a cold papermill run of a trivial notebook (kernel start + imports)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(TRIVIAL)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        src = Path(tmp) / "trivial.ipynb"
        nbformat.write(nb, str(src))
        for i in range(repeats):
            out = Path(tmp) / f"out{i}.ipynb"
            t0 = time.perf_counter()
            res = execute.run_job(execute.Job(str(src), {}, str(out), str(out.with_suffix(".html")), mode="cold",
                                              html=False))
            if res.status != "ok":
                raise SystemExit(f"trivial notebook failed: {res.error}")
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--councils", type=int, default=0, help="only the first N councils (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-floor", action="store_true", help="skip measuring the floor")
    args = ap.parse_args(argv)

    cores = os.cpu_count() or 1
    print(f"cores: {cores}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    floor_one = None if args.no_floor else floor_seconds()
    if floor_one is not None:
        print(f"floor: one cold papermill run of a trivial notebook (pandas, seaborn, statsmodels): {floor_one:.2f} s")

    specs = []
    for name in NOTEBOOK_NAMES:
        nb = notebooks.find_notebook(name, NOTEBOOKS)
        codes = notebooks.batch_councils(nb)
        if args.councils:
            codes = codes[: args.councils]
        specs += [(nb, {"council": c}) for c in codes]
    run_dir = outputs.new_run_dir(OUTPUTS, "bench")
    jobs = execute.plan_jobs(specs, run_dir, batch=True, mode="warm")
    t0 = time.perf_counter()
    summary = execute.execute(jobs, run_dir, workers=args.workers, progress=False,
                              command="scripts/bench_benchmarking.py")
    total = time.perf_counter() - t0
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"notebooks: {len(jobs)} ({len(summary.failed)} failed); workers: {args.workers}")
    print(f"total: {total:.1f} s")
    for name in NOTEBOOK_NAMES:
        rs = [r for r in summary.results if Path(r.notebook).stem == name]
        if rs:
            ex = statistics.mean(r.seconds for r in rs)
            ht = statistics.mean(r.html_seconds for r in rs)
            med = statistics.median(r.seconds for r in rs)
            print(f"{name}: {len(rs)} runs, mean {ex:.2f} s execution (median {med:.2f}) + {ht:.2f} s HTML")
    if floor_one is not None:
        floor = floor_one * len(jobs) / cores
        print(f"floor: {floor_one:.2f} s x {len(jobs)} notebooks / {cores} cores = {floor:.1f} s; "
              f"ratio total / floor = {total / floor:.2f}")
    for r in summary.failed[:10]:
        print(f"FAILED {Path(r.notebook).stem} {r.parameters}: {r.error}")
    print(f"index: {run_dir.relative_to(OUTPUTS.parent)}/index.html")
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
