"""Speed figures of the foundation (``make bench``): data build, per-notebook overhead, a warm ``make run``.

Prints, on this machine:

1. a full build of ``data/processed`` from the raw files (``asc data build --force``) and a no-change rebuild;
2. the per-notebook overhead the runner adds (kernel start + imports): a trivial notebook that imports
   pandas, seaborn and statsmodels, run cold (plain papermill, a new kernel) and warm (a kept kernel);
3. ``make run`` on a warm environment: ``asc data build`` (no change) + ``asc run`` (every notebook, defaults).

Figures are wall-clock seconds, median of ``--repeat`` runs where repeated. The machine may be shared:
the load average is printed with the figures.
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

import nbformat

from helpers.core.paths import ROOT
from helpers.data import tables
from helpers.pipeline import execute, notebooks, outputs, report_html


def _time(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _trivial(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = nbformat.v4.new_code_cell('x: int = 1  # a parameter')
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell("import pandas, seaborn, statsmodels.api\nprint(x)")]
    path = folder / "trivial.ipynb"
    nbformat.write(nb, str(path))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="repeats of the quick measurements")
    ap.add_argument("--skip-run", action="store_true", help="skip the full `asc run` measurement")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min)")

    full = _time(lambda: tables.build(force=True))
    nochange = _time(lambda: tables.build(), repeat=args.repeat)
    print(f"data build, full from raw:        {full:6.2f} s")
    print(f"data build, no change:            {nochange:6.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        nb = _trivial(Path(tmp))

        def job(mode: str, i: int) -> outputs.JobResult:
            r = execute.run_job(execute.Job(str(nb), {"x": i}, f"{tmp}/{mode}{i}.ipynb",
                                            f"{tmp}/{mode}{i}.html", mode=mode, html=False))
            assert r.status == "ok", r.error
            return r

        cold = statistics.median(job("cold", i).seconds for i in range(args.repeat))
        job("warm", 0)  # starts the kernel and does the imports once
        warm = statistics.median(job("warm", i + 1).seconds for i in range(args.repeat))
        execute.shutdown_warm_kernel()
        t0 = time.perf_counter()
        report_html.export_html(Path(f"{tmp}/cold0.ipynb"), Path(f"{tmp}/x.html"))
        first = time.perf_counter() - t0  # the first in a process compiles the templates
        html = _time(lambda: report_html.export_html(Path(f"{tmp}/cold0.ipynb"), Path(f"{tmp}/x.html")),
                     repeat=args.repeat)
    print(f"notebook overhead, cold kernel:   {cold:6.2f} s  (kernel start + imports, plain papermill)")
    print(f"notebook overhead, warm kernel:   {warm:6.2f} s  (kept kernel, namespace reset)")
    print(f"HTML export of a small notebook:  {html:6.2f} s  (the first in a process: {first:.2f} s)")

    if not args.skip_run:
        env = dict(os.environ)
        t0 = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "asc"), "data", "build"], cwd=ROOT, env=env, check=False,
                       capture_output=True)
        proc = subprocess.run([str(Path(sys.executable).parent / "asc"), "run", "--quiet"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        total = time.perf_counter() - t0
        n = len(notebooks.list_notebooks())
        state = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        print(f"make run on a warm environment:   {total:6.2f} s  ({n} notebooks; {state})")


if __name__ == "__main__":
    main()
