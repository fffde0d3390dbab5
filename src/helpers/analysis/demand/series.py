"""Demand series for the demand-trends notebook: the catalogue, one council's series, unit costs and drivers.

This module assembles annual demand series from the processed tables; :mod:`helpers.analysis.demand.models` models them and
:mod:`helpers.reports.demand_trends` puts the two together for the notebook and the accuracy benchmark. Series
definitions, units, drivers and breaks are written up in ``docs/methods.md`` ("Demand series").

The catalogue (:data:`SERIES`)
------------------------------
National series (every council):

* ``op_residential_placements``, ``op_nursing_placements``, ``op_care_home_placements`` -- older people
  (65+) supported in residential / nursing / either kind of care home: weeks of care in the year / 52
  (``activity`` table; the unit is weeks of care for people aged 65+, see ``docs/data_dictionary.md``);
* ``op_permanent_admissions``, ``adult_permanent_admissions`` -- permanent admissions to residential and
  nursing care of people aged 65+ (ASCOF 2A(2)) and 18-64 (ASCOF 2A(1)) in the year: the published
  numerator where there is one (2020-21 open data), else rate x population of the band / 100,000;
* ``ld_spend_18_64`` -- spend on learning disability support for adults aged 18-64, £ thousands (RO3 total
  expenditure; ASC-FR gross current expenditure shown as an earlier, separate collection);
* ``op_residential_unit_cost``, ``op_nursing_unit_cost`` -- £ per week of long-term residential / nursing
  care for people aged 65+ = ASC-FR gross current expenditure / weeks of care (2014-15, 2016-17).

Council-report series (``council_key_activity``, the councils that publish key activity data):

* ``ld_clients`` -- learning disability service users; ``op_care_home_clients`` -- older people (incl.
  mental health) in residential and nursing placements.

Breaks
------
A series is cut, and the cut stated, wherever its basis changes: a change of collection (PSS-EX1 -> ASC-FR
in 2014-15; ASC-FR -> RO3), a boundary change (a council created from others starts a new series;
predecessors are never added in), a gap or a value that is missing, suppressed, zero or negative (only the
years after it are modelled). Same-area recodes (Northumberland, Gateshead, Buckinghamshire, North Yorkshire,
Somerset) are joined, saying so. The COVID year 2020-21 is declared as a break the models are fitted through
but never scored on (``break_mode="exclude"`` of :func:`helpers.analysis.demand.models.check_series`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.core.errors import DataError, ParameterError

#: First year of the COVID-19 break declared for every series that spans it.
COVID_YEAR = "2020-21"
#: Weeks in a year, for weeks of care -> average placements and for the budget table.
WEEKS_PER_YEAR = 52.0
#: Candidate models of every series (``helpers.analysis.demand.models`` names); the catalogue adds ``driver``/``stock-flow``.
BASE_MODELS: tuple[str, ...] = ("naive", "drift", "linear", "ets")
_FY_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class SeriesSpec:
    """One entry of the series catalogue.

    Attributes
    ----------
    key
        Parameter value naming the series (``"op_residential_placements"``).
    label
        Plain-English name for titles.
    unit
        Unit of the values, for axis labels (``"placements (weeks of care / 52)"``).
    kind
        ``"stock"`` (people supported at a time: the budget table applies), ``"flow"`` (events in a year),
        ``"money"`` (£ thousands) or ``"unit_cost"`` (£ per week).
    table
        The processed table the values come from.
    source
        Source line for charts.
    driver_band
        The population band that drives it (``"65+"``, ``"18-64"``) or ``None``.
    definition
        How the value is computed (for the report and the docs).
    scope
        ``"national"`` (every council) or ``"council"`` (councils with report data).
    models
        Extra candidate models beyond :data:`BASE_MODELS`: ``"driver"``, ``"stock-flow"``.
    unit_cost
        Key of the weekly unit cost (:func:`unit_cost_for`) used by the budget table, or ``None``.
    """

    key: str
    label: str
    unit: str
    kind: str
    table: str
    source: str
    driver_band: str | None
    definition: str
    scope: str = "national"
    models: tuple[str, ...] = ("driver",)
    unit_cost: str | None = None


_ACT_SRC = ("Goodair et al. compilation of PSS-EX1 / ASC-FR activity (activity_by_setting_2001-2022); "
            "NHS Digital ASC-FR")
SERIES: dict[str, SeriesSpec] = {s.key: s for s in (
    SeriesSpec("op_residential_placements", "Older people (65+) in residential care",
               "placements (weeks of care / 52)", "stock", "activity", _ACT_SRC, "65+",
               "weeks of residential care in the year for people aged 65+ / 52 (in-house + external); "
               "PSS-EX1 to 2013-14, ASC-FR (long-term care) from 2014-15", unit_cost="op_residential"),
    SeriesSpec("op_nursing_placements", "Older people (65+) in nursing care",
               "placements (weeks of care / 52)", "stock", "activity", _ACT_SRC, "65+",
               "weeks of nursing care in the year for people aged 65+ / 52 (ASC-FR, from 2014-15)",
               unit_cost="op_nursing"),
    SeriesSpec("op_care_home_placements", "Older people (65+) in residential or nursing care",
               "placements (weeks of care / 52)", "stock", "activity", _ACT_SRC, "65+",
               "weeks of residential plus nursing care in the year for people aged 65+ / 52 (ASC-FR, from "
               "2014-15)", models=("driver", "stock-flow"), unit_cost="op_care_home"),
    SeriesSpec("op_permanent_admissions", "Permanent admissions of older people (65+) to care homes",
               "admissions in the year", "flow", "ascof",
               "NHS England ASCOF 2A(2) (trend file and 2020-21 open data); ONS mid-year estimates", "65+",
               "ASCOF 2A(2) published numerator where there is one (2020-21), otherwise rate per 100,000 x "
               "population aged 65+ (mid-year the financial year starts in) / 100,000"),
    SeriesSpec("adult_permanent_admissions", "Permanent admissions of adults (18-64) to care homes",
               "admissions in the year", "flow", "ascof",
               "NHS England ASCOF 2A(1) (trend file and 2020-21 open data); ONS mid-year estimates", "18-64",
               "ASCOF 2A(1) published numerator where there is one (2020-21), otherwise rate per 100,000 x "
               "population aged 18-64 / 100,000"),
    SeriesSpec("ld_spend_18_64", "Spend on learning disability support, adults 18-64",
               "£ thousands (cash)", "money", "spend",
               "MHCLG RO3 revenue outturn; NHS Digital ASC-FR (earlier, separate collection)", "18-64",
               "RO3 total expenditure on learning disability support 18-64 (line lrnadl); ASC-FR gross current "
               "expenditure on learning disability support 18-64 (sum of its lines) is an earlier collection"),
    SeriesSpec("op_residential_unit_cost", "Weekly cost of residential care, older people (65+)",
               "£ per week (cash)", "unit_cost", "spend", "NHS Digital ASC-FR expenditure and activity", None,
               "ASC-FR gross current expenditure on long-term residential care 65+ (all support reasons) x 1,000 "
               "/ weeks of residential care 65+", models=()),
    SeriesSpec("op_nursing_unit_cost", "Weekly cost of nursing care, older people (65+)",
               "£ per week (cash)", "unit_cost", "spend", "NHS Digital ASC-FR expenditure and activity", None,
               "ASC-FR gross current expenditure on long-term nursing care 65+ (all support reasons) x 1,000 "
               "/ weeks of nursing care 65+", models=()),
    SeriesSpec("ld_clients", "Learning disability service users (council report)", "service users", "stock",
               "council_key_activity", "council finance and performance report, key activity data", "18-64",
               "service users of the learning disability service at the report date (latest report of each "
               "year)", scope="council", unit_cost="ld_council"),
    SeriesSpec("op_care_home_clients", "Older people in residential and nursing placements (council report)",
               "service users", "stock", "council_key_activity",
               "council finance and performance report, key activity data", "65+",
               "older people's and older people's mental health residential and nursing (incl. dementia) "
               "service users at the report date (latest report of each year)", scope="council",
               unit_cost="op_care_home_council"),
)}


def check_series_key(value: str, name: str = "series") -> str:
    """Return ``value`` if it names a catalogue series, else raise :class:`ParameterError` listing them."""
    if not isinstance(value, str) or value.strip() not in SERIES:
        raise ParameterError(f"parameter {name!r}: {value!r} is not a demand series; choose one of "
                             f"{', '.join(SERIES)}")
    return value.strip()


def catalogue() -> pd.DataFrame:
    """The series catalogue as a table (``key``, ``label``, ``unit``, ``kind``, ``driver_band``, ``scope``,
    ``models``, ``source``, ``definition``), in catalogue order."""
    rows = [{"key": s.key, "label": s.label, "unit": s.unit, "kind": s.kind, "driver_band": s.driver_band or "",
             "scope": s.scope, "models": ", ".join((*BASE_MODELS, *s.models)), "source": s.source,
             "definition": s.definition} for s in SERIES.values()]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------------
# Loading (cached per process, refreshed when a table is rebuilt)
# ------------------------------------------------------------------------------------------------------


def _mtime(name: str) -> int:
    from helpers.core.paths import processed_path

    p = processed_path(name)
    return p.stat().st_mtime_ns if p.is_file() else 0


def _table(name: str, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    from helpers.data import tables

    tables.record_read(name)  # every use is recorded for the run manifest, cached or not (warm kernels)
    return _table_cached(name, columns, _mtime(name))


@lru_cache(maxsize=16)
def _table_cached(name: str, columns: tuple[str, ...] | None, mtime: int) -> pd.DataFrame:
    from helpers.data import tables

    return tables.load(name, list(columns) if columns else None)


def _fy_start(year: pd.Series) -> pd.Series:
    return year.str[:4].astype(int)


def _fy(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


_FRAME_COLUMNS = ["series", "gss_code", "year", "value", "status", "collection", "source_id", "basis"]


def _activity_frames() -> pd.DataFrame:
    """Placements (weeks / 52) by council and year for the three care-home series."""
    act = _table("activity")
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
    df["collection"] = np.where(_fy_start(df["year"]) >= 2014, "ASC-FR", "PSS-EX1")
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
    return _population_bands_cached(_mtime("population"))


@lru_cache(maxsize=2)
def _population_bands_cached(mtime: int) -> pd.DataFrame:
    from helpers.data.national.population import on_financial_year_councils

    pop = on_financial_year_councils(_table("population"))
    return pop[["gss_code", "year", "age_band", "population"]]


def _ascof_frames() -> pd.DataFrame:
    """Permanent admissions (ASCOF 2A) by council and year: numerator, or rate x population / 100,000."""
    a = _table("ascof")
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
    sp = _table("spend")
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


#: Key-activity lines of each council-report series: (service groups, line labels).
KEY_ACTIVITY_LINES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ld_clients": (("Learning Disability",), ("Residential", "Nursing", "Community")),
    "op_care_home_clients": (("Older People", "Older People Mental Health"),
                             ("Residential", "Residential Dementia", "Nursing", "Nursing Dementia")),
}


def _key_activity_lines() -> pd.DataFrame:
    """The key-activity lines of the council-report series, latest report of each council and year."""
    ka = _table("council_key_activity")
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
    from helpers.data import tables

    spec = SERIES[check_series_key(series)]
    for name in _FRAME_INPUTS[spec.table]:
        tables.record_read(name)  # recorded for the run manifest even when the frame comes from the cache
    stamp = tuple(_mtime(t) for t in ("activity", "ascof", "spend", "population", "council_key_activity"))
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
        :func:`helpers.analysis.demand.models.forecast_series` with ``break_mode="exclude"``), else ``None``.
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
    from helpers.data import councils

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
    from helpers.data import councils

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


def _years_between(a: str, b: str) -> list[str]:
    return [_fy(y) for y in range(int(a[:4]), int(b[:4]) + 1)]


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
        :func:`helpers.analysis.demand.models.forecast_series` then makes the naive forecast only, with a warning.

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
    full = _years_between(cand["year"].iloc[0], cand["year"].iloc[-1])
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


# ------------------------------------------------------------------------------------------------------
# Population drivers
# ------------------------------------------------------------------------------------------------------


def council_sya(council: str) -> pd.DataFrame:
    """Persons by single year of age and mid-year for a council's area (``mid_year``, ``age``, ``population``).

    Current councils: ``population_latest_boundaries`` (a continuous series on April 2023 boundaries).
    Councils that no longer exist: their own published rows of ``population_sya`` (the years they existed).

    Raises
    ------
    DataError
        No population for the council.
    """
    latest = _table("population_latest_boundaries", ("gss_code", "mid_year", "sex", "age", "population"))
    sel = latest[(latest["gss_code"] == council) & (latest["sex"] == "persons")]
    if sel.empty:
        sya = _table("population_sya", ("gss_code", "mid_year", "sex", "age", "population"))
        sel = sya[(sya["gss_code"] == council) & (sya["sex"] == "persons")]
    if sel.empty:
        raise DataError(f"no population estimates for {council}")
    return sel[["mid_year", "age", "population"]].sort_values(["mid_year", "age"]).reset_index(drop=True)


@dataclass(frozen=True)
class Driver:
    """The population driving a series, for the models and the report.

    Attributes
    ----------
    band
        Age band (``"65+"``, ``"18-64"``).
    population
        The band's population by mid-year: ONS estimates, then the cohort-ageing projection (``mid_year``,
        ``population``, ``kind`` = ``"estimate"``/``"projection"``).
    function
        ``driver(origin, horizon)`` for :func:`helpers.analysis.demand.models.driver_model`: in the backtest, only estimates
        up to the origin (ex-ante); from the series' last year, every published estimate and the projection.
    method
        How the projection was made (the words the report must show).
    """

    band: str
    population: pd.DataFrame
    function: Callable[[int, int], pd.Series]
    method: str

    def growth(self, year: int) -> float:
        """Growth of the band from mid-year ``year - 1`` to ``year`` (a fraction)."""
        s = self.population.set_index("mid_year")["population"]
        if year not in s.index or year - 1 not in s.index:
            raise DataError(f"the {self.band} population has no mid-year {year - 1} and {year}")
        return float(s[year] / s[year - 1] - 1)


def driver_for(council: str, band: str, final_origin: int | None, horizon: int) -> Driver:
    """The driving population of a council's series (estimates, cohort-ageing projection, driver function).

    Parameters
    ----------
    council
        Council code (as in :attr:`SeriesMeta.council`).
    band
        Age band.
    final_origin
        Start year of the series' last financial year: forecasts from there use every published estimate (and
        the projection beyond the last one). ``None``: always ex-ante (only estimates up to each origin).
    horizon
        Years to forecast.
    """
    from helpers.analysis.demand import demography

    sya = council_sya(council)
    last = int(sya["mid_year"].max())
    ahead = max(0, (last if final_origin is None else final_origin) + horizon - last)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", demography.ProjectionWarning)
        proj = demography.project_population(sya, ahead)
    band_df = proj[proj["band"] == band][["mid_year", "population", "kind"]].reset_index(drop=True)
    full = band_df.set_index("mid_year")["population"]
    ex_ante = demography.population_driver(sya, band)

    def driver(origin: int, h: int) -> pd.Series:
        if final_origin is not None and origin >= final_origin:
            return full
        return ex_ante(origin, h)

    return Driver(band, band_df, driver, proj.attrs.get("method", "cohort ageing; not an ONS projection"))


def admission_rates(council: str) -> pd.Series:
    """ASCOF 2A(2) rate per 100,000 aged 65+ by start year, for the stock-flow model (same-area codes)."""
    _, _, codes, _ = same_area_codes(council)
    a = _table("ascof")
    a = a[a["primary"] & (a["disaggregation"] == "Total") & (a["measure_code"] == "2A(2)")
          & a["gss_code"].isin(codes) & (a["value_status"] == "reported")]
    s = a.set_index(_fy_start(a["year"]))["value"].sort_index()
    return s[~s.index.duplicated()].astype(float)


# ------------------------------------------------------------------------------------------------------
# Unit costs for the budget table
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCost:
    """A weekly unit cost and where it comes from.

    Attributes
    ----------
    gbp_per_week
        £ per client per week.
    year
        Financial year of the figure.
    source
        Plain-English source and definition.
    """

    gbp_per_week: float
    year: str
    source: str


def _key_activity_cost(council: str, key: str) -> UnitCost | None:
    groups_lines = {"ld_council": KEY_ACTIVITY_LINES["ld_clients"],
                    "op_care_home_council": KEY_ACTIVITY_LINES["op_care_home_clients"],
                    "op_residential": (("Older People", "Older People Mental Health"),
                                       ("Residential", "Residential Dementia")),
                    "op_nursing": (("Older People", "Older People Mental Health"), ("Nursing", "Nursing Dementia")),
                    "op_care_home": KEY_ACTIVITY_LINES["op_care_home_clients"]}
    if key not in groups_lines:
        return None
    groups, lines = groups_lines[key]
    ka = _table("council_key_activity")
    sel = ka[(ka["gss_code"] == council) & ka["service_group"].isin(groups) & ka["line"].isin(lines)
             & (ka["unit_of_cost"] == "per week") & ka["actual_clients"].notna() & ka["actual_unit_cost_gbp"].notna()]
    if sel.empty:
        return None
    sel = sel[sel["period_end"] == sel["period_end"].max()]
    w = sel["actual_clients"].to_numpy(dtype=float)
    if w.sum() <= 0:
        return None
    cost = float(np.sum(w * sel["actual_unit_cost_gbp"].to_numpy(dtype=float)) / w.sum())
    lines_used = ", ".join(dict.fromkeys(sel["line"]))
    groups_used = "; ".join(dict.fromkeys(sel["service_group"]))
    return UnitCost(cost, str(sel["year"].iloc[0]),
                    f"council key activity data ({sel['period'].iloc[0]} {sel['year'].iloc[0]}): current average "
                    f"weekly cost of {lines_used} ({groups_used}), weighted by service users")


def _ascfr_cost(council: str, key: str) -> UnitCost | None:
    settings = {"op_residential": ("op_residential_unit_cost",), "op_nursing": ("op_nursing_unit_cost",),
                "op_care_home": ("op_residential_unit_cost", "op_nursing_unit_cost")}.get(key)
    if settings is None:
        return None
    frames = []
    for s in settings:
        df = series_frame(s)
        frames.append(df[(df["gss_code"] == council) & df["value"].notna()].set_index("year")["value"])
    common = sorted(set.intersection(*(set(f.index) for f in frames)))
    if not common:
        return None
    y = common[-1]
    if len(settings) == 1:
        return UnitCost(float(frames[0][y]), y, f"ASC-FR {y}: gross current expenditure / weeks of care, "
                                                 "long-term care for people aged 65+")
    act_r, act_n = (series_frame(s).set_index(["gss_code", "year"])["value"]
                    for s in ("op_residential_placements", "op_nursing_placements"))
    wr, wn = float(act_r[(council, y)]), float(act_n[(council, y)])
    cost = (frames[0][y] * wr + frames[1][y] * wn) / (wr + wn)
    return UnitCost(float(cost), y, f"ASC-FR {y}: gross current expenditure / weeks of care, long-term residential "
                                    "and nursing care for people aged 65+ (weighted by weeks)")


def unit_cost_for(council: str, series: str) -> UnitCost | None:
    """The latest published weekly unit cost for a series' budget table, or ``None`` where there is none.

    Candidates: the council's own key activity data (current average weekly cost of the matching lines,
    weighted by service users) and, for the older people's care-home series, ASC-FR gross current expenditure
    / weeks of care. The most recent year wins (the council's figure on a tie).
    """
    spec = SERIES[check_series_key(series)]
    if spec.unit_cost is None:
        return None
    code = same_area_codes(council)[0]
    found = [c for c in (_key_activity_cost(code, spec.unit_cost), _ascfr_cost(code, spec.unit_cost)) if c]
    if not found:
        return None
    return max(found, key=lambda c: c.year)  # stable: the council's figure first on a tie


__all__ = [
    "BASE_MODELS", "COVID_YEAR", "Driver", "KEY_ACTIVITY_LINES", "SERIES", "SeriesMeta", "SeriesSpec", "UnitCost",
    "WEEKS_PER_YEAR", "admission_rates", "catalogue", "check_series_key", "council_sya", "councils_with",
    "driver_for", "same_area_codes", "series_for", "series_frame", "unit_cost_for",
]
