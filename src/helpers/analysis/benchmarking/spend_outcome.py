"""Spend against outcomes: every council's spend per head on a line next to its partner ASCOF measure.

The data of the quadrant chart of the spend benchmarking report: :data:`SPEND_OUTCOME_PAIRS` names the spend
lines with a natural ASCOF partner, and :func:`spend_vs_outcome` gives each council's two values (the outcome
for the same financial year, or else the latest earlier year published, and the message says which). It
shows where a council sits, not that spending more or less causes the outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.benchmarking import outcomes, spend
from helpers.analysis.benchmarking.groups import Benchmark, series_code
from helpers.data import councils

#: Spend lines with a natural ASCOF partner: (spend line, ASCOF measure, why they belong together).
SPEND_OUTCOME_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("support_65+", "2A(2)", "care of older people and their permanent admissions to care homes"),
    ("learning_disability_18-64", "1G", "learning disability support and people living in their own home"),
    ("support_18-64", "2A(1)", "care of younger adults and their permanent admissions to care homes"),
)


def spend_vs_outcome(b: Benchmark, line: str, measure_code: str, measure: str = "gross") -> tuple[pd.DataFrame, str]:
    """Spend per head on a line against an ASCOF measure, every council (for a quadrant chart).

    The outcome is taken for the same financial year, or else the latest earlier year published (the
    message says which).

    Returns
    -------
    (data, message)
        ``gss_code``, ``spend`` (£ per head), ``outcome``, ``role``, ``outcome_year``, ``name``; and a sentence on the
        years used or why there is no chart (empty data).
    """
    spend.check_expenditure(measure)
    ln = spend.check_line(line)
    if not b.available:
        return pd.DataFrame(), " ".join(b.notes)
    sl = spend.year_slice(b.year, measure, b.population_rule)
    sl = sl[(sl["level"] == "council") & (sl["line"] == line)].set_index("gss_code")["per_head_gbp"].dropna()
    asc = outcomes.ascof_values()
    asc = asc[(asc["measure_code"] == measure_code) & (asc["level"] == "council") & asc["value"].notna()]
    years = sorted(y for y in asc["year"].unique() if y <= b.year)
    if sl.empty:
        return pd.DataFrame(), f"No spend per head on {ln.label.lower()} for {b.year}."
    if not years:
        return pd.DataFrame(), (f"No ASCOF {measure_code} values for {b.year} or earlier in the national files "
                                f"(published here: {', '.join(sorted(asc['year'].unique()))}).")
    oy = years[-1]
    out_vals = asc[asc["year"] == oy]
    # an outcome under a council's old code of the same area counts for the council
    out_vals = out_vals.assign(code=series_code(out_vals["gss_code"])).set_index("code")["value"]
    spend_s = pd.Series(sl.to_numpy(), index=series_code(pd.Series(sl.index)).to_numpy())
    both = pd.concat([spend_s.rename("spend"), out_vals.rename("outcome")], axis=1, join="inner").dropna()
    if both.empty:
        return pd.DataFrame(), f"No council has both values ({b.year} spend, {oy} {measure_code})."
    both.index.name = "gss_code"
    both = both.reset_index()
    group_series = set(series_code(pd.Series(list(b.group))))
    both["role"] = np.where(both["gss_code"] == b.series_code, "council",
                            np.where(both["gss_code"].isin(group_series), "comparator", "other"))
    both["outcome_year"] = oy
    both["name"] = both["gss_code"].map(councils.name_of)
    msg = (f"Spend per head {b.year} against ASCOF {measure_code} {oy}"
           + ("" if oy == b.year else f" (the latest ASCOF year published here; {b.year} is not)") + f": "
           f"{len(both)} councils with both values.")
    if "council" not in set(both["role"]):
        msg += f" {b.name} has no value for one of the two, so it is not marked."
    return both.sort_values("gss_code").reset_index(drop=True), msg


