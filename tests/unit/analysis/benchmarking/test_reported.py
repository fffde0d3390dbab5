"""Tests of helpers.analysis.benchmarking.reported on synthetic KPI rows (no national data)."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.benchmarking import reported as rp


def test_match_kpis_needs_code_name_and_unit_to_agree() -> None:
    """Synthetic KPI rows (edge-case fixture) shaped like council_kpis."""
    k = pd.DataFrame({
        "kpi_code": ["ASCOF 2A", "ASCOF 2C", "1C Part 2 Local", "2A Part 1", "ASCOF 1G", "HASC 1.1"],
        "kpi_name": ["Percentage of people accessing short-term services who no longer need long-term care",
                     "Over 65s permanently admitted to residential or nursing care (per 100,000 pop)",
                     "Proportion of eligible social care users receiving direct payment.",
                     "Permanent admissions to residential care homes aged 18-64",
                     "Percentage of clients with a learning disability living independently",
                     "Proportion of adults with a learning disability in paid employment"],
        "unit": ["%", "rate per 100,000", "%", "number", "%", "%"],
    })
    m = rp.match_kpis(k)
    assert dict(zip(m["kpi_code"], m["measure_code"], strict=True)) == {
        "ASCOF 2A": "2D", "ASCOF 2C": "2A(2)", "ASCOF 1G": "1G"}


def test_printed_precision_is_the_tolerance() -> None:
    """Issue 14 item 8: a council's printed 93.1 against the published 93.2 is the same figure to the precision
    printed (one decimal: 0.1 apart); 0.2 apart is not."""
    assert [rp.printed_decimals(v) for v in (93.1, 484.85, 12.0, 0.408)] == [1, 2, 0, 3]
    for council, national, same in ((93.1, 93.2, True), (93.0, 93.2, False), (558.3, 597.3, False)):
        places = max(rp.printed_decimals(council), rp.printed_decimals(national))
        assert (abs(council - national) <= 10.0 ** -places + 1e-9) is same
