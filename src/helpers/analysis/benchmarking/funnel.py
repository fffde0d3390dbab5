"""Funnel plots of ASCOF measures with counts: every council's value against its denominator, with limits.

A funnel needs a count and a denominator per council: the 2020-21 open data publish both for the SALT
proportions and the admission rates, and for the rates per 100,000 (2A(1), 2A(2)) a count is derived in every
year from the rate and the ONS population (:mod:`helpers.analysis.benchmarking.outcomes`; approximate). The
funnel is centred on England's published value with Spiegelhalter's (2005) exact limits at 95% and 99.8%, and
limits widened for overdispersion (:func:`helpers.analysis.stats.overdispersion`; ``docs/methods.md``,
*Funnel plots*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.analysis.benchmarking import identity
from helpers.analysis.benchmarking.groups import Benchmark, series_code
from helpers.analysis.benchmarking.outcomes import SHORT_NAMES, ascof_values

#: Fewest councils with a count and denominator for a funnel to be drawn.
MIN_UNITS = 30
#: The overdispersion adjustment drawn by default (FunnelPlotR's default too).
DEFAULT_OVERDISPERSION = "additive"


@dataclass(frozen=True)
class Funnel:
    """One measure's funnel: the councils, the limits, the dispersion and where the council falls.

    Attributes
    ----------
    measure_code, measure, unit, polarity, year
        The measure and the year.
    points
        ``gss_code``, ``value`` (as published), ``denominator``, ``count``, ``count_basis``, ``role``
        (``council``, ``comparator``, ``other``).
    limits
        :func:`helpers.analysis.stats.funnel_limits` on a grid of denominators: exact limits (``lower_95`` ...)
        and the overdispersed ones (``od_lower_95`` ...).
    target
        England's published value.
    phi, tau2
        :func:`helpers.analysis.stats.overdispersion`.
    overdispersion
        ``multiplicative`` or ``additive``.
    council_exact, council_od
        Where the council falls (``within 95%``, ``above 99.8%`` ... of :func:`helpers.analysis.stats.flag_outliers`).
    derived
        ``True`` when the counts are derived from rates (approximate).
    """

    measure_code: str
    measure: str
    unit: str
    polarity: str
    year: str
    points: pd.DataFrame
    limits: pd.DataFrame
    target: float
    phi: float
    tau2: float
    overdispersion: str
    council_exact: str
    council_od: str
    derived: bool


def funnel_measures(b: Benchmark, measures: list[str] | None = None) -> list[str]:
    """The chosen measures that have a count and denominator for at least :data:`MIN_UNITS` councils in the year."""
    v = ascof_values()
    yr = v[(v["year"] == b.year) & (v["level"] == "council") & v["count"].notna() & v["count_denominator"].notna()
           & (v["ci_method"].isin(["wilson", "byar"]))]
    if measures:  # by stable id: 2A(2) or 2C chosen, the year's own code drawn
        yr = yr[yr["measure_id"].isin(identity.ids_of(measures))]
    n = yr.groupby("measure_code", sort=False).size()
    order = list(dict.fromkeys(v["measure_code"]))
    return [c for c in order if n.get(c, 0) >= MIN_UNITS]


def funnel(b: Benchmark, code: str, overdispersion: str = DEFAULT_OVERDISPERSION) -> Funnel | None:
    """The funnel of one measure in the report's year, or ``None`` when it cannot be drawn (no England value,
    too few councils with counts)."""
    if overdispersion not in stats.OVERDISPERSION:
        raise ValueError(f"overdispersion must be one of {stats.OVERDISPERSION}, got {overdispersion!r}")
    v = ascof_values()
    part = v[(v["year"] == b.year) & (v["measure_code"] == code)]
    eng = part.loc[part["level"] == "england", "value"].dropna()
    cl = part[(part["level"] == "council") & part["count"].notna() & part["count_denominator"].notna()
              & (part["count_denominator"] > 0)]
    if eng.empty or len(cl) < MIN_UNITS:
        return None
    method = cl["ci_method"].iloc[0]
    kind = "rate" if method == "byar" else "proportion"
    per = float(cl["multiplier"].iloc[0])
    target = float(eng.iloc[0])
    od = stats.overdispersion(cl["count"], cl["count_denominator"], target, kind=kind, per=per)
    grid = np.unique(np.geomspace(max(cl["count_denominator"].min() * 0.8, 1), cl["count_denominator"].max() * 1.1,
                                  200).round())
    exact = stats.funnel_limits(grid, target, kind=kind, per=per, method="exact")
    widened = stats.funnel_limits(grid, target, kind=kind, per=per, overdispersion=overdispersion,
                                  phi=od["phi"], tau2=od["tau2"])
    limits = exact.join(widened.drop(columns=["denominator", "target"]).add_prefix("od_"))
    group_series = set(series_code(pd.Series(list(b.group), dtype=object)))
    pts = cl[["gss_code", "value", "count", "count_basis"]].assign(denominator=cl["count_denominator"].to_numpy())
    pts["role"] = np.where(pts["gss_code"] == b.data_code, "council",
                           np.where(series_code(pts["gss_code"]).isin(group_series), "comparator", "other"))
    mine = pts[pts["role"] == "council"]

    def where(**kw: object) -> str:
        if mine.empty:
            return stats.NOT_COMPARED
        return str(stats.flag_outliers(mine["value"].to_numpy(), mine["denominator"].to_numpy(), target, kind=kind,
                                       per=per, method="exact", **kw)[0])

    return Funnel(
        measure_code=code, measure=SHORT_NAMES.get(code, code), unit=str(cl["unit"].iloc[0]),
        polarity=str(cl["polarity"].iloc[0]), year=b.year, points=pts.sort_values("gss_code").reset_index(drop=True),
        limits=limits, target=target, phi=od["phi"], tau2=od["tau2"], overdispersion=overdispersion,
        council_exact=where(), council_od=where(overdispersion=overdispersion, phi=od["phi"], tau2=od["tau2"]),
        derived=bool((cl["count_basis"] == "derived").any()))
