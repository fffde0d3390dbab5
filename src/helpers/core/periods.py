"""Financial years, reporting periods and months: every parse and label in one place.

Conventions (stated once, used everywhere):

* A **financial year** runs 1 April to 31 March and is written ``"YYYY-YY"`` (``"2022-23"``); its *start
  year* is ``2022``. Files that name a financial year by the year it ends (the activity compilation's
  ``2023`` for 2022-23) are converted with :func:`fy_from_end_year`.
* Population denominators use the ONS mid-year estimate of the year the financial year starts in
  (mid-2022 for 2022-23): :func:`fy` of the mid-year.
* A council's **reporting period** is a code: ``BUD`` (budget setting), ``M01``..``M12`` (April = M01),
  ``Q1``..``Q4`` (Q1 = the three months to June, the same figures as M03), ``YE`` (year end). ``Q1+`` marks an
  updated report for the same quarter. :data:`PERIOD_MONTHS` gives the months of the year each covers.
"""

from __future__ import annotations

import re

from helpers.core.errors import ParameterError

#: A financial year ``YYYY-YY`` (the two parts must follow: checked by :func:`is_fy`).
FY_RE = re.compile(r"^(19|20)(\d{2})-(\d{2})$")
#: A reporting period code.
PERIOD_RE = re.compile(r"^(Q[1-4]|M(0[1-9]|1[0-2])|YE|BUD)$")
#: Months of the financial year a period's year-to-date figures cover.
PERIOD_MONTHS: dict[str, int] = {
    "BUD": 0, **{f"M{m:02d}": m for m in range(1, 13)}, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, "YE": 12,
}
#: Month names in financial-year order (M01 = April).
MONTH_NAMES = ("April", "May", "June", "July", "August", "September", "October", "November", "December",
               "January", "February", "March")


# ------------------------------------------------------------------------------------------------
# financial years
# ------------------------------------------------------------------------------------------------


def fy(start_year: int) -> str:
    """The financial year starting in ``start_year``.

    Examples
    --------
    >>> fy(2022)
    '2022-23'
    >>> fy(1999)
    '1999-00'
    """
    y = int(start_year)
    return f"{y}-{(y + 1) % 100:02d}"


def fy_from_end_year(end_year: int) -> str:
    """The financial year ending in ``end_year`` (``2001`` -> ``'2000-01'``)."""
    return fy(int(end_year) - 1)


def is_fy(text: object) -> bool:
    """Whether ``text`` is a financial year ``YYYY-YY`` whose two parts follow (``2023-25`` is not)."""
    if not isinstance(text, str):
        return False
    m = FY_RE.match(text.strip())
    return bool(m) and (int(m.group(2)) + 1) % 100 == int(m.group(3))


def fy_start(label: str) -> int:
    """Start year of a financial year label (``'2022-23'`` -> ``2022``); raises ``ValueError`` if not one."""
    if not is_fy(label):
        raise ValueError(f"{label!r} is not a financial year like '2022-23'")
    return int(label.strip()[:4])


def next_fy(label: str, n: int = 1) -> str:
    """The financial year ``n`` years after ``label`` (``n`` may be negative)."""
    return fy(fy_start(label) + n)


def fy_range(first: str, last: str) -> list[str]:
    """Every financial year from ``first`` to ``last`` inclusive."""
    return [fy(y) for y in range(fy_start(first), fy_start(last) + 1)]


def check_fy(value: object, name: str = "year") -> str:
    """Return a financial year ``YYYY-YY`` or raise :class:`ParameterError` naming the parameter.

    Examples
    --------
    >>> check_fy("2022-23")
    '2022-23'
    """
    if not isinstance(value, str):
        raise ParameterError(f"parameter {name!r}: expected a financial year like '2022-23', got {value!r}")
    if not is_fy(value):
        raise ParameterError(
            f"parameter {name!r}: {value!r} is not a financial year; write it as 'YYYY-YY', e.g. '2022-23'"
        )
    return value.strip()


# ------------------------------------------------------------------------------------------------
# reporting periods
# ------------------------------------------------------------------------------------------------


def check_period(value: object, name: str = "period") -> str:
    """Return a reporting period code (``Q1``-``Q4``, ``M01``-``M12``, ``YE``, ``BUD``) or raise."""
    if not isinstance(value, str) or not PERIOD_RE.match(value.strip()):
        raise ParameterError(
            f"parameter {name!r}: {value!r} is not a period; use Q1..Q4, M01..M12 (April = M01), YE or BUD"
        )
    return value.strip()


def period_order(period: str) -> float:
    """Sort key of a period code: BUD < M01 < ... < Q1 (= M03) < ... < M12 = Q4 < YE; ``Q1+`` just after Q1."""
    p = str(period)
    plus = p.endswith("+")
    p = p.rstrip("+")
    if p not in PERIOD_MONTHS:
        raise ParameterError(f"unknown period {period!r}; use Q1..Q4, M01..M12, YE or BUD")
    return PERIOD_MONTHS[p] + (0.5 if p == "YE" else 0.0) + (0.25 if plus else 0.0)


def months_elapsed(period: str) -> int:
    """Months of the financial year a period's year-to-date figures cover (M04 -> 4, Q1 -> 3, YE -> 12)."""
    period_order(period)
    return PERIOD_MONTHS[str(period).rstrip("+")]


def period_label(period: str, year: str | None = None) -> str:
    """Plain-English name of a period: ``"month 4 (July) 2018-19"``, ``"quarter 3 2017-18"``, ``"year end"``."""
    p = str(period)
    base = p.rstrip("+")
    if base.startswith("M"):
        m = int(base[1:])
        text = f"month {m} ({MONTH_NAMES[m - 1]})"
    elif base.startswith("Q"):
        text = f"quarter {base[1]}" + (f" (updated report, '{p}')" if p.endswith("+") else "")
    elif base == "YE":
        text = "year end"
    elif base == "BUD":
        text = "budget setting"
    else:
        text = p
    return f"{text} {year}" if year else text
