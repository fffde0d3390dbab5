"""Every council's modelled series of one catalogue series as one array, with the years growth is learnt from.

:func:`panel_for` runs :func:`helpers.analysis.demand.series.series_for` for every council with figures of the
series (current codes; councils that no longer exist keep their own series) and lays the modelled values out
as a councils x years array (NaN outside each council's modelled run). The pooled forecasting models
(:mod:`helpers.analysis.demand.candidates`) and the rolling-origin evaluation
(:mod:`helpers.analysis.demand.rolling`) work on it.

Two year masks say how the forecasting treats the breaks (``docs/methods.md``, "Demand forecasting"):

* ``growth_ok[t]``: the change from year ``t - 1`` to ``t`` is an ordinary one, used to estimate growth. Not
  the first year, not the first year of a joined collection (the change of collection is an intervention) and
  not the COVID changes (into 2020-21 and into 2021-22).
* ``cross_ok[t]``: a forecast may run through year ``t`` and still be scored. Not the first year of a joined
  collection (the outcome is on another basis than the history) and not the COVID year (no forecast made
  before it could know of it). A forecast from origin ``o`` of ``o + h`` is scored when every year in
  ``o + 1 .. o + h`` passes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.analysis.demand.catalogue import COVID_CHANGE_YEARS, COVID_YEAR, SERIES, check_series_key
from helpers.analysis.demand.frames import councils_with
from helpers.analysis.demand.populations import PopulationPaths
from helpers.analysis.demand.series import LevelRatio, same_area_codes, series_for
from helpers.core import periods
from helpers.core.errors import DataError
from helpers.core.paths import processed_path
from helpers.data import councils


@dataclass
class Panel:
    """Every council's modelled values of one series (see the module notes).

    Attributes
    ----------
    series
        The catalogue key.
    codes, names, council_types
        One entry per council (row), sorted by code; ``council_types`` as in the council table
        (``london_borough``, ``metropolitan_district``, ``unitary``, ``county``).
    years
        Start years of the columns (consecutive).
    values
        ``[councils, years]``: the modelled values (positive), NaN outside a council's modelled run.
    growth_ok, cross_ok
        The year masks of the module notes.
    join
        The change of collection the series runs through, or ``None``.
    left_out
        Councils with figures of the series but no usable modelled value, and why.
    paths
        The councils' driving populations (read on first use, see :attr:`population`).
    regions
        One entry per council: its region code (``region_code`` of the council table), or ``None`` (every
        council in one group).
    """

    series: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    council_types: np.ndarray
    years: np.ndarray
    values: np.ndarray
    growth_ok: np.ndarray
    cross_ok: np.ndarray
    join: LevelRatio | None = None
    left_out: dict[str, str] = field(default_factory=dict)
    paths: PopulationPaths | None = field(default=None, repr=False)
    regions: np.ndarray | None = None

    @property
    def band(self) -> str | None:
        """The driving population band of the series (``"65+"``, ``"18-64"``) or ``None``."""
        return SERIES[self.series].driver_band

    @property
    def logs(self) -> np.ndarray:
        """``log(values)``."""
        return np.log(self.values)

    def row(self, code: str) -> int:
        """The row of a council (its current code)."""
        return self.codes.index(code)

    def label(self, t: int) -> str:
        """The financial year of column ``t``."""
        return periods.fy(int(self.years[t]))

    def scorable(self, origin: int, horizon: int) -> bool:
        """True when a forecast from column ``origin`` of ``origin + horizon`` is scored (module notes)."""
        stop = origin + horizon
        return stop < len(self.years) and bool(self.cross_ok[origin + 1:stop + 1].all())

    @property
    def population(self) -> PopulationPaths | None:
        """The councils' driving populations (read once), or ``None`` when the series has no driving band."""
        if self.band is None:
            return None
        if self.paths is None:
            self.paths = PopulationPaths(self.codes)
        return self.paths


def year_masks(years: np.ndarray, join_year: str | None) -> tuple[np.ndarray, np.ndarray]:
    """``growth_ok`` and ``cross_ok`` for consecutive start ``years`` (see the module notes)."""
    labels = [periods.fy(int(y)) for y in years]
    growth = np.array([i > 0 and y != join_year and y not in COVID_CHANGE_YEARS for i, y in enumerate(labels)])
    cross = np.array([y != join_year and y != COVID_YEAR for y in labels])
    return growth, cross


def table_stamps() -> tuple[int, ...]:
    """Modification times of the processed tables the panels read (the key of the caches made from them)."""
    names = ("activity", "ascof", "spend", "population", "population_latest_boundaries", "population_sya",
             "council_key_activity", "councils")
    return tuple(processed_path(n).stat().st_mtime_ns if processed_path(n).is_file() else 0 for n in names)


def panel_councils(series: str) -> list[str]:
    """Every council with figures of ``series``, by current code (same-area recodes joined), sorted."""
    return sorted({same_area_codes(c)[0] for c in councils_with(series)})


def panel_for(series: str) -> Panel:
    """The panel of a catalogue series (cached per process; rebuilt when a table it reads changes).

    Raises
    ------
    ParameterError
        Unknown series.
    MissingDataError
        A processed table is not built.
    """
    return _panel_cached(check_series_key(series), table_stamps())


@lru_cache(maxsize=12)
def _panel_cached(series: str, stamps: tuple[int, ...]) -> Panel:
    runs: dict[str, pd.Series] = {}
    names: dict[str, str] = {}
    left: dict[str, str] = {}
    join = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for code in panel_councils(series):
            try:
                values, meta = series_for(code, series)
            except DataError as exc:
                left[code] = str(exc)
                continue
            runs[meta.council] = values
            names[meta.council] = meta.council_name
            join = join or meta.join
    codes = tuple(sorted(runs))
    if not codes:
        years = np.array([], dtype=int)
        vals = np.empty((0, 0))
    else:
        starts = [periods.fy_start(y) for v in runs.values() for y in (v.index[0], v.index[-1])]
        years = np.arange(min(starts), max(starts) + 1)
        vals = np.full((len(codes), len(years)), np.nan)
        for i, c in enumerate(codes):
            v = runs[c]
            cols = np.array([periods.fy_start(y) for y in v.index]) - years[0]
            vals[i, cols] = v.to_numpy(dtype=float)
    types = np.array([str(councils.get(c)["council_type"]) for c in codes], dtype=object)
    regions = np.array([str(councils.get(c)["region_code"]) for c in codes], dtype=object)
    growth, cross = year_masks(years, join.year if join else None)
    return Panel(series, codes, tuple(names[c] for c in codes), types, years, vals, growth, cross, join, left,
                 regions=regions)


__all__ = ["Panel", "panel_councils", "panel_for", "table_stamps", "year_masks"]
