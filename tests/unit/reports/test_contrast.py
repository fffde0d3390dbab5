"""WCAG 2.1 AA contrast of the reports' colours (helpers.reports.contrast): tints, banners, index, palette."""

from __future__ import annotations

import re

import pytest

from helpers.pipeline import index, report_html
from helpers.reports import contrast, exports, plots, present

TEXT = "#1a1a1a"  # the reports' text colour on tinted cells, banners and boxes


def test_ratio_known_values() -> None:
    assert contrast.ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast.ratio("#777", "#777777") == pytest.approx(1.0)
    assert contrast.ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey on white
    with pytest.raises(ValueError, match="not a #RRGGBB colour"):
        contrast.luminance("red")


@pytest.mark.parametrize("tint", sorted({*present.RAG_TINTS.values(), *exports.RAG_FILLS.values()}))
def test_rag_tints_keep_their_words_readable(tint: str) -> None:
    assert contrast.ratio(TEXT, tint) >= contrast.AA_TEXT
    assert contrast.ratio("#000000", tint) >= contrast.AA_TEXT  # Excel's default black


def _style_colours(html: str) -> tuple[str, str]:
    style = re.search(r'style="([^"]*)"', html).group(1)
    bg = re.search(r"background:\s*(#[0-9A-Fa-f]{6})", style).group(1)
    fg = re.search(r"(?<!-)color:\s*(#[0-9A-Fa-f]{6})", style).group(1)
    return fg, bg


@pytest.mark.parametrize("kind", ["stale data", "no data", "warning"])
def test_banners_pass_aa(kind: str) -> None:
    fg, bg = _style_colours(present.banner_html(kind, "x"))
    assert contrast.ratio(fg, bg) >= contrast.AA_TEXT


def test_summary_box_passes_aa() -> None:
    fg, bg = _style_colours(present.summary_box("t", ["a"]).data)
    assert contrast.ratio(fg, bg) >= contrast.AA_TEXT


def test_run_index_colours_pass_aa() -> None:
    css = index.STYLE
    body_fg = re.search(r"body \{[^}]*?color: (#\w{6})", css).group(1)
    link = re.search(r"a \{ color: (#\w{6})", css).group(1)
    rows = dict(re.findall(r"tr\.(st-[\w-]+) td \{ background: (#\w{6})", css))
    status = dict(re.findall(r"tr\.(st-[\w-]+) \.status \{ color: (#\w{6})", css))
    assert set(rows) == set(status) == {"st-failed", "st-stale-data", "st-no-data"}
    for cls, bg in [*rows.items(), ("white", "#ffffff")]:
        assert contrast.ratio(body_fg, bg) >= contrast.AA_TEXT, cls
        assert contrast.ratio(link, bg) >= contrast.AA_TEXT, cls
        if cls in status:
            assert contrast.ratio(status[cls], bg) >= contrast.AA_TEXT, cls


def test_report_stylesheet_link_and_text_colours_pass_aa() -> None:
    css = report_html.stylesheet()
    for colour in set(re.findall(r"(?<![-\w])color: (#\w{6})", css)):
        assert contrast.ratio(colour, "#ffffff") >= contrast.AA_TEXT, colour
        for tint in present.RAG_TINTS.values():
            assert contrast.ratio(colour, tint) >= contrast.AA_TEXT, (colour, tint)


def test_palette_text_on_each_colour_passes_aa() -> None:
    """Text drawn on a filled mark (a bar's label) takes the readable one of dark and white."""
    for colour in plots.PALETTE:
        assert contrast.ratio(contrast.text_colour_on(colour), colour) >= contrast.AA_TEXT, colour


def test_palette_against_white_for_chart_marks() -> None:
    """WCAG 1.4.11 asks 3:1 for marks a reader needs. The colours that name a series pass; Okabe-Ito's orange
    (Amber), sky blue and yellow, and the grey of "other councils", do not, so charts that use them label the
    marks in words (RAG charts name each bar's rating) or draw a dark edge (docs/decisions.md)."""
    series = {k: plots.COLOURS[k] for k in ("council", "comparator", "england", "region", "red", "green")}
    for role, colour in series.items():
        assert contrast.ratio(colour, "#ffffff") >= contrast.AA_GRAPHICS, role
    below = sorted(c for c in plots.PALETTE + [plots.COLOURS["other"]]
                   if contrast.ratio(c, "#ffffff") < contrast.AA_GRAPHICS)
    assert below == ["#56B4E9", "#BBBBBB", "#E69F00", "#F0E442"]
