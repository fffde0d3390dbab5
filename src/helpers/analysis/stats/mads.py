"""Distance from the median in MADs, Oflog's plain-English verdicts, and where a council sits in a group.

* :func:`mad`, :func:`mads_from_median`: the median absolute deviation (raw, as Oflog, or scaled x1.4826)
  and the signed distance of a value from the median in MADs;
* :func:`verdict_from_mads`: Oflog's words (broadly similar, slightly / - / much better or worse),
  oriented by polarity;
* :func:`summarise_group`: the council's value, the group's median and quartiles, its rank.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from helpers.analysis.stats.arrays import NOT_COMPARED, WORDS, as_array, check_polarity, shaped_like
from helpers.core.errors import ParameterError

#: Oflog's verdict thresholds in MADs: broadly similar < 0.5 <= slightly < 1.5 <= plain < 3 <= much.
MAD_THRESHOLDS = (0.5, 1.5, 3.0)


def mad(values: Any, scaled: bool = True) -> float:
    """Median absolute deviation of ``values`` (missing values ignored).

    ``scipy.stats.median_abs_deviation``; ``scaled=True`` multiplies by 1/Phi^-1(3/4) = 1.4826 (so the
    MAD estimates the standard deviation of normal data), ``scaled=False`` is the raw MAD that Oflog uses.
    ``NaN`` if there are no values.
    """
    x = as_array(values).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan")
    return float(sps.median_abs_deviation(x, scale="normal" if scaled else 1.0))


def mads_from_median(value: Any, values: Any, scaled: bool = False, floor: float = 0.0) -> Any:
    """Signed distance of ``value`` from the median of ``values``, in MADs: ``(value - median) / MAD``.

    ``floor`` is a least MAD (in the measure's unit): the distance is ``(value - median) / max(MAD, floor)``.
    For a bounded measure where many councils sit at the ceiling the MAD collapses (ASCOF 1C(2B) 2022-23:
    median 99.8%, MAD 0.2 points) and a one-point gap would read "much worse"; the benchmarking reports set
    the floor from the measure's scale (:func:`mad_floor`).

    Reproduces Oflog's ``MADs_from_median`` with the default ``scaled=False`` (raw MAD) when ``values``
    are all councils with a value for that measure and year (the council itself included). The sign is
    the direction of the value (positive = above the median), not better/worse: see
    :func:`verdict_from_mads`. Where the MAD is 0 (half the councils share the median value) the distance
    is 0 for a value at the median and ``NaN`` otherwise.
    """
    ref = as_array(values).ravel()
    med = float(np.nanmedian(ref)) if np.isfinite(ref).any() else np.nan
    m = mad(ref, scaled=scaled)
    if floor < 0:
        raise ValueError(f"a MAD floor must not be negative, got {floor!r}")
    m = max(m, float(floor)) if np.isfinite(m) else m
    v = as_array(value)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(m > 0, (v - med) / m, np.where(v == med, 0.0, np.nan))
    return shaped_like(d, value)


#: Share of a bounded measure's scale that is the least MAD (1% of 0-100 = 1 percentage point).
MAD_FLOOR_SHARE = 0.01


def mad_floor(scale: str | None, decimals: int = 1) -> float:
    """The least MAD of a measure: 1% of its scale's range when it is bounded, else one published unit.

    Parameters
    ----------
    scale
        The measure's scale as the ASCOF registry writes it: ``"0-100"``, ``"0-24"``, ``"0-1"`` (bounded), or
        anything else (``"per 100,000 population aged 65+"``, ``None``: unbounded).
    decimals
        Decimals the measure is published to: the floor is never below one unit of the last one (0.1).

    Returns
    -------
    float
        ``max(0.01 * (hi - lo), 10 ** -decimals)`` for a bounded scale ``lo-hi``; ``10 ** -decimals`` otherwise.

    Examples
    --------
    >>> mad_floor("0-100")
    1.0
    >>> mad_floor("0-1", decimals=3)
    0.01
    >>> mad_floor("per 100,000 population aged 65+")
    0.1
    """
    unit = 10.0 ** -int(decimals)
    m = re.fullmatch(r"\s*(-?[0-9.]+)\s*-\s*(-?[0-9.]+)\s*", str(scale or ""))
    if not m:
        return unit
    lo, hi = float(m.group(1)), float(m.group(2))
    return max(MAD_FLOOR_SHARE * (hi - lo), unit)


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
    x = as_array(d)
    pol = check_polarity(polarity, x.shape)
    word = np.empty(x.shape, dtype=object)
    for p, (hi_w, lo_w) in WORDS.items():
        sel = pol == p
        word[sel] = np.where(x[sel] > 0, hi_w, lo_w)
    a = np.abs(x)
    out = np.select(
        [np.isnan(x), a < t[0], a < t[1], a < t[2]],
        [NOT_COMPARED, "broadly similar", np.char.add("slightly ", word.astype(str)), word.astype(str)],
        default=np.char.add("much ", word.astype(str)),
    )
    return shaped_like(out.astype(object), d)


def summarise_group(values: pd.Series, council: str, polarity: str = "none",
                    scaled: bool = False, floor: float = 0.0) -> dict[str, Any]:
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
    check_polarity(polarity, ())
    if not values.index.is_unique:
        raise ValueError("values must have one row per council (duplicate gss_code in the index)")
    if council not in values.index:
        raise ParameterError(f"council {council!r} is not in the group ({len(values)} councils)")
    s = pd.Series(as_array(values), index=values.index)
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
        "mad": mad(x, scaled=scaled), "mads_from_median": mads_from_median(value, x, scaled=scaled, floor=floor),
    }
