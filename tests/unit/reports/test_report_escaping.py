"""Issue 11 item 1 as a property: whatever text a council's file holds in a line name, a table heading, a source
document, a commentary or a KPI name, the 03 and 04 reports' HTML has no element or attribute the template did not
put there.

Hypothesis draws strings from the characters that open markup (``<>&"'`*_[]()=+-@``) and letters; each string is put
into the real Stockport 2017-18 and 2023-24 figures, the report sections are rendered (Markdown through mistune, as
nbconvert renders it), and the tags and attributes are compared with those of the same report with plain text.
"""

from __future__ import annotations

from html.parser import HTMLParser

import mistune
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.analysis.variance.summary import summary_table
from helpers.reports import forecast_variance as fv
from helpers.reports import performance_scorecard as ps
from tests.examples import examples

HOSTILE = st.text(alphabet=st.sampled_from(list("<>&\"'`*_[]()=+-@/ !#:;") + list("abcimgscriptonerror")),
                  min_size=1, max_size=40)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, tuple[str, ...]]] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.seen.add((tag, tuple(sorted(a for a, _ in attrs))))


def _html(obj: object) -> str:
    if obj is None:
        return ""
    if hasattr(obj, "items") and not isinstance(obj, dict):
        return "".join(_html(i) for i in obj.items)
    if hasattr(obj, "html"):
        return obj.html
    data = getattr(obj, "data", "")
    if type(obj).__name__ == "Markdown":
        return mistune.html(data)
    return data if isinstance(data, str) else ""


def _tags(text: str) -> set:
    p = _Tags()
    p.feed(text)
    return p.seen


@pytest.fixture(scope="module")
def variance_report() -> fv.ForecastVariance:
    return fv.prepare("E08000007", "2017-18", "Q3", "adults", "own", 1.0, 50.0, 2.0, 100.0, [], 8)


@pytest.fixture(scope="module")
def scorecard_report() -> ps.PerformanceScorecard:
    return ps.prepare("E08000007", "2023-24", "Q2", "own", 5.0, 1.0)


def _variance_page(r: fv.ForecastVariance, text: str) -> str:
    vt = r.vt.assign(line=text + r.vt["line"], source_table=text, commentary=text, source_document=text)
    r2 = fv.ForecastVariance(**{**r.__dict__, "vt": vt, "drivers": summary_table(vt, r.dec), "source": text})
    return "".join(_html(o) for o in (r2.summary(), r2.intro(), r2.totals(), r2.lines(), r2.summary_table(),
                                      r2.in_words(), r2.printed_differences()))


def _scorecard_page(r: ps.PerformanceScorecard, text: str) -> str:
    card = r.card.assign(kpi_name=text + r.card["kpi_name"], commentary=text, rag_reason=text)
    r2 = ps.PerformanceScorecard(**{**r.__dict__, "card": card, "source": text})
    return "".join(_html(o) for o in (r2.summary(), r2.intro(), r2.scorecard(), r2.contradictions(),
                                      r2.differences(), r2.in_words(), r2.not_rated()))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_forecast_variance_never_gains_markup(variance_report: fv.ForecastVariance, text: str) -> None:
    plain = _tags(_variance_page(variance_report, "plain"))
    assert _tags(_variance_page(variance_report, text)) <= plain


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_performance_scorecard_never_gains_markup(scorecard_report: ps.PerformanceScorecard, text: str) -> None:
    plain = _tags(_scorecard_page(scorecard_report, "plain"))
    assert _tags(_scorecard_page(scorecard_report, text)) <= plain
