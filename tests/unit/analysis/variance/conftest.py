"""Fixtures of the forecast variance tests: the council tables as the loader reads them (data/raw/councils)."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def budget(council_kind) -> pd.DataFrame:
    return council_kind("budget_monitoring")


@pytest.fixture(scope="module")
def key_activity(council_kind) -> pd.DataFrame:
    return council_kind("key_activity")


@pytest.fixture(scope="module")
def savings(council_kind) -> pd.DataFrame:
    return council_kind("savings")
