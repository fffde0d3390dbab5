"""Read the helpers package's imports from its code, check the stage rules, and draw the import graph.

The package is arranged by stage of the data flow, ``core -> data -> analysis -> reports -> pipeline``: a
module may import from its own stage and the stages before it, never after. This script reads every import
(at module level and inside functions) with :mod:`ast`, so the graph is the code's own, not a drawing.

Usage::

    .venv/bin/python scripts/import_graph.py            # print the rule breaks (exit 1 if any)
    .venv/bin/python scripts/import_graph.py --mermaid  # the stage and module graph as Mermaid
    .venv/bin/python scripts/import_graph.py --write-docs  # refresh the graph in docs/architecture.md

``tests/unit/test_architecture.py`` runs the same checks.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "helpers"
STAGES = ("core", "data", "analysis", "reports", "pipeline")
#: Third-party modules that mean presentation: analysis (and core, data) never import them.
PRESENTATION = ("matplotlib", "seaborn", "IPython")
MAX_LINES = 500
LAZY_MARK = "# lazy:"
DOC = ROOT / "docs" / "architecture.md"
DOC_BEGIN = "<!-- import-graph:begin (scripts/import_graph.py --write-docs) -->"
DOC_END = "<!-- import-graph:end -->"


@dataclass
class Module:
    """One module of the package and what it imports."""

    name: str  # dotted, e.g. helpers.data.tables
    path: Path
    lines: int
    imports: set[str] = field(default_factory=set)  # helpers modules, module level
    inner: set[str] = field(default_factory=set)  # helpers modules imported inside functions
    third: set[str] = field(default_factory=set)  # top-level third-party packages (any level)
    inner_third: list[tuple[int, str, bool]] = field(default_factory=list)  # (line, package, marked lazy)
    private: list[tuple[int, str]] = field(default_factory=list)  # (line, "module._name")

    @property
    def stage(self) -> str | None:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def module_name(path: Path, package: Path = PACKAGE) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, current: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def read_modules(package: Path = PACKAGE) -> dict[str, Module]:
    """Every module of the package with its imports."""
    files = sorted(package.rglob("*.py"))
    names = {module_name(f, package) for f in files}
    mods: dict[str, Module] = {}
    for f in files:
        src = f.read_text(encoding="utf-8")
        tree = ast.parse(src)
        lines = src.splitlines()
        name = module_name(f, package)
        m = Module(name, f, len(lines))
        is_pkg = f.name == "__init__.py"
        aliases: dict[str, str] = {}
        funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        inside = {id(n) for fn in funcs for n in ast.walk(fn) if n is not fn}
        for node in ast.walk(tree):
            targets: list[tuple[str, str | None]] = []  # (module, alias)
            if isinstance(node, ast.Import):
                targets = [(a.name, a.asname or a.name.split(".")[0]) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, name, is_pkg)
                for a in node.names:
                    full = f"{base}.{a.name}"
                    if full in names:
                        targets.append((full, a.asname or a.name))
                    else:
                        targets.append((base, None))
                        if a.name.startswith("_") and base.startswith("helpers"):
                            m.private.append((node.lineno, f"{base}.{a.name}"))
            else:
                continue
            is_inner = id(node) in inside
            for target, alias in targets:
                if target.startswith("helpers"):
                    if target == name:
                        continue
                    # the deepest module of the package the target names
                    while target and target not in names:
                        target = target.rpartition(".")[0]
                    if not target or target == name:
                        continue
                    (m.inner if is_inner else m.imports).add(target)
                    if alias:
                        aliases[alias] = target
                else:
                    top = target.split(".")[0]
                    if top in ("__future__",) or not top:
                        continue
                    m.third.add(top)
                    if is_inner:
                        here = lines[node.lineno - 1]
                        before = lines[node.lineno - 2] if node.lineno > 1 else ""
                        m.inner_third.append((node.lineno, top, LAZY_MARK in here or LAZY_MARK in before))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                v = node.value
                if isinstance(v, ast.Name) and v.id in aliases:
                    m.private.append((node.lineno, f"{aliases[v.id]}.{node.attr}"))
        mods[name] = m
    return mods


def cycles(mods: dict[str, Module]) -> list[list[str]]:
    """Import circles among the package's modules (module-level and function-level imports alike)."""
    graph = {n: sorted((m.imports | m.inner) & mods.keys()) for n, m in mods.items()}
    # parent packages import their children implicitly; ignore edges from a package to its own children
    graph = {n: [t for t in ts if not t.startswith(n + ".")] for n, ts in graph.items()}
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return sorted(out)


def violations(mods: dict[str, Module] | None = None) -> list[str]:
    """Every break of the layout's rules, one line each (empty when the package keeps them all)."""
    mods = mods if mods is not None else read_modules()
    out: list[str] = []
    rank = {s: i for i, s in enumerate(STAGES)}
    for n, m in sorted(mods.items()):
        if m.lines > MAX_LINES:
            out.append(f"size: {n} has {m.lines} lines (at most {MAX_LINES})")
        if m.stage is None and n not in ("helpers",):
            out.append(f"stage: {n} is in no stage package ({', '.join(STAGES)})")
        for t in sorted(m.imports | m.inner):
            ts = mods[t].stage if t in mods else None
            if m.stage and ts and rank[ts] > rank[m.stage]:
                out.append(f"stage: {n} ({m.stage}) imports {t} ({ts}), a later stage")
        for t in sorted(m.inner):
            out.append(f"inner import: {n} imports {t} inside a function")
        for _line, pkg, lazy in m.inner_third:
            if not lazy:
                out.append(f"inner import: {n} imports {pkg} inside a function without '{LAZY_MARK} why'")
        if m.stage in ("core", "data", "analysis"):
            for pkg in sorted(m.third & set(PRESENTATION)):
                out.append(f"presentation: {n} ({m.stage}) imports {pkg}")
        for _line, what in m.private:
            owner = what.rsplit(".", 1)[0]
            if owner != n:
                out.append(f"private: {n} uses {what}")
    for comp in cycles(mods):
        out.append("circle: " + " <-> ".join(comp))
    return sorted(set(out))


def mermaid(mods: dict[str, Module] | None = None) -> str:
    """The import graph as Mermaid: one subgraph per stage, one edge per module-level import."""
    mods = mods if mods is not None else read_modules()
    by_stage: dict[str, list[str]] = defaultdict(list)
    for n, m in sorted(mods.items()):
        if m.stage:
            by_stage[m.stage].append(n)

    def nid(n: str) -> str:
        return n.replace(".", "_")

    lines = ["```mermaid", "flowchart LR"]
    for s in STAGES:
        lines.append(f"  subgraph {s}")
        for n in by_stage.get(s, []):
            label = n.removeprefix(f"helpers.{s}.") if n != f"helpers.{s}" else s
            lines.append(f'    {nid(n)}["{label}"]')
        lines.append("  end")
    for n, m in sorted(mods.items()):
        if not m.stage:
            continue
        for t in sorted(m.imports):
            if t in mods and mods[t].stage and t != f"helpers.{mods[t].stage}":
                lines.append(f"  {nid(n)} --> {nid(t)}")
    lines.append("```")
    return "\n".join(lines)


def stage_table(mods: dict[str, Module] | None = None) -> str:
    """Modules, lines and module-level imports per stage, as a Markdown table."""
    mods = mods if mods is not None else read_modules()
    rows = ["| stage | modules | lines | imports from |", "|---|---|---|---|"]
    for s in STAGES:
        ms = [m for m in mods.values() if m.stage == s]
        used = sorted({mods[t].stage for m in ms for t in m.imports if t in mods and mods[t].stage
                       and mods[t].stage != s})
        rows.append(f"| {s} | {len(ms)} | {sum(m.lines for m in ms):,} | {', '.join(used) or '-'} |")
    return "\n".join(rows)


def write_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    if DOC_BEGIN not in text or DOC_END not in text:
        raise SystemExit(f"{DOC} has no {DOC_BEGIN} ... {DOC_END} block")
    head, rest = text.split(DOC_BEGIN, 1)
    _, tail = rest.split(DOC_END, 1)
    mods = read_modules()
    body = f"{DOC_BEGIN}\n{stage_table(mods)}\n\n{mermaid(mods)}\n{DOC_END}"
    DOC.write_text(head + body + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mermaid", action="store_true")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args(argv)
    if args.mermaid:
        print(mermaid())
        return 0
    if args.write_docs:
        write_docs()
        return 0
    found = violations()
    for v in found:
        print(v)
    print(f"{len(found)} rule break(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
