"""The performance scorecard report (notebook ``04_performance_scorecard``): a council's KPIs, answer first.

:func:`prepare` rates the council's KPIs for the period once (:mod:`helpers.analysis.kpi_card`, by a rule set of
:mod:`helpers.analysis.scorecard`; the period as the report names it, or the KPI table a report prints as at an
earlier month) and returns a :class:`PerformanceScorecard`, whose methods are the notebook's cells:
:meth:`~PerformanceScorecard.summary` first (title naming council and period, a box of three to five plain lines),
then the detail. The ``show_*`` functions and :func:`display` turn one analysis frame into a reader's table
(:func:`helpers.reports.present.present`); :func:`rules_text`, :func:`availability`, :func:`not_rated_note`,
:func:`summary_text` and :func:`summary_lines` are the report's words, all **plain text** shown through the escaping
of :mod:`helpers.reports.present` (a KPI name or commentary never becomes markup).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from IPython.display import Markdown

from helpers.analysis import kpi_card
from helpers.analysis.scorecard import COUNCIL_RULE_SETS, RuleSet, number_text
from helpers.analysis.scorecard import rule_set as choose_rules
from helpers.analysis.variance.budget import period_names
from helpers.core.periods import period_label
from helpers.data import councils, tables
from helpers.reports import exports, plots, present
from helpers.reports.forecast_variance_text import source_text
from helpers.reports.plots import finance as finance_charts

#: Terms of the report, in plain words.
GLOSSARY: dict[str, str] = {
    "RAG": "Red / Amber / Green against the KPI's target, by the rule stated at the top; the word is always shown.",
    "Direction": "better, stable or worse than the previous figure (the previous year-end for Stockport), by which "
                 "way is better for the KPI.",
    "Better if": "whether a higher or a lower figure is better, as the report states it (or its target says "
                 "'maximise' / 'minimise'); 'not stated' otherwise, and then the KPI is not rated.",
    "No target": "the KPI has no numeric target, so it is not RAG-rated (as the reports count them).",
    "Not rated": "a target, but no stated rule or no stated direction, so no rating is computed.",
    "Supporting series": "monthly figures the report prints for a chart, with no target or rating of their own.",
    "Printed vs target": "a printed rating that the figure and the report's own target do not support.",
}

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
    return f"{rules.title} ({rules.source}). {rag} {dot} A KPI without a numeric target is not RAG-rated."


def availability(kpis: pd.DataFrame, gss_code: str, year: str, period: str, council_name: str) -> str | None:
    """``None`` when the council has KPI rows for the period, else a message naming the periods it has."""
    if len(kpi_card.resolve_kpi_period(kpis, gss_code, year, period)[0]):
        return None
    have = kpi_card.kpi_periods(kpis, gss_code)
    listed = ", ".join(f"{y} {p}" for y, p in have[["year", "period"]].itertuples(index=False))
    where = f"the periods with KPIs are {listed}" if listed else "it has no KPI figures in data/raw/councils at all"
    return f"No KPI figures for {council_name} in {period_label(period, year)}: {where}."


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
        out.append(f"None of {council_name}'s {int(no_rule.sum())} KPIs with a target is RAG-rated here: "
                   f"{rules.source.split(':')[0]} prints a RAG status for {printed} of them but states no rule "
                   "(no thresholds), so the printed RAG is shown as printed and not recomputed. The report also "
                   f"says whether higher or lower is better for only {stated} of the {len(card)} (see 'Better if'); "
                   "for the others a rule could not rate them even if one were chosen (the generic tolerance rule).")
    if no_pol.any():
        names = "; ".join(str(x).rstrip(". ") for x in card.loc[no_pol, "kpi_name"])
        out.append(f"{int(no_pol.sum())} KPI{'s are' if no_pol.sum() > 1 else ' is'} not rated because the "
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


def _printed_word(card: pd.DataFrame) -> pd.Series:
    """The printed RAG as a word beside what was printed: ``Green (printed 'G')``; labels that are words stay."""
    cat, printed = card["rag_printed_category"], card["rag_printed"]
    same = cat.astype("string").str.lower() == printed.astype("string").str.lower()
    out = cat.astype(object).where(same.fillna(False), cat.astype(str) + " (printed '" + printed.astype(str) + "')")
    return out.where(printed.notna(), None)


def display(card: pd.DataFrame) -> Table:
    """The scorecard for a reader: every KPI, its figures, our RAG (and how it was reached) and direction,
    beside the printed ones (RAG always as a word). The full scorecard (all columns) is in the workbook."""
    d = card.assign(
        kpi=_kpi_label(card),
        better=card["polarity"].map({"higher": "higher", "lower": "lower"}).fillna("not stated")
        + card["polarity_basis"].map(lambda b: f" ({b})" if isinstance(b, str) and b.startswith("from") else ""),
        target=card["target_value"].map(number_text).where(card["target_value"].notna(), card["target_printed"]),
        previous_name=card["previous_period"], printed_word=_printed_word(card),
    )
    cols = {"kpi": "KPI", "better": "Better if", "unit": "Unit", "previous_value": "Previous",
            "previous_name": "Previous is", "in_year_trend": "This year so far",
            "value_text": "Latest (numerator / denominator)", "forecast_value": "Year-end forecast",
            "target": "Target", "rag": "RAG (computed)", "rag_reason": "How the RAG was reached",
            "printed_word": "RAG (printed)", "dot": "Direction (computed)", "dot_printed": "Direction (printed)"}
    fmts = {"previous_value": number_text, "forecast_value": number_text}
    return present.present(d, columns=cols, formats=fmts, source=None, rag=["rag", "printed_word"],
                           drop_empty=["in_year_trend", "forecast_value"],
                           empty="No KPIs for this period (see the message above).")


def show_contradictions(card: pd.DataFrame) -> Table:
    """:func:`~helpers.analysis.kpi_card.printed_contradictions` for a reader."""
    d = kpi_card.printed_contradictions(card)
    d = d.assign(kpi=_kpi_label(d)) if len(d) else d.assign(kpi=pd.Series(dtype=object))
    return present.present(d, columns={"kpi": "KPI", "value_text": "Latest", "target_value": "Target",
                                       "rag_printed": "RAG (printed)", "printed_check": "Why it does not fit"},
                           formats={"target_value": number_text}, source=None, rag=["rag_printed"],
                           empty="Every printed RAG fits the report's own target (where a target and a direction "
                                 "are known).")


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


def summary_lines(card: pd.DataFrame, rules: RuleSet, council_name: str, label: str) -> list[str]:
    """Three to five plain lines for the box at the top: the count, what is Red, the direction, the printed
    ratings that do not fit their target."""
    if card.empty:
        return [f"{council_name} has no KPI figures for {label}."]
    c, pc = card["rag"].value_counts(), card["rag_printed_category"].value_counts()
    n = len(card)
    if rules.amber_within_pct is None:
        out = [f"{n} indicators. The report rates them {int(pc.get('Red', 0))} Red, {int(pc.get('Amber', 0))} Amber "
               f"and {int(pc.get('Green', 0))} Green but states no rule for its ratings, so they are shown as printed."]
        red = card[card["rag_printed_category"] == "Red"]
        what = "Printed Red"
    else:
        out = [f"{n} indicators; by {rules.title}: {int(c.get('Red', 0))} Red, {int(c.get('Amber', 0))} Amber, "
               f"{int(c.get('Green', 0))} Green, {int(c.get('No target', 0))} without a numeric target."]
        red = card[card["rag"] == "Red"]
        what = "Red"
    if len(red):
        out.append(f"{what}: " + "; ".join(f"{str(r.kpi_name).rstrip('. ')} ({r.value_text} against "
                                            f"{number_text(r.target_value)})" for r in red.head(3).itertuples())
                   + (f" and {len(red) - 3} more" if len(red) > 3 else "") + ".")
    else:
        out.append(f"No indicator is {what.lower().replace('printed ', 'printed ')}.")
    dc = card["dot"].value_counts()
    judged = int(dc.get("better", 0) + dc.get("stable", 0) + dc.get("worse", 0))
    if judged:
        out.append(f"Against {rules.dot_against}: {int(dc.get('better', 0))} better, {int(dc.get('stable', 0))} "
                   f"stable, {int(dc.get('worse', 0))} worse ({n - judged} cannot be judged).")
    bad = kpi_card.printed_contradictions(card)
    if len(bad):
        out.append(f"{len(bad)} printed rating{'s do' if len(bad) > 1 else ' does'} not fit the report's own target: "
                   + "; ".join(f"{str(r.kpi_name).rstrip('. ')}: {r.printed_check}" for r in bad.head(2).itertuples())
                   + ".")
    return out[:5]


@dataclass
class PerformanceScorecard:
    """The performance scorecard of one council and period: the rated KPIs, and one method per cell.

    Made by :func:`prepare`. ``card`` is :func:`~helpers.analysis.kpi_card.scorecard`, ``supporting`` the
    supporting trend series, ``kpis`` the ``council_kpis`` table read, ``period_note`` a sentence when the KPIs shown
    are held under another period code than the one asked for.
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
    period_note: str | None = None
    parameters: dict = field(default_factory=dict)

    def title(self) -> str:
        """``"Stockport - performance scorecard, quarter 2 2023-24"``."""
        return f"{self.name} - performance scorecard, {self.label}"

    def heading(self) -> str:
        """The title in one line (for a console)."""
        return self.title()

    def summary(self) -> present.Parts:
        """The answer first: the summary box, a note on the period used, or the ``no data`` banner."""
        lines = summary_lines(self.card, self.rules, self.name, self.label)
        if self.card.empty:
            reason = availability(self.kpis, self.council, self.year, self.period, self.name) or lines[0]
            return present.Parts(present.summary_box(self.title(), [reason]), present.banner("no data", reason))
        parts: list[object] = [present.summary_box(self.title(), lines)]
        if self.period_note:
            parts.append(present.banner("warning", self.period_note))
        return present.Parts(*parts)

    def rules_applied(self) -> Markdown | None:
        """The RAG and direction-of-travel rules of the rule set."""
        return None if self.card.empty else present.say("{text}", text=rules_text(self.rules))

    def periods(self) -> Table:
        """The years and periods with KPI figures."""
        return show_periods(self.kpis, self.council, self.name)

    def intro(self) -> Markdown | None:
        """How many KPIs there are for the period, and from which documents."""
        if self.card.empty:
            return None
        return present.say("{n} KPIs for {label}, from {source}.", n=len(self.card), label=self.label,
                           source=self.source)

    def rag_table(self) -> Table | None:
        """KPIs by RAG category, computed beside printed."""
        return None if self.card.empty else show_counts(kpi_card.rag_counts(self.card))

    def rag_chart(self) -> object | None:
        """KPIs by RAG category, computed beside printed, as a chart."""
        if self.card.empty:
            return None
        return finance_charts.shown(*finance_charts.rag_counts_chart(kpi_card.rag_counts(self.card),
                                                                     source=self.source))

    def not_rated(self) -> Markdown | None:
        """Why some KPIs get no computed RAG (:func:`not_rated_note`)."""
        if self.card.empty:
            return None
        return present.say("{text}", text=not_rated_note(self.card, self.rules, self.name)
                           or "Every KPI with a numeric target is rated by the rules above.")

    def scorecard(self) -> Table | None:
        """Every KPI with its figures, computed and printed RAG and direction."""
        return None if self.card.empty else display(self.card)

    def contradictions(self) -> Table | None:
        """Printed ratings that the report's own target does not support."""
        return None if self.card.empty else show_contradictions(self.card)

    def differences(self) -> Table | None:
        """The KPIs whose computed rating differs from the printed one, and why."""
        return None if self.card.empty else show_differences(self.card)

    def direction_table(self) -> Table | None:
        """KPIs by direction of travel, computed beside printed."""
        return None if self.card.empty else show_counts(kpi_card.dot_counts(self.card), kind="direction")

    def supporting_series(self) -> Table | None:
        """The supporting trend series (not counted as KPIs)."""
        return None if self.card.empty else show_supporting(self.supporting)

    def in_words(self) -> Markdown | None:
        """The summary in plain English."""
        return None if self.card.empty else present.say("{text}", text=summary_text(self.card, self.rules, self.name,
                                                                                    self.label))

    def glossary(self) -> object:
        """The report's terms in plain words."""
        return present.glossary(GLOSSARY)

    def workbook(self) -> Markdown:
        """Write the report's Excel workbook (cover, RAG counts, every KPI with RAG coloured and worded, the
        differences) next to it; say its name."""
        docs = source_text(self.kpis[self.kpis["gss_code"] == self.council]) if len(self.kpis) else ""
        cover = exports.Cover(title=self.title(), council=f"{self.name} ({self.council})",
                              period=self.label, sources=[docs or "data/raw/councils"],
                              notes=[rules_text(self.rules), *([self.period_note] if self.period_note else [])])
        card = self.card.assign(kpi=_kpi_label(self.card)) if len(self.card) else self.card
        kpi_cols = {"kpi": "KPI", "polarity": "Better if", "polarity_basis": "Better if: basis", "unit": "Unit",
                    "previous_period": "Previous is", "previous_value": "Previous", "value": "Latest",
                    "value_text": "Latest (as printed)", "forecast_value": "Year-end forecast",
                    "target_value": "Target", "target_printed": "Target (as printed)", "rag": "RAG (computed)",
                    "rag_reason": "How the RAG was reached", "rag_printed_category": "RAG (printed)",
                    "rag_printed": "RAG (as printed)", "printed_check": "Printed RAG vs target",
                    "dot": "Direction (computed)", "dot_reason": "How the direction was reached",
                    "dot_printed": "Direction (printed)", "in_year_trend": "This year so far",
                    "commentary": "Commentary"}
        sheets = [
            exports.Sheet("RAG counts", kpi_card.rag_counts(self.card), {"rag": "RAG", "ours": "Computed",
                                                                         "printed": "Printed"},
                          {"ours": "int", "printed": "int"}, rag=["rag"], note="KPIs by RAG rating."),
            exports.Sheet("KPIs", card, kpi_cols, {"previous_value": "num", "value": "num",
                                                                           "forecast_value": "num",
                                                                           "target_value": "num"},
                          rag=["rag", "rag_printed_category"], note="Every KPI, rated by the stated rules."),
            exports.Sheet("Differences", kpi_card.differences(self.card),
                          {"kpi_code": "KPI", "kpi_name": "Name", "rag": "RAG (computed)", "rag_printed": "RAG (printed)",
                           "dot": "Direction (computed)", "dot_printed": "Direction (printed)",
                           "differs_why": "How they differ"}, rag=["rag", "rag_printed"],
                          note="Where the computed rating or direction differs from the printed one."),
        ]
        name = exports.export_workbook(cover, sheets, name="workbook")
        return present.say("The figures of this report for a performance team: **{name}** (one Excel workbook).",
                           name=name)

    def made(self) -> Markdown:
        """How this was made: the parameters, by name (the only place they are named)."""
        listed = ", ".join(f"{k} = {v}" for k, v in self.parameters.items())
        return present.say("Made from the council's own report figures in data/raw/councils (no national data) with "
                           "the parameters {listed}.", listed=listed)


def prepare(council: str, financial_year: str, period: str, rule_set: str, amber_within_pct: float,
            stable_within_pct: float) -> PerformanceScorecard:
    """Rate the council's KPIs once for the notebook's checked parameters (``params.check``).

    Reads the ``council_kpis`` table and sets the chart style.
    """
    rules = choose_rules(rule_set, council, amber_within_pct=amber_within_pct, stable_within_pct=stable_within_pct)
    kpis = tables.load("council_kpis")
    year = financial_year
    card = kpi_card.scorecard(kpis, council, year, period, rules)
    rows, note = kpi_card.resolve_kpi_period(kpis, council, year, period)
    plots.setup()
    return PerformanceScorecard(
        council=council, name=councils.name_of(council), year=year, period=period, rules=rules,
        label=period_label(period, year), kpis=kpis, card=card,
        supporting=kpi_card.select_kpis(kpis, council, year, period)[1],
        source=source_text(rows) + " (data/raw/councils)", period_note=note,
        parameters={"council": council, "financial_year": year, "period": period, "rule_set": rule_set,
                    "amber_within_pct": amber_within_pct, "stable_within_pct": stable_within_pct},
    )
