"""The price / volume / remainder decomposition of key-activity lines: a property, hand examples from the
printed tables (Cambridgeshire F&PR July 2018), and a budget in the wrong units."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analysis.variance import budget as variance
from helpers.analysis.variance.price_volume import (
    check_key_activity_units,
    decompose,
    decomposition_summary,
    price_volume,
)
from helpers.core.errors import DataError

STOCKPORT, NOTTS, CAMBS = "E08000007", "E10000024", "E10000003"

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
counts = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)
costs = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)


@given(bn=counts, bc=costs, an=counts, ac=costs, weeks=st.floats(min_value=0, max_value=53), var=finite)
def test_price_plus_volume_plus_remainder_is_the_variance(bn, bc, an, ac, weeks, var) -> None:
    pv = price_volume(pd.Series([bn]), pd.Series([bc]), pd.Series([an]), pd.Series([ac]),
                               pd.Series([weeks]), pd.Series([var])).iloc[0]
    total = pv["volume_gbp_k"] + pv["price_gbp_k"] + pv["remainder_gbp_k"]
    assert math.isclose(total, var, rel_tol=1e-9, abs_tol=1e-6 * max(1.0, abs(pv["volume_gbp_k"]), abs(pv["price_gbp_k"])))
    # volume + price is the change in clients x cost x weeks (quantity at standard price + price at actual quantity)
    assert math.isclose(pv["volume_gbp_k"] + pv["price_gbp_k"], (an * ac - bn * bc) * weeks / 1000,
                        rel_tol=1e-9, abs_tol=1e-6 * max(1.0, an * ac * weeks / 1000, bn * bc * weeks / 1000))


def test_price_volume_hand_example_cambridgeshire_ld_residential() -> None:
    """F&PR July 2018 table 2.5.3: 299 -> 291 clients, £1,364 -> £1,455 a week, 52 weeks, variance £1,021k."""
    pv = price_volume(pd.Series([299.0]), pd.Series([1364.0]), pd.Series([291.0]), pd.Series([1455.0]),
                               pd.Series([52.0]), pd.Series([1021.0])).iloc[0]
    assert pv["volume_gbp_k"] == pytest.approx(-8 * 1364 * 52 / 1000)   # -567.424: fewer clients
    assert pv["price_gbp_k"] == pytest.approx(91 * 291 * 52 / 1000)     # 1,377.012: dearer care
    assert pv["remainder_gbp_k"] == pytest.approx(1021 + 567.424 - 1377.012)


def test_decomposition_of_the_cambridgeshire_key_activity_tables(key_activity: pd.DataFrame) -> None:
    dec = decompose(key_activity, CAMBS, "2018-19", "M04")
    ok = dec[dec["decomposed"] == "yes"]
    assert np.allclose(ok["volume_gbp_k"] + ok["price_gbp_k"] + ok["remainder_gbp_k"], ok["variance_gbp_k"])
    # every line is decomposed or says why not; a line not decomposed keeps its whole variance as remainder
    no = dec[dec["decomposed"] != "yes"]
    assert no["decomposed"].str.startswith("no: ").all()
    assert (no["remainder_gbp_k"] == no["variance_gbp_k"]).all()
    s = decomposition_summary(dec).set_index("service_group")
    ld = s.loc["Learning Disability"]
    # LD: 1,021 + 50 + 4,484 = 5,555 (the printed LD Service Total) on the three care lines; income -571 and
    # "further savings" -2,420 are not client lines; 5,555 - 571 - 2,420 = 2,564 (the printed Net Total)
    assert ld["volume_gbp_k"] == pytest.approx((-8 * 1364 + 0 * 1639 + 17 * 651) * 52 / 1000)
    assert ld["price_gbp_k"] == pytest.approx((91 * 291 + 55 * 8 + 27 * 1302) * 52 / 1000)
    assert ld["volume_gbp_k"] + ld["price_gbp_k"] + ld["remainder_gbp_k"] == pytest.approx(5555)
    assert ld["other_lines_gbp_k"] == -2991 and ld["variance_gbp_k"] == 2564
    # per-hour homecare: hours per client implied by the budget, 14,911k / (1,516 x £16.31)
    home = dec[(dec["service_group"] == "Older People") & (dec["line"] == "~ Homecare arranged")].iloc[0]
    hours = 14911 * 1000 / (1516 * 16.31)
    assert home["units_basis"].startswith(f"{hours:,.0f} hours")
    assert home["volume_gbp_k"] == pytest.approx((1458 - 1516) * 16.31 * hours / 1000)


def test_key_activity_printed_variances_that_differ_from_outturn_minus_budget(key_activity: pd.DataFrame) -> None:
    """README discrepancy 17: the twelve printed variances that are not forecast - budget (lines only here)."""
    dec = decompose(key_activity, CAMBS, "2018-19", "M04")
    rows = variance.select(key_activity, CAMBS, "2018-19", "M04")
    rows = rows[rows["row_type"] == "line"].reset_index(drop=True)
    diff = rows["variance_gbp_k"] - dec["variance_gbp_k"]
    got = sorted((r.service_group, r.line, int(d)) for r, d in zip(rows.itertuples(), diff, strict=True) if d)
    assert got == sorted([
        ("Adult Mental Health", "Community based support", 1), ("Adult Mental Health", "Home & Community support", -1),
        ("Adult Mental Health", "Nursing Placement", 1), ("Adult Mental Health", "Health Contribution", 1),
        ("Older People", "Residential", -1), ("Older People", "Nursing Dementia", -1), ("Older People", "Respite", 1),
        ("Older People", "~ Direct payments", -1), ("Older People", "Residential Income", 1),
        ("Older People Mental Health", "Nursing", 1), ("Older People Mental Health", "Residential Income", -1),
    ])  # the twelfth, OP Total Expenditure (-273 vs -272), is a total row


def test_budget_in_pounds_is_refused() -> None:
    """Synthetic edge case: a key-activity budget typed in pounds (x1000) is an inconsistent unit."""
    df = pd.DataFrame({"unit_of_cost": ["per week"], "budgeted_clients": [10.0], "budgeted_unit_cost_gbp": [500.0],
                       "budget_gbp_k": [260000.0], "weeks_funded": [52.0], "source_file": ["x.csv"], "source_row": [2]})
    with pytest.raises(DataError, match="pounds, not £ thousands"):
        check_key_activity_units(df)
