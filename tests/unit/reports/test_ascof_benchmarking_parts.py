"""Report 02's pieces that need no national data: where a council sits in a funnel, in words."""

from __future__ import annotations

import pytest

from helpers.reports.ascof_benchmarking_parts import where_in_funnel


@pytest.mark.parametrize(("flag", "words"), [
    ("within 95%", "inside the exact 95% limits"),
    ("above 95%", "above the upper exact 95% limit"),
    ("above 99.8%", "above the upper exact 99.8% limit"),
    ("below 99.8%", "below the lower exact 99.8% limit"),
    ("", "not placed against the exact limits"),
])
def test_funnel_flags_in_words(flag: str, words: str) -> None:
    # "within 95% of the exact limits" read as 95% of the way to a limit; the words name the limits instead
    assert where_in_funnel(flag, "exact") == words
