"""The spend benchmarking report (notebook ``01_spend_benchmarking``): spend per head against the group, for a reader.

:func:`prepare` checks the council, year, comparator group and expenditure measure, runs the analysis of
:mod:`helpers.analysis.benchmarking.spend` once, and returns a :class:`SpendBenchmarking`; each of its methods
is one cell of the notebook and returns what that cell shows (a table through
:func:`helpers.reports.present.present`, prose, a chart image, or several as
:class:`~helpers.reports.present.Parts`). The functions below the class are the pieces: tables
(``*_display``), charts (``*_figure``, :func:`strip_chart`), charts or the sentence saying why there is none
(``*_view``), source lines and the councillor's table.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.analysis.benchmarking import groups, outcomes, spend
from helpers.analysis.benchmarking.groups import Benchmark
from helpers.analysis.benchmarking.placing import missing_names
from helpers.analysis.benchmarking.spend import HEADLINE_LINES
from helpers.analysis.benchmarking.spend_outcome import spend_vs_outcome
from helpers.core import text
from helpers.reports import plots
from helpers.reports import present as report
from helpers.reports.benchmarking import (
    BenchmarkReport,
    alt_svg,
    breaks_display,
    noted,
    plain_summary,
    range_text,
    rank_text,
    signed1,
)
from helpers.reports.plots import benchmarking as benchmarking_charts
from helpers.reports.spend_benchmarking_parts import (
    line_name,
    measure_word,
    spend_files,
    spend_source,
    spend_summary_lines,
    spend_workbook,
)


def prepare(council: str, year: str, comparator: str | list[str] = "nearest_neighbours", expenditure: str = "gross",
            mad_scaled: bool = False, population_rule: str = "same_or_latest") -> SpendBenchmarking:
    """Check the report's parameters, run the analysis once, and return the report object.

    Parameters
    ----------
    council, year, comparator, mad_scaled
        See :func:`helpers.analysis.benchmarking.groups.setup`.
    expenditure
        ``gross`` or ``net`` current expenditure (:func:`helpers.analysis.benchmarking.spend.check_expenditure`).
    population_rule
        ``same_or_latest`` (default) or ``same``: the mid-year population a per-head figure divides by
        (:data:`helpers.analysis.benchmarking.groups.POPULATION_RULES`).

    Raises
    ------
    ParameterError
        A parameter that is not valid (the message names it).
    """
    b = groups.setup(council, year, comparator, mad_scaled=mad_scaled, population_rule=population_rule)
    return SpendBenchmarking(b, spend.check_expenditure(expenditure))


class SpendBenchmarking(BenchmarkReport):
    """The spend benchmarking report for one council, year, group and measure; one method per notebook cell.

    Attributes
    ----------
    b
        The checked council, year and comparator group.
    measure
        ``gross`` or ``net``.
    summary
        :func:`helpers.analysis.benchmarking.spend.spend_summary` of every line.
    plain
        The councillor's table of the headline lines (:func:`spend_plain_summary`).
    """

    subject = "spend per head"

    def __init__(self, b: Benchmark, measure: str) -> None:
        self.measure = measure
        self.table = spend.spend_summary(b, measure)
        why = spend.spend_availability(b, measure)
        super().__init__(b, spend_plain_summary(b, self.table, measure),
                         plain_empty=why or "Nothing to summarise.", no_data=why)

    def heading_lines(self) -> list[str]:
        """The council, year and measure, then the group."""
        return [f"Council: {self.b.name} ({self.b.council}), {self.b.year}, {self.measure} current expenditure",
                f"Comparator group: {self.b.group_label}"]

    def summary_lines(self) -> list[str]:
        """Where the council's spend per head differs most from its group, and how sure that is."""
        return spend_summary_lines(self.b, self.table, self.measure)

    def at_a_glance(self) -> report.Parts:
        """The spend table: the paragraph on its method (a run note when figures are missing), then every line
        against the group, England and the median council."""
        return self.shown(spend_intro(self.b, self.table, self.measure),
                          spend_display(self.b, self.table, self.measure))

    def strip(self) -> Any:
        """The dot strip of every council's spend per head on the headline lines."""
        return self.shown(strip_view(self.b, self.measure))

    def outliers(self) -> Any:
        """The lines where the council is 3 or more MADs from the median council."""
        return self.shown(outliers_display(self.b, self.table, self.measure))

    def trend_chart(self, line: str = "total") -> Any:
        """Spend per head on ``line`` over time, in real terms."""
        return self.shown(trend_view(self.b, line, self.measure))

    def trend_table(self, line: str = "total") -> report.Parts:
        """Spend per head on ``line`` by year (cash and real), then where the council's series breaks."""
        return self.shown(trend_display(self.b, line, self.measure), breaks_display(self.b))

    def quadrant(self, line: str = "support_65+", measure_code: str = "2A(2)") -> Any:
        """Spend per head on ``line`` against its ASCOF partner ``measure_code``, every council."""
        return self.shown(quadrant_view(self.b, line, measure_code, self.measure))

    def councillors(self) -> report.Parts:
        """The councillor's summary table, and the report's Excel workbook (cover and one sheet per table)."""
        parts = super().councillors()
        if self.no_data:
            return parts
        return report.Parts(*parts, report.say("Every table of this report is in the workbook {f}.",
                                               f=self.workbook()))

    def workbook(self, line: str = "total") -> str:
        """Write the report's workbook next to it; return its file name."""
        return spend_workbook(self, line)

    def glossary_terms(self) -> dict[str, str]:
        """The shared terms and the spend ones."""
        return {**super().glossary_terms(), **SPEND_GLOSSARY}

    def sources(self) -> Any:
        """The footnote: every publication and file the report's figures come from, once."""
        if self.no_data:
            return report.Parts()
        years = list(spend.spend_trend(self.b, "total", self.measure)["year"]) or [self.b.year]
        return report.say("Sources: {s} ({f}); NHS England ASCOF (the spend and outcomes chart); Oflog nearest "
                          "neighbours. Real terms: HM Treasury GDP deflators.",
                          s=spend_source(sorted(set(years)), self.b.population_rule),
                          f=spend_files(sorted(set(years)), self.b.population_rule))


#: Terms of the spend report.
SPEND_GLOSSARY: dict[str, str] = {
    "Spend per head": "Spend in the year divided by the number of people in the age band (ONS mid-year estimate).",
    "Gross / net current expenditure": "Gross: all day-to-day spending; net: after income such as charges and "
                                       "NHS contributions.",
    "Real terms": "Cash figures restated in one year's prices with the HM Treasury GDP deflator.",
    "RO3": "The Revenue Outturn return on social care that every council sends to MHCLG each year.",
    "All spend on adults aged 18-64 / 65+": "Long- and short-term support for the age band plus the assessment, "
                                            "commissioning, carers', equipment and information spending that RO3 "
                                            "splits by age from 2022-23 (earlier returns do not split it).",
}


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------


def spend_intro(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """The sentence before the spend table: the MAD used, who is in the median, and, as a run note, why figures
    are missing.

    A report with no spend per head for its year, or with too few comparators with a value, carries a
    :func:`~helpers.reports.benchmarking.noted` message (shown in the report and in the run index).
    """
    why = spend.spend_availability(b, measure)
    if why:
        return noted("", why)
    message = (f"{groups.scale_note(b)} Comparator statistics are over the comparators with a figure, never "
               f"{b.name} itself; the median council is the median of every council with a figure.")
    if not summary.empty and "total" in set(summary["line"]):
        t = summary.set_index("line").loc["total"]
        message += (f" All councils: {int(t['england_n'])} of {int(t['england_of'])} have a {b.year} figure.")
        if t["group_missing"]:
            message += f" Comparators without one: {missing_names(t['group_missing'])}."
    return noted(message, groups.group_shortfall(b, summary))


def spend_display(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """:func:`~helpers.analysis.benchmarking.spend.spend_summary` for the reader: whole £ per head, the group's
    median, spread and rank, distances (named as such), England and the median council."""
    d = summary.copy()
    note = f"{measure_word(measure).capitalize()} per person in the age band, {b.year}, cash"
    if not d.empty:
        d["name"] = [line_name(lab, band) for lab, band in zip(d["line_label"], d["age_band"], strict=True)]
        d["iqr"] = range_text(d["group_q1"], d["group_q3"])
        d["rank_text"] = rank_text(d["rank"], d["rank_of"])
        d["reason"] = d["reason"].where(d["reason"] != "")
        if d["reason"].notna().all() and d["reason"].nunique() == 1:  # the same on every line: said once
            note += f". On every line: {d['reason'].iloc[0]}"
            d["reason"] = np.nan
        n = d["group_n"].max()
        note += (f". Comparator median: of the comparators with a figure ({int(n)} of {int(d['group_size'].iloc[0])} "
                 "on most lines). Distances are in MADs: where the council sits, not a significance test")
        basis = d["population_basis"].dropna()
        later = basis[basis.str.startswith("latest")]
        if len(later):
            note += f". Population: {later.iloc[0]}"
    return report.present(
        d, columns={"name": "Spend line", "value": "Council (£)", "group_median": "Comparator median (£)",
                    "iqr": "Comparators' middle half (£)", "rank_text": "Rank (1 = highest)",
                    "group_mads": "MADs from comparator median", "group_verdict": "Distance from comparators",
                    "england": "England (£)", "england_median": "Median council (£)",
                    "england_verdict": "Distance from the median council", "reason": "Note"},
        formats={"value": "int", "group_median": "int", "england": "int", "region": "int", "england_median": "int",
                 "group_mads": signed1},
        empty=spend.spend_availability(b, measure) or "No spend line has a value.", source=None,
        note=note, drop_empty=("reason",))


def outliers_display(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """The lines where the council is 3 or more MADs from the median council (Oflog's "much higher/lower")."""
    sel = summary[summary["outlier"]] if not summary.empty else summary
    why = spend.spend_availability(b, measure)
    if not sel.empty:
        sel = sel.assign(name=[line_name(lab, band) for lab, band in zip(sel["line_label"], sel["age_band"],
                                                                          strict=True)])
    return report.present(
        sel, columns={"name": "Spend line", "value": "Council (£ per head)",
                      "england_median": "Median council (£)", "england_mads": "MADs from the median council",
                      "england_verdict": "Distance from the median council"},
        formats={"value": "int", "england_median": "int", "england_mads": signed1}, source=None,
        empty=why or "On no spend line is the council 3 or more MADs from the median council.")


def trend_display(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """:func:`~helpers.analysis.benchmarking.spend.spend_trend` for the reader: cash and real-terms £ per head by
    year and collection, with the comparators counted."""
    t = spend.spend_trend(b, line, measure)
    ln = spend.check_line(line)
    prices = t["real_prices"].iloc[0] if not t.empty else ""
    if not t.empty:
        t = t.assign(counted=[f"{n} of {size}" + (f" (no figure: {missing_names(m)})" if m else "")
                              for n, size, m in zip(t["group_n"], t["group_size"], t["group_missing"], strict=True)])
    return report.present(
        t, columns={"year": "Year", "collection": "Return", "council": "Council (£, cash)",
                    "group_median": "Comparator median (£, cash)", "counted": "Comparators with a figure",
                    "england": "England (£, cash)", "council_real": f"Council (£, {prices})",
                    "group_median_real": f"Comparator median (£, {prices})", "england_real": f"England (£, {prices})"},
        formats={c: "int" for c in ("council", "group_median", "england", "council_real", "group_median_real",
                                    "england_real")},
        empty="No spend per head for any year.", source=None,
        note=f"{line_name(ln.label, ln.age_band)}, {measure_word(measure)} per person; "
             "real terms with the HM Treasury GDP deflator"
             + (f" ({t['deflator_note'].iloc[0]})" if not t.empty and t["deflator_note"].iloc[0] else ""))


# ------------------------------------------------------------------------------------------------
# charts (drawn by helpers.reports.plots.benchmarking)
# ------------------------------------------------------------------------------------------------


def strip_chart(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] = HEADLINE_LINES) -> Any:
    """Dot strip of every council's spend per head on the headline lines, the council highlighted."""
    title = f"Spend per head, {b.year}: {b.name} among all councils"
    why = spend.spend_availability(b, measure)
    if why:
        return plots.empty_chart(why, title=title, source="national spend and population tables")
    data = spend.spend_strip(b, measure, lines)
    return benchmarking_charts.dot_strip(
        data, council_name=b.name, title=title,
        xlabel=f"{measure_word(measure)} per head, % of the median council (100 = median)",
        source=spend_source(b.year, b.population_rule),
        note="Each dot is a council; per head of the population of the line's age band.")


def trend_group_label(b: Benchmark, trend: Any) -> str:
    """The legend's words for the group median of a trend: the comparators with a figure, counted per year
    (``"Oflog's nearest neighbours with a figure (13-15 of 15)"``), not the group's size alone (issue 14 item 1)."""
    base = re.sub(r"\s*\(\d+ councils?\)$", "", b.group_label)
    n = trend.loc[trend["group_median"].notna(), "group_n"] if "group_n" in trend else trend.iloc[0:0]
    if n.empty:
        return f"{base} with a figure (of {len(b.group)})"
    lo, hi = int(n.min()), int(n.max())
    return f"{base} with a figure ({lo if lo == hi else f'{lo}-{hi}'} of {len(b.group)})"


def trend_figure(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """Spend per head on a line over time in real terms: the council, its group's median and England."""
    ln = spend.check_line(line)
    t = spend.spend_trend(b, line, measure)
    title = f"{ln.label}: spend per head over time, {b.name}"
    if t.empty:
        return plots.empty_chart("No spend per head for any year.", title=title, source="national spend tables")
    return benchmarking_charts.trend_chart(
        t, council_name=b.name, group_label=trend_group_label(b, t), value="_real", title=title,
        ylabel=f"£ per person aged {ln.age_band}, {t['real_prices'].iloc[0]}",
        source=spend_source(list(t["year"]), b.population_rule),
        note=("Real terms with the HM Treasury GDP deflator. " + t["deflator_note"].iloc[0] + ". "
              "The y axis starts at zero. Different collections (ASC-FR, RO3) define spend differently: read "
              "across the break with care. Comparator median: comparators with a figure, the council not counted."))


def quadrant_figure(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> Any:
    """Quadrant chart of spend per head on a line against its ASCOF partner measure, every council."""
    ln = spend.check_line(line)
    data, msg = spend_vs_outcome(b, line, measure_code, measure)
    reg = outcomes.registry().set_index("measure_code")
    pol = str(reg.loc[measure_code, "polarity"])
    unit = {"percent": "%", "rate_per_100k": "per 100,000"}.get(str(reg.loc[measure_code, "unit"]), "")
    oy = data["outcome_year"].iloc[0] if not data.empty else b.year
    title = f"Spend per head {b.year} and ASCOF {measure_code} {oy}"
    return benchmarking_charts.quadrant(
        data, council_name=b.name, title=title, polarity=pol,
        xlabel=f"{ln.label}: {measure_word(measure)}, £ per person aged {ln.age_band}",
        ylabel=f"ASCOF {measure_code}, {unit} ({'higher' if pol == 'higher' else 'lower'} is better)",
        source=spend_source(b.year, b.population_rule) + f"; NHS England ASCOF {oy}", note=msg)


def strip_view(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] = HEADLINE_LINES) -> Any:
    """:func:`strip_chart` as an image with alt text, or a sentence when there is no spend per head."""
    why = spend.spend_availability(b, measure)
    if why:
        return report.say("*No chart:* {w}", w=why)
    data = spend.spend_strip(b, measure, lines)
    mine = data[data["role"] == "council"]
    alt = (f"Dot strip of every council's spend per head on {len(set(data['line']))} lines in {b.year}, as a "
           f"percentage of the median council. {b.name}: " + "; ".join(
               f"{lab} {pct:.0f}%" for lab, pct in zip(mine["line_label"], mine["pct_of_median"], strict=True)) + ".")
    return alt_svg(plots.image(strip_chart(b, measure, lines)), alt)


def trend_view(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """:func:`trend_figure` as an image with alt text, or a sentence when no year has a value."""
    t = spend.spend_trend(b, line, measure)
    if t.empty:
        return report.say("*No chart: no spend per head for any year.*")
    prices = t["real_prices"].iloc[0]
    alt = (f"Line chart of spend per head over time in {prices}: " + "; ".join(
        f"{y} {b.name} £{text.number(c, 0)}, comparator median £{text.number(g, 0)}, England £{text.number(e, 0)}"
        for y, c, g, e in zip(t["year"], t["council_real"], t["group_median_real"], t["england_real"], strict=True))
        + ".")
    return alt_svg(plots.image(trend_figure(b, line, measure)), alt.replace("£nan", "no figure").replace("£-", "no figure"))


def quadrant_view(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> Any:
    """:func:`quadrant_figure` as an image with alt text, or why there is none.

    No spend per head for the year is said where the spend table says it; no outcome for the year or
    earlier is a :func:`~helpers.reports.benchmarking.noted` message (it goes to the run index too).
    """
    data, msg = spend_vs_outcome(b, line, measure_code, measure)
    if data.empty:
        why = spend.spend_availability(b, measure)
        if why:
            return report.say("*No chart:* {w}", w=why)
        return noted("No chart.", msg)
    mine = data[data["role"] == "council"]
    where = (f" {b.name}: £{text.number(mine['spend'].iloc[0], 0)} per head and {mine['outcome'].iloc[0]:g}."
             if len(mine) else "")
    alt = (f"Scatter of {len(data)} councils' spend per head ({b.year}) against ASCOF {measure_code} "
           f"({data['outcome_year'].iloc[0]}), split at the medians.{where}")
    return alt_svg(plots.image(quadrant_figure(b, line, measure_code, measure)), alt)


# ------------------------------------------------------------------------------------------------
# the councillor's summary and the workbook
# ------------------------------------------------------------------------------------------------


def spend_plain_summary(b: Benchmark, summary: pd.DataFrame, measure: str = "gross",
                        lines: tuple[str, ...] = HEADLINE_LINES) -> pd.DataFrame:
    """:func:`~helpers.reports.benchmarking.plain_summary` of the headline spend lines (the distance from the
    comparator median in MADs: a distance, not a test)."""
    if summary.empty:
        return plain_summary(pd.DataFrame())
    s = summary[summary["line"].isin(lines)]
    word = "Gross" if measure == "gross" else "Net"
    scale = "scaled MADs" if b.mad_scaled else "MADs"
    verdict = [v if v != stats.NOT_COMPARED else f"not compared: {r}" for v, r in
               zip(s["group_verdict"], s["reason"], strict=True)]
    rows = pd.DataFrame({
        "measure": [f"{word} spend per person: {lab}" + ("" if "aged" in lab else f" (per person aged {band})")
                    for lab, band in zip(s["line_label"], s["age_band"], strict=True)],
        "unit": "gbp_per_head", "value": s["value"], "comparator": s["group_median"], "england": s["england"],
        "verdict": verdict,
        "basis": f"distance from the comparator median in {scale} (a distance, not a test)",
        "source": spend_source(b.year, b.population_rule),
    })
    return plain_summary(rows)


