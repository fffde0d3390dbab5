"""Refresh the committed outputs of the cells nbval checks (those containing ``# NBVAL_CHECK_OUTPUT``).

Runs each notebook with its defaults through the runner, then copies the outputs of the checked cells into
the committed notebook and clears every other output, so the repository holds no bulky or data-heavy
outputs. Usage::

    python scripts/refresh_checked_outputs.py [NOTEBOOK ...]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat

from helpers.core.paths import NOTEBOOKS
from helpers.pipeline import execute, notebooks

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        result = execute.run_job(execute.Job(str(path), {}, str(out), str(out.with_suffix(".html")), mode="cold",
                                             html=False))
        if result.status != "ok":
            raise SystemExit(f"{path.name}: {result.error}")
        executed = nbformat.read(str(out), as_version=4)
    book = nbformat.read(str(path), as_version=4)
    by_id = {c.get("id"): c for c in executed.cells}
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        if CHECK_MARK in cell.source and cell.get("id") in by_id:
            done = by_id[cell["id"]]
            cell.outputs = [o for o in done.outputs if o.get("output_type") != "display_data"
                            or "image/png" not in o.get("data", {})]
            cell.execution_count = done.execution_count  # nbval needs it to compare the cell
        else:
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(book, str(path))
    print(f"refreshed {path.name}")


def main(names: list[str]) -> None:
    paths = [notebooks.find_notebook(n) for n in names] if names else notebooks.list_notebooks(NOTEBOOKS)
    for p in paths:
        refresh(Path(p))


if __name__ == "__main__":
    main(sys.argv[1:])
