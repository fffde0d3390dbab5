"""Conventions every committed notebook keeps (see docs/notebooks.md).

One `parameters` cell of literals with type hints and comments, kernelspec python3, no stale papermill
cells, a title first and a parameter check third, thin code cells, and outputs committed only for the
cells nbval checks.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from helpers.core.paths import NOTEBOOKS

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
MAX_CODE_LINES = 15
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def test_there_are_notebooks() -> None:
    assert NOTEBOOK_FILES, "notebooks/ holds no notebook"


@pytest.fixture(params=NOTEBOOK_FILES, ids=[p.stem for p in NOTEBOOK_FILES])
def nb(request: pytest.FixtureRequest) -> tuple[Path, nbformat.NotebookNode]:
    path = request.param
    json.loads(path.read_text(encoding="utf-8"))  # valid JSON
    return path, nbformat.read(str(path), as_version=4)


def test_kernelspec_and_no_injected_cell(nb) -> None:
    path, book = nb
    assert book.metadata.get("kernelspec", {}).get("name") == "python3", path.name
    tags = [t for c in book.cells for t in c.metadata.get("tags", [])]
    assert "injected-parameters" not in tags, f"{path.name} holds a stale injected-parameters cell"
    assert tags.count("parameters") == 1, f"{path.name} must have exactly one parameters cell"


def test_title_parameters_then_check(nb) -> None:
    path, book = nb
    first, second, third = book.cells[:3]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell: a markdown title"
    assert "parameters" in second.metadata.get("tags", []), "second cell: the parameters cell"
    assert third.cell_type == "code" and "params.check(" in third.source, "third cell: validate the parameters"


def test_parameters_are_literals_with_type_hints_and_comments(nb) -> None:
    path, book = nb
    cell = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
    tree = ast.parse(cell.source)
    for stmt in tree.body:
        assert isinstance(stmt, ast.AnnAssign) and stmt.value is not None, (
            f"{path.name}: line {stmt.lineno} of the parameters cell must be `name: type = literal  # comment`")
        ast.literal_eval(stmt.value)
    for line in cell.source.splitlines():
        if line.strip():
            assert "  # " in line, f"{path.name}: parameter line without a comment: {line!r}"
            assert "=" not in line.split("#", 1)[1], f"{path.name}: papermill cannot parse '=' in a comment: {line!r}"
    declared = pm.inspect_notebook(str(path))
    assert len(declared) == len(tree.body), f"{path.name}: papermill reads {sorted(declared)}"


def test_code_cells_are_thin(nb) -> None:
    path, book = nb
    for i, c in enumerate(book.cells):
        if c.cell_type == "code":
            n = len([ln for ln in c.source.splitlines() if ln.strip()])
            assert n <= MAX_CODE_LINES, f"{path.name} cell {i}: {n} lines; move logic into src/helpers"


def test_outputs_only_in_checked_cells_and_no_absolute_paths(nb) -> None:
    path, book = nb
    for i, c in enumerate(book.cells):
        if c.cell_type == "code" and c.get("outputs"):
            assert CHECK_MARK in c.source, f"{path.name} cell {i}: outputs committed in an unchecked cell"
        assert "/work/" not in c.source and "/home/" not in c.source, f"{path.name} cell {i}: absolute path"


def test_test_parameter_sets_name_declared_parameters(nb) -> None:
    path, book = nb
    declared = set(pm.inspect_notebook(str(path)))
    for params in book.metadata.get("asc", {}).get("test_parameters", []):
        assert set(params) <= declared, f"{path.name}: test parameters {set(params) - declared} not declared"
