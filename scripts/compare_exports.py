"""Run a fixed set of reports and compare their exports and outputs with a saved reference.

A guard for refactoring: every notebook for three councils (Stockport, Nottinghamshire, Cambridgeshire, the
councils with their own report figures), run through the ``asc`` command exactly as a user would. What is
compared, file by file:

* CSV exports: byte for byte;
* Excel exports: every sheet's cell values (not styles);
* executed notebooks: every code cell's outputs (text, HTML, Markdown, SVG), with execution counts, timings
  and kernel metadata left out.

Usage::

    .venv/bin/python scripts/compare_exports.py --save outputs/reference      # before a change
    .venv/bin/python scripts/compare_exports.py --against outputs/reference   # after it: exit 1 on a difference

``--only NAME`` limits the set to notebooks whose name contains NAME. The reference folder holds one folder
per report (notebook + parameters) with its files; it is not committed (``outputs/`` is ignored).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASC = [str(ROOT / ".venv" / "bin" / "asc")]

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"
#: (notebook, parameters): every notebook, three councils; the council-report notebooks at a period the
#: council prints.
REPORTS: list[tuple[str, dict[str, str]]] = [
    *[("data_overview", {"council": c}) for c in (STOCKPORT, NOTTS, CAMBS)],
    *[("spend_benchmarking", {"council": c}) for c in (STOCKPORT, NOTTS, CAMBS)],
    *[("ascof_benchmarking", {"council": c}) for c in (STOCKPORT, NOTTS, CAMBS)],
    ("forecast_variance", {"council": STOCKPORT, "financial_year": "2017-18", "period": "Q3"}),
    ("forecast_variance", {"council": NOTTS, "financial_year": "2024-25", "period": "M03"}),
    ("forecast_variance", {"council": CAMBS, "financial_year": "2018-19", "period": "M04"}),
    ("performance_scorecard", {"council": STOCKPORT, "financial_year": "2017-18", "period": "Q3"}),
    ("performance_scorecard", {"council": NOTTS, "financial_year": "2024-25", "period": "M03"}),
    ("performance_scorecard", {"council": CAMBS, "financial_year": "2018-19", "period": "M03"}),
    *[("demand_trends", {"council": c}) for c in (STOCKPORT, NOTTS, CAMBS)],
]

_STYLER_ID = re.compile(r"T_[0-9a-f]{12}")


def report_key(name: str, params: dict[str, str]) -> str:
    """A folder name for one report: notebook and parameter values."""
    return "__".join([name, *(f"{k}-{v}" for k, v in sorted(params.items()))])


def run_report(name: str, params: dict[str, str]) -> Path:
    """Run one report with ``asc run`` and return its run folder."""
    cmd = [*ASC, "run", name, "--quiet", "--workers", "1"]
    for k, v in params.items():
        cmd += ["-p", k, v]
    env = dict(os.environ)
    if "ASC_NATIONAL_DIR" not in env and (ROOT.parent / "shared" / "data" / "README.md").is_file():
        env["ASC_NATIONAL_DIR"] = str(ROOT.parent / "shared" / "data")  # as the Makefile does
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    m = re.search(r"reports: (\S+)/index\.html", proc.stdout)
    if not m:
        raise SystemExit(f"{' '.join(cmd)} gave no run folder (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    if proc.returncode != 0:
        print(f"warning: {name} {params} exited {proc.returncode}: {proc.stderr.strip()}", file=sys.stderr)
    return (ROOT / m.group(1)).resolve()


def collect(run_dir: Path, dest: Path) -> None:
    """Copy a run's report files (not index, manifest, log) into ``dest``, named without the run's folder."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(run_dir.rglob("*")):
        if f.is_dir() or f.name in ("index.html", "manifest.json", "run.log") or f.suffix == ".html":
            continue
        rel = f.relative_to(run_dir)
        target = dest / "__".join(rel.parts)
        shutil.copyfile(f, target)


def notebook_outputs(path: Path) -> list[str]:
    """Every code cell's outputs as text lines, volatile fields left out."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines: list[str] = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                lines += [f"[{i}] stream: {x}" for x in "".join(out.get("text", "")).splitlines()]
            elif kind in ("display_data", "execute_result"):
                for mime, data in sorted(out.get("data", {}).items()):
                    text = "".join(data) if isinstance(data, list) else str(data)
                    if mime == "image/png":
                        text = f"<png {len(text)} chars>"
                    text = _STYLER_ID.sub("T_<id>", text)  # content-derived ids: compare the content itself
                    lines += [f"[{i}] {mime}: {x}" for x in text.splitlines()]
            elif kind == "error":
                lines.append(f"[{i}] error: {out.get('ename')}: {out.get('evalue')}")
    return lines


def xlsx_values(path: Path) -> list[str]:
    """Every sheet's cell values, one line per row."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    lines = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            lines.append(f"{ws.title}: " + " | ".join("" if v is None else repr(v) for v in row))
    return lines


def file_lines(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        return notebook_outputs(path)
    if path.suffix == ".xlsx":
        return xlsx_values(path)
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def compare(ref: Path, new: Path, *, context: int = 2, limit: int = 40) -> list[str]:
    """Differences between two report folders, as printable lines (empty when the same)."""
    out: list[str] = []
    ref_files = {p.name for p in ref.iterdir()} if ref.is_dir() else set()
    new_files = {p.name for p in new.iterdir()} if new.is_dir() else set()
    for name in sorted(ref_files - new_files):
        out.append(f"  missing now: {name}")
    for name in sorted(new_files - ref_files):
        out.append(f"  new file: {name}")
    for name in sorted(ref_files & new_files):
        a, b = file_lines(ref / name), file_lines(new / name)
        if a != b:
            diff = list(difflib.unified_diff(a, b, f"reference/{name}", f"now/{name}", n=context, lineterm=""))
            out.append(f"  differs: {name} ({len(diff)} diff lines)")
            out += ["    " + d for d in diff[:limit]]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--save", type=Path, help="write the reports' files here as the reference")
    g.add_argument("--against", type=Path, help="compare the reports' files with this reference")
    ap.add_argument("--only", default="", help="only notebooks whose name contains this")
    args = ap.parse_args(argv)
    chosen = [(n, p) for n, p in REPORTS if args.only in n]
    problems = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, params in chosen:
            key = report_key(name, params)
            run_dir = run_report(name, params)
            if args.save:
                dest = args.save / key
                if dest.exists():
                    shutil.rmtree(dest)
                collect(run_dir, dest)
                print(f"saved {key}: {len(list(dest.iterdir()))} file(s)")
            else:
                dest = Path(tmp) / key
                collect(run_dir, dest)
                diffs = compare(args.against / key, dest)
                print(f"{'same' if not diffs else 'DIFFERENT'} {key}")
                for line in diffs:
                    print(line)
                problems += bool(diffs)
    if args.against:
        print(f"{len(chosen) - problems} of {len(chosen)} report(s) the same as the reference")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
