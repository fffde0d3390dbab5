"""Tests of helpers.reports.benchmarking on synthetic rows (no national data): the councillor's table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.reports import benchmarking as rb


def test_plain_summary_formats_and_keeps_numbers() -> None:
    """Synthetic rows (edge-case fixture): text for the reader, rounded numbers for re-use."""
    rows = pd.DataFrame({"measure": ["a", "b", "c"], "unit": ["gbp_per_head", "percent", "rate_per_100k"],
                         "value": [798.4, 93.14, np.nan], "comparator": [756.0, 80.6, 484.8],
                         "england": [716.0, 78.3, 498.2], "verdict": ["higher", "better", "not compared"],
                         "basis": "x"})
    out = rb.plain_summary(rows)
    assert list(out["Our value"]) == ["£798", "93.1%", "not available"]
    assert list(out["Comparator median"])[2] == "484.8 per 100,000"
    assert out["our_value"].tolist()[:2] == [798.0, 93.1] and math.isnan(out["our_value"].iloc[2])
