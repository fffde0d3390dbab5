"""The data overview report (notebook ``00_data_overview``): what the toolkit holds, for a reader.

:func:`prepare` reads the processed tables' overview and the financial years each table holds once, and
returns a :class:`DataOverview`; each of its methods is one cell of the notebook and returns what that cell
shows. The functions below the class are the pieces: reader-facing views, through
:func:`helpers.reports.present.present`, of :func:`helpers.data.tables.overview`,
:func:`helpers.data.tables.coverage`, :func:`helpers.data.sources.status_table` and
:func:`helpers.data.councils.series_breaks` and :func:`helpers.analysis.benchmarking.identity.changes` (the
ASCOF series breaks), plus :func:`table_years` (the financial years each processed table
holds, so that a chart can show gaps inside a table's range).
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow.parquet as pq

from helpers.analysis.benchmarking import identity
from helpers.core import periods
from helpers.core.paths import processed_path
from helpers.data import councils, sources, tables
from helpers.reports import plots, present
from helpers.reports.plots import overview as overview_charts


def prepare(council: str) -> DataOverview:
    """Read what the toolkit holds once and return the report for one council.

    Parameters
    ----------
    council
        The council's GSS code, checked (:func:`helpers.pipeline.params.check`).
    """
    return DataOverview(council)


class DataOverview:
    """The data overview report for one council; one method per notebook cell.

    Attributes
    ----------
    council, name
        The council's GSS code and name.
    overview
        :func:`helpers.data.tables.overview` (one row per registered table).
    years
        :func:`table_years` (the financial years each built table holds).
    """

    def __init__(self, council: str) -> None:
        plots.setup()
        self.council = council
        self.name = councils.name_of(council)
        self.overview = tables.overview()
        self.years = table_years()

    def heading(self) -> str:
        """The line printed under the parameters: the council's name and code."""
        return f"Council: {self.name} ({self.council})"

    def summary(self) -> object:
        """The answer first: what data there are, for which years, and where the council's series break.

        A box of plain lines (:func:`summary_lines`); with no processed table built at all the report's status
        is ``no data``.
        """
        lines = summary_lines(self.council, self.name, self.overview, tables.coverage(self.council),
                              sources.status_table(), councils.series_breaks(self.council),
                              council_report_years(self.council))
        if not self.overview["built"].any():
            return present.Parts(
                present.banner("no data", "No processed table is built yet: run `asc data build` (with "
                                          "ASC_NATIONAL_DIR pointing at the national files)."),
                present.summary_box(f"{self.name} - data overview", lines))
        return present.summary_box(f"{self.name} - data overview", lines)

    def tables(self) -> present.Presented:
        """The processed tables (:func:`show_tables`)."""
        return show_tables(self.overview, self.years)

    def coverage_chart(self) -> object:
        """The financial years each table holds (:func:`helpers.reports.plots.overview.coverage_chart`), drawn."""
        return plots.image(overview_charts.coverage_chart(self.overview, self.years),
                           alt=overview_charts.coverage_alt(self.overview, self.years))

    def sources(self) -> present.Presented:
        """The national source files and their state (:func:`show_sources`)."""
        return show_sources()

    def coverage(self) -> present.Presented:
        """Rows and years held for the council (:func:`show_coverage`)."""
        return show_coverage(self.council, self.name)

    def breaks(self) -> present.Presented:
        """Where the council's time series break (:func:`show_breaks`)."""
        return show_breaks(self.council)

    def ascof_breaks(self) -> present.Parts:
        """Where the ASCOF series break, start or end (:func:`show_ascof_breaks`)."""
        return show_ascof_breaks()


def table_years(names: list[str] | None = None) -> dict[str, list[str]]:
    """The financial years (``YYYY-YY``) each built table holds, sorted; tables without a year column are left out.

    Parameters
    ----------
    names
        Tables to read (default: every registered table that is built).
    """
    tables.discover()
    out: dict[str, list[str]] = {}
    for name in sorted(names if names is not None else tables.REGISTRY):
        if not tables.available(name):
            continue
        path = processed_path(name)
        cols = set(pq.read_schema(path).names)
        ycol = "year" if "year" in cols else ("financial_year" if "financial_year" in cols else None)
        if ycol is None:
            continue
        years = pd.read_parquet(path, columns=[ycol])[ycol].dropna().astype(str).unique()
        held = sorted(y for y in years if periods.is_fy(y))
        if held:
            out[name] = held
    return out


def built_text(table: str, built: bool) -> str:
    """Whether a table is built, in words; a table whose latest build failed says so (its older copy is used)."""
    state, message = tables.table_status(table)
    if state == "failed":
        older = "an older copy is used" if built else "no copy to use"
        return f"latest build failed ({older}): {message}"
    return "yes" if built else "no: run `asc data build`"


def council_report_years(gss_code: str) -> dict[str, list[str]]:
    """The financial years of the council's own report figures, by council table (tables without it left out)."""
    tables.discover()
    out: dict[str, list[str]] = {}
    for name, spec in sorted(tables.REGISTRY.items()):
        if spec.kind != "council" or not tables.available(name):
            continue
        df = tables.load(name)
        ycol = "year" if "year" in df.columns else ("financial_year" if "financial_year" in df.columns else None)
        if ycol is None or "gss_code" not in df.columns:
            continue
        years = sorted(y for y in df.loc[df["gss_code"] == gss_code, ycol].dropna().astype(str).unique()
                       if periods.is_fy(y))
        if years:
            out[name] = years
    return out


def _years_in_words(years: list[str]) -> str:
    if len(years) <= 4:
        return ", ".join(years[:-1]) + (" and " if len(years) > 1 else "") + years[-1]
    return f"{years[0]} to {years[-1]} ({len(years)} years)"


#: The national tables the summary names, with a reader's word for each (in this order).
SUMMARY_TABLES = {"spend": "spend (RO3 / ASC-FR)", "ascof": "ASCOF outcomes", "population": "population",
                  "activity": "activity"}


def summary_lines(gss_code: str, name: str, overview: pd.DataFrame, coverage: pd.DataFrame,
                  files: pd.DataFrame, breaks: list[dict], own_years: dict[str, list[str]]) -> list[str]:
    """The summary box's lines: tables built, the council's national years, its own figures, files, breaks.

    Parameters
    ----------
    overview, coverage, files, breaks, own_years
        :func:`helpers.data.tables.overview`, :func:`helpers.data.tables.coverage`,
        :func:`helpers.data.sources.status_table`, :func:`helpers.data.councils.series_breaks` and
        :func:`council_report_years` for the council.
    """
    lines = []
    n, built = len(overview), int(overview["built"].sum())
    kinds = overview[overview["built"]].groupby("kind").size()
    parts = [f"{kinds.get('national', 0)} from national statistics", f"{kinds.get('council', 0)} from councils' "
             "own reports", f"{kinds.get('reference', 0)} reference"]
    failed = [t for t in overview["table"] if tables.table_status(t)[0] == "failed"]
    head = f"All {n} processed tables are built" if built == n else f"{built} of {n} processed tables are built"
    lines.append(f"{head}: {', '.join(parts)}." + (f" The latest build of {', '.join(failed)} failed: reports "
                                                    "that read them are marked stale data." if failed else ""))
    spans = coverage.set_index("table")["years"].map(_span) if len(coverage) else pd.Series(dtype=str)
    held = [f"{word} {spans[t]}" for t, word in SUMMARY_TABLES.items() if t in spans.index and spans[t]]
    lines.append(f"National figures for {name}: " + ("; ".join(held) + "." if held else
                                                      "none built (run `asc data build` with the national files)."))
    if own_years:
        years = sorted({y for ys in own_years.values() for y in ys})
        n_tables = f"{len(own_years)} table{'s' if len(own_years) != 1 else ''}"
        lines.append(f"{name}'s own report figures: {_years_in_words(years)}, in {n_tables}.")
    else:
        lines.append(f"{name} has no report figures of its own in data/raw/councils/ (the budget and KPI reports "
                     "need them).")
    states = files["state"].value_counts() if len(files) else pd.Series(dtype=int)
    if len(files) and states.get("present", 0) == len(files):
        lines.append(f"All {len(files)} registered national files are present and unchanged.")
    elif len(files):
        off = ", ".join(f"{k} {v}" for k, v in states.items() if k != "present")
        lines.append(f"{states.get('present', 0)} of {len(files)} registered national files are present ({off}): "
                     "set ASC_NATIONAL_DIR or run `asc data fetch`.")
    if breaks:
        first = breaks[0]
        more = f" (and {len(breaks) - 1} more change{'s' if len(breaks) > 2 else ''} below)" if len(breaks) > 1 else ""
        what = str(first["description"]).split(" (merged;")[0].split("; see notes")[0]
        lines.append(f"{name}'s series break in {first['year']}: {what}{more}. Trends must not join across it.")
    else:
        lines.append(f"No boundary or code change breaks {name}'s series since 2009-10.")
    return lines


def show_tables(overview: pd.DataFrame, years: dict[str, list[str]] | None = None) -> present.Presented:
    """:func:`helpers.data.tables.overview` for a reader, with the number of financial years each table holds."""
    d = overview.copy()
    held = years or {}
    d["years_held"] = d["table"].map(lambda t: len(held[t]) if t in held else pd.NA).astype("Int64")
    d["built_text"] = [built_text(t, b) for t, b in zip(d["table"], d["built"], strict=True)]
    cols = {"table": "Table", "kind": "From", "built_text": "Built", "rows": "Rows", "first_year": "First year",
            "last_year": "Last year", "years_held": "Years held", "areas": "Areas (councils, regions, England)",
            "description": "What it holds"}
    return present.present(d, columns=cols, formats={"rows": "int", "areas": "int", "years_held": "int"},
                           source=None, empty="No processed table is registered.")


def show_sources() -> present.Presented:
    """:func:`helpers.data.sources.status_table` for a reader."""
    cols = {"file": "File (in the national data folder)", "state": "State", "publisher": "Publisher",
            "title": "Title"}
    return present.present(sources.status_table(), columns=cols, source=None,
                           empty="The sources register lists no file.")


def _span(text: str) -> str:
    """``"2017-18..2023-24 (2)"`` -> ``"2017-18 to 2023-24 (2 years held)"``; ``"-"`` -> ``""``."""
    m = re.match(r"^(\S+)\.\.(\S+) \((\d+)\)$", str(text))
    if not m:
        return ""
    first, last, n = m.groups()
    held = f"{n} year{'s' if n != '1' else ''} held"
    return f"{first} ({held})" if first == last else f"{first} to {last} ({held})"


def show_coverage(gss_code: str, council_name: str) -> present.Presented:
    """:func:`helpers.data.tables.coverage` for a reader: rows and financial years held for one council."""
    d = tables.coverage(gss_code)
    d["span"] = d["years"].map(_span)
    d.loc[d["span"].eq("") & d["rows"].gt(0), "span"] = "not by financial year"
    d.loc[d["rows"].eq(0), "span"] = "none for this council"
    cols = {"table": "Table", "rows": f"Rows for {council_name}", "span": "Financial years"}
    return present.present(d, columns=cols, formats={"rows": "int"}, source=None, na="",
                           empty="No processed table keyed by council code is built yet: run `asc data build`.")


def show_breaks(gss_code: str) -> present.Presented:
    """:func:`helpers.data.councils.series_breaks` for a reader."""
    d = pd.DataFrame(councils.series_breaks(gss_code), columns=["year", "kind", "description", "related_codes"])
    d["related"] = d["related_codes"].map(lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else v)
    cols = {"year": "From financial year", "kind": "Change", "description": "What changed",
            "related": "Related council codes"}
    return present.present(d, columns=cols, source=None,
                           empty="No boundary or code change affects this council's series since 2009-10.")


def show_ascof_breaks(changes: pd.DataFrame | None = None) -> present.Parts:
    """The ASCOF series breaks, retired and new measures (:func:`helpers.analysis.benchmarking.identity.changes`)
    for a reader: a sentence, then one row per change with both codes, the year and why."""
    d = identity.changes() if changes is None else changes.copy()
    if d.empty:
        return present.Parts(present.say("*The ASCOF series breaks table lists no break.*"))
    kinds = d["kind"]
    renumbered = d[kinds.eq("definition") & d["year"].eq(identity.RENUMBERED_IN)]
    cld = d.loc[kinds.eq("data_collection"), "measure_id"].nunique()
    intro = present.say(
        "From {first} NHS England renumbered the ASCOF measures and reused some codes, so a code names a measure "
        "only together with its year; the reports follow each measure under a stable id (the crosswalk "
        "`data/raw/reference/ascof_crosswalk.csv`) and show the code of the year with the earlier one beside it. "
        "A trend does not join across a break below: {n_def} definition{s_def} changed at the renumbering "
        "({codes}); from {cld_year}, {n_cld} measure{s_cld} are calculated from client-level data (CLD) instead of "
        "the councils' SALT return; {n_ret} measure{s_ret} retired (their series end); {new}.",
        first=identity.RENUMBERED_IN, n_def=len(renumbered),
        s_def="s" if len(renumbered) != 1 else "",
        codes=", ".join(f"{a} became {b}" for a, b in zip(renumbered["code_to_2022_23"], renumbered["code_from_2023_24"],
                                                     strict=True)) or "none",
        n_cld=cld, s_cld="s" if cld != 1 else "",
        cld_year=", ".join(sorted(d.loc[kinds.eq("data_collection"), "year"].unique())) or "-",
        n_ret=int(kinds.eq("retired").sum()), s_ret="s" if kinds.eq("retired").sum() != 1 else "",
        new=(f"{n_new} {'is' if n_new == 1 else 'are'} new in {identity.RENUMBERED_IN} with no earlier series"
             if (n_new := int(kinds.eq("new").sum())) else "no measure is new without a predecessor"))
    d["change"] = d["kind"].map(lambda k: identity.CHANGE_WORDS.get(k, k))
    cols = {"measure": "Measure", "measure_id": "Stable id", "code_to_2022_23": "Code to 2022-23",
            "code_from_2023_24": "Code from 2023-24", "year": "From financial year", "change": "Change",
            "reason": "Why"}
    table = present.present(d, columns=cols, source=None, empty="No ASCOF series break.",
                            note="Source: data/raw/reference/ascof_series_breaks.csv and ascof_crosswalk.csv "
                                 "(docs/methods.md, ASCOF measures across frameworks)")
    return present.Parts(intro, table)
