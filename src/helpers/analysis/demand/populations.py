"""The driving populations of every council at once, as known at a forecast origin (for the pooled models).

:class:`PopulationPaths` holds the persons single-year-of-age estimates of a set of councils (the panel's) and
gives, for an origin year, each council's band population from a mid-year to a few years after it: ONS
estimates up to the mid-year the information stops at, then cohort ageing of those estimates
(:func:`helpers.analysis.demand.demography.project_population`; **not an ONS projection**). In the rolling-origin
evaluation the information stops at the origin (ex-ante: a financial year ``YYYY-YY`` is matched to mid-year
``YYYY``, whose estimate is published before that year's activity figures); the final forecast uses every
published estimate. Current councils use ``population_latest_boundaries`` (April 2023 boundaries), councils that
no longer exist their own ``population_sya`` rows. The one-council view for the report is
:func:`helpers.analysis.demand.drivers.driver_for`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.analysis.demand.demography import DEFAULT_BANDS, ProjectionWarning, project_population
from helpers.data import tables

#: Cohort change ratios are averaged over at most this many year-to-year transitions (as in ``demography``).
RATIO_YEARS = 3


def _persons(codes: Sequence[str]) -> pd.DataFrame:
    cols = ["gss_code", "mid_year", "sex", "age", "population"]
    latest = tables.cached("population_latest_boundaries", cols)
    sel = latest[latest["gss_code"].isin(codes) & (latest["sex"] == "persons")]
    missing = sorted(set(codes) - set(sel["gss_code"]))
    if missing:
        sya = tables.cached("population_sya", cols)
        sel = pd.concat([sel, sya[sya["gss_code"].isin(missing) & (sya["sex"] == "persons")]], ignore_index=True)
    out = sel[["gss_code", "mid_year", "age", "population"]].copy()
    out["mid_year"] = out["mid_year"].astype(int)
    return out


class PopulationPaths:
    """Band populations of a fixed list of councils, as known at an origin (see the module notes).

    Parameters
    ----------
    codes
        Council codes, in the order of the rows of the arrays returned.
    sya
        Persons by ``gss_code``, ``mid_year``, ``age``, ``population``; default: read from the population tables.
    """

    def __init__(self, codes: Sequence[str], sya: pd.DataFrame | None = None) -> None:
        self.codes = list(codes)
        self.sya = _persons(self.codes) if sya is None else sya
        years = self.sya.groupby("gss_code")["mid_year"].agg(["min", "max"])
        self.first = years["min"].reindex(self.codes).to_numpy(dtype=float)
        self.last = years["max"].reindex(self.codes).to_numpy(dtype=float)
        self._cache: dict[tuple[int, int, str], object] = {}

    @property
    def latest(self) -> int:
        """The latest mid-year with an estimate for any council."""
        return int(np.nanmax(self.last)) if np.isfinite(self.last).any() else 0

    def paths(self, start: int, known_until: int, horizon: int, band: str) -> np.ndarray:
        """Each council's ``band`` population at mid-years ``start .. start + horizon`` (``[N, horizon + 1]``).

        Estimates up to mid-year ``known_until`` only (a council whose estimates end earlier uses its own last
        ones), aged forward beyond them; NaN for a council with no estimate at ``start`` or too few mid-years
        before it to age them (two are needed).
        """
        key = (int(start), int(known_until), f"{band}:{horizon}")
        if key not in self._cache:
            self._cache[key] = self._paths(int(start), int(known_until), int(horizon), band)
        return self._cache[key]

    def _paths(self, start: int, known_until: int, horizon: int, band: str) -> np.ndarray:
        out = np.full((len(self.codes), horizon + 1), np.nan)
        sya = self.sya[self.sya["mid_year"] <= known_until]
        if sya.empty:
            return out
        span = sya.groupby("gss_code")["mid_year"].agg(["min", "max", "nunique"])
        row = {c: i for i, c in enumerate(self.codes)}
        # councils with the same run of mid-years are projected together (one grid each)
        for (lo, hi, n), grp in span.groupby(["min", "max", "nunique"]):
            if start < lo or n != hi - lo + 1:
                continue
            ahead = max(0, start + horizon - int(hi))
            if ahead and n < 2:
                continue
            part = sya[sya["gss_code"].isin(grp.index)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ProjectionWarning)
                proj = project_population(part, ahead, ratio_years=min(RATIO_YEARS, max(int(n) - 1, 1)),
                                          by=["gss_code"])
            proj = proj[proj["band"] == band]
            wide = proj.pivot(index="gss_code", columns="mid_year", values="population")
            wide = wide.reindex(columns=range(start, start + horizon + 1))
            for code, vals in zip(wide.index, wide.to_numpy(dtype=float), strict=True):
                out[row[code]] = vals
        return out

    def mid_years(self) -> np.ndarray:
        """The mid-years with an estimate for any of the councils, sorted."""
        return np.sort(self.sya["mid_year"].unique())

    def estimates(self, band: str) -> pd.DataFrame:
        """Each council's ``band`` estimates: rows in the order of ``codes``, columns mid-years (NaN: none)."""
        key = (0, 0, f"estimates:{band}")
        if key not in self._cache:
            lo, hi = DEFAULT_BANDS[band]
            age = self.sya["age"]
            sel = self.sya[(age >= lo) & ((age <= hi) if hi is not None else True)]
            wide = sel.pivot_table(index="gss_code", columns="mid_year", values="population", aggfunc="sum")
            self._cache[key] = wide.reindex(self.codes)
        return self._cache[key]


__all__ = ["RATIO_YEARS", "PopulationPaths"]
