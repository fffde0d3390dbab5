"""Run the fuzz cases of tests/fuzz/cases.py and tests/fuzz/reports.py and print outcomes per family (issue 11).

Usage: ``ASC_NATIONAL_DIR=../shared/data .venv/bin/python scripts/fuzz_report.py [loaders|reports|parameters|all]``

``loaders`` (under 2 minutes): the national and council loaders with broken copies of real files. ``reports``
(about 35 minutes: 24 builds and runs of ``asc run``, 21 refused runs): hostile text in council files and parameters through the report
path, the run index and the workbook. The last column, "live HTML / live formula", counts pages that gained an
element or attribute (or a link, source or handler holding the payload) and workbook cells that are formulas; it is
"-" for the loader families, which write no page.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fuzz import cases as C  # noqa: E402
from tests.fuzz import reports as R  # noqa: E402
from tests.fuzz import workbooks as W  # noqa: E402

COLS = ["clear error", "traceback", "partial write", "silent wrong", "accepted", "not applicable",
        "live HTML / live formula"]
BAD = ("traceback", "partial write", "silent wrong", "live HTML / live formula")
#: Report-path outcomes -> column ("escaped": the text is shown as text, accepted by the escaping rule).
REPORT_OUTCOME = {"escaped": "accepted", "live HTML": "live HTML / live formula",
                  "live formula": "live HTML / live formula", "not reached": "not applicable"}


def _loaders(counts: dict[str, Counter], bad: list[str]) -> None:
    for case in [*C.cases(), *C.council_cases(), *W.workbook_cases(), *W.national_cases()]:
        with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
            if case.family == "council reports":
                outcome, detail = C.run_council(case, Path(d))
            elif case.family.startswith("council workbook"):
                outcome, detail = W.run_workbook(case, Path(d))
            elif case.family.startswith("national folder"):
                outcome, detail = W.run_national(case, Path(d), mp)
            else:
                outcome, detail = C.run(case, Path(d), mp)
        _count(counts, bad, case.family, case.id, outcome, detail)


def _reports(counts: dict[str, Counter], bad: list[str]) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bases: dict[str, R.Baseline] = {}
        for i, case in enumerate(R.report_cases()):
            if case.target not in bases:
                report, where = case.target.split(", ")
                bases[case.target] = R.baseline(report, tmp / f"base{len(bases)}", stale=where != "text fields")
            outcome, detail = R.run_report(case, tmp / f"case{i}", bases[case.target])
            _count(counts, bad, case.family, case.id, REPORT_OUTCOME.get(outcome, outcome), detail)
            print(f"{case.id}: {outcome}: {detail}", file=sys.stderr)
    _parameters(counts, bad)


def _parameters(counts: dict[str, Counter], bad: list[str]) -> None:
    for case in R.parameter_cases():
        with tempfile.TemporaryDirectory() as d:
            outcome, detail = R.run_parameter(case, Path(d))
        _count(counts, bad, case.family, case.id, REPORT_OUTCOME.get(outcome, outcome), detail)


def _count(counts: dict[str, Counter], bad: list[str], family: str, case_id: str, outcome: str, detail: str) -> None:
    counts.setdefault(family, Counter())[outcome] += 1
    if outcome in BAD:
        bad.append(f"{case_id}: {outcome}: {detail}")


def main(argv: list[str]) -> int:
    part = argv[0] if argv else "all"
    if part not in ("loaders", "reports", "parameters", "all"):
        print("usage: scripts/fuzz_report.py [loaders|reports|parameters|all]", file=sys.stderr)
        return 2
    counts: dict[str, Counter] = {}
    bad: list[str] = []
    if part in ("loaders", "all"):
        _loaders(counts, bad)
    if part in ("reports", "all"):
        _reports(counts, bad)
    elif part == "parameters":  # the parameter cases of ``reports`` alone (a few minutes: no kernel starts)
        _parameters(counts, bad)
    print("| family | inputs tried | " + " | ".join(COLS) + " |")
    print("|---" * (len(COLS) + 2) + "|")
    total: Counter = Counter()
    for fam, c in counts.items():
        total.update(c)
        cells = [str(c[k]) if k != COLS[-1] or fam.startswith("report") else "-" for k in COLS]
        print(f"| {fam} | {sum(c.values())} | " + " | ".join(cells) + " |")
    reports = any(f.startswith("report") for f in counts)
    print(f"| all | {sum(total.values())} | "
          + " | ".join(str(total[k]) if k != COLS[-1] or reports else "-" for k in COLS) + " |")
    print("\n".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
