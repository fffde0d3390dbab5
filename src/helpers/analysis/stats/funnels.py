"""Funnel plots: control limits around a target for each denominator, and where each value falls.

Spiegelhalter (2005) exact binomial / Poisson limits (interpolated quantiles), or PHE's Wilson-consistent
limits for proportions (PHEindicatormethods ``phe_funnels``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from helpers.analysis.stats.arrays import NOT_COMPARED, as_array, no_negative, shaped_like, z_value


def _level_label(level: float) -> str:
    return f"{level * 100:g}"


def _interpolated_quantile(dist: Any, p: float) -> np.ndarray:
    """Spiegelhalter (2005) appendix A.1: r_p - alpha, alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))."""
    r = dist.ppf(p)
    f_r, f_prev = dist.cdf(r), dist.cdf(r - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return r - (f_r - p) / (f_r - f_prev)


def funnel_limits(denominators: Any, target: float, kind: str = "proportion",
                  levels: Sequence[float] = (0.95, 0.998), per: float | None = None,
                  method: str | None = None) -> pd.DataFrame:
    """Funnel-plot control limits around ``target`` for each denominator.

    Parameters
    ----------
    denominators
        Denominators (people asked / population); whole numbers for the exact binomial method.
    target
        The value the funnel is centred on (e.g. England), in the units of the output (see ``per``).
    kind
        ``'proportion'`` or ``'rate'``.
    levels
        Two-sided coverage of each pair of limits (95% ~ 2 sigma, 99.8% ~ 3 sigma).
    per
        Units: proportions per 1 (0..1) by default, rates per 100,000 by default.
    method
        Proportions: ``'wilson'`` (default; PHE Fingertips / PHEindicatormethods ``phe_funnels``:
        ``target -/+ z sqrt(target (1 - target) / n)``, the values whose Wilson interval just reaches the
        target) or ``'exact'`` (Spiegelhalter 2005: interpolated binomial quantiles). Rates: ``'exact'``
        only (Spiegelhalter 2005: interpolated Poisson quantiles of the expected count, over ``n``).

    Returns
    -------
    pandas.DataFrame
        Columns ``denominator``, ``target``, ``lower_95``, ``upper_95``, ``lower_99.8``, ``upper_99.8``
        (one pair per level). Proportion limits are clipped to [0, per], rate limits at 0.
    """
    if kind not in ("proportion", "rate"):
        raise ValueError(f"kind must be 'proportion' or 'rate', got {kind!r}")
    per = float(per if per is not None else (1 if kind == "proportion" else 100_000))
    method = method or ("wilson" if kind == "proportion" else "exact")
    allowed = ("wilson", "exact") if kind == "proportion" else ("exact",)
    if method not in allowed:
        raise ValueError(f"method for {kind} funnels must be one of {allowed}, got {method!r}")
    n = as_array(denominators).ravel()
    no_negative(n, "denominators")
    n = np.where(n > 0, n, np.nan)
    theta = float(target) / per
    if kind == "proportion" and not 0 <= theta <= 1:
        raise ValueError(f"a proportion target must be between 0 and {per:g}, got {target!r}")
    if kind == "rate" and theta < 0:
        raise ValueError(f"a rate target must not be negative, got {target!r}")
    if kind == "proportion" and method == "exact" and np.any(n[~np.isnan(n)] % 1):
        raise ValueError("exact binomial funnel limits need whole-number denominators")
    out = pd.DataFrame({"denominator": n, "target": float(target)})
    for level in levels:
        z = z_value(level)
        tail = (1 - level) / 2
        if kind == "proportion" and method == "wilson":
            half = z * np.sqrt(theta * (1 - theta) / n)
            lo, hi = theta - half, theta + half
        elif kind == "proportion":
            nn = np.nan_to_num(n, nan=1).astype(int)
            dist = sps.binom(nn, theta)
            lo = np.where(np.isnan(n), np.nan, _interpolated_quantile(dist, tail) / nn)
            hi = np.where(np.isnan(n), np.nan, _interpolated_quantile(dist, 1 - tail) / nn)
        else:
            dist = sps.poisson(np.nan_to_num(theta * n, nan=0))
            lo = np.where(np.isnan(n), np.nan, _interpolated_quantile(dist, tail) / n)
            hi = np.where(np.isnan(n), np.nan, _interpolated_quantile(dist, 1 - tail) / n)
        cap = 1.0 if kind == "proportion" else np.inf
        label = _level_label(level)
        out[f"lower_{label}"] = np.clip(lo, 0, cap) * per
        out[f"upper_{label}"] = np.clip(hi, 0, cap) * per
    return out


def flag_outliers(values: Any, denominators: Any, target: float, kind: str = "proportion",
                  levels: Sequence[float] = (0.95, 0.998), per: float | None = None,
                  method: str | None = None) -> Any:
    """Place each value against the funnel of :func:`funnel_limits` (same parameters and units).

    Returns
    -------
    labels
        ``'above 99.8%'``, ``'above 95%'``, ``'within 95%'``, ``'below 95%'``, ``'below 99.8%'`` (outside
        means strictly beyond the limit, as PHEindicatormethods), ``'not compared'`` for a missing value
        or denominator.
    """
    v, n = np.broadcast_arrays(as_array(values), as_array(denominators))
    lim = funnel_limits(n.ravel(), target, kind=kind, levels=levels, per=per, method=method)
    x = v.ravel()
    out = np.full(x.shape, f"within {_level_label(min(levels))}%", dtype=object)
    for level in sorted(levels):  # widest last, so it wins
        label = _level_label(level)
        out = np.where(x > lim[f"upper_{label}"].to_numpy(), f"above {label}%", out)
        out = np.where(x < lim[f"lower_{label}"].to_numpy(), f"below {label}%", out)
    out = np.where(np.isnan(x) | np.isnan(lim["denominator"].to_numpy()), NOT_COMPARED, out)
    return shaped_like(out.reshape(v.shape).astype(object), values, denominators)


