"""Pieces of the spend benchmarking report: source lines, line names, the summary box's lines, the workbook.

Used by :mod:`helpers.reports.spend_benchmarking` (kept apart so that each module stays short).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.analysis.benchmarking import groups, spend
from helpers.analysis.benchmarking.groups import Benchmark
from helpers.analysis.benchmarking.placing import missing_names
from helpers.analysis.benchmarking.spend import HEADLINE_LINES
from helpers.core import text
from helpers.data import tables
from helpers.reports import exports
from helpers.reports.benchmarking import PLAIN_SHEET, signed1

#: The source line of each spend collection (``{year}`` = the financial year).
COLLECTION_SOURCE = {
    "RO3": "MHCLG Revenue Outturn (RO3) {year}",
    "ASC-FR": "NHS Digital Adult Social Care Finance Return (ASC-FR) {year}",
    "PSS-EX1": "HSCIC PSS Expenditure (PSS-EX1) {year}",
}


# ------------------------------------------------------------------------------------------------
# sources
# ------------------------------------------------------------------------------------------------


def spend_source(years: list[str] | tuple[str, ...] | str, population_rule: str = "same_or_latest") -> str:
    """The source line of a spend-per-head table or chart for some financial years (the mid-year estimates
    used, and which year stands in for a later one)."""
    years = [years] if isinstance(years, str) else list(years)
    df = spend.spend_per_head(population_rule)
    sel = df[df["year"].isin(years)]
    colls = sel.drop_duplicates("year").sort_values("year")
    parts = [COLLECTION_SOURCE.get(c, c + " {year}").format(year=y) for y, c in
             zip(colls["year"], colls["collection"], strict=True)]
    mids = []
    for y in sorted(years):
        rows = sel[(sel["year"] == y) & sel["mid_year"].notna()]
        if rows.empty:
            continue
        mid = int(rows["mid_year"].iloc[0])
        own = bool(rows["population_own_year"].iloc[0])
        mids.append(f"mid-{mid}" + ("" if own else f" (the latest, for {y})"))
    return "; ".join([*parts, "ONS population estimates " + ", ".join(dict.fromkeys(mids))] if mids else parts)


def spend_files(years: list[str] | tuple[str, ...] | str, population_rule: str = "same_or_latest") -> str:
    """:func:`~helpers.analysis.benchmarking.groups.source_files` of the spend and population files behind
    spend per head in ``years``."""
    years = [years] if isinstance(years, str) else list(years)
    df = spend.spend_per_head(population_rule)
    ids = set(df.loc[df["year"].isin(years) & df["per_head_gbp"].notna(), "source_id"])
    pop = tables.cached("population")
    mids = set(df.loc[df["year"].isin(years) & df["mid_year"].notna(), "mid_year"].astype(int))
    ids |= set(pop.loc[pop["mid_year"].isin(mids), "source_id"])
    return groups.source_files(ids)


def measure_word(measure: str) -> str:
    """``gross current expenditure`` or ``net current expenditure``."""
    return "gross current expenditure" if measure == "gross" else "net current expenditure"


def line_name(label: str, band: str) -> str:
    """A line's label with its age band where the label does not say it (``All adult social care (18+)``)."""
    return label if "aged" in label else f"{label} (aged {band})"


# ------------------------------------------------------------------------------------------------
# the summary box
# ------------------------------------------------------------------------------------------------


def spend_summary_lines(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> list[str]:
    """3-5 plain lines: the total against the group and England, the lines furthest from the group, how sure."""
    if summary.empty:
        return []
    s = summary.set_index("line")
    word = measure_word(measure)
    lines = []
    t = s.loc["total"] if "total" in s.index else None
    if t is not None and pd.notna(t["value"]):
        cmp = (f"against a median of £{text.number(t['group_median'], 0)} for {int(t['group_n'])} of "
               f"{int(t['group_size'])} comparator councils" if pd.notna(t["group_median"]) else
               "(too few comparators with a figure for a group median)")
        lines.append(f"{b.name} spent £{text.number(t['value'], 0)} per adult on adult social care in {b.year} "
                     f"({word}), {cmp}, and England £{text.number(t['england'], 0)}.")
        if t["group_missing"]:
            lines.append(f"Comparators without a {b.year} figure: {missing_names(t['group_missing'])}.")
    far = s[s.index.isin(HEADLINE_LINES) & s["group_mads"].notna() & (s.index != "total")]
    far = far.reindex(far["group_mads"].abs().sort_values(ascending=False).index).head(2)
    for i, (_, r) in enumerate(far.iterrows()):
        lines.append(f"{'Next furthest' if i else 'Furthest from the comparators'}: {line_name(r['line_label'], r['age_band']).lower()}, "
                     f"£{text.number(r['value'], 0)} against £{text.number(r['group_median'], 0)} "
                     f"({signed1(r['group_mads'])} MADs, {r['group_verdict']}).")
    basis = s["population_basis"].dropna()
    later = basis[basis.str.startswith("latest")]
    sure = ("How sure: these are whole-year returns, not samples, so a difference is a distance from other "
            "councils, not a significance test.")
    if len(later):
        sure += f" Per-head figures divide by the {later.iloc[0].split('(')[1].split(')')[0]} population, the latest."
    lines.append(sure)
    return lines[:5]


def spend_workbook(r: Any, line: str = "total") -> str:
    """The workbook of a :class:`~helpers.reports.spend_benchmarking.SpendBenchmarking` ``r``: a cover, the
    summary, every line, the outliers, the trend and the comparators; return its file name."""
    b, summary = r.b, r.table
    lines = summary.assign(name=[line_name(lab, band) for lab, band in zip(summary["line_label"],
                                                                            summary["age_band"], strict=True)],
                           missing=[missing_names(m) for m in summary["group_missing"]])
    cols = {"name": "Spend line", "value": "Council (£ per head)", "group_median": "Comparator median (£)",
            "group_n": "Comparators with a figure", "group_size": "Comparators", "missing": "Comparators without one",
            "group_q1": "Comparators' lower quartile (£)", "group_q3": "Comparators' upper quartile (£)",
            "rank": "Rank (1 = highest)", "rank_of": "Ranked among", "group_mads": "MADs from comparator median",
            "group_verdict": "Distance from comparators", "england": "England (£)",
            "england_median": "Median council (£)", "england_mads": "MADs from the median council",
            "england_verdict": "Distance from the median council", "region": "Region (£)",
            "population_basis": "Population", "reason": "Note"}
    trend = spend.spend_trend(b, line, r.measure)
    if not trend.empty:
        trend = trend.assign(missing=[missing_names(m) for m in trend["group_missing"]])
    money = {c: "gbp" for c in ("value", "group_median", "group_q1", "group_q3", "england", "england_median",
                                "region", "council", "council_real", "group_median_real", "england_real")}
    sheets = [
        exports.Sheet("Summary", r.plain, columns={**PLAIN_SHEET, "our_value": "Our value (£ per head)",
                                                   "comparator_value": "Comparator median (£ per head)",
                                                   "england_value": "England (£ per head)"},
                      formats=dict.fromkeys(("our_value", "comparator_value", "england_value"), "int"),
                      note=f"{r.title()}: the headline lines in plain words"),
        exports.Sheet("Every line", lines, columns=cols, formats=money,
                      note=f"{measure_word(r.measure).capitalize()} per person in the line's age band, {b.year}, cash"),
        exports.Sheet("Outliers", lines[lines["outlier"]], columns={k: cols[k] for k in (
            "name", "value", "england_median", "england_mads", "england_verdict")}, formats=money,
            note="Lines 3 or more MADs from the median council"),
        exports.Sheet("Trend", trend, columns={"year": "Year", "collection": "Return", "council": "Council (£, cash)",
                                               "group_median": "Comparator median (£, cash)",
                                               "group_n": "Comparators with a figure", "missing": "Comparators without one",
                                               "england": "England (£, cash)", "council_real": "Council (£, real)",
                                               "group_median_real": "Comparator median (£, real)",
                                               "england_real": "England (£, real)"}, formats=money,
                      note=f"{spend.check_line(line).label}: spend per head by year; real terms in "
                           + (trend["real_prices"].iloc[0] if not trend.empty else "")),
        exports.Sheet("Comparators", b.members(), columns={"name": "Council", "gss_code": "ONS code",
                                                           "region_name": "Region", "council_type": "Type"},
                      note=b.group_label),
    ]
    years = list(trend["year"]) if not trend.empty else [b.year]
    cover = exports.Cover(title=f"{b.name} - spend per head benchmarking", council=f"{b.name} ({b.council})",
                          period=b.year, sources=[spend_source(years, b.population_rule),
                                                  spend_files(years, b.population_rule)],
                          notes=[f"Compared with {b.group_label}", groups.scale_note(b)])
    return exports.export_workbook(cover, sheets)
