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
    base = errors(40, 6, 1.0)
    better = base * 0.8
    se1 = {"naive": base, "pooled": better}
    # at origin 2 only target years 1-2 are known (origins 0, 1): too few years
    assert rolling.pooled_choice(se1, 2)[0] == "naive"
    best, ratios, counts = rolling.pooled_choice(se1, 4)
    assert best == "pooled" and ratios["pooled"] == pytest.approx(0.8) and counts["pooled"] == 160
    few = {"naive": base[:20], "pooled": better[:20]}  # 20 councils x 4 origins = 80 < 100 forecasts
    assert rolling.pooled_choice(few, 4)[0] == "naive"
    # much better in one year, a little worse in the others: lower overall, but not in most years -> naive
    lumpy = base * 1.02
    lumpy[:, 0] = base[:, 0] * 0.1
    assert rolling.pooled_choice({"naive": base, "pooled": lumpy}, 4)[0] == "naive"


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
