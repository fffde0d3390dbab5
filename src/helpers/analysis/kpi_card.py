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
from helpers.core.errors import DataError
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
        lambda g: "; ".join(f"{p}: {number_text(v)}" for p, v in zip(g["value_period"].iloc[:-1], g["value"].iloc[:-1],
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


def differences(card: pd.DataFrame) -> pd.DataFrame:
    """The KPIs whose computed RAG or direction differs from the printed one, with why."""
    d = card[card["differs_why"].notna()]
    return d[["kpi_code", "kpi_name", "rag", "rag_printed", "dot", "dot_printed", "differs_why"]].reset_index(drop=True)
