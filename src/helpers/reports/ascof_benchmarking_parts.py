"""Pieces of the ASCOF benchmarking report: the summary box's lines, the funnel plots, the glossary, the workbook.

Used by :mod:`helpers.reports.ascof_benchmarking` (kept apart so that each module stays short).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.analysis.benchmarking import funnel as funnels
from helpers.analysis.benchmarking import groups, identity, outcomes
from helpers.analysis.benchmarking.groups import Benchmark
from helpers.analysis.benchmarking.placing import missing_names
from helpers.core import text
from helpers.reports import exports, plots
from helpers.reports import present as report
from helpers.reports.benchmarking import PLAIN_SHEET, alt_svg, signed1
from helpers.reports.plots import benchmarking as benchmarking_charts

#: Terms of the ASCOF report.
ASCOF_GLOSSARY: dict[str, str] = {
    "ASCOF": "The Adult Social Care Outcomes Framework: NHS England's national measures of how well care and "
             "support achieve the outcomes that matter to people.",
    "Interval (95%)": "The range the council's true value is likely to lie in, allowing for chance (small numbers "
                      "of people or a sample survey). 'Significantly better / worse' means the whole range is on "
                      "one side of the value compared with.",
    "Wilson, Byar, exact Poisson": "Standard ways of working out an interval: Wilson for proportions, Byar (or "
                                   "the exact Poisson interval below 10 events) for rates per 100,000.",
    "Approximate interval": "For rates per 100,000 the count of people is worked back from the published rate "
                            "and the ONS population, so the interval is close to, not exactly, the true one.",
    "Funnel plot": "Each council's value against the size of its population: the funnel-shaped limits show how "
                   "far from England's value chance alone would take a council of that size.",
    "Overdispersion": "When councils differ more than chance explains (they do), the funnel is widened so that "
                      "only unusually far-out councils stand outside it.",
    "Small numbers": "A rate on fewer than 10 events or a proportion of fewer than 30 people: such councils do "
                     "not set the ends of the spine chart.",
}
_OD_LABEL = {"additive": "additive random effects", "multiplicative": "multiplicative (phi)"}


def summary_lines(b: Benchmark, comp: pd.DataFrame) -> list[str]:
    """3-5 plain lines: how many measures, what is significantly different from England, the furthest from the
    median council, how sure."""
    c = comp[comp["value"].notna()]
    if c.empty:
        return []
    tested = c[c["tested"] & c["england"].notna()]
    better = tested.loc[tested["vs_england"].str.startswith("significantly better"), "code_shown"].tolist()
    worse = tested.loc[tested["vs_england"].str.startswith("significantly worse"), "code_shown"].tolist()
    lines = [f"{len(c)} ASCOF measures have a {b.year} value for {b.name}; {len(tested)} have an interval to test "
             "against England."]
    if len(tested):
        lines.append("Against England (95% intervals): significantly better on " + (", ".join(better) or "none")
                     + "; significantly worse on " + (", ".join(worse) or "none") + ".")
    far = c[c["england_mads"].notna() & (c["polarity"] != "none")]
    far = far.reindex(far["england_mads"].abs().sort_values(ascending=False).index).head(2)
    for i, r in enumerate(far.itertuples()):
        lines.append(f"{'Next furthest' if i else 'Furthest from the median council'}: {r.code_shown} "
                     f"{r.measure.lower()}, "
                     f"{outcomes_number(r.value)} against {outcomes_number(r.england_median)} "
                     f"({signed1(r.england_mads)} MADs, {r.england_verdict}; a distance, not a test).")
    sure = "How sure: "
    sure += ("intervals are approximate for the rates per 100,000 (counts derived from the published rate); "
             if (c["count_basis"] == "derived").any() else "")
    rest = len(c) - len(tested)
    sure += (f"the other {rest} measure{'s are' if rest != 1 else ' is'} compared by distance only." if rest else
             "every measure has an interval.")
    lines.append(sure)
    return lines[:5]


def outcomes_number(x: float) -> str:
    """An ASCOF value as published (1 decimal; 3 below 1)."""
    return text.number(x, 3).rstrip("0").rstrip(".") if abs(x) < 1 else text.number(x, 1)


def where_in_funnel(flag: str, limits: str) -> str:
    """A funnel flag (``within 95%``, ``above 99.8%``, ``below 95%``) in words: where the council sits against
    the named limits ("inside the exact 95% limits", "above the upper overdispersed 99.8% limit")."""
    side, _, level = flag.partition(" ")
    if side == "within":
        return f"inside the {limits} {level} limits"
    if side in ("above", "below"):
        return f"{side} the {'upper' if side == 'above' else 'lower'} {limits} {level} limit"
    return f"not placed against the {limits} limits"


def funnels_view(b: Benchmark, measures: list[str] | None = None, overdispersion: str = funnels.DEFAULT_OVERDISPERSION,
                 most: int = 6) -> report.Parts:
    """A funnel plot per chosen measure with counts (up to ``most``), each with alt text, then where the council
    falls; or a sentence saying why there is none."""
    codes = funnels.funnel_measures(b, measures)
    if not codes:
        return report.Parts(report.say("*No funnel plot:* no chosen measure has counts and denominators for "
                                       "{y}.", y=b.year))
    out: list[Any] = []
    rows = []
    for code in codes[:most]:
        f = funnels.funnel(b, code, overdispersion)
        if f is None:
            continue
        unit = "per 100,000" if f.unit == "rate_per_100k" else "%"
        mid, shown = identity.in_year(f.measure_code, f.year)  # the code of the year, the earlier one beside it
        name = identity.name_of(mid, f.measure)
        title = f"ASCOF {shown} {f.year}: funnel plot, {b.name} highlighted"
        note = (f"Centre: England {outcomes_number(f.target)}. Grey: exact limits (Spiegelhalter 2005); blue: "
                f"widened for overdispersion, {_OD_LABEL[f.overdispersion]} (phi {f.phi:.1f}, tau2 {f.tau2:.2g}). "
                + ("Counts derived from the rate and the ONS population (approximate). " if f.derived else "")
                + f"{'Lower' if f.polarity == 'lower' else 'Higher'} is better.")
        fig = benchmarking_charts.funnel_chart(
            f.points, f.limits, target=f.target, council_name=b.name, title=title,
            xlabel="denominator (people; log scale)", ylabel=f"{shown}, {unit}",
            source=f"NHS England ASCOF {f.year}; ONS mid-year population estimates", note=note,
            od_label=_OD_LABEL[f.overdispersion])
        alt = (f"Funnel plot of {len(f.points)} councils for ASCOF {shown} {name} in {f.year}. {b.name} is "
               f"{where_in_funnel(f.council_exact, 'exact')} and {where_in_funnel(f.council_od, 'overdispersed')}.")
        out.append(alt_svg(plots.image(fig), alt))
        rows.append({"ASCOF": shown, "Measure": name, "Exact limits": f.council_exact,
                     "Overdispersed limits": f.council_od, "phi": round(f.phi, 2)})
    table = report.present(pd.DataFrame(rows), columns={c: c for c in ("ASCOF", "Measure", "Exact limits",
                                                                       "Overdispersed limits", "phi")},
                           empty="No funnel could be drawn.", source=None,
                           note=f"Where {b.name} falls in each funnel (outside means beyond the limit)")
    if len(codes) > most:
        out.append(report.say("Funnels of {n} more measures are not drawn: {c}.", n=len(codes) - most,
                              c=", ".join(identity.in_year(c, b.year)[1] for c in codes[most:])))
    return report.Parts(table, *out)


def workbook(r: Any) -> str:
    """The workbook of an :class:`~helpers.reports.ascof_benchmarking.AscofBenchmarking` ``r``: a cover, the
    summary, every measure, the outliers, the trend and the comparators; return its file name."""
    b, comp = r.b, r.comp
    d = comp.assign(missing=[missing_names(m) for m in comp["group_missing"]]) if not comp.empty else comp
    cols = {"code_shown": "ASCOF", "measure": "Measure", "polarity": "Better if", "value": "Council",
            "lower": "Interval from", "upper": "Interval to", "interval": "Interval", "group_median": "Comparator median",
            "group_n": "Comparators with a value", "group_size": "Comparators", "missing": "Comparators without one",
            "rank": "Rank (1 = best)", "rank_of": "Ranked among", "vs_group": "Against comparators",
            "basis": "How judged", "england": "England", "vs_england": "Against England (interval test)",
            "england_median": "Median council", "england_mads": "MADs from the median council",
            "england_verdict": "Distance from the median council", "region": "Region", "reason": "Note"}
    trend = outcomes.trend(b, r.measures) if b.available else pd.DataFrame()
    sheets = [
        exports.Sheet("Summary", r.plain, columns=PLAIN_SHEET,
                      note=f"{r.title()}: every measure in plain words (units as published)"),
        exports.Sheet("Every measure", d, columns=cols, note=f"ASCOF {b.year}, units as published"),
        exports.Sheet("Outliers", d[d["outlier"]] if not d.empty else d,
                      columns={k: cols[k] for k in ("code_shown", "measure", "value", "england_median",
                                                     "england_mads", "england_verdict")},
                      note="Measures 3 or more MADs from the median council"),
        exports.Sheet("Trend", trend, columns={"code_shown": "ASCOF", "measure": "Measure", "year": "Year",
                                               "council": "Council", "group_median": "Comparator median",
                                               "group_n": "Comparators with a value", "england": "England"},
                      note="The council, its comparators' median and England by year"),
        exports.Sheet("Comparators", b.members(), columns={"name": "Council", "gss_code": "ONS code",
                                                           "region_name": "Region", "council_type": "Type"},
                      note=b.group_label),
    ]
    years = outcomes.ascof_years()
    cover = exports.Cover(title=f"{b.name} - ASCOF benchmarking", council=f"{b.name} ({b.council})", period=b.year,
                          sources=[f"NHS England ASCOF {years[0]} to {years[-1]}", "ONS mid-year population estimates",
                                   "Oflog nearest neighbours"],
                          notes=[f"Compared with {b.group_label}", groups.scale_note(b)])
    return exports.export_workbook(cover, sheets)
