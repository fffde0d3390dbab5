"""Tests of helpers.analysis.benchmarking.outcomes on synthetic rows (no national data): the interval methods."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.benchmarking import identity
from helpers.analysis.benchmarking import outcomes as oc
from helpers.core.errors import ParameterError

# ------------------------------------------------------------------------------------------------
# ASCOF
# ------------------------------------------------------------------------------------------------


def test_interval_methods_hand_worked() -> None:
    """Synthetic rows (edge-case fixture) through the registry's methods, against published / hand values.

    Wilson 81/263: 25.53% to 36.62% (Newcombe 1998, table II). Byar 806 events / 58,933 (Stockport ASCOF
    2A(2) 2020-21): lower 806 (1 - 1/(9*806) - 1.96/(3 sqrt 806))^3, upper 807 (1 - 1/(9*807) + 1.96/(3
    sqrt 807))^3, per 100,000. A published margin of error 2.5 around 70.0: 67.5 to 72.5. Numerator above
    the denominator: no interval, with the reason.
    """
    rows = pd.DataFrame({
        "ci_method": ["wilson", "byar", "survey_moe", "wilson", "none"],
        "comparison": "ci95", "multiplier": [100.0, 100_000.0, 100.0, 100.0, 100_000.0],
        "numerator": [81.0, 806.0, np.nan, 12.0, 3.0], "denominator": [263.0, 58_933.0, np.nan, 10.0, 100.0],
        "numerator_status": "reported", "denominator_status": "reported",
        "value": [30.8, 1367.7, 70.0, 120.0, 3.0], "moe": [np.nan, np.nan, 2.5, np.nan, np.nan],
        "moe_status": ["not_available", "not_available", "reported", "not_available", "not_available"],
    })
    rows.loc[2, ["numerator_status", "denominator_status"]] = "not_available"
    # the counts each interval is computed from: published where both parts are reported (_derived_counts)
    rows["count"] = rows["numerator"].where(rows["numerator_status"] == "reported")
    rows["count_denominator"] = rows["denominator"].where(rows["count"].notna())
    rows["count_basis"] = np.where(rows["count"].notna(), "published", "")
    out = oc._intervals(rows)
    assert out.loc[0, "lower"] == pytest.approx(25.53, abs=0.005) and out.loc[0, "upper"] == pytest.approx(36.62, abs=0.005)
    o, z = 806.0, 1.959963984540054
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3 / 58_933 * 1e5
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3 / 58_933 * 1e5
    assert out.loc[1, "lower"] == pytest.approx(lo) and out.loc[1, "upper"] == pytest.approx(hi)
    assert (out.loc[2, "lower"], out.loc[2, "upper"]) == (67.5, 72.5)
    assert math.isnan(out.loc[3, "lower"]) and "numerator larger" in out.loc[3, "interval_reason"]
    assert math.isnan(out.loc[4, "lower"]) and out.loc[4, "interval_reason"]
    assert list(out["interval"][:3]) == ["Wilson 95%", "Byar 95%", "published margin of error (95%)"]


def test_values_take_the_registry_row_of_their_measure_id_not_of_a_reused_code(monkeypatch) -> None:
    """Issue 13 item 4: a code reused from 2023-24 for another measure joins the registry by stable id.

    Synthetic rows (edge-case fixture, not figures): ``1B`` is control over daily life (per cent, 0-100) up to
    2022-23 and, in this fixture's 2023-24 framework, the adjusted quality-of-life score (0-1, no interval).
    Joined on the code, the 2023-24 row would take the percentage's scale and Wilson interval (or fail on the
    duplicate code); joined on ``measure_id`` and framework it takes its own.
    """
    monkeypatch.setattr(oc, "on_financial_year_councils", lambda pop: pop)
    reg = pd.DataFrame({
        "measure_code": ["1B", "1B"], "measure_id": ["control_over_daily_life", "adjusted_scrqol_impact"],
        "framework": ["to 2022-23", "from 2023-24"], "polarity": ["higher", "higher"],
        "ci_method": ["wilson", "none"], "comparison": ["ci95", "none"], "multiplier": [100.0, np.nan],
        "survey_based": [True, True], "years_available": ["2022-23", "2023-24"], "scale": ["0-100", "0-1"],
    })
    ascof = pd.DataFrame({
        "gss_code": "E08000007", "geography_level": "council", "year": ["2022-23", "2023-24"],
        "measure_code": ["1B", "1B"], "measure_id": ["control_over_daily_life", "adjusted_scrqol_impact"],
        "framework": ["to 2022-23", "from 2023-24"], "primary": True, "disaggregation": "Total",
        "value": [77.0, 0.41], "numerator": [77.0, np.nan], "denominator": [100.0, np.nan],
        "numerator_status": ["reported", "not_available"], "denominator_status": ["reported", "not_available"],
        "moe": np.nan, "moe_status": "not_available", "unit": ["percent", "score"],
    })
    pop = pd.DataFrame(columns=["gss_code", "year", "age_band", "population"])
    out = oc._build_values(ascof, reg, pop).set_index("year")
    assert out.loc["2023-24", "scale"] == "0-1" and out.loc["2023-24", "ci_method"] == "none"
    assert np.isnan(out.loc["2023-24", "lower"]) and out.loc["2023-24", "years_available"] == "2023-24"
    assert out.loc["2022-23", "scale"] == "0-100" and out.loc["2022-23", "interval"] == "Wilson 95%"


def test_measures_parameter_takes_the_codes_of_either_framework() -> None:
    """`-p measures 2C` in a 2023-24 report is the measure 2A(2) named up to 2022-23 (one stable id); unknown codes
    are named, with the codes of both frameworks listed (committed registry and crosswalk; no national data)."""
    assert identity.check_measures("2c, 2a2") == ["2A(2)", "2C"]
    assert identity.ids_of(identity.check_measures("2C")) == identity.ids_of(["2A(2)"]) == ["ltc_admissions_65plus"]
    assert identity.check_measures(["3d2a", "1g"]) == ["1G", "3D(2A)"]
    assert identity.check_measures("1B") == ["1B"]  # a reused code without a sourced mapping: the earlier measure
    with pytest.raises(ParameterError, match=r"'9Z' is not an ASCOF measure; measures are 1A, .*; from 2023-24 also "
                                             r"2A, 2B, 2C"):
        identity.check_measures("2C, 9Z")
