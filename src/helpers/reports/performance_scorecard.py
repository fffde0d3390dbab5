"""The performance scorecard report (notebook ``04_performance_scorecard``): a council's KPIs, for a reader.

:func:`prepare` rates the council's KPIs for the period once (:mod:`helpers.analysis.kpi_card`, by a rule set of
:mod:`helpers.analysis.scorecard`) and returns a :class:`PerformanceScorecard`, whose methods are the notebook's
cells. The ``show_*`` functions and :func:`display` turn one analysis frame into a reader's table
(:func:`helpers.reports.present.present`); :func:`rules_text`, :func:`availability`, :func:`not_rated_note` and
:func:`summary_text` are the report's prose.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown

from helpers.analysis import kpi_card
from helpers.analysis.scorecard import COUNCIL_RULE_SETS, RuleSet, number_text
from helpers.analysis.scorecard import rule_set as choose_rules
from helpers.analysis.variance.budget import period_names
from helpers.core.periods import period_label
from helpers.data import councils, tables
from helpers.reports import plots, present
from helpers.reports.forecast_variance_text import source_text
from helpers.reports.plots import finance as finance_charts

#: What a table cell shows: a formatted table, or a sentence when there are no rows.
Table = present.Presented | Markdown


# ------------------------------------------------------------------------------------------------
# the report's prose
# ------------------------------------------------------------------------------------------------


def rules_text(rules: RuleSet) -> str:
    """The rules of a rule set in one paragraph, for the report."""
    if rules.amber_within_pct is None:
        rag = "The report states no RAG thresholds, so no RAG is computed: the printed RAG is shown."
    else:
        basis = ("the year-end forecast (or, where none is printed, the latest value)"
                 if rules.rag_basis == "forecast_else_value" else "the latest value")
        rag = (f"RAG compares {basis} with the target: Green on or better than target, Amber when worse "
               f"by at most {rules.amber_within_pct:g}% of the target, Red when worse by more.")
    if rules.dot_basis is None:
        dot = "No direction-of-travel rule is stated, so none is computed."
    else:
        fig = "the year-end forecast (or latest value)" if rules.dot_basis == "forecast_else_value" \
            else "the latest value"
        stable = (f"stable within {rules.stable_within_pct:g}% either side" if rules.stable_within_pct
                  else "stable only when unchanged")
        dot = f"Direction of travel compares {fig} with {rules.dot_against}: {stable}."
    return f"**{rules.title}** ({rules.source}). {rag} {dot} A KPI without a numeric target is not RAG-rated."


def availability(kpis: pd.DataFrame, gss_code: str, year: str, period: str, council_name: str) -> str | None:
    """``None`` when the council has KPI rows for the period, else a message naming the periods it has."""
    have = kpi_card.kpi_periods(kpis, gss_code)
    if ((have["year"] == year) & (have["period"] == period)).any():
        return None
    listed = ", ".join(f"{y} {p}" for y, p in have[["year", "period"]].itertuples(index=False))
    where = f"the periods with KPIs are {listed}" if listed else "it has no KPI figures in data/raw/councils at all"
    return f"**No KPI figures for {council_name} in {year} {period}**: {where}."


def not_rated_note(card: pd.DataFrame, rules: RuleSet, council_name: str) -> str | None:
    """Why some KPIs get no computed RAG, in a paragraph (``None`` when every KPI with a target is rated)."""
    if card.empty:
        return None
    no_rule = card["rag"].eq("Not rated") & card["rag_reason"].eq("the report states no RAG rule")
    no_pol = card["rag"].eq("Not rated") & ~no_rule
    out = []
    if no_rule.any():
        printed = card.loc[no_rule, "rag_printed"].notna().sum()
        stated = card["polarity"].isin(["higher", "lower"]).sum()
        out.append(f"**None of {council_name}'s {int(no_rule.sum())} KPIs with a target is RAG-rated here**: "
                   f"{rules.source.split(':')[0]} prints a RAG status for {printed} of them but states no rule "
                   "(no thresholds), so the printed RAG is shown as printed and not recomputed. The report also "
                   f"says whether higher or lower is better for only {stated} of the {len(card)} (see 'Better if'); "
                   "for the others a rule could not rate them even if one were chosen (`rule_set` 'tolerance').")
    if no_pol.any():
        names = "; ".join(str(x).rstrip(". ") for x in card.loc[no_pol, "kpi_name"])
        out.append(f"**{int(no_pol.sum())} KPI{'s are' if no_pol.sum() > 1 else ' is'} not rated** because the "
                   f"report does not say whether higher or lower is better, and guessing would decide the "
                   f"colour: {names}.")
    return " ".join(out) or None


def summary_text(card: pd.DataFrame, rules: RuleSet, council_name: str, label: str) -> str:
    """A plain-English paragraph on the scorecard for a councillor."""
    if card.empty:
        return f"{council_name} has no KPI figures for {label}."
    n = len(card)
    c = card["rag"].value_counts()
    pc = card["rag_printed_category"].value_counts()
    printed = int(card["rag_printed"].notna().sum())
    text = []
    if rules.amber_within_pct is None:
        text.append(f"{council_name} reported {n} indicators for {label}. Its report rates them "
                    f"{int(pc.get('Red', 0))} red, {int(pc.get('Amber', 0))} amber and {int(pc.get('Green', 0))} "
                    f"green (as printed) but states no rule for those ratings, so this scorecard does not "
                    "recompute them.")
    else:
        red_n = int(c.get("Red", 0))
        rated = (f"{red_n} {'is' if red_n == 1 else 'are'} red, {int(c.get('Amber', 0))} amber and "
                 f"{int(c.get('Green', 0))} green")
        by = rules.title if rules.name in COUNCIL_RULE_SETS.values() else "the " + rules.title[0].lower() + \
            rules.title[1:]
        s = f"Of the {n} indicators {council_name} reported for {label}, {rated} by {by}"
        nt = int(c.get("No target", 0))
        if nt:
            s += f"; {nt} {'has' if nt == 1 else 'have'} no numeric target and {'is' if nt == 1 else 'are'} not RAG-rated"
        nr = int(c.get("Not rated", 0)) + int(c.get("No data", 0))
        if nr:
            s += f"{', and' if nt else ';'} {nr} cannot be rated (no stated polarity, or no value)"
        text.append(s + ".")
    red = card[card["rag"] == "Red"]["kpi_name"].tolist()
    if red:
        text.append("Red: " + "; ".join(str(x).rstrip(". ") for x in red) + ".")
    dc = card["dot"].value_counts()
    if rules.dot_basis is not None:
        text.append(f"Against {rules.dot_against}, {int(dc.get('better', 0))} improved, "
                    f"{int(dc.get('stable', 0))} were stable and {int(dc.get('worse', 0))} got worse"
                    + (f" ({int(dc.get('n/a', 0))} cannot be judged: no previous figure or no stated polarity)"
                       if dc.get("n/a", 0) else "") + ".")
    diff = int(card["differs_why"].notna().sum())
    if printed and rules.amber_within_pct is not None:
        text.append(f"The report printed a RAG for {printed} of them; the computed rating or direction differs "
                    f"from the printed one for {diff} (listed with the reason under 'Where the computed rating "
                    "differs from the report').")
    return " ".join(text)


# ------------------------------------------------------------------------------------------------
# the reader's tables
# ------------------------------------------------------------------------------------------------


def show_periods(kpis: pd.DataFrame, gss_code: str, council_name: str) -> Table:
    """:func:`~helpers.analysis.kpi_card.kpi_periods` for a reader."""
    d = kpi_card.kpi_periods(kpis, gss_code)
    d = d.assign(period_name=period_names(d["period"]))
    return present.present(d, columns={"year": "Financial year", "period": "Period (parameter)",
                                       "period_name": "Period", "rows": "KPI rows (a KPI printed monthly has several)"},
                           formats={"rows": "int"}, source=None,
                           empty=f"{council_name} has no KPI figures in data/raw/councils.")


def show_counts(counts: pd.DataFrame, *, kind: str = "rag") -> Table:
    """:func:`~helpers.analysis.kpi_card.rag_counts` (``kind="rag"``) or :func:`~helpers.analysis.kpi_card.dot_counts` (``kind="direction"``) for a reader."""
    first = "RAG rating" if kind == "rag" else "Direction of travel"
    return present.present(counts, columns={kind: first, "ours": "Computed by the stated rules",
                                            "printed": "Printed in the report"},
                           formats={"ours": "int", "printed": "int"}, source=None,
                           emphasis=counts[kind].eq("Total"), rag=[kind] if kind == "rag" else (),
                           empty="No KPIs for this period.")


def _kpi_label(card: pd.DataFrame) -> pd.Series:
    """``code name``, without repeating a code the printed name already starts with."""
    code = card["kpi_code"].fillna("").astype(str)
    name = card["kpi_name"].astype(str)
    repeat = pd.Series([bool(c) and n.startswith(c) for c, n in zip(code, name, strict=True)], index=card.index)
    return (code.where(~repeat, "") + " " + name).str.strip()


def display(card: pd.DataFrame) -> Table:
    """The scorecard for a reader: every KPI, its figures, our RAG (and how it was reached) and direction,
    beside the printed ones. The full scorecard (all columns) is for the export."""
    d = card.assign(
        kpi=_kpi_label(card),
        better=card["polarity"].map({"higher": "higher", "lower": "lower"}).fillna("not stated"),
        target=card["target_value"].map(number_text).where(card["target_value"].notna(), card["target_printed"]),
        previous_name=card["previous_period"],
    )
    cols = {"kpi": "KPI", "better": "Better if", "unit": "Unit", "previous2_value": "2 years before",
            "previous_value": "Previous", "previous_name": "Previous is", "in_year": "Earlier this year",
            "value_text": "Latest (numerator / denominator)", "forecast_value": "Year-end forecast",
            "target": "Target", "rag": "RAG (computed)", "rag_reason": "How the RAG was reached",
            "rag_printed": "RAG (printed)", "dot": "Direction (computed)", "dot_printed": "Direction (printed)"}
    fmts = {"previous2_value": number_text, "previous_value": number_text, "forecast_value": number_text}
    return present.present(d, columns=cols, formats=fmts, source=None, rag=["rag", "rag_printed"],
                           empty="No KPIs for this period (see the message above).")


def show_differences(card: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.kpi_card.differences` for a reader."""
    d = kpi_card.differences(card)
    d = d.assign(kpi=_kpi_label(d))
    cols = {"kpi": "KPI", "rag": "RAG (computed)", "rag_printed": "RAG (printed)", "dot": "Direction (computed)",
            "dot_printed": "Direction (printed)", "differs_why": "Why they differ"}
    return present.present(d, columns=cols, source=None, rag=["rag", "rag_printed"],
                           empty="Every printed RAG and direction agrees with the stated rules.")


def show_supporting(supporting: pd.DataFrame) -> Table:
    """The supporting trend series of :func:`~helpers.analysis.kpi_card.select_kpis` for a reader."""
    cols = {"kpi_name": "Series", "first_period": "First period", "first_value": "First value",
            "last_period": "Latest period", "last_value": "Latest value"}
    return present.present(supporting, columns=cols, source=None,
                           formats={"first_value": number_text, "last_value": number_text},
                           empty="No supporting trend series.")


# ------------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------------


@dataclass
class PerformanceScorecard:
    """The performance scorecard of one council and period: the rated KPIs, and one method per cell.

    Made by :func:`prepare`. ``card`` is :func:`~helpers.analysis.kpi_card.scorecard`, ``supporting`` the
    supporting trend series, ``kpis`` the ``council_kpis`` table read.
    """

    council: str
    name: str
    year: str
    period: str
    rules: RuleSet
    label: str
    kpis: pd.DataFrame
    card: pd.DataFrame
    supporting: pd.DataFrame
    source: str

    def heading(self) -> str:
        """The council, period and rule set in one line."""
        return f"{self.name} ({self.council}): {self.label}; rules: {self.rules.title}"

    def rules_applied(self) -> Markdown:
        """The RAG and direction-of-travel rules of the rule set."""
        return present.say(rules_text(self.rules))

    def periods(self) -> Table:
        """The years and periods with KPI figures."""
        return show_periods(self.kpis, self.council, self.name)

    def intro(self) -> Markdown:
        """How many KPIs there are for the period, and from which documents (or the periods there are)."""
        missing = availability(self.kpis, self.council, self.year, self.period, self.name)
        return present.say(missing or f"{len(self.card)} KPIs for {self.label}, from {self.source}.")

    def rag_table(self) -> Table:
        """KPIs by RAG category, computed beside printed."""
        return show_counts(kpi_card.rag_counts(self.card))

    def rag_chart(self) -> plt.Figure:
        """KPIs by RAG category, computed beside printed, as a chart."""
        return finance_charts.rag_counts_chart(kpi_card.rag_counts(self.card), source=self.source)

    def not_rated(self) -> Markdown:
        """Why some KPIs get no computed RAG (:func:`not_rated_note`)."""
        return present.say(not_rated_note(self.card, self.rules, self.name)
                           or "Every KPI with a numeric target is rated by the rules above.")

    def scorecard(self) -> Table:
        """Every KPI with its figures, computed and printed RAG and direction."""
        return display(self.card)

    def differences(self) -> Table:
        """The KPIs whose computed rating differs from the printed one, and why."""
        return show_differences(self.card)

    def direction_table(self) -> Table:
        """KPIs by direction of travel, computed beside printed."""
        return show_counts(kpi_card.dot_counts(self.card), kind="direction")

    def supporting_series(self) -> Table:
        """The supporting trend series (not counted as KPIs)."""
        return show_supporting(self.supporting)

    def summary(self) -> Markdown:
        """Write the scorecard and RAG counts next to the report (CSV, Excel); the summary in plain English."""
        files = (present.export_table(self.card, "scorecard")
                 + present.export_table(kpi_card.rag_counts(self.card), "rag_counts"))
        return present.say(summary_text(self.card, self.rules, self.name, self.label) + "\n\nFiles: "
                           + ", ".join(files))


def prepare(council: str, financial_year: str, period: str, rule_set: str, amber_within_pct: float,
            stable_within_pct: float) -> PerformanceScorecard:
    """Rate the council's KPIs once for the notebook's checked parameters (``params.check``).

    Reads the ``council_kpis`` table and sets the chart style.
    """
    rules = choose_rules(rule_set, council, amber_within_pct=amber_within_pct, stable_within_pct=stable_within_pct)
    kpis = tables.load("council_kpis")
    year = financial_year
    card = kpi_card.scorecard(kpis, council, year, period, rules)
    rows = kpis[(kpis["gss_code"] == council) & (kpis["year"] == year) & (kpis["period"] == period)]
    plots.setup()
    return PerformanceScorecard(
        council=council, name=councils.name_of(council), year=year, period=period, rules=rules,
        label=period_label(period, year), kpis=kpis, card=card,
        supporting=kpi_card.select_kpis(kpis, council, year, period)[1],
        source=source_text(rows) + " (data/raw/councils)",
    )
