"""End to end, report side of issue 13: a synthetic 2023-24 ASCOF annual file in the 2023-24 layout with the new
codes (the ``later_files`` fixture builders of ``tests/conftest.py``; synthetic, never figures) is added with
`asc data add`, built, and report 02 for Stockport shows the new year under the right names with the earlier
code beside it and one trend across the renumbering under the stable id."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.analysis.benchmarking import groups, outcomes
from helpers.data import families, tables
from tests.data.test_later_releases import sandbox  # noqa: F401  (the fixture)

STOCKPORT = "E08000007"


@pytest.mark.national
@pytest.mark.slow
def test_report_02_shows_the_new_year_with_both_codes(sandbox, tmp_path: Path, later_files) -> None:  # noqa: F811
    families.add(later_files.ascof_annual(tmp_path / "dl" / "ascof-2023-24-open-data.csv"))
    res = tables.build(["councils", "population", "comparators", "deprivation", "ascof_measures", "ascof_series_breaks", "ascof"])
    assert all(r.status in ("built", "unchanged") for r in res), [(r.name, r.message) for r in res]
    b = groups.setup(STOCKPORT, "2023-24")
    comp = outcomes.comparison(b)
    row = comp.set_index("measure_code").loc["2C"]
    assert row["code_shown"] == "2C (was 2A(2))" and row["measure"].startswith("Permanent admissions to care homes, aged 65+")
    # chosen by either code (the measures parameter): the same row, by stable id
    assert list(outcomes.comparison(b, ["2C"])["measure_code"]) == list(outcomes.comparison(b, ["2A(2)"])["measure_code"]) \
        == ["2C"]
    t = outcomes.trend(b, ["2C"])
    assert set(t["measure_id"]) == {"ltc_admissions_65plus"}
    assert t.groupby("framework")["measure_code"].first().to_dict() == {"to 2022-23": "2A(2)", "from 2023-24": "2C"}
    assert t["year"].iloc[-1] == "2023-24" and t["year"].iloc[0] == "2017-18"


def _built_2023_24(later_files, tmp_path: Path) -> None:
    families.add(later_files.ascof_annual(tmp_path / "dl" / "ascof-2023-24-open-data.csv"))
    res = tables.build(["councils", "population", "comparators", "deprivation", "ascof_measures", "ascof_series_breaks",
                        "ascof"])
    assert all(r.status in ("built", "unchanged") for r in res), [(r.name, r.message) for r in res]


@pytest.mark.national
@pytest.mark.slow
def test_report_02_every_place_shows_the_code_of_the_year_and_the_earlier_one(
        sandbox, tmp_path: Path, later_files, monkeypatch) -> None:  # noqa: F811
    """Issue 13 items 2 and 3: the spine chart's labels, the funnel plots' titles and axis labels, the
    councillor's table and the not-published list show ``2C (was 2A(2))``, never a bare code that names another
    measure in the other framework; the trend table says where a series ends (synthetic 2023-24 file)."""
    from helpers.reports import ascof_benchmarking as ar
    from helpers.reports import ascof_benchmarking_parts as parts

    _built_2023_24(later_files, tmp_path)
    b = groups.setup(STOCKPORT, "2023-24")
    comp = outcomes.comparison(b)
    sp = ar.spine(b, comp).set_index("measure_code")
    assert sp.loc["2C", "label"] == "2C (was 2A(2)) Permanent admissions to care homes, aged 65+, per 100,000"
    assert sp.loc["3D(2A)", "label"].startswith("3D(2A) (was 1C(2A)) People who use services receiving direct")
    plain = ar.plain(b, comp).set_index("Measure")
    assert "ASCOF 2B (was 2A(1)): Permanent admissions to care homes, aged 18-64, per 100,000" in plain.index
    drawn: list[dict] = []
    real = parts.benchmarking_charts.funnel_chart
    monkeypatch.setattr(parts.benchmarking_charts, "funnel_chart", lambda *a, **k: drawn.append(k) or real(*a, **k))
    view = list(parts.funnels_view(b, ["2C", "2E"]))
    titles = {k["title"] for k in drawn}
    assert f"ASCOF 2C (was 2A(2)) 2023-24: funnel plot, {b.name} highlighted" in titles
    assert {k["ylabel"] for k in drawn} >= {"2C (was 2A(2)), per 100,000", "2E (was 1G), %"}
    table = view[0].frame.set_index("ASCOF")
    assert table.loc["2E (was 1G)", "Measure"] == "Adults with a learning disability living in their own home or with family"
    gone = outcomes.not_published(b).set_index("Measure")
    assert "2A(2)" not in gone.index and "2C (was 2A(2))" not in gone.index  # published, as 2C
    assert gone.loc["2D(1) (was 2B(1))", "Name"] == "Older people still at home 91 days after reablement"
    assert gone.loc["2C(1)", "Note"] == "series ends after 2019-20 (retired at the 2023-24 renumbering)"
    assert gone.loc["1B", "Note"].startswith("no code from 2023-24 in the crosswalk")
    trend = outcomes.trend_summary(b, ["2A(2)", "2C(1)"]).set_index("Measure")
    assert trend.loc["2C (was 2A(2))", "Series"] == "" and trend.loc["2C (was 2A(2))", "2023-24"] > 0
    assert trend.loc["2C(1)", "Series"] == "series ends after 2019-20 (retired at the 2023-24 renumbering)"
    fig = ar.trend_figure(b, ["2B(1)", "2A(2)"])  # panels titled with the code of the report's year
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert any(t.startswith("2D(1) (was 2B(1))") for t in titles) and any(t.startswith("2C (was 2A(2))") for t in titles)
