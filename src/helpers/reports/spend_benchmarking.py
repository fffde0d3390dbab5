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

from typing import Any

import numpy as np
import pandas as pd

from helpers.analysis import stats
from helpers.analysis.benchmarking import groups, outcomes, spend
from helpers.analysis.benchmarking.groups import Benchmark
from helpers.analysis.benchmarking.spend import HEADLINE_LINES
from helpers.analysis.benchmarking.spend_outcome import spend_vs_outcome
from helpers.core import periods
from helpers.data import tables
from helpers.reports import plots
from helpers.reports import present as report
from helpers.reports.benchmarking import (
    BenchmarkReport,
    breaks_display,
    noted,
    plain_summary,
    range_text,
    rank_text,
    signed1,
)
from helpers.reports.plots import benchmarking as benchmarking_charts

#: The source line of each spend collection (``{year}`` = the financial year).
COLLECTION_SOURCE = {
    "RO3": "MHCLG Revenue Outturn (RO3) {year}",
    "ASC-FR": "NHS Digital Adult Social Care Finance Return (ASC-FR) {year}",
    "PSS-EX1": "HSCIC PSS Expenditure (PSS-EX1) {year}",
}


def prepare(council: str, year: str, comparator: str | list[str] = "nearest_neighbours", expenditure: str = "gross",
            mad_scaled: bool = False) -> SpendBenchmarking:
    """Check the report's parameters, run the analysis once, and return the report object.

    Parameters
    ----------
    council, year, comparator, mad_scaled
        See :func:`helpers.analysis.benchmarking.groups.setup`.
    expenditure
        ``gross`` or ``net`` current expenditure (:func:`helpers.analysis.benchmarking.spend.check_expenditure`).

    Raises
    ------
    ParameterError
        A parameter that is not valid (the message names it).
    """
    b = groups.setup(council, year, comparator, mad_scaled=mad_scaled)
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

    def __init__(self, b: Benchmark, measure: str) -> None:
        self.measure = measure
        self.summary = spend.spend_summary(b, measure)
        super().__init__(b, spend_plain_summary(b, self.summary, measure),
                         plain_empty=spend.spend_availability(b, measure) or "Nothing to summarise.")

    def heading_lines(self) -> list[str]:
        """The council, year and measure, then the group."""
        return [f"Council: {self.b.name} ({self.b.council}), {self.b.year}, {self.measure} current expenditure",
                f"Comparator group: {self.b.group_label}"]

    def at_a_glance(self) -> report.Parts:
        """The spend table: the paragraph on its source and method (a run note when figures are missing),
        then every line against the group, England and region."""
        return report.Parts(spend_intro(self.b, self.summary, self.measure),
                            spend_display(self.b, self.summary, self.measure))

    def strip(self) -> Any:
        """The dot strip of every council's spend per head on the headline lines."""
        return strip_view(self.b, self.measure)

    def outliers(self) -> Any:
        """The lines where the council is 3 or more MADs from the median of all councils."""
        return outliers_display(self.b, self.summary, self.measure)

    def trend_chart(self, line: str = "total") -> Any:
        """Spend per head on ``line`` over time, in real terms."""
        return trend_view(self.b, line, self.measure)

    def trend_table(self, line: str = "total") -> report.Parts:
        """Spend per head on ``line`` by year (cash and real), then where the council's series breaks."""
        return report.Parts(trend_display(self.b, line, self.measure), breaks_display(self.b))

    def quadrant(self, line: str = "support_65+", measure_code: str = "2A(2)") -> Any:
        """Spend per head on ``line`` against its ASCOF partner ``measure_code``, every council."""
        return quadrant_view(self.b, line, measure_code, self.measure)


# ------------------------------------------------------------------------------------------------
# sources
# ------------------------------------------------------------------------------------------------


def spend_source(years: list[str] | tuple[str, ...] | str) -> str:
    """The source line of a spend-per-head table or chart for some financial years."""
    years = [years] if isinstance(years, str) else list(years)
    df = spend.spend_per_head()
    colls = df[df["year"].isin(years)].drop_duplicates("year").sort_values("year")
    parts = [COLLECTION_SOURCE.get(c, c + " {year}").format(year=y) for y, c in
             zip(colls["year"], colls["collection"], strict=True)]
    mids = ", ".join(f"mid-{periods.fy_start(y)}" for y in years)
    return "; ".join([*parts, f"ONS population estimates {mids}"])


def spend_files(years: list[str] | tuple[str, ...] | str) -> str:
    """:func:`~helpers.analysis.benchmarking.groups.source_files` of the spend and population files behind
    spend per head in ``years``."""
    years = [years] if isinstance(years, str) else list(years)
    df = spend.spend_per_head()
    ids = set(df.loc[df["year"].isin(years) & df["per_head_gbp"].notna(), "source_id"])
    pop = tables.cached("population")
    ids |= set(pop.loc[pop["year"].isin(years), "source_id"])
    return groups.source_files(ids)


def measure_word(measure: str) -> str:
    """``gross current expenditure`` or ``net current expenditure``."""
    return "gross current expenditure" if measure == "gross" else "net current expenditure"


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------


def spend_intro(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """The sentence before the spend table: the source, the MAD used and, as a run note, why figures are missing.

    A report with no spend per head for its year, or with too few comparators with a value, carries a
    :func:`~helpers.reports.benchmarking.noted` message (shown in the report and in the run index).
    """
    why = spend.spend_availability(b, measure)
    if why:
        return noted("", why)
    message = f"Spend from {spend_source(b.year)}. {groups.scale_note(b)}"
    return noted(message, groups.group_shortfall(b, summary))


def spend_display(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """:func:`~helpers.analysis.benchmarking.spend.spend_summary` for the reader: whole £ per head, the group's
    spread and rank, verdicts, notes."""
    d = summary.copy()
    note = f"{measure_word(measure).capitalize()} per person in the age band, {b.year}, cash"
    if not d.empty:
        d["iqr"] = range_text(d["group_q1"], d["group_q3"])
        d["rank_text"] = rank_text(d["rank"], d["rank_of"])
        d["reason"] = d["reason"].where(d["reason"] != "")
        if d["reason"].notna().all() and d["reason"].nunique() == 1:  # the same on every line: said once
            note += f". On every line: {d['reason'].iloc[0]}"
            d["reason"] = np.nan
    return report.present(
        d, columns={"line_label": "Spend line", "age_band": "Per person aged", "value": "Council (£)",
                    "group_median": "Group median (£)", "iqr": "Group middle half (£)",
                    "rank_text": "Rank (1 = highest)", "group_mads": "MADs from group median",
                    "group_verdict": "Against the group", "england": "England (£)",
                    "england_verdict": "Against all councils", "region": "Region (£)", "reason": "Note"},
        formats={"value": "int", "group_median": "int", "england": "int", "region": "int", "group_mads": signed1},
        empty=spend.spend_availability(b, measure) or "No spend line has a value.",
        note=f"{note}. Sources: {spend_source(b.year)} ({spend_files(b.year)})",
        drop_empty=("reason",))


def outliers_display(b: Benchmark, summary: pd.DataFrame, measure: str = "gross") -> Any:
    """The lines where the council is 3 or more MADs from the all-council median (Oflog's "much higher/lower")."""
    sel = summary[summary["outlier"]] if not summary.empty else summary
    why = spend.spend_availability(b, measure)
    return report.present(
        sel, columns={"line_label": "Spend line", "value": "Council (£ per head)",
                      "england_median": "Median of all councils (£)", "england_mads": "MADs from the median",
                      "england_verdict": "Verdict"},
        formats={"value": "int", "england_median": "int", "england_mads": signed1},
        empty=why or "On no spend line is the council 3 or more MADs from the median of all councils.")


def trend_display(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """:func:`~helpers.analysis.benchmarking.spend.spend_trend` for the reader: cash and real-terms £ per head by
    year and collection."""
    t = spend.spend_trend(b, line, measure)
    ln = spend.check_line(line)
    prices = t["real_prices"].iloc[0] if not t.empty else ""
    return report.present(
        t, columns={"year": "Year", "collection": "Return", "council": "Council (£, cash)",
                    "group_median": "Group median (£, cash)", "england": "England (£, cash)",
                    "council_real": f"Council (£, {prices})", "group_median_real": f"Group median (£, {prices})",
                    "england_real": f"England (£, {prices})"},
        formats={c: "int" for c in ("council", "group_median", "england", "council_real", "group_median_real",
                                    "england_real")},
        empty="No spend per head for any year.",
        note=f"{ln.label}, {measure_word(measure)} per person aged {ln.age_band}; "
             "real terms with the HM Treasury GDP deflator"
             + (f" ({t['deflator_note'].iloc[0]})" if not t.empty and t["deflator_note"].iloc[0] else "")
             + (f". Sources: {spend_source(list(t['year']))} ({spend_files(list(t['year']))})" if not t.empty
                else ""))


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
        source=spend_source(b.year), note="Each dot is a council; per head of the population of the line's age band.")


def trend_figure(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """Spend per head on a line over time in real terms: the council, its group's median and England."""
    ln = spend.check_line(line)
    t = spend.spend_trend(b, line, measure)
    title = f"{ln.label}: spend per head over time"
    if t.empty:
        return plots.empty_chart("No spend per head for any year.", title=title, source="national spend tables")
    return benchmarking_charts.trend_chart(
        t, council_name=b.name, group_label=b.group_label, value="_real", title=title,
        ylabel=f"£ per person aged {ln.age_band}, {t['real_prices'].iloc[0]}", source=spend_source(list(t["year"])),
        note=("Real terms with the HM Treasury GDP deflator. " + t["deflator_note"].iloc[0] + ". "
              "Different collections (ASC-FR, RO3) define spend differently: read across the line with care."))


def quadrant_figure(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> Any:
    """Quadrant chart of spend per head on a line against its ASCOF partner measure, every council."""
    ln = spend.check_line(line)
    data, msg = spend_vs_outcome(b, line, measure_code, measure)
    reg = outcomes.registry().set_index("measure_code")
    pol = str(reg.loc[measure_code, "polarity"])
    unit = {"percent": "%", "rate_per_100k": "per 100,000"}.get(str(reg.loc[measure_code, "unit"]), "")
    title = f"Spend per head and ASCOF {measure_code}, {b.year}"
    return benchmarking_charts.quadrant(
        data, council_name=b.name, title=title, polarity=pol,
        xlabel=f"{ln.label}: {measure_word(measure)}, £ per person aged {ln.age_band}",
        ylabel=f"ASCOF {measure_code}, {unit} ({'higher' if pol == 'higher' else 'lower'} is better)",
        source=spend_source(b.year) + "; NHS England ASCOF"
        + (f" {data['outcome_year'].iloc[0]}" if not data.empty else ""), note=msg)


def strip_view(b: Benchmark, measure: str = "gross", lines: tuple[str, ...] = HEADLINE_LINES) -> Any:
    """:func:`strip_chart` as an image for the report, or a sentence when there is no spend per head."""
    why = spend.spend_availability(b, measure)
    if why:
        return report.say(f"*No chart: {why}*")
    return plots.image(strip_chart(b, measure, lines))


def trend_view(b: Benchmark, line: str = "total", measure: str = "gross") -> Any:
    """:func:`trend_figure` as an image for the report, or a sentence when no year has a value."""
    if spend.spend_trend(b, line, measure).empty:
        return report.say("*No chart: no spend per head for any year.*")
    return plots.image(trend_figure(b, line, measure))


def quadrant_view(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> Any:
    """:func:`quadrant_figure` as an image for the report, or why there is none.

    No spend per head for the year is said where the spend table says it; no outcome for the year or
    earlier is a :func:`~helpers.reports.benchmarking.noted` message (it goes to the run index too).
    """
    data, msg = spend_vs_outcome(b, line, measure_code, measure)
    if data.empty:
        why = spend.spend_availability(b, measure)
        if why:
            return report.say(f"*No chart: {why}*")
        return noted("No chart.", msg)
    return plots.image(quadrant_figure(b, line, measure_code, measure))


# ------------------------------------------------------------------------------------------------
# the councillor's summary
# ------------------------------------------------------------------------------------------------


def spend_plain_summary(b: Benchmark, summary: pd.DataFrame, measure: str = "gross",
                        lines: tuple[str, ...] = HEADLINE_LINES) -> pd.DataFrame:
    """:func:`~helpers.reports.benchmarking.plain_summary` of the headline spend lines (verdict against the
    comparator median in MADs)."""
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
        "basis": f"distance from the group median in {scale}",
        "source": spend_source(b.year),
    })
    return plain_summary(rows)
