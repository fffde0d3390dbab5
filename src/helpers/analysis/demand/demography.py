"""Population projection by cohort ageing of single-year-of-age mid-year estimates.

**This is not an ONS projection.** There are no official subnational population projections in the national
data folder, so the demand models age the ONS mid-year estimates forward themselves:

* each single-year-of-age cohort moves up one year of age per year, multiplied by its *cohort change ratio*
  ``CCR(a) = P(a, t) / P(a - 1, t - 1)`` (the Hamilton-Perry method: Hamilton & Perry 1962; Swanson,
  Schlottmann & Schmidt 2010, *Population Research and Policy Review* 29: 47-63). A ratio captures deaths
  and net migration together;
* the ratio of each age is held at its average over the last ``ratio_years`` (default 3) observed years,
  computed as the ratio of sums ``sum_t P(a, t) / sum_t P(a - 1, t - 1)`` (a weighted mean, stable for small
  cells); a ratio whose denominator is zero is taken as 1;
* the oldest age in the data is an open-ended group (ONS MYE2 tables: ``90`` means 90 and over):
  ``P(90+, t) = CCR(90+) x (P(89, t - 1) + P(90+, t - 1))``;
* the youngest age in the data (age 0 = births, or the first age supplied) is held at its last observed
  value. Bands starting at 18 are untouched by this for 18 years ahead when the data start at age 0; a
  :class:`ProjectionWarning` says when a band would depend on it.

Functions take any extra columns of the input (``gss_code``, ``sex``, ...) as groups and project every group
at once (vectorised), so all councils are projected in one call.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError

#: Age bands returned by :func:`project_population`: name -> (first age, last age or None = open-ended).
DEFAULT_BANDS: dict[str, tuple[int, int | None]] = {
    "18+": (18, None), "18-64": (18, 64), "65+": (65, None), "85+": (85, None),
}
_REQUIRED = ("mid_year", "age", "population")
#: Group columns used when present (others, e.g. ``source_id``, are ignored).
DEFAULT_BY: tuple[str, ...] = ("gss_code", "sex")


class ProjectionWarning(UserWarning):
    """A projected band depends on the held-constant youngest age (births) rather than on aged cohorts."""


def _group_columns(sya: pd.DataFrame, by: Sequence[str] | None) -> list[str]:
    if by is None:
        return [c for c in DEFAULT_BY if c in sya.columns]
    missing = [c for c in by if c not in sya.columns]
    if missing:
        raise ParameterError(f"group column(s) {missing} are not in the population table")
    return list(by)


def _grid(sya: pd.DataFrame, by: Sequence[str] | None = None
          ) -> tuple[list[str], pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Validate ``sya`` and return (group columns, group keys, mid-years, ages, array[G, Y, A])."""
    if not isinstance(sya, pd.DataFrame):
        raise ParameterError(f"sya must be a DataFrame [mid_year, age, population], not {type(sya).__name__}")
    missing = [c for c in _REQUIRED if c not in sya.columns]
    if missing:
        raise DataError(f"single-year-of-age population lacks column(s) {missing}; columns are {list(sya.columns)}")
    if sya.empty:
        raise DataError("single-year-of-age population has no rows")
    groups = _group_columns(sya, by)
    df = sya[[*groups, *_REQUIRED]].copy()
    for c in ("mid_year", "age"):
        v = pd.to_numeric(df[c], errors="coerce")
        bad = (v.isna() | (v % 1 != 0) | (v < 0)).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"single-year-of-age population: {c} must be a whole number >= 0", column=c,
                            value=df[c].iloc[i])
        df[c] = v.astype(int)
    pop = pd.to_numeric(df["population"], errors="coerce")
    bad = ~np.isfinite(pop.to_numpy(dtype=float)) | (pop < 0).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"single-year-of-age population: population must be a number >= 0 (mid-year "
                        f"{df['mid_year'].iloc[i]}, age {df['age'].iloc[i]})", column="population",
                        value=df["population"].iloc[i])
    df["population"] = pop.astype(float)
    key = [*groups, "mid_year", "age"]
    dup = df.duplicated(key)
    if dup.any():
        r = df.loc[dup].iloc[0]
        raise DataError(f"single-year-of-age population has two rows for {dict(r[key])}")
    years = np.sort(df["mid_year"].unique())
    ages = np.sort(df["age"].unique())
    if len(ages) < 2 or (np.diff(ages) != 1).any():
        gaps = sorted(set(range(ages.min(), ages.max() + 1)) - set(ages.tolist()))
        raise DataError(f"single-year-of-age population: ages must run one by one from {ages.min()} to "
                        f"{ages.max()} (missing {gaps[:10]})")
    if groups:
        gkeys = df[groups].drop_duplicates().sort_values(groups).reset_index(drop=True)
    else:
        gkeys = pd.DataFrame(index=[0])
    grid = pd.DataFrame({"mid_year": years}).merge(pd.DataFrame({"age": ages}), how="cross")
    full = pd.MultiIndex.from_frame(gkeys.merge(grid, how="cross") if groups else grid)
    s = df.set_index(key)["population"].reindex(full)
    if s.isna().any():
        where = dict(zip(key, s.index[np.flatnonzero(s.isna().to_numpy())[0]], strict=True))
        raise DataError(f"single-year-of-age population is incomplete: no row for {where} (every group needs "
                        "every age in every mid-year)")
    arr = s.to_numpy().reshape(len(gkeys), len(years), len(ages))
    return groups, gkeys, years, ages, arr


def cohort_change_ratios(arr: np.ndarray, ratio_years: int) -> np.ndarray:
    """Cohort change ratios from the last ``ratio_years`` transitions of ``arr[G, Y, A]``.

    Returns
    -------
    numpy.ndarray
        ``[G, A]``: entry ``a`` (``a >= 1``) is the ratio that takes age ``a - 1`` in one year to age ``a``
        in the next; the last is the open-ended group's (``P(max) / (P(max - 1) + P(max))``). Entry 0 is 1
        (the youngest age is held constant). Ratio of sums over the transitions; 1 where the denominator is 0.
    """
    p = arr[:, -(ratio_years + 1):, :]
    num = p[:, 1:, 1:].sum(axis=1)
    den = p[:, :-1, :-1].sum(axis=1)
    den[:, -1] += p[:, :-1, -1].sum(axis=1)  # open-ended group keeps its own survivors
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den > 0, num / den, 1.0)
    return np.concatenate([np.ones((arr.shape[0], 1)), r], axis=1)


def age_forward(current: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """One year of cohort ageing: ``current[G, A]`` -> next year's ``[G, A]`` (see the module notes)."""
    nxt = np.empty_like(current)
    nxt[:, 0] = current[:, 0]
    nxt[:, 1:-1] = ratios[:, 1:-1] * current[:, :-2]
    nxt[:, -1] = ratios[:, -1] * (current[:, -2] + current[:, -1])
    return nxt


def project_population(
    sya: pd.DataFrame,
    years: int,
    *,
    ratio_years: int = 3,
    bands: Mapping[str, tuple[int, int | None]] | None = None,
    by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Age single-year-of-age mid-year estimates forward and return age-band totals by year.

    Not an ONS projection: see the module notes for the method (cohort change ratios held at their average
    over the last ``ratio_years`` observed years; oldest age open-ended; youngest age held constant).

    Parameters
    ----------
    sya
        Columns ``mid_year``, ``age``, ``population`` and group columns; every group needs every age in every
        mid-year. The oldest age is taken as open-ended (ONS: 90 = 90+). The ``population_sya`` table fits
        (its ``source_id`` and ``geography_vintage`` columns are ignored).
    years
        Years to project beyond the last mid-year (0 = band totals of the estimates only).
    ratio_years
        Observed year-to-year transitions averaged for the ratios (needs ``ratio_years + 1`` mid-years,
        the last ones consecutive).
    bands
        Band name -> (first age, last age or ``None`` for open-ended); default :data:`DEFAULT_BANDS`.

    Returns
    -------
    pandas.DataFrame
        Group columns, ``mid_year``, ``band``, ``population``, ``kind`` (``"estimate"`` for the input years,
        ``"projection"`` after), sorted.

    Raises
    ------
    DataError
        Missing columns, bad or duplicate rows, an incomplete grid, too few or non-consecutive mid-years.
    ParameterError
        Bad ``years``, ``ratio_years`` or band.
    """
    if not isinstance(years, (int, np.integer)) or years < 0:
        raise ParameterError(f"years must be a whole number >= 0, not {years!r}")
    if not isinstance(ratio_years, (int, np.integer)) or ratio_years < 1:
        raise ParameterError(f"ratio_years must be a whole number >= 1, not {ratio_years!r}")
    bands = dict(DEFAULT_BANDS if bands is None else bands)
    groups, gkeys, yrs, ages, arr = _grid(sya, by)
    a_min, a_max = int(ages[0]), int(ages[-1])
    mask = np.zeros((len(ages), len(bands)))
    for j, (name, (lo, hi)) in enumerate(bands.items()):
        if lo < a_min or lo > a_max or (hi is not None and (hi < lo or hi >= a_max)):
            raise ParameterError(f"band {name!r} ({lo} to {hi if hi is not None else 'open'}) is not covered by "
                                 f"ages {a_min} to {a_max}+ in the data")
        mask[(ages >= lo) & (ages <= (a_max if hi is None else hi)), j] = 1.0
    if years:
        if len(yrs) < ratio_years + 1:
            raise DataError(f"cohort ageing with ratio_years={ratio_years} needs {ratio_years + 1} mid-years; the "
                            f"data have {len(yrs)} ({', '.join(map(str, yrs))})")
        last = yrs[-(ratio_years + 1):]
        if (np.diff(last) != 1).any():
            raise DataError(f"cohort ageing needs consecutive mid-years; the last {ratio_years + 1} are "
                            f"{', '.join(map(str, last))}")
        young = min(lo for lo, _ in bands.values()) - a_min
        if years > young:
            warnings.warn(
                f"projecting {years} years from data starting at age {a_min}: after {young} years the youngest "
                "band depends on the youngest age held constant (births), not on aged cohorts",
                ProjectionWarning, stacklevel=2)
        ratios = cohort_change_ratios(arr, ratio_years)
        proj = [arr[:, -1, :]]
        for _ in range(years):
            proj.append(age_forward(proj[-1], ratios))
        arr = np.concatenate([arr, np.stack(proj[1:], axis=1)], axis=1)
    all_years = np.concatenate([yrs, yrs[-1] + np.arange(1, years + 1)])
    totals = arr @ mask  # [G, Y, B]
    G, Y, B = totals.shape
    out = pd.DataFrame({
        "mid_year": np.tile(np.repeat(all_years, B), G),
        "band": np.tile(list(bands), G * Y),
        "population": totals.reshape(-1),
        "kind": np.tile(np.repeat(np.where(all_years <= yrs[-1], "estimate", "projection"), B), G),
    })
    if groups:
        out = pd.concat([gkeys.loc[np.repeat(np.arange(G), Y * B)].reset_index(drop=True), out], axis=1)
    out = out.sort_values([*groups, "band", "mid_year"], kind="stable").reset_index(drop=True)
    out.attrs["method"] = (f"cohort ageing of single-year-of-age mid-year estimates, change ratios averaged over "
                           f"{ratio_years} years; not an ONS projection")
    return out


def band_series(projection: pd.DataFrame, band: str) -> pd.Series:
    """One band's population by mid-year from :func:`project_population` (summed over any groups)."""
    sel = projection[projection["band"] == band]
    if "sex" in sel.columns and sel["sex"].nunique() > 1 and "persons" in set(sel["sex"]):
        raise ParameterError("the projection has 'persons' and single-sex rows: filter to one or the other "
                             "before summing a band")
    if sel.empty:
        raise ParameterError(f"band {band!r} is not in the projection; bands are {sorted(projection['band'].unique())}")
    s = sel.groupby("mid_year")["population"].sum()
    s.index = s.index.astype(int)
    return s.rename(band)


def band_growth(projection: pd.DataFrame, band: str, year: int) -> float:
    """Growth of a band's population from ``year - 1`` to ``year`` as a fraction (``0.012`` = 1.2%).

    For :func:`helpers.analysis.demand.budget.budget_table`'s ``demography_growth``. Sums over any group columns, so filter
    the projection to one council first.
    """
    s = band_series(projection, band)
    if year not in s.index or year - 1 not in s.index:
        raise DataError(f"the projection of {band!r} has no mid-year {year} and {year - 1} "
                        f"(it covers {s.index.min()} to {s.index.max()})")
    return float(s[year] / s[year - 1] - 1)


def population_driver(
    sya: pd.DataFrame, band: str, *, ratio_years: int = 3, bands: Mapping[str, tuple[int, int | None]] | None = None,
    by: Sequence[str] | None = None,
) -> Callable[[int, int], pd.Series]:
    """A driver function for :func:`helpers.analysis.demand.drivers.driver_model` that uses only data up to the origin.

    Parameters
    ----------
    sya
        One council's single-year-of-age estimates (groups such as ``sex`` are projected separately and summed;
        use either ``persons`` or ``male`` + ``female`` rows).
    band
        The driving band, e.g. ``"65+"``.
    ratio_years
        As in :func:`project_population`; fewer are used when fewer transitions precede the origin.
    bands
        Band definitions (default :data:`DEFAULT_BANDS`).
    by
        Group columns, as in :func:`project_population`.

    Returns
    -------
    callable
        ``driver(origin, horizon)`` -> the band's population by mid-year: estimates up to ``origin`` (or the
        last mid-year available, if earlier) and the cohort-ageing projection to ``origin + horizon`` made
        from them. Results are cached.
    """
    groups, gkeys, *_ = _grid(sya, by)  # validate once, early
    if "gss_code" in groups and gkeys["gss_code"].nunique() > 1:
        raise ParameterError(f"population_driver needs one council's population; got "
                             f"{gkeys['gss_code'].nunique()} gss_codes")
    years_avail = np.sort(pd.to_numeric(sya["mid_year"]).astype(int).unique())
    cache: dict[tuple[int, int], pd.Series] = {}

    def driver(origin: int, horizon: int) -> pd.Series:
        key = (int(origin), int(horizon))
        if key not in cache:
            have = years_avail[years_avail <= origin]
            if have.size == 0:
                raise DataError(f"no population estimate up to mid-year {origin} (estimates start "
                                f"{years_avail[0]})")
            base = int(have[-1])
            k = min(ratio_years, have.size - 1)
            ahead = origin + horizon - base
            if ahead > 0 and k < 1:
                raise DataError(f"cannot project the {band} population from mid-year {base}: at least two "
                                "mid-years are needed")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ProjectionWarning)
                proj = project_population(sya[pd.to_numeric(sya["mid_year"]) <= base], max(ahead, 0),
                                          ratio_years=max(k, 1), bands=bands, by=by)
            cache[key] = band_series(proj, band)
        return cache[key]

    return driver


__all__ = ["DEFAULT_BANDS", "DEFAULT_BY", "ProjectionWarning", "age_forward", "band_growth", "band_series",
           "cohort_change_ratios", "population_driver", "project_population"]
