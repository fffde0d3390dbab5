"""What both benchmarking reports show: the comparator group, series breaks, the councillor's summary, run notes.

Shared by :mod:`helpers.reports.spend_benchmarking` and :mod:`helpers.reports.ascof_benchmarking`:

* :class:`BenchmarkReport` -- the part of a report object both have: the checked
  :class:`~helpers.analysis.benchmarking.groups.Benchmark`, the heading lines, the comparator group and the
  councillor's summary with its export;
* :func:`members_display`, :func:`breaks_display` -- the comparator councils, the council's series breaks;
* :func:`plain_summary`, :func:`plain_display`, :func:`export_summary` -- the short table a councillor reads
  (text for the reader, rounded numbers for re-use), shown and saved as CSV and Excel;
* :func:`noted` -- a sentence whose problem also goes to the run index;
* :func:`rank_text`, :func:`range_text` -- "3 of 16", "512 to 640".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from IPython.display import Markdown

from helpers.analysis.benchmarking.groups import Benchmark
from helpers.core import text
from helpers.data import councils
from helpers.reports import plots
from helpers.reports import present as report

#: The councillor's table: reader columns (text), then the numbers as shown (for re-use) and the source.
PLAIN_COLUMNS = ["Measure", "Our value", "Comparator median", "England", "Verdict", "How judged", "our_value",
                 "comparator_value", "england_value", "Source"]
#: The councillor's table in a workbook: the numbers as numbers under the reader's headings (not the text copies).
PLAIN_SHEET = {"Measure": "Measure", "our_value": "Our value", "comparator_value": "Comparator median",
               "england_value": "England", "Verdict": "Verdict", "How judged": "How judged"}
#: Decimals shown per unit of the councillor's table (others: 2).
PLAIN_DIGITS = {"gbp_per_head": 0, "percent": 1, "rate_per_100k": 1, "score_3": 3}


def noted(message: str, problem: str | None) -> Markdown:
    """``message`` for the report, with ``problem`` in bold after it; ``problem`` also goes to the run's index.

    Both are plain text (they may hold council names and parameter values) and are escaped.
    ``problem`` is what a reader of a batch must not miss (no figures for the year, too few comparators):
    :func:`helpers.reports.present.note` records it for the ``Notes`` column of ``index.html`` and the manifest.
    """
    if problem:
        report.note("{p}", p=problem)
        if message:
            return report.say("{m} **{p}**", m=message, p=problem)
        return report.say("**{p}**", p=problem)
    return report.say("{m}", m=message)


def alt_svg(image: Any, alt: str) -> Any:
    """A chart image with its own alt text: :func:`helpers.reports.plots.with_alt`."""
    return plots.with_alt(image, alt)


#: Terms both benchmarking reports use, in plain words.
GLOSSARY: dict[str, str] = {
    "Comparator group": "The councils this council is compared with (by default Oflog's nearest neighbours: the "
                        "15 councils most like it). The council itself is never counted in its group's median.",
    "Median": "The middle value: half the councils are above it, half below.",
    "Median council": "The median of every council in England with a value (the council included), as Oflog uses.",
    "MAD (median absolute deviation)": "The typical distance of councils from the median. '2 MADs above' means "
                                       "twice as far above the median as a typical council is.",
    "Broadly similar / slightly / much": "Oflog's words for a distance in MADs: under 0.5 broadly similar, 0.5 to "
                                         "1.5 slightly, 1.5 to 3 plain, 3 or more much higher or lower.",
    "A distance, not a test": "A distance in MADs says where the council sits among others; it is not a test of "
                              "whether the difference could be chance.",
    "Middle half": "The range from the lower to the upper quartile: the middle half of the comparators.",
}


def rank_text(rank: pd.Series, of: pd.Series) -> list[str | None]:
    """``"3 of 16"`` per row (``None`` where there is no rank)."""
    return [f"{int(r)} of {int(n)}" if pd.notna(r) else None for r, n in zip(rank, of, strict=True)]


def range_text(lo: pd.Series, hi: pd.Series, digits: int = 0) -> list[str | None]:
    """``"512 to 640"`` per row, to ``digits`` decimals with thousands separators (``None`` where no range)."""
    return [f"{text.number(a, digits)} to {text.number(c, digits)}" if pd.notna(a) else None
            for a, c in zip(lo, hi, strict=True)]


def signed1(x: float) -> str:
    """A signed distance or difference to 1 decimal (``+1.2``, ``-0.4``, ``0.0``)."""
    return text.number(x, 1, signed=True)


def members_display(b: Benchmark) -> Any:
    """The comparator councils for the reader (name, code, region, type)."""
    return report.present(b.members(), columns={"name": "Council", "gss_code": "ONS code", "region_name": "Region",
                                                 "council_type": "Type"},
                          empty="No comparator group: see the note above.")


def breaks_display(b: Benchmark) -> Any:
    """Where the council's own series breaks (boundary or code changes), for the reader."""
    rows = pd.DataFrame(councils.series_breaks(b.council), columns=["year", "kind", "description", "related_codes"])
    rows["related_codes"] = rows["related_codes"].map(lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else v)
    return report.present(rows, columns={"year": "From", "kind": "Change", "description": "What changed",
                                         "related_codes": "Other ONS codes involved"},
                          empty="No boundary or code change affects this council's series since 2009-10.",
                          note="Boundary and code changes (ONS); a series is not joined across a change of area")


# ------------------------------------------------------------------------------------------------
# the councillor's summary
# ------------------------------------------------------------------------------------------------


def plain_value(value: float, unit: str) -> str:
    """A value of the councillor's table in its unit: ``£798``, ``93.1%``, ``484.8 per 100,000``, ``0.411``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "not available"
    if unit == "gbp_per_head":
        return "£" + text.number(value, 0)
    if unit == "percent":
        return text.number(value, 1) + "%"
    if unit == "rate_per_100k":
        return text.number(value, 1) + " per 100,000"
    if unit == "score_3":  # a score published to 3 decimals (ASCOF 1J, on a 0-1 scale)
        return text.number(value, 3)
    return text.number(value, 2).rstrip("0").rstrip(".")


def plain_summary(rows: pd.DataFrame, unit_col: str = "unit") -> pd.DataFrame:
    """The short table a councillor reads: measure, our value, comparator, England, verdict.

    Parameters
    ----------
    rows
        One row per measure with ``measure`` (plain name), ``unit`` (``gbp_per_head``, ``percent``,
        ``rate_per_100k``, ``score``, ``score_3`` for a score published to 3 decimals), ``value``,
        ``comparator`` (the group median), ``england``, ``verdict`` (plain words), ``basis`` (how the verdict
        was reached) and, optionally, ``source`` (the publication and file the values come from).

    Returns
    -------
    pandas.DataFrame
        ``Measure``, ``Our value``, ``Comparator median``, ``England``, ``Verdict``, ``How judged``
        (text), plus the numbers ``our_value``, ``comparator_value``, ``england_value`` (rounded as shown)
        so that the exported file can be checked and re-used, and ``Source``.
    """
    if rows.empty:
        return pd.DataFrame(columns=PLAIN_COLUMNS)
    digits = rows[unit_col].map(PLAIN_DIGITS).fillna(2).astype(int)
    out = pd.DataFrame({
        "Measure": rows["measure"].to_numpy(),
        "Our value": [plain_value(v, u) for v, u in zip(rows["value"], rows[unit_col], strict=True)],
        "Comparator median": [plain_value(v, u) for v, u in zip(rows["comparator"], rows[unit_col], strict=True)],
        "England": [plain_value(v, u) for v, u in zip(rows["england"], rows[unit_col], strict=True)],
        "Verdict": rows["verdict"].to_numpy(),
        "How judged": rows["basis"].to_numpy(),
    })
    for src, dst in (("value", "our_value"), ("comparator", "comparator_value"), ("england", "england_value")):
        out[dst] = [round(float(v), int(d)) if pd.notna(v) else np.nan
                    for v, d in zip(rows[src], digits, strict=True)]
    out["Source"] = rows["source"].to_numpy() if "source" in rows else np.nan
    return out


def plain_display(plain: pd.DataFrame, empty: str) -> Any:
    """The councillor's summary table as shown in the report (the text columns of :func:`plain_summary`).

    Sources are named once, in the report's footnote, not on every row."""
    cols = ["Measure", "Our value", "Comparator median", "England", "Verdict", "How judged"]
    note = None
    if len(plain) and plain["How judged"].nunique() == 1:  # said once, above the table
        cols.remove("How judged")
        note = f"Verdict: {plain['How judged'].iloc[0]}"
    return report.present(plain, columns={c: c for c in cols}, empty=empty, source=None, note=note)


def export_summary(df: pd.DataFrame, name: str = "summary") -> str:
    """Write the councillor's table as CSV next to the report (:func:`helpers.reports.present.export_csv`);
    return the file name. The report's Excel workbook (:mod:`helpers.reports.exports`) holds it too."""
    return report.export_csv(df, name)


# ------------------------------------------------------------------------------------------------
# the report object
# ------------------------------------------------------------------------------------------------


class BenchmarkReport:
    """What a benchmarking report object holds and shows in both reports.

    Parameters
    ----------
    b
        The checked council, year and comparator group.
    plain
        The councillor's table (:func:`plain_summary`).
    plain_empty
        What to say when that table has no rows.
    no_data
        Why the report has nothing to show for its parameters (``None`` when it has): the summary says so
        at the top, the status is ``no data`` and the other sections draw nothing.
    """

    #: The report's name in titles ("spend per head", "adult social care outcomes (ASCOF)").
    subject = "benchmarking"

    def __init__(self, b: Benchmark, plain: pd.DataFrame, plain_empty: str, no_data: str | None = None) -> None:
        plots.setup()
        self.b = b
        self.plain = plain
        self.plain_empty = plain_empty
        self.no_data = no_data

    def title(self) -> str:
        """``"Stockport - spend per head, 2023-24"``: the council, the report and the year."""
        return f"{self.b.name} - {self.subject}, {self.b.year}"

    def heading_lines(self) -> list[str]:
        """The lines printed under the parameters: the council, the year and the group."""
        return [f"Council: {self.b.name} ({self.b.council}), {self.b.year}", f"Comparator group: {self.b.group_label}"]

    def heading(self) -> str:
        """:meth:`heading_lines` as one text."""
        return "\n".join(self.heading_lines())

    def summary_lines(self) -> list[str]:
        """The 3-5 plain lines of the summary box (each report says its own)."""
        return []

    def summary(self) -> report.Parts:
        """The answer first: the summary box (council, year, where the council differs most and how sure), or,
        with nothing to show, a "no data" banner (and the report's status ``no data``)."""
        if self.no_data:
            return report.Parts(report.summary_box(self.title(), [self.no_data]),
                                report.banner("no data", self.no_data))
        return report.Parts(report.summary_box(self.title(), self.summary_lines()[:5]))

    def shown(self, *items: Any) -> report.Parts:
        """``items`` as a section, or nothing when the report has no data (no empty frames)."""
        return report.Parts() if self.no_data else report.Parts(*items)

    def group(self) -> report.Parts:
        """The comparator group: the paragraph on the council, year and group, then its councils."""
        return self.shown(report.say("{d}", d=self.b.describe()), members_display(self.b))

    def councillors(self) -> report.Parts:
        """The councillor's summary table (also saved as CSV and in the report's workbook)."""
        if self.no_data:
            return report.Parts()
        name = export_summary(self.plain)
        return report.Parts(report.say("This table is also saved as {f}.", f=name),
                            plain_display(self.plain, empty=self.plain_empty))

    def glossary(self) -> Any:
        """The terms the report uses, in plain words."""
        return report.glossary(self.glossary_terms())

    def glossary_terms(self) -> dict[str, str]:
        """:data:`GLOSSARY` (each report adds its own terms)."""
        return dict(GLOSSARY)
