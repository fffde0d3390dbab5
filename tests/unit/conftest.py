"""Fixtures shared by the unit tests: the committed council tables (data/raw/councils), read once per session.

Every test gets its own copy, so a test that changes its frame cannot change another's.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from helpers.data import council_reports as council_data


@pytest.fixture(scope="session")
def council_kind() -> Callable[[str], pd.DataFrame]:
    """Return ``get(kind)``: the validated table of one kind from every council folder, read once, copied."""
    cache: dict[str, pd.DataFrame] = {}

    def get(kind: str) -> pd.DataFrame:
        if kind not in cache:
            cache[kind] = council_data.load_kind(kind, warn=False)
        return cache[kind].copy()

    return get
