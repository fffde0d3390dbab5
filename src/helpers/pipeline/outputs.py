"""What a run leaves behind: its folder, the reports' HTML, ``manifest.json``, ``index.html`` and ``latest``.

Every run writes ``outputs/<run_id>/`` (never overwriting an earlier run) with

* the executed notebooks (``<notebook>.ipynb``, or ``<notebook>/<council>.ipynb`` for a batch),
* their HTML with the code hidden and a contents section (nbconvert, :func:`export_html`),
* ``index.html`` listing every report with its parameters and status, failures first (:func:`write_index`),
* ``manifest.json``: parameters, git commit, package versions, sha256 of every input file read, timings,
  status per notebook (:func:`write_manifest`),
* ``run.log`` (written by :func:`helpers.pipeline.execute.execute`).

:class:`JobResult` and :class:`RunSummary` are the record of a run these files are made from.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import platform
import re
import subprocess
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from helpers.core.errors import AscError
from helpers.core.paths import OUTPUTS, ROOT
from helpers.data import tables
from helpers.data.io import atomic_write_text

#: Packages whose versions go into the manifest.
PACKAGES = (
    "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "pandera", "pyarrow", "papermill",
    "nbconvert", "nbclient", "ipykernel", "python-calamine", "asc-helpers",
)


@dataclass
class JobResult:
    """What happened to one job (one executed notebook): the record the index and manifest are made from."""

    notebook: str
    parameters: dict[str, Any]
    status: str  # ok | failed
    seconds: float
    output_ipynb: str
    output_html: str | None
    title: str = ""
    error: str = ""
    failed_cell: int | None = None
    tables_read: list[str] = field(default_factory=list)
    html_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    """The outcome of a run."""

    run_dir: Path
    results: list[JobResult]
    seconds: float

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed and bool(self.results)


# --------------------------------------------------------------------------------------------------
# Run folders
# --------------------------------------------------------------------------------------------------

def new_run_dir(root: Path = OUTPUTS, label: str = "run") -> Path:
    """Create a new, never-reused run folder ``outputs/<YYYYmmdd-HHMMSS>-<label>-<id>``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for _ in range(100):
        run = root / f"{stamp}-{label}-{uuid.uuid4().hex[:6]}"
        try:
            run.mkdir(parents=True, exist_ok=False)
            return run
        except FileExistsError:
            continue
    raise AscError(f"could not create a new run folder under {root}")


def point_latest(run_dir: Path) -> None:
    """Point ``outputs/latest`` at this run folder (best effort: a file system without symlinks is left alone)."""
    latest = run_dir.parent / "latest"
    try:
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(run_dir.name, target_is_directory=True)
    except OSError:
        pass


def _rel(path: str | None, run_dir: Path) -> str | None:
    if not path:
        return None
    try:
        return Path(path).resolve().relative_to(run_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).name


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"\s+", "-", text.strip())


def export_html(ipynb: Path, html_out: Path, *, title: str = "", parameters: dict[str, Any] | None = None) -> Path:
    """Export an executed notebook to HTML with the code hidden and a contents section at the top.

    The contents list links to every ``##``/``###`` heading; the parameters the notebook ran with are shown
    under the title, so a reader who never sees code knows what the report is about.
    """
    import nbformat  # lazy: nbformat and nbconvert take seconds to import; only a run that writes HTML needs them
    from nbconvert import HTMLExporter  # lazy: as nbformat

    nb = nbformat.read(str(ipynb), as_version=4)
    heads = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^(#{2,3})\s+(.+?)\s*#*$", line)
            if m:
                heads.append((len(m.group(1)), m.group(2)))
    lines = []
    if parameters:
        shown = ", ".join(f"**{k}** = `{v}`" for k, v in parameters.items())
        lines.append(f"*Run with* {shown}\n")
    if heads:
        lines.append("**Contents**\n")
        for level, text in heads:
            plain = re.sub(r"[`*_]", "", text)
            lines.append(f"{'  ' * (level - 2)}- [{plain}](#{_slug(plain)})")
    if lines:
        toc = nbformat.v4.new_markdown_cell("\n".join(lines))
        toc.metadata["tags"] = ["asc-contents"]
        first_md = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), -1)
        nb.cells.insert(first_md + 1, toc)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or ipynb.stem}})
    html_out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(html_out, body)
    return html_out


# --------------------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------------------

def git_commit() -> dict[str, Any]:
    """The git commit of the project and whether the work tree has uncommitted changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip())
        return {"commit": sha, "dirty": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers and the reports."""
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def write_manifest(summary: RunSummary, command: str = "") -> Path:
    """Write ``manifest.json``: parameters, git commit, package versions, input hashes, timings, statuses."""
    state_inputs = tables.build_state()
    run_dir = summary.run_dir
    jobs = []
    all_inputs: dict[str, str] = {}
    for r in summary.results:
        inputs: dict[str, str] = {}
        for t in r.tables_read:
            inputs.update(state_inputs.get(t, {}).get("inputs", {}))
        all_inputs.update(inputs)
        jobs.append({
            "notebook": Path(r.notebook).name, "title": r.title, "parameters": r.parameters,
            "status": r.status, "error": r.error or None, "failed_cell": r.failed_cell,
            "seconds": round(r.seconds, 2), "html_seconds": round(r.html_seconds, 2),
            "executed_notebook": _rel(r.output_ipynb, run_dir), "html": _rel(r.output_html, run_dir),
            "notes": r.notes, "tables_read": r.tables_read, "input_files_sha256": dict(sorted(inputs.items())),
        })
    manifest = {
        "run_id": run_dir.name,
        "command": command,
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "git": git_commit(),
        "packages": package_versions(),
        "national_data_dir": str(os.environ.get("ASC_NATIONAL_DIR", "")) or None,
        "seconds": round(summary.seconds, 2),
        "status": "ok" if summary.ok else "failed",
        "counts": {"notebooks": len(summary.results), "failed": len(summary.failed)},
        "input_files_sha256": dict(sorted(all_inputs.items())),
        "jobs": jobs,
    }
    path = run_dir / "manifest.json"
    atomic_write_text(path, json.dumps(manifest, indent=2, default=str) + "\n")
    return path


# --------------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------------

def write_index(summary: RunSummary) -> Path:
    """Write ``index.html``: every report with its parameters and status, failures first."""
    run_dir = summary.run_dir
    rows = []
    ordered = sorted(summary.results, key=lambda r: (r.status == "ok", r.title, json.dumps(r.parameters, default=str)))
    for r in ordered:
        link = _rel(r.output_html, run_dir)
        nb_link = _rel(r.output_ipynb, run_dir)
        title = html.escape(r.title or Path(r.notebook).stem)
        name = f'<a href="{html.escape(link)}">{title}</a>' if link else title
        params = ", ".join(f"{html.escape(str(k))} = {html.escape(str(v))}" for k, v in r.parameters.items())
        state = "ok" if r.status == "ok" else "FAILED"
        detail = html.escape(r.error) if r.error else ""
        notes = "<br>".join(html.escape(n) for n in r.notes)
        extra = f' · <a href="{html.escape(nb_link)}">notebook</a>' if nb_link else ""
        rows.append(
            f'<tr class="{r.status}"><td>{name}{extra}</td><td>{params or "defaults"}</td>'
            f'<td class="status">{state}</td><td>{detail}</td><td>{notes}</td><td class="num">{r.seconds:.1f}</td></tr>'
        )
    n_fail = len(summary.failed)
    headline = (f"{len(summary.results)} reports, all ran" if not n_fail
                else f"{n_fail} of {len(summary.results)} reports FAILED (listed first)")
    n_notes = sum(1 for r in summary.results if r.notes)
    if n_notes:
        headline += f"; {n_notes} report(s) carry notes on missing or limited data (see the Notes column)"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ASC reports: {html.escape(run_dir.name)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .4em .6em; text-align: left; vertical-align: top; }}
tr.failed td {{ background: #fde8e0; }} td.status {{ font-weight: bold; }}
tr.failed td.status {{ color: #a33a00; }} td.num {{ text-align: right; }}
</style></head><body>
<h1>Adult social care reports</h1>
<p>Run <code>{html.escape(run_dir.name)}</code>: {headline}. Details: <a href="manifest.json">manifest.json</a>,
<a href="run.log">run.log</a>.</p>
<table><thead><tr><th>Report</th><th>Parameters</th><th>Status</th><th>Where it failed</th><th>Notes</th>
<th>Seconds</th></tr>
</thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    path = run_dir / "index.html"
    atomic_write_text(path, page)
    return path
