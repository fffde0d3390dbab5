"""Report side of issue 13 item 3 (ASCOF measures across the 2023-24 renumbering): trends key on the stable
measure id and tables show the code of the year with the earlier code beside it. Real national files."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis.benchmarking import groups, identity, outcomes

STOCKPORT = "E08000007"


def test_codes_of_either_framework_map_to_one_stable_id() -> None:
    assert identity.ids_of(["2A(2)", "2C", "1G", "2E"]) == ["ltc_admissions_65plus", "ld_live_own_home_or_family"]
    assert identity.ids_of(["2C"]) == ["ltc_admissions_65plus"]  # 2C from 2023-24 is admissions 65+, not DToC


def test_the_code_shown_names_the_earlier_code_from_2023_24_only() -> None:
    ids = pd.Series(["ltc_admissions_65plus", "ltc_admissions_65plus", "ld_live_own_home_or_family"])
    fw = pd.Series(["to 2022-23", "from 2023-24", "from 2023-24"])
    codes = pd.Series(["2A(2)", "2C", "2E"])
    assert identity.code_shown(codes, identity.earlier_code(ids, fw)).tolist() == ["2A(2)", "2C (was 2A(2))",
                                                                                  "2E (was 1G)"]
    assert identity.short_name("ltc_admissions_65plus").startswith("Permanent admissions to care homes, aged 65+")


@pytest.mark.national
def test_trend_keys_on_the_measure_id() -> None:
    b = groups.setup(STOCKPORT, "2022-23")
    t = outcomes.trend(b, ["2C"])  # the 2023-24 code asks for the same series as 2A(2)
    assert set(t["measure_id"]) == {"ltc_admissions_65plus"} and set(t["measure_code"]) == {"2A(2)"}
    assert t["year"].min() == "2017-18" and (t["code_shown"] == "2A(2)").all()


@pytest.mark.national
def test_a_break_the_trend_crosses_is_drawn_and_said() -> None:
    from helpers.reports import ascof_benchmarking as R

    b = groups.setup(STOCKPORT, "2022-23")
    brk = identity.breaks_within(["mh_live_independently"], ["2019-20", "2022-23"])
    assert brk[["year", "kind"]].values.tolist() == [["2021-22", "method"]]
    assert identity.breaks_within(["mh_live_independently"], ["2021-22", "2022-23"]).empty  # not crossed
    fig = R.trend_figure(b, ["1H"])
    assert any(ln.get_linestyle() == "--" and len(set(ln.get_xdata())) == 1 for ax in fig.axes for ln in ax.lines)
    view = R.trend_view(b, ["1H"])
    svg, words = view.items
    # the code shown, not the stable id (issue 13: reports show the code of the year; was "mh_live_independently")
    assert "1H from 2021-22 (method)" in svg.data and "Series breaks on the chart: 1H from 2021\\-22" in words.data


@pytest.mark.national
def test_a_panel_names_only_the_breaks_its_own_values_cross() -> None:
    """Two panels on one chart: 1H's values cross its 2021-22 break; a panel whose values end in 2020-21 does not,
    though the chart's years (taken together) do (helper-16's finding: the break was named for every panel)."""
    t = pd.DataFrame({
        "measure_id": ["mh_live_independently"] * 3 + ["ltc_admissions_65plus"] * 3,
        "year": ["2019-20", "2021-22", "2022-23"] * 2,
        "council": [50.0, 26.0, 27.0, 600.0, float("nan"), float("nan")],
        "group_median": [float("nan")] * 6, "england": [58.0, 26.0, 26.0, 580.0, float("nan"), float("nan")],
    })
    t.loc[4, "year"], t.loc[5, "year"] = "2024-25", "2025-26"  # years with no value for admissions
    got = identity.breaks_in_panels(t)
    assert got[["measure_id", "year"]].values.tolist() == [["mh_live_independently", "2021-22"]]
    # taken together the years reach 2025-26, which crosses admissions 65+'s 2024-25 collection break
    assert len(identity.breaks_within(["ltc_admissions_65plus"], sorted(t["year"]))) == 1
