"""Confidence intervals and significance against a comparator: Wilson, Byar, margins of error, Fingertips' test.

* proportions: Wilson score interval (Wilson 1927; Newcombe 1998), via statsmodels;
* counts and rates: Byar's approximation (Breslow & Day 1987), exact Poisson below 10 events, as
  OHID Fingertips / PHEindicatormethods;
* survey measures: the published margin of error, as published;
* significance against a comparator: the council's interval against the comparator's value (Fingertips).

A missing value in gives a missing value (or ``'not compared'``) out; an impossible input (``k > n``, a
negative count, a level outside (0, 1)) raises :class:`ValueError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from helpers.analysis.stats.arrays import (
    NOT_COMPARED,
    WORDS,
    as_array,
    check_polarity,
    no_negative,
    shaped_like,
    z_value,
)

#: Below this many events ``byar_ci`` uses the exact Poisson interval (as PHEindicatormethods' phe_rate).
BYAR_EXACT_BELOW = 10


def wilson_ci(k: Any, n: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for a proportion ``k / n``, as proportions 0..1.

    Wilson (1927); Newcombe (1998) method 3; computed by
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    Parameters
    ----------
    k, n
        Numerator and denominator (scalars, arrays or Series; non-integers such as counts rounded to
        the nearest 5 are accepted). ``n == 0`` or a missing value gives ``NaN``.
    level
        Confidence level, e.g. 0.95 or 0.998.

    Returns
    -------
    (lower, upper)

    Raises
    ------
    ValueError
        Negative counts, ``k > n`` or a level outside (0, 1).
    """
    z_value(level)
    kk, nn = np.broadcast_arrays(as_array(k), as_array(n))
    no_negative(kk, "counts")
    no_negative(nn, "denominators")
    if np.any(kk > nn):
        raise ValueError("numerator k must not exceed denominator n")
    ok = np.isfinite(kk) & np.isfinite(nn) & (nn > 0)
    lo = np.full(kk.shape, np.nan)
    hi = np.full(kk.shape, np.nan)
    if ok.any():
        l_, u_ = proportion_confint(kk[ok], nn[ok], alpha=1 - level, method="wilson")
        lo[ok], hi[ok] = np.clip(l_, 0, 1), np.clip(u_, 0, 1)
    lo = np.where(ok & (kk == 0), 0.0, lo)  # exact bounds where statsmodels leaves rounding error
    hi = np.where(ok & (kk == nn), 1.0, hi)
    return shaped_like(lo, k, n), shaped_like(hi, k, n)


def byar_ci(count: Any, level: float = 0.95, exact_below: float = BYAR_EXACT_BELOW) -> tuple[Any, Any]:
    """Confidence interval for a Poisson count: Byar's approximation, exact below ``exact_below`` events.

    Byar's method (Breslow & Day 1987, vol. II, p. 69), as OHID Fingertips::

        lower = O (1 - 1/(9 O) - z / (3 sqrt(O)))^3
        upper = (O + 1) (1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))^3

    For ``O < exact_below`` (default 10, as PHEindicatormethods' ``phe_rate``) the exact interval
    ``chi2.ppf(a/2, 2 O) / 2`` to ``chi2.ppf(1 - a/2, 2 O + 2) / 2`` (Armitage & Berry 2002) is used;
    PHE's technical guide states Byar is within 0.2% of exact for O >= 10 at 95%.

    Parameters
    ----------
    count
        Observed events (``O``), non-negative.
    level
        Confidence level.
    exact_below
        Use the exact interval below this count (0 = always Byar).

    Returns
    -------
    (lower, upper)
        Limits on the count.
    """
    z = z_value(level)
    o = as_array(count)
    no_negative(o, "counts")
    a = 1 - level
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        byl = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        byu = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
        exl = np.where(o > 0, sps.chi2.ppf(a / 2, 2 * np.where(o > 0, o, 1)) / 2, 0.0)
        exu = sps.chi2.ppf(1 - a / 2, 2 * o + 2) / 2
    exact = o < exact_below
    lo = np.where(exact, exl, np.where(o > 0, np.maximum(byl, 0), 0.0))
    hi = np.where(exact, exu, byu)
    lo = np.where(np.isnan(o), np.nan, lo)
    hi = np.where(np.isnan(o), np.nan, hi)
    return shaped_like(lo, count), shaped_like(hi, count)


def rate_ci(count: Any, denominator: Any, per: float = 100_000, level: float = 0.95,
            exact_below: float = BYAR_EXACT_BELOW) -> tuple[Any, Any]:
    """Interval for a rate ``count / denominator * per`` (e.g. ASCOF 2A per 100,000): :func:`byar_ci` / denominator.

    A zero or missing denominator gives ``NaN``; a negative one raises :class:`ValueError`.
    """
    lo, hi = byar_ci(as_array(count), level=level, exact_below=exact_below)
    o, d = np.broadcast_arrays(lo, as_array(denominator))
    no_negative(d, "denominators")
    d = np.where(d > 0, d, np.nan)
    return shaped_like(o / d * per, count, denominator), shaped_like(np.asarray(hi) / d * per, count, denominator)


def moe_ci(value: Any, moe: Any) -> tuple[Any, Any]:
    """Interval ``value -/+ moe`` for survey measures published with a margin of error (ASCOF 1A, 3A, ...).

    The published margin of error is used as published (NHS England's survey measures carry their own
    95% margins, allowing for the survey design); nothing is recomputed.
    """
    v, m = np.broadcast_arrays(as_array(value), as_array(moe))
    no_negative(m, "margins of error")
    return shaped_like(v - m, value, moe), shaped_like(v + m, value, moe)


# ----------------------------------------------------------------------------------------- comparison
def compare_to_benchmark(lower: Any, upper: Any, benchmark: Any, polarity: Any) -> Any:
    """Significance against a comparator: the council's interval against the comparator's value.

    As OHID Fingertips: an interval wholly above the benchmark is significantly higher, wholly below
    significantly lower, otherwise similar (an interval touching the benchmark counts as similar).

    Parameters
    ----------
    lower, upper
        The council's interval.
    benchmark
        The comparator value (England, region, comparator-group median, ...).
    polarity
        ``'higher'`` (higher is better), ``'lower'`` (lower is better) or ``'none'``; a scalar or one
        per row.

    Returns
    -------
    labels
        ``'better' | 'similar' | 'worse'`` (polarity higher/lower), ``'higher' | 'similar' | 'lower'``
        (polarity none), ``'not compared'`` where the interval or benchmark is missing.
    """
    lo, hi, b = np.broadcast_arrays(as_array(lower), as_array(upper), as_array(benchmark))
    if np.any(lo > hi):
        raise ValueError("lower limit must not exceed upper limit")
    pol = check_polarity(polarity, lo.shape)
    up = np.vectorize(lambda p: WORDS[p][0], otypes=[object])(pol) if pol.size else pol
    down = np.vectorize(lambda p: WORDS[p][1], otypes=[object])(pol) if pol.size else pol
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(b)
    out = np.where(missing, NOT_COMPARED, np.where(lo > b, up, np.where(hi < b, down, "similar")))
    return shaped_like(out.astype(object), lower, upper, benchmark)


