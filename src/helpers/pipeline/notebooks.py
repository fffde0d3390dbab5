"""The notebooks a run can execute: listing and finding them, reading their parameters cell, title and batch.

A notebook is named by its file (``02_ascof_benchmarking.ipynb``), its stem, or its name without the number
(``ascof_benchmarking``: :func:`notebook_name`, which is also the key of its parameter schema in
:mod:`helpers.pipeline.params`). Its ``parameters`` cell is read with papermill's own parser, so the CLI sees
the parameters the way papermill will inject them; :func:`prepare_parameters` turns command-line strings into
those types and checks them against the notebook's schema before any kernel starts.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.core.errors import ParameterError
from helpers.core.paths import NOTEBOOKS
from helpers.data import council_reports, councils, tables
from helpers.pipeline import params

_NUMBER = re.compile(r"^\d+_")


@dataclass(frozen=True)
class NotebookParam:
    """One parameter of a notebook's ``parameters`` cell."""

    name: str
    type_name: str | None
    default: Any
    help: str


def notebook_name(path: str | Path) -> str:
    """A notebook's name without its number and extension (``02_ascof_benchmarking.ipynb`` -> ``ascof_benchmarking``)."""
    return _NUMBER.sub("", Path(path).stem)


def list_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Return the notebooks in ``folder``, sorted by name (checkpoints excluded)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))


def find_notebook(name: str, folder: Path = NOTEBOOKS) -> Path:
    """Resolve a notebook given as a path, a file name or a name without number/extension.

    ``spend_benchmarking``, ``02_spend_benchmarking``, ``02_spend_benchmarking.ipynb`` and
    ``notebooks/02_spend_benchmarking.ipynb`` all name the same notebook.

    Raises
    ------
    ParameterError
        Unknown (or ambiguous) notebook, listing the notebooks there are.
    """
    p = Path(name)
    if p.suffix == ".ipynb" and p.is_file():
        return p.resolve()
    stem = p.stem if p.suffix == ".ipynb" else p.name
    nbs = list_notebooks(folder)
    exact = [n for n in nbs if n.stem == stem]
    loose = [n for n in nbs if notebook_name(n) == stem]
    hits = exact or loose
    if len(hits) == 1:
        return hits[0]
    names = ", ".join(notebook_name(n) for n in nbs) or "none"
    what = "ambiguous" if hits else "unknown"
    raise ParameterError(f"{what} notebook {name!r}; notebooks are: {names}")


def read_notebook(path: Path) -> Any:
    """The notebook as an ``nbformat`` node (version 4)."""
    import nbformat  # lazy: nbformat (with jsonschema) takes about a second to import; `asc data` never needs it

    return nbformat.read(str(path), as_version=4)


def notebook_meta(path: Path) -> dict[str, Any]:
    """The notebook's ``asc`` metadata (``needs_national``, ``councils``, ``period_table``, ``test_parameters``)."""
    return dict(read_notebook(path).metadata.get("asc", {}))


def notebook_parameters(path: Path) -> dict[str, NotebookParam]:
    """Read the ``parameters`` cell of a notebook (names, type hints, defaults, comments).

    Uses papermill's own parser (:func:`papermill.inspect_notebook`), so the CLI sees the parameters the way
    papermill will inject them.
    """
    import papermill as pm  # lazy: papermill takes about two seconds to import; `asc data` never needs it

    found = pm.inspect_notebook(str(path))
    out = {}
    for name, info in found.items():
        default_src = info.get("default")
        try:
            default = ast.literal_eval(default_src) if default_src is not None else None
        except (ValueError, SyntaxError):
            default = default_src
        type_name = info.get("inferred_type_name")
        out[name] = NotebookParam(name, None if type_name in (None, "None") else type_name, default,
                                  info.get("help") or "")
    return out


def prepare_parameters(path: Path, raw: dict[str, str] | None) -> dict[str, Any]:
    """Check command-line parameters against the notebook's parameters cell and schema, before any kernel starts.

    Unknown names, values of the wrong type and values that break the notebook's schema
    (:func:`helpers.pipeline.params.check`) are refused with one line. A notebook without a schema (not a
    report: the runner's test fixtures) gets the rules its parameters' names have in the reports' schemas.

    Returns
    -------
    dict
        The parameters as typed, checked values, ready for papermill (only those given).
    """
    declared = notebook_parameters(path)
    out: dict[str, Any] = {}
    for name, value in (raw or {}).items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise ParameterError(f"notebook {path.stem} has no parameter {name!r}; its parameters are: {known}")
        p = declared[name]
        out[name] = params.coerce(name, value, p.type_name, p.default) if isinstance(value, str) else value
    name = notebook_name(path)
    return params.check(name if name in params.SCHEMAS else None, **out)


def notebook_title(path: Path) -> str:
    """The first markdown heading of a notebook (its title)."""
    for cell in read_notebook(path).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def batch_parameters(path: Path, checked: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameter sets of an ``--all-councils`` batch: one per council.

    National notebooks run for every council with adult social services responsibility in the ``year``
    given (default: the notebook's default year), from :mod:`helpers.data.councils`.

    Notebooks whose metadata says ``"asc": {"councils": "council_data", "period_table": TABLE}`` run for every
    council with report figures in ``data/raw/councils``; unless ``financial_year`` and ``period`` are given,
    each council gets its own latest reporting period in ``TABLE`` (by the date its figures are as at), so no
    council is run for a period it never reported.
    """
    meta = notebook_meta(path)
    fixed = {k: v for k, v in checked.items() if k != "council"}
    if meta.get("councils") != "council_data":
        year = checked.get("year") or checked.get("financial_year")
        if year is None:  # the councils of the notebook's default year, not of the latest year
            declared = notebook_parameters(path)
            year = next((declared[k].default for k in ("year", "financial_year") if k in declared), None)
        return [{"council": c, **fixed} for c in sorted(councils.current(year)["gss_code"])]
    codes = council_reports.councils_with_data()
    table = meta.get("period_table")
    if not table or ("financial_year" in checked and "period" in checked):
        return [{"council": c, **fixed} for c in codes]
    df = tables.load(table, columns=["gss_code", "year", "period", "period_end"])
    out = []
    for code in codes:
        rows = df[df["gss_code"] == code]
        if "financial_year" in checked:
            rows = rows[rows["year"] == checked["financial_year"]]
        if rows.empty:
            continue  # no figures of this kind: nothing to report
        last = rows.sort_values(["period_end", "year", "period"]).iloc[-1]
        out.append({"council": code, **fixed, "financial_year": str(last["year"]), "period": str(last["period"])})
    return out


def batch_councils(path: Path, year: str | None = None) -> list[str]:
    """The council codes an ``--all-councils`` batch of this notebook covers (see :func:`batch_parameters`)."""
    return [p["council"] for p in batch_parameters(path, {"year": year} if year else {})]
