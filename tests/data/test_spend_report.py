"""The spend benchmarking report's trend chart on the national files (issue 14 item 1): its legend counts the
comparators with a figure, as its table does."""

from __future__ import annotations

import pytest

from helpers.analysis.benchmarking import groups as bg
from helpers.analysis.benchmarking import spend as bs
from helpers.reports import spend_benchmarking as sr

national = pytest.mark.national
LEEDS, STOCKPORT = "E08000035", "E08000007"


@national
def test_the_trend_legend_counts_the_comparators_with_a_figure(built_tables) -> None:
    """Leeds 2023-24: the 2023-24 median is over 14 of its 15 comparators (Bradford has no RO3 return), so the
    legend gives the range of counts over the years ('13-15 of 15') (before: "median of Oflog's nearest neighbours (15 councils)")."""
    b = bg.setup(LEEDS, "2023-24")
    t = bs.spend_trend(b)
    assert t.set_index("year").loc["2023-24", "group_n"] == 14
    label = sr.trend_group_label(b, t)
    ns = t.loc[t["group_median"].notna(), "group_n"]
    assert label == f"Oflog's nearest neighbours with a figure ({int(ns.min())}-{int(ns.max())} of 15)"
    assert int(ns.min()) < 15  # some year lacks a comparator's figure
    fig = sr.trend_figure(b)
    texts = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert f"median of {label}" in texts and not any("(15 councils)" in x for x in texts)
