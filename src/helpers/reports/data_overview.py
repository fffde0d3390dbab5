"""The data overview report (notebook ``00_data_overview``): what the toolkit holds, for a reader.

:func:`prepare` reads the processed tables' overview and the financial years each table holds once, and
returns a :class:`DataOverview`; each of its methods is one cell of the notebook and returns what that cell
shows. The functions below the class are the pieces: reader-facing views, through
:func:`helpers.reports.present.present`, of :func:`helpers.data.tables.overview`,
:func:`helpers.data.tables.coverage`, :func:`helpers.data.sources.status_table` and
:func:`helpers.data.councils.series_breaks`, plus :func:`table_years` (the financial years each processed table
holds, so that a chart can show gaps inside a table's range).
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pyarrow.parquet as pq

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

    def tables(self) -> present.Presented:
        """The processed tables (:func:`show_tables`)."""
        return show_tables(self.overview, self.years)

    def coverage_chart(self) -> plt.Figure:
        """The financial years each table holds (:func:`helpers.reports.plots.overview.coverage_chart`)."""
        return overview_charts.coverage_chart(self.overview, self.years)

    def sources(self) -> present.Presented:
        """The national source files and their state (:func:`show_sources`)."""
        return show_sources()

    def coverage(self) -> present.Presented:
        """Rows and years held for the council (:func:`show_coverage`)."""
        return show_coverage(self.council, self.name)

    def breaks(self) -> present.Presented:
        """Where the council's time series break (:func:`show_breaks`)."""
        return show_breaks(self.council)


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


def show_tables(overview: pd.DataFrame, years: dict[str, list[str]] | None = None) -> present.Presented:
    """:func:`helpers.data.tables.overview` for a reader, with the number of financial years each table holds."""
    d = overview.copy()
    held = years or {}
    d["years_held"] = d["table"].map(lambda t: len(held[t]) if t in held else pd.NA).astype("Int64")
    d["built_text"] = d["built"].map({True: "yes", False: "no: run `asc data build`"})
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
