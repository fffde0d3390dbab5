"""Savings delivery against plan, and the use of reserves, from a council's own report tables.

Reads the processed ``council_savings`` and ``council_reserves`` tables, and the reserves rows of the variance
table (:func:`helpers.analysis.variance.budget.variance_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.variance.budget import apply_scope, select
from helpers.core.periods import period_order

SAVINGS_COLUMNS = ["table_id", "period", "row_order", "line", "row_type", "programme", "target_gbp_k",
                   "delivered_gbp_k", "delivered_basis", "shortfall_gbp_k", "shortfall_printed_gbp_k",
                   "delivery_pct", "rag_printed", "source_table"]


def savings_summary(savings: pd.DataFrame, gss_code: str, year: str, period: str) -> pd.DataFrame:
    """Savings delivery against plan for a period (and the year's budget-setting plan, ``BUD``).

    The plan is the net target where printed (target + double running), else the target; delivery is the
    amount achieved where printed, else the forecast. ``shortfall = plan - delivered``, beside the printed
    shortfall; ``delivery_pct = 100 x delivered / plan``.
    """
    rows = pd.concat([select(savings, gss_code, year, period),
                      select(savings, gss_code, year, "BUD") if period != "BUD" else savings.iloc[0:0]])
    if rows.empty:
        return pd.DataFrame(columns=SAVINGS_COLUMNS)
    d = rows.copy()
    for c in ("net_target_gbp_k", "achieved_gbp_k", "programme"):
        if c not in d.columns:
            d[c] = np.nan
    d["target_gbp_k"] = d["net_target_gbp_k"].fillna(d["target_gbp_k"])
    d["delivered_basis"] = np.where(d["achieved_gbp_k"].notna(), "achieved",
                                    np.where(d["forecast_gbp_k"].notna(), "forecast", None))
    d["delivered_gbp_k"] = d["achieved_gbp_k"].fillna(d["forecast_gbp_k"])
    d["shortfall_printed_gbp_k"] = d["shortfall_gbp_k"]
    d["shortfall_gbp_k"] = d["target_gbp_k"] - d["delivered_gbp_k"]
    d["delivery_pct"] = (100.0 * d["delivered_gbp_k"] / d["target_gbp_k"]).where(d["target_gbp_k"] > 0)
    d["_o"] = d["period"].map(period_order)
    d = d.sort_values(["_o", "table_id", "row_order"], kind="mergesort")
    return d[SAVINGS_COLUMNS].reset_index(drop=True)


RESERVES_COLUMNS = ["table_id", "row_order", "line", "reserve_name", "purpose", "row_type", "opening_balance_gbp_k",
                    "approved_gbp_k", "used_gbp_k", "movement_gbp_k", "balance_gbp_k", "source_table"]


def reserves_summary(reserves: pd.DataFrame, gss_code: str, year: str, period: str, *,
                     scope: str = "all") -> pd.DataFrame:
    """The reserves schedule printed for the period: approved, used, balance (and opening / movement).

    ``scope`` as in :func:`apply_scope` (Cambridgeshire's P&C reserves list children's and education
    reserves too).
    """
    d, _ = apply_scope(select(reserves, gss_code, year, period), scope)
    if d.empty:
        return pd.DataFrame(columns=RESERVES_COLUMNS)
    for c in RESERVES_COLUMNS:
        if c not in d.columns:
            d[c] = np.nan
    return d[RESERVES_COLUMNS].reset_index(drop=True)


def reserves_in_budget(vt: pd.DataFrame) -> pd.DataFrame:
    """Budget-monitoring rows about reserves: a printed appropriation, or a line or service area naming reserves."""
    cols = ["table_id", "source_table", "line", "row_type", "budget_gbp_k", "forecast_outturn_gbp_k",
            "variance_gbp_k", "reserves_appropriation_gbp_k"]
    if vt.empty:
        return vt[cols]
    named = vt["line"].str.contains("reserve", case=False, na=False) | \
        vt["service_area"].str.contains("reserve", case=False, na=False)
    d = vt[vt["reserves_appropriation_gbp_k"].notna() | named]
    return d[cols].reset_index(drop=True)
