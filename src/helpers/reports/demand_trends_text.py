"""The words of the demand-trends report: the summary box, the evidence in plain words, the glossary.

Plain sentences for :func:`helpers.reports.present.summary_box` (which escapes them) and templates whose values
go through :func:`helpers.reports.present.say`. No parameter names here: they appear only in the report's
"how this was made" footer (:mod:`helpers.reports.demand_trends`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis.demand.forecast import DemandForecast

#: The report's glossary (term -> plain meaning).
GLOSSARY: dict[str, str] = {
    "Naive forecast": "'Same as last year': next year's figure is taken to be this year's. Every method here is "
                      "judged against it.",
    "Scaled error (MASE)": "A forecast's miss divided by the council's typical year-to-year change (its mean "
                           "absolute change over recent years). Below 1: the miss was smaller than a typical "
                           "year's change. MASE is the mean of these.",
    "Prediction interval (range)": "The range the outcome should fall in 80 (or 95) times out of 100. Here it is "
                                   "set from how far forecasts made the same way missed in past years, across "
                                   "all councils, and it widens the further ahead the forecast is.",
    "Placements": "Older people in residential or nursing care paid for by the council, counted as the average "
                  "number over the year: weeks of care in the year divided by 52.",
    "Driving population": "The age group whose size drives the demand: people aged 65 and over for older "
                          "people's care, 18 to 64 for younger adults. Estimates from ONS; later years aged "
                          "forward by this report (not an ONS projection).",
    "Out of sample": "Each past forecast was made with only the years before it, as it could have been made at "
                     "the time, and then compared with what happened.",
}


def pct(x: float) -> str:
    """A share or per cent figure as whole per cent, one decimal under 10% (``4.3%``, ``12%``)."""
    if not np.isfinite(x):
        return "n/a"
    return f"{x:.1f}%" if abs(x) < 10 else f"{x:.0f}%"


def money(gbp_k: float) -> str:
    """£ thousands in words' units: ``£22.1m`` from £1m, else ``£710k``."""
    if not np.isfinite(gbp_k):
        return "n/a"
    return f"£{gbp_k / 1000:,.1f}m" if abs(gbp_k) >= 1000 else f"£{gbp_k:,.0f}k"


def evidence_sentence(a: DemandForecast) -> str:
    """The issue's plain statement: over N past years, one-year forecasts made this way were within x% ...

    Empty when no past one-year forecast of the series could be checked against its outcome.
    """
    ev = a.evidence()
    if ev.empty:
        return ""
    t = ev.set_index("method")
    proc, naive = t.loc["procedure"], t.loc["naive"]
    years = a.evaluation.target_years()
    first, last = a.evaluation.panel.label(years[0]), a.evaluation.panel.label(years[-1])
    head = (f"Over {int(proc['years'])} past years ({first} to {last}), one-year forecasts made this way were "
            f"within {pct(proc['median_ape'])} of the outcome in half of the {int(proc['n']):,} cases across "
            f"councils, and within {pct(proc['p80_ape'])} in four out of five")
    if (np.asarray(a.evaluation.chosen) == "naive").all():
        return (f"{head}; in each of those years the method was 'same as last year', as no other method passed "
                "the test for a change.")
    return f"{head}; 'same as last year' was within {pct(naive['median_ape'])} and {pct(naive['p80_ape'])}."


def own_sentence(a: DemandForecast) -> str:
    """How this council's own past one-year forecasts did (empty without any)."""
    past = a.past()
    if past.empty:
        return ""
    n = len(past)
    inside = int(past["inside_80"].sum())
    return (f"For {a.council_name}, half of its {n} past one-year forecasts were within "
            f"{pct(float(past['ape'].median()))} of the outcome ('same as last year': "
            f"{pct(float(past['ape_naive'].median()))}); {inside} of {n} outcomes fell inside the 80% range.")


def range_text(row: pd.Series, fmt) -> str:
    """``"80% range 593 to 710; 95% range 544 to 774"`` for one forecast row (empty without a range)."""
    if not (np.isfinite(row["lower_80"]) and np.isfinite(row["upper_80"])):
        return ""
    return (f"80% range {fmt(row['lower_80'])} to {fmt(row['upper_80'])}; 95% range {fmt(row['lower_95'])} to "
            f"{fmt(row['upper_95'])}")


def summary_lines(a: DemandForecast, fmt, what: str, budget: pd.DataFrame | None, stale_note: str) -> list[str]:
    """The 3-5 plain lines of the summary box (next year and its range, how good, the method, the budget)."""
    f = a.forecast.table.iloc[0]
    rng = range_text(f, fmt)
    lines = [f"Next year ({a.next_year}): about {fmt(f['mean'])} {what}".rstrip() + (
        f" ({rng})." if rng else " (no range: too few years).")]
    ev = evidence_sentence(a)
    if ev:
        lines += [ev, f"Method: {a.forecast.method}; {a.reason}"]
    else:
        lines.append(f"With {len(a.values)} year(s) of figures, no forecast of this series can be checked against "
                     "an outcome, so the forecast is 'same as last year' with no evidence of how good it is"
                     + ("; the range is a rough one from the council's own yearly changes." if rng else "."))
    if budget is not None:
        comp = budget.set_index("component")
        nxt, tot = comp.loc["next year cost"], comp.loc["total pressure"]
        change = float(tot["amount_gbp_k"])
        more = f"{money(abs(change))} {'more' if change >= 0 else 'less'} than this year"
        rng = (f" (80% range {money(nxt['low_80_gbp_k'])} to {money(nxt['high_80_gbp_k'])})"
               if np.isfinite(nxt["low_80_gbp_k"]) else "")
        lines.append(f"Cost next year about {money(nxt['amount_gbp_k'])}{rng}, {more}, at the prices and "
                     "assumptions of the budget table.")
    if stale_note:
        lines.append(stale_note)
    return lines[:5]


__all__ = ["GLOSSARY", "evidence_sentence", "money", "own_sentence", "pct", "range_text", "summary_lines"]
