"""The run's contents pages (helpers.pipeline.index) and the words they use (helpers.pipeline.words).

The run records are synthetic (no notebook runs): JobResult objects as the runner makes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers.pipeline import words
from helpers.pipeline.index import write_index
from helpers.pipeline.outputs import JobResult, RunSummary


def _result(run: Path, notebook: str, council: str, status: str = "ok", **kw) -> JobResult:
    stem = Path(notebook).stem
    folder = run / stem
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / f"{council}.html"
    html.write_text("<html></html>")
    data = folder / f"{council}_summary.csv"
    data.write_text("a\n1\n")
    params = {"council": council, **kw.pop("params", {})}
    return JobResult(notebook=f"notebooks/{notebook}", parameters=params, status=status, seconds=1.5,
                     output_ipynb=str(folder / f"{council}.ipynb"), output_html=str(html), title=kw.pop("title", stem),
                     all_parameters=params, data_files=[str(data)], **kw)


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(("n", "noun", "expected"), [(0, "report", "0 reports"), (1, "report", "1 report"),
                                                     (2, "report", "2 reports"), (1500, "year", "1,500 years")])
def test_plural(n: int, noun: str, expected: str) -> None:
    assert words.plural(n, noun) == expected


def test_status_counts_in_words() -> None:
    assert words.status_counts(["ok"]) == "1 report, ok"
    assert words.status_counts(["ok", "ok"]) == "2 reports, all ok"
    assert words.status_counts(["failed", "ok", "no data", "ok", "stale data"]) == (
        "5 reports: 2 ok, 1 no data, 1 stale data, 1 failed")


def test_parameters_in_words_not_names() -> None:
    got = words.parameters_in_words({
        "council": "E08000007", "financial_year": "2017-18", "period": "Q3", "service_scope": "adults",
        "rag_amber_pct": 0.0, "rag_red_pct": 2.0, "rag_red_min_gbp_k": 100.0, "spend_profile": [], "top_lines": 8})
    assert got == ("2017-18; quarter 3; adult social care lines only; Amber above 0% of budget; Red above 2% of "
                   "budget and above £100k; spend spread evenly by day; the largest 8 lines")
    assert words.parameters_in_words({"comparator": "E08000009,E08000010"}) == "compared with Trafford, Wigan"
    assert words.parameters_in_words({"series": "op_care_home_placements", "horizon": 1}) == (
        "Older people (65+) in residential or nursing care; 1 year ahead")
    assert words.parameters_in_words({"mystery_knob": [1, 2]}) == "mystery knob 1, 2"


def test_every_notebooks_defaults_in_words_without_a_parameter_name() -> None:
    """The index and a pack's contents page read "and above £50k", not "rag amber min gbp k 50.0" (issue 16)."""
    from helpers.core.paths import NOTEBOOKS
    from helpers.pipeline.notebooks import list_notebooks, notebook_parameters

    for nb in list_notebooks(NOTEBOOKS):
        params = notebook_parameters(nb)
        got = words.parameters_in_words({k: v.default for k, v in params.items()})
        for name in params:
            if name not in ("council", "year", "period", "series", "horizon", "comparator", "expenditure", "measures"):
                assert name.replace("_", " ") not in got and name not in got, (nb.name, name, got)
        assert "_" not in got, (nb.name, got)
    assert words.parameters_in_words({"rag_amber_pct": 1.0, "rag_amber_min_gbp_k": 50.0, "rag_rule": "own"}) == (
        "Amber above 1% of budget and above £50k; the council's own RAG rule where it states one")


def test_index_in_notebook_order_with_council_names_parameters_and_files(tmp_path: Path) -> None:
    run = tmp_path / "run"
    results = [
        _result(run, "03_forecast_variance.ipynb", "E08000007", params={"period": "Q3"}, title="Stockport - FV"),
        _result(run, "01_spend_benchmarking.ipynb", "E08000007", title="Stockport - Spend"),
        _result(run, "00_data_overview.ipynb", "E08000007", status="no data", reasons=["no data: nothing built"],
                title="Stockport - Data"),
    ]
    write_index(RunSummary(run, results, 3.0))
    soup = _soup(run / "index.html")
    rows = soup.find("table", id="asc-reports").tbody.find_all("tr")
    assert [r.td.get_text() for r in rows] == ["Stockport - Data", "Stockport - Spend", "Stockport - FV"]
    cells = [td.get_text(" ", strip=True) for td in rows[2].find_all("td")]
    assert cells[1] == "Stockport" and cells[2] == "quarter 3" and cells[3] == "ok"
    links = [a["href"] for a in rows[2].find_all("a")]
    assert links == ["03_forecast_variance/E08000007.html", "03_forecast_variance/E08000007.html",
                     "03_forecast_variance/E08000007.ipynb", "03_forecast_variance/E08000007_summary.csv"]
    assert [a.get_text() for a in rows[2].find_all("a")][1:] == ["HTML", "notebook", "E08000007_summary.csv"]
    text = soup.get_text(" ", strip=True)
    assert "3 reports: 2 ok, 1 no data" in text and "1 reports" not in text
    assert "Needs attention: 1 report" in text and "no data: nothing built" in text
    assert soup.find(id="f-region") is None and not (run / "councils").exists()  # one council: no filters


def test_all_councils_batch_filters_and_a_page_per_council(tmp_path: Path) -> None:
    run = tmp_path / "run"
    results = [_result(run, "01_spend_benchmarking.ipynb", c, status=s)
               for c, s in [("E08000007", "ok"), ("E06000001", "failed"), ("E09000001", "stale data")]]
    results[1].error = "cell [4]: KeyError: 'x'"
    write_index(RunSummary(run, results, 3.0))
    soup = _soup(run / "index.html")
    rows = soup.find("table", id="asc-reports").tbody.find_all("tr")
    # sorted by council name within the notebook; each row says its council, region and status for the filters
    assert [(r["data-council"], r["data-region"], r["data-status"]) for r in rows] == [
        ("City of London", "London", "stale data"), ("Hartlepool", "North East", "failed"),
        ("Stockport", "North West", "ok")]
    assert [o["value"] for o in soup.find(id="f-region").find_all("option")] == ["", "London", "North East",
                                                                                   "North West"]
    assert [o["value"] for o in soup.find(id="f-status").find_all("option")] == ["", "ok", "stale data", "failed"]
    assert [th.get_text() for th in soup.find("table").thead.find_all("button")] == [
        "Report", "Council", "Region", "Status", "Seconds"]
    assert soup.find("script") is not None and not soup.find_all("script", src=True)
    pages = sorted(p.name for p in (run / "councils").iterdir())
    assert pages == ["E06000001.html", "E08000007.html", "E09000001.html"]
    hartlepool = _soup(run / "councils" / "E06000001.html")
    assert "Hartlepool: adult social care reports" in hartlepool.h1.get_text()
    assert "1 report, failed" in hartlepool.get_text() and "KeyError" in hartlepool.get_text()
    assert hartlepool.find("table").tbody.find("a")["href"] == "../01_spend_benchmarking/E06000001.html"
    links = [a["href"] for a in soup.find_all("a") if "councils/" in a["href"]]
    # each row's council links its page, and the list of councils at the end, by name
    assert links == ["councils/E09000001.html", "councils/E06000001.html", "councils/E08000007.html"] * 2


def test_pack_contents_page(tmp_path: Path) -> None:
    run = tmp_path / "run"
    results = [_result(run, "00_data_overview.ipynb", "E08000009")]
    pdf = run / "trafford_pack.pdf"
    pdf.write_bytes(b"%PDF")
    summary = RunSummary(run, results, 1.0, kind="pack", pack_pdf=str(pdf),
                         skipped=[("Forecast variance", "Trafford has no report figures in data/raw/councils/")])
    write_index(summary)
    soup = _soup(run / "index.html")
    assert soup.h1.get_text() == "Trafford: adult social care reports"
    assert soup.find("a", href="trafford_pack.pdf") is not None
    assert "Not in this pack" in soup.get_text() and "Trafford has no report figures" in soup.get_text()
