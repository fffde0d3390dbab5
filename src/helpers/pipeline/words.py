"""Run records in a reader's words: parameters as phrases, counts with the right plural, statuses.

The index and contents pages show a report's parameters as a finance manager would say them ("quarter 3
2017-18; adult social care lines only; Red above 2% of budget and £100k"), never as parameter names; the names
appear only in each report's "How this was made" footer (:mod:`helpers.pipeline.report_html`). Every function
here returns plain text: the pages escape it (:func:`helpers.core.text.escape_html`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from helpers.analysis.demand.catalogue import catalogue
from helpers.core import periods
from helpers.core.errors import AscError
from helpers.core.text import general
from helpers.data import councils

#: Report statuses, least serious first: the runner's ``ok`` and ``failed`` and the reports' own
#: (:data:`helpers.reports.present.STATUSES`). A report's status is the most serious one it was given.
STATUS_ORDER = ("ok", "no data", "stale data", "failed")
_GSS = re.compile(r"^E\d{8}$")


def worst(statuses: Iterable[str]) -> str:
    """The most serious of ``statuses`` (failed > stale data > no data > ok); ``ok`` for none."""
    return max(statuses, key=STATUS_ORDER.index, default="ok")


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``"1 report"``, ``"2 reports"``, ``"0 reports"`` (``nouns`` for an irregular plural)."""
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"


def status_counts(statuses: Iterable[str]) -> str:
    """``"6 reports: 4 ok, 1 no data, 1 failed"``, ``"6 reports, all ok"``, ``"1 report, failed"`` (statuses in
    :data:`STATUS_ORDER`, zero counts left out)."""
    items = list(statuses)
    parts = [f"{items.count(s)} {s}" for s in STATUS_ORDER if items.count(s)]
    head = plural(len(items), "report")
    if len(parts) == 1:
        return f"{head}, {items[0]}" if len(items) == 1 else f"{head}, all {items[0]}"
    return f"{head}: {', '.join(parts)}" if parts else head


def council_name(code: object) -> str:
    """A council's name from its GSS code, or the code itself when it is not a known council."""
    try:
        return councils.name_of(str(code))
    except (AscError, KeyError, ValueError):
        return str(code)


def _names(codes: str, most: int = 3) -> str:
    names = [council_name(c) for c in str(codes).split(",") if c.strip()]
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most} more"
    return ", ".join(names)


_COMPARATORS = {
    "nearest_neighbours": "compared with its nearest neighbours",
    "region": "compared with the councils of its region",
    "council_type": "compared with councils of its type",
    "england": "compared with every council in England",
}


def _comparator(v: Any) -> str:
    text = str(v)
    if text in _COMPARATORS:
        return _COMPARATORS[text]
    if all(_GSS.match(c.strip()) for c in text.split(",")):
        return f"compared with {_names(text)}"
    return f"compared with the group {text.replace('_', ' ')}"


def _series_label(key: str) -> str:
    labels = dict(zip(catalogue()["key"], catalogue()["label"], strict=True))
    return labels.get(key, key.replace("_", " "))


def _pct(v: Any) -> str:
    return f"{general(float(v))}%"


def _optional(label: str, unit: str = "%") -> Callable[[Any], str]:
    def phrase(v: Any) -> str:
        if v is None:
            return f"{label}: from the data"
        return f"{label} {general(float(v))}{unit}" if unit == "%" else f"{label} £{general(float(v))}{unit}"
    return phrase


def _measures(v: Any, what: str) -> str:
    text = ", ".join(v) if isinstance(v, (list, tuple)) else str(v)
    return f"all ASCOF measures{what}" if text.strip().lower() == "all" else f"ASCOF {text}{what}"


#: Parameter name -> its phrase. Names not here are shown as "name value" with underscores as spaces.
PHRASES: dict[str, Callable[[Any], str]] = {
    "year": lambda v: str(v),
    "financial_year": lambda v: str(v),
    "period": lambda v: periods.period_label(str(v)) if periods.PERIOD_RE.match(str(v)) else f"period {v}",
    "comparator": _comparator,
    "expenditure": lambda v: f"{v} expenditure",
    "population_rule": lambda v: {"same_or_latest": "population of the year (else the latest estimate)",
                                  "same": "population of the year only"}.get(str(v), f"population rule {v}"),
    "mad_scaled": lambda v: "distances in scaled MADs (x1.4826)" if v else "distances in unscaled MADs",
    "measures": lambda v: _measures(v, ""),
    "trend_measures": lambda v: _measures(v, " over time"),
    "service_scope": lambda v: {"adults": "adult social care lines only",
                                "all": "every printed line"}.get(str(v), f"services: {v}"),
    "rag_rule": lambda v: {"own": "the council's own RAG rule where it states one",
                           "parameters": "RAG by the thresholds given"}.get(str(v), f"RAG rule {v}"),
    "rag_amber_pct": lambda v: f"Amber above {_pct(v)} of budget",
    "rag_amber_min_gbp_k": lambda v: f"and above £{general(float(v))}k",
    "rag_red_pct": lambda v: f"Red above {_pct(v)} of budget",
    "rag_red_min_gbp_k": lambda v: f"and above £{general(float(v))}k",
    "spend_profile": lambda v: "the council's monthly spend profile" if v else "spend spread evenly by day",
    "top_lines": lambda v: f"the largest {v} lines",
    "rule_set": lambda v: "the council's own RAG rules" if v == "own" else f"the {v} RAG rules",
    "amber_within_pct": lambda v: f"Amber within {_pct(v)} of target",
    "stable_within_pct": lambda v: f"stable within {_pct(v)}",
    "series": lambda v: _series_label(str(v)),
    "horizon": lambda v: f"{plural(int(v), 'year')} ahead",
    "price_uplift_pct": lambda v: f"price uplift {_pct(v)}",
    "nlw_rise_pct": lambda v: f"National Living Wage rise {_pct(v)}",
    "pay_share_pct": lambda v: f"pay {_pct(v)} of cost",
    "need_growth_pct": _optional("need growth"),
    "demography_growth_pct": _optional("demographic growth"),
    "unit_cost_gbp_per_week": _optional("unit cost", " a week"),
}
#: Parameters that go together in one phrase (``Red above 2% of budget and above £100k``).
_JOINED = {"rag_amber_min_gbp_k", "rag_red_min_gbp_k"}


def phrase(name: str, value: Any) -> str:
    """One parameter in words (``period="Q3"`` -> ``"quarter 3"``)."""
    fn = PHRASES.get(name)
    if fn is not None:
        try:
            return fn(value)
        except (TypeError, ValueError):
            pass
    shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return f"{name.replace('_', ' ')} {shown}".strip()


def parameters_in_words(parameters: Mapping[str, Any]) -> str:
    """A report's parameters as one line of phrases, the council left out (it has its own column).

    Examples
    --------
    ``{"council": "E08000007", "financial_year": "2017-18", "period": "Q3"}`` -> ``"2017-18; quarter 3"``
    """
    out: list[str] = []
    for name, value in parameters.items():
        if name == "council":
            continue
        text = phrase(name, value)
        if name in _JOINED and out:
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return "; ".join(out)
