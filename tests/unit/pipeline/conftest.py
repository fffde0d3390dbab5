"""Shared builders for the pipeline's unit tests: a small executed notebook and run records, made in memory.

They are synthetic (no kernel runs): an executed notebook with a title, two sections, a narrow and a wide table,
a chart with alt text and one without, as nbconvert sees a report's outputs.
"""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import pandas as pd
import pytest

#: A 1x1 PNG.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def executed_notebook(path: Path, *, title: str = "# Trivial report: a question?", extra_md: str = "") -> Path:
    """Write a small executed notebook (as papermill would leave it) to ``path``."""
    narrow = pd.DataFrame({"Year": ["2022-23", "2023-24"], "Spend (£k)": ["1,234", "1,300"]})
    wide = pd.DataFrame({f"A long column heading {i}": ["a value with several words", "12,345"] for i in range(14)})
    cells = [
        nbformat.v4.new_markdown_cell(f"{title}\n\nWhat the report answers."),
        nbformat.v4.new_code_cell("council = 'E08000007'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## Part one\n\nA narrow table." + extra_md),
        nbformat.v4.new_code_cell("r.narrow()", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": narrow.to_html(index=False), "text/plain": "table"})]),
        nbformat.v4.new_markdown_cell("### A detail\n\nA wide table."),
        nbformat.v4.new_code_cell("r.wide()", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": wide.to_html(index=False), "text/plain": "table"})]),
        nbformat.v4.new_markdown_cell("## Part two\n\nTwo charts."),
        nbformat.v4.new_code_cell("r.chart()", outputs=[
            nbformat.v4.new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "svg"},
                                   metadata={"image/svg+xml": {"alt": "Chart: spend per head against year"}}),
            nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "png"},
                                   metadata={"image/png": {"alt": "Chart: a PNG"}})]),
    ]
    for i, c in enumerate(cells):
        c["id"] = f"cell-{i:02d}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                        "display_name": "Python 3"}})
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def notebook_file(tmp_path: Path) -> Path:
    return executed_notebook(tmp_path / "01_trivial.ipynb")
