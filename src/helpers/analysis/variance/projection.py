"""Full-year projections from actual spend to date: straight-line and by a monthly spend profile.

Set beside the service's own forecast outturn of the variance table (:func:`helpers.analysis.variance.budget.variance_table`).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.core.errors import ParameterError
from helpers.core.periods import months_elapsed


def month_profile(year: str, profile: Sequence[float] | None = None) -> np.ndarray:
    """Cumulative share of a year's spend by the end of each month (April first), 12 values ending at 1.

    Parameters
    ----------
    year
        Financial year ``YYYY-YY`` (for the days in February).
    profile
        12 non-negative monthly weights, April first (a council's budget profile); ``None`` or empty:
        the calendar-day profile (spend accrues evenly per day, so a month weighs its number of days).
    """
    if profile is None or len(profile) == 0:
        first = int(year[:4])
        days = [calendar.monthrange(first + (1 if m < 4 else 0), m)[1] for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
        w = np.asarray(days, dtype=float)
    else:
        w = np.asarray(list(profile), dtype=float)
        if w.shape != (12,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ParameterError(f"spend_profile: give 12 non-negative monthly weights, April first (got {list(profile)!r})")
    return np.cumsum(w) / w.sum()


PROJECTION_COLUMNS = [
    "table_id", "source_table", "line", "row_type", "budget_gbp_k", "actual_to_date_gbp_k", "months", "spent_pct_of_budget",
    "elapsed_pct", "straight_line_gbp_k", "profile_based_gbp_k", "forecast_outturn_gbp_k",
    "straight_line_minus_forecast_gbp_k", "profile_minus_forecast_gbp_k", "meaningful", "why_not", "caution",
]

#: A projection from spend to date is shown only where the share of the budget spent is between these
#: multiples of the share of the year elapsed (by the spend profile): spending roughly in step with the year.
IN_STEP: tuple[float, float] = (2 / 3, 3 / 2)


def project_year_end(vt: pd.DataFrame, year: str, period: str, profile: Sequence[float] | None = None
                     ) -> pd.DataFrame:
    """Full-year projections from actual spend to date, beside the service's own forecast.

    ``straight_line = actual to date x 12 / months elapsed``; ``profile_based = actual to date / share of
    the year's spend profiled by the end of the period`` (:func:`month_profile`). Only rows with an actual
    to date.

    A projection is **shown only where the spend profile makes it meaningful** (``meaningful``): a positive
    budget, spend to date not negative, and the share of the budget spent between :data:`IN_STEP` (two thirds
    and one and a half times) the share of the year elapsed, i.e. spending roughly in step with the year. A
    subtotal or total is meaningful only when every line of its table with spend to date is. Elsewhere the
    projections are left empty and ``why_not`` says why (an income line; spend to date negative, e.g. grants
    received ahead of spending; spending ahead of the year, e.g. payments in advance; spending behind it, e.g.
    payments in arrears; a total that includes such lines). ``caution`` is kept for the export.

    Returns
    -------
    pandas.DataFrame
        :data:`PROJECTION_COLUMNS`; empty when no actual to date is printed or the period has no months.
    """
    if vt.empty or vt["actual_to_date_gbp_k"].isna().all():
        return pd.DataFrame(columns=PROJECTION_COLUMNS)
    m = months_elapsed(period)
    if m == 0:
        return pd.DataFrame(columns=PROJECTION_COLUMNS)
    share = float(month_profile(year, profile)[m - 1])
    d = vt[vt["actual_to_date_gbp_k"].notna() & (vt["row_type"] != "memo")].copy()
    a, b = d["actual_to_date_gbp_k"], d["budget_gbp_k"]
    d["months"] = m
    d["elapsed_pct"] = 100.0 * share
    d["spent_pct_of_budget"] = (100.0 * a / b.abs()).where(b.notna() & (b != 0))
    ratio = (a / b).where(b > 0) / share if share > 0 else pd.Series(np.nan, index=d.index)
    lo, hi = IN_STEP
    why = np.select(
        [b.isna() | (b == 0), b < 0, a < 0, ratio > hi, ratio < lo],
        ["no budget to project against", "an income line (negative budget): income is not received evenly",
         "spend to date is negative (income or grant received ahead of spending)",
         "spending is ahead of the year (more than 1.5 times the share elapsed: payments in advance or front-loaded)",
         "spending is behind the year (less than two thirds of the share elapsed: payments in arrears or "
         "commitments not yet paid)"], default="")
    d["why_not"] = pd.Series(why, index=d.index).replace("", None)
    lines_ok = d[d["row_type"] == "line"].groupby("table_id")["why_not"].apply(lambda w: w.isna().all())
    aggregate = d["row_type"].isin(["subtotal", "total"])
    bad_table = aggregate & ~d["table_id"].map(lines_ok).fillna(True).astype(bool) & d["why_not"].isna()
    d.loc[bad_table, "why_not"] = "a total of lines whose spending is not in step with the year"
    d["meaningful"] = d["why_not"].isna()
    ok = d["meaningful"]
    d["straight_line_gbp_k"] = (a * 12.0 / m).where(ok)
    d["profile_based_gbp_k"] = (a / share if share > 0 else pd.Series(np.nan, index=d.index)).where(ok)
    d["straight_line_minus_forecast_gbp_k"] = d["straight_line_gbp_k"] - d["forecast_outturn_gbp_k"]
    d["profile_minus_forecast_gbp_k"] = d["profile_based_gbp_k"] - d["forecast_outturn_gbp_k"]
    odd = ((b > 0) & (a < 0)) | ((b < 0) & (a > 0)) | (a.abs() > b.abs())
    d["caution"] = np.where(odd, "spend to date is negative or above the whole budget (not spread over the "
                                 "year): no guide to the outturn", None)
    return d[PROJECTION_COLUMNS].reset_index(drop=True)
