"""Colour contrast by the WCAG 2.1 rules: relative luminance, contrast ratio, a readable text colour.

WCAG 2.1 level AA asks 4.5:1 between text and its background (3:1 for large text: 18 pt, or 14 pt bold) and
3:1 for the parts of a chart a reader needs (1.4.11, non-text contrast). ``tests/unit/reports/test_contrast.py``
holds the reports' colours to them: the RAG tints under their words, the banners, the summary box, the run
index, and the chart palette (see ``docs/decisions.md``, "Accessibility").
"""

from __future__ import annotations

import re

#: WCAG 2.1 AA minimum ratios.
AA_TEXT = 4.5
AA_LARGE_TEXT = 3.0
AA_GRAPHICS = 3.0
_HEX = re.compile(r"^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of a ``#RRGGBB`` (or ``#RGB``) colour, 0 (black) to 1 (white)."""
    if not _HEX.match(colour.strip()):
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    h = colour.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    r, g, b = (_channel(int(h[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour_on(background: str, dark: str = "#1a1a1a", light: str = "#ffffff") -> str:
    """The text colour (``dark`` or ``light``) with the higher contrast on ``background``."""
    return dark if ratio(dark, background) >= ratio(light, background) else light
