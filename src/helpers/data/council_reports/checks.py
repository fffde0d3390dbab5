"""Reconciliation of printed totals: every printed total and derived figure of a council table recomputed.

Printed values are kept as printed: nothing is dropped or "fixed"; :func:`reconcile` lists the figures that do
not agree within the document's rounding (the loader warns with their count).

Tolerance rule (see ``docs/methods.md``): each printed figure is rounded to its last printed digit, so a
figure computed from ``k`` rounded figures can differ from the printed one by up to half a unit of the last
digit for each term: a sum of ``k`` children against its parent by ``0.5 * u * (k + 1)``, a difference
(variance = forecast - budget) by ``1.5 * u``, where ``u`` is the unit of the last printed digit (inferred
from the values: 1 for whole £ thousands). Counts (clients, complaints, numerators) are exact: tolerance 0.
A percentage is checked against the interval its rounded inputs allow plus half a unit of its own last
digit. Differences within the tolerance are not discrepancies; ``reconcile(..., include_rounding=True)``
shows them too.
"""


from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.data.council_reports.kinds import KINDS, KPI_SCALES, kind_spec, table_keys, template_columns
from helpers.data.council_reports.reader import resolve_parents


def _extra_columns(df: pd.DataFrame, kind: str) -> list[str]:
    """Columns a council added beyond the template (after ``source_row``)."""
    known = set(template_columns(kind, processed=True))
    return [c for c in df.columns if c not in known]


def _money_columns(df: pd.DataFrame, kind: str) -> list[str]:
    """Columns summed over parent_line: the kind's, plus any added number column."""
    spec = kind_spec(kind)
    extra = [c for c in _extra_columns(df, kind) if pd.api.types.is_float_dtype(df[c])]
    return [c for c in (*spec.sums, *extra) if c in df.columns]


def _decimals(x: float, max_d: int = 6) -> int:
    """Number of decimals of a printed figure (a trailing zero is not seen: that only loosens a tolerance)."""
    if x is None or not np.isfinite(x):
        return 0
    for d in range(max_d + 1):
        if abs(round(x, d) - x) < 1e-9 * max(1.0, abs(x)):
            return d
    return max_d


def _unit(values: Iterable[float]) -> float:
    d = max((_decimals(float(v)) for v in values if pd.notna(v)), default=0)
    return 10.0 ** -d


RESULT_COLUMNS = ["kind", "gss_code", "year", "period", "table_id", "source_file", "source_row", "line", "check",
                   "column", "expected", "printed", "difference", "tolerance", "documented"]

#: A council's own column naming the discrepancies of a row that its folder's README documents, e.g.
#: ``"budget_gbp_k, actual_to_date_gbp_k: README discrepancy 1"``: the columns named before the colon.
KNOWN_COLUMN = "known_discrepancy"


def documented(r: pd.Series, column: str) -> bool:
    """Whether a row's :data:`KNOWN_COLUMN` names ``column`` as a documented discrepancy."""
    text = r.get(KNOWN_COLUMN)
    if not isinstance(text, str) or not text.strip():
        return False
    named = [c.strip() for c in text.split(":", 1)[0].split(",")]
    return column in named


def _record(out: list[dict], kind: str, r: pd.Series, check: str, column: str, expected: float, printed: float,
            tol: float, include_rounding: bool) -> None:
    diff = printed - expected
    if abs(diff) <= tol + 1e-9 and not (include_rounding and abs(diff) > 1e-9):
        return
    out.append({
        "kind": kind, "gss_code": r["gss_code"], "year": r["year"], "period": r["period"], "table_id": r["table_id"],
        "source_file": r["source_file"], "source_row": int(r["source_row"]), "line": r["line"], "check": check,
        "column": column, "expected": round(float(expected), 9), "printed": float(printed),
        "difference": round(float(diff), 9), "tolerance": round(float(tol), 9), "documented": documented(r, column),
    })


def _diff_check(out: list[dict], kind: str, df: pd.DataFrame, target: str, plus: list[str], minus: list[str],
                check: str, include_rounding: bool) -> None:
    """``target = sum(plus) - sum(minus)`` on every row where all the terms are present."""
    cols = [target, *plus, *minus]
    if not all(c in df.columns for c in cols):
        return
    sub = df[df[cols].notna().all(axis=1)]
    for _, r in sub.iterrows():
        expected = sum(float(r[c]) for c in plus) - sum(float(r[c]) for c in minus)
        tol = 0.5 * _unit(r[cols]) * len(cols)
        _record(out, kind, r, check, target, expected, float(r[target]), tol, include_rounding)


def _sum_checks(out: list[dict], kind: str, df: pd.DataFrame, include_rounding: bool) -> None:
    spec = kind_spec(kind)
    keys = table_keys(kind)
    if kind not in KINDS:  # skip cross-tabs (row_order repeated): their blocks cannot be told apart
        crossed = df.duplicated([*keys, "row_order"], keep=False)
        df = df[~df.groupby(keys, dropna=False)["row_order"].transform(lambda s: s.duplicated().any())
                .astype(bool) & ~crossed]
    parent = resolve_parents(df, kind)
    counted = df["row_type"].isin(("line", "subtotal")) & parent.notna()
    if not counted.any():
        return
    groups = dict(iter(df[counted].groupby(parent[counted], sort=False)))
    for idx, g in groups.items():
        p = df.loc[idx]
        for col in _money_columns(df, kind):
            if pd.isna(p[col]):
                continue
            vals = g[col].dropna()
            if vals.empty:
                continue
            exact = col in spec.exact
            tol = 0.0 if exact else 0.5 * _unit([p[col], *vals]) * (len(vals) + 1)
            _record(out, kind, p, f"children sum to {p['row_type']} ({len(vals)} rows)", col, float(vals.sum()),
                    float(p[col]), tol, include_rounding)


def _pct_check(out: list[dict], kind: str, df: pd.DataFrame, include_rounding: bool) -> None:
    cols = ["variance_pct", "variance_gbp_k", "budget_gbp_k"]
    sub = df[df[cols].notna().all(axis=1) & (df["budget_gbp_k"] != 0)]
    for _, r in sub.iterrows():
        v, b, pct = float(r["variance_gbp_k"]), float(r["budget_gbp_k"]), float(r["variance_pct"])
        u = _unit([v, b])
        expected = 100.0 * v / b
        tol = 0.5 * 10.0 ** -_decimals(pct) + 100.0 * (0.5 * u / abs(b)) * (1.0 + abs(v) / abs(b))
        if b < 0 and abs(pct + expected) <= tol + 1e-9:
            continue  # on a negative (income) budget some tables print the sign of the variance: accepted
        _record(out, kind, r, "variance_pct = 100 x variance / budget", "variance_pct", expected, pct, tol,
                include_rounding)


def _key_activity_check(out: list[dict], df: pd.DataFrame, include_rounding: bool) -> None:
    cols = ["budgeted_clients", "budgeted_unit_cost_gbp", "budget_gbp_k"]
    unit = df["unit_of_cost"].fillna("").str.lower()
    sub = df[df[cols].notna().all(axis=1) & unit.str.contains("week") & (df["row_type"] == "line")]
    for _, r in sub.iterrows():
        weeks = float(r["weeks_funded"]) if pd.notna(r.get("weeks_funded")) else 52.0
        n, cost, budget = float(r["budgeted_clients"]), float(r["budgeted_unit_cost_gbp"]), float(r["budget_gbp_k"])
        expected = n * cost * weeks / 1000.0
        tol = 0.5 * _unit([budget]) + 0.5 * _unit([cost]) * n * weeks / 1000.0
        how = "weeks_funded" if pd.notna(r.get("weeks_funded")) else "52 weeks"
        _record(out, "key_activity", r, f"budget = clients x unit cost x {how} / 1000", "budget_gbp_k", expected,
                budget, tol, include_rounding)


def _kpi_check(out: list[dict], df: pd.DataFrame, include_rounding: bool) -> None:
    cols = ["value", "numerator", "denominator"]
    sub = df[df[cols].notna().all(axis=1) & (df["denominator"] != 0) & df["unit"].isin(list(KPI_SCALES))]
    for _, r in sub.iterrows():
        scale = KPI_SCALES[r["unit"]]
        expected = float(r["numerator"]) / float(r["denominator"]) * scale
        tol = 0.5 * 10.0 ** -_decimals(float(r["value"]))
        _record(out, "kpis", r, f"value = numerator / denominator x {scale:g}", "value", expected, float(r["value"]),
                tol, include_rounding)


def reconcile(df: pd.DataFrame, kind: str, *, include_rounding: bool = False) -> pd.DataFrame:
    """Recompute every printed total and derived figure of a council table; return the discrepancies.

    Checks (each only where all its terms are printed):

    * every kind: the ``line``/``subtotal`` rows naming a row in ``parent_line`` add up to it, column by
      column (``heading`` and ``memo`` rows never count);
    * budget_monitoring: variance = forecast outturn - budget; forecast outturn = forecast net expenditure
      + reserves appropriation (or variance = both - budget when the outturn is not printed); variance
      change = variance - previous variance; variance % = 100 x variance / budget (on a negative budget
      either sign is accepted: tables print the sign of the ratio or of the variance);
    * key_activity: variance = forecast outturn - budget; budget = budgeted clients x budgeted unit cost x
      weeks / 1000 for costs per week (``weeks_funded``, else 52 weeks);
    * kpis: value = numerator / denominator x 100 (``%``), x 100,000 (``rate per 100,000``), ...;
    * savings: net target = target + double running; shortfall = (net) target - achieved (or forecast);
    * reserves: balance = approved - used; budget_changes: budget = previous budget + change.

    Parameters
    ----------
    df
        A validated table (as returned by :func:`load_kind` or read from its processed Parquet file).
    kind
        Its kind.
    include_rounding
        Also list non-zero differences that are within the rounding tolerance.

    Returns
    -------
    pandas.DataFrame
        One row per discrepancy: ``kind, gss_code, year, period, table_id, source_file, source_row, line,
        check, column, expected, printed, difference (printed - expected), tolerance, documented`` (the row's
        ``known_discrepancy`` cell names the column: the council folder's README lists it), sorted by file, row
        and column. Empty when everything reconciles.
    """
    out: list[dict] = []
    if len(df):
        _sum_checks(out, kind, df, include_rounding)
        if kind == "budget_monitoring":
            _diff_check(out, kind, df, "variance_gbp_k", ["forecast_outturn_gbp_k"], ["budget_gbp_k"],
                        "variance = forecast outturn - budget", include_rounding)
            _diff_check(out, kind, df, "forecast_outturn_gbp_k",
                        ["forecast_net_expenditure_gbp_k", "reserves_appropriation_gbp_k"], [],
                        "forecast outturn = net expenditure + reserves appropriation", include_rounding)
            no_fo = df[df["forecast_outturn_gbp_k"].isna()]
            _diff_check(out, kind, no_fo, "variance_gbp_k",
                        ["forecast_net_expenditure_gbp_k", "reserves_appropriation_gbp_k"], ["budget_gbp_k"],
                        "variance = net expenditure + reserves appropriation - budget", include_rounding)
            _diff_check(out, kind, df, "variance_change_gbp_k", ["variance_gbp_k"], ["previous_variance_gbp_k"],
                        "change = variance - previous variance", include_rounding)
            _pct_check(out, kind, df, include_rounding)
        elif kind == "key_activity":
            _diff_check(out, kind, df, "variance_gbp_k", ["forecast_outturn_gbp_k"], ["budget_gbp_k"],
                        "variance = forecast outturn - budget", include_rounding)
            _key_activity_check(out, df, include_rounding)
        elif kind == "kpis":
            _kpi_check(out, df, include_rounding)
        elif kind == "savings":
            _diff_check(out, kind, df, "net_target_gbp_k", ["target_gbp_k", "double_running_gbp_k"], [],
                        "net target = target + double running", include_rounding)
            has_net = df["net_target_gbp_k"].notna()
            has_ach = df["achieved_gbp_k"].notna()
            for net, ach, sub in (
                ("net_target_gbp_k", "achieved_gbp_k", df[has_net & has_ach]),
                ("target_gbp_k", "achieved_gbp_k", df[~has_net & has_ach]),
                ("net_target_gbp_k", "forecast_gbp_k", df[has_net & ~has_ach]),
                ("target_gbp_k", "forecast_gbp_k", df[~has_net & ~has_ach]),
            ):
                _diff_check(out, kind, sub, "shortfall_gbp_k", [net], [ach],
                            f"shortfall = {net.removesuffix('_gbp_k')} - {ach.removesuffix('_gbp_k')}",
                            include_rounding)
        elif kind == "reserves":
            _diff_check(out, kind, df, "balance_gbp_k", ["approved_gbp_k"], ["used_gbp_k"],
                        "balance = approved - used", include_rounding)
        elif kind == "budget_changes":
            _diff_check(out, kind, df, "budget_gbp_k", ["previous_budget_gbp_k", "change_gbp_k"], [],
                        "budget = previous budget + change", include_rounding)
    res = pd.DataFrame(out, columns=RESULT_COLUMNS)
    return res.sort_values(["source_file", "source_row", "column", "check"], kind="mergesort").reset_index(drop=True)
