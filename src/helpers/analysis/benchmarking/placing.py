"""Where a council sits among its comparators and among all councils, for one measure.

:func:`position` is the one group rule of both benchmarking reports (``docs/methods.md``, *Benchmarking*):
comparators never include the council; median, quartiles and MAD over the comparators with a value, with
their count and the names of those without one; all councils as Oflog (the council included).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.analysis.benchmarking.groups import MIN_GROUP
from helpers.data import councils


def position(values: pd.Series, council: str, group: tuple[str, ...] | list[str], polarity: str = "none",
             scaled: bool = False, min_group: int = MIN_GROUP, mad_floor: float = 0.0) -> dict[str, Any]:
    """The council against its comparator group and against all councils, for one measure.

    One rule for every group statistic (``docs/methods.md``, *Benchmarking*): the comparators never include
    the council (as LG Inform and Fingertips compare a council with its group); the median, quartiles and MAD
    are over the comparators **with a value**, and the count (``group_n`` of ``group_size``) and the names of
    those without one (``group_missing``) go with them. The rank is the council's place among itself and the
    comparators with a value (``rank_of`` = ``group_n`` + 1). "All councils" is Oflog's method: the median of
    every council with a value, the council included (``england_n`` of ``england_of``).

    Parameters
    ----------
    values
        One value per council (indexed by ``gss_code``, every council of the year, ``NaN`` = no value).
    council
        The council's code in ``values``.
    group
        Its comparator councils.
    polarity
        ``higher``, ``lower`` or ``none`` (spend): orients the rank and the verdict words.
    scaled
        Scaled (x1.4826) or raw MADs.
    min_group
        Fewest comparators with a value for the group statistics.
    mad_floor
        The least MAD (:func:`helpers.analysis.stats.mad_floor`; 0 = none), for both distances.

    Returns
    -------
    dict
        ``value``; ``group_size``, ``group_n`` (comparators with a value), ``group_missing`` (their codes),
        ``group_median``, ``group_q1``, ``group_q3``, ``group_mad`` (after the floor), ``rank`` and ``rank_of``,
        ``group_mads``, ``group_verdict``; ``england_n``, ``england_of``, ``england_median``, ``england_mad``,
        ``england_mads``, ``england_verdict`` (all councils, Oflog's method); ``mad_floor``; ``outlier``
        (``True`` if 3 MADs or more from the all-council median); ``reason`` (why something is not compared).
    """
    out: dict[str, Any] = {"value": np.nan, "group_size": len(group), "group_n": 0, "group_missing": (),
                           "group_median": np.nan, "group_q1": np.nan, "group_q3": np.nan, "group_mad": np.nan,
                           "rank": np.nan, "rank_of": 0, "group_mads": np.nan, "group_verdict": stats.NOT_COMPARED,
                           "england_n": 0, "england_of": 0, "england_median": np.nan, "england_mad": np.nan,
                           "england_mads": np.nan, "england_verdict": stats.NOT_COMPARED, "mad_floor": mad_floor,
                           "outlier": False, "reason": ""}
    if not values.index.is_unique:
        values = values[~values.index.duplicated()]
    if council not in values.index:
        values = pd.concat([values, pd.Series([np.nan], index=[council])])
    value = float(values.loc[council])
    out["value"] = value
    members = [g for g in group if g != council]
    gall = values.reindex(members)
    gvals = gall.dropna()
    out["group_n"] = int(len(gvals))
    out["group_missing"] = tuple(sorted(gall.index[gall.isna()]))
    every = values.to_numpy(dtype=float)
    out["england_of"] = int(every.size)
    every = every[~np.isnan(every)]
    out.update(england_n=int(every.size), england_median=float(np.median(every)) if every.size else np.nan)
    if every.size:
        out["england_mad"] = max(stats.mad(every, scaled=scaled), mad_floor)
    reasons = []
    if np.isnan(value):
        reasons.append("no value for the council")
    else:
        d = float(stats.mads_from_median(value, every, scaled=scaled, floor=mad_floor))
        out["england_mads"] = d
        out["england_verdict"] = stats.verdict_from_mads(d, polarity)
        out["outlier"] = bool(abs(d) >= stats.MAD_THRESHOLDS[2])
    if len(gvals) < min_group:
        reasons.append(f"only {len(gvals)} comparator council(s) have a value (at least {min_group} needed)")
    else:
        q1, med, q3 = (float(gvals.quantile(q)) for q in (0.25, 0.5, 0.75))
        out.update(group_median=med, group_q1=q1, group_q3=q3, rank_of=int(len(gvals)) + 1,
                   group_mad=max(stats.mad(gvals, scaled=scaled), mad_floor))
        if not np.isnan(value):
            d = float(stats.mads_from_median(value, gvals, scaled=scaled, floor=mad_floor))
            ranks = pd.concat([gvals, pd.Series([value], index=[council])]).rank(
                ascending=polarity == "lower", method="min")
            out.update(rank=float(ranks.loc[council]), group_mads=d,
                       group_verdict=stats.verdict_from_mads(d, polarity))
    out["reason"] = "; ".join(reasons)
    return out


def missing_names(codes: tuple[str, ...] | list[str]) -> str:
    """The names of councils (codes of the reference table), sorted, joined: ``"Calderdale, North Somerset"``."""
    if not codes:
        return ""
    return ", ".join(sorted(councils.name_of(c) for c in codes))


def group_count_text(n: int, size: int, missing: tuple[str, ...] | list[str]) -> str:
    """``"median of 13 of 15 comparators (no value: Calderdale, North Somerset)"``; ``""`` when none were compared."""
    if not size:
        return ""
    text = f"median of {n} of {size} comparators"
    if missing:
        text += f" (no value: {missing_names(missing)})"
    return text
