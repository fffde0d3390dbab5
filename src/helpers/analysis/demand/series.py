"""Demand series data: every council's values of a catalogue series from the processed tables, and one
council's series cut at its breaks (:func:`series_for`).

The catalogue (what each series counts) is :mod:`helpers.analysis.demand.catalogue`; the series are modelled
by :mod:`helpers.analysis.demand.models` and :mod:`helpers.analysis.demand.drivers`. Definitions, units and
breaks are written up in ``docs/methods.md`` ("Demand series").

Breaks
------
A series is cut, and the cut stated, wherever its basis changes: a change of collection (PSS-EX1 -> ASC-FR
in 2014-15; ASC-FR -> RO3), a boundary change (a council created from others starts a new series;
predecessors are never added in), a gap or a value that is missing, suppressed, zero or negative (only the
years after it are modelled). Same-area recodes (Northumberland, Gateshead, Buckinghamshire, North Yorkshire,
Somerset) are joined, saying so. The COVID year 2020-21 is declared as a break the models are fitted through
but never scored on (``break_mode="exclude"`` of :func:`helpers.analysis.demand.checks.check_series`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.analysis.demand.catalogue import (
    COVID_YEAR,
    KEY_ACTIVITY_LINES,
    SERIES,
    WEEKS_PER_YEAR,
    SeriesSpec,
    check_series_key,
)
from helpers.core import periods
from helpers.core.errors import DataError
from helpers.core.paths import processed_path
from helpers.data import councils, tables
from helpers.data.national.population import on_financial_year_councils

# ------------------------------------------------------------------------------------------------------
# Every council's values (cached per process, refreshed when a table is rebuilt)
# ------------------------------------------------------------------------------------------------------


def _stamp(name: str) -> int:
    """The processed table's modification time (0 when not built): the key of the caches of frames made from it."""
    p = processed_path(name)
    return p.stat().st_mtime_ns if p.is_file() else 0


_FRAME_COLUMNS = ["series", "gss_code", "year", "value", "status", "collection", "source_id", "basis"]


def _activity_frames() -> pd.DataFrame:
    """Placements (weeks / 52) by council and year for the three care-home series."""
    act = tables.cached("activity")
    act = act[act["gss_code"].str[:3].isin(["E06", "E08", "E09", "E10"])
              & act["support_setting"].isin(["residential", "nursing"])]
    bad_unit = act[act["unit"] != "weeks"]
    if len(bad_unit):
        r = bad_unit.iloc[0]
        raise DataError(f"activity: residential/nursing care should be in weeks, found unit {r['unit']!r} for "
                        f"{r['gss_code']} {r['year']}", file="data/processed/activity.parquet", column="unit")
    key = ["gss_code", "year", "support_setting"]
    both = act.set_index([*key, "provision"])[["value", "value_status"]].unstack("provision")
    wide = both["value"].reindex(columns=["all", "external", "in_house"])
    stat = both["value_status"].reindex(columns=["all", "external", "in_house"])
    # 'all' where published (ASC-FR from 2014-15); before, in-house + external (both must be reported)
    has_all = stat["all"].notna()
    parts_ok = (stat["external"] == "reported") & (stat["in_house"] == "reported")
    weeks = wide["all"].where(has_all, (wide["external"] + wide["in_house"]).where(parts_ok))
    status = stat["all"].where(has_all, np.where(parts_ok, "reported",
                                                 stat["external"].where(stat["external"] != "reported",
                                                                        stat["in_house"]).fillna("missing")))
    basis = np.where(has_all, "weeks of care (all provision) / 52", "weeks of care (in-house + external) / 52")
    df = pd.DataFrame({"weeks": weeks, "status": status, "basis": basis}).reset_index()
    df["collection"] = np.where(df["year"].map(periods.fy_start) >= 2014, "ASC-FR", "PSS-EX1")
    res = df[df["support_setting"] == "residential"].assign(series="op_residential_placements")
    nur = df[df["support_setting"] == "nursing"].assign(series="op_nursing_placements")
    both = res.merge(nur, on=["gss_code", "year"], suffixes=("_r", "_n"))
    both = both[both["collection_r"] == "ASC-FR"]
    ok = (both["status_r"] == "reported") & (both["status_n"] == "reported")
    care = pd.DataFrame({
        "series": "op_care_home_placements", "gss_code": both["gss_code"], "year": both["year"],
        "weeks": (both["weeks_r"] + both["weeks_n"]).where(ok),
        "status": np.where(ok, "reported", np.where(both["status_r"] != "reported", both["status_r"],
                                                     both["status_n"])),
        "collection": "ASC-FR", "basis": "weeks of residential + nursing care / 52",
    })
    out = pd.concat([res, nur, care], ignore_index=True)
    out["value"] = out["weeks"] / WEEKS_PER_YEAR
    out["source_id"] = "activity_by_setting"
    return out[_FRAME_COLUMNS]


def _population_bands() -> pd.DataFrame:
    return _population_bands_cached(_stamp("population"))


@lru_cache(maxsize=2)
def _population_bands_cached(mtime: int) -> pd.DataFrame:
    pop = on_financial_year_councils(tables.cached("population"))
    return pop[["gss_code", "year", "age_band", "population"]]


def _ascof_frames() -> pd.DataFrame:
    """Permanent admissions (ASCOF 2A) by council and year: numerator, or rate x population / 100,000."""
    a = tables.cached("ascof")
    a = a[a["primary"] & (a["disaggregation"] == "Total") & a["measure_code"].isin(["2A(1)", "2A(2)"])
          & a["gss_code"].str[:3].isin(["E06", "E08", "E09", "E10"])]
    band = a["measure_code"].map({"2A(1)": "18-64", "2A(2)": "65+"})
    pop = _population_bands().rename(columns={"age_band": "band"})
    df = a.assign(band=band).merge(pop, on=["gss_code", "year", "band"], how="left")
    has_num = df["numerator_status"].eq("reported") & df["numerator"].notna()
    from_rate = df["value"] * df["population"] / 100_000
    value = df["numerator"].where(has_num, from_rate)
    status = np.where(has_num | (df["value_status"].eq("reported") & df["population"].notna()), "reported",
                      np.where(df["value_status"].ne("reported"), df["value_status"], "not_available"))
    basis = np.where(has_num, "published numerator",
                     "rate " + df["value"].map("{:.1f}".format) + " x population "
                     + df["population"].map(lambda v: f"{v:,.0f}") + " / 100,000")
    return pd.DataFrame({
        "series": df["measure_code"].map({"2A(1)": "adult_permanent_admissions", "2A(2)": "op_permanent_admissions"}),
        "gss_code": df["gss_code"], "year": df["year"], "value": value.where(status == "reported"),
        "status": status, "collection": "ASCOF", "source_id": df["source_id"], "basis": basis,
    })[_FRAME_COLUMNS]


def _spend_frames() -> pd.DataFrame:
    """LD spend 18-64 (RO3 and ASC-FR) and ASC-FR weekly unit costs of residential / nursing care 65+."""
    sp = tables.cached("spend")
    sp = sp[sp["gss_code"].str[:3].isin(["E06", "E08", "E09", "E10"])]
    ro3 = sp[(sp["collection"] == "RO3") & (sp["service_group"] == "learning_disability")
             & (sp["age_band"] == "18-64") & (sp["line_type"] == "detail") & (sp["measure"] == "total_expenditure")]
    ro3 = pd.DataFrame({"series": "ld_spend_18_64", "gss_code": ro3["gss_code"], "year": ro3["year"],
                        "value": ro3["value_gbp_k"], "status": ro3["value_status"], "collection": "RO3",
                        "source_id": ro3["source_id"], "basis": "RO3 total expenditure, learning disability 18-64"})
    fr = sp[(sp["collection"] == "ASC-FR") & (sp["measure"] == "gross_current_expenditure")
            & (sp["line_type"] == "detail")]
    ld = fr[(fr["service_group"] == "learning_disability") & (fr["age_band"] == "18-64")]
    ld = ld.groupby(["gss_code", "year", "source_id"]).agg(
        value=("value_gbp_k", lambda v: v.sum(min_count=len(v))),
        status=("value_status", lambda s: "reported" if (s == "reported").all() else s[s != "reported"].iloc[0]),
    ).reset_index()
    ld = ld.assign(series="ld_spend_18_64", collection="ASC-FR",
                   basis="ASC-FR gross current expenditure, learning disability 18-64 (sum of its lines)")
    # unit costs: long-term residential / nursing lines for people aged 65+, all support reasons
    setting = fr["service_line"].str.extract(r"^Long term(?: support)?: (?!Total)[^:]+: (Residential|Nursing)$")[0]
    lt = fr[setting.notna() & (fr["age_band"] == "65+")].assign(setting=setting.str.lower())
    cost = lt.groupby(["gss_code", "year", "setting"]).agg(
        spend=("value_gbp_k", lambda v: v.sum(min_count=len(v))), lines=("value_gbp_k", "size"),
        source_id=("source_id", "first")).reset_index()
    act = _activity_frames()
    act = act[act["series"].isin(["op_residential_placements", "op_nursing_placements"])].assign(
        setting=lambda d: d["series"].str.split("_").str[1])
    cost = cost.merge(act[["gss_code", "year", "setting", "value", "status"]], on=["gss_code", "year", "setting"],
                      how="left")
    weeks = cost["value"] * WEEKS_PER_YEAR
    ok = cost["spend"].notna() & (cost["status"] == "reported") & (weeks > 0)
    uc = pd.DataFrame({
        "series": "op_" + cost["setting"] + "_unit_cost", "gss_code": cost["gss_code"], "year": cost["year"],
        "value": (cost["spend"] * 1000 / weeks).where(ok),
        "status": np.where(ok, "reported", np.where(weeks.eq(0), "not_applicable", "not_available")),
        "collection": "ASC-FR", "source_id": cost["source_id"],
        "basis": "gross current expenditure £" + cost["spend"].map(lambda v: f"{v:,.0f}") + "k / "
                 + weeks.map(lambda v: f"{v:,.0f}") + " weeks",
    })
    return pd.concat([ro3, ld[_FRAME_COLUMNS], uc], ignore_index=True)[_FRAME_COLUMNS]


def _key_activity_lines() -> pd.DataFrame:
    """The key-activity lines of the council-report series, latest report of each council and year."""
    ka = tables.cached("council_key_activity")
    parts = []
    for key, (groups, lines) in KEY_ACTIVITY_LINES.items():
        sel = ka[ka["service_group"].isin(groups) & ka["line"].isin(lines) & (ka["row_type"] == "line")]
        parts.append(sel.assign(series=key))
    df = pd.concat(parts, ignore_index=True)
    last = df.groupby(["gss_code", "year"])["period_end"].transform("max")
    return df[df["period_end"] == last]


def _council_frames() -> pd.DataFrame:
    df = _key_activity_lines()
    g = df.groupby(["series", "gss_code", "year"])
    out = g.agg(value=("actual_clients", lambda v: v.sum(min_count=len(v))), period=("period", "first"),
                table=("table_id", "first"), n=("line", "size")).reset_index()
    out["status"] = np.where(out["value"].notna(), "reported", "missing")
    out["collection"] = "council report"
    out["source_id"] = "council_key_activity"
    out["basis"] = ("service users at " + out["period"] + " (" + out["n"].astype(str) + " lines of table "
                    + out["table"] + ")")
    return out[_FRAME_COLUMNS]


_FRAME_BUILDERS: dict[str, Callable[[], pd.DataFrame]] = {
    "activity": _activity_frames, "ascof": _ascof_frames, "spend": _spend_frames,
    "council_key_activity": _council_frames,
}


#: Processed tables each frame builder reads.
_FRAME_INPUTS: dict[str, tuple[str, ...]] = {
    "activity": ("activity",), "ascof": ("ascof", "population"), "spend": ("spend", "activity"),
    "council_key_activity": ("council_key_activity",),
}


def series_frame(series: str) -> pd.DataFrame:
    """Every council's values of one catalogue series (cached per process; refreshed when a table changes).

    Returns
    -------
    pandas.DataFrame
        ``series, gss_code, year, value, status, collection, source_id, basis``, sorted by code and year.
        ``value`` is NaN wherever ``status`` is not ``reported``.
    """
    spec = SERIES[check_series_key(series)]
    for name in _FRAME_INPUTS[spec.table]:
        tables.record_read(name)  # recorded for the run manifest even when the frame comes from the cache
    stamp = tuple(_stamp(t) for t in ("activity", "ascof", "spend", "population", "council_key_activity"))
    return _series_frame_cached(spec.table, stamp)[lambda d: d["series"] == spec.key].reset_index(drop=True)


@lru_cache(maxsize=8)
def _series_frame_cached(table: str, stamp: tuple[int, ...]) -> pd.DataFrame:
    df = _FRAME_BUILDERS[table]()
    df = df.assign(value=df["value"].where(df["status"] == "reported"))
    return df.sort_values(["series", "gss_code", "year"], kind="mergesort").reset_index(drop=True)


def councils_with(series: str) -> list[str]:
    """Codes of the councils with at least one reported value of ``series`` (as published, old codes too)."""
    df = series_frame(series)
    return sorted(df.loc[df["value"].notna(), "gss_code"].unique())


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
        The COVID year when it falls inside the modelled years after the first (passed to
        :func:`helpers.analysis.demand.evaluation.forecast_series` with ``break_mode="exclude"``), else ``None``.
    """

    spec: SeriesSpec
    council: str
    council_name: str
    codes: tuple[str, ...]
    history: pd.DataFrame
    years: tuple[str, ...]
    breaks: tuple[str, ...] = field(default=())
    break_year: str | None = None

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
        COVID break year to exclude from scoring. The series can be too short to backtest (even one point):
        :func:`helpers.analysis.demand.evaluation.forecast_series` then makes the naive forecast only, with a warning.

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
    # the modelled run: last collection, then the years after the last gap / bad value
    last_coll = hist.loc[ok, "collection"].iloc[-1]
    breaks = list(notes)
    others = hist[hist["collection"] != last_coll]
    if len(others):
        for coll, g in others.groupby("collection", sort=False):
            breaks.append(f"Collection change: {coll} figures for {g['year'].iloc[0]} to {g['year'].iloc[-1]} are "
                          f"on a different basis from {last_coll} and are shown but not modelled.")
    cand = hist[(hist["collection"] == last_coll)]
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
    breaks += _boundary_notes(current, years)
    break_year = COVID_YEAR if years[0] < COVID_YEAR <= years[-1] else None
    if break_year:
        breaks.append(f"COVID-19: {COVID_YEAR} is a break (care home deaths, paused admissions and changed "
                      "reporting). The models are fitted through it, but forecasts of it are not scored.")
    hist["used"] = hist["year"].isin(years)
    values = pd.Series(cand["value"].to_numpy(dtype=float), index=pd.Index(years, name="year"), name=spec.key)
    meta = SeriesMeta(spec, current, name, tuple(codes), hist, tuple(years), tuple(breaks), break_year)
    return values, meta



__all__ = ["SeriesMeta", "councils_with", "same_area_codes", "series_for", "series_frame"]
