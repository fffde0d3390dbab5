"""The largest variances and what drives them: one table for the export and the report's summary.

Every row is a figure of the variance table (:func:`helpers.analysis.variance.budget.variance_table`) or of the
key-activity decomposition (:func:`helpers.analysis.variance.price_volume.decomposition_summary`).
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis.variance.budget import main_tables, period_names
from helpers.analysis.variance.price_volume import decomposition_summary


def size_gbp_k(x: float) -> str:
    """Money by its size, unsigned: ``£1,234k`` (the words around it say over or under)."""
    return f"£{abs(x):,.0f}k"


def signed_gbp_k(x: float) -> str:
    """Signed money: ``+£1,234k`` / ``-£20k`` / ``£0k``."""
    if round(x) == 0:
        return "£0k"
    return f"{'-' if x < 0 else '+'}£{abs(x):,.0f}k"


def largest_variances(vt: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` lines of the main table(s) with the largest non-zero absolute variance."""
    cols = ["table_id", "source_table", "line", "budget_gbp_k", "forecast_outturn_gbp_k", "variance_gbp_k",
            "variance_pct", "variance_pct_text", "previous_period", "movement_gbp_k", "rag", "rag_label", "commentary"]
    if vt.empty:
        return pd.DataFrame(columns=cols)
    vt = vt.assign(**{c: vt[c] if c in vt.columns else None for c in ("rag_label", "commentary")})
    d = vt[vt["table_id"].isin(main_tables(vt)) & (vt["row_type"] == "line") & (vt["variance_gbp_k"].fillna(0) != 0)]
    d = d.assign(_a=d["variance_gbp_k"].abs()).sort_values(["_a", "table_id", "row_order"],
                                                            ascending=[False, True, True])
    return d.head(n)[cols].reset_index(drop=True)


def _since(movement: float, previous_period: object) -> str:
    """``"up £335k since month 3 (June)"``; empty without a movement."""
    if pd.isna(movement):
        return ""
    when = period_names(pd.Series([previous_period])).iloc[0] or "the previous report"
    if movement == 0:
        return f"no change since {when}"
    return f"{'up' if movement > 0 else 'down'} {size_gbp_k(movement)} since {when}"


SUMMARY_COLUMNS = ["kind", "name", "table_id", "source_table", "variance_gbp_k", "variance_pct", "variance_pct_text",
                   "rag", "rag_label", "previous_period", "movement_gbp_k", "volume_gbp_k", "price_gbp_k",
                   "remainder_gbp_k", "other_lines_gbp_k", "driver", "commentary"]


def summary_table(vt: pd.DataFrame, dec: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The largest variances and their drivers, one row each, for export (CSV and Excel) and the report.

    Rows: the ``n`` largest line variances (driver: the movement since the previous period, then the report's
    own reason where it prints one, ``commentary``), then one row per key-activity table (driver: volume, price,
    remainder and the lines without client figures; an incomplete table says so).

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS`.
    """
    lv = largest_variances(vt, n)
    rows = []
    for r in lv.itertuples(index=False):
        rows.append({"kind": "service line", "name": r.line, "table_id": r.table_id, "source_table": r.source_table,
                     "variance_gbp_k": r.variance_gbp_k, "variance_pct": r.variance_pct,
                     "variance_pct_text": r.variance_pct_text, "rag": r.rag, "rag_label": r.rag_label,
                     "previous_period": r.previous_period, "movement_gbp_k": r.movement_gbp_k,
                     "driver": "; ".join(x for x in (_since(r.movement_gbp_k, r.previous_period),
                                                     f"the report: {r.commentary}" if isinstance(r.commentary, str)
                                                     else "") if x),
                     "commentary": r.commentary})
    for r in decomposition_summary(dec).itertuples(index=False):
        parts = [f"volume {signed_gbp_k(r.volume_gbp_k)}", f"price {signed_gbp_k(r.price_gbp_k)}",
                 f"remainder {signed_gbp_k(r.remainder_gbp_k)}"] if pd.notna(r.volume_gbp_k) else []
        if pd.notna(r.other_lines_gbp_k):
            parts.append(f"lines not split {signed_gbp_k(r.other_lines_gbp_k)}")
        if r.missing_lines:
            parts.append(f"incomplete: {int(r.missing_lines)} line(s) not printed, so no total")
        rows.append({"kind": "key activity", "name": r.service_group, "table_id": r.table_id,
                     "source_table": r.source_table, "variance_gbp_k": r.variance_gbp_k,
                     "volume_gbp_k": r.volume_gbp_k, "price_gbp_k": r.price_gbp_k,
                     "remainder_gbp_k": r.remainder_gbp_k, "other_lines_gbp_k": r.other_lines_gbp_k,
                     "driver": ", ".join(parts)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
