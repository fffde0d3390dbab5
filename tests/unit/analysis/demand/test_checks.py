"""Tests of helpers.analysis.demand.checks: period labels, the series check (gaps, breaks) and the parameter rules.
Every series here is SYNTHETIC (made up in the test), never real council data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.demand import checks, evaluation, models
from helpers.core import periods
from helpers.core.errors import DataError, ParameterError
from helpers.pipeline import params


def fy(start: int, n: int) -> list[str]:
    return [periods.fy(y) for y in range(start, start + n)]


def synthetic(values, start: int = 2010, style: str = "fy", name: str = "synthetic") -> pd.Series:
    idx = fy(start, len(values)) if style == "fy" else list(range(start, start + len(values)))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name=name)


def random_walk(n: int = 20, seed: int = 1, drift: float = 5.0, sd: float = 15.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return synthetic(500 + np.cumsum(rng.normal(drift, sd, n)), start=2004, name="synthetic random walk")


def test_period_labels_round_trip():
    assert checks.parse_period("2023-24") == (2023, "fy")
    assert checks.parse_period(2023) == (2023, "int")
    assert checks.parse_period("2023") == (2023, "int")
    assert checks.period_label(1999, "fy") == "1999-00"
    assert checks.period_label(2023, "int") == 2023
    with pytest.raises(DataError, match="2023-25"):
        checks.parse_period("2023-25")


def test_zero_or_negative_value_names_the_year():
    s = synthetic([10, 12, 0, 13, -1])
    with pytest.raises(ValueError, match=r"2012-13, 2014-15"):
        checks.check_series(s)


def test_missing_value_names_the_year():
    s = synthetic([10, 12, np.nan, 13])
    with pytest.raises(DataError, match=r"no value for 2012-13"):
        checks.check_series(s)


def test_gap_in_years_is_an_error_not_interpolated():
    s = pd.Series([10.0, 11, 12, 14], index=["2015-16", "2016-17", "2017-18", "2019-20"])
    with pytest.raises(DataError, match=r"gap: no value for 2018-19.*not interpolated"):
        checks.check_series(s)
    with pytest.raises(DataError, match="gap"):
        evaluation.backtest(s)


def test_duplicate_and_mixed_index_rejected():
    with pytest.raises(DataError, match="more than one value for 2015"):
        checks.check_series(pd.Series([1.0, 2.0], index=[2015, 2015]))
    with pytest.raises(DataError, match="mixes"):
        checks.check_series(pd.Series([1.0, 2.0], index=[2015, "2016-17"]))


def test_unsorted_series_is_sorted():
    s = pd.Series([3.0, 1.0, 2.0], index=[2012, 2010, 2011])
    chk = checks.check_series(s)
    assert chk.years.tolist() == [2010, 2011, 2012]
    assert chk.values.tolist() == [1.0, 2.0, 3.0]


def test_break_segment_models_only_post_break_and_reports_it():
    s = synthetic([100, 102, 104, 106, 108, 110, 80, 82, 84, 86, 88, 90], start=2014)  # COVID-like drop 2020-21
    chk = checks.check_series(s, break_year="2020-21", break_mode="segment")
    assert chk.years[0] == 2020 and chk.n == 6
    assert any("break at 2020-21" in n for n in chk.notes)
    fc = models.drift(chk, 1)  # drift on the post-break segment only: 90 + 2
    assert fc.table["mean"].iloc[0] == pytest.approx(92.0)
    assert any("break" in n for n in fc.notes)


def test_break_exclude_does_not_score_break_year():
    s = synthetic([100, 102, 104, 106, 108, 110, 80, 82, 84, 86, 88, 90], start=2014)
    bt = evaluation.backtest(s, ["drift"], break_year="2020-21", break_mode="exclude")
    unscored = bt.forecasts[~bt.forecasts["scored"]]
    assert set(unscored["target"]) == {"2020-21"}
    assert len(unscored) == 2 * 2  # two horizons x (naive, drift)
    n_scored = bt.forecasts[bt.forecasts["scored"] & (bt.forecasts["model"] == "naive")].shape[0]
    assert bt.metrics.loc[bt.metrics["model"] == "naive", "n"].sum() == n_scored
    assert any("2020-21" in n for n in bt.notes)


def test_break_outside_series_has_no_effect():
    chk = checks.check_series(synthetic([1, 2, 3]), break_year="2030-31")
    assert chk.n == 3 and "no effect" in chk.notes[0]


def test_bad_parameters():
    with pytest.raises(ParameterError):
        checks.check_series(synthetic([1, 2, 3]), break_year=2011, break_mode="interpolate")
    with pytest.raises(ParameterError):
        models.naive(synthetic([1, 2, 3]), 0)
    with pytest.raises(ParameterError, match="unknown model"):
        evaluation.backtest(random_walk(), ["prophet"])


def test_parameter_rules():
    with pytest.raises(ParameterError, match="not a demand series; choose one of op_residential_placements"):
        params.check(series="ld_client")
    for bad in (0, 6, 2.0, True):
        with pytest.raises(ParameterError, match="horizon"):
            params.check(horizon=bad)
    with pytest.raises(ParameterError, match="pay_share_pct"):
        params.check(pay_share_pct=120.0)
    with pytest.raises(ParameterError, match="unit_cost_gbp_per_week"):
        params.check(unit_cost_gbp_per_week=0)
    out = params.check(series=" ld_clients", horizon=5, need_growth_pct="2.5", demography_growth_pct="None",
                       unit_cost_gbp_per_week="700")
    assert out == {"series": "ld_clients", "horizon": 5, "need_growth_pct": 2.5, "demography_growth_pct": None,
                   "unit_cost_gbp_per_week": 700.0}
