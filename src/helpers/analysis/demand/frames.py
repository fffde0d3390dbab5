"""Every council's values of a demand series, from the processed tables (:func:`series_frame`).

One frame per catalogue series (``helpers.analysis.demand.catalogue``): the activity table for the care-home
placements, ASCOF 2A for admissions, RO3 / ASC-FR for learning disability spend and the weekly unit costs,
the councils' key activity data for the council-report series. Cached per process and refreshed when a table is
rebuilt. One council's series, cut at its breaks, is :func:`helpers.analysis.demand.series.series_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.analysis.demand.catalogue import KEY_ACTIVITY_LINES, SERIES, WEEKS_PER_YEAR, check_series_key
from helpers.core import periods
from helpers.core.errors import DataError
from helpers.core.paths import processed_path
from helpers.data import tables
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


__all__ = ["councils_with", "series_frame"]
