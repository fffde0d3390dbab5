"""Trend test of an annual series: Mann-Kendall with the Theil-Sen slope, or OLS on year.

The caller passes one unbroken series (no boundary change, no change of definition); fewer than
``min_points`` values give ``'not enough points'``, never a verdict.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats as sps

from helpers.analysis.stats.arrays import as_array
from helpers.core import periods


def _year_number(y: Any) -> float:
    """2019 -> 2019; '2019' -> 2019; '2019-20' -> 2019 (the financial year's first calendar year)."""
    if isinstance(y, str):
        text = y.strip()
        if periods.is_fy(text):
            return float(periods.fy_start(text))
        if text.isdigit() and len(text) == 4:
            return float(text)
        raise ValueError(f"year must be a number or 'YYYY-YY', got {y!r}")
    return float(y)


def trend_test(years: Sequence[Any], values: Any, min_points: int = 5, alpha: float = 0.05,
               method: str = "mann-kendall") -> dict[str, Any]:
    """Test an annual series for a monotonic trend.

    The caller passes one unbroken series (no boundary change, no change of definition): a series
    break voids the test. Missing values are dropped before counting points.

    Parameters
    ----------
    years
        Years as numbers or financial years ``'YYYY-YY'``; no duplicates.
    values
        The measure, one per year.
    min_points
        Fewer non-missing points than this gives direction ``'not enough points'`` (default 5, as
        the project's rule for a trend verdict).
    alpha
        Significance level of the two-sided test.
    method
        ``'mann-kendall'`` (default): Kendall's tau between year and value (``scipy.stats.kendalltau``,
        exact p-value for small series without ties; Mann 1945, Kendall 1975) with the Theil-Sen slope
        (``scipy.stats.theilslopes``; Sen 1968). ``'ols'``: least-squares slope on year and its t-test
        (``statsmodels`` OLS).

    Returns
    -------
    dict
        ``slope`` (per year), ``p_value``, ``direction`` (``'increasing'``, ``'decreasing'``,
        ``'no significant change'`` or ``'not enough points'``), ``n``, ``method``.
    """
    if method not in ("mann-kendall", "ols"):
        raise ValueError(f"method must be 'mann-kendall' or 'ols', got {method!r}")
    yr = np.array([_year_number(y) for y in years], dtype=float)
    v = as_array(values).ravel()
    if yr.shape != v.shape:
        raise ValueError(f"years and values differ in length ({yr.size} vs {v.size})")
    if np.unique(yr[~np.isnan(yr)]).size != np.count_nonzero(~np.isnan(yr)):
        raise ValueError("years must not repeat")
    keep = ~np.isnan(yr) & ~np.isnan(v)
    order = np.argsort(yr[keep])
    yr, v = yr[keep][order], v[keep][order]
    res: dict[str, Any] = {"slope": np.nan, "p_value": np.nan, "direction": "not enough points",
                           "n": int(v.size), "method": method}
    if v.size < min_points:
        return res
    if method == "ols":
        import statsmodels.api as sm  # lazy: statsmodels.api takes about 0.5 s to import; only OLS needs it

        fit = sm.OLS(v, sm.add_constant(yr - yr[0])).fit()
        slope, p = float(fit.params[1]), float(fit.pvalues[1])
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # constant series: tau undefined
            p = float(sps.kendalltau(yr, v).pvalue)
        slope = float(sps.theilslopes(v, yr).slope)
    significant = np.isfinite(p) and p < alpha and slope != 0
    res.update(slope=slope, p_value=p,
               direction=("increasing" if slope > 0 else "decreasing") if significant else "no significant change")
    return res


