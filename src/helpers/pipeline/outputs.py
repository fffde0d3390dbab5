"""What a run leaves behind: its folder, the record of each report, ``manifest.json`` and ``latest``.

Every run writes ``outputs/<run_id>/`` (never overwriting an earlier run) with

* the executed notebooks (``<notebook>.ipynb``, or ``<notebook>/<parameter values>.ipynb`` for a batch) and
  their HTML (:mod:`helpers.pipeline.report_html`), with a PDF beside each when asked (``--pdf``,
  :mod:`helpers.pipeline.printing`), and the data files (CSV, workbooks) each report writes;
* ``index.html`` (and, for several councils, ``councils/<code>.html``): :mod:`helpers.pipeline.index`;
* ``manifest.json``: parameters, git commit, package versions, sha256 of every input file read, timings,
  status per notebook (:func:`write_manifest`);
* ``run.log`` (written by :func:`helpers.pipeline.execute.execute`).

A report's status is the most serious of: ``failed`` (the notebook or its HTML failed), ``stale data`` (it read
a table whose latest build failed, or said so itself), ``no data`` (it said it had nothing to show) and
``ok`` (:func:`helpers.pipeline.words.worst`). The report says ``no data`` / ``stale data`` with
:func:`helpers.reports.present.set_status`, which appends JSON lines to ``<output prefix>.status``; notes
(:func:`helpers.reports.present.note`) go to ``<prefix>.notes``, data files to ``<prefix>.exports`` and the tables
read to ``<prefix>.reads``: :func:`read_side_files` collects and removes them after each notebook.

Every file here is written atomically (a temporary file in the same folder, then a rename); a file system
that refuses a write is one :class:`~helpers.core.errors.AscError` line, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
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
from helpers.pipeline.words import STATUS_ORDER, worst

#: Packages whose versions go into the manifest.
PACKAGES = (
    "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "pandera", "pyarrow", "papermill",
    "nbconvert", "nbclient", "ipykernel", "python-calamine", "pypdf", "asc-helpers",
)
#: The suffixes of the files a report leaves beside its output prefix for the runner.
SIDE_FILES = (".reads", ".notes", ".status", ".exports", ".title")


@dataclass
class JobResult:
    """What happened to one job (one executed notebook): the record the index and manifest are made from.

    ``parameters`` are those given; ``all_parameters`` every parameter the notebook ran with (defaults
    included). ``reasons`` say why the status is not ``ok`` (one line each).
    """

    notebook: str
    parameters: dict[str, Any]
    status: str  # ok | no data | stale data | failed
    seconds: float
    output_ipynb: str
    output_html: str | None
    title: str = ""
    error: str = ""
    failed_cell: int | None = None
    tables_read: list[str] = field(default_factory=list)
    html_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    all_parameters: dict[str, Any] = field(default_factory=dict)
    data_files: list[str] = field(default_factory=list)
    output_pdf: str | None = None
    pdf_error: str = ""
    pdf_seconds: float = 0.0
    pdf_pages: int = 0
    pack_page: int | None = None  # the page a council pack's PDF starts this report on

    @property
    def council(self) -> str | None:
        """The council's GSS code, if the report has one."""
        value = self.all_parameters.get("council", self.parameters.get("council"))
        return str(value) if value else None


@dataclass
class RunSummary:
    """The outcome of a run."""

    run_dir: Path
    results: list[JobResult]
    seconds: float
    kind: str = "run"  # run | pack
    pack_pdf: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (notebook title, why not in a pack)
    pdf_note: str = ""  # why no PDF was made (no browser...), one line

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """No report failed (``no data`` and ``stale data`` are not failures: the run exits 0)."""
        return not self.failed and bool(self.results)

    @property
    def status(self) -> str:
        return worst(r.status for r in self.results) if self.results else "failed"


# --------------------------------------------------------------------------------------------------
# Run folders
# --------------------------------------------------------------------------------------------------

def new_run_dir(root: Path = OUTPUTS, label: str = "run") -> Path:
    """Create a new, never-reused run folder ``outputs/<YYYYmmdd-HHMMSS>-<label>-<id>``.

    Raises
    ------
    AscError
        The folder cannot be made (a read-only or full disk): one line naming the folder.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for _ in range(100):
        run = root / f"{stamp}-{label}-{uuid.uuid4().hex[:6]}"
        try:
            run.mkdir(parents=True, exist_ok=False)
            return run
        except FileExistsError:
            continue
        except OSError as exc:
            raise AscError(f"cannot create a run folder in {root}: {exc.strerror or exc}") from None
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


def rel(path: str | None, run_dir: Path) -> str | None:
    """``path`` relative to the run folder (POSIX), for links and the manifest; ``None`` for none."""
    if not path:
        return None
    try:
        return Path(path).resolve().relative_to(run_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def write_text(path: Path, text: str, what: str) -> Path:
    """Write a run file atomically; a refused write (full or read-only disk) is one :class:`AscError` line."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise AscError(f"cannot write the {what} {path}: {exc.strerror or exc}") from None
    return path


# --------------------------------------------------------------------------------------------------
# What a report leaves beside its output prefix
# --------------------------------------------------------------------------------------------------

@dataclass
class SideFiles:
    """The runner's record of one notebook's run, from the files beside its output prefix."""

    reads: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (status, reason)
    exports: list[str] = field(default_factory=list)  # paths of the data files written, in order
    title: str = ""  # the report's own title (its summary box's: council and period), "" if it set none


def _lines(path: Path) -> list[str]:
    try:
        return [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return []


def clear_side_files(prefix: Path) -> None:
    """Remove what an earlier run of the same output prefix left (before a notebook starts)."""
    for suffix in SIDE_FILES:
        Path(f"{prefix}{suffix}").unlink(missing_ok=True)


def read_side_files(prefix: Path) -> SideFiles:
    """Read and remove ``<prefix>.reads``, ``.notes``, ``.status``, ``.exports`` and ``.title``.

    A status line that is not JSON, or names a status that does not exist, is kept as ``stale data`` with the
    line as its reason (never dropped silently).
    """
    out = SideFiles()
    out.reads = sorted(set(_lines(Path(f"{prefix}.reads"))))
    out.notes = _lines(Path(f"{prefix}.notes"))
    for line in _lines(Path(f"{prefix}.status")):
        try:
            rec = json.loads(line)
            status, reason = str(rec["status"]), str(rec.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            status, reason = "stale data", f"unreadable status line: {line[:200]}"
        if status not in STATUS_ORDER or status in ("ok", "failed"):
            reason, status = f"unknown status {status!r}: {reason}", "stale data"
        out.statuses.append((status, " ".join(reason.split())))
    seen: set[str] = set()
    for name in _lines(Path(f"{prefix}.exports")):
        path = Path(prefix).with_name(Path(name.strip()).name)
        if str(path) not in seen and path.is_file():
            seen.add(str(path))
            out.exports.append(str(path))
    title = _lines(Path(f"{prefix}.title"))
    out.title = " ".join(title[0].split())[:300] if title else ""
    clear_side_files(prefix)
    return out


def stale_tables(names: list[str]) -> list[tuple[str, str]]:
    """``(table, why)`` for each table among ``names`` whose latest build failed (:func:`tables.table_status`)."""
    out = []
    for name in names:
        state, message = tables.table_status(name)
        if state == "failed":
            out.append((name, " ".join(str(message or "the build failed").split())))
    return out


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


def table_inputs(names: list[str], state: dict | None = None) -> dict[str, dict[str, str]]:
    """Each table's input files and their sha256 (from the build state), by table."""
    state = tables.build_state() if state is None else state
    return {t: dict(sorted(state.get(t, {}).get("inputs", {}).items())) for t in names}


def write_manifest(summary: RunSummary, command: str = "") -> Path:
    """Write ``manifest.json``: parameters, git commit, package versions, input hashes, timings, statuses."""
    state_inputs = tables.build_state()
    run_dir = summary.run_dir
    jobs = []
    all_inputs: dict[str, str] = {}
    for r in summary.results:
        inputs: dict[str, str] = {}
        for files in table_inputs(r.tables_read, state_inputs).values():
            inputs.update(files)
        all_inputs.update(inputs)
        jobs.append({
            "notebook": Path(r.notebook).name, "title": r.title, "parameters": r.parameters,
            "all_parameters": r.all_parameters, "council": r.council,
            "status": r.status, "reasons": r.reasons, "error": r.error or None, "failed_cell": r.failed_cell,
            "seconds": round(r.seconds, 2), "html_seconds": round(r.html_seconds, 2),
            "pdf_seconds": round(r.pdf_seconds, 2),
            "executed_notebook": rel(r.output_ipynb, run_dir), "html": rel(r.output_html, run_dir),
            "pdf": rel(r.output_pdf, run_dir), "pdf_error": r.pdf_error or None, "pdf_pages": r.pdf_pages or None,
            "pack_page": r.pack_page,
            "data_files": [rel(f, run_dir) for f in r.data_files],
            "notes": r.notes, "tables_read": r.tables_read, "input_files_sha256": dict(sorted(inputs.items())),
        })
    statuses = [r.status for r in summary.results]
    manifest = {
        "run_id": run_dir.name,
        "kind": summary.kind,
        "command": command,
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "git": git_commit(),
        "packages": package_versions(),
        "national_data_dir": str(os.environ.get("ASC_NATIONAL_DIR", "")) or None,
        "seconds": round(summary.seconds, 2),
        "status": summary.status,
        "counts": {"notebooks": len(summary.results), "failed": len(summary.failed)},
        "statuses": {s: statuses.count(s) for s in STATUS_ORDER},
        "pack_pdf": rel(summary.pack_pdf, run_dir),
        "pdf_note": summary.pdf_note or None,
        "not_in_pack": [{"report": t, "why": w} for t, w in summary.skipped],
        "input_files_sha256": dict(sorted(all_inputs.items())),
        "jobs": jobs,
    }
    return write_text(run_dir / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n", "run manifest")
