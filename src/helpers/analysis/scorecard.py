"""RAG ratings and direction of travel for KPIs, by the councils' own stated rules.

A rule set says how a KPI with a numeric target and a polarity is rated Red / Amber / Green, and how its
direction of travel is judged. The named rule sets are the ones the seed documents state (quoted in
:data:`RULE_SETS` and ``docs/methods.md``, section "RAG and direction of travel"):

``stockport``
    Stockport Council, *Health and Adult Social Care Portfolio Performance and Resources Mid-Year Report
    2023/24* (seed ``000_3174676ef1e4c2c6.txt``), "Key to symbols used in tables": "Red – indicator is
    performing significantly (>5%) below target. Amber – indicator is performing slightly (<5%) below
    target. Green – indicator is on track or performing above target." and "Stable – the year-end position
    (forecast or actual) for this indicator is within 1% either side of the previous year-end" (Getting
    better / worse: "more / less favourable than the previous year-end").
``cambridgeshire``
    Cambridgeshire County Council, *People & Communities Finance and Performance Report – July 2018*,
    Appendix 7 (seed ``004_3f72df2ad9acf802.txt``): RAG Status printed "On Target", "Within 10%", "Off
    Target", "No target"; cover report para 2.4 counts them as green, amber, red and "no target and are
    therefore not RAG-rated". Direction of travel: column "Direction of travel (up is good, down is bad)",
    the actual against the "Previous period" column.
``nottinghamshire``
    Nottinghamshire County Council, *Adult Social Care and Health Performance, Risks and Financial Position
    – Quarter 1 2024/25* (seed ``003_49656f548dd3db36.txt``): the tables print a "Red/ Amber / Green (RAG)
    status" but the report states no thresholds and no direction of travel, so this rule set rates nothing
    itself and shows the printed RAG. (Its text states which way is better for three of the seven measures;
    the council data README quotes it.)
``tolerance``
    A generic rule: Green on or better than target, Amber when worse by at most ``amber_within_pct`` per
    cent of the target, Red beyond; stable within ``stable_within_pct`` per cent of the previous value.

Conventions: a KPI without a numeric target is never RAG-rated ("No target", as the reports do); a KPI
whose polarity (``higher`` / ``lower`` is better) is not stated is not rated either ("Not rated"). The
distance from target is relative: ``100 x (target - value) / |target|`` for higher-is-better, the opposite
for lower-is-better (positive = worse than target).

What a reader sees (the rules in words, the tables, the summary) is made in
:mod:`helpers.reports.performance_scorecard`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from helpers.core import text
from helpers.core.errors import ParameterError

#: Computed RAG categories, in the order the reports count them.
RAG_CATEGORIES: tuple[str, ...] = ("Red", "Amber", "Green", "No target", "Not rated", "No data")


#: Direction-of-travel categories.
DOT_CATEGORIES: tuple[str, ...] = ("better", "stable", "worse", "n/a")


@dataclass(frozen=True)
class RuleSet:
    """A named, configurable set of RAG and direction-of-travel rules.

    Attributes
    ----------
    name
        Short name (``"stockport"`` ...).
    title
        One line for the reader.
    source
        Document and place the rules are quoted from.
    amber_within_pct
        Amber when the value is worse than target by at most this per cent of the target, Red beyond;
        ``None`` when the document states no RAG rule (nothing is rated).
    rag_basis
        ``"forecast_else_value"`` (the year-end forecast where printed, else the latest value) or ``"value"``.
    dot_basis
        Figure compared for direction of travel: ``"forecast_else_value"``, ``"value"`` or ``None`` (no
        rule stated).
    dot_against
        What it is compared with, for the reader (e.g. "the previous year-end").
    stable_within_pct
        Stable when within this per cent of the previous figure (either side); 0 means exactly equal.
    printed_rag
        Printed RAG label -> category (Red / Amber / Green / No target).
    printed_dot
        Printed direction symbol -> better / worse / stable / n/a.
    """

    name: str
    title: str
    source: str
    amber_within_pct: float | None
    rag_basis: str = "forecast_else_value"
    dot_basis: str | None = "forecast_else_value"
    dot_against: str = "the previous year-end"
    stable_within_pct: float = 0.0
    printed_rag: dict[str, str] = field(default_factory=dict)
    printed_dot: dict[str, str] = field(default_factory=dict)



_COMMON_RAG = {"red": "Red", "r": "Red", "amber": "Amber", "a": "Amber", "green": "Green", "g": "Green",
               "no target": "No target", "n/a": "No target"}


#: The named rule sets.
RULE_SETS: dict[str, RuleSet] = {
    "stockport": RuleSet(
        name="stockport",
        title="Stockport's rules",
        source="Stockport Health and Adult Social Care Portfolio Performance and Resources Mid-Year Report "
               "2023/24, 'Key to symbols used in tables'",
        amber_within_pct=5.0,
        rag_basis="forecast_else_value",
        dot_basis="forecast_else_value",
        dot_against="the previous year-end",
        stable_within_pct=1.0,
        printed_rag=dict(_COMMON_RAG),
        printed_dot={"↑": "better", "↓": "worse", "→": "stable", "○": "n/a"},
    ),
    "cambridgeshire": RuleSet(
        name="cambridgeshire",
        title="Cambridgeshire's rules",
        source="Cambridgeshire People & Communities Finance and Performance Report July 2018, Appendix 7 and "
               "cover report para 2.4",
        amber_within_pct=10.0,
        rag_basis="value",
        dot_basis="value",
        dot_against="the previous period ('up is good, down is bad')",
        stable_within_pct=0.0,
        printed_rag={**_COMMON_RAG, "on target": "Green", "within 10%": "Amber", "off target": "Red"},
        printed_dot={"up": "better", "down": "worse", "same": "stable"},
    ),
    "nottinghamshire": RuleSet(
        name="nottinghamshire",
        title="Nottinghamshire's rules",
        source="Nottinghamshire Adult Social Care and Health Performance, Risks and Financial Position, "
               "Quarter 1 2024/25: RAG printed, no thresholds or direction-of-travel rule stated",
        amber_within_pct=None,
        dot_basis=None,
        printed_rag=dict(_COMMON_RAG),
    ),
    "tolerance": RuleSet(
        name="tolerance",
        title="Generic percentage-tolerance rule",
        source="this project's generic rule (parameters amber_within_pct and stable_within_pct)",
        amber_within_pct=5.0,
        rag_basis="forecast_else_value",
        dot_basis="forecast_else_value",
        dot_against="the previous figure",
        stable_within_pct=1.0,
        printed_rag={**_COMMON_RAG, "on target": "Green", "off target": "Red"},
        printed_dot={"↑": "better", "↓": "worse", "→": "stable", "up": "better", "down": "worse",
                     "same": "stable"},
    ),
}


#: The council whose documents state each named rule set (GSS code -> rule set).
COUNCIL_RULE_SETS: dict[str, str] = {
    "E08000007": "stockport",
    "E10000003": "cambridgeshire",
    "E10000024": "nottinghamshire",
}


#: Accepted values of the ``rule_set`` parameter.
RULE_SET_CHOICES: tuple[str, ...] = ("own", *RULE_SETS)


def check_rule_set(value: str) -> str:
    """Return a valid ``rule_set`` parameter or raise :class:`ParameterError` listing the choices."""
    if not isinstance(value, str) or value.strip().lower() not in RULE_SET_CHOICES:
        raise ParameterError(
            f"parameter 'rule_set': {value!r} is not a rule set; use one of {list(RULE_SET_CHOICES)} "
            "('own' = the council's own stated rules)")
    return value.strip().lower()


def rule_set(name: str, gss_code: str | None = None, *, amber_within_pct: float | None = None,
             stable_within_pct: float | None = None) -> RuleSet:
    """Return a rule set by name.

    Parameters
    ----------
    name
        ``"own"`` (the council's own stated rules; ``tolerance`` for a council without any), or one of
        :data:`RULE_SETS`.
    gss_code
        The council, for ``"own"``.
    amber_within_pct, stable_within_pct
        Tolerances of the ``tolerance`` rule set (ignored by the councils' named rule sets, which are
        applied exactly as their documents state them).
    """
    name = check_rule_set(name)
    if name == "own":
        name = COUNCIL_RULE_SETS.get(gss_code or "", "tolerance")
    rules = RULE_SETS[name]
    if name != "tolerance":
        return rules
    changes: dict[str, float] = {}
    if amber_within_pct is not None:
        if amber_within_pct < 0:
            raise ParameterError(f"amber_within_pct must be 0 or more, got {amber_within_pct!r}")
        changes["amber_within_pct"] = float(amber_within_pct)
    if stable_within_pct is not None:
        if stable_within_pct < 0:
            raise ParameterError(f"stable_within_pct must be 0 or more, got {stable_within_pct!r}")
        changes["stable_within_pct"] = float(stable_within_pct)
    return replace(rules, **changes) if changes else rules


# ------------------------------------------------------------------------------------------------
# rating
# ------------------------------------------------------------------------------------------------


def _num(x: object) -> pd.Series:
    return pd.to_numeric(pd.Series(x), errors="coerce").astype(float)


def worse_by_pct(value: pd.Series, target: pd.Series, polarity: pd.Series) -> pd.Series:
    """Per cent by which ``value`` is worse than ``target`` (negative = better), oriented by polarity.

    ``100 x (target - value) / |target|`` when higher is better, ``100 x (value - target) / |target|``
    when lower is better. ``NaN`` where a figure or the polarity is missing, or the target is 0 (then
    :func:`rate` compares the signs directly).
    """
    v, t = _num(value), _num(target)
    sign = pd.Series(polarity).map({"higher": 1.0, "lower": -1.0}).astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = sign * (t.to_numpy() - v.to_numpy()) / np.abs(t.to_numpy()) * 100.0
    out = np.where(np.isfinite(out), out, np.nan)
    return pd.Series(out, index=pd.Series(value).index, dtype=float)


def number_text(x: float) -> str:
    """A KPI figure as text: up to 2 decimals, trailing zeros dropped (:func:`helpers.core.text.general`); ``n/a``
    when missing."""
    return "n/a" if pd.isna(x) else text.general(x)


def rate(value: pd.Series, target: pd.Series, polarity: pd.Series, rules: RuleSet,
         *, target_text: pd.Series | None = None) -> pd.DataFrame:
    """RAG-rate KPIs by a rule set.

    Parameters
    ----------
    value
        The figure rated (the year-end forecast or the latest value, as the rule set says).
    target
        Numeric target (``NaN`` = no numeric target).
    polarity
        ``"higher"`` / ``"lower"`` is better; anything else = not stated.
    rules
        The rule set.
    target_text
        The target as printed (e.g. ``"Maximise"``), for the reason text.

    Returns
    -------
    pandas.DataFrame
        ``rag`` (one of :data:`RAG_CATEGORIES`), ``worse_by_pct`` and ``rag_reason`` (plain English).
    """
    v, t = _num(value), _num(target)
    idx = pd.Series(value).index
    v.index = t.index = idx
    pol = pd.Series(polarity, index=idx).where(pd.Series(polarity, index=idx).isin(["higher", "lower"]))
    worse = worse_by_pct(v, t, pol)
    ttext = pd.Series(target_text, index=idx) if target_text is not None else pd.Series(None, index=idx)
    rag, why = [], []
    for i in idx:
        vi, ti, pi, wi = v[i], t[i], pol[i], worse[i]
        if pd.isna(ti):
            tt = ttext[i]
            printed = f" (target printed {tt!r}, not a number)" if isinstance(tt, str) and tt.strip() else ""
            rag.append("No target")
            why.append(f"no numeric target{printed}: not RAG-rated")
        elif rules.amber_within_pct is None:
            rag.append("Not rated")
            why.append("the report states no RAG rule")
        elif pd.isna(pi):
            rag.append("Not rated")
            why.append("polarity (is higher or lower better?) not stated")
        elif pd.isna(vi):
            rag.append("No data")
            why.append("no value")
        else:
            if ti == 0:
                diff = (vi - ti) * (1 if pi == "lower" else -1)
                wi = 0.0 if diff == 0 else (-np.inf if diff < 0 else np.inf)
            side = "below" if pi == "higher" else "above"
            if wi <= 0:
                rag.append("Green")
                why.append(f"{number_text(vi)} meets the target {number_text(ti)}" if wi == 0 else
                           f"{number_text(vi)} is better than the target {number_text(ti)}")
            elif wi <= rules.amber_within_pct:
                rag.append("Amber")
                why.append(f"{number_text(vi)} is {wi:.1f}% {side} the target {number_text(ti)} "
                           f"(Amber: up to {rules.amber_within_pct:g}% worse)")
            else:
                amount = f"{wi:.1f}%" if np.isfinite(wi) else "any amount"
                rag.append("Red")
                why.append(f"{number_text(vi)} is {amount} {side} the target {number_text(ti)} "
                           f"(Red: more than {rules.amber_within_pct:g}% worse)")
    return pd.DataFrame({"rag": rag, "worse_by_pct": worse.where(np.isfinite(worse)), "rag_reason": why},
                        index=idx)


def direction(current: pd.Series, previous: pd.Series, polarity: pd.Series, rules: RuleSet) -> pd.DataFrame:
    """Direction of travel: better / stable / worse, oriented by polarity.

    Stable when ``|current - previous| <= stable_within_pct / 100 x |previous|`` (exactly equal when the
    tolerance is 0); otherwise better or worse by polarity. ``n/a`` (with the reason) when the rule set
    states no rule, a figure is missing or the polarity is not stated.

    Returns
    -------
    pandas.DataFrame
        ``dot``, ``change_pct`` (``100 x (current - previous) / |previous|``) and ``dot_reason``.
    """
    c, p = _num(current), _num(previous)
    idx = pd.Series(current).index
    c.index = p.index = idx
    pol = pd.Series(polarity, index=idx)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (c - p) / p.abs() * 100.0
    change = change.where(np.isfinite(change))
    dot, why = [], []
    for i in idx:
        ci, pi, poli = c[i], p[i], pol[i]
        if rules.dot_basis is None:
            dot.append("n/a")
            why.append("the report states no direction-of-travel rule")
        elif pd.isna(ci) or pd.isna(pi):
            dot.append("n/a")
            why.append("no previous figure" if pd.isna(pi) else "no current figure")
        elif poli not in ("higher", "lower"):
            dot.append("n/a")
            why.append("polarity not stated")
        else:
            tol = rules.stable_within_pct / 100.0 * abs(pi)
            if abs(ci - pi) <= tol + 1e-12:
                dot.append("stable")
                why.append(f"{number_text(pi)} -> {number_text(ci)}: within {rules.stable_within_pct:g}%"
                           if rules.stable_within_pct else f"{number_text(pi)} -> {number_text(ci)}: unchanged")
            else:
                up = ci > pi
                better = up if poli == "higher" else not up
                dot.append("better" if better else "worse")
                why.append(f"{number_text(pi)} -> {number_text(ci)} ({'higher' if poli == 'higher' else 'lower'} is better)")
    return pd.DataFrame({"dot": dot, "change_pct": change, "dot_reason": why}, index=idx)


def printed_rag_category(labels: pd.Series, rules: RuleSet) -> pd.Series:
    """Map printed RAG labels to Red / Amber / Green / No target; blank -> ``None``; unknown -> as printed."""
    s = pd.Series(labels)
    key = s.astype("string").str.strip().str.lower()
    mapped = key.map(rules.printed_rag)
    return mapped.where(mapped.notna(), s.where(s.notna() & (key != ""), None)).astype(object)


def printed_dot_category(symbols: pd.Series, rules: RuleSet) -> pd.Series:
    """Map printed direction symbols (arrows, ``up``/``down``/``same``) to better / worse / stable / n/a."""
    s = pd.Series(symbols)
    key = s.astype("string").str.strip().str.lower()
    table = {k.lower(): v for k, v in rules.printed_dot.items()}
    mapped = key.map(table)
    return mapped.where(mapped.notna(), s.where(s.notna(), None)).astype(object)
