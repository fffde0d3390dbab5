"""Each notebook's parameter schema, its parameters cell and `asc notebooks` agree: names, types, defaults."""

from __future__ import annotations

import ast
import re
import types
import typing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.core.paths import NOTEBOOKS
from helpers.pipeline import notebooks, params
from helpers.pipeline.cli import app

NOTEBOOK_FILES = notebooks.list_notebooks(NOTEBOOKS)


def type_text(annotation: object) -> str:
    """A schema field's type as a parameters cell writes it (``float | None`` is ``Optional[float]``)."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return f"Optional[{inner.__name__}]"
    return annotation.__name__


def schema_lines(name: str) -> list[tuple[str, str, object]]:
    return [(k, type_text(f.annotation), f.default) for k, f in params.SCHEMAS[name].model_fields.items()]


def test_every_notebook_has_a_schema_and_every_schema_a_notebook() -> None:
    assert sorted(notebooks.notebook_name(p) for p in NOTEBOOK_FILES) == sorted(params.SCHEMAS)


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=[p.stem for p in NOTEBOOK_FILES])
def test_schema_matches_the_parameters_cell(path: Path) -> None:
    cell = [(p.name, p.type_name, p.default) for p in notebooks.notebook_parameters(path).values()]
    assert cell == schema_lines(notebooks.notebook_name(path))


def test_asc_notebooks_lists_each_schema() -> None:
    result = CliRunner().invoke(app, ["notebooks"])
    assert result.exit_code == 0, result.stderr
    listed: dict[str, list[tuple[str, str, object]]] = {}
    current = None
    for line in result.stdout.splitlines():
        if not line.startswith(" "):
            current = notebooks.notebook_name(line.split(":", 1)[0])
            listed[current] = []
            continue
        m = re.match(r"^    (\w+): (\S+) = (.*?)  # ", line)
        assert m, line
        listed[current].append((m.group(1), m.group(2), ast.literal_eval(m.group(3))))
    assert listed == {name: schema_lines(name) for name in params.SCHEMAS}
