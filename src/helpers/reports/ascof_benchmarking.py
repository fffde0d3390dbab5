"""The ASCOF benchmarking report (notebook ``02_ascof_benchmarking``): outcomes against the group, for a reader.

:func:`prepare` checks the council, year, comparator group and the chosen measures, runs the comparison of
:mod:`helpers.analysis.benchmarking.outcomes` once, and returns an :class:`AscofBenchmarking`; each of its
methods is one cell of the notebook and returns what that cell shows. The functions below the class are the
pieces: tables (``*_display``), the spine chart's data (:func:`spine`), charts (``*_figure``) and charts or the
sentence saying why there is none (``*_view``), the paragraph before the measure table, source lines, the
councillor's table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.analysis.benchmarking import groups, identity, outcomes
from helpers.analysis.benchmarking.groups import Benchmark
from helpers.analysis.benchmarking.outcomes import (
    TREND_MEASURES,
    VOLUNTARY_SURVEY_YEAR,
    availability,
    digits,
    rounded,
)
from helpers.analysis.benchmarking.placing import missing_names
from helpers.analysis.benchmarking.reported import council_reported
from helpers.core import periods, text
from helpers.reports import ascof_benchmarking_parts as parts
from helpers.reports import plots
from helpers.reports import present as report
from helpers.reports.benchmarking import (
    BenchmarkReport,
    alt_svg,
    noted,
    plain_summary,
    range_text,
    rank_text,
    signed1,
)
from helpers.reports.plots import benchmarking as benchmarking_charts

#: The source line of the ASCOF charts (``{years}``: the years drawn).
SOURCE = "NHS England, Adult Social Care Outcomes Framework (ASCOF) {years}; Oflog nearest neighbours"


def prepare(council: str, year: str, comparator: str | list[str] = "nearest_neighbours",
            measures: str | list[str] = "all", trend_measures: str | list[str] = TREND_MEASURES,
            mad_scaled: bool = False) -> AscofBenchmarking:
    """Check the report's parameters, run the comparison once, and return the report object.

    Parameters
    ----------
    council, year, comparator, mad_scaled
        See :func:`helpers.analysis.benchmarking.groups.setup`.
    measures
        The measures of the tables (:func:`helpers.analysis.benchmarking.identity.check_measures`).
    trend_measures
        The measures drawn as trend lines (the first four of them, in registry order).

    Raises
    ------
    ParameterError
        A parameter that is not valid (the message names it).
    """
    b = groups.setup(council, year, comparator, mad_scaled=mad_scaled)
    return AscofBenchmarking(b, identity.check_measures(measures),
                             identity.check_measures(trend_measures, "trend_measures"))


class AscofBenchmarking(BenchmarkReport):
    """The ASCOF benchmarking report for one council, year and group; one method per notebook cell.

    Attributes
    ----------
    b
        The checked council, year and comparator group.
    measures, trend_measures
        The chosen registry codes.
    comp
        :func:`helpers.analysis.benchmarking.outcomes.comparison` of the chosen measures.
    plain
        The councillor's table (:func:`plain`).
    """

    subject = "adult social care outcomes (ASCOF)"

    def __init__(self, b: Benchmark, measures: list[str], trend_measures: list[str]) -> None:
        self.measures = measures
        self.trend_measures = trend_measures
        self.comp = outcomes.comparison(b, measures)
        why = availability(b)
        if why is None and (self.comp.empty or self.comp["value"].notna().sum() == 0):
            why = outcomes.problem(b, self.comp, measures)
        super().__init__(b, plain(b, self.comp), plain_empty=why or "Nothing to summarise.", no_data=why)

    def heading_lines(self) -> list[str]:
        """The council and year, then the group and the number of measures chosen."""
        return [f"Council: {self.b.name} ({self.b.council}), {self.b.year}",
                f"Comparator group: {self.b.group_label}; measures: {len(self.measures)}"]

    def summary_lines(self) -> list[str]:
        """Where the council differs most (tested against England where there is an interval; else the distance
        from the median council) and how sure that is."""
        return parts.summary_lines(self.b, self.comp)

    def every_measure(self) -> report.Parts:
        """The measure table: the paragraph on the method (a run note when there is little to show), the table."""
        return self.shown(intro(self.b, self.comp, self.measures), comparison_display(self.b, self.comp))

    def not_published(self) -> Any:
        """The chosen measures not published for the year, with the years they are."""
        return self.shown(not_published_display(self.b, self.measures))

    def spine(self) -> Any:
        """The spine chart: the council on the spread of all councils, every measure."""
        return self.shown(spine_view(self.b, self.comp))

    def funnels(self) -> Any:
        """Funnel plots of the chosen measures with counts (95% and 99.8% limits, and overdispersed ones)."""
        return self.shown(parts.funnels_view(self.b, self.measures))

    def outliers(self) -> Any:
        """Measures where the council is 3 or more MADs from the median council."""
        return self.shown(outliers_display(self.b, self.comp))

    def trend_chart(self) -> Any:
        """The trend panels of the trend measures."""
        return self.shown(trend_view(self.b, self.trend_measures))

    def trend_table(self) -> Any:
        """The council's values by year for every chosen measure, with a trend verdict."""
        return self.shown(trend_display(self.b, self.measures))

    def own_reports(self) -> Any:
        """The values the council's own reports print next to the national ones."""
        return self.shown(reported_display(self.b))

    def councillors(self) -> report.Parts:
        """The councillor's summary table, and the report's Excel workbook (cover and one sheet per table)."""
        out = super().councillors()
        if self.no_data:
            return out
        return report.Parts(*out, report.say("Every table of this report is in the workbook {f}.",
                                             f=parts.workbook(self)))

    def glossary_terms(self) -> dict[str, str]:
        """The shared terms and the ASCOF ones."""
        return {**super().glossary_terms(), **parts.ASCOF_GLOSSARY}

    def sources(self) -> Any:
        """The footnote: every publication and file the report's figures come from, once."""
        if self.no_data:
            return report.Parts()
        ids = outcomes.ascof_values()["source_id"].dropna().unique()
        years = outcomes.ascof_years()
        return report.say("Sources: {s}; ONS mid-year population estimates (the derived counts of rates per "
                          "100,000); Oflog nearest neighbours.", s=ascof_source(list(ids), f"{years[0]} to {years[-1]}"))


# ------------------------------------------------------------------------------------------------
# numbers, sources and the paragraph before the measure table
# ------------------------------------------------------------------------------------------------


def ascof_number(x: float) -> str:
    """An ASCOF value as published: 1 decimal with thousands separators, or up to 3 below 1 (1J: 0.411)."""
    x = float(x)
    if abs(x) < 1:
        return text.number(x, 3).rstrip("0").rstrip(".") or "0"
    return text.number(x, 1)


def ascof_source(source_ids: pd.Series | list[str], years: str) -> str:
    """Sources line of an ASCOF table: the publications and their files."""
    ids = sorted(set(source_ids))
    what = []
    if "ascof_trend" in ids:
        what.append(f"NHS England ASCOF time series ({years})")
    if "ascof_2020_21_open_data" in ids:
        what.append("NHS Digital ASCOF 2020-21 open data (values, numerators, denominators, margins of error)")
    return "; ".join(what) + (f" ({groups.source_files(ids)})" if ids else "")


def intro(b: Benchmark, comp: pd.DataFrame, measures: list[str] | None = None) -> Any:
    """The paragraph before the measure table: the MAD used, intervals, survey measures; a run note when the
    report has little to show (:func:`helpers.analysis.benchmarking.outcomes.problem`)."""
    message = groups.scale_note(b)
    if availability(b) is None and not comp.empty:
        if comp["lower"].isna().all():
            message += (f" No measure has an interval for {b.year}: every verdict is a distance from the median in "
                        "MADs, not a significance test.")
        if comp["survey_based"].any():
            message += (" Measures marked (survey) come from the Adult Social Care Survey or the carers' survey: "
                        "estimates from a sample of people, with a margin of error.")
        if (comp["count_basis"] == "derived").any():
            message += (" The intervals of rates per 100,000 (2A) are approximate: the count is derived from the "
                        "published rate (rounded to one decimal) and the ONS population of the age band.")
        message += (" 'Significantly' is said only where an interval was tested; a distance in MADs is a distance, "
                    "not a test.")
    return noted(message, outcomes.problem(b, comp, measures))


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------


def comparison_display(b: Benchmark, comp: pd.DataFrame) -> Any:
    """:func:`~helpers.analysis.benchmarking.outcomes.comparison` for the reader: value, interval, comparator
    median and rank, England (tested by interval only), the median council (a distance in MADs).

    Values are shown to the decimals ASCOF publishes (medians of an even count rounded to them); the interval
    column is left out when no measure has one, and "How judged" (against the comparators) is said once above
    the table when it is the same for every row. Survey measures are marked.
    """
    d = comp.copy()
    note = f"{b.year}; units as published: per cent, rate per 100,000 (2A) or score (1A, 1D, 1J)"
    cols = {"code_shown": "ASCOF", "measure": "Measure", "better_if": "Better if", "value": "Council",
            "ci": "Interval", "group_median": "Comparator median", "rank_text": "Rank (1 = best)",
            "vs_group": "Against comparators", "basis": "How judged", "england": "England",
            "vs_england": "Against England (interval test)", "england_median": "Median council",
            "england_verdict": "Distance from the median council", "note": "Note"}
    if not d.empty:
        places = digits(d["measure_id"])
        d["better_if"] = d["polarity"].map({"higher": "higher", "lower": "lower", "none": "no judgement"})
        d["ci"] = [range_text(pd.Series([lo]), pd.Series([hi]), int(p))[0]
                   for lo, hi, p in zip(d["lower"], d["upper"], places, strict=True)]
        for c in ("value", "group_median", "england", "england_median"):
            d[c] = rounded(d[c], places)
        d["rank_text"] = rank_text(d["rank"], d["rank_of"])
        d["note"] = d["reason"].where(d["reason"] != "")
        small = d["small_count"] & d["value"].notna()
        d.loc[small, "note"] = d.loc[small, "note"].fillna("").str.cat(
            pd.Series("small numbers", index=d.index)[small], sep="; ").str.strip("; ")
        if d["lower"].isna().all():
            d.loc[d["note"] == "no margin of error published for this year", "note"] = np.nan
        if b.year == VOLUNTARY_SURVEY_YEAR:
            unrun = d["survey_based"] & d["value"].isna()
            d.loc[unrun, "note"] = "voluntary survey"
            if unrun.any():
                note += (f". 'Voluntary survey': the {VOLUNTARY_SURVEY_YEAR} Adult Social Care Survey was voluntary and "
                         "this council has no value from it")
        d["basis"] = np.where(d["tested"], d["interval"], "MADs")
        d["vs_group"] = np.where(d["tested"], d["vs_group"] + " (" + d["interval"] + ")", d["vs_group"])
        d["measure"] = d["measure"] + np.where(d["survey_based"], " (survey)", "")
        cols.pop("basis")
        note += (". Against comparators: the interval named (in brackets) against their median where there is one, "
                 "else the distance from their median in MADs (a distance, not a test)")
        n, size = int(d["group_n"].max()), int(d["group_size"].iloc[0])
        missing = sorted({c for m in d["group_missing"] for c in m})
        note += f". Comparator median: of the comparators with a value ({n} of {size} on most measures"
        note += f"; without a value on some measure: {missing_names(tuple(missing))})" if missing else ")"
        note += (". Against England: the council's interval against England's published value; the median council: "
                 "every council with a value, distance in MADs (a floor of 1% of the scale under the MAD)")
    return report.present(
        d, columns=cols, drop_empty=("note", "ci"), source=None,
        formats={c: ascof_number for c in ("value", "group_median", "england", "england_median")},
        empty=availability(b) or "None of the chosen measures has a value this year.", note=note)


def not_published_display(b: Benchmark, measures: list[str] | None = None) -> Any:
    """:func:`~helpers.analysis.benchmarking.outcomes.not_published` for the reader."""
    return report.present(outcomes.not_published(b, measures),
                          columns={c: c for c in ("Measure", "Name", "Published for", "Note")},
                          empty=availability(b) or "Every chosen measure has values for this year.")


def outliers_display(b: Benchmark, comp: pd.DataFrame) -> Any:
    """Measures where the council is 3 or more MADs from the median of all councils (Oflog's "much ...")."""
    sel = comp[comp["outlier"]] if not comp.empty else comp
    return report.present(
        sel, columns={"code_shown": "ASCOF", "measure": "Measure", "value": "Council",
                      "england_median": "Median council", "england_mads": "MADs from the median council",
                      "england_verdict": "Distance from the median council"}, source=None,
        formats={"england_mads": signed1, "value": ascof_number, "england_median": ascof_number},
        empty=availability(b) or "On no measure is the council 3 or more MADs from the median council.")


def trend_display(b: Benchmark, measures: list[str] | None = None) -> Any:
    """:func:`~helpers.analysis.benchmarking.outcomes.trend_summary` for the reader."""
    t = outcomes.trend_summary(b, measures)
    cols = {c: c for c in t.columns if c != "Series" or t["Series"].ne("").any()}
    years = [c for c in t.columns if periods.is_fy(c)]
    ids = outcomes.ascof_values().loc[lambda v: v["year"].isin(years), "source_id"] if years else []
    return report.present(t, columns=cols, empty=" ".join(b.notes) or "No values in any year.",
                          formats={y: ascof_number for y in years},
                          note="The council's values by year (units as published); trend: Mann-Kendall test, "
                               "at least 5 years of one unbroken series. Survey measures have no 2020-21 value for "
                               "most councils (the survey was voluntary that year). Sources: "
                               + ascof_source(ids, f"{years[0]} to {years[-1]}" if years else ""))


def reported_display(b: Benchmark) -> Any:
    """:func:`~helpers.analysis.benchmarking.reported.council_reported` for the reader: the table with its
    one-sentence summary above it."""
    table, message = council_reported(b)
    return report.present(table, columns={c: c for c in table.columns}, empty=message, note=message,
                          formats={"National value": "num", "Council report": "num", "Difference": signed1})


# ------------------------------------------------------------------------------------------------
# charts (drawn by helpers.reports.plots.benchmarking)
# ------------------------------------------------------------------------------------------------


def spine(b: Benchmark, comp: pd.DataFrame) -> pd.DataFrame:
    """Data of the spine chart: each measure's spread over all councils, scaled 0 (worst) to 1 (best).

    Measures where higher is worse are flipped so that right is always better; ``none`` measures keep
    higher to the right. Only measures with a council value are drawn.

    Returns
    -------
    pandas.DataFrame
        ``measure_code``, ``code_shown`` (``2C (was 2A(2))``), ``label`` (the code shown and the name), ``lo``, ``q1``, ``median``, ``q3``, ``hi`` (scaled: 0 and 1 are the
        worst and best council), ``council``, ``group_median``, ``england`` (scaled), ``value`` (as
        published), ``verdict`` (``vs_england``), ``unit``.
    """
    if comp.empty:
        return pd.DataFrame()
    df = outcomes.ascof_values()
    yr = df[(df["year"] == b.year) & (df["level"] == "council")]
    rows = []
    for r in comp[comp["value"].notna()].itertuples():
        rows_m = yr[(yr["measure_code"] == r.measure_code) & yr["value"].notna()]
        v = rows_m["value"]
        ends = rows_m.loc[~rows_m["small_count"], "value"]  # small numbers do not set the ends
        ends = ends if len(ends) else v
        lo, hi = float(ends.min()), float(ends.max())
        span = hi - lo if hi > lo else 1.0
        flip = r.polarity == "lower"

        def sc(x: float, lo: float = lo, span: float = span, flip: bool = flip) -> float:
            s = min(max((x - lo) / span, -0.03), 1.03)  # a small-number value beyond the ends sits at the edge
            return 1 - s if flip else s

        q = v.quantile([0.25, 0.5, 0.75])
        a, c = sorted((sc(q[0.25]), sc(q[0.75])))
        rows.append({"measure_code": r.measure_code, "code_shown": r.code_shown, "label": f"{r.code_shown} {r.measure}",
                     "lo": 0.0, "q1": a,
                     "median": sc(q[0.5]), "q3": c, "hi": 1.0, "council": sc(r.value),
                     "group_median": sc(r.group_median) if pd.notna(r.group_median) else np.nan,
                     "england": sc(r.england) if pd.notna(r.england) else np.nan, "value": r.value,
                     "verdict": r.vs_england, "unit": r.unit, "small": bool(r.small_count),
                     "left_out": int(rows_m["small_count"].sum())})
    return pd.DataFrame(rows)


def spine_figure(b: Benchmark, comp: pd.DataFrame) -> Any:
    """Spine chart of every measure with a council value (right = better)."""
    title = f"ASCOF {b.year}: {b.name} on the spread of all councils"
    why = availability(b)
    if why:
        return plots.empty_chart(why, title=title, source=SOURCE.format(years=b.year))
    return benchmarking_charts.spine_chart(
        spine(b, comp), council_name=b.name, group_label=b.group_label, title=title,
        source=SOURCE.format(years=b.year),
        note="Bars: all councils with a value, scaled from the worst (left) to the best (right); where lower is "
             "better the scale is reversed. Councils with small numbers (a rate on fewer than 10 events, a "
             "proportion of fewer than 30 people) do not set the ends; a hollow dot marks the council when its own "
             "value rests on small numbers. Values and verdicts: see the table above.")


def trend_figure(b: Benchmark, measures: list[str] | tuple[str, ...] = TREND_MEASURES) -> Any:
    """Small multiples of up to four measures over every year: the council, its group's median, England."""
    t = outcomes.trend(b, list(measures)[:4])
    title = f"ASCOF trends: {b.name}, its comparator group and England"
    years = f"{t['year'].min()} to {t['year'].max()}" if not t.empty else ""
    if t.empty or t["council"].notna().sum() == 0:
        return plots.empty_chart(f"{b.name} has no value for these measures in any year.", title=title,
                                 source=SOURCE.format(years=years))
    brk = identity.breaks_in_panels(t)
    # each panel is titled with the code of the report's year where the measure has one (2D(1) (was 2B(1)) in a
    # 2023-24 report, though its last value is of 2022-23), else its latest code
    t = t.assign(code_shown=[identity.shown_in_year(m, b.year) or c for m, c in zip(t["measure_id"], t["code_shown"],
                                                                                    strict=True)])
    return benchmarking_charts.trend_panels(t, council_name=b.name, group_label=b.group_label, title=title,
                                            source=SOURCE.format(years=years), breaks=brk,
                                            note="Group median shown where at least 5 comparators have a value."
                                            + (" Dashed line: a series break (see below the chart)." if len(brk)
                                               else ""))


def spine_view(b: Benchmark, comp: pd.DataFrame) -> Any:
    """:func:`spine_figure` as an image for the report, or a sentence when there are no values (the paragraph
    above the measure table has said why)."""
    if availability(b) or comp.empty or comp["value"].notna().sum() == 0:
        return report.say("*No chart: no ASCOF value for the council this year (see above).*")
    sp = spine(b, comp)
    best = sp.sort_values("council")
    alt = (f"Spine chart of {len(sp)} ASCOF measures, {b.year}: {b.name}'s position between the worst and the best "
           f"council. Nearest the worst end: " + ", ".join(best["code_shown"].head(3)) + "; nearest the best: "
           + ", ".join(best["code_shown"].tail(3)[::-1]) + ".")
    return alt_svg(plots.image(spine_figure(b, comp)), alt)


def trend_view(b: Benchmark, measures: list[str] | tuple[str, ...] = TREND_MEASURES) -> Any:
    """:func:`trend_figure` as an image for the report, or a sentence when the council has no value to draw."""
    if not b.available:
        return report.say("*No chart:* {w}", w=" ".join(b.notes))
    t = outcomes.trend(b, list(measures)[:4])
    if t.empty or t["council"].notna().sum() == 0:
        return report.say("*No chart:* {n} has no value for {m} in any year.", n=b.name, m=", ".join(measures))
    last = t[t["council"].notna()].groupby("measure_id").tail(1)
    alt = (f"Small multiples of {last['measure_id'].nunique()} ASCOF measures by year: {b.name}, its comparator "
           "median and England. Latest values of the council: " + "; ".join(
               f"{c} {ascof_number(v)} ({y})" for c, v, y in zip(last["code_shown"], last["council"], last["year"],
                                                                strict=True)) + ".")
    shown = t.groupby("measure_id")["code_shown"].last()
    brk = identity.breaks_in_panels(t)
    if len(brk):
        alt += " Dashed lines mark series breaks: " + "; ".join(
            f"{shown.get(m, m)} from {y} ({k})" for m, y, k in zip(brk["measure_id"], brk["year"], brk["kind"],
                                                                   strict=True)) + "."
        words = report.say("Series breaks on the chart: {w}.", w="; ".join(
            f"{shown.get(m, m)} from {y}: {r}" for m, y, r in zip(brk["measure_id"], brk["year"], brk["reason"],
                                                                  strict=True)))
        return report.Parts(alt_svg(plots.image(trend_figure(b, measures)), alt), words)
    return alt_svg(plots.image(trend_figure(b, measures)), alt)


# ------------------------------------------------------------------------------------------------
# the councillor's summary
# ------------------------------------------------------------------------------------------------


def plain(b: Benchmark, comp: pd.DataFrame) -> pd.DataFrame:
    """:func:`~helpers.reports.benchmarking.plain_summary` of the ASCOF comparison (one row per measure with a
    value)."""
    if comp.empty:
        return plain_summary(pd.DataFrame())
    c = comp[comp["value"].notna()]
    verdict = [v if v != stats.NOT_COMPARED else f"not compared: {r or 'no comparator value'}"
               for v, r in zip(c["vs_group"], c["reason"], strict=True)]
    places = digits(c["measure_id"])
    rows = pd.DataFrame({
        "measure": ("ASCOF " + c["code_shown"] + ": " + c["measure"]
                    + np.where(c["survey_based"], " (survey)", "")).to_numpy(),
        "unit": np.where(places == 3, "score_3", c["unit"]), "value": rounded(c["value"], places).to_numpy(),
        "comparator": rounded(c["group_median"], places).to_numpy(),
        "england": rounded(c["england"], places).to_numpy(), "verdict": verdict,
        "basis": [bs.replace("against the value", "against the group median").replace(
            "from the median", "from the group median") for bs in c["basis"]],
        "source": [ascof_source([i], b.year) for i in c["source_id"]],
    })
    return plain_summary(rows)
