"""A council pack: every report for one council in one run folder (``asc pack COUNCIL``).

:func:`pack_specs` chooses the notebooks and their parameters: every notebook with a ``council`` parameter,
each given the parameters of the command line that it declares (``-p year 2023-24`` reaches the notebooks that
have a ``year``, and, where a notebook has no ``year``, its ``financial_year``; ``-p period Q2`` those that have
a ``period``). A notebook made from the council's own report
figures (``asc.councils: council_data``) runs at the council's latest reporting period unless ``financial_year``
and ``period`` are given, and is left out, with the reason on the pack's contents page, when the council has
no such figures. The runner then writes one contents page (``index.html``) and, where a browser can print, one
PDF of the whole pack (:func:`helpers.pipeline.execute.print_pack`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.core.errors import ParameterError
from helpers.data import council_reports
from helpers.pipeline import notebooks, params, words


def pack_specs(council: str, raw: dict[str, str], folder: Path | None = None
               ) -> tuple[list[tuple[Path, dict[str, Any]]], list[tuple[str, str]]]:
    """The (notebook, parameters) pairs of a council's pack, and (report, why) for those left out.

    Parameters
    ----------
    council
        A council's GSS code or name (checked).
    raw
        Command-line parameters (``{"year": "2023-24"}``): each goes to the notebooks that declare it.

    Raises
    ------
    ParameterError
        An unknown council, ``council`` among ``raw``, a parameter no notebook declares, or a bad value.
    """
    if "council" in raw:
        raise ParameterError("`asc pack COUNCIL` names the council itself; do not give -p council")
    code = params.check_council(council)
    nbs = notebooks.list_notebooks(folder) if folder else notebooks.list_notebooks()
    declared = {nb: notebooks.notebook_parameters(nb) for nb in nbs}
    known = {name for d in declared.values() for name in d}
    for name in raw:
        if name not in known:
            raise ParameterError(f"no notebook has a parameter {name!r}; the notebooks' parameters are: "
                                 f"{', '.join(sorted(known - {'council'}))}")
    specs: list[tuple[Path, dict[str, Any]]] = []
    skipped: list[tuple[str, str]] = []
    with_data = set(council_reports.councils_with_data())
    for nb in nbs:
        if "council" not in declared[nb]:
            continue
        given = {k: v for k, v in raw.items() if k in declared[nb]}
        if "year" in raw and "year" not in declared[nb] and "financial_year" in declared[nb]:
            given.setdefault("financial_year", raw["year"])  # a pack "for 2023-24" is that financial year too
        checked = notebooks.prepare_parameters(nb, {**given, "council": code})
        title = notebooks.notebook_title(nb).split(":")[0].strip()
        if notebooks.notebook_meta(nb).get("councils") == "council_data":
            if code not in with_data:
                skipped.append((title, f"{words.council_name(code)} has no report figures in data/raw/councils/ "
                                       "(see docs/council_data.md to add them)"))
                continue
            if not ("financial_year" in checked and "period" in checked):
                found = [p for p in notebooks.batch_parameters(nb, checked) if p["council"] == code]
                if not found:
                    year = checked.get("financial_year")
                    skipped.append((title, f"{words.council_name(code)} has no figures of this kind"
                                           + (f" for {year}" if year else "")))
                    continue
                checked = {**checked, **found[0]}
        specs.append((nb, {"council": code, **{k: v for k, v in checked.items() if k != "council"}}))
    return specs, skipped
