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
    "straight_line_gbp_k", "profile_based_gbp_k", "forecast_outturn_gbp_k", "straight_line_minus_forecast_gbp_k",
    "profile_minus_forecast_gbp_k", "caution",
]


def project_year_end(vt: pd.DataFrame, year: str, period: str, profile: Sequence[float] | None = None
                     ) -> pd.DataFrame:
    """Full-year projections from actual spend to date, beside the service's own forecast.

    ``straight_line = actual to date x 12 / months elapsed``; ``profile_based = actual to date / share of
    the year's spend profiled by the end of the period`` (:func:`month_profile`). Only rows with an actual
    to date. ``caution`` flags rows where the actual to date is negative against a positive budget, or
    more than the whole year's budget: spend (or income) that is not spread over the year, such as grants
    received or payments made in advance, so a projection from it is no guide.

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
    d["spent_pct_of_budget"] = (100.0 * a / b.abs()).where(b.notna() & (b != 0))
    d["straight_line_gbp_k"] = a * 12.0 / m
    d["profile_based_gbp_k"] = a / share if share > 0 else np.nan
    d["straight_line_minus_forecast_gbp_k"] = d["straight_line_gbp_k"] - d["forecast_outturn_gbp_k"]
    d["profile_minus_forecast_gbp_k"] = d["profile_based_gbp_k"] - d["forecast_outturn_gbp_k"]
    odd = ((b > 0) & (a < 0)) | ((b < 0) & (a > 0)) | (a.abs() > b.abs())
    d["caution"] = np.where(odd, "spend to date is negative or above the whole budget (not spread over the "
                                 "year): no guide to the outturn", None)
    return d[PROJECTION_COLUMNS].reset_index(drop=True)
