"""Tests of helpers.analysis.benchmarking.spend on synthetic edge cases (no national data): the expenditure
parameter and the per-head arithmetic on hand examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.benchmarking import spend as bs
from helpers.core.errors import ParameterError

STOCKPORT = "E08000007"


def test_check_expenditure() -> None:
    assert bs.check_expenditure(" Net ") == "net"
    with pytest.raises(ParameterError, match="expenditure"):
        bs.check_expenditure("total")


# ------------------------------------------------------------------------------------------------
# per-head arithmetic: hand example
# ------------------------------------------------------------------------------------------------


def _spend_rows(rows: list[tuple]) -> pd.DataFrame:
    cols = ["gss_code", "year", "source_id", "collection", "service_line", "service_group", "line_type", "age_band",
            "measure", "value_gbp_k", "value_status"]
    return pd.DataFrame(rows, columns=cols)


def test_spend_per_head_hand_example() -> None:
    """Synthetic RO3-like rows for Stockport 2023-24 (an edge-case fixture), per head worked by hand.

    Learning disability 18-64: £1,000k; physical support 18-64: £500k -> support 18-64 = £1,500k over 2,000
    people aged 18-64 = £750 per head; physical support 65+ £300k over 1,000 people aged 65+ = £300; total
    £2,000k over 3,000 adults = £666.67. A line with a value not reported is not available, never 0.
    """
    R = "reported"
    spend = _spend_rows([
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "LD", "learning_disability", "detail", "18-64",
         "total_expenditure", 1000.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "PS", "physical_support", "detail", "18-64",
         "total_expenditure", 500.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "PS", "physical_support", "detail", "65+",
         "total_expenditure", 300.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "MH", "mental_health", "detail", "65+",
         "total_expenditure", np.nan, "not_available"),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "TOTAL", "total", "total", "18+", "total_expenditure", 2000.0, R),
        (STOCKPORT, "2023-24", "ro3_2023_24", "RO3", "TOTAL", "total", "total", "18+", "employees", 99.0, R),
    ])
    pop = pd.DataFrame({"gss_code": STOCKPORT, "year": "2023-24", "mid_year": 2023,
                        "age_band": ["18+", "18-64", "65+", "all"], "population": [3000.0, 2000.0, 1000.0, 4000.0],
                        "source_id": "mye_2023"})
    out = bs._build_spend_per_head(spend, pop).set_index("line")
    assert set(out["measure"]) == {"gross"}  # RO3 total expenditure is gross; employees is not a benchmark measure
    assert out.loc["support_18-64", "per_head_gbp"] == pytest.approx(750.0)
    assert out.loc["learning_disability_18-64", "per_head_gbp"] == pytest.approx(500.0)
    assert out.loc["physical_support_65+", "per_head_gbp"] == pytest.approx(300.0)
    assert out.loc["total", "per_head_gbp"] == pytest.approx(2000 * 1000 / 3000)
    assert out.loc["total", "total_basis"] == "published total"
    assert math.isnan(out.loc["support_65+", "per_head_gbp"])  # mental health 65+ not available
    assert out.loc["support_65+", "per_head_status"] == "not_available"
    assert math.isnan(out.loc["mental_health_65+", "spend_gbp_k"])


def test_total_from_detail_lines_where_no_total_is_published() -> None:
    """Synthetic ASC-FR-like rows without a total row (an edge-case fixture): total = sum of detail rows."""
    R = "reported"
    spend = _spend_rows([
        (STOCKPORT, "2016-17", "ascfr_2016_17_totals", "ASC-FR", "a", "learning_disability", "detail", "18-64",
         "gross_current_expenditure", 700.0, R),
        (STOCKPORT, "2016-17", "ascfr_2016_17_totals", "ASC-FR", "b", "social_support", "detail", "18+",
         "gross_current_expenditure", 300.0, R),
    ])
    pop = pd.DataFrame({"gss_code": STOCKPORT, "year": "2016-17", "mid_year": 2016, "age_band": ["18+", "18-64", "65+"],
                        "population": [2000.0, 1500.0, 500.0], "source_id": "mye_2016"})
    out = bs._build_spend_per_head(spend, pop).set_index("line")
    assert out.loc["total", "spend_gbp_k"] == 1000.0 and out.loc["total", "per_head_gbp"] == pytest.approx(500.0)
    assert out.loc["total", "total_basis"] == "sum of detail lines"
