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
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError

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

    def describe(self) -> str:
        """One paragraph stating the rules, for the report."""
        if self.amber_within_pct is None:
            rag = "The report states no RAG thresholds, so no RAG is computed: the printed RAG is shown."
        else:
            basis = ("the year-end forecast (or, where none is printed, the latest value)"
                     if self.rag_basis == "forecast_else_value" else "the latest value")
            rag = (f"RAG compares {basis} with the target: Green on or better than target, Amber when worse "
                   f"by at most {self.amber_within_pct:g}% of the target, Red when worse by more.")
        if self.dot_basis is None:
            dot = "No direction-of-travel rule is stated, so none is computed."
        else:
            fig = "the year-end forecast (or latest value)" if self.dot_basis == "forecast_else_value" \
                else "the latest value"
            stable = (f"stable within {self.stable_within_pct:g}% either side" if self.stable_within_pct
                      else "stable only when unchanged")
            dot = f"Direction of travel compares {fig} with {self.dot_against}: {stable}."
        return f"**{self.title}** ({self.source}). {rag} {dot} A KPI without a numeric target is not RAG-rated."


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


def _fmt(x: float) -> str:
    if pd.isna(x):
        return "n/a"
    return f"{x:,.2f}".rstrip("0").rstrip(".") if abs(x) < 1000 else f"{x:,.0f}"


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
                why.append(f"{_fmt(vi)} meets the target {_fmt(ti)}" if wi == 0 else
                           f"{_fmt(vi)} is better than the target {_fmt(ti)}")
            elif wi <= rules.amber_within_pct:
                rag.append("Amber")
                why.append(f"{_fmt(vi)} is {wi:.1f}% {side} the target {_fmt(ti)} "
                           f"(Amber: up to {rules.amber_within_pct:g}% worse)")
            else:
                amount = f"{wi:.1f}%" if np.isfinite(wi) else "any amount"
                rag.append("Red")
                why.append(f"{_fmt(vi)} is {amount} {side} the target {_fmt(ti)} "
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
                why.append(f"{_fmt(pi)} -> {_fmt(ci)}: within {rules.stable_within_pct:g}%"
                           if rules.stable_within_pct else f"{_fmt(pi)} -> {_fmt(ci)}: unchanged")
            else:
                up = ci > pi
                better = up if poli == "higher" else not up
                dot.append("better" if better else "worse")
                why.append(f"{_fmt(pi)} -> {_fmt(ci)} ({'higher' if poli == 'higher' else 'lower'} is better)")
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


# ------------------------------------------------------------------------------------------------
# scorecard
# ------------------------------------------------------------------------------------------------

_SERIES = ["table_id", "kpi_code", "kpi_name"]


def check_units(kpis: pd.DataFrame) -> None:
    """Raise :class:`DataError` on inconsistent units in council KPI rows.

    * one KPI series (``table_id``, ``kpi_code``, ``kpi_name``) printed in more than one unit;
    * a percentage given as a fraction (or a count as a percentage): the value is 1/100 (or 100 times)
      ``numerator / denominator x scale`` of its unit.
    """
    if kpis.empty:
        return
    df = kpis.copy()
    key = df[_SERIES].astype("string").fillna("")
    n_units = df.assign(_k=key.agg("|".join, axis=1)).groupby("_k")["unit"].transform(
        lambda s: s.dropna().nunique())
    bad = df[n_units > 1]
    if len(bad):
        r = bad.iloc[0]
        units = sorted(df.loc[key.agg("|".join, axis=1) == "|".join(key.loc[bad.index[0]]), "unit"].dropna().unique())
        raise DataError(f"KPI {r['kpi_name']!r} is printed in different units {units}: give every row of one "
                        "KPI the same unit", file=r.get("source_file"), row=_row(r), column="unit")
    from helpers.data.council_reports import KPI_SCALES

    scale = df["unit"].map(KPI_SCALES)
    ok = df[["value", "numerator", "denominator"]].notna().all(axis=1) & scale.notna() & (df["denominator"] != 0)
    sub = df[ok]
    if sub.empty:
        return
    expected = sub["numerator"] / sub["denominator"] * scale[ok]
    ratio = sub["value"] / expected.where(expected != 0)
    off = ratio.between(0.0095, 0.0105) | ratio.between(95, 105)
    if off.any():
        r = sub[off].iloc[0]
        e = float(expected[off].iloc[0])
        raise DataError(f"value {r['value']:g} does not match numerator / denominator in unit {r['unit']!r} "
                        f"(expected {e:g}): a fraction written as a percentage, or the unit is wrong",
                        file=r.get("source_file"), row=_row(r), column="value")


def _row(r: pd.Series) -> int | None:
    v = r.get("source_row")
    return int(v) if v is not None and pd.notna(v) else None


def _periods_text(df: pd.DataFrame) -> str:
    have = df[["year", "period"]].drop_duplicates().sort_values(["year", "period"])
    return ", ".join(f"{y} {p}" for y, p in have.itertuples(index=False)) or "none"


def kpi_periods(kpis: pd.DataFrame, gss_code: str) -> pd.DataFrame:
    """The financial years and periods with KPI rows for a council (``year, period, kpis``), sorted."""
    df = kpis[kpis["gss_code"] == gss_code]
    out = df.groupby(["year", "period"]).size().rename("rows").reset_index()
    return out.sort_values(["year", "period"]).reset_index(drop=True)


def select_kpis(kpis: pd.DataFrame, gss_code: str, year: str, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a council's KPI rows for one period into scored KPIs and supporting trend series.

    One row per KPI series (``table_id``, ``kpi_code``, ``kpi_name``): its latest row in printed order, with
    the earlier rows of the same series (in-year months) in ``in_year``. A series printed as a monthly trend
    (more than one row) with no target, polarity, previous figure or printed RAG is *supporting* data (a
    chart's table), not a KPI: it is returned separately and not counted.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        KPIs, and supporting series (``kpi_name, first_period, first_value, last_period, last_value``).
    """
    df = kpis[(kpis["gss_code"] == gss_code) & (kpis["year"] == year) & (kpis["period"] == period)]
    df = df[df["row_type"] != "heading"].sort_values(["table_id", "row_order"], kind="mergesort")
    check_units(df)
    if df.empty:
        return df.assign(in_year=pd.Series(dtype=object)), pd.DataFrame(
            columns=["table_id", "kpi_name", "first_period", "first_value", "last_period", "last_value"])
    key = df[_SERIES].astype("string").fillna("").agg("|".join, axis=1)
    df = df.assign(_key=key)
    size = df.groupby("_key")["row_order"].transform("size")
    hist = df.groupby("_key", sort=False).apply(
        lambda g: "; ".join(f"{p}: {_fmt(v)}" for p, v in zip(g["value_period"].iloc[:-1], g["value"].iloc[:-1],
                                                              strict=True)), include_groups=False)
    first = df.groupby("_key", sort=False).first()
    last = df.drop_duplicates("_key", keep="last").set_index("_key")
    last["in_year"] = hist.reindex(last.index).replace("", None)
    info = last[["target_value", "target_printed", "polarity", "previous_value", "rag_printed"]].notna().any(axis=1)
    supporting = (size.groupby(df["_key"]).first().reindex(last.index) > 1) & ~info
    sup = pd.DataFrame({
        "table_id": last.loc[supporting, "table_id"], "kpi_name": last.loc[supporting, "kpi_name"],
        "first_period": first.loc[supporting[supporting].index, "value_period"],
        "first_value": first.loc[supporting[supporting].index, "value"],
        "last_period": last.loc[supporting, "value_period"], "last_value": last.loc[supporting, "value"],
    }).reset_index(drop=True)
    scored = last[~supporting].reset_index(drop=True)
    return scored, sup.sort_values(["table_id", "kpi_name"]).reset_index(drop=True)


def _value_text(r: pd.Series) -> str:
    v = _fmt(r["value"])
    if pd.notna(r.get("numerator")) and pd.notna(r.get("denominator")) and r["denominator"] != 1:
        v += f" ({_fmt(r['numerator'])} / {_fmt(r['denominator'])})"
    if isinstance(r.get("value_period"), str):
        v += f" at {r['value_period']}"
    return v


def scorecard(kpis: pd.DataFrame, gss_code: str, year: str, period: str, rules: RuleSet) -> pd.DataFrame:
    """Every KPI of one council and period with our RAG and direction of travel beside the printed ones.

    Parameters
    ----------
    kpis
        The ``council_kpis`` table.
    gss_code, year, period
        The council, financial year and reporting period.
    rules
        The rule set (:func:`rule_set`).

    Returns
    -------
    pandas.DataFrame
        One row per KPI in printed order: ``table_id, kpi_code, kpi_name, polarity, unit, previous2_period,
        previous2_value, previous_period, previous_value, in_year, value, value_text, forecast_value,
        target_value, target_printed, worse_by_pct, rag, rag_reason, rag_printed, rag_printed_category,
        rag_agrees, change_pct, dot, dot_reason, dot_printed, dot_printed_category, dot_agrees,
        differs_why``. Empty when the council
        has no KPI rows in that period.

    Raises
    ------
    DataError
        Inconsistent units (:func:`check_units`).
    """
    df, _ = select_kpis(kpis, gss_code, year, period)
    cols = ["table_id", "kpi_code", "kpi_name", "polarity", "unit", "previous2_period", "previous2_value",
            "previous_period", "previous_value", "in_year", "value", "value_text", "forecast_value",
            "target_value", "target_printed", "worse_by_pct", "rag", "rag_reason", "rag_printed",
            "rag_printed_category", "rag_agrees", "change_pct", "dot", "dot_reason", "dot_printed",
            "dot_printed_category", "dot_agrees", "differs_why"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.copy()
    for c in ("target_printed", "previous2_period", "previous2_value"):
        if c not in df.columns:
            df[c] = np.nan
    basis = df["forecast_value"].fillna(df["value"]) if rules.rag_basis == "forecast_else_value" else df["value"]
    r = rate(basis, df["target_value"], df["polarity"], rules, target_text=df["target_printed"])
    cur = df["forecast_value"].fillna(df["value"]) if rules.dot_basis == "forecast_else_value" else df["value"]
    d = direction(cur, df["previous_value"], df["polarity"], rules)
    df = pd.concat([df, r, d], axis=1)
    df["value_text"] = df.apply(_value_text, axis=1)
    df["rag_printed_category"] = printed_rag_category(df["rag_printed"], rules)
    df["dot_printed_category"] = printed_dot_category(df["dot_printed"], rules)
    df["rag_agrees"] = _agrees(df["rag"], df["rag_printed_category"])
    df["dot_agrees"] = _agrees(df["dot"], df["dot_printed_category"])
    df["differs_why"] = [_why(x) for _, x in df.iterrows()]
    return df[cols].reset_index(drop=True)


def _agrees(ours: pd.Series, printed: pd.Series) -> pd.Series:
    out = pd.Series(pd.NA, index=ours.index, dtype="boolean")
    has = printed.notna()
    out[has] = (ours[has] == printed[has]).to_numpy()
    return out


def _why(r: pd.Series) -> str | None:
    parts = []
    if r["rag_agrees"] is False or (pd.notna(r["rag_agrees"]) and not bool(r["rag_agrees"])):
        printed = r["rag_printed"]
        if r["rag_printed_category"] not in ("Red", "Amber", "Green", "No target"):
            parts.append(f"RAG: printed label {printed!r} is not a RAG category; ours {r['rag']}: {r['rag_reason']}")
        elif r["rag"] == "No target":
            tt = r["target_printed"]
            shown = f" (target printed {tt!r})" if isinstance(tt, str) and tt.strip() else ""
            parts.append(f"RAG: printed {printed!r} but the KPI has no numeric target{shown}; the report's rule "
                         "for such targets is not stated, so it is not rated here")
        elif r["rag"] == "Not rated":
            parts.append(f"RAG: printed {printed!r}; not rated here: {r['rag_reason']}")
        else:
            parts.append(f"RAG: ours {r['rag']} ({r['rag_reason']}), printed {printed!r}")
    if pd.notna(r["dot_agrees"]) and not bool(r["dot_agrees"]):
        parts.append(f"direction: ours {r['dot']} ({r['dot_reason']}), printed {r['dot_printed']!r}")
    return "; ".join(parts) or None


def rag_counts(card: pd.DataFrame) -> pd.DataFrame:
    """Counts of KPIs by RAG category, ours beside the printed ones, as the reports summarise them.

    Returns
    -------
    pandas.DataFrame
        Rows Red, Amber, Green, No target, Not rated, No data, (printed labels that are not categories),
        Not printed, Total; columns ``ours`` and ``printed``.
    """
    ours = card["rag"].value_counts()
    printed = card["rag_printed_category"].fillna("Not printed").value_counts()
    cats = list(RAG_CATEGORIES)
    extra = sorted(set(printed.index) - set(cats) - {"Not printed"})
    index = [*cats, *extra, "Not printed"]
    out = pd.DataFrame({"ours": ours.reindex(index).fillna(0).astype(int),
                        "printed": printed.reindex(index).fillna(0).astype(int)}, index=index)
    out.loc["Total"] = out.sum()
    out.index.name = "rag"
    return out.reset_index()


def dot_counts(card: pd.DataFrame) -> pd.DataFrame:
    """Counts of KPIs by direction of travel, ours beside the printed ones."""
    index = [*DOT_CATEGORIES, "not printed"]
    ours = card["dot"].value_counts().reindex(index).fillna(0).astype(int)
    printed = card["dot_printed_category"].fillna("not printed").value_counts().reindex(index).fillna(0).astype(int)
    out = pd.DataFrame({"ours": ours, "printed": printed}, index=index)
    out.loc["Total"] = out.sum()
    out.index.name = "direction"
    return out.reset_index()


def availability(kpis: pd.DataFrame, gss_code: str, year: str, period: str, council_name: str) -> str | None:
    """``None`` when the council has KPI rows for the period, else a message naming the periods it has."""
    have = kpi_periods(kpis, gss_code)
    if ((have["year"] == year) & (have["period"] == period)).any():
        return None
    listed = ", ".join(f"{y} {p}" for y, p in have[["year", "period"]].itertuples(index=False))
    where = f"the periods with KPIs are {listed}" if listed else "it has no KPI figures in data/raw/councils at all"
    return f"**No KPI figures for {council_name} in {year} {period}**: {where}."


def _period_name(p: object) -> object:
    from helpers.analysis.variance.budget import period_label

    try:
        return period_label(str(p)) if isinstance(p, str) and p else None
    except ParameterError:
        return p


def show_periods(kpis: pd.DataFrame, gss_code: str, council_name: str):
    """:func:`kpi_periods` for a reader."""
    from helpers.reports import present as report

    d = kpi_periods(kpis, gss_code)
    d = d.assign(period_name=d["period"].map(_period_name))
    return report.present(d, columns={"year": "Financial year", "period": "Period (parameter)",
                                      "period_name": "Period", "rows": "KPI rows (a KPI printed monthly has several)"},
                          formats={"rows": "int"}, source=None,
                          empty=f"{council_name} has no KPI figures in data/raw/councils.")


def show_counts(counts: pd.DataFrame, *, kind: str = "rag"):
    """:func:`rag_counts` (``kind="rag"``) or :func:`dot_counts` (``kind="direction"``) for a reader."""
    from helpers.reports import present as report

    first = "RAG rating" if kind == "rag" else "Direction of travel"
    return report.present(counts, columns={kind: first, "ours": "Computed by the stated rules",
                                           "printed": "Printed in the report"},
                          formats={"ours": "int", "printed": "int"}, source=None,
                          emphasis=counts[kind].eq("Total"), rag=[kind] if kind == "rag" else (),
                          empty="No KPIs for this period.")


def display(card: pd.DataFrame):
    """The scorecard for a reader: every KPI, its figures, our RAG (and how it was reached) and direction,
    beside the printed ones. The full scorecard (all columns) is for the export."""
    from helpers.reports import present as report

    d = card.assign(
        kpi=_kpi_label(card),
        better=card["polarity"].map({"higher": "higher", "lower": "lower"}).fillna("not stated"),
        target=card["target_value"].map(_fmt).where(card["target_value"].notna(), card["target_printed"]),
        previous_name=card["previous_period"],
    )
    cols = {"kpi": "KPI", "better": "Better if", "unit": "Unit", "previous2_value": "2 years before",
            "previous_value": "Previous", "previous_name": "Previous is", "in_year": "Earlier this year",
            "value_text": "Latest (numerator / denominator)", "forecast_value": "Year-end forecast",
            "target": "Target", "rag": "RAG (computed)", "rag_reason": "How the RAG was reached",
            "rag_printed": "RAG (printed)", "dot": "Direction (computed)", "dot_printed": "Direction (printed)"}
    fmts = {"previous2_value": _fmt_cell, "previous_value": _fmt_cell, "forecast_value": _fmt_cell}
    return report.present(d, columns=cols, formats=fmts, source=None, rag=["rag", "rag_printed"],
                          empty="No KPIs for this period (see the message above).")


def _kpi_label(card: pd.DataFrame) -> pd.Series:
    """``code name``, without repeating a code the printed name already starts with."""
    code = card["kpi_code"].fillna("").astype(str)
    name = card["kpi_name"].astype(str)
    repeat = pd.Series([bool(c) and n.startswith(c) for c, n in zip(code, name, strict=True)], index=card.index)
    return (code.where(~repeat, "") + " " + name).str.strip()


def _fmt_cell(x: float) -> str:
    return _fmt(x)


def differences(card: pd.DataFrame) -> pd.DataFrame:
    """The KPIs whose computed RAG or direction differs from the printed one, with why."""
    d = card[card["differs_why"].notna()]
    return d[["kpi_code", "kpi_name", "rag", "rag_printed", "dot", "dot_printed", "differs_why"]].reset_index(drop=True)


def show_differences(card: pd.DataFrame):
    """:func:`differences` for a reader."""
    from helpers.reports import present as report

    d = differences(card)
    d = d.assign(kpi=_kpi_label(d))
    cols = {"kpi": "KPI", "rag": "RAG (computed)", "rag_printed": "RAG (printed)", "dot": "Direction (computed)",
            "dot_printed": "Direction (printed)", "differs_why": "Why they differ"}
    return report.present(d, columns=cols, source=None, rag=["rag", "rag_printed"],
                          empty="Every printed RAG and direction agrees with the stated rules.")


def show_supporting(supporting: pd.DataFrame):
    """The supporting trend series of :func:`select_kpis` for a reader."""
    from helpers.reports import present as report

    cols = {"kpi_name": "Series", "first_period": "First period", "first_value": "First value",
            "last_period": "Latest period", "last_value": "Latest value"}
    return report.present(supporting, columns=cols, source=None,
                          formats={"first_value": _fmt_cell, "last_value": _fmt_cell},
                          empty="No supporting trend series.")


def not_rated_note(card: pd.DataFrame, rules: RuleSet, council_name: str) -> str | None:
    """Why some KPIs get no computed RAG, in a paragraph (``None`` when every KPI with a target is rated)."""
    if card.empty:
        return None
    no_rule = card["rag"].eq("Not rated") & card["rag_reason"].eq("the report states no RAG rule")
    no_pol = card["rag"].eq("Not rated") & ~no_rule
    out = []
    if no_rule.any():
        printed = card.loc[no_rule, "rag_printed"].notna().sum()
        stated = card["polarity"].isin(["higher", "lower"]).sum()
        out.append(f"**None of {council_name}'s {int(no_rule.sum())} KPIs with a target is RAG-rated here**: "
                   f"{rules.source.split(':')[0]} prints a RAG status for {printed} of them but states no rule "
                   "(no thresholds), so the printed RAG is shown as printed and not recomputed. The report also "
                   f"says whether higher or lower is better for only {stated} of the {len(card)} (see 'Better if'); "
                   "for the others a rule could not rate them even if one were chosen (`rule_set` 'tolerance').")
    if no_pol.any():
        names = "; ".join(str(x).rstrip(". ") for x in card.loc[no_pol, "kpi_name"])
        out.append(f"**{int(no_pol.sum())} KPI{'s are' if no_pol.sum() > 1 else ' is'} not rated** because the "
                   f"report does not say whether higher or lower is better, and guessing would decide the "
                   f"colour: {names}.")
    return " ".join(out) or None


def summary_text(card: pd.DataFrame, rules: RuleSet, council_name: str, label: str) -> str:
    """A plain-English paragraph on the scorecard for a councillor."""
    if card.empty:
        return f"{council_name} has no KPI figures for {label}."
    n = len(card)
    c = card["rag"].value_counts()
    pc = card["rag_printed_category"].value_counts()
    printed = int(card["rag_printed"].notna().sum())
    text = []
    if rules.amber_within_pct is None:
        text.append(f"{council_name} reported {n} indicators for {label}. Its report rates them "
                    f"{int(pc.get('Red', 0))} red, {int(pc.get('Amber', 0))} amber and {int(pc.get('Green', 0))} "
                    f"green (as printed) but states no rule for those ratings, so this scorecard does not "
                    "recompute them.")
    else:
        red_n = int(c.get("Red", 0))
        rated = (f"{red_n} {'is' if red_n == 1 else 'are'} red, {int(c.get('Amber', 0))} amber and "
                 f"{int(c.get('Green', 0))} green")
        by = rules.title if rules.name in COUNCIL_RULE_SETS.values() else "the " + rules.title[0].lower() + \
            rules.title[1:]
        s = f"Of the {n} indicators {council_name} reported for {label}, {rated} by {by}"
        nt = int(c.get("No target", 0))
        if nt:
            s += f"; {nt} {'has' if nt == 1 else 'have'} no numeric target and {'is' if nt == 1 else 'are'} not RAG-rated"
        nr = int(c.get("Not rated", 0)) + int(c.get("No data", 0))
        if nr:
            s += f"{', and' if nt else ';'} {nr} cannot be rated (no stated polarity, or no value)"
        text.append(s + ".")
    red = card[card["rag"] == "Red"]["kpi_name"].tolist()
    if red:
        text.append("Red: " + "; ".join(str(x).rstrip(". ") for x in red) + ".")
    dc = card["dot"].value_counts()
    if rules.dot_basis is not None:
        text.append(f"Against {rules.dot_against}, {int(dc.get('better', 0))} improved, "
                    f"{int(dc.get('stable', 0))} were stable and {int(dc.get('worse', 0))} got worse"
                    + (f" ({int(dc.get('n/a', 0))} cannot be judged: no previous figure or no stated polarity)"
                       if dc.get("n/a", 0) else "") + ".")
    diff = int(card["differs_why"].notna().sum())
    if printed and rules.amber_within_pct is not None:
        text.append(f"The report printed a RAG for {printed} of them; the computed rating or direction differs "
                    f"from the printed one for {diff} (listed with the reason under 'Where the computed rating "
                    "differs from the report').")
    return " ".join(text)
