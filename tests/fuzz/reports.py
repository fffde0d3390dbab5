"""Fuzz cases for the report paths, the run index and the Excel workbook (issue 11, items 1-3).

Each council case copies the real Stockport folder into a temporary project root (``ASC_PROJECT_ROOT``), puts one
hostile string in front of every free-text field a reader sees (``line`` and ``parent_line`` alike, ``note``,
``source_table``, ``source_document``, ``commentary``, ``kpi_name``, ``saving_name``, ``reserve_name``,
``comparator_name``, ``purpose``, ``reason``), builds the council tables with ``asc data build`` and runs the
03 (forecast variance) or 04 (performance scorecard) report with ``asc run`` -- papermill, the HTML export, the
run index and the report's workbook, as a council analyst runs it. The outcome is **live HTML** when a page has an
element or attribute (name) that the same report run on the unchanged folder does not have, or an attribute value
or script holding the payload; **live formula** when a workbook cell is a formula; **traceback** when a command
fails with a Python traceback; otherwise **escaped** (the text is shown as text).

Each parameter case runs ``asc run`` with the hostile string as the value of a text parameter (and as a parameter
name): **clear error** when it is refused with one line and exit code 2 and no page shows it live.

The projects are made in a temporary folder from the committed council files (real figures) and never committed.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup
from openpyxl import load_workbook

from helpers.core.paths import COUNCIL_DATA, PROCESSED, ROOT

ASC = str(Path(sys.executable).parent / "asc")

#: Name -> hostile string (HTML, Markdown, backticks, and every prefix a spreadsheet reads as a formula).
PAYLOADS: dict[str, str] = {
    "script tag": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "backticks": "x` <script>alert(1)</script> `y",
    "=HYPERLINK": '=HYPERLINK("http://x.invalid","click")',
    "+ prefix": "+cmd|' /C calc'!A0",
    "- prefix": "-2+3+cmd|' /C calc'!A0",
    "@ prefix": "@SUM(1+1)*cmd|' /C calc'!A0",
    "markdown": "**b** _i_ [link](javascript:alert(1)) ![im](x.png) `code`",
}

#: Free-text columns of the council template that reach a reader (besides ``line`` / ``parent_line``).
TEXT_COLUMNS = ("note", "source_table", "source_document", "commentary", "kpi_name", "saving_name", "reserve_name",
                "comparator_name", "purpose", "reason")

#: Report -> (notebook, its parameters): the Stockport periods the checked notebooks use.
REPORTS: dict[str, tuple[str, list[str]]] = {
    "03 forecast variance": ("forecast_variance", ["-p", "financial_year", "2017-18", "-p", "period", "Q3"]),
    "04 performance scorecard": ("performance_scorecard", ["-p", "financial_year", "2023-24", "-p", "period", "Q2"]),
}

#: Parameter cases: (notebook, parameter name) given a hostile value; a hostile parameter name on 03.
PARAMETERS: list[tuple[str, str]] = [
    ("spend_benchmarking", "expenditure"), ("ascof_benchmarking", "measures"), ("forecast_variance", "council"),
    ("forecast_variance", "service_scope"), ("performance_scorecard", "rule_set"), ("demand_trends", "series"),
    ("forecast_variance", "<name>"),
]


@dataclass(frozen=True)
class ReportCase:
    family: str  # "report 03", "report 04", "report parameters"
    payload: str
    target: str = ""  # report name, or "notebook: parameter"

    @property
    def id(self) -> str:
        return f"{self.family}: {self.target}: {self.payload}" if self.target else f"{self.family}: {self.payload}"


#: Report -> (file, column) of the number cell a "number cell" case puts its payload in (first data row).
NUMBER_CELLS: dict[str, tuple[str, str]] = {
    "03 forecast variance": ("budget_monitoring.csv", "budget_gbp_k"),
    "04 performance scorecard": ("kpis.csv", "value"),
}

#: Where a case puts its payload: every free-text field, or one number cell (the build refuses it and the report
#: runs on the previous table with a "stale data" banner whose reason reaches the run index).
PLACEMENTS = ("text fields", "a number cell")


#: The payloads put in a number cell (the banner and the index's reason carry them): one of each kind.
NUMBER_PAYLOADS = ("script tag", "backticks", "=HYPERLINK", "markdown")

#: The payloads given to each parameter (refused before any kernel starts, so one of each kind is enough).
PARAMETER_PAYLOADS = ("script tag", "backticks", "=HYPERLINK")


def report_cases() -> list[ReportCase]:
    """Every report x placement x payload the fuzz report runs (24 runs of ``asc run``)."""
    return [ReportCase(f"report {r[:2]}", p, f"{r}, {where}") for r in REPORTS for where in PLACEMENTS
            for p in (PAYLOADS if where == "text fields" else NUMBER_PAYLOADS)]


def parameter_cases() -> list[ReportCase]:
    return [ReportCase("report parameters", p, f"{nb}: {name}") for nb, name in PARAMETERS
            for p in PARAMETER_PAYLOADS]


def hostile_folder(src: Path, dest: Path, payload: str) -> None:
    """Copy a council folder, with ``payload + " "`` in front of every free-text cell (lines and their parents
    alike, so the tables still add up)."""
    dest.mkdir(parents=True)
    for p in sorted(src.iterdir()):
        if p.suffix != ".csv":
            shutil.copy(p, dest / p.name)
            continue
        with p.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
            fields = list(rows[0]) if rows else []
        for row in rows:
            for c in ("line", "parent_line", *TEXT_COLUMNS):
                if row.get(c, "").strip():
                    row[c] = f"{payload} {row[c]}"
        with (dest / p.name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields, quoting=csv.QUOTE_MINIMAL)
            w.writeheader()
            w.writerows(rows)


def hostile_number(folder: Path, file: str, column: str, payload: str) -> None:
    """Put ``payload`` in ``column`` of the first data row of ``folder/file``."""
    path = folder / file
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0][column] = payload
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def project(tmp: Path, payload: str | None) -> Path:
    """A project root with the Stockport folder (hostile if ``payload``), the reference data and the national
    processed tables of this worktree (linked, read only), so that only the council tables are built."""
    root = tmp / "project"
    (root / "data" / "raw" / "councils").mkdir(parents=True)
    for name in ("reference", "sources.yml"):
        (root / "data" / "raw" / name).symlink_to(ROOT / "data" / "raw" / name)
    (root / "notebooks").symlink_to(ROOT / "notebooks")
    processed = root / "data" / "processed"
    processed.mkdir()
    for p in PROCESSED.glob("*.parquet"):
        if not p.name.startswith("council_"):
            (processed / p.name).symlink_to(p)
    src = COUNCIL_DATA / "stockport"
    dest = root / "data" / "raw" / "councils" / "stockport"
    if payload is None:
        shutil.copytree(src, dest)
    else:
        hostile_folder(src, dest, payload)
    return root


def asc(root: Path | None, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASC_NATIONAL_DIR": os.environ.get("ASC_NATIONAL_DIR", str(ROOT.parent / "shared" / "data"))}
    if root is not None:
        env["ASC_PROJECT_ROOT"] = str(root)
    return subprocess.run([ASC, *args], cwd=root or ROOT, env=env, capture_output=True, text=True, timeout=900)


#: Attributes whose value is loaded or followed by the browser.
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "data", "poster", "xlink:href"}


def shape(html: str) -> set[tuple[str, tuple[str, ...]]]:
    """Every (element, its attribute names) of a page."""
    soup = BeautifulSoup(html, "html.parser")
    return {(t.name, tuple(sorted(t.attrs))) for t in soup.find_all(True)}


def live_html(html: str, plain: set, payload: str) -> str:
    """What in a page is live that the template did not put there ('' when nothing)."""
    extra = shape(html) - plain
    if extra:
        return f"new elements {sorted(extra)[:3]}"
    soup = BeautifulSoup(html, "html.parser")
    for t in soup.find_all(True):  # text in aria-label or alt is harmless; a link or source made from data is not
        for a, v in t.attrs.items():
            v = " ".join(v) if isinstance(v, list) else str(v)
            if a.lower() in URL_ATTRS and ("javascript:" in v.lower() or "x.invalid" in v or v == "x"
                                           or v.endswith("x.png")):
                return f"payload in attribute {t.name}[{a}]"
            if a.lower().startswith("on") and "alert(1)" in v:
                return f"payload in attribute {t.name}[{a}]"
    for s in soup.find_all("script"):
        if "alert(1)" in s.get_text() or "cmd|" in s.get_text():
            return "payload in a script"
    del payload
    return ""


def formula_cells(path: Path) -> list[str]:
    """Cells of a workbook that are formulas (``data_type == 'f'``): sheet!cell."""
    wb = load_workbook(path)
    try:
        return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    finally:
        wb.close()


def text_cells_with(path: Path, needle: str) -> int:
    """How many text cells of a workbook hold ``needle`` (the payload reached the workbook as text)."""
    wb = load_workbook(path)
    try:
        return sum(1 for ws in wb.worksheets for row in ws.iter_rows() for c in row
                   if c.data_type == "s" and isinstance(c.value, str) and needle in c.value)
    finally:
        wb.close()


def _traceback(proc: subprocess.CompletedProcess) -> bool:
    return "Traceback (most recent call last)" in proc.stdout + proc.stderr


def run_folder(out: Path) -> Path:
    runs = sorted(p for p in out.iterdir() if p.is_dir() and p.name != "latest")
    return runs[-1]


@dataclass
class Baseline:
    """The pages' shapes of a report run on the unchanged folder."""

    pages: dict[str, set]


def baseline(report: str, tmp: Path, *, stale: bool = False) -> Baseline:
    """Run a report on the unchanged Stockport folder (``stale``: with one number cell holding a harmless word, so
    that the build fails and the report carries its "stale data" banner): the template's elements, per page."""
    root = project(tmp, None)
    nb, params = REPORTS[report]
    build = asc(root, "data", "build", *_council_tables())
    if build.returncode != 0:
        raise RuntimeError(f"baseline build failed: {build.stderr[-500:]}")
    if stale:
        file, column = NUMBER_CELLS[report]
        hostile_number(root / "data" / "raw" / "councils" / "stockport", file, column, "plain")
        asc(root, "data", "build", *_council_tables())
    asc(root, "run", nb, "-p", "council", "E08000007", *params, "--quiet", "--workers", "1",
        "--output-dir", str(tmp / "out"))
    folder = run_folder(tmp / "out")
    return Baseline({p.name: shape(p.read_text(encoding="utf-8")) for p in folder.glob("*.html")})


def _council_tables() -> list[str]:
    from helpers.data.council_reports import TABLES

    return sorted(TABLES)


def run_report(case: ReportCase, tmp: Path, base: Baseline) -> tuple[str, str]:
    """Build and run one report on a hostile copy of the Stockport folder; return (outcome, detail).

    Outcomes: "escaped", "live HTML", "live formula", "traceback", "clear error" (the build or run refused the
    input with one line), "not reached" (the payload is in no page: the case tests nothing)."""
    payload = PAYLOADS[case.payload]
    report, where = case.target.split(", ")
    nb, params = REPORTS[report]
    refused = ""
    if where == "text fields":
        root = project(tmp, payload)
        build = asc(root, "data", "build", *_council_tables())
        if _traceback(build):
            return "traceback", build.stderr[-300:]
        if build.returncode != 0:
            return "clear error", build.stderr.strip().splitlines()[-1][:300]
    else:  # build the plain folder, then break one number cell: the second build must refuse it in one line
        root = project(tmp, None)
        first = asc(root, "data", "build", *_council_tables())
        if first.returncode != 0:
            raise RuntimeError(f"plain build failed: {first.stderr[-500:]}")
        file, column = NUMBER_CELLS[report]
        hostile_number(root / "data" / "raw" / "councils" / "stockport", file, column, payload)
        build = asc(root, "data", "build", *_council_tables())
        if _traceback(build):
            return "traceback", build.stderr[-300:]
        lines = [ln for ln in (build.stdout + build.stderr).splitlines() if f"{file}, row 2, column '{column}'" in ln]
        if build.returncode == 0 or len(lines) != 1:
            return "silent wrong", f"the build took {payload!r} in {file} {column}: {build.stdout[-300:]}"
        refused = lines[0].strip()[:300]
    run = asc(root, "run", nb, "-p", "council", "E08000007", *params, "--quiet", "--workers", "1",
              "--output-dir", str(tmp / "out"))
    if _traceback(run):
        return "traceback", run.stderr[-300:]
    folder = run_folder(tmp / "out")
    pages = sorted(folder.glob("*.html"))
    shown, per_page = 0, {}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        live = live_html(html, base.pages.get(page.name, set()), payload)
        if live:
            return "live HTML", f"{page.name}: {live}"
        per_page[page.name] = BeautifulSoup(html, "html.parser").get_text().count(payload.strip())
        shown += per_page[page.name]
    books = sorted(folder.glob("*.xlsx"))
    for book in books:
        if formulas := formula_cells(book):
            return "live formula", f"{book.name}: {formulas[:3]}"
    in_books = sum(text_cells_with(b, payload) for b in books)
    if refused:
        return "clear error", f"{refused} (report: exit {run.returncode}, payload as text {per_page})"
    if run.returncode != 0:
        return "clear error", (run.stderr.strip().splitlines() or ["(no message)"])[-1][:300]
    if not shown:
        return "not reached", "the payload is in no page"
    return "escaped", f"as text {per_page}, in {in_books} text cells of {len(books)} workbook(s)"


def run_parameter(case: ReportCase, tmp: Path) -> tuple[str, str]:
    """Run ``asc run`` with a hostile parameter value (or name); return (outcome, detail)."""
    payload = PAYLOADS[case.payload]
    nb, name = case.target.split(": ")
    param = ["-p", payload, "x"] if name == "<name>" else ["-p", name, payload]
    out = tmp / "out"
    run = asc(None, "run", nb, *param, "--quiet", "--workers", "1", "--output-dir", str(out))
    if _traceback(run):
        return "traceback", run.stderr[-300:]
    pages = [p for p in out.rglob("*.html")] if out.exists() else []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        if any("alert(1)" in s.get_text() for s in soup.find_all("script")) or soup.find("img", onerror=True):
            return "live HTML", page.name
    lines = run.stderr.strip().splitlines()
    if run.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "):
        return "clear error", lines[0][:300]
    if run.returncode == 0:
        return "accepted", "the run went ahead (the value was valid)"
    return "traceback", f"exit {run.returncode}: {run.stderr[-300:]}"
