"""The package's layout rules, read from its own imports (``scripts/import_graph.py``).

Stages ``core -> data -> analysis -> reports -> pipeline``: a module imports from its own stage and earlier
ones only; analysis (and core, data) never import matplotlib, seaborn or IPython; no import circle; no
module over 500 lines; no private name used from another module; imports at the top of the module (a
deliberate lazy import of a heavy optional dependency carries ``# lazy: why``).

``KNOWN`` lists the breaks that remain while the package is being rearranged; it may only shrink, and the
test fails when an entry is mended but still listed (so the list stays true).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
sys.modules["import_graph"] = import_graph
_spec.loader.exec_module(import_graph)

#: Rule breaks still to mend (must only shrink).
KNOWN: set[str] = set()


@pytest.fixture(scope="module")
def modules() -> dict:
    """The package's modules and their imports, read once for the module's tests."""
    return import_graph.read_modules()


@pytest.fixture(scope="module")
def found(modules: dict) -> set[str]:
    """The package's rule breaks."""
    return set(import_graph.violations(modules))


def test_no_new_rule_breaks(found: set[str]):
    new = sorted(found - KNOWN)
    assert not new, "layout rule broken:\n" + "\n".join(new)


def test_known_list_is_current(found: set[str]):
    mended = sorted(KNOWN - found)
    assert not mended, "mended, so remove from KNOWN:\n" + "\n".join(mended)


def test_reader_finds_a_planted_break(tmp_path):
    pkg = tmp_path / "helpers"
    (pkg / "core").mkdir(parents=True)
    (pkg / "analysis").mkdir()
    for d in (pkg, pkg / "core", pkg / "analysis"):
        (d / "__init__.py").write_text("")
    (pkg / "core" / "a.py").write_text("from helpers.analysis import b\n")
    (pkg / "analysis" / "b.py").write_text("import matplotlib\nfrom helpers.core import a\n"
                                           "def f():\n    from helpers.core import a\n    return a._x\n")
    found = import_graph.violations(import_graph.read_modules(pkg))
    text = "\n".join(found)
    assert "stage: helpers.core.a (core) imports helpers.analysis.b (analysis), a later stage" in found
    assert "presentation: helpers.analysis.b (analysis) imports matplotlib" in found
    assert "circle: helpers.analysis.b <-> helpers.core.a" in found
    assert "private: helpers.analysis.b uses helpers.core.a._x" in text
    assert "inner import: helpers.analysis.b imports helpers.core.a inside a function" in found


def _readme_layout() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def test_readme_layout_matches_the_tree():
    """README's layout block names every stage package, every test folder, every top-level folder, and
    nothing that is not there."""
    block = _readme_layout()
    named = {line.split()[0].rstrip("/") for line in block.splitlines() if line[:1].strip() and line.split()}
    top = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")} - {"outputs"}
    top |= {"src/helpers", "data/raw", "data/processed", "environment.yml"}
    top -= {"src", "data"}
    assert top <= named | {"outputs", ".venv"}, sorted(top - named)
    for name in named - {"outputs", "data/processed"}:
        assert (ROOT / name).exists(), f"README layout names {name}, which is not in the tree"
    stages = sorted(p.name for p in (ROOT / "src" / "helpers").iterdir() if (p / "__init__.py").exists())
    for stage in stages:
        assert f"  {stage}/" in block, f"README layout does not name the stage src/helpers/{stage}/"
    for folder in sorted(p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and not p.name.startswith("_")):
        assert f"{folder}/" in block, f"README layout does not name tests/{folder}/"


def test_architecture_doc_draws_the_current_graph(modules: dict):
    """docs/architecture.md's graph is the one the code draws (regenerate: scripts/import_graph.py --write-docs)."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert import_graph.mermaid(modules) in doc, \
        "docs/architecture.md's import graph is stale: run scripts/import_graph.py --write-docs"


#: Paths the docs name on purpose although they are not in a clean clone (made by the user or a run).
NOT_IN_A_CLONE = {"data/raw/national", "data/raw/sources.local.yml", "notebooks/NN_name.ipynb"}


def test_docs_name_only_paths_and_modules_that_exist():
    """Every repository path (src/helpers/..., tests/..., scripts/..., notebooks/..., data/raw/...) and every
    ``helpers.x.y`` module the README and docs/ name exists, so a newcomer's map does not lead nowhere."""
    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for m in re.finditer(r"(?:src/helpers|tests|scripts|notebooks|data/raw)/[A-Za-z0-9_./-]+", text):
            path = m.group(0).rstrip(".,)/")
            if path not in NOT_IN_A_CLONE and not (ROOT / path).exists():
                missing.append(f"{doc.name}: {path}")
        for m in re.finditer(r"\bhelpers(?:\.[a-z_]+)+", text):
            parts = m.group(0).split(".")
            # a module, a package, or a name in a module (helpers.core.text.md -> helpers/core/text.py)
            cands = [ROOT / "src" / "/".join(parts[:k]) for k in (len(parts), len(parts) - 1)]
            if not any(c.with_suffix(".py").exists() or c.is_dir() for c in cands):
                missing.append(f"{doc.name}: {m.group(0)}")
    assert not missing, "the docs name what is not in the tree:\n" + "\n".join(sorted(set(missing)))
