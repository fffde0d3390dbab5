"""What a reader must know beside a period's figures: printed totals that are not the sum of their lines, and the
council's share of a pooled budget's variance.

* :func:`total_checks` -- the reconciliation of :mod:`helpers.data.council_reports.checks` for the rows of one
  period (budget monitoring and key activity): a total the report prints that its own lines do not add up to
  (Cambridgeshire's July 2018 summary: budget 164,789 printed, its lines 164,631), so that the report can say so
  beside the headline instead of only in the loader's warning.
* :func:`pooled_budgets` -- a pooled budget (Cambridgeshire's Learning Disability Partnership with the NHS) held
  as rows marked ``pooled_budget`` / ``pool_role``: the pool's variance, and the council's share of it by the
  report's own lines, by the printed figure and by the stated funding split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.variance.budget import select
from helpers.data.council_reports import reconcile

#: Columns of :func:`total_checks`.
CHECK_COLUMNS = ["kind", "table_id", "source_table", "line", "column", "check", "printed", "expected", "difference",
                 "documented", "known_discrepancy"]

#: Reader names of the columns a check is about.
COLUMN_NAMES = {"budget_gbp_k": "budget", "forecast_outturn_gbp_k": "forecast outturn", "variance_gbp_k": "variance",
                "actual_to_date_gbp_k": "spend to date", "budgeted_clients": "budgeted clients",
                "actual_clients": "clients now", "previous_variance_gbp_k": "previous variance",
                "variance_pct": "variance %", "variance_change_gbp_k": "change in forecast"}


def total_checks(frames: dict[str, pd.DataFrame], gss_code: str, year: str, period: str) -> pd.DataFrame:
    """The printed figures of one period that do not reconcile within rounding, by kind.

    Parameters
    ----------
    frames
        ``{"budget_monitoring": council_budget, "key_activity": council_key_activity}`` (processed tables).

    Returns
    -------
    pandas.DataFrame
        :data:`CHECK_COLUMNS`, one row per figure (``documented``: the council folder's README lists it).
    """
    parts = []
    for kind, df in frames.items():
        rows = select(df, gss_code, year, period) if len(df) else df
        if rows.empty:
            continue
        disc = reconcile(rows, kind)
        if disc.empty:
            continue
        src = rows.drop_duplicates("table_id").set_index("table_id")["source_table"]
        known = rows.set_index(["source_file", "source_row"]).get("known_discrepancy")
        disc = disc.assign(source_table=disc["table_id"].map(src))
        disc["known_discrepancy"] = [known.get((f, r)) if known is not None else None
                                     for f, r in zip(disc["source_file"], disc["source_row"], strict=True)]
        parts.append(disc)
    if not parts:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CHECK_COLUMNS]


def totals_not_summing(checks: pd.DataFrame, table_ids: list[str]) -> list[str]:
    """Plain sentences on the printed totals of ``table_ids`` that are not the sum of their lines, one per row.

    E.g. ``"'Total Expenditure': budget printed 164,789, its lines add to 164,631; spend to date printed 30,558,
    its lines add to 54,390"``.
    """
    d = checks[checks["table_id"].isin(table_ids) & checks["check"].str.startswith("children sum")]
    out = []
    for line, g in d.groupby("line", sort=False):
        parts = [f"{COLUMN_NAMES.get(c, c)} printed {p:,.0f}, its lines add to {e:,.0f}"
                 for c, p, e in zip(g["column"], g["printed"], g["expected"], strict=True)]
        out.append(f"'{line}': " + "; ".join(parts))
    return out


#: Columns of :func:`pooled_budgets`.
POOL_COLUMNS = ["pooled_budget", "source_table", "pool_variance_gbp_k", "partner_contribution_gbp_k",
                "council_share_lines_gbp_k", "council_share_printed_gbp_k", "funding_share_pct",
                "council_share_at_funding_share_gbp_k", "lines"]


def pooled_budgets(vt: pd.DataFrame) -> pd.DataFrame:
    """Each pooled budget of a period: the pool's variance and the council's share of it.

    * pool variance = the variance of the pool's own lines (``pool_role`` ``pool line``);
    * the council's share by the report's lines = pool variance + the partner's contribution line
      (``partner contribution``: the NHS contribution to the pool, whose variance is the partner's share);
    * the council's share as printed (``council share (printed)``), where the report prints one;
    * the share at the stated funding split = pool variance x ``pool_funding_share_pct`` / 100 (a risk share may
      differ from the funding split: the printed share is the report's, the split a cross-check).

    Returns
    -------
    pandas.DataFrame
        :data:`POOL_COLUMNS`; empty when no row is marked as part of a pooled budget.
    """
    if vt.empty or "pooled_budget" not in vt.columns or vt["pooled_budget"].isna().all():
        return pd.DataFrame(columns=POOL_COLUMNS)
    rows = []
    for name, g in vt[vt["pooled_budget"].notna()].groupby("pooled_budget", sort=True):
        lines = g[g["pool_role"] == "pool line"]
        partner = g[g["pool_role"] == "partner contribution"]
        printed = g[g["pool_role"] == "council share (printed)"]
        pool = lines["variance_gbp_k"].sum(min_count=1) if lines["variance_gbp_k"].notna().all() else np.nan
        contrib = partner["variance_gbp_k"].sum(min_count=1)
        share = pd.to_numeric(g["pool_funding_share_pct"], errors="coerce").dropna()
        pct = float(share.iloc[0]) if len(share) else np.nan
        rows.append({
            "pooled_budget": name, "source_table": "; ".join(sorted(g["source_table"].astype(str).unique())),
            "pool_variance_gbp_k": pool, "partner_contribution_gbp_k": contrib,
            "council_share_lines_gbp_k": pool + contrib if pd.notna(contrib) else np.nan,
            "council_share_printed_gbp_k": printed["variance_gbp_k"].iloc[0] if len(printed) else np.nan,
            "funding_share_pct": pct, "council_share_at_funding_share_gbp_k": pool * pct / 100.0,
            "lines": "; ".join(lines["line"].astype(str)),
        })
    return pd.DataFrame(rows, columns=POOL_COLUMNS)
