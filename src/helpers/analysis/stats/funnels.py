"""Funnel plots: control limits around a target for each denominator, and where each value falls.

Spiegelhalter (2005, *Statistics in Medicine* 24: 1185) exact binomial / Poisson limits (interpolated
quantiles), or PHE's Wilson-consistent limits for proportions (PHEindicatormethods ``phe_funnels``); and limits
widened for overdispersion (Spiegelhalter 2005, *Quality and Safety in Health Care* 14: 347, "Handling
over-dispersion of performance indicators"; as FunnelPlotR, Mainey et al.): :func:`overdispersion` estimates
the dispersion ratio ``phi`` from 10%-winsorised z-scores on a variance-stabilising scale and the between-
council variance ``tau2`` (DerSimonian & Laird 1986); ``funnel_limits(..., overdispersion="multiplicative")``
multiplies the within-council standard error by ``sqrt(phi)``, ``"additive"`` (random effects) adds ``tau2``
to its square.
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


#: The overdispersion adjustments of :func:`funnel_limits` (``None``: none).
OVERDISPERSION = ("multiplicative", "additive")


def _transform(p: np.ndarray, kind: str) -> np.ndarray:
    """Variance-stabilising scale: ``asin(sqrt(p))`` for proportions, ``sqrt(rate)`` for Poisson rates."""
    with np.errstate(invalid="ignore"):
        return np.arcsin(np.sqrt(np.clip(p, 0, 1))) if kind == "proportion" else np.sqrt(np.clip(p, 0, None))


def _back(y: np.ndarray, kind: str) -> np.ndarray:
    y = np.clip(y, 0, np.pi / 2 if kind == "proportion" else None)
    return np.sin(y) ** 2 if kind == "proportion" else y ** 2


def overdispersion(numerators: Any, denominators: Any, target: float, kind: str = "proportion",
                   per: float | None = None, trim: float = 0.1) -> dict[str, float]:
    """Dispersion ratio ``phi`` and between-unit variance ``tau2`` of a set of units around ``target``.

    Spiegelhalter (2005, QSHC 14: 347) as FunnelPlotR: on the scale ``y = asin(sqrt(k / n))`` (proportions)
    or ``y = sqrt(k / n)`` (rates), with standard error ``s = 1 / (2 sqrt(n))``, each unit's z-score is
    ``(y - y0) / s``; the z-scores are winsorised at ``trim`` at each end; ``phi = mean(z^2)`` and
    ``tau2 = max(0, (N phi - (N - 1)) / (sum w - sum w^2 / sum w))`` with ``w = 1 / s^2`` (DerSimonian &
    Laird 1986), 0 when ``N phi < N - 1``.

    Parameters
    ----------
    numerators, denominators
        Counts and denominators of the units (missing or zero denominators are left out).
    target
        The centre of the funnel in the output's units (see ``per``).
    kind
        ``"proportion"`` or ``"rate"``.
    per
        Units of ``target`` (proportions per 1, rates per 100,000 by default).
    trim
        Share winsorised at each end (0.1).

    Returns
    -------
    dict
        ``phi``, ``tau2`` (on the transformed scale) and ``n`` (units used).
    """
    per = float(per if per is not None else (1 if kind == "proportion" else 100_000))
    k, n = np.broadcast_arrays(as_array(numerators).ravel(), as_array(denominators).ravel())
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0)
    k, n = k[ok], n[ok]
    if k.size < 2:
        return {"phi": np.nan, "tau2": np.nan, "n": int(k.size)}
    y0 = _transform(np.array(float(target) / per), kind)
    s = 1 / (2 * np.sqrt(n))
    z = (_transform(k / n, kind) - y0) / s
    lo, hi = np.quantile(z, [trim, 1 - trim])
    zw = np.clip(z, lo, hi)
    m = z.size
    phi = float(np.mean(zw ** 2))
    w = 1 / s ** 2
    tau2 = 0.0 if m * phi < m - 1 else max(0.0, (m * phi - (m - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    return {"phi": phi, "tau2": float(tau2), "n": int(m)}


def funnel_limits(denominators: Any, target: float, kind: str = "proportion",
                  levels: Sequence[float] = (0.95, 0.998), per: float | None = None,
                  method: str | None = None, overdispersion: str | None = None, phi: float = 1.0,
                  tau2: float = 0.0) -> pd.DataFrame:
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
    overdispersion
        ``None`` (the limits above), ``"multiplicative"`` (``y0 -/+ z sqrt(phi) s``) or ``"additive"``
        (random effects: ``y0 -/+ z sqrt(s^2 + tau2)``), on the scale of :func:`overdispersion` and back;
        a ``phi`` below 1 is taken as 1 (limits never narrower than without it).
    phi, tau2
        From :func:`overdispersion`.

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
    if overdispersion is not None and overdispersion not in OVERDISPERSION:
        raise ValueError(f"overdispersion must be one of {OVERDISPERSION} or None, got {overdispersion!r}")
    out = pd.DataFrame({"denominator": n, "target": float(target)})
    for level in levels:
        z = z_value(level)
        tail = (1 - level) / 2
        if overdispersion is not None:
            y0 = _transform(np.array(theta), kind)
            s = 1 / (2 * np.sqrt(n))
            sd = s * np.sqrt(max(float(phi), 1.0)) if overdispersion == "multiplicative" else \
                np.sqrt(s ** 2 + max(float(tau2), 0.0))
            lo, hi = _back(y0 - z * sd, kind), _back(y0 + z * sd, kind)
        elif kind == "proportion" and method == "wilson":
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
                  method: str | None = None, overdispersion: str | None = None, phi: float = 1.0,
                  tau2: float = 0.0) -> Any:
    """Place each value against the funnel of :func:`funnel_limits` (same parameters and units).

    Returns
    -------
    labels
        ``'above 99.8%'``, ``'above 95%'``, ``'within 95%'``, ``'below 95%'``, ``'below 99.8%'`` (outside
        means strictly beyond the limit, as PHEindicatormethods), ``'not compared'`` for a missing value
        or denominator.
    """
    v, n = np.broadcast_arrays(as_array(values), as_array(denominators))
    lim = funnel_limits(n.ravel(), target, kind=kind, levels=levels, per=per, method=method,
                        overdispersion=overdispersion, phi=phi, tau2=tau2)
    x = v.ravel()
    out = np.full(x.shape, f"within {_level_label(min(levels))}%", dtype=object)
    for level in sorted(levels):  # widest last, so it wins
        label = _level_label(level)
        out = np.where(x > lim[f"upper_{label}"].to_numpy(), f"above {label}%", out)
        out = np.where(x < lim[f"lower_{label}"].to_numpy(), f"below {label}%", out)
    out = np.where(np.isnan(x) | np.isnan(lim["denominator"].to_numpy()), NOT_COMPARED, out)
    return shaped_like(out.reshape(v.shape).astype(object), values, denominators)


