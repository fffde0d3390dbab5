"""Statistics for benchmarking councils: intervals, significance, MAD verdicts, funnels, trends.

Pure functions, no data loading. Every function is vectorised over numpy arrays and pandas Series
(a Series in gives a Series out, with the same index; a scalar in gives a scalar out). A missing value
in gives a missing value (or the label ``'not compared'``) out, never an exception; an impossible
input (``k > n``, a negative count, a level outside (0, 1)) raises :class:`ValueError`.

Methods and sources (each function's docstring says more; ``docs/methods.md`` section *Statistics*):

* proportions: Wilson score interval (Wilson 1927; Newcombe 1998), via statsmodels;
* counts and rates: Byar's approximation (Breslow & Day 1987), exact Poisson below 10 events, as
  OHID Fingertips / PHEindicatormethods;
* significance against a comparator: the council's interval against the comparator's value (Fingertips);
* distance from the median in MADs and Oflog's plain-English verdicts (Oflog's data: unscaled MAD,
  median over all councils with a value);
* funnel plots: Spiegelhalter (2005) exact binomial / Poisson limits, or PHE's Wilson-consistent limits;
* trends: Mann-Kendall test with the Theil-Sen slope (scipy), or OLS on year (statsmodels).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from helpers.core.errors import ParameterError

#: Polarity of a measure: ``higher`` is better, ``lower`` is better, or ``none`` (no judgement).
POLARITIES = ("higher", "lower", "none")
#: Words for a value above / below the comparator, by polarity.
_WORDS = {"higher": ("better", "worse"), "lower": ("worse", "better"), "none": ("higher", "lower")}
#: Label where there is nothing to compare (missing value, interval or comparator).
NOT_COMPARED = "not compared"
#: Oflog's verdict thresholds in MADs: broadly similar < 0.5 <= slightly < 1.5 <= plain < 3 <= much.
MAD_THRESHOLDS = (0.5, 1.5, 3.0)
#: Below this many events ``byar_ci`` uses the exact Poisson interval (as PHEindicatormethods' phe_rate).
BYAR_EXACT_BELOW = 10


# ---------------------------------------------------------------------------------------------- helpers
def _arr(x: Any) -> np.ndarray:
    """Float array of ``x``; pandas ``NA`` and ``None`` become ``NaN``."""
    if isinstance(x, (pd.Series, pd.Index)):
        return x.to_numpy(dtype=float, na_value=np.nan)
    try:
        return np.asarray(x, dtype=float)
    except TypeError:  # pd.NA among the values
        a = np.asarray(x, dtype=object)
        return pd.array(a.ravel(), dtype="Float64").to_numpy(dtype=float, na_value=np.nan).reshape(a.shape)


def _out(values: np.ndarray, *like: Any) -> Any:
    """Shape the result like the Series among ``like`` (same index), else a scalar or an array.

    Series inputs must share one index: numpy does not align them, so a difference is an error.
    """
    series = [x for x in like if isinstance(x, pd.Series)]
    if series:
        if any(not s.index.equals(series[0].index) for s in series[1:]):
            raise ValueError("Series inputs must have the same index (align them first)")
        return pd.Series(np.broadcast_to(values, series[0].shape), index=series[0].index)
    if np.ndim(values) == 0:
        v = values.item() if isinstance(values, np.ndarray) else values
        return v if isinstance(v, str) else float(v)
    return values


def _z(level: float) -> float:
    """Two-sided standard normal quantile for a confidence ``level`` in (0, 1)."""
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(sps.norm.ppf(0.5 + level / 2))


def _polarity(polarity: Any, shape: tuple[int, ...]) -> np.ndarray:
    pol = np.broadcast_to(np.asarray(polarity, dtype=object), shape)
    bad = set(pol.ravel().tolist()) - set(POLARITIES)
    if bad:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {sorted(map(str, bad))}")
    return pol


def _no_negative(x: np.ndarray, what: str) -> None:
    if np.any(x < 0):
        raise ValueError(f"{what} must not be negative (found {x[x < 0].ravel()[0]!r})")


# ------------------------------------------------------------------------------------------- intervals
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
    from statsmodels.stats.proportion import proportion_confint

    _z(level)
    kk, nn = np.broadcast_arrays(_arr(k), _arr(n))
    _no_negative(kk, "counts")
    _no_negative(nn, "denominators")
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
    return _out(lo, k, n), _out(hi, k, n)


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
    z = _z(level)
    o = _arr(count)
    _no_negative(o, "counts")
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
    return _out(lo, count), _out(hi, count)


def rate_ci(count: Any, denominator: Any, per: float = 100_000, level: float = 0.95,
            exact_below: float = BYAR_EXACT_BELOW) -> tuple[Any, Any]:
    """Interval for a rate ``count / denominator * per`` (e.g. ASCOF 2A per 100,000): :func:`byar_ci` / denominator.

    A zero or missing denominator gives ``NaN``; a negative one raises :class:`ValueError`.
    """
    lo, hi = byar_ci(_arr(count), level=level, exact_below=exact_below)
    o, d = np.broadcast_arrays(lo, _arr(denominator))
    _no_negative(d, "denominators")
    d = np.where(d > 0, d, np.nan)
    return _out(o / d * per, count, denominator), _out(np.asarray(hi) / d * per, count, denominator)


def moe_ci(value: Any, moe: Any) -> tuple[Any, Any]:
    """Interval ``value -/+ moe`` for survey measures published with a margin of error (ASCOF 1A, 3A, ...).

    The published margin of error is used as published (NHS England's survey measures carry their own
    95% margins, allowing for the survey design); nothing is recomputed.
    """
    v, m = np.broadcast_arrays(_arr(value), _arr(moe))
    _no_negative(m, "margins of error")
    return _out(v - m, value, moe), _out(v + m, value, moe)


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
    lo, hi, b = np.broadcast_arrays(_arr(lower), _arr(upper), _arr(benchmark))
    if np.any(lo > hi):
        raise ValueError("lower limit must not exceed upper limit")
    pol = _polarity(polarity, lo.shape)
    up = np.vectorize(lambda p: _WORDS[p][0], otypes=[object])(pol) if pol.size else pol
    down = np.vectorize(lambda p: _WORDS[p][1], otypes=[object])(pol) if pol.size else pol
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(b)
    out = np.where(missing, NOT_COMPARED, np.where(lo > b, up, np.where(hi < b, down, "similar")))
    return _out(out.astype(object), lower, upper, benchmark)


# ------------------------------------------------------------------------------------------------ MAD
def mad(values: Any, scaled: bool = True) -> float:
    """Median absolute deviation of ``values`` (missing values ignored).

    ``scipy.stats.median_abs_deviation``; ``scaled=True`` multiplies by 1/Phi^-1(3/4) = 1.4826 (so the
    MAD estimates the standard deviation of normal data), ``scaled=False`` is the raw MAD that Oflog uses.
    ``NaN`` if there are no values.
    """
    x = _arr(values).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan")
    return float(sps.median_abs_deviation(x, scale="normal" if scaled else 1.0))


def mads_from_median(value: Any, values: Any, scaled: bool = False) -> Any:
    """Signed distance of ``value`` from the median of ``values``, in MADs: ``(value - median) / MAD``.

    Reproduces Oflog's ``MADs_from_median`` with the default ``scaled=False`` (raw MAD) when ``values``
    are all councils with a value for that measure and year (the council itself included). The sign is
    the direction of the value (positive = above the median), not better/worse: see
    :func:`verdict_from_mads`. Where the MAD is 0 (half the councils share the median value) the distance
    is 0 for a value at the median and ``NaN`` otherwise.
    """
    ref = _arr(values).ravel()
    med = float(np.nanmedian(ref)) if np.isfinite(ref).any() else np.nan
    m = mad(ref, scaled=scaled)
    v = _arr(value)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(m > 0, (v - med) / m, np.where(v == med, 0.0, np.nan))
    return _out(d, value)


def verdict_from_mads(d: Any, polarity: Any, thresholds: Sequence[float] = MAD_THRESHOLDS) -> Any:
    """Plain-English verdict from a distance in MADs, oriented by polarity (Oflog's wording).

    ``|d| < 0.5`` broadly similar; ``0.5 <= |d| < 1.5`` slightly better/worse; ``1.5 <= |d| < 3``
    better/worse; ``|d| >= 3`` much better/worse. ``polarity='none'`` says higher/lower instead.
    Missing ``d`` gives ``'not compared'``.

    Parameters
    ----------
    d
        Signed distance from the median in MADs (:func:`mads_from_median`).
    polarity
        ``'higher'``, ``'lower'`` or ``'none'`` (scalar or one per value).
    thresholds
        Three increasing positive cut points (default Oflog's 0.5, 1.5, 3).
    """
    t = np.asarray(thresholds, dtype=float)
    if t.shape != (3,) or not (0 < t[0] < t[1] < t[2]):
        raise ValueError(f"thresholds must be three increasing positive numbers, got {list(thresholds)!r}")
    x = _arr(d)
    pol = _polarity(polarity, x.shape)
    word = np.empty(x.shape, dtype=object)
    for p, (hi_w, lo_w) in _WORDS.items():
        sel = pol == p
        word[sel] = np.where(x[sel] > 0, hi_w, lo_w)
    a = np.abs(x)
    out = np.select(
        [np.isnan(x), a < t[0], a < t[1], a < t[2]],
        [NOT_COMPARED, "broadly similar", np.char.add("slightly ", word.astype(str)), word.astype(str)],
        default=np.char.add("much ", word.astype(str)),
    )
    return _out(out.astype(object), d)


# --------------------------------------------------------------------------------------------- funnels
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
    n = _arr(denominators).ravel()
    _no_negative(n, "denominators")
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
        z = _z(level)
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
    v, n = np.broadcast_arrays(_arr(values), _arr(denominators))
    lim = funnel_limits(n.ravel(), target, kind=kind, levels=levels, per=per, method=method)
    x = v.ravel()
    out = np.full(x.shape, f"within {_level_label(min(levels))}%", dtype=object)
    for level in sorted(levels):  # widest last, so it wins
        label = _level_label(level)
        out = np.where(x > lim[f"upper_{label}"].to_numpy(), f"above {label}%", out)
        out = np.where(x < lim[f"lower_{label}"].to_numpy(), f"below {label}%", out)
    out = np.where(np.isnan(x) | np.isnan(lim["denominator"].to_numpy()), NOT_COMPARED, out)
    return _out(out.reshape(v.shape).astype(object), values, denominators)


# ---------------------------------------------------------------------------------------------- trend
def _year_number(y: Any) -> float:
    """2019 -> 2019; '2019-20' -> 2019 (the financial year's first calendar year)."""
    if isinstance(y, str):
        m = re.fullmatch(r"\s*(\d{4})(?:[-/]\d{2,4})?\s*", y)
        if not m:
            raise ValueError(f"year must be a number or 'YYYY-YY', got {y!r}")
        return float(m.group(1))
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
    v = _arr(values).ravel()
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
        import statsmodels.api as sm

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


# ------------------------------------------------------------------------------------------- summaries
def summarise_group(values: pd.Series, council: str, polarity: str = "none",
                    scaled: bool = False) -> dict[str, Any]:
    """Where one council sits in a group: its value, the group's median and quartiles, its rank.

    Parameters
    ----------
    values
        One value per council, indexed by ``gss_code`` (the council included); missing values are
        left out of every statistic.
    council
        The council's ``gss_code``.
    polarity
        Orders the rank: ``'higher'`` -> 1 = highest (best); ``'lower'`` -> 1 = lowest (best);
        ``'none'`` -> 1 = highest.
    scaled
        Passed to :func:`mad` / :func:`mads_from_median` (default unscaled, as Oflog).

    Returns
    -------
    dict
        ``value``, ``n`` (councils with a value), ``median``, ``q1``, ``q3`` (linear interpolation,
        Hyndman & Fan type 7), ``min``, ``max``, ``rank`` (ties share the best rank; ``NaN`` if the
        council has no value), ``quartile`` (1 = lowest values .. 4), ``mad``, ``mads_from_median``.
    """
    _polarity(polarity, ())
    if not values.index.is_unique:
        raise ValueError("values must have one row per council (duplicate gss_code in the index)")
    if council not in values.index:
        raise ParameterError(f"council {council!r} is not in the group ({len(values)} councils)")
    s = pd.Series(_arr(values), index=values.index)
    x = s.dropna()
    value = float(s.loc[council])
    ranks = x.rank(ascending=polarity == "lower", method="min")
    q1, med, q3 = (float(x.quantile(q)) if len(x) else np.nan for q in (0.25, 0.5, 0.75))
    quartile = (np.nan if np.isnan(value)
                else 1 if value <= q1 else 2 if value <= med else 3 if value <= q3 else 4)
    return {
        "value": value, "n": int(len(x)), "median": med, "q1": q1, "q3": q3,
        "min": float(x.min()) if len(x) else np.nan, "max": float(x.max()) if len(x) else np.nan,
        "rank": float(ranks.get(council, np.nan)), "quartile": quartile,
        "mad": mad(x, scaled=scaled), "mads_from_median": mads_from_median(value, x, scaled=scaled),
    }
