"""ASCOF outcomes: every council's values with intervals, one council against its group, and its trends.

The ASCOF benchmarking notebook (``notebooks/02_ascof_benchmarking.ipynb``, through
:mod:`helpers.reports.ascof_benchmarking`) reads this module with a
:class:`~helpers.analysis.benchmarking.groups.Benchmark`. Methods (``docs/methods.md``, section *Benchmarking*):

* the interval of each value follows the measure registry (``ascof_measures``: ``ci_method`` and
  ``comparison``): Wilson for proportions, Byar for rates per 100,000, the published margin of error for
  survey measures, none where the registry says so or the numerator and denominator are not published
  (in the national files here they are published for 2020-21 only);
* with an interval, the verdict is the council's interval against the comparator value (Fingertips):
  better / similar / worse by the measure's polarity; without one, the distance from the median in MADs
  with Oflog's wording (broadly similar, slightly / - / much better or worse);
* the comparator median is over the council and its comparators with a value (at least
  :data:`~helpers.analysis.benchmarking.groups.MIN_GROUP` comparators); the England value is the published
  England figure, and the MAD distance against England is from the median of all councils (Oflog's method).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.analysis.benchmarking import identity
from helpers.analysis.benchmarking.groups import (
    MIN_GROUP,
    Benchmark,
    derived,
    group_shortfall,
    series_code,
    status_words,
)
from helpers.analysis.benchmarking.placing import position
from helpers.core.errors import MissingDataError
from helpers.data import councils, tables
from helpers.data.national.ascof_crosswalk import framework_of
from helpers.data.national.population import on_financial_year_councils

#: Short names for tables and charts (one dict: :data:`helpers.analysis.benchmarking.identity.SHORT_NAMES`).
SHORT_NAMES: dict[str, str] = identity.SHORT_NAMES
#: Comparison level of each registry ``comparison`` value (``None`` = no interval comparison).
LEVELS: dict[str, float | None] = {"ci95": 0.95, "ci998": 0.998}
#: The year the Adult Social Care Survey was voluntary (COVID): most councils have no survey measures.
VOLUNTARY_SURVEY_YEAR = "2020-21"
#: Measures drawn as trend panels by default (the seeds' own ASCOF measures and the spend partners).
TREND_MEASURES: tuple[str, ...] = ("1G", "2A(2)", "2B(1)", "2D")


# ------------------------------------------------------------------------------------------------
# all councils, every year
# ------------------------------------------------------------------------------------------------


#: Age band of the population a rate per 100,000 is over, from the registry's ``scale``.
_BAND = re.compile(r"aged (18-64|65\+|18\+)")
#: Small numbers (``small_count``): a rate on fewer than this many events (published or derived) ...
SMALL_COUNT = 10
#: ... or a proportion over fewer than this many people. Such a council does not set the spine chart's ends.
SMALL_DENOMINATOR = 30


def _derived_counts(df: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    """The count and denominator each interval is computed from, published or derived.

    Rates per 100,000 over an ONS population (2A(1), 2A(2)) publish their numerator and denominator in
    2020-21 only; in every other year the count is derived as ``rate x population / 100,000`` with the ONS
    mid-year population of the age band on the financial year's councils (the ASCOF denominator: Stockport
    2020-21, 58,933 aged 65+, as published) and rounded to a whole number. The published rate is rounded
    to one decimal, so a derived count is approximate (``count_basis`` says which).
    """
    count = df["numerator"].where((df["numerator_status"] == "reported") & (df["denominator_status"] == "reported"))
    denom = df["denominator"].where(count.notna())
    basis = pd.Series(np.where(count.notna(), "published", ""), index=df.index, dtype=object)
    band = df["scale"].astype(str).str.extract(_BAND, expand=False)
    want = (df["ci_method"] == "byar") & count.isna() & df["value"].notna() & band.notna()
    if want.any():
        p = pop[["gss_code", "year", "age_band", "population"]].drop_duplicates(["gss_code", "year", "age_band"])
        keys = pd.DataFrame({"gss_code": df["gss_code"], "year": df["year"], "age_band": band})[want]
        got = keys.merge(p, on=["gss_code", "year", "age_band"], how="left").set_axis(keys.index)["population"]
        ok = got.notna() & (got > 0)
        idx = got.index[ok]
        denom[idx] = got[ok]
        count[idx] = (df.loc[idx, "value"] * got[ok] / df.loc[idx, "multiplier"]).round()
        basis[idx] = "derived"
    return pd.DataFrame({"count": count, "count_denominator": denom, "count_basis": basis})


def _intervals(df: pd.DataFrame) -> pd.DataFrame:
    """Lower and upper limits (in the measure's unit) and what they are, per row, by the registry's method.

    Uses ``count`` / ``count_denominator`` (:func:`_derived_counts`). A rate's interval is exact Poisson
    below :data:`~helpers.analysis.stats.BYAR_EXACT_BELOW` events and Byar's from there (as Fingertips), and
    its label says which; one from a derived count says it is approximate.
    """
    lo = pd.Series(np.nan, index=df.index)
    hi = pd.Series(np.nan, index=df.index)
    label = pd.Series("", index=df.index, dtype=object)
    reason = pd.Series("", index=df.index, dtype=object)
    level = df["comparison"].map(LEVELS)
    have = df["count"].notna() & df["count_denominator"].notna()
    for (method, lev), idx in df.groupby([df["ci_method"], level.fillna(-1)]).groups.items():
        part = df.loc[idx]
        if lev < 0:
            reason[idx] = "the registry gives no interval comparison for this measure"
            continue
        pct = f"{lev * 100:g}%"
        if method in ("wilson", "byar"):
            ok = have[idx] & (part["count_denominator"] > 0) & (part["count"] >= 0)
            k, n, mult = part["count"], part["count_denominator"], part["multiplier"]
            if method == "wilson":
                bad = ok & (k > n)
                reason[bad[bad].index] = "numerator larger than denominator: no interval"
                ok &= ~bad
                a, b = stats.wilson_ci(k[ok], n[ok], level=lev)
                label[ok[ok].index] = f"Wilson {pct}"
            else:
                a, b = stats.rate_ci(k[ok], n[ok], per=1.0, level=lev)
                exact = k[ok] < stats.BYAR_EXACT_BELOW
                label[ok[ok].index] = np.where(exact, f"exact Poisson {pct}", f"Byar {pct}")
            lo[ok[ok].index], hi[ok[ok].index] = a * mult[ok], b * mult[ok]
            derived_ = ok & (part["count_basis"] == "derived")
            label[derived_[derived_].index] += " (approximate)"
            missing = ~ok & (reason[idx] == "")
            reason[missing[missing].index] = "numerator and denominator not published for this year"
        elif method == "survey_moe":
            ok = (part["moe_status"] == "reported") & part["value"].notna()
            a, b = stats.moe_ci(part["value"][ok], part["moe"][ok])
            lo[ok[ok].index], hi[ok[ok].index] = a, b
            label[ok[ok].index] = f"published margin of error ({pct})"
            reason[(~ok)[~ok].index] = "no margin of error published for this year"
        else:
            reason[idx] = "no interval method for this measure (see the measure registry)"
    no_value = df["value"].isna()
    lo[no_value], hi[no_value], label[no_value] = np.nan, np.nan, ""
    return pd.DataFrame({"lower": lo, "upper": hi, "interval": label, "interval_reason": reason.where(~no_value, "")})


def _build_values(ascof: pd.DataFrame, registry: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    df = ascof[ascof["primary"] & (ascof["disaggregation"] == "Total")].copy()
    df = df.rename(columns={"geography_level": "level"})
    # by stable id and framework (the registry's key), never by code alone: a code reused from 2023-24 for
    # another measure must not take the earlier measure's polarity, scale or interval method
    reg = registry[["measure_id", "framework", "polarity", "ci_method", "comparison", "multiplier", "survey_based",
                    "years_available", "scale"]]
    df = df.merge(reg, on=["measure_id", "framework"], how="left", validate="many_to_one")
    unknown = df["polarity"].isna()
    if unknown.any():
        first = df[unknown].iloc[0]
        raise MissingDataError(f"ASCOF measure {first['measure_code']!r} ({first['measure_id']}, framework "
                               f"{first['framework']}) is not in the measure registry "
                               "(data/raw/reference/ascof_measures.csv, ascof_crosswalk.csv)")
    df = pd.concat([df, _derived_counts(df, on_financial_year_councils(pop))], axis=1)
    df = pd.concat([df, _intervals(df)], axis=1)
    rate = df["ci_method"] == "byar"
    df["small_count"] = np.where(rate, df["count"].notna() & (df["count"] < SMALL_COUNT),
                                 df["count_denominator"].notna() & (df["count_denominator"] < SMALL_DENOMINATOR))
    df["series_code"] = series_code(df["gss_code"])
    order = {k: i for i, k in enumerate(zip(registry["measure_id"], registry["framework"], strict=True))}
    df["_o"] = [order[k] for k in zip(df["measure_id"], df["framework"], strict=True)]
    return df.sort_values(["year", "_o", "gss_code"]).drop(columns="_o").reset_index(drop=True)


def ascof_values() -> pd.DataFrame:
    """Every ASCOF value (Total, one row per area, year and measure) with its registry entry and interval.

    Returns
    -------
    pandas.DataFrame
        The ``ascof`` table's primary ``Total`` rows with ``level`` (council, region, england), the
        registry's ``polarity``, ``ci_method``, ``comparison``, ``multiplier``, and ``lower``, ``upper``
        (in the measure's unit), ``interval`` (method and level), ``interval_reason`` (why there is none),
        ``series_code``. Computed once per process (:func:`~helpers.analysis.benchmarking.groups.derived`): do
        not modify it.
    """
    return derived("ascof_values", lambda a, r, p, _c: _build_values(a, r, p), "ascof", "ascof_measures",
                   "population", "councils")


def registry() -> pd.DataFrame:
    """The ASCOF measure registry (table ``ascof_measures``), read once per process (do not modify it)."""
    return tables.cached("ascof_measures")


def ascof_years() -> list[str]:
    """Financial years with ASCOF values."""
    return sorted(ascof_values()["year"].unique())


# ------------------------------------------------------------------------------------------------
# one council
# ------------------------------------------------------------------------------------------------


def availability(b: Benchmark) -> str | None:
    """Why there are no ASCOF values to compare for the council and year, or ``None``."""
    if not b.available:
        return " ".join(b.notes)
    years = ascof_years()
    if b.year not in years:
        return (f"No ASCOF values for {b.year} in the national files; they cover {years[0]} to {years[-1]}. "
                "Choose one of those years.")
    df = ascof_values()
    if not ((df["year"] == b.year) & (df["gss_code"] == b.data_code)).any():
        return f"The national ASCOF files have no value for {b.name} in {b.year}."
    return None


def problem(b: Benchmark, comp: pd.DataFrame, measures: list[str] | None = None) -> str | None:
    """Why the report has little to show, for the run index: no values for the year, none of the chosen
    measures published, or too few comparators with a value; else ``None``."""
    why = availability(b)
    if why:
        return why
    if comp.empty or comp["value"].notna().sum() == 0:
        chosen = ", ".join(measures or []) or "the chosen measures"
        return f"None of {chosen} has a value for {b.name} in {b.year}."
    return group_shortfall(b, comp, what="measure")


def not_published(b: Benchmark, measures: list[str] | None = None) -> pd.DataFrame:
    """The chosen measures with no value for any council in the year, and why.

    By stable id: a measure published under its code of the year's framework is published (``2A(2)`` chosen,
    ``2C`` published for 2023-24). ``Measure`` is the code of the year's framework with the earlier code beside
    it (``2D(1) (was 2B(1))``), or the earlier code where the measure has none in that framework (retired, or no
    sourced code yet). Empty when the year has no ASCOF values at all (:func:`availability` says so).
    """
    if b.year not in ascof_years():
        return pd.DataFrame()
    reg = registry()
    df = ascof_values()
    fw = framework_of(b.year)
    have = set(df.loc[(df["year"] == b.year) & df["value"].notna(), "measure_id"])
    held = df[df["value"].notna()].groupby("measure_id")["year"].unique().map(sorted).to_dict()
    ids = identity.ids_of(measures) if measures else list(dict.fromkeys(reg["measure_id"]))
    # a definition changed in the year (at the renumbering): the earlier years do not compare
    changed = identity.breaks()
    changed = changed[(changed["year"] == b.year) & (changed["kind"] == "definition")]
    rows = []
    for mid in [i for i in ids if i not in have]:
        own = reg[reg["measure_id"] == mid]
        mine = own[own["framework"] == fw]
        years = held.get(mid, [])  # the years with a value in the files, not the registered years of a framework
        shown = identity.shown_in_year(mid, b.year) or (str(own["measure_code"].iloc[0]) if len(own) else mid)
        if len(mine):
            note = str(mine["notes"].iloc[0]) if fw != identity.NEW_FRAMEWORK and pd.notna(mine["notes"].iloc[0]) else ""
        else:
            note = identity.series_note(mid, years[-1] if years else None) or (
                f"no code {fw} in the crosswalk (not yet sourced: a file using one is refused)")
        brk = changed[changed["measure_id"] == mid]
        said = "; ".join(f"series break from {y}: {r}" for y, r in zip(brk["year"], brk["reason"], strict=True))
        rows.append({"Measure": shown, "Name": identity.name_of(mid, shown), "Published for": ", ".join(years),
                     "Note": "; ".join(t for t in (note or identity.series_note(mid), said) if t)})
    return pd.DataFrame(rows, columns=["Measure", "Name", "Published for", "Note"])


def comparison(b: Benchmark, measures: list[str] | None = None) -> pd.DataFrame:
    """Every chosen ASCOF measure for the council and year, against its group, England and region.

    Parameters
    ----------
    b
        From :func:`helpers.analysis.benchmarking.groups.setup`.
    measures
        Codes of either framework (default all), matched by stable id; measures with no value for any council in
        the year are left out (see :func:`not_published`).

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure_code``, ``measure`` (short name), ``polarity``, ``unit``, ``value``,
        ``value_status``, ``lower``, ``upper``, ``interval``, the fields of
        :func:`helpers.analysis.benchmarking.groups.position` (group median, quartiles, rank, MAD distances and
        verdicts, outlier), ``england``, ``region`` (published values), ``vs_group`` and ``vs_england`` (the
        verdicts shown: interval comparison where there is an interval, else the MAD verdict) and ``basis``.
    """
    if availability(b) is not None:
        return pd.DataFrame()
    df = ascof_values()
    yr = df[df["year"] == b.year]
    # by stable id: 2A(2) or 2C chosen, the year's own code published (2C in 2023-24)
    yr = yr[yr["measure_id"].isin(identity.ids_of(measures))] if measures else yr[yr["measure_code"].isin(
        registry()["measure_code"])]
    every = sorted(councils.current(b.year)["gss_code"])
    rows = []
    for code, part in yr.groupby("measure_code", sort=False):
        if part["value"].notna().sum() == 0:
            continue
        cl = part[part["level"] == "council"]
        vals = cl.set_index("gss_code")["value"]
        vals = vals[~vals.index.duplicated()].reindex(sorted(set(every) | set(vals.index)))
        pol = part["polarity"].iloc[0]
        floor = stats.mad_floor(part["scale"].iloc[0], int(digits(part["measure_id"].iloc[:1]).iloc[0]))
        pos = position(vals, b.data_code, b.group, pol, scaled=b.mad_scaled, mad_floor=floor)
        mine = cl[cl["gss_code"] == b.data_code]
        m = mine.iloc[0] if len(mine) else None
        eng = part.loc[part["level"] == "england", "value"]
        reg = part.loc[part["gss_code"] == b.region_code, "value"]
        row: dict[str, Any] = {
            "measure_code": code, "measure_id": part["measure_id"].iloc[0], "measure": identity.short_name(part["measure_id"].iloc[0],
                                                                 part["measure_name"].iloc[0]),
            "code_shown": identity.code_shown(part["measure_code"].iloc[:1], identity.earlier_code(
                part["measure_id"].iloc[:1], part["framework"].iloc[:1])).iloc[0], "polarity": pol,
            "unit": part["unit"].iloc[0], **pos,
            "value_status": m["value_status"] if m is not None else "missing",
            "lower": m["lower"] if m is not None else np.nan, "upper": m["upper"] if m is not None else np.nan,
            "interval": m["interval"] if m is not None else "",
            "interval_reason": m["interval_reason"] if m is not None else "",
            "count": m["count"] if m is not None else np.nan,
            "count_basis": m["count_basis"] if m is not None else "",
            "small_count": bool(m["small_count"]) if m is not None else False,
            "england": float(eng.iloc[0]) if len(eng) else np.nan,
            "region": float(reg.iloc[0]) if len(reg) else np.nan,
            "survey_based": bool(part["survey_based"].iloc[0]),
            "source_id": m["source_id"] if m is not None else part["source_id"].iloc[0],
        }
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    has_ci = out["lower"].notna() & out["upper"].notna()
    places = digits(out["measure_id"])
    # limits at the precision the value is published to: an upper limit of 99.957 against a median of 100.0
    # reads "100.0" and touches it (similar)
    lo_r, hi_r = rounded(out["lower"], places), rounded(out["upper"], places)
    ci_group = stats.compare_to_benchmark(lo_r, hi_r, rounded(out["group_median"], places), out["polarity"])
    ci_eng = stats.compare_to_benchmark(lo_r, hi_r, out["england"], out["polarity"])
    scale = "scaled MADs" if b.mad_scaled else "MADs"
    out["vs_group"] = np.where(has_ci, ci_group.map(significance_words), out["group_verdict"])
    out["vs_england"] = np.where(has_ci & out["england"].notna(), ci_eng.map(significance_words),
                                 np.where(out["england"].isna(), "no England value",
                                          "not tested (no interval)"))
    out["england_diff"] = out["value"] - out["england"]
    out["basis"] = np.where(has_ci, out["interval"] + " interval against the value",
                            "distance from the median in " + scale + " (a distance, not a test)")
    out["tested"] = has_ci
    no_ci = ~has_ci & out["value"].notna() & (out["reason"] == "")
    out.loc[no_ci, "reason"] = out.loc[no_ci, "interval_reason"].where(
        out.loc[no_ci, "interval_reason"] != "numerator and denominator not published for this year", "")
    missing = out["value"].isna()
    out.loc[missing, "reason"] = "no value for the council (" + status_words(out.loc[missing, "value_status"]) + ")"
    return out.reset_index(drop=True)


#: Words of a significance test (an interval against a value), by the word of
#: :func:`helpers.analysis.stats.compare_to_benchmark`: only these verdicts say "significantly".
SIGNIFICANCE_WORDS: dict[str, str] = {
    "better": "significantly better", "worse": "significantly worse", "higher": "significantly higher",
    "lower": "significantly lower", "similar": "not significantly different", stats.NOT_COMPARED: stats.NOT_COMPARED,
}


def significance_words(word: str) -> str:
    """The words of a significance test for a :func:`~helpers.analysis.stats.compare_to_benchmark` label."""
    return SIGNIFICANCE_WORDS.get(word, word)


def digits(measure_ids: pd.Series) -> pd.Series:
    """Decimals to show for each ASCOF measure (by stable ``measure_id``, since a code may be reused): 3 for
    measures on a 0-1 scale (1J), else 1."""
    scale = registry().drop_duplicates("measure_id").set_index("measure_id")["scale"]
    return measure_ids.map(scale).eq("0-1").map({True: 3, False: 1})


def rounded(values: pd.Series, places: pd.Series) -> pd.Series:
    """``values`` each rounded to its own number of decimals (NaN kept)."""
    return pd.Series([round(float(v), int(d)) if pd.notna(v) else np.nan for v, d in zip(values, places, strict=True)],
                     index=values.index, dtype=float)


def trend(b: Benchmark, measures: list[str] | tuple[str, ...] = TREND_MEASURES) -> pd.DataFrame:
    """The council's value, its group's median and England's value for every year, per measure.

    The council follows its series code (same-area recodes joined); the group is the chosen year's
    group, each member under its series code; a year where fewer than :data:`MIN_GROUP` members have a
    value has no median.

    Returns
    -------
    pandas.DataFrame
        ``measure_code``, ``measure``, ``unit``, ``polarity``, ``year``, ``council``, ``group_median``,
        ``group_n``, ``england``; sorted by measure (registry order) and year.
    """
    df = ascof_values()
    ids = identity.ids_of(list(measures))
    df = df[df["measure_id"].isin(ids)]
    group_series = set(series_code(pd.Series(list(b.group), dtype=object)))
    cl = df[df["level"] == "council"]
    k = ["measure_id", "year"]
    mine = cl[cl["series_code"] == b.series_code].set_index(k)["value"]
    grp = cl[cl["series_code"].isin(group_series)].groupby(k)["value"]
    med = grp.median().where(grp.count() >= MIN_GROUP)
    eng = df[df["level"] == "england"].set_index(k)["value"]
    keys = df[[*k, "measure_code", "framework", "unit", "polarity"]].drop_duplicates(k)
    keys = keys[df.groupby(k)["value"].transform("count").loc[keys.index] > 0]
    idx = pd.MultiIndex.from_frame(keys[k])
    earlier = identity.earlier_code(keys["measure_id"], keys["framework"])
    out = keys.reset_index(drop=True).assign(
        measure=[identity.short_name(i, i) for i in keys["measure_id"]],
        earlier_code=earlier.to_numpy(), code_shown=identity.code_shown(keys["measure_code"], earlier).to_numpy(),
        council=mine.reindex(idx).to_numpy(), group_median=med.reindex(idx).to_numpy(),
        group_n=grp.count().reindex(idx).fillna(0).astype(int).to_numpy(), england=eng.reindex(idx).to_numpy())
    order = {c: i for i, c in enumerate(ids)}
    return out.sort_values(k, key=lambda s: s.map(order) if s.name == "measure_id" else s).reset_index(drop=True)


def trend_summary(b: Benchmark, measures: list[str] | None = None) -> pd.DataFrame:
    """Per measure: the council's values by year and whether they show a trend (Mann-Kendall).

    A trend is tested only on at least 5 annual values of one unbroken series: not across a boundary
    change (the council's own series starts in its first year) nor across a series break (the
    ``ascof_series_breaks`` table, read by :mod:`helpers.analysis.benchmarking.identity`).

    Returns
    -------
    pandas.DataFrame
        ``Measure`` (the latest code shown, ``2C (was 2A(2))``), one column per year (the council's value),
        ``Trend`` (increasing / decreasing / no significant change ...), ``Series`` (a start or end at the
        renumbering, :func:`helpers.analysis.benchmarking.identity.series_note`; ``""`` if none), ``Better if``.
    """
    if not b.available:
        return pd.DataFrame()
    reg = registry()
    codes = measures or list(reg["measure_code"])
    t = trend(b, codes)
    if t["council"].notna().sum() == 0:
        return pd.DataFrame()
    wide = t.pivot_table(index="measure_id", columns="year", values="council", aggfunc="first")
    wide = wide.reindex([i for i in dict.fromkeys(t["measure_id"]) if i in wide.index])
    last = t.groupby("measure_id")[["code_shown", "measure_code"]].last()
    verdicts, series = [], []
    for mid, row in wide.iterrows():
        s = row.dropna()
        said = identity.series_note(str(mid), str(s.index.max()) if len(s) else None)
        series.append(said)
        brk = identity.last_unbroken(str(mid), list(s.index))
        note = ""
        if brk:
            s = s[s.index >= brk]
            note = f" (since the {brk} series break)"
        res = stats.trend_test(list(s.index), s.to_numpy(), min_points=5)
        verdicts.append(res["direction"] + note)
    places = digits(pd.Series(wide.index, index=wide.index))
    out = wide.apply(lambda col: rounded(col, places)).reset_index(drop=True)
    # the code of the report's year where the measure has one (2D(1) (was 2B(1)) in a 2023-24 report, also when
    # the year has no value for it), else its latest code
    label = [identity.shown_in_year(str(m), b.year) or str(last.at[m, "code_shown"]) for m in wide.index]
    out.insert(0, "Measure", label)
    out.columns.name = None
    out["Trend"] = verdicts
    out["Series"] = series
    out["Better if"] = t.groupby("measure_id")["polarity"].last().reindex(wide.index).to_numpy()
    return out


