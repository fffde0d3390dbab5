"""Numbers and words: the one place for number formats and for escaping text per output kind.

Number formats
    :func:`number` (thousands separators, no ``-0``), :func:`signed_pct` (a tiny share never shows as
    ``+0.0%``) and :data:`FORMATS`, the named formats of every reader-facing table.

Escaping (the security rule: text from data or parameters never becomes markup or a formula)
    Every string that reaches a reader passes exactly one of these, chosen by where it goes:

    * :func:`escape_html` -- into HTML (table cells, captions, the run index);
    * :func:`escape_markdown` -- into Markdown that Jupyter and nbconvert render (which pass raw HTML
      through): Markdown punctuation is backslash-escaped and ``<``, ``>``, ``&`` become entities, newlines
      become spaces, so a value can neither open a tag nor start a heading, list, link or emphasis;
      :func:`md` fills a Markdown template with escaped values;
    * :func:`csv_text` -- into a CSV a spreadsheet will open: a text cell that starts with ``=``, ``+``,
      ``-``, ``@`` (or a tab / carriage return) is prefixed with ``'`` so that it stays text (OWASP's rule for
      CSV injection), except a plain signed number such as ``+0.6%``. Excel workbooks write text cells as strings, never formulas
      (:func:`is_formula_like` says which cells a writer must force to text).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from typing import Any

# ------------------------------------------------------------------------------------------------
# escaping
# ------------------------------------------------------------------------------------------------

#: Markdown punctuation that can start or end markup (CommonMark allows a backslash before any of them).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:$])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A signed plain number (``-12``, ``+0.6%``, ``-1,234.5``): starts with + or - but is no formula.
_SIGNED_NUMBER = re.compile(r"^[+-]\s?£?\d[\d,]*(\.\d+)?%?k?$")


def escape_html(value: object) -> str:
    """``value`` as text safe inside HTML element content or a quoted attribute (``<>&"'`` escaped)."""
    return html.escape("" if value is None else str(value), quote=True)


def escape_markdown(value: object) -> str:
    """``value`` as inert Markdown text: shown literally, never parsed as markup or HTML.

    Examples
    --------
    >>> escape_markdown("<b>x</b> *y*")
    '&lt;b&gt;x&lt;/b&gt; \\\\*y\\\\*'
    """
    text = " ".join(("" if value is None else str(value)).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md(template: str, /, **values: object) -> str:
    """Fill a Markdown ``template`` (``str.format`` fields) with escaped ``values``.

    The template is the project's own text and may use Markdown; every value is passed through
    :func:`escape_markdown` first, so a council's line name or a parameter cannot inject markup.

    Examples
    --------
    >>> md("**{name}** is over budget", name="<script>")
    '**&lt;script&gt;** is over budget'
    """
    return template.format(**{k: escape_markdown(v) for k, v in values.items()})


def is_formula_like(value: object) -> bool:
    """Whether a text cell could be read as a formula by a spreadsheet.

    True for text starting with ``=``, ``@``, a tab or a carriage return, and for text starting with ``+`` or
    ``-`` unless it is a plain signed number (``-12``, ``+0.6%``, ``-£1,234``), which a spreadsheet reads as a
    number, never as a formula.
    """
    return isinstance(value, str) and value.startswith(_FORMULA_START) and not _SIGNED_NUMBER.match(value)


def csv_text(value: object) -> object:
    """A CSV cell that a spreadsheet will not run: formula-like text gets a leading ``'``; others unchanged."""
    return "'" + value if is_formula_like(value) else value


# ------------------------------------------------------------------------------------------------
# numbers
# ------------------------------------------------------------------------------------------------


def number(x: float, decimals: int = 0, signed: bool = False) -> str:
    """``x`` rounded to ``decimals`` with thousands separators; no ``-0``; ``+`` on positives if ``signed``.

    Examples
    --------
    >>> number(-0.0001, 1), number(1234.5, 0, signed=True)
    ('0.0', '+1,234')
    """
    r = round(float(x), decimals)
    if r == 0:
        r = 0.0  # no "-0"
    text = f"{abs(r):,.{decimals}f}"
    if r < 0:
        return "-" + text
    return ("+" + text) if signed and r > 0 else text


def signed_pct(x: float) -> str:
    """Signed per cent to 1 decimal, or 2 decimals when 1 would show a non-zero value as 0.0%."""
    x = float(x)
    return number(x, 2 if 0 < abs(x) < 0.05 else 1, True) + "%"


def general(x: float) -> str:
    """Up to 2 decimals, trailing zeros dropped (``2.7``, ``93.41``, ``2,235``)."""
    if abs(float(x)) >= 1000:
        return number(x, 0)
    return number(x, 2).rstrip("0").rstrip(".") if "." in number(x, 2) else number(x, 2)


def is_missing(v: Any) -> bool:
    """Whether ``v`` is a missing value (``None``, NaN, ``pd.NA``, ``NaT``)."""
    if v is None:
        return True
    try:
        return bool(v != v) or (isinstance(v, float) and math.isnan(v))
    except (TypeError, ValueError):
        return False


#: Display formats of reader-facing tables, by name: a function of one non-missing value returning text.
FORMATS: dict[str, Callable[[Any], str]] = {
    "gbp_k": lambda x: number(x, 0),                  # £ thousands, whole: 1,234
    "gbp_k_signed": lambda x: number(x, 0, True),     # variances, movements: +1,234 overspend / -20 underspend
    "gbp": lambda x: number(x, 2),                    # pounds with pence (unit costs): 1,364.00
    "pct": lambda x: number(x, 1) + "%",              # 42.3%
    "pct_signed": signed_pct,                         # +8.5%; +0.02% (not +0.0%) for a tiny non-zero share
    "int": lambda x: number(x, 0),                    # counts: 1,285
    "num": general,                                   # mixed units (KPI values): 2.7, 93.41, 2,235
    "text": str,
}
#: Names in :data:`FORMATS` that format numbers (right-aligned in tables).
NUMERIC_FORMATS = ("gbp_k", "gbp_k_signed", "gbp", "pct", "pct_signed", "int", "num")
#: What a missing value looks like in a reader's table (never 0: a blank or suppressed figure stays blank).
NA_TEXT = "–"
