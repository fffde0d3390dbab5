"""Every council x every catalogue series through the demand report, as notebook 05 calls it (issue 15 item 8).

For each series of the catalogue and each council of ``asc run demand_trends --all-councils``, this checks the
parameters (``params.check``), prepares the report (``demand_trends.prepare``) and calls every section the
notebook's cells call, in one process (no kernel, no HTML: the all-councils batch of the notebook runs the same
calls in warm kernels, 10 x 153 of them). It counts reports that raise, and reports that say why they have no
forecast. Run with the national tables built::

    ASC_NATIONAL_DIR=../shared/data python scripts/check_demand_batch.py [--series KEY ...] [--councils N]

Exit status 1 if any report raised. The figures are reported in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers.analysis.demand.catalogue import SERIES  # noqa: E402
from helpers.pipeline import notebooks, params  # noqa: E402
from helpers.reports import demand_trends as report  # noqa: E402


def sections() -> list[str]:
    """The report methods the notebook's cells call (``r.name()``), in its cell order, read from the notebook."""
    nb = json.loads(notebooks.find_notebook("demand_trends").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return list(dict.fromkeys(re.findall(r"\br\.(\w+)\(\)", code)))


def run_one(council: str, series: str, names: list[str]) -> str:
    """Return ``"forecast"``, ``"no forecast"`` (the report says why) or raise."""
    p = params.check("demand_trends", council=council, series=series)
    r = report.prepare(**p)
    for name in names:
        getattr(r, name)()
    plt.close("all")
    return "forecast" if r.result.ok else "no forecast"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", nargs="*", default=list(SERIES))
    ap.add_argument("--councils", type=int, default=0, help="only the first N councils (0: all)")
    args = ap.parse_args(argv)
    councils = notebooks.batch_councils(notebooks.find_notebook("demand_trends"))
    if args.councils:
        councils = councils[: args.councils]
    os.environ["ASC_OUTPUT_PREFIX"] = tempfile.mkdtemp(prefix="demand-batch-")
    warnings.simplefilter("ignore")
    failures: list[tuple[str, str, str]] = []
    names = sections()
    start = time.perf_counter()
    print("| series | councils | with a forecast | no forecast (the report says why) | raised | seconds |")
    print("|---|---|---|---|---|---|")
    for series in args.series:
        t0 = time.perf_counter()
        counts: Counter[str] = Counter()
        for code in councils:
            try:
                counts[run_one(code, series, names)] += 1
            except Exception as exc:  # noqa: BLE001 - counted and printed, never hidden
                counts["raised"] += 1
                failures.append((series, code, "".join(traceback.format_exception_only(exc)).strip()))
        print(f"| {series} | {len(councils)} | {counts['forecast']} | {counts['no forecast']} | {counts['raised']} "
              f"| {time.perf_counter() - t0:.0f} |", flush=True)
    print(f"\n{len(args.series)} series x {len(councils)} councils in {time.perf_counter() - start:.0f} s; "
          f"{len(failures)} raised")
    for series, code, msg in failures[:20]:
        print(f"  {series} {code}: {msg}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
