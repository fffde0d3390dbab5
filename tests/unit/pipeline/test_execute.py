"""The runner's titles (helpers.pipeline.execute.report_title): council, report and period in words."""

from __future__ import annotations

from helpers.pipeline.execute import report_title


def test_report_title_names_council_and_period_in_words() -> None:
    assert report_title("Forecast variance", {"council": "E08000007", "financial_year": "2017-18",
                                              "period": "Q3"}) == "Stockport - forecast variance, quarter 3 2017-18"
    assert report_title("Spend per head: how does our spend compare?",
                        {"council": "E08000007", "year": "2023-24"}) == "Stockport - spend per head, 2023-24"
    # an acronym keeps its capitals; a notebook without a council keeps its own title
    assert report_title("ASCOF outcomes: compared?", {"council": "E08000007", "year": "2022-23"}) == \
        "Stockport - ASCOF outcomes, 2022-23"
    assert report_title("Data overview: what is held", {}) == "Data overview: what is held"
