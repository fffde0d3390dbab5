"""Run the fuzz cases of tests/fuzz/cases.py and print outcomes per loader family (issue 11).

Usage: ``ASC_NATIONAL_DIR=../shared/data .venv/bin/python scripts/fuzz_report.py``
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fuzz import cases as C  # noqa: E402

COLS = ["clear error", "traceback", "partial write", "silent wrong", "accepted", "not applicable"]


def main() -> int:
    counts: dict[str, Counter] = {}
    bad = []
    for case in C.cases():
        with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
            outcome, detail = C.run(case, Path(d), mp)
        counts.setdefault(case.family, Counter())[outcome] += 1
        if outcome in ("traceback", "partial write", "silent wrong"):
            bad.append(f"{case.id}: {outcome}: {detail}")
    for case in C.council_cases():
        with tempfile.TemporaryDirectory() as d:
            outcome, detail = C.run_council(case, Path(d))
        counts.setdefault(case.family, Counter())[outcome] += 1
        if outcome in ("traceback", "partial write", "silent wrong"):
            bad.append(f"{case.id}: {outcome}: {detail}")
    print("| family | inputs tried | " + " | ".join(COLS) + " |")
    print("|---" * (len(COLS) + 2) + "|")
    total = Counter()
    for fam, c in counts.items():
        total.update(c)
        print(f"| {fam} | {sum(c.values())} | " + " | ".join(str(c[k]) for k in COLS) + " |")
    print(f"| all | {sum(total.values())} | " + " | ".join(str(total[k]) for k in COLS) + " |")
    print("\n".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
