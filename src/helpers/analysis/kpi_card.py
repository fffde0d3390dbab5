"""A council's KPI scorecard for one period: its KPIs selected and checked, rated by a rule set, and counted.

Reads the processed ``council_kpis`` table (see :mod:`helpers.data.council_reports`); the rule sets, the RAG
rating and the direction of travel are in :mod:`helpers.analysis.scorecard`. What a reader sees is made in
:mod:`helpers.reports.performance_scorecard`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.scorecard import (
    DOT_CATEGORIES,
    RAG_CATEGORIES,
    RuleSet,
    direction,
    number_text,
    printed_dot_category,
    printed_rag_category,
    rate,
)
from helpers.analysis.variance.budget import period_aliases
from helpers.core.errors import DataError
from helpers.core.periods import period_label, period_order
from helpers.data.council_reports.kinds import KPI_SCALES

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


def kpi_periods(kpis: pd.DataFrame, gss_code: str) -> pd.DataFrame:
    """The financial years and periods with KPI rows for a council (``year, period, kpis``), sorted."""
    df = kpis[kpis["gss_code"] == gss_code]
    out = df.groupby(["year", "period"]).size().rename("rows").reset_index()
    return out.sort_values(["year", "period"]).reset_index(drop=True)


def resolve_kpi_period(kpis: pd.DataFrame, gss_code: str, year: str, period: str
                       ) -> tuple[pd.DataFrame, str | None]:
    """The KPI rows a report for ``period`` shows, and a sentence when they are not simply that period's.

    In order: the rows of ``period``; of its alias (``Q1`` <-> ``M03``,
    :func:`~helpers.analysis.variance.budget.period_aliases`); the rows printed in the report of that period
    (the council's ``report_period`` column: Cambridgeshire's July 2018 report, ``M04``, prints its KPI table as
    at June, ``M03``). Headings are dropped.
    """
    df = kpis[(kpis["gss_code"] == gss_code) & (kpis["year"] == year) & (kpis["row_type"] != "heading")]
    for p in (period, *period_aliases(period)):
        rows = df[df["period"] == p]
        if len(rows):
            note = None if p == period else (f"The KPIs for {period_label(period, year)} are held as "
                                             f"{period_label(p, year)} ({p}), the same months: {p} is used.")
            return rows, note
    if "report_period" in df.columns:
        for p in (period, *period_aliases(period)):
            rows = df[df["report_period"] == p]
            if len(rows):
                periods = sorted(rows["period"].unique())
                return rows, (f"The report of {period_label(period, year)} prints its KPI table as at "
                              f"{', '.join(period_label(x) for x in periods)} ({', '.join(periods)}): that table is "
                              "shown.")
    return df.iloc[0:0], None


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
    df, _ = resolve_kpi_period(kpis, gss_code, year, period)
    df = df.assign(_po=df["period"].map(period_order)).sort_values(["table_id", "_po", "row_order"], kind="mergesort")
    df = df.drop(columns="_po")
    check_units(df)
    if df.empty:
        return df.assign(in_year=pd.Series(dtype=object)), pd.DataFrame(
            columns=["table_id", "kpi_name", "first_period", "first_value", "last_period", "last_value"])
    key = df[_SERIES].astype("string").fillna("").agg("|".join, axis=1)
    df = df.assign(_key=key)
    size = df.groupby("_key")["row_order"].transform("size")
    hist = df.groupby("_key", sort=False).apply(
        lambda g: "; ".join(f"{p}: {number_text(v)}" for p, v in zip(g["value_period"].iloc[:-1], g["value"].iloc[:-1],
                                                              strict=True)), include_groups=False)
    first = df.groupby("_key", sort=False).first()
    last = df.drop_duplicates("_key", keep="last").set_index("_key")
    last["in_year"] = hist.reindex(last.index).replace("", None)
    last["in_year_first"] = first["value"].reindex(last.index).where(last["in_year"].notna())
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
    v = number_text(r["value"])
    if pd.notna(r.get("numerator")) and pd.notna(r.get("denominator")) and r["denominator"] != 1:
        v += f" ({number_text(r['numerator'])} / {number_text(r['denominator'])})"
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
    cols = ["table_id", "kpi_code", "kpi_name", "polarity", "polarity_basis", "unit", "previous2_period",
            "previous2_value", "previous_period", "previous_value", "in_year", "in_year_trend", "value", "value_text",
            "forecast_value", "target_value", "target_printed", "worse_by_pct", "rag", "rag_reason", "rag_printed",
            "rag_printed_category", "rag_agrees", "printed_check", "change_pct", "dot", "dot_reason", "dot_printed",
            "dot_printed_category", "dot_agrees", "differs_why", "commentary"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.copy()
    for c in ("target_printed", "previous2_period", "previous2_value", "commentary", "in_year_first"):
        if c not in df.columns:
            df[c] = np.nan
    df["polarity"], df["polarity_basis"] = effective_polarity(df["polarity"], df["target_printed"])
    basis = df["forecast_value"].fillna(df["value"]) if rules.rag_basis == "forecast_else_value" else df["value"]
    r = rate(basis, df["target_value"], df["polarity"], rules, target_text=df["target_printed"])
    cur = df["forecast_value"].fillna(df["value"]) if rules.dot_basis == "forecast_else_value" else df["value"]
    d = direction(cur, df["previous_value"], df["polarity"], rules)
    if rules.dot_basis == "forecast_else_value":  # a year-end rule: a count to date is no year-end position
        to_date = (df["unit"] == "number") & df["forecast_value"].isna() & (df["period"] != "YE") & \
            df["previous_value"].notna()
        d.loc[to_date.to_numpy(), "dot"] = "n/a"
        d.loc[to_date.to_numpy(), "dot_reason"] = ("a count to date with no year-end forecast is not comparable with "
                                                   "the previous year-end")
    df = pd.concat([df, r, d], axis=1)
    df["value_text"] = df.apply(_value_text, axis=1)
    df["rag_printed_category"] = printed_rag_category(df["rag_printed"], rules)
    df["dot_printed_category"] = printed_dot_category(df["dot_printed"], rules)
    df["rag_agrees"] = _agrees(df["rag"], df["rag_printed_category"])
    df["dot_agrees"] = _agrees(df["dot"], df["dot_printed_category"])
    df["differs_why"] = [_why(x) for _, x in df.iterrows()]
    df["printed_check"] = [printed_check(x, v) for (_, x), v in zip(df.iterrows(), basis, strict=True)]
    df["in_year_trend"] = [trend_word(a, b, pol) for a, b, pol in
                           zip(df["in_year_first"], df["value"], df["polarity"], strict=True)]
    return df[cols].reset_index(drop=True)


#: Words of a printed target that state which way is better.
_TARGET_DIRECTION = {r"(?i)\bmaximi[sz]e": "higher", r"(?i)\bminimi[sz]e": "lower"}


def effective_polarity(polarity: pd.Series, target_printed: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Which way is better for each KPI, and on what basis.

    The polarity the report states (``higher`` / ``lower``: basis ``stated``); else the direction a printed
    target states ("Aim to maximise", "Maximise" = higher is better; "Minimise" = lower: basis
    ``from the target 'Maximise'``); else none (``not stated``). Nothing is guessed from the figures.
    """
    pol = pd.Series(polarity).where(pd.Series(polarity).isin(["higher", "lower"]))
    tt = pd.Series(target_printed, index=pol.index).astype("string").fillna("")
    basis = pd.Series(np.where(pol.notna(), "stated", "not stated"), index=pol.index, dtype=object)
    for pattern, way in _TARGET_DIRECTION.items():
        hit = pol.isna() & tt.str.contains(pattern, regex=True)
        pol = pol.where(~hit, way)
        basis = basis.where(~hit, "from the target '" + tt.str.strip() + "'")
    pol = pol.astype(object)
    return pol.where(pol.notna(), None), basis


def printed_check(r: pd.Series, value: float) -> str | None:
    """Why a printed RAG contradicts the report's own target, or ``None``.

    With the polarity known (stated, or stated by the target's words): a printed Green for a figure worse than
    its target, or a printed Red or Amber for one that meets it. Without it, the direction is **inferred** from
    the target beside the previous figure (a target above last year's figure: higher is better; below: lower)
    and only a printed Green that misses the target that way is flagged, saying the direction is inferred.
    A count (``unit`` ``number``) before the year end is not checked: a count to date is not comparable with a
    year's target.
    """
    cat, t = r.get("rag_printed_category"), r.get("target_value")
    if cat not in ("Red", "Amber", "Green") or pd.isna(t) or pd.isna(value):
        return None
    if r.get("unit") == "number" and pd.isna(r.get("forecast_value")) and r.get("period") != "YE":
        return None
    v, pol = float(value), r.get("polarity")
    vt, tt = number_text(v), number_text(t)
    basis = r.get("polarity_basis")
    if pol not in ("higher", "lower"):
        prev = r.get("previous_value")
        if pd.isna(prev) or prev == t or cat != "Green":
            return None
        pol = "higher" if t > prev else "lower"
        basis = (f"inferred, not stated: the target is {'above' if t > prev else 'below'} the previous figure "
                 f"{number_text(prev)}")
    meets = v >= t if pol == "higher" else v <= t
    how = f"{pol} is better" + ("" if basis == "stated" else f", {basis}")
    if cat == "Green" and not meets:
        return f"printed Green, but {vt} is {'below' if pol == 'higher' else 'above'} the target {tt} ({how})"
    if cat in ("Red", "Amber") and meets:
        return f"printed {cat}, but {vt} meets the target {tt} ({how})"
    return None


def trend_word(first: float, last: float, polarity: object) -> str | None:
    """The in-year trend in words: ``better`` / ``worse`` / ``unchanged`` where the polarity is known, else
    ``up`` / ``down`` with "(which way is better is not stated)"; ``None`` without two figures."""
    if pd.isna(first) or pd.isna(last):
        return None
    if last == first:
        return "unchanged"
    up = last > first
    if polarity in ("higher", "lower"):
        return "better" if up == (polarity == "higher") else "worse"
    return f"{'up' if up else 'down'} (which way is better is not stated)"


def printed_contradictions(card: pd.DataFrame) -> pd.DataFrame:
    """The KPIs whose printed RAG contradicts the report's own target (:func:`printed_check`)."""
    d = card[card["printed_check"].notna()] if len(card) else card
    return d[["kpi_code", "kpi_name", "value_text", "target_value", "rag_printed", "printed_check"]
             ].reset_index(drop=True) if len(d) else pd.DataFrame(
        columns=["kpi_code", "kpi_name", "value_text", "target_value", "rag_printed", "printed_check"])


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


def differences(card: pd.DataFrame) -> pd.DataFrame:
    """The KPIs whose computed RAG or direction differs from the printed one, with why."""
    d = card[card["differs_why"].notna()]
    return d[["kpi_code", "kpi_name", "rag", "rag_printed", "dot", "dot_printed", "differs_why"]].reset_index(drop=True)
