"""Tests of helpers.reports.demand_trends without national data (SYNTHETIC: the look-ups are faked): a council with
no figures gets the status "no data" and one sentence per section, never an empty chart or table; text from the
data is escaped."""

from __future__ import annotations

import json

import pytest
from IPython.display import HTML, Markdown

from helpers.analysis.demand import series
from helpers.core.errors import DataError
from helpers.reports import demand_trends as report
from helpers.reports import present

HOSTILE = "<img src=x onerror=alert(1)> *x* [a](b)"


@pytest.fixture
def no_figures(monkeypatch, tmp_path):
    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(tmp_path / "report"))

    def fail(council, key):
        raise DataError(f"Stockport (E08000007) has no synthetic figures {HOSTILE}")

    monkeypatch.setattr(series, "series_for", fail)
    return report.prepare(council="Stockport", series="ld_clients", horizon=2), tmp_path


def test_a_council_without_figures_has_status_no_data_and_no_empty_frames(no_figures):
    r, tmp = no_figures
    assert r.headline().splitlines()[:2] == ["Council: Stockport (E08000007)",
                                             "Series: ld_clients (Learning disability service users (council report))"]
    box = r.summary()
    assert isinstance(box, HTML) and "No forecast: Stockport (E08000007) has no synthetic figures" in box.data
    assert "<img" not in box.data and "&lt;img" in box.data
    status = json.loads((tmp / "report.status").read_text().splitlines()[0])
    assert status["status"] == "no data" and "no synthetic figures" in status["reason"]
    for section in (r.forecast_chart, r.forecast, r.accuracy, r.budget):
        out = section()
        assert isinstance(out, Markdown) and out.data == "*Nothing to show for Stockport: see the summary at the top.*"
    assert len(r.series()) == 2 and r.population().data.startswith("*No driving population: Stockport")
    assert "<img" not in r.population().data
    assert isinstance(r.catalogue(), present.Presented)
    assert "workbook" in r.export().data and (tmp / "report_workbook.xlsx").is_file()


def test_parameter_names_only_in_the_footer(no_figures):
    r, _ = no_figures
    footer = r.method().data
    assert "unit\\_cost\\_gbp\\_per\\_week = none \\(from the data\\)" in footer and "`" not in footer
    assert "unit_cost_gbp_per_week" not in r.summary().data


def test_values_in_the_series_unit():
    assert report.in_unit(1234.4, "£ thousands (cash)") == "£1,234k"
    assert report.in_unit(700.2, "£ per week (cash)") == "£700 a week"
    assert report.in_unit(12.64, "service users") == "12.6" and report.in_unit(1234.4, "service users") == "1,234"
    assert report.in_unit(float("nan"), "service users") == "n/a"
    assert report.reader_unit("placements (weeks of care / 52)") == "people in care (average over the year)"
