"""Hostile text in the benchmarking reports stays inert (issue 11 items 1-2): council names, measure names and
the comparator / measures parameters never become live HTML or Markdown (synthetic strings, no national data)."""

from __future__ import annotations

from html.parser import HTMLParser

import mistune
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.display import SVG

from helpers.analysis.benchmarking import groups as bg
from helpers.analysis.benchmarking import identity
from helpers.core.errors import ParameterError
from helpers.reports import benchmarking as rb
from tests.examples import examples

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "`code` **bold** [link](javascript:x)",
           "x` <script>alert(1)</script> `y", "=SUM(A1)", "_under_ *star* # head"]
#: Elements the benchmarking templates themselves write (Markdown emphasis, code spans, paragraphs, the boxes).
ALLOWED = {"p", "strong", "em", "code", "div", "ul", "li", "dl", "dt", "dd", "svg", "title", "br", "table", "thead",
           "tbody", "tr", "th", "td", "caption", "style", "a"}
#: What matplotlib's SVG writer itself emits (its metadata block, drawing elements); no script or foreignObject.
ALLOWED |= {"metadata", "rdf:rdf", "cc:work", "dc:type", "dc:date", "dc:format", "dc:title", "dc:creator",
            "cc:agent", "defs", "g", "path", "use", "clippath", "rect", "text", "tspan", "desc", "line",
            "polyline", "polygon", "circle", "ellipse"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _html(obj: object) -> str:
    """The HTML a report output becomes: Markdown rendered as nbconvert would, HTML and SVG as they are."""
    if hasattr(obj, "items"):
        return "".join(_html(i) for i in obj.items)
    if type(obj).__name__ == "Markdown":
        return mistune.html(obj.data)
    if hasattr(obj, "_repr_html_"):
        return obj._repr_html_()
    return getattr(obj, "data", "") or ""


def _inert(html: str) -> None:
    p = _Tags()
    p.feed(html)
    for tag, attrs in p.tags:
        assert tag in ALLOWED, f"live <{tag}> in {html[:200]!r}"
        assert not any(k.startswith("on") for k in attrs), f"event handler in <{tag}>"
        assert not (attrs.get("href") or "").startswith("javascript"), "javascript link"


def _benchmark(name: str) -> bg.Benchmark:
    return bg.Benchmark("E08000007", name, "2023-24", "E08000007", "E08000007", "list", "list",
                        ("E08000001", "E08000002", "E08000003", "E08000004", "E08000005"),
                        f"a chosen list of 5 councils ({name})", "E12000002", "North West", "metropolitan district",
                        notes=(f"A note naming {name}.",))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_report_pieces_keep_hostile_text_inert(hostile: str) -> None:
    """The summary box, the no-data banner, the group paragraph, notes, the glossary, alt text and the councillor's
    table, each with a hostile council or measure name."""
    r = rb.BenchmarkReport(_benchmark(hostile), rb.plain_summary(pd.DataFrame({
        "measure": [f"ASCOF 1G: {hostile}"], "unit": ["percent"], "value": [93.1], "comparator": [81.5],
        "england": [80.5], "verdict": [hostile], "basis": ["x"]})), plain_empty=hostile)
    r.summary_lines = lambda: [f"{hostile} spent more.", hostile]  # type: ignore[method-assign]
    for out in (r.summary(), r.group(), rb.noted(f"About {hostile}", f"Problem {hostile}"), r.glossary(),
                rb.plain_display(r.plain, empty=hostile), rb.members_display(r.b)):
        _inert(_html(out))
    gone = rb.BenchmarkReport(_benchmark(hostile), r.plain, plain_empty="-", no_data=f"No figures for {hostile}")
    html = _html(gone.summary())
    _inert(html)
    assert "No figures for" in html and len(gone.group()) == 0  # no data: no empty frames
    svg = rb.alt_svg(SVG(data='<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'), f"Chart of {hostile}")
    _inert(svg.data.replace("<rect/>", ""))
    assert 'role="img"' in svg.data and "<title>" in svg.data


@settings(max_examples=examples(40), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>&\"'`*_[]()=+-@ abc/")), min_size=1, max_size=40))
def test_hostile_strings_property(s: str) -> None:
    """Property: any string of markup characters in a council name or a note adds no element or attribute."""
    r = rb.BenchmarkReport(_benchmark(s), rb.plain_summary(pd.DataFrame()), plain_empty=s)
    r.summary_lines = lambda: [s]  # type: ignore[method-assign]
    for out in (r.summary(), r.group(), rb.noted(s, s)):
        _inert(_html(out))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_parameters_are_refused_before_any_output(hostile: str) -> None:
    """The comparator and measures parameters take only known groups, councils and ASCOF codes: a hostile value
    is refused with a ParameterError (the runner prints it escaped), never reaching a report."""
    with pytest.raises(ParameterError):
        bg.parse_comparator(hostile)
    with pytest.raises(ParameterError):
        identity.check_measures(hostile)
