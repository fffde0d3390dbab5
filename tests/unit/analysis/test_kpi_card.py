"""A council's KPI scorecard by its stated rules: the seeds' printed ratings, counts and arrows reproduced from
their inputs, the exact differences (explained in docs/caveats.md), and the unit checks.

Seed figures are read through the council data loader. Synthetic values are used only for the unit checks and
say so.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import kpi_card
from helpers.analysis import scorecard as rag
from helpers.core.errors import DataError
from helpers.reports import performance_scorecard as ps

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"


@pytest.fixture(scope="module")
def kpis(council_kind) -> pd.DataFrame:
    return council_kind("kpis")


def _card(kpis: pd.DataFrame, code: str, year: str, period: str, name: str = "own") -> pd.DataFrame:
    return kpi_card.scorecard(kpis, code, year, period, rag.rule_set(name, code))


def _counts(card: pd.DataFrame) -> dict[str, tuple[int, int]]:
    c = kpi_card.rag_counts(card).set_index("rag")
    return {k: (int(r["ours"]), int(r["printed"])) for k, r in c.iterrows() if r["ours"] or r["printed"]}


# ------------------------------------------------------------------------------------------------
# Stockport 2023/24 Q2: "Red >5% below target, Amber <5% below, Green on or above; stable within 1%"
# ------------------------------------------------------------------------------------------------


def test_stockport_2023_24_directions_of_travel_reproduced(kpis: pd.DataFrame) -> None:
    card = _card(kpis, STOCKPORT, "2023-24", "Q2")
    assert len(card) == 21
    printed = card[card["dot_printed_category"].notna()]
    agree = printed[printed["dot_agrees"].astype(bool)]
    assert len(printed) == 20 and len(agree) == 17
    # e.g. ASCOF 1G 93.2 -> 93.4 is within 1%: stable; HASC 1.2 629 -> 621.5 (lower is better): better
    by_code = card.set_index("kpi_code")
    assert by_code.loc["ASCOF 1G", "dot"] == "stable" and by_code.loc["HASC 1.2", "dot"] == "better"
    assert by_code.loc["HASC 1.1", "dot"] == "stable"  # 354 -> 351.6: -0.7%
    assert by_code.loc["HASC 2.8", "dot"] == "worse"   # forecast 5,000 against 5,504
    # the three that differ: an arrow printed with no previous year-end to compare with
    diff = card[card["dot_agrees"].eq(False).fillna(False)]
    assert sorted(diff["kpi_code"]) == ["HASC 1.13", "HASC 2.11", "HASC 2.9"]
    assert (diff["dot_reason"] == "no previous figure").all()


def test_stockport_2023_24_rag_and_counts(kpis: pd.DataFrame) -> None:
    card = _card(kpis, STOCKPORT, "2023-24", "Q2")
    by_code = card.set_index("kpi_code")
    assert by_code.loc["N1", "rag"] == "Red"       # forecast 55.1 vs 70: 21.3% below
    assert by_code.loc["N3", "rag"] == "Red"
    assert by_code.loc["HASC 2.7", "rag"] == "Green"  # forecast 1,100 vs 1,085
    assert by_code.loc["HASC 1.9", "rag"] == "Green"  # value 0 at Q2 but forecast 220 = target
    # ours differs from the printed RAG on four KPIs, for two reasons
    diff = card[card["rag_agrees"].eq(False).fillna(False)].set_index("kpi_code")
    assert sorted(diff.index) == ["ASCOF 1G", "HASC 3.3", "HASC 4.1", "HASC 4.2"]
    assert (diff.loc["ASCOF 1G", "rag"], diff.loc["ASCOF 1G", "rag_printed"]) == ("Amber", "G")
    assert diff.loc["ASCOF 1G", "worse_by_pct"] == pytest.approx(100 * (95 - 93.4) / 95)
    assert "1.7% below the target 95" in diff.loc["ASCOF 1G", "rag_reason"]
    for code, printed in (("HASC 3.3", "G"), ("HASC 4.1", "A"), ("HASC 4.2", "A")):
        assert (diff.loc[code, "rag"], diff.loc[code, "rag_printed"]) == ("No target", printed)
    assert _counts(card) == {"Red": (2, 2), "Amber": (1, 2), "Green": (9, 10), "No target": (9, 0),
                             "Not printed": (0, 7), "Total": (21, 21)}
    assert kpi_card.dot_counts(card).set_index("direction")["ours"].to_dict() == {
        "better": 8, "stable": 2, "worse": 6, "n/a": 5, "not printed": 0, "Total": 21}


def test_stockport_2017_18_q3_printed_green_reproduced(kpis: pd.DataFrame) -> None:
    card = _card(kpis, STOCKPORT, "2017-18", "Q3")
    assert len(card) == 15  # the three monthly CQC trend series are supporting data, not KPIs
    _, supporting = kpi_card.select_kpis(kpis, STOCKPORT, "2017-18", "Q3")
    assert len(supporting) == 3
    row = card.set_index("kpi_code").loc["ASCOF 2B.1"]
    assert (row["rag"], row["rag_printed"], row["rag_agrees"]) == ("Green", "Green", True)
    assert _counts(card)["Red"] == (5, 0) and _counts(card)["No target"] == (3, 0)


# ------------------------------------------------------------------------------------------------
# Cambridgeshire F&PR July 2018 Appendix 7: On Target / Within 10% / Off Target / No target
# ------------------------------------------------------------------------------------------------


def test_cambridgeshire_printed_counts_and_the_summary(kpis: pd.DataFrame) -> None:
    card = _card(kpis, CAMBS, "2018-19", "M03")
    assert len(card) == 15  # "the fifteen targets relating to Adults Committee"
    printed = card["rag_printed"].value_counts().to_dict()
    assert printed == {"No target": 6, "On Target": 4, "Off Target": 2, "Within 10%": 2, "No change": 1}
    # Cover report 2.4: "two were red, three were amber, four were green and the remainder have no target":
    # only with the one 'No change' indicator counted amber (README discrepancy 19)
    cat = card["rag_printed_category"].replace({"No change": "Amber"}).value_counts().to_dict()
    assert cat == {"Red": 2, "Amber": 3, "Green": 4, "No target": 6}
    assert _counts(card) == {"Red": (2, 2), "Amber": (2, 2), "Green": (3, 4), "No target": (7, 6),
                             "Not rated": (1, 0), "No change": (0, 1), "Total": (15, 15)}
    diff = card[card["rag_agrees"].eq(False).fillna(False)]
    assert sorted(diff["kpi_name"]) == [
        "% of adult safeguarding enquiries where outcomes were at least partially achieved",
        "Proportion of adults receiving Direct Payments"]
    dp = card.set_index("kpi_name").loc["Proportion of adults receiving Direct Payments"]
    assert (dp["rag"], dp["rag_printed"]) == ("Not rated", "On Target")  # target printed 0.0%, polarity unknown


def test_cambridgeshire_within_10_per_cent_is_relative(kpis: pd.DataFrame) -> None:
    card = _card(kpis, CAMBS, "2018-19", "M03").set_index("kpi_name")
    emp = card.loc["Proportion of adults with a primary support reason of learning disability support in paid "
                   "employment (year to date)"]
    # 3.6% vs 6.0%: 2.4 points (within 10 points) but 40% below target: printed Off Target, as ours
    assert (emp["rag"], emp["rag_printed"]) == ("Red", "Off Target")
    assert emp["worse_by_pct"] == pytest.approx(40.0)
    home = card.loc["Proportion of adults with a primary support reason of learning disability support who live in "
                    "their own home or with their family"]
    assert (home["rag"], home["rag_printed"]) == ("Amber", "Within 10%")


def test_cambridgeshire_directions_reproduced(kpis: pd.DataFrame) -> None:
    card = _card(kpis, CAMBS, "2018-19", "M03")
    computable = card[card["dot_printed_category"].notna() & (card["dot"] != "n/a")]
    assert len(computable) == 5 and computable["dot_agrees"].astype(bool).all()
    beds = card.set_index("kpi_name").loc["Average monthly number of bed day delays (social care attributable) per "
                                         "100,000 18+ population"]
    assert (beds["dot"], beds["dot_printed"]) == ("stable", "same")  # 150 -> 150
    not_computable = card[card["dot_printed_category"].notna() & (card["dot"] == "n/a")]
    assert (not_computable["dot_reason"] == "polarity not stated").all() and len(not_computable) == 3


# ------------------------------------------------------------------------------------------------
# Nottinghamshire Q1 2024/25: RAG printed, no rule stated
# ------------------------------------------------------------------------------------------------


def test_nottinghamshire_printed_rag_shown_and_not_recomputed(kpis: pd.DataFrame) -> None:
    card = _card(kpis, NOTTS, "2024-25", "M03")
    assert len(card) == 7  # one row per KPI: the June value, with April and May as in-year history
    assert card["in_year"].str.startswith("Apr 2024").all()
    assert (card["rag"] == "Not rated").all()
    assert card["rag_printed"].value_counts().to_dict() == {"Green": 4, "Amber": 2, "Red": 1}
    assert (card["dot"] == "n/a").all()
    note = ps.not_rated_note(card, rag.RULE_SETS["nottinghamshire"], "Nottinghamshire")
    assert "None of Nottinghamshire's 7 KPIs with a target is RAG-rated here" in note
    assert "for only 3 of the 7" in note
    text = ps.summary_text(card, rag.RULE_SETS["nottinghamshire"], "Nottinghamshire", "month 3 (June) 2024-25")
    assert "Its report rates them 1 red, 2 amber and 4 green (as printed) but states no rule" in text
    # with the generic tolerance rule, the three KPIs whose direction the report states are rated; the four
    # others are not: the report does not say whether higher or lower is better
    tol = _card(kpis, NOTTS, "2024-25", "M03", "tolerance").set_index("kpi_name")
    rated = tol[tol["rag"] != "Not rated"]
    assert sorted(rated.index) == [
        "% reviews of people (in receipt of services for 12 months) who have received a review in the last 12 months",
        "Number of adults aged 18-64 supported to access employment, education, training or volunteering",
        "Proportion of adults receiving direct payments"]
    # 39.3% against 42.0%: 6.4% below target, beyond the tolerance rule's 5% (the report printed Amber)
    dp = tol.loc["Proportion of adults receiving direct payments"]
    assert (dp["rag"], round(dp["worse_by_pct"], 1), dp["rag_printed"]) == ("Red", 6.4, "Amber")
    assert (tol.loc[tol["rag"] == "Not rated", "rag_reason"] == "polarity (is higher or lower better?) not stated").all()
    tnote = ps.not_rated_note(tol.reset_index(), rag.rule_set("tolerance"), "Nottinghamshire")
    assert tnote.startswith("4 KPIs are not rated because the report does not say whether higher or lower")  # plain text
    assert "Average number of days between Hub decision and Discharge" in tnote


def test_nottinghamshire_polarity_only_where_the_report_states_it(kpis: pd.DataFrame) -> None:
    """The report prints no good-performance column: polarity is filled only for the three measures whose
    direction its text states, each row quoting it in its note; the other four stay blank."""
    raw = kpis
    n = raw[raw["gss_code"] == NOTTS]
    filled = n[n["polarity"].notna()]
    assert set(filled["polarity"]) == {"higher"}
    assert filled["kpi_name"].nunique() == 3 and n["kpi_name"].nunique() == 7
    assert filled["note"].str.contains("stated in the text: polarity higher").all()
    quotes = {"Number of adults aged 18-64": "para 14", "% reviews of people": "para 28",
              "Proportion of adults receiving direct payments": "para 18"}
    for start, para in quotes.items():
        assert filled.loc[filled["kpi_name"].str.startswith(start), "note"].str.contains(para).all()
    assert n.loc[n["polarity"].isna(), "note"].str.contains("Good-performance direction not printed.").all()


def test_a_period_without_kpis(kpis: pd.DataFrame) -> None:
    card = _card(kpis, NOTTS, "2023-24", "Q4")
    assert card.empty
    assert _counts(card) == {}
    assert "has no KPI figures" in ps.summary_text(card, rag.RULE_SETS["nottinghamshire"], "Nottinghamshire", "x")


# ------------------------------------------------------------------------------------------------
# unit checks (synthetic values)
# ------------------------------------------------------------------------------------------------


def test_units_checks() -> None:
    """Synthetic: a percentage written as a fraction, and one KPI printed in two units."""
    base = {"table_id": "t", "kpi_code": "K", "kpi_name": "k", "source_file": "kpis.csv", "source_row": 2}
    frac = pd.DataFrame([{**base, "unit": "%", "value": 0.92, "numerator": 401.0, "denominator": 436.0}])
    with pytest.raises(DataError, match="a fraction written as a percentage"):
        kpi_card.check_units(frac)
    mixed = pd.DataFrame([{**base, "unit": "%", "value": 92.0, "numerator": 401.0, "denominator": 436.0},
                          {**base, "unit": "number", "value": 401.0, "numerator": None, "denominator": None,
                           "source_row": 3}])
    with pytest.raises(DataError, match="different units"):
        kpi_card.check_units(mixed)
    ok = pd.DataFrame([{**base, "unit": "%", "value": 92.0, "numerator": 401.0, "denominator": 436.0}])
    kpi_card.check_units(ok)


# ------------------------------------------------------------------------------------------------
# issue 14 items 12 and 17: periods as the reports name them; printed ratings against the report's own target
# ------------------------------------------------------------------------------------------------


def test_quarter_1_finds_the_period_3_kpis(kpis: pd.DataFrame) -> None:
    """Nottinghamshire's "Quarter 1 2024/25" is stored as M03: ``-p period Q1`` finds its 7 KPIs (before: none)."""
    rows, note = kpi_card.resolve_kpi_period(kpis, NOTTS, "2024-25", "Q1")
    assert set(rows["period"]) == {"M03"} and "M03 is used" in note
    assert len(_card(kpis, NOTTS, "2024-25", "Q1")) == 7


def test_the_july_report_shows_the_kpi_table_it_prints(kpis: pd.DataFrame) -> None:
    """Cambridgeshire's July 2018 F&PR (M04) prints Appendix 7 as at June (M03, report_period M04): a scorecard for
    M04 shows those 15 KPIs and says so (before: 'no KPI figures')."""
    rows, note = kpi_card.resolve_kpi_period(kpis, CAMBS, "2018-19", "M04")
    assert len(rows) == 15 and set(rows["period"]) == {"M03"}
    assert note.startswith("The report of month 4 (July) 2018-19 prints its KPI table as at month 3 (June)")
    assert len(_card(kpis, CAMBS, "2018-19", "M04")) == 15
    assert kpi_card.resolve_kpi_period(kpis, CAMBS, "2018-19", "M05")[0].empty


def test_printed_ratings_that_contradict_the_target_are_flagged(kpis: pd.DataFrame) -> None:
    """Nottinghamshire's 18-64 at-home measure: printed Green at 77.0 against 78 (no polarity stated: inferred
    from the target above last year's 76.9, and said so); Stockport ASCOF 1G printed G at 93.4 against 95 (higher
    is better, stated); Cambridgeshire's direct payments 'On Target' at 33.4 against 0.0 (README discrepancy 24).
    Counts to date against a year's target (Nottinghamshire's 632 of 800 at June) are not flagged."""
    notts = kpi_card.printed_contradictions(_card(kpis, NOTTS, "2024-25", "M03"))
    assert notts["kpi_name"].str.startswith("% people who receive long term support").tolist() == [True]
    assert notts["printed_check"].iloc[0] == ("printed Green, but 77 is below the target 78 (higher is better, "
                                              "inferred, not stated: the target is above the previous figure 76.9)")
    st = kpi_card.printed_contradictions(_card(kpis, STOCKPORT, "2023-24", "Q2"))
    assert st["kpi_code"].tolist() == ["ASCOF 1G"] and "(higher is better)" in st["printed_check"].iloc[0]
    cb = kpi_card.printed_contradictions(_card(kpis, CAMBS, "2018-19", "M03"))
    assert cb["kpi_name"].tolist() == ["Proportion of adults receiving Direct Payments"]
    assert kpi_card.printed_contradictions(_card(kpis, STOCKPORT, "2017-18", "Q3")).empty


def test_maximise_targets_state_the_direction(kpis: pd.DataFrame) -> None:
    """Stockport HASC 1.7 prints no polarity but the target 'Maximise': higher is better, said as from the target
    (before: 'polarity not stated'); a count to date with no forecast is not compared with a full year."""
    card = _card(kpis, STOCKPORT, "2023-24", "Q2").set_index("kpi_code")
    r = card.loc["HASC 1.7"]
    assert (r["polarity"], r["polarity_basis"]) == ("higher", "from the target 'Maximise'")
    assert r["dot"] == "n/a" and "count to date" in r["dot_reason"]
    pol, basis = kpi_card.effective_polarity(pd.Series([None, None, "lower", None]),
                                             pd.Series(["Aim to maximise", "Minimise", "Maximise", "57%"]))
    assert pol.tolist() == ["higher", "lower", "lower", None]
    assert basis.tolist()[2:] == ["stated", "not stated"]


def test_trend_words_say_better_or_worse_where_the_polarity_is_known(kpis: pd.DataFrame) -> None:
    """In-year trends: better / worse by polarity (Nottinghamshire direct payments 39.5 -> 39.3, higher is better:
    worse), up / down said as such where it is not stated."""
    card = _card(kpis, NOTTS, "2024-25", "M03").set_index("kpi_name")
    assert card.loc["Proportion of adults receiving direct payments", "in_year_trend"] == "worse"
    hub = card.loc["Average number of days between Hub decision and Discharge (Social Care supported discharges)"]
    assert hub["in_year_trend"] == "down (which way is better is not stated)"
    assert kpi_card.trend_word(1.0, 2.0, "lower") == "worse" and kpi_card.trend_word(2.0, 2.0, None) == "unchanged"
