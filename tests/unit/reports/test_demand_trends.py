"""Tests of helpers.reports.demand_trends without national data: a council with no figures of the series gets
every section of the report, each saying why there is nothing to show (SYNTHETIC: the series look-up is faked)."""

from __future__ import annotations

import pytest
from IPython.display import Markdown

from helpers.analysis.demand import series
from helpers.core.errors import DataError
from helpers.reports import demand_trends as report
from helpers.reports import present


@pytest.fixture
def no_figures(monkeypatch, tmp_path):
    monkeypatch.setenv("ASC_OUTPUT_PREFIX", str(tmp_path / "report"))

    def fail(council, key):
        raise DataError("Stockport (E08000007) has no synthetic figures")

    monkeypatch.setattr(series, "series_for", fail)
    return report.prepare(council="Stockport", series="ld_clients", horizon=2)


def test_a_council_without_figures_gets_every_section_saying_why(no_figures):
    r = no_figures
    assert r.headline().splitlines() == ["Council: Stockport (E08000007)",
                                         "Series: ld_clients (Learning disability service users (council report))",
                                         "No forecast: Stockport (E08000007) has no synthetic figures"]
    assert r.problem() == "Stockport (E08000007) has no synthetic figures"
    for section in (r.breaks, r.history, r.backtest, r.choice, r.forecast_chart, r.forecast, r.budget):
        out = section()
        assert isinstance(out, Markdown) and out.data == "*Nothing to show: Stockport (E08000007) has no synthetic figures*"
    assert r.population_chart().data.startswith("*No demographic driver: no population for this council")
    assert len(r.population()) == 1 and r.backtest_note() == ""
    assert r.findings()["topic"].tolist() == ["council", "series", "no forecast"]
    assert r.summary().data.splitlines()[-1] == "- **no forecast**: Stockport (E08000007) has no synthetic figures"
    about = r.about()
    assert isinstance(about, present.Parts) and len(about) == 2
    assert "**Stockport (E08000007) has no synthetic figures**" in about.items[0].data
    assert isinstance(r.catalogue(), present.Presented)


def test_values_in_the_series_unit():
    assert report.in_unit(1234.4, "£ thousands (cash)") == "£1,234k"
    assert report.in_unit(700.2, "£ per week (cash)") == "£700 a week"
    assert report.in_unit(12.6, "service users") == "13"
    assert report.in_unit(float("nan"), "service users") == "n/a"
