"""ASCOF outcomes benchmarking: intervals, comparison with a group, spine and trend data, the council's own values.

Used by ``notebooks/02_ascof_benchmarking.ipynb`` with a :class:`helpers.analysis.benchmarking.spend.Benchmark` from
:func:`helpers.analysis.benchmarking.spend.setup`. Methods (``docs/methods.md``, section *Benchmarking*):

* the interval of each value follows the measure registry (``ascof_measures``: ``ci_method`` and
  ``comparison``): Wilson for proportions, Byar for rates per 100,000, the published margin of error for
  survey measures, none where the registry says so or the numerator and denominator are not published
  (in the national files here they are published for 2020-21 only);
* with an interval, the verdict is the council's interval against the comparator value (Fingertips):
  better / similar / worse by the measure's polarity; without one, the distance from the median in MADs
  with Oflog's wording (broadly similar, slightly / - / much better or worse);
* the comparator median is over the council and its comparators with a value (at least
  :data:`helpers.analysis.benchmarking.spend.MIN_GROUP` comparators); the England value is the published England figure, and
  the MAD distance against England is from the median of all councils (Oflog's method).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.analysis.benchmarking.spend import (
    MIN_GROUP,
    Benchmark,
    _range_text,
    _rank_text,
    _record,
    _signed1,
    _stamp,
    _table,
    group_shortfall,
    noted,
    plain_summary,
    position,
    scale_note,
    series_code,
    source_files,
    status_words,
)
from helpers.core.errors import MissingDataError, ParameterError

#: Short names for tables and charts (the registry keeps the handbook's full names).
SHORT_NAMES: dict[str, str] = {
    "1A": "Quality of life of people who use services",
    "1B": "People who use services who have control over their daily life",
    "1C(1A)": "People who use services receiving self-directed support",
    "1C(1B)": "Carers receiving self-directed support",
    "1C(2A)": "People who use services receiving direct payments",
    "1C(2B)": "Carers receiving direct payments",
    "1D": "Carer-reported quality of life",
    "1E": "Adults with a learning disability in paid employment",
    "1F": "Adults in secondary mental health services in paid employment",
    "1G": "Adults with a learning disability living in their own home or with family",
    "1H": "Adults in secondary mental health services living independently",
    "1I(1)": "People who use services with as much social contact as they would like",
    "1I(2)": "Carers with as much social contact as they would like",
    "1J": "Impact of adult social care services on quality of life",
    "2A(1)": "Permanent admissions to care homes, aged 18-64, per 100,000",
    "2A(2)": "Permanent admissions to care homes, aged 65+, per 100,000",
    "2B(1)": "Older people still at home 91 days after reablement",
    "2B(2)": "Older people offered reablement after hospital discharge",
    "2C(1)": "Delayed transfers of care, per 100,000",
    "2C(2)": "Delayed transfers of care attributable to social care, per 100,000",
    "2C(3)": "Delayed transfers of care jointly attributable, per 100,000",
    "2D": "Short-term support ending with no or lower-level ongoing support",
    "3A": "Satisfaction of people who use services",
    "3B": "Satisfaction of carers",
    "3C": "Carers included or consulted",
    "3D(1)": "People who use services finding it easy to find information",
    "3D(2)": "Carers finding it easy to find information",
    "4A": "People who use services who feel safe",
    "4B": "People who say services made them feel safe and secure",
}
#: Changes of definition that start a new series (from the registry's notes): measure -> first new year.
DEFINITION_BREAKS: dict[str, str] = {"1H": "2021-22"}
#: Comparison level of each registry ``comparison`` value (``None`` = no interval comparison).
LEVELS: dict[str, float | None] = {"ci95": 0.95, "ci998": 0.998}
_METHOD_LABEL = {"wilson": "Wilson", "byar": "Byar", "survey_moe": "published margin of error"}
#: The year the Adult Social Care Survey was voluntary (COVID): most councils have no survey measures.
VOLUNTARY_SURVEY_YEAR = "2020-21"
#: Measures drawn as trend panels by default (the seeds' own ASCOF measures and the spend partners).
TREND_MEASURES: tuple[str, ...] = ("1G", "2A(2)", "2B(1)", "2D")


# ------------------------------------------------------------------------------------------------
# all councils, every year
# ------------------------------------------------------------------------------------------------


def _intervals(df: pd.DataFrame) -> pd.DataFrame:
    """Lower and upper limits (in the measure's unit) and what they are, per row, by the registry's method."""
    lo = pd.Series(np.nan, index=df.index)
    hi = pd.Series(np.nan, index=df.index)
    label = pd.Series("", index=df.index, dtype=object)
    reason = pd.Series("", index=df.index, dtype=object)
    level = df["comparison"].map(LEVELS)
    num_ok = (df["numerator_status"] == "reported") & (df["denominator_status"] == "reported")
    for (method, lev), idx in df.groupby([df["ci_method"], level.fillna(-1)]).groups.items():
        part = df.loc[idx]
        if lev < 0:
            reason[idx] = "the registry gives no interval comparison for this measure"
            continue
        pct = f"{lev * 100:g}%"
        if method in ("wilson", "byar"):
            ok = num_ok[idx] & (part["denominator"] > 0) & (part["numerator"] >= 0)
            if method == "wilson":
                bad = ok & (part["numerator"] > part["denominator"])
                reason[bad[bad].index] = "numerator larger than denominator: no interval"
                ok &= ~bad
                k, n, mult = part["numerator"][ok], part["denominator"][ok], part["multiplier"][ok]
                a, b = stats.wilson_ci(k, n, level=lev)
                lo[ok[ok].index], hi[ok[ok].index] = a * mult, b * mult
            else:
                k, n, mult = part["numerator"][ok], part["denominator"][ok], part["multiplier"][ok]
                a, b = stats.rate_ci(k, n, per=1.0, level=lev)
                lo[ok[ok].index], hi[ok[ok].index] = a * mult, b * mult
            label[ok[ok].index] = f"{_METHOD_LABEL[method]} {pct}"
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


def _build_values(ascof: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    df = ascof[ascof["primary"] & (ascof["disaggregation"] == "Total")].copy()
    df = df.rename(columns={"geography_level": "level"})
    reg = registry[["measure_code", "polarity", "ci_method", "comparison", "multiplier", "survey_based",
                    "years_available"]]
    df = df.merge(reg, on="measure_code", how="left", validate="many_to_one")
    unknown = df["polarity"].isna()
    if unknown.any():
        raise MissingDataError(f"ASCOF measure {df.loc[unknown, 'measure_code'].iloc[0]!r} is not in the measure "
                               "registry (data/raw/reference/ascof_measures.csv)")
    df = pd.concat([df, _intervals(df)], axis=1)
    df["series_code"] = series_code(df["gss_code"])
    order = {c: i for i, c in enumerate(registry["measure_code"])}
    df["_o"] = df["measure_code"].map(order)
    return df.sort_values(["year", "_o", "gss_code"]).drop(columns="_o").reset_index(drop=True)


@lru_cache(maxsize=2)
def _values_cached(stamp: tuple[int, ...]) -> pd.DataFrame:
    return _build_values(_table("ascof", stamp[0]), _table("ascof_measures", stamp[1]))


def ascof_values() -> pd.DataFrame:
    """Every ASCOF value (Total, one row per area, year and measure) with its registry entry and interval.

    Returns
    -------
    pandas.DataFrame
        The ``ascof`` table's primary ``Total`` rows with ``level`` (council, region, england), the
        registry's ``polarity``, ``ci_method``, ``comparison``, ``multiplier``, and ``lower``, ``upper``
        (in the measure's unit), ``interval`` (method and level), ``interval_reason`` (why there is none),
        ``series_code``. Cached per process: do not modify it.
    """
    stamp = _stamp("ascof", "ascof_measures", "councils")
    _record("ascof", "ascof_measures")
    return _values_cached(stamp)


@lru_cache(maxsize=2)
def _registry_cached(stamp: int) -> pd.DataFrame:
    return _table("ascof_measures", stamp)


def registry() -> pd.DataFrame:
    """The ASCOF measure registry (table ``ascof_measures``), cached."""
    stamp = _stamp("ascof_measures")[0]
    _record("ascof_measures")
    return _registry_cached(stamp)


def ascof_years() -> list[str]:
    """Financial years with ASCOF values."""
    return sorted(ascof_values()["year"].unique())


def parse_measures(value: str | list[str] | None) -> list[str]:
    """Read a ``measures`` parameter: ``'all'`` or ASCOF codes separated by commas (``'1G, 2A(2)'``).

    Codes are matched to the registry ignoring case and spaces; ``2A2`` and ``2A.2`` mean ``2A(2)``.

    Raises
    ------
    ParameterError
        A code that is not in the registry (listing the codes there are).
    """
    codes = list(registry()["measure_code"])
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "all")):
        return codes
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    key = {re.sub(r"[^0-9A-Z]", "", c.upper()): c for c in codes}
    out = []
    for item in items:
        k = re.sub(r"[^0-9A-Z]", "", str(item).upper())
        if not k:
            continue
        if k not in key:
            raise ParameterError(f"parameter 'measures': {str(item).strip()!r} is not an ASCOF measure; "
                                 f"measures are {', '.join(codes)} (or 'all')")
        out.append(key[k])
    return [c for c in codes if c in set(out)]


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


def note(b: Benchmark, comp: pd.DataFrame | None = None) -> str:
    """What the reader needs before the measure table: the MAD used, whether any value has an interval, and
    why values are missing, if they are (plain text; :func:`intro` is the report's version)."""
    why = availability(b)
    text = scale_note(b)
    if comp is not None and not comp.empty and comp["lower"].isna().all():
        text += (f" No measure has an interval for {b.year}: the national files publish numerators and "
                 "denominators for 2020-21 only, so every verdict is a distance from the median in MADs.")
    return text + (f" **{why}**" if why else "")


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


def intro(b: Benchmark, comp: pd.DataFrame, measures: list[str] | None = None) -> Any:
    """The paragraph before the measure table: the MAD used, intervals, survey measures; a run note when the
    report has little to show (:func:`problem`)."""
    text = note(b, comp if availability(b) is None else None).split(" **")[0]
    if availability(b) is None and not comp.empty and comp["survey_based"].any():
        text += (" Measures marked *(survey)* come from the Adult Social Care Survey or the carers' survey: "
                 "estimates from a sample of people, with a margin of error.")
    return noted(text, problem(b, comp, measures))


def not_published(b: Benchmark, measures: list[str] | None = None) -> pd.DataFrame:
    """The chosen measures with no value for any council in the year, and why (from the registry).

    Empty when the year has no ASCOF values at all (:func:`availability` says so).
    """
    if b.year not in ascof_years():
        return pd.DataFrame()
    reg = registry()
    df = ascof_values()
    have = set(df.loc[(df["year"] == b.year) & df["value"].notna(), "measure_code"])
    sel = reg[reg["measure_code"].isin(measures or reg["measure_code"]) & ~reg["measure_code"].isin(have)]
    return pd.DataFrame({
        "Measure": sel["measure_code"], "Name": sel["measure_code"].map(SHORT_NAMES),
        "Published for": sel["years_available"].str.replace(";", ", "),
        "Note": sel["notes"].fillna(""),
    }).reset_index(drop=True)


def comparison(b: Benchmark, measures: list[str] | None = None) -> pd.DataFrame:
    """Every chosen ASCOF measure for the council and year, against its group, England and region.

    Parameters
    ----------
    b
        From :func:`helpers.analysis.benchmarking.spend.setup`.
    measures
        Registry codes (default all); measures with no value for any council in the year are left out
        (see :func:`not_published`).

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure_code``, ``measure`` (short name), ``polarity``, ``unit``, ``value``,
        ``value_status``, ``lower``, ``upper``, ``interval``, the fields of
        :func:`helpers.analysis.benchmarking.spend.position` (group median, quartiles, rank, MAD distances and verdicts,
        outlier), ``england``, ``region`` (published values), ``vs_group`` and ``vs_england`` (the
        verdicts shown: interval comparison where there is an interval, else the MAD verdict) and ``basis``.
    """
    if availability(b) is not None:
        return pd.DataFrame()
    df = ascof_values()
    yr = df[df["year"] == b.year]
    yr = yr[yr["measure_code"].isin(measures or registry()["measure_code"])]
    rows = []
    for code, part in yr.groupby("measure_code", sort=False):
        if part["value"].notna().sum() == 0:
            continue
        cl = part[part["level"] == "council"]
        vals = cl.set_index("gss_code")["value"]
        pol = part["polarity"].iloc[0]
        pos = position(vals, b.data_code, b.group, pol, scaled=b.mad_scaled)
        mine = cl[cl["gss_code"] == b.data_code]
        m = mine.iloc[0] if len(mine) else None
        eng = part.loc[part["level"] == "england", "value"]
        reg = part.loc[part["gss_code"] == b.region_code, "value"]
        row: dict[str, Any] = {
            "measure_code": code, "measure": SHORT_NAMES.get(code, part["measure_name"].iloc[0]), "polarity": pol,
            "unit": part["unit"].iloc[0], **pos,
            "value_status": m["value_status"] if m is not None else "missing",
            "lower": m["lower"] if m is not None else np.nan, "upper": m["upper"] if m is not None else np.nan,
            "interval": m["interval"] if m is not None else "",
            "interval_reason": m["interval_reason"] if m is not None else "",
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
    ci_group = stats.compare_to_benchmark(out["lower"], out["upper"], out["group_median"], out["polarity"])
    ci_eng = stats.compare_to_benchmark(out["lower"], out["upper"], out["england"], out["polarity"])
    scale = "scaled MADs" if b.mad_scaled else "MADs"
    out["vs_group"] = np.where(has_ci, ci_group, out["group_verdict"])
    out["vs_england"] = np.where(has_ci, ci_eng, out["england_verdict"])
    out["basis"] = np.where(has_ci, out["interval"] + " interval against the value",
                            "distance from the median in " + scale)
    no_ci = ~has_ci & out["value"].notna() & (out["reason"] == "")
    out.loc[no_ci, "reason"] = out.loc[no_ci, "interval_reason"].where(
        out.loc[no_ci, "interval_reason"] != "numerator and denominator not published for this year", "")
    missing = out["value"].isna()
    out.loc[missing, "reason"] = "no value for the council (" + status_words(out.loc[missing, "value_status"]) + ")"
    return out.reset_index(drop=True)


def digits(codes: pd.Series) -> pd.Series:
    """Decimals to show for each ASCOF measure code: 3 for measures on a 0-1 scale (1J), else 1."""
    scale = registry().set_index("measure_code")["scale"]
    return codes.map(scale).eq("0-1").map({True: 3, False: 1})


def _rounded(values: pd.Series, places: pd.Series) -> pd.Series:
    """``values`` each rounded to its own number of decimals (NaN kept)."""
    return pd.Series([round(float(v), int(d)) if pd.notna(v) else np.nan for v, d in zip(values, places, strict=True)],
                     index=values.index, dtype=float)


def ascof_number(x: float) -> str:
    """An ASCOF value as published: 1 decimal with thousands separators, or up to 3 below 1 (1J: 0.411)."""
    x = float(x)
    if abs(x) < 1:
        return (f"{x:.3f}".rstrip("0").rstrip(".")) or "0"
    return f"{x:,.1f}"


def ascof_source(source_ids: pd.Series | list[str], years: str) -> str:
    """Sources line of an ASCOF table: the publications and their files."""
    ids = sorted(set(source_ids))
    what = []
    if "ascof_trend" in ids:
        what.append(f"NHS England ASCOF time series ({years})")
    if "ascof_2020_21_open_data" in ids:
        what.append("NHS Digital ASCOF 2020-21 open data (values, numerators, denominators, margins of error)")
    return "; ".join(what) + (f" ({source_files(ids)})" if ids else "")


def comparison_display(b: Benchmark, comp: pd.DataFrame) -> Any:
    """:func:`comparison` for the reader: value, interval, group median and rank, England, region, verdicts.

    Values are shown to the decimals ASCOF publishes (group medians of an even count rounded to them); the
    interval column is left out when no measure has one (the paragraph above says why), and "How judged" is
    said once above the table when it is the same for every row. Survey measures are marked.
    """
    from helpers.reports import present as report

    d = comp.copy()
    note = f"{b.year}; units as published: per cent, rate per 100,000 (2A) or score (1A, 1D, 1J)"
    cols = {"measure_code": "ASCOF", "measure": "Measure", "better_if": "Better if", "value": "Council",
            "ci": "Interval", "group_median": "Group median", "rank_text": "Rank (1 = best)",
            "england": "England", "region": "Region", "vs_group": "Against the group",
            "vs_england": "Against England", "basis": "How judged", "note": "Note"}
    if not d.empty:
        places = digits(d["measure_code"])
        d["better_if"] = d["polarity"].map({"higher": "higher", "lower": "lower", "none": "no judgement"})
        d["ci"] = [_range_text(pd.Series([lo]), pd.Series([hi]), int(p))[0]
                   for lo, hi, p in zip(d["lower"], d["upper"], places, strict=True)]
        for c in ("value", "group_median", "england", "region"):
            d[c] = _rounded(d[c], places)
        d["rank_text"] = _rank_text(d["rank"], d["rank_of"])
        d["note"] = d["reason"].where(d["reason"] != "")
        if d["lower"].isna().all():  # the paragraph above says why no measure has an interval
            d.loc[d["note"] == "no margin of error published for this year", "note"] = np.nan
        if b.year == VOLUNTARY_SURVEY_YEAR:
            unrun = d["survey_based"] & d["value"].isna()
            d.loc[unrun, "note"] = "voluntary survey"
            if unrun.any():
                note += (f". 'Voluntary survey': the {VOLUNTARY_SURVEY_YEAR} Adult Social Care Survey was voluntary and "
                         "this council has no value from it")
        d["basis"] = np.where(d["interval"].astype(bool) & d["lower"].notna(), d["interval"], "MADs")
        d["measure"] = d["measure"] + np.where(d["survey_based"], " (survey)", "")
        if d["basis"].nunique() == 1 and d["basis"].iloc[0] == "MADs":
            note += ". Verdicts: distance from the median in MADs"
            cols.pop("basis")
        else:
            note += (". How judged: the interval named (its method and level) against the comparator value, or "
                     "'MADs': the distance from the median in MADs")
        note += f". Sources: {ascof_source(d['source_id'].dropna(), b.year)}"
    return report.present(
        d, columns=cols, drop_empty=("note", "ci"),
        formats={c: ascof_number for c in ("value", "group_median", "england", "region")},
        empty=availability(b) or "None of the chosen measures has a value this year.", note=note)


def not_published_display(b: Benchmark, measures: list[str] | None = None) -> Any:
    """:func:`not_published` for the reader."""
    from helpers.reports import present as report

    return report.present(not_published(b, measures), columns={c: c for c in ("Measure", "Name", "Published for",
                                                                              "Note")},
                          empty=availability(b) or "Every chosen measure has values for this year.")


def outliers_display(b: Benchmark, comp: pd.DataFrame) -> Any:
    """Measures where the council is 3 or more MADs from the median of all councils (Oflog's "much ...")."""
    from helpers.reports import present as report

    sel = comp[comp["outlier"]] if not comp.empty else comp
    return report.present(
        sel, columns={"measure_code": "ASCOF", "measure": "Measure", "value": "Council",
                      "england_median": "Median of all councils", "england_mads": "MADs from the median",
                      "england_verdict": "Verdict"},
        formats={"england_mads": _signed1, "value": ascof_number, "england_median": ascof_number},
        empty=availability(b) or "On no measure is the council 3 or more MADs from the median of all councils.")


def spine(b: Benchmark, comp: pd.DataFrame) -> pd.DataFrame:
    """Data of the spine chart: each measure's spread over all councils, scaled 0 (worst) to 1 (best).

    Measures where higher is worse are flipped so that right is always better; ``none`` measures keep
    higher to the right. Only measures with a council value are drawn.

    Returns
    -------
    pandas.DataFrame
        ``measure_code``, ``label``, ``lo``, ``q1``, ``median``, ``q3``, ``hi`` (scaled: 0 and 1 are the
        worst and best council), ``council``, ``group_median``, ``england`` (scaled), ``value`` (as
        published), ``verdict`` (``vs_england``), ``unit``.
    """
    if comp.empty:
        return pd.DataFrame()
    df = ascof_values()
    yr = df[(df["year"] == b.year) & (df["level"] == "council")]
    rows = []
    for r in comp[comp["value"].notna()].itertuples():
        v = yr.loc[yr["measure_code"] == r.measure_code, "value"].dropna()
        lo, hi = float(v.min()), float(v.max())
        span = hi - lo if hi > lo else 1.0
        flip = r.polarity == "lower"

        def sc(x: float, lo: float = lo, span: float = span, flip: bool = flip) -> float:
            s = (x - lo) / span
            return 1 - s if flip else s

        q = v.quantile([0.25, 0.5, 0.75])
        a, c = sorted((sc(q[0.25]), sc(q[0.75])))
        rows.append({"measure_code": r.measure_code, "label": f"{r.measure_code} {r.measure}", "lo": 0.0, "q1": a,
                     "median": sc(q[0.5]), "q3": c, "hi": 1.0, "council": sc(r.value),
                     "group_median": sc(r.group_median) if pd.notna(r.group_median) else np.nan,
                     "england": sc(r.england) if pd.notna(r.england) else np.nan, "value": r.value,
                     "verdict": r.vs_england, "unit": r.unit})
    return pd.DataFrame(rows)


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
    df = df[df["measure_code"].isin(measures)]
    group_series = set(series_code(pd.Series(list(b.group), dtype=object)))
    cl = df[df["level"] == "council"]
    mine = cl[cl["series_code"] == b.series_code].set_index(["measure_code", "year"])["value"]
    grp = cl[cl["series_code"].isin(group_series)].groupby(["measure_code", "year"])["value"]
    med = grp.median().where(grp.count() >= MIN_GROUP)
    eng = df[df["level"] == "england"].set_index(["measure_code", "year"])["value"]
    keys = df[["measure_code", "year", "unit", "polarity"]].drop_duplicates(["measure_code", "year"])
    keys = keys[df.groupby(["measure_code", "year"])["value"].transform("count").loc[keys.index] > 0]
    idx = pd.MultiIndex.from_frame(keys[["measure_code", "year"]])
    out = keys.reset_index(drop=True).assign(
        measure=keys["measure_code"].map(SHORT_NAMES).to_numpy(),
        council=mine.reindex(idx).to_numpy(), group_median=med.reindex(idx).to_numpy(),
        group_n=grp.count().reindex(idx).fillna(0).astype(int).to_numpy(), england=eng.reindex(idx).to_numpy())
    order = {c: i for i, c in enumerate(measures)}
    return out.sort_values(["measure_code", "year"], key=lambda s: s.map(order) if s.name == "measure_code" else s
                           ).reset_index(drop=True)


def trend_summary(b: Benchmark, measures: list[str] | None = None) -> pd.DataFrame:
    """Per measure: the council's values by year and whether they show a trend (Mann-Kendall).

    A trend is tested only on at least 5 annual values of one unbroken series: not across a boundary
    change (the council's own series starts in its first year) nor across a change of definition
    (:data:`DEFINITION_BREAKS`).

    Returns
    -------
    pandas.DataFrame
        ``Measure``, one column per year (the council's value), ``Trend`` (increasing / decreasing / no
        significant change / not enough points ...) and ``Better if``.
    """
    if not b.available:
        return pd.DataFrame()
    reg = registry()
    codes = measures or list(reg["measure_code"])
    t = trend(b, codes)
    if t["council"].notna().sum() == 0:
        return pd.DataFrame()
    wide = t.pivot_table(index="measure_code", columns="year", values="council", aggfunc="first")
    wide = wide.reindex([c for c in codes if c in wide.index])
    verdicts = []
    for code, row in wide.iterrows():
        s = row.dropna()
        brk = DEFINITION_BREAKS.get(code)
        note = ""
        if brk and (s.index < brk).any() and (s.index >= brk).any():
            s = s[s.index >= brk]
            note = f" (since the {brk} change of definition)"
        res = stats.trend_test(list(s.index), s.to_numpy(), min_points=5)
        verdicts.append(res["direction"] + note)
    places = digits(pd.Series(wide.index, index=wide.index))
    out = wide.apply(lambda col: _rounded(col, places)).reset_index().rename(columns={"measure_code": "Measure"})
    out.columns.name = None
    out["Trend"] = verdicts
    out["Better if"] = out["Measure"].map(reg.set_index("measure_code")["polarity"])
    return out


def trend_display(b: Benchmark, measures: list[str] | None = None) -> Any:
    """:func:`trend_summary` for the reader."""
    from helpers.reports import present as report

    t = trend_summary(b, measures)
    cols = {c: c for c in t.columns}
    years = [c for c in t.columns if re.fullmatch(r"\d{4}-\d{2}", str(c))]
    ids = ascof_values().loc[lambda v: v["year"].isin(years), "source_id"] if years else []
    return report.present(t, columns=cols, empty=" ".join(b.notes) or "No values in any year.",
                          formats={y: ascof_number for y in years},
                          note="The council's values by year (units as published); trend: Mann-Kendall test, "
                               "at least 5 years of one unbroken series. Survey measures have no 2020-21 value for "
                               "most councils (the survey was voluntary that year). Sources: "
                               + ascof_source(ids, f"{years[0]} to {years[-1]}" if years else ""))


# ------------------------------------------------------------------------------------------------
# the council's own report values
# ------------------------------------------------------------------------------------------------

#: How a council report's KPI is recognised as an ASCOF measure: (national code, pattern its name must
#: match, units it may be in). Code and name must agree (labels in council reports vary: Stockport's
#: 2023-24 report prints the 2023 framework's "2A" for the short-term services measure 2D, and "2C" for
#: older people's admissions 2A(2)); a "Local" definition never matches.
KPI_PATTERNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("2D", r"short[- ]term services", ("%",)),
    ("2A(2)", r"(?:65|older).*(?:admi|care home)|admi.*(?:65|older)",
     ("rate per 100,000", "rate per 100,000 population aged 65+")),
    ("2A(1)", r"(?:18-64|younger).*(?:admi|care home)|admi.*(?:18-64|younger)",
     ("rate per 100,000", "rate per 100,000 population aged 18-64")),
    ("2B(1)", r"91 days", ("%",)),
    ("1C(1A)", r"^(?!.*carer).*(?:self[- ]directed|personalised)", ("%",)),
    ("1C(1B)", r"carer.*self[- ]directed", ("%",)),
    ("1C(2A)", r"^(?!.*carer).*direct payment", ("%",)),
    ("1C(2B)", r"carer.*direct payment", ("%",)),
    ("1E", r"learning disabilit.*paid employment", ("%",)),
    ("1G", r"learning disabilit.*(?:own home|living independently|with their family)", ("%",)),
    ("1F", r"mental health.*paid employment", ("%",)),
    ("1H", r"mental health.*living independently", ("%",)),
)


def _kpi_code_ok(code: str) -> bool:
    """A council code that may denote a national ASCOF measure (an ASCOF/BCF label, not a local variant)."""
    c = str(code).upper()
    return "LOCAL" not in c and bool(re.search(r"\b(ASCOF\s*)?[1-4][A-J]", c))


def match_kpis(kpis: pd.DataFrame) -> pd.DataFrame:
    """Map council-report KPIs to national ASCOF measures by name, unit and code label.

    Returns
    -------
    pandas.DataFrame
        The KPI rows that match exactly one measure, with ``measure_code``.
    """
    if kpis.empty:
        return kpis.assign(measure_code=pd.Series(dtype=object))
    names = kpis["kpi_name"].fillna("").str.lower()
    units = kpis["unit"].fillna("").str.lower().str.strip()
    codes = kpis["kpi_code"].fillna("")
    found = pd.Series([[] for _ in range(len(kpis))], index=kpis.index, dtype=object)
    for code, pattern, ok_units in KPI_PATTERNS:
        hit = names.str.contains(pattern, regex=True) & units.isin(ok_units) & codes.map(_kpi_code_ok)
        for i in hit[hit].index:
            found[i] = [*found[i], code]
    one = found.map(len) == 1
    return kpis[one].assign(measure_code=found[one].map(lambda v: v[0]))


def annual_values(kpis: pd.DataFrame) -> pd.DataFrame:
    """The full-year values a council report prints: year-end values and previous years' outturns.

    Returns
    -------
    pandas.DataFrame
        ``measure_code``, ``kpi_code``, ``year``, ``council_value``, ``source_document``, ``where`` (which
        figure of the report).
    """
    m = match_kpis(kpis)
    parts = []
    ye = m[m["period"] == "YE"]
    parts.append(pd.DataFrame({"year": ye["year"], "council_value": ye["value"], "where": "year-end value",
                               "idx": ye.index}))
    for col, vcol in (("previous_period", "previous_value"), ("previous2_period", "previous2_value")):
        ok = m[col].fillna("").str.fullmatch(r"\d{4}-\d{2}") & m[vcol].notna()
        parts.append(pd.DataFrame({"year": m.loc[ok, col], "council_value": m.loc[ok, vcol],
                                   "where": "earlier year", "idx": m.index[ok]}))
    out = pd.concat(parts, ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=["measure_code", "kpi_code", "year", "council_value", "source_document", "where"])
    src = m.loc[out["idx"]]
    out["measure_code"] = src["measure_code"].to_numpy()
    out["kpi_code"] = src["kpi_code"].to_numpy()
    out["source_document"] = src["source_document"].to_numpy()
    out["report_year"] = src["year"].to_numpy()
    out["where"] = np.where(out["where"] == "year-end value", "year-end value",
                            "earlier year printed in the " + out["report_year"] + " report")
    out = out.drop(columns="idx").drop_duplicates(["measure_code", "year", "council_value", "kpi_code"])
    return out.sort_values(["measure_code", "year", "report_year"]).reset_index(drop=True)


def council_reported(b: Benchmark, tolerance: float = 0.05) -> tuple[pd.DataFrame, str]:
    """The council's own report values for ASCOF measures next to the national values, and where they differ.

    Uses the ``council_kpis`` table (the councils' report figures); a value is compared when it is a full
    financial year's value for a year the national files cover. Values differ when they are more than
    ``tolerance`` apart (half a unit of the one decimal both print).

    Returns
    -------
    (table, message)
        ``Measure``, ``Year``, ``Report label``, ``National value``, ``Council report``, ``Difference``,
        ``Same?``, ``Where in the report``; and a sentence for the reader (also when there is nothing).
    """
    from helpers.data import tables

    if not tables.available("council_kpis"):
        return pd.DataFrame(), ("The councils' own report figures (table `council_kpis`) are not built, so the "
                                "report's values cannot be shown next to the national ones.")
    stamp = _stamp("council_kpis")[0]
    _record("council_kpis")
    kpis = _table("council_kpis", stamp)
    mine = kpis[series_code(kpis["gss_code"]) == b.series_code]
    if mine.empty:
        return pd.DataFrame(), (f"No report figures of {b.name} are transcribed in `data/raw/councils/`, so only the "
                                "national values are shown.")
    vals = annual_values(mine)
    nat = ascof_values()
    nat = nat[(nat["series_code"] == b.series_code)][["measure_code", "year", "value"]]
    both = vals.merge(nat, on=["measure_code", "year"], how="inner")
    if both.empty:
        return pd.DataFrame(), (f"{b.name}'s transcribed reports give no full-year ASCOF value for a year the national "
                                f"files cover ({', '.join(ascof_years())}).")
    diff = (both["council_value"] - both["value"]).round(2)
    out = pd.DataFrame({
        "Measure": both["measure_code"], "Year": both["year"], "Report label": both["kpi_code"],
        "National value": both["value"], "Council report": both["council_value"], "Difference": diff,
        "Same?": np.where(diff.abs() <= tolerance, "same", "DIFFERENT"), "Where in the report": both["where"],
    }).sort_values(["Measure", "Year", "Where in the report"]).reset_index(drop=True)
    n = int((out["Same?"] == "DIFFERENT").sum())
    msg = (f"{len(out)} full-year value(s) in {b.name}'s own reports can be set against the national files: "
           + (f"{n} differ by more than {tolerance:g}." if n else "all agree."))
    return out, msg


def reported_display(b: Benchmark) -> Any:
    """:func:`council_reported` for the reader: the table with its one-sentence summary above it."""
    from helpers.reports import present as report

    table, message = council_reported(b)
    return report.present(table, columns={c: c for c in table.columns}, empty=message, note=message,
                          formats={"National value": "num", "Council report": "num", "Difference": _signed1})


# ------------------------------------------------------------------------------------------------
# charts (drawn by helpers.reports.plots)
# ------------------------------------------------------------------------------------------------

SOURCE = "NHS England, Adult Social Care Outcomes Framework (ASCOF) {years}; Oflog nearest neighbours"


def spine_figure(b: Benchmark, comp: pd.DataFrame) -> Any:
    """Spine chart of every measure with a council value (right = better)."""
    from helpers.reports import plots
    from helpers.reports.plots import benchmarking as benchmarking_charts

    title = f"ASCOF {b.year}: {b.name} on the spread of all councils"
    why = availability(b)
    if why:
        return plots.empty_chart(why, title=title, source=SOURCE.format(years=b.year))
    return benchmarking_charts.spine_chart(
        spine(b, comp), council_name=b.name, group_label=b.group_label, title=title,
        source=SOURCE.format(years=b.year),
        note="Bars: all councils with a value, scaled from the worst (left) to the best (right); "
             "where lower is better the scale is reversed. Values and verdicts: see the table above.")


def trend_figure(b: Benchmark, measures: list[str] | tuple[str, ...] = TREND_MEASURES) -> Any:
    """Small multiples of up to four measures over every year: the council, its group's median, England."""
    from helpers.reports import plots
    from helpers.reports.plots import benchmarking as benchmarking_charts

    t = trend(b, list(measures)[:4])
    title = f"ASCOF trends: {b.name}, its comparator group and England"
    years = f"{t['year'].min()} to {t['year'].max()}" if not t.empty else ""
    if t.empty or t["council"].notna().sum() == 0:
        return plots.empty_chart(f"{b.name} has no value for these measures in any year.", title=title,
                                 source=SOURCE.format(years=years))
    return benchmarking_charts.trend_panels(t, council_name=b.name, group_label=b.group_label, title=title,
                              source=SOURCE.format(years=years),
                              note="Group median shown where at least 5 comparators have a value.")


def spine_view(b: Benchmark, comp: pd.DataFrame) -> Any:
    """:func:`spine_figure` as an image for the report, or a sentence when there are no values (the paragraph
    above the measure table has said why)."""
    from helpers.reports import plots
    from helpers.reports import present as report

    if availability(b) or comp.empty or comp["value"].notna().sum() == 0:
        return report.say("*No chart: no ASCOF value for the council this year (see above).*")
    return plots.image(spine_figure(b, comp))


def trend_view(b: Benchmark, measures: list[str] | tuple[str, ...] = TREND_MEASURES) -> Any:
    """:func:`trend_figure` as an image for the report, or a sentence when the council has no value to draw."""
    from helpers.reports import plots
    from helpers.reports import present as report

    if not b.available:
        return report.say(f"*No chart: {' '.join(b.notes)}*")
    t = trend(b, list(measures)[:4])
    if t.empty or t["council"].notna().sum() == 0:
        return report.say(f"*No chart: {b.name} has no value for {', '.join(measures)} in any year.*")
    return plots.image(trend_figure(b, measures))


# ------------------------------------------------------------------------------------------------
# the councillor's summary
# ------------------------------------------------------------------------------------------------


def plain(b: Benchmark, comp: pd.DataFrame) -> pd.DataFrame:
    """:func:`helpers.analysis.benchmarking.spend.plain_summary` of the ASCOF comparison (one row per measure with a value)."""
    if comp.empty:
        return plain_summary(pd.DataFrame())
    c = comp[comp["value"].notna()]
    verdict = [v if v != stats.NOT_COMPARED else f"not compared: {r or 'no comparator value'}"
               for v, r in zip(c["vs_group"], c["reason"], strict=True)]
    places = digits(c["measure_code"])
    rows = pd.DataFrame({
        "measure": ("ASCOF " + c["measure_code"] + ": " + c["measure"]
                    + np.where(c["survey_based"], " (survey)", "")).to_numpy(),
        "unit": np.where(places == 3, "score_3", c["unit"]), "value": _rounded(c["value"], places).to_numpy(),
        "comparator": _rounded(c["group_median"], places).to_numpy(),
        "england": _rounded(c["england"], places).to_numpy(), "verdict": verdict,
        "basis": [bs.replace("against the value", "against the group median").replace(
            "from the median", "from the group median") for bs in c["basis"]],
        "source": [ascof_source([i], b.year) for i in c["source_id"]],
    })
    return plain_summary(rows)
