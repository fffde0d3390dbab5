"""Boundary changes: the code in use now for an old code, and where a council's time series breaks.

Councils were created, abolished, merged, split and recoded since 2009-10 (the ``first_year``, ``last_year``,
``predecessor_codes``, ``successor_codes`` and ``previous_gss_codes`` of the reference table). A recode keeps
the same area, so a series may be joined across it; any other change means the areas before and after differ.
"""

from __future__ import annotations

from collections.abc import Iterable

from helpers.core import periods
from helpers.core.errors import ParameterError
from helpers.data.councils.reference import code_index, get, name_of, previous_codes, split_codes, suggest


def successor_hint(gss: str, year: str) -> str:
    """A ``"; did you mean ...?"`` hint naming the council's successors (``year`` after it) or predecessors
    (``year`` before it); ``''`` when it has none."""
    row = get(gss)
    if row["last_year"] is not None and year > row["last_year"] and row["successor_codes"]:
        return f"; did you mean {' or '.join(split_codes(row['successor_codes']))}?"
    if row["first_year"] is not None and year < row["first_year"] and row["predecessor_codes"]:
        return f"; did you mean {' or '.join(split_codes(row['predecessor_codes']))}?"
    return ""


def current_code(gss_code: str) -> str:
    """Return the code in use now for the SAME area: an old code (recoded council) -> its current code.

    Only same-area recodes are followed (Northumberland E06000048 -> E06000057, Gateshead E08000020 ->
    E08000037, Buckinghamshire E10000002 -> E06000060, North Yorkshire E10000023 -> E06000065, Somerset
    E10000027 -> E06000066). A council that was merged or split keeps its own code (there is no single
    current council for its area): see :func:`series_breaks`.

    Raises
    ------
    ParameterError
        Unknown code.
    """
    code = str(gss_code).strip().upper()
    prev = previous_codes()
    seen = {code}
    while code in prev:
        code = prev[code]
        if code in seen:  # pragma: no cover - guarded by the reference-table test
            break
        seen.add(code)
    if code not in code_index():
        raise ParameterError(f"unknown council code {gss_code!r}{suggest(str(gss_code))}")
    return code


def series_breaks(gss_code: str) -> list[dict[str, object]]:
    """Return where a council's time series breaks, for a notebook to state.

    Parameters
    ----------
    gss_code
        A council code.

    Returns
    -------
    list of dict
        Sorted by year; each ``{"year", "kind", "description", "related_codes"}``. ``year`` is the first
        financial year of the new arrangement; ``kind`` is one of ``created``, ``abolished``, ``merged``,
        ``split``, ``recoded``. ``recoded`` means the same area under a new code (the series may be joined
        across it, saying so); any other kind means the areas before and after differ and the series must
        not be joined. Empty for a council with no change since 2009-10.
    """
    row = get(gss_code)
    code = row["gss_code"]
    out: list[dict[str, object]] = []
    preds = split_codes(row["predecessor_codes"])
    succs = split_codes(row["successor_codes"])
    prev_codes = split_codes(row["previous_gss_codes"])
    if row["first_year"] is not None:
        same = [p for p in preds if p in prev_codes]
        if same:
            kind = "recoded"
            desc = f"{row['name']} took code {code} from {', '.join(same)} ({_names(same)}), same area"
        elif len(preds) > 1:
            kind = "merged"
            desc = f"{row['name']} ({code}) created from {_names(preds)} (merged; see notes for the parts taken)"
        elif preds and len(split_codes(get(preds[0])["successor_codes"])) > 1:
            kind = "split"
            desc = f"{row['name']} ({code}) created from part of {_names(preds)}, which was split"
        else:
            kind = "created"
            desc = f"{row['name']} ({code}) created" + (f" from {_names(preds)}" if preds else "")
        out.append({"year": row["first_year"], "kind": kind, "description": desc, "related_codes": preds})
    if row["last_year"] is not None:
        year = periods.next_fy(row["last_year"])
        same = [s for s in succs if code in split_codes(get(s)["previous_gss_codes"])]
        if same:
            kind = "recoded"
            desc = f"{row['name']} ({code}) continues as {_names(same)} under code {', '.join(same)}, same area"
        elif len(succs) > 1:
            kind = "split"
            desc = f"{row['name']} ({code}) abolished and split between {_names(succs)}"
        elif succs and len(split_codes(get(succs[0])["predecessor_codes"])) > 1:
            kind = "merged"
            desc = f"{row['name']} ({code}) abolished and merged into {_names(succs)}"
        else:
            kind = "abolished"
            desc = f"{row['name']} ({code}) abolished"
        out.append({"year": year, "kind": kind, "description": desc, "related_codes": succs})
    for old in prev_codes:
        if old not in code_index():  # an old code of the same area that no file here uses
            out.append({
                "year": None, "kind": "recoded",
                "description": f"{row['name']} was {old} before its current code {code}, same area "
                               f"(see notes: {row['notes']})",
                "related_codes": [old],
            })
    return sorted(out, key=lambda d: (d["year"] or ""))


def _names(codes: Iterable[str]) -> str:
    return " and ".join(f"{name_of(c)} ({c})" for c in codes)
