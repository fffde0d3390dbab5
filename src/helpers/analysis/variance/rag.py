"""RAG ratings of budget variances: thresholds on the size of a variance either way, and the councils' own rules.

A variance is rated by its **size**, overspend or underspend alike: a large underspend is money not spent on
what it was budgeted for (or a forecast that was wrong), and a committee is asked to explain it as it is an
overspend (Cambridgeshire's F&PR asks for narrative on "an adverse/positive variance greater than 2% of annual
budget or £100,000 whichever is greater"). :class:`Thresholds` holds the rule; :func:`council_rule` returns the
rule a council's own report states, where it states one, and :func:`thresholds_for` combines it with the
report's parameters. Sources and the defaults' reasons: ``docs/methods.md`` ("Forecast variance: RAG").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from helpers.core.errors import ParameterError

#: Accepted values of the ``rag_rule`` parameter: the council's stated rule where there is one, or the parameters.
RAG_RULES: tuple[str, ...] = ("own", "parameters")


@dataclass(frozen=True)
class Thresholds:
    """RAG thresholds for budget variances, on the size of the variance (overspend or underspend).

    **Red** when ``|variance|`` is more than ``red_pct`` per cent of ``|budget|`` *and* more than ``red_min_gbp_k``;
    **Amber** when it is not Red and is more than ``amber_pct`` per cent of ``|budget|`` and more than
    ``amber_min_gbp_k``; **Green** otherwise. ``n/a`` where the budget is zero or missing (no per cent of it) or
    the variance is missing. The direction (overspend / underspend) is said beside the rating
    (:func:`rag_label`), never folded into it.

    Defaults: Red at more than 2% and £100k (Cambridgeshire's F&PR rule for explaining a variance, the only
    percentage rule the seed documents state); Amber at more than 1% and £50k (half of each: a variance worth
    watching; £50k is Stockport's own bound of a "minor variance", see :data:`COUNCIL_RULES`).
    """

    amber_pct: float = 1.0
    red_pct: float = 2.0
    red_min_gbp_k: float = 100.0
    amber_min_gbp_k: float = 50.0
    rule: str = "the report's thresholds"
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("amber_pct", "red_pct", "red_min_gbp_k", "amber_min_gbp_k"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise ParameterError(f"variance threshold {name} must be a number of at least 0, got {v!r}")
        if self.amber_pct > self.red_pct:
            raise ParameterError(f"variance thresholds: amber_pct ({self.amber_pct:g}) is above red_pct "
                                 f"({self.red_pct:g})")


@dataclass(frozen=True)
class CouncilRule:
    """A variance rule a council's own report states: the thresholds it sets, and where it says so."""

    council: str
    sets: dict[str, float]
    source: str
    quote: str


#: The variance rules the seed documents state, by council (GSS code).
COUNCIL_RULES: dict[str, CouncilRule] = {
    "E10000003": CouncilRule(
        council="Cambridgeshire", sets={"red_pct": 2.0, "red_min_gbp_k": 100.0},
        source="Cambridgeshire People & Communities Finance & Performance Report, July 2018, Appendix 2 (seed 004)",
        quote="Narrative is given below where there is an adverse/positive variance greater than 2% of annual "
              "budget or £100,000 whichever is greater"),
    "E08000007": CouncilRule(
        council="Stockport", sets={"amber_min_gbp_k": 50.0},
        source="Stockport Portfolio Performance and Resources reports 2017/18 and 2023/24, section 2.3 risk rating "
               "key (seeds 001, 000); the 2023/24 section 2.1 calls variances of £0.011m-£0.035m 'minor'",
        quote="Green – ... minor variances (<£0.050m) that will be contained within the portfolio"),
}

#: Councils whose report was read for a rule and states none (said in the report).
NO_RULE_STATED: dict[str, str] = {
    "E10000024": "Nottinghamshire's Quarter 1 2024/25 report (seed 003) prints 'Var as a % of budget' but states no "
                 "RAG or tolerance rule for budget variances",
}


def check_rag_rule(value: str) -> str:
    """Return a valid ``rag_rule`` (``own`` or ``parameters``) or raise :class:`ParameterError`."""
    if not isinstance(value, str) or value.strip().lower() not in RAG_RULES:
        raise ParameterError(f"parameter 'rag_rule': {value!r} is not one of {list(RAG_RULES)} ('own' = the "
                             "council's stated rule where its report states one, 'parameters' = the rag_* "
                             "parameters for every council)")
    return value.strip().lower()


def council_rule(gss_code: str) -> CouncilRule | None:
    """The variance rule a council's report states, or ``None``."""
    return COUNCIL_RULES.get(gss_code)


def thresholds_for(gss_code: str, base: Thresholds, rag_rule: str = "own") -> Thresholds:
    """The thresholds a report applies: ``base`` (the parameters), with the council's stated rule winning where
    ``rag_rule`` is ``own`` and its report states one (:data:`COUNCIL_RULES`)."""
    rule = council_rule(gss_code) if check_rag_rule(rag_rule) == "own" else None
    if rule is None:
        return base
    merged = replace(base, **rule.sets)
    if merged.amber_pct > merged.red_pct:
        merged = replace(merged, amber_pct=merged.red_pct)
    what = sorted({_WHAT[k] for k in rule.sets})
    return replace(merged, rule=f"{rule.council}'s own rule for {' and '.join(what)}; the report's thresholds for "
                              "the rest", sources=(f"{rule.source}: \"{rule.quote}\"",))


#: What each threshold decides, in words.
_WHAT = {"red_pct": "Red", "red_min_gbp_k": "Red", "amber_pct": "Amber", "amber_min_gbp_k": "the smallest Amber "
         "variance"}


def variance_pct(variance: pd.Series, budget: pd.Series) -> pd.Series:
    """Variance as a per cent of the budget: ``100 x variance / |budget|``; ``NaN`` where the budget is 0 or missing.

    Dividing by the absolute budget keeps the sign meaning overspend (+) / underspend (-) on income lines
    (negative budgets) too.
    """
    v = pd.to_numeric(pd.Series(variance), errors="coerce").astype(float)
    b = pd.to_numeric(pd.Series(budget), errors="coerce").astype(float)
    b.index = v.index
    return (100.0 * v / b.abs()).where(b.notna() & (b != 0))


def variance_rag(variance: pd.Series, budget: pd.Series, thresholds: Thresholds | None = None) -> pd.Series:
    """RAG of budget variances by :class:`Thresholds` (``Red`` / ``Amber`` / ``Green`` / ``n/a``), on their size."""
    t = thresholds or Thresholds()
    v = pd.to_numeric(pd.Series(variance), errors="coerce").astype(float)
    size, pct = v.abs(), variance_pct(v, budget).abs()
    red = (pct > t.red_pct) & (size > t.red_min_gbp_k)
    amber = (pct > t.amber_pct) & (size > t.amber_min_gbp_k) & ~red
    out = np.where(pct.isna() | v.isna(), "n/a", np.where(red, "Red", np.where(amber, "Amber", "Green")))
    return pd.Series(out, index=v.index, dtype=object)


def rag_label(rag: pd.Series, variance: pd.Series) -> pd.Series:
    """The rating with its direction, as a reader sees it: ``Red (overspend)``, ``Amber (underspend)``,
    ``Green``; ``n/a`` stays."""
    v = pd.to_numeric(pd.Series(variance), errors="coerce").astype(float)
    r = pd.Series(rag, index=v.index).astype(object)
    way = np.where(v > 0, " (overspend)", np.where(v < 0, " (underspend)", ""))
    return pd.Series(np.where(r.isin(["Red", "Amber"]), r.astype(str) + way, r), index=v.index, dtype=object)


def thresholds_text(t: Thresholds) -> str:
    """The rule of :class:`Thresholds` in one plain sentence (no Markdown)."""
    return (f"Red: a variance either way (overspend or underspend) of more than {t.red_pct:g}% of the budget and "
            f"more than £{t.red_min_gbp_k:,.0f}k; Amber: more than {t.amber_pct:g}% and more than "
            f"£{t.amber_min_gbp_k:,.0f}k, and not Red; Green: smaller; n/a: no budget to compare with. "
            f"Rule: {t.rule}.")
