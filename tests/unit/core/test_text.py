"""Number formats and escaping (helpers.core.text): the escaping functions hold as properties."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from helpers.core import text

HOSTILE = st.text(alphabet=st.sampled_from(list("<>&\"'`*_[]()=+-@#!|~\\/: \nabcx1.;")) , max_size=40) | \
    st.sampled_from(["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "x` <script>y</script> `z",
                     "[a](javascript:alert(1))", "**bold** _it_", "# heading", "=SUM(A1)", "<b>&amp;</b>"])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.data.append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


@given(HOSTILE)
def test_markdown_escaped_value_renders_as_its_own_text_and_nothing_else(value):
    rendered = markdown2html_mistune(text.md("Line: {v}", v=value))
    parsed = _parse(rendered)
    assert set(parsed.tags) <= {"p"}, rendered
    assert not parsed.attrs
    assert "".join(parsed.data).strip() == ("Line: " + " ".join(value.split())).strip()


@given(HOSTILE)
def test_html_escaped_value_opens_no_element(value):
    parsed = _parse(f"<td>{text.escape_html(value)}</td>")
    assert parsed.tags == ["td"] and not parsed.attrs
    assert "".join(parsed.data) == value


def test_template_markup_is_kept_and_values_are_not():
    assert text.md("**{name}**", name="*x*") == r"**\*x\***"
    assert markdown2html_mistune(text.md("**{n}**", n="<i>")).strip() == "<p><strong>&lt;i&gt;</strong></p>"


@given(st.text(max_size=20))
def test_csv_text_never_starts_a_formula(value):
    out = text.csv_text(value)
    assert not text.is_formula_like(out)
    assert out == value or out == "'" + value


def test_formula_like():
    assert all(text.is_formula_like(v) for v in ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx"])
    assert not any(text.is_formula_like(v) for v in ["+0.6%", "-12", "-1,234.5", "+£308k", "x=1", 5])


def test_numbers():
    assert text.number(-0.0001, 1) == "0.0"
    assert text.number(1234.5, 0, signed=True) == "+1,234"
    assert text.signed_pct(0.02) == "+0.02%"
    assert text.signed_pct(-24.66) == "-24.7%"
    assert text.general(93.4) == "93.4" and text.general(2235.2) == "2,235"
