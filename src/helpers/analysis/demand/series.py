"""One council's demand series, cut at its breaks (:func:`series_for`), and the level ratio of a joined series.

Every council's values come from :func:`helpers.analysis.demand.frames.series_frame`. The catalogue (what each series counts) is :mod:`helpers.analysis.demand.catalogue`; the series are modelled
by :mod:`helpers.analysis.demand.models` and :mod:`helpers.analysis.demand.drivers`. Definitions, units and
breaks are written up in ``docs/methods.md`` ("Demand series").

Breaks
------
A series is cut, and the cut stated, wherever its basis changes: a change of collection (ASC-FR -> RO3), a
boundary change (a council created from others starts a new series; predecessors are never added in), a gap
or a value that is missing, suppressed, zero or negative (only the years after it are modelled). Same-area
recodes (Northumberland, Gateshead, Buckinghamshire, North Yorkshire, Somerset) are joined, saying so.

Where the catalogue joins two collections (``SeriesSpec.join``: older people's residential care, PSS-EX1
2000-01..2013-14 and ASC-FR from 2014-15) the earlier figures are put on the later basis by the level ratio
estimated across councils (:func:`level_ratio`) and the series runs through the change; the change into the
join year is an intervention the forecasting never learns growth from (``helpers.analysis.demand.panel``).
The COVID year 2020-21 is declared as a break: forecasts of it are not scored, nor forecasts made before it
of later years, and the changes into 2020-21 and 2021-22 are not used to estimate growth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.analysis.demand.catalogue import (
    COVID_CHANGE_YEARS,
    COVID_YEAR,
    SERIES,
    SeriesSpec,
    check_series_key,
)
from helpers.analysis.demand.frames import councils_with, series_frame
from helpers.core import periods
from helpers.core.errors import DataError
from helpers.data import councils


@dataclass(frozen=True)
class LevelRatio:
    """The change of collection of a joined series, estimated across councils (:func:`level_ratio`).

    Attributes
    ----------
    earlier, later
        The collections (``"PSS-EX1"``, ``"ASC-FR"``).
    year
        First year of the later collection (``"2014-15"``).
    ratio
        Later basis / earlier basis: the earlier figures are multiplied by it.
    councils
        Councils the ratio is estimated from.
    step, typical
        Median across those councils of the change into ``year`` and of the typical yearly change around it
        (ratios, ``0.96`` = 4% down).
    """

    earlier: str
    later: str
    year: str
    ratio: float
    councils: int
    step: float
    typical: float


def level_ratio(series: str) -> LevelRatio | None:
    """The level ratio of a joined series (``SeriesSpec.join``), or ``None`` where the series joins nothing.

    For every council with positive figures in the last two years of the earlier collection and the first two of
    the later one (years ``-2, -1, 0, 1``, the join in year 0), the change of collection is the log change into
    year 0 less the council's typical yearly change around it, the mean of the changes into years -1 and 1:
    ``e = (log y0 - log y-1) - ((log y-1 - log y-2) + (log y1 - log y0)) / 2``. The ratio is ``exp(median e)``
    (robust to the councils whose count changed most). Figures under old codes count as their own councils.

    Raises
    ------
    DataError
        Fewer than 10 councils have the four years.
    """
    spec = SERIES[check_series_key(series)]
    if spec.join is None:
        return None
    df = series_frame(spec.key)
    earlier, later = spec.join
    first_later = df.loc[(df["collection"] == later) & df["value"].notna(), "year"].min()
    y0 = periods.fy_start(first_later)
    want = [periods.fy(y0 + k) for k in (-2, -1, 0, 1)]
    colls = [earlier, earlier, later, later]
    sel = df[df["year"].isin(want) & (df["value"] > 0)]
    sel = sel[sel["collection"] == sel["year"].map(dict(zip(want, colls, strict=True)))]
    wide = np.log(sel.pivot(index="gss_code", columns="year", values="value").reindex(columns=want)).dropna()
    if len(wide) < 10:
        raise DataError(f"{spec.key}: only {len(wide)} councils have {', '.join(want)}: too few to estimate the "
                        f"change of collection from {earlier} to {later}")
    v = wide.to_numpy()
    step = v[:, 2] - v[:, 1]
    typical = ((v[:, 1] - v[:, 0]) + (v[:, 3] - v[:, 2])) / 2
    return LevelRatio(earlier, later, first_later, float(np.exp(np.median(step - typical))), len(wide),
                      float(np.exp(np.median(step))), float(np.exp(np.median(typical))))


# ------------------------------------------------------------------------------------------------------
# One council's series
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesMeta:
    """What :func:`series_for` found, for the report.

    Attributes
    ----------
    spec
        The catalogue entry.
    council, council_name
        The council's code (as asked for, after same-area recodes: its current code) and name.
    codes
        Every code whose figures are in the series (the council's and its same-area older codes).
    history
        Every year found for the council: ``year``, ``gss_code``, ``value``, ``status``, ``collection``,
        ``source_id``, ``basis`` and ``used`` (True for the years modelled).
    years
        The years modelled (consecutive, positive values, one collection, one area).
    breaks
        Plain-English statements of every break, cut and join, for the report.
    break_year
        The COVID year when it falls inside the modelled years after the first, else ``None``.
    join
        The change of collection the series runs through (:func:`level_ratio`), or ``None``. The modelled
        values of the earlier collection are its figures x ``join.ratio`` (``history["modelled"]``).
    """

    spec: SeriesSpec
    council: str
    council_name: str
    codes: tuple[str, ...]
    history: pd.DataFrame
    years: tuple[str, ...]
    breaks: tuple[str, ...] = field(default=())
    break_year: str | None = None
    join: LevelRatio | None = None

    @property
    def first_year(self) -> str:
        """First modelled year."""
        return self.years[0]

    @property
    def last_year(self) -> str:
        """Last modelled year (the forecast origin)."""
        return self.years[-1]

    @property
    def break_marks(self) -> tuple[str, ...]:
        """Years to mark on a chart: the first modelled year when earlier figures are not joined, and COVID."""
        marks = []
        if (self.history["year"] < self.first_year).any():
            marks.append(self.first_year)
        if self.join is not None and self.first_year < self.join.year:
            marks.append(self.join.year)
        if self.break_year:
            marks.append(self.break_year)
        return tuple(marks)


def same_area_codes(council: str) -> tuple[str, str, tuple[str, ...], list[str]]:
    """The council's current code, name, every code of the same area, and notes on the joins.

    An old code of a council recoded without a boundary change (``E10000023`` North Yorkshire county ->
    ``E06000065``) is followed to the current code; the series then joins all of the area's codes.
    """
    code = councils.validate_code(council)
    current = councils.current_code(code)
    row = councils.get(current)
    older = [c for c in str(row["previous_gss_codes"] or "").split(";") if c]
    notes = []
    if current != code:
        notes.append(f"{code} is an older code of {row['name']}; the series is shown under its current code "
                     f"{current} (same area).")
    if older:
        notes.append(f"{row['name']} was {', '.join(older)} before {current} (same area): the figures under "
                     "both codes are joined.")
    return current, str(row["name"]), (current, *older), notes


def _boundary_notes(code: str, years: list[str]) -> list[str]:
    """State the boundary changes that start or end this council's series (never joined across)."""
    notes = []
    row = councils.get(code)
    for b in councils.series_breaks(code):
        if b["kind"] == "recoded" or b["year"] is None:
            continue
        if row["last_year"] is not None and b["year"] > row["last_year"]:  # the council's end
            notes.append(f"Boundary change in {b['year']}: {b['description']}. Its series ends in {years[-1]}; a "
                         "forecast beyond its last year describes an area that no longer has its own council, and "
                         "its successors' figures are not joined to it.")
        elif b["year"] == years[0]:
            notes.append(f"Boundary change: {b['description']} in {b['year']}. Its series starts then; the figures "
                         "of the councils it was formed from cover a different area and are not joined to it.")
        else:
            notes.append(f"Boundary change in {b['year']}: {b['description']}. Only this council's own figures "
                         f"are used (from {years[0]}); figures of the areas it was formed from are not joined.")
    return notes


def series_for(council: str, series: str) -> tuple[pd.Series, SeriesMeta]:
    """One council's demand series, cut at its breaks, with what was cut and why.

    Parameters
    ----------
    council
        A council code or name (an older code of the same area is followed to the current code).
    series
        A key of :data:`SERIES`.

    Returns
    -------
    (pandas.Series, SeriesMeta)
        The modelled values (positive floats) indexed by financial year ``YYYY-YY``, named after the series;
        and the metadata: every year found (``history``), the years used, the breaks stated in words, and the
        COVID break year. The series can be as short as one point: the forecast is then naive with no
        evidence of its accuracy (:func:`helpers.analysis.demand.forecast.analyse` says so).

    Raises
    ------
    ParameterError
        Unknown council or series.
    DataError
        The council has no value of the series at all, or none that is positive (says which years exist and
        what they hold).
    MissingDataError
        The processed table is not built.
    """
    spec = SERIES[check_series_key(series)]
    current, name, codes, notes = same_area_codes(council)
    df = series_frame(spec.key)
    hist = df[df["gss_code"].isin(codes)].drop(columns="series").sort_values("year", kind="mergesort")
    if hist["year"].duplicated().any():
        y = hist.loc[hist["year"].duplicated(), "year"].iloc[0]
        raise DataError(f"{spec.key}: {name} has values under two of its codes ({', '.join(codes)}) for {y}")
    hist = hist.reset_index(drop=True)
    if hist.empty:
        have = sorted(df["year"].unique())
        span = f"{have[0]} to {have[-1]}" if have else "no years"
        if spec.scope == "council":
            why = (f"only councils whose key activity data are transcribed in data/raw/councils/ have it "
                   f"({', '.join(councils_with(spec.key)) or 'none'})")
        else:
            why = (f"the {spec.table} table has no row for this council (one created after {have[-1] if have else '-'}"
                   " has none)")
        raise DataError(f"{name} ({current}) has no {spec.label.lower()} figures ({span}): {why}")
    ok = hist["value"].notna() & (hist["value"] > 0)
    if not ok.any():
        what = "; ".join(f"{r.year}: {r.status if pd.isna(r.value) else r.value}" for r in hist.itertuples())
        raise DataError(f"{name} ({current}) has no positive {spec.label.lower()} figure ({what}): demand counts "
                        "and costs must be positive, and a zero or missing value is not modelled")
    # the modelled run: last collection (and the one joined to it), then the years after the last gap / bad value
    last_coll = hist.loc[ok, "collection"].iloc[-1]
    breaks = list(notes)
    join = None
    if spec.join and spec.join[1] == last_coll and (hist["collection"] == spec.join[0]).any():
        try:
            join = level_ratio(spec.key)
        except DataError as exc:
            breaks.append(f"The {spec.join[0]} figures are not joined to the {spec.join[1]} ones: {exc}.")
    modelled = {last_coll} | ({join.earlier} if join else set())
    others = hist[~hist["collection"].isin(modelled)]
    if len(others):
        for coll, g in others.groupby("collection", sort=False):
            breaks.append(f"Collection change: {coll} figures for {g['year'].iloc[0]} to {g['year'].iloc[-1]} are "
                          f"on a different basis from {last_coll} and are shown but not modelled.")
    hist["modelled"] = hist["value"] * np.where(join is not None and hist["collection"].eq(
        join.earlier if join else ""), join.ratio if join else 1.0, 1.0)
    cand = hist[hist["collection"].isin(modelled)].assign(value=lambda d: d["modelled"])
    full = periods.fy_range(cand["year"].iloc[0], cand["year"].iloc[-1])
    cand = cand.set_index("year").reindex(full)
    good = cand["value"].notna() & (cand["value"] > 0)
    last_good = good[good].index[-1]
    cand = cand.loc[:last_good]
    good = good.loc[:last_good]
    if not good.all():
        bad_years = good[~good].index
        stop = bad_years[-1]
        what = []
        for y in bad_years:
            r = cand.loc[y]
            what.append(f"{y} ({'no row' if pd.isna(r['status']) else r['status'] if pd.isna(r['value']) else 'zero or negative'})")
        breaks.append(f"Gap or unusable value: {', '.join(what)}. Gaps are not interpolated and zeros are not "
                      f"modelled, so only the years after {stop} are used.")
        cand = cand.loc[cand.index > stop]
    trailing = hist.loc[hist["year"] > last_good]
    if len(trailing[trailing["collection"] == last_coll]):
        breaks.append(f"No usable value after {last_good} ({', '.join(trailing['year'])}): the series ends there.")
    years = list(cand.index)
    if join is not None and not years[0] < join.year <= years[-1]:
        join = None  # the modelled years are all on one basis after the cut
    if join is not None:
        e = hist.set_index("year")["value"]
        y0 = periods.fy_start(join.year)
        around = [periods.fy(y0 + k) for k in (-2, -1, 0, 1)]
        own = ""
        if all(y in e.index and e[y] > 0 for y in around):
            v = np.log(e[around].to_numpy(dtype=float))
            own = (f" This council's own figure moved {np.exp(v[2] - v[1]) - 1:+.1%} into {join.year}, against "
                   f"{np.exp(((v[1] - v[0]) + (v[3] - v[2])) / 2) - 1:+.1%} a year around it.")
        breaks.append(f"Change of collection in {join.year}: the {join.earlier} figures ({years[0]} to "
                      f"{periods.fy(y0 - 1)}) are put on the {join.later} basis by multiplying them by "
                      f"{join.ratio:.3f}, the level ratio estimated across {join.councils} councils (the median "
                      f"change into {join.year}, {join.step - 1:+.1%}, less the typical yearly change around it, "
                      f"{join.typical - 1:+.1%}).{own} The change into {join.year} is not used to estimate "
                      "growth, and forecasts made before it of later years are not scored.")
    breaks += _boundary_notes(current, years)
    break_year = COVID_YEAR if years[0] < COVID_YEAR <= years[-1] else None
    if break_year:
        breaks.append(f"COVID-19: {COVID_YEAR} is a break (care home deaths, paused admissions and changed "
                      f"reporting). Forecasts of {COVID_YEAR}, and forecasts made before it of later years, are "
                      f"not scored; the changes into {' and '.join(COVID_CHANGE_YEARS)} are not used to "
                      "estimate growth.")
    hist["used"] = hist["year"].isin(years)
    hist["modelled"] = hist["modelled"].where(hist["used"])
    values = pd.Series(cand["value"].to_numpy(dtype=float), index=pd.Index(years, name="year"), name=spec.key)
    meta = SeriesMeta(spec, current, name, tuple(codes), hist, tuple(years), tuple(breaks), break_year, join)
    return values, meta



__all__ = ["LevelRatio", "SeriesMeta", "level_ratio", "same_area_codes", "series_for"]
