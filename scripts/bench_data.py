"""Speed of the data layer: a full build of every processed table from the raw files, and a no-change rebuild.

Usage::

    ASC_NATIONAL_DIR=../shared/data .venv/bin/python scripts/bench_data.py [--repeat 3] [--profile TABLE]

Each measurement runs in a fresh Python process, so the imports (pandas, pandera, the loaders) count, as they
do for ``asc data build``:

1. **full build from raw**: ``tables.build(force=True)`` -- every table, every input file read and validated;
2. **no-change rebuild**: ``tables.build()`` right after -- hashes the inputs, finds nothing changed.

The builds write to a temporary project root (``data/raw`` linked, ``data/processed`` empty), never to the
repository's ``data/processed``, so other work on the same tree is not disturbed. Printed: the load average
before and after (the machine may be shared), the wall-clock seconds of each process (median of ``--repeat``),
and the per-table seconds of the last full build. ``--profile TABLE`` prints the top of a cProfile of one
table's build function instead.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from helpers.data import tables
results = tables.build(force={force})
out = {{"seconds": time.perf_counter() - t0,
        "tables": [[r.name, r.status, r.seconds, r.rows, r.message] for r in results]}}
print(json.dumps(out))
"""

_PROFILE = """
import cProfile, pstats, sys
from helpers.data import tables
tables.discover()
tables.build([d for d in tables.REGISTRY[{name!r}].depends])
spec = tables.REGISTRY[{name!r}]
cProfile.run("spec.build()", "{out}")
pstats.Stats("{out}").sort_stats("cumulative").print_stats(35)
"""


def _sandbox(tmp: Path) -> dict[str, str]:
    """A project root whose data/raw is the repository's (linked) and whose data/processed is empty."""
    (tmp / "data" / "processed").mkdir(parents=True)
    (tmp / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    (tmp / "pyproject.toml").symlink_to(ROOT / "pyproject.toml")
    env = dict(os.environ, ASC_PROJECT_ROOT=str(tmp), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.setdefault("ASC_NATIONAL_DIR", str((ROOT / ".." / "shared" / "data").resolve()))
    if not Path(env["ASC_NATIONAL_DIR"]).is_absolute():
        env["ASC_NATIONAL_DIR"] = str((ROOT / env["ASC_NATIONAL_DIR"]).resolve())
    return env


def _run(code: str, env: dict[str, str]) -> tuple[float, dict]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"build process failed:\n{proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="repeats of each measurement (median printed)")
    ap.add_argument("--profile", metavar="TABLE", help="profile one table's build instead")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min) before")
    with tempfile.TemporaryDirectory(prefix="asc-bench-") as name:
        tmp = Path(name)
        env = _sandbox(tmp)
        if args.profile:
            code = _PROFILE.format(name=args.profile, out=str(tmp / "prof.out"))
            subprocess.run([sys.executable, "-c", code], env=env, check=False)
            return
        full, nochange, last = [], [], {}
        for _ in range(args.repeat):
            wall, last = _run(_CHILD.format(force=True), env)
            full.append(wall)
            nochange.append(_run(_CHILD.format(force=False), env)[0])
        bad = [t for t in last["tables"] if t[1] not in ("built", "unchanged")]
        print(f"full build from raw (fresh process, imports included): {statistics.median(full):6.2f} s  "
              f"(runs: {', '.join(f'{x:.2f}' for x in full)})")
        print(f"no-change rebuild (fresh process, imports included):    {statistics.median(nochange):6.2f} s  "
              f"(runs: {', '.join(f'{x:.2f}' for x in nochange)})")
        print("per table, last full build:")
        for name_, status, seconds, rows, _msg in last["tables"]:
            print(f"  {name_:<30} {status:<9} {seconds:6.2f} s  {rows if rows is not None else '-':>8} rows")
        if bad:
            print(f"NOT BUILT: {bad}")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) after")


if __name__ == "__main__":
    main()
