"""ASCOF values in the councils' own reports: matched to the national measures and set against them.

A council's performance report (table ``council_kpis``, transcribed in ``data/raw/councils/``) prints some
ASCOF measures under its own labels; :func:`match_kpis` recognises them by code, name and unit together
(:data:`KPI_PATTERNS`), :func:`annual_values` takes the full-year values a report prints, and
:func:`council_reported` sets them against the national values (``docs/methods.md``, *Benchmarking*).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.analysis.benchmarking.groups import Benchmark, series_code
from helpers.analysis.benchmarking.outcomes import ascof_values, ascof_years
from helpers.core import periods
from helpers.data import tables

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
        ok = m[col].map(periods.is_fy).astype(bool) & m[vcol].notna()
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


def printed_decimals(value: float, most: int = 3) -> int:
    """Decimals a printed figure shows: ``93.1`` -> 1, ``484.85`` -> 2, ``12.0`` -> 0 (read as printed)."""
    for d in range(most + 1):
        if abs(round(float(value), d) - float(value)) < 1e-9:
            return d
    return most


def council_reported(b: Benchmark, tolerance: float | None = None) -> tuple[pd.DataFrame, str]:
    """The council's own report values for ASCOF measures next to the national values, and where they differ.

    Uses the ``council_kpis`` table (the councils' report figures); a value is compared when it is a full
    financial year's value for a year the national files cover. Two figures agree when they are at most one
    unit of the finer printed precision apart (a float keeps no trailing zero, so 93.0 reads as 93) (a council's 93.1 against the published 93.2: both to one
    decimal, 0.1 apart, the same figure rounded from different inputs); ``tolerance`` overrides that.

    Returns
    -------
    (table, message)
        ``Measure``, ``Year``, ``Report label``, ``National value``, ``Council report``, ``Difference``,
        ``Same?``, ``Where in the report``; and a sentence for the reader (also when there is nothing).
    """
    if not tables.available("council_kpis"):
        return pd.DataFrame(), ("The councils' own report figures (table `council_kpis`) are not built, so the "
                                "report's values cannot be shown next to the national ones.")
    kpis = tables.cached("council_kpis")
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
    diff = (both["council_value"] - both["value"]).round(3)
    if tolerance is None:
        places = [max(printed_decimals(c), printed_decimals(n)) for c, n in zip(both["council_value"], both["value"],
                                                                                  strict=True)]
        tol = pd.Series([10.0 ** -p for p in places], index=both.index)
    else:
        tol = pd.Series(float(tolerance), index=both.index)
    out = pd.DataFrame({
        "Measure": both["measure_code"], "Year": both["year"], "Report label": both["kpi_code"],
        "National value": both["value"], "Council report": both["council_value"], "Difference": diff,
        "Same?": np.where(diff.abs() <= tol + 1e-9, "same", "DIFFERENT"), "Where in the report": both["where"],
    }).sort_values(["Measure", "Year", "Where in the report"]).reset_index(drop=True)
    n = int((out["Same?"] == "DIFFERENT").sum())
    msg = (f"{len(out)} full-year value(s) in {b.name}'s own reports can be set against the national files: "
           + (f"{n} differ by more than one unit of the precision printed." if n else
              "all agree to the precision printed."))
    return out, msg


