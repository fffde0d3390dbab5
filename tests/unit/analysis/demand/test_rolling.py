"""Tests of helpers.analysis.demand.rolling (the nested procedure) on SYNTHETIC errors and panels (made up here,
never real council data; the evaluation of the real series is in tests/data/test_demand.py)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.analysis.demand import rolling


def errors(n_councils, n_origins, level, seed=0):
    rng = np.random.default_rng(seed)
    return np.abs(rng.normal(level, 0.2 * level, (n_councils, n_origins)))


def test_pooled_choice_needs_evidence_over_years_and_most_years():
    base = errors(40, 12, 1.0)
    better = base * 0.8
    se1 = {"naive": base, "pooled": better}
    # at origin 4 only target years 1-4 are known (origins 0..3): fewer than MIN_CHOICE_YEARS = 5
    assert rolling.pooled_choice(se1, 4)[0] == "naive"
    # 5 of 5 years better: sign test p = 1/32 < 0.05 (one candidate compared), t test p ~ 0
    best, ratios, counts = rolling.pooled_choice(se1, 5)
    assert best == "pooled" and ratios["pooled"] == pytest.approx(0.8) and counts["pooled"] == 200
    few = {"naive": base[:15], "pooled": better[:15]}  # 15 councils x 6 origins = 90 < 100 forecasts
    assert rolling.pooled_choice(few, 6)[0] == "naive"
    # much better in one year, a little worse in the others: lower overall, but not in most years -> naive
    lumpy = base * 1.02
    lumpy[:, 0] = base[:, 0] * 0.1
    assert rolling.pooled_choice({"naive": base, "pooled": lumpy}, 8)[0] == "naive"


def test_a_candidate_better_on_few_origins_does_not_leave_naive():
    """The nursing case of issue 15: better in each of the 3 years known (sign test p = 1/8), so naive."""
    base = errors(150, 4, 1.0)
    se1 = {"naive": base, "pooled": base * 0.95}
    assert rolling.pooled_choice(se1, 3)[0] == "naive"
    known = np.zeros((150, 4), bool)
    known[:, :3] = True  # one-year forecasts from origins 0..2, known at origin 3
    t = rolling.departure_test(se1["pooled"], base, known)
    assert t["years"] == 3 and t["wins"] == 3 and t["p_sign"] == pytest.approx(0.125)


def test_the_departure_needs_both_tests_at_the_bonferroni_level():
    base = errors(40, 12, 1.0)
    # 5 of 5 years better passes at 0.05 with one candidate, not at 0.05 / 3 with three
    five = {"naive": base, "pooled": base * 0.9, "a": base * 1.1, "b": base * 1.2}
    assert rolling.pooled_choice({"naive": base, "pooled": base * 0.9}, 5)[0] == "pooled"
    assert rolling.pooled_choice(five, 5)[0] == "naive"
    # better in 9 of 10 years by 2% but 3 times worse in one: the sign test passes (p = 0.011), the t test of
    # the years' log ratios does not (mean > 0) -> naive
    spiky = base * 0.98
    spiky[:, 4] = base[:, 4] * 3.0
    known = np.zeros((40, 12), bool)
    known[:, :10] = True
    t = rolling.departure_test(spiky, base, known)
    assert t["wins"] == 9 and t["p_sign"] < 0.05 and t["p_dm"] > 0.5
    assert rolling.pooled_choice({"naive": base, "pooled": spiky}, 10)[0] == "naive"


def test_pooled_choice_uses_only_outcomes_known_at_the_origin():
    base = errors(40, 8, 1.0)
    se1 = {"naive": base, "pooled": base * 0.8}
    choice = rolling.pooled_choice(se1, 5)
    later = {k: v.copy() for k, v in se1.items()}
    later["pooled"][:, 5:] = 100.0  # forecasts from origins 5.. are scored after origin 5
    assert rolling.pooled_choice(later, 5) == choice


def test_a_council_leaves_the_pooled_choice_only_on_a_sign_test():
    base = errors(3, 14, 1.0)
    own = base.copy()
    own[0] = base[0] * 0.5          # council 0: 13 of 13 one-year forecasts better -> p = 0.0001
    own[1, :7] = base[1, :7] * 0.5  # council 1: 7 of 13 better -> no
    own[1, 7:] = base[1, 7:] * 1.1
    chosen = rolling.council_choices({"naive": base, "own": own}, 13, "naive")
    assert chosen.tolist() == ["own", "naive", "naive"]
    assert rolling.council_choices({"naive": base, "own": own}, 9, "naive")[0] == "naive"  # 9 < 10 forecasts


def test_interval_half_widths_widen_with_the_horizon():
    rng = np.random.default_rng(2)
    z = rng.normal(0, 1, (60, 10, 5)) * np.sqrt(np.arange(1, 6))[None, None, :]
    z[:, :, 3:] = np.nan  # no errors at 4 and 5 years ahead
    q, checked = rolling.interval_quantiles(z, 9)
    assert checked.all()
    for lv in rolling.LEVELS:
        assert np.all(np.diff(q[lv]) >= 0)
    assert q[80][4] == pytest.approx(q[80][2] * np.sqrt(5 / 3))  # widened from the last horizon with errors
    assert q[80][0] == pytest.approx(1.2816, abs=0.25) and q[95][0] == pytest.approx(1.96, abs=0.35)
    q_early, ok_early = rolling.interval_quantiles(z, 2)  # two target years known: not enough
    assert not ok_early.any() and np.isnan(q_early[80]).all()


def test_fallback_interval_is_wider_with_few_changes():
    fb = rolling.fallback_quantiles(3, np.array([2.0, np.inf]))
    assert fb[80][1, 0] == pytest.approx(1.2816 * np.sqrt(np.pi / 2), rel=1e-3)
    assert fb[80][0, 0] > fb[80][1, 0] and fb[95][0, 2] == pytest.approx(fb[95][0, 0] * np.sqrt(3))


def random_walks(n=40, t=14, seed=3):
    rng = np.random.default_rng(seed)
    return 500 * np.exp(np.cumsum(rng.normal(-0.02, 0.05, (n, t)), axis=1))


def test_evaluation_is_nested_and_its_intervals_cover(make_panel):
    v = random_walks()
    ev = rolling.evaluate_panel(make_panel(v))
    assert ev.choice[:4] == ["naive"] * 4  # no evidence yet
    # the procedure at origins before the last never depends on the last year's values
    w = v.copy()
    w[:, -1] *= 3
    ev2 = rolling.evaluate_panel(make_panel(w))
    assert np.array_equal(ev.procedure[:, :-1], ev2.procedure[:, :-1], equal_nan=True)
    inside = ev.inside(80)[:, :, 0]
    assert 0.65 < np.nanmean(inside) < 0.95  # a random walk with drift: roughly 80%
    lo, hi = ev.bounds[95]
    width = (hi - lo)[:, 10]
    assert np.all(np.diff(width, axis=1) >= -1e-12)


def test_covid_year_and_forecasts_across_it_are_not_scored(make_panel):
    v = random_walks(20, 10)  # 2014-15 .. 2023-24
    ev = rolling.evaluate_panel(make_panel(v, 2014))
    col = {int(y): i for i, y in enumerate(ev.panel.years)}
    assert np.isnan(ev.actual[:, col[2019], 0]).all()      # 2019-20 -> 2020-21: the COVID year
    assert np.isnan(ev.actual[:, col[2018], 2]).all()      # 2018-19 -> 2021-22: across it
    assert np.isfinite(ev.actual[:, col[2020], 0]).all()   # 2020-21 -> 2021-22: scored


def test_councils_do_not_leave_the_pooled_choice_on_chance_wins():
    """150 councils whose candidate is no better (a coin flip each year): a per-council test at 5% lets about
    2.5% of them leave (13+ of 17 wins); across councils (Benjamini-Hochberg) none does, while a council
    better in all 17 years still leaves."""
    rng = np.random.default_rng(11)
    base = np.abs(rng.normal(1.0, 0.2, (150, 18)))
    coin = base * np.where(rng.random((150, 18)) < 0.5, 0.9, 1.1)
    coin[0] = base[0] * 0.5
    wins = (coin[:, :17] < base[:, :17]).sum(axis=1)
    assert (wins[1:] >= 13).sum() >= 1  # some would pass a plain per-council sign test at 5%
    chosen = rolling.council_choices({"naive": base, "own": coin}, 17, "naive")
    assert chosen[0] == "own" and (chosen[1:] == "naive").all()
