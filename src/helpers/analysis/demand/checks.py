"""Checks of the demand analysis's inputs: an annual series (periods, gaps, breaks) and the report's parameters.

A series is a :class:`pandas.Series` of positive floats indexed by integer year (``2023``) or financial year
(``"2023-24"``, :mod:`helpers.core.periods`). :func:`check_series` rejects missing values, zero or negative
counts and gaps in the years with a :class:`~helpers.core.errors.DataError` that names the year; nothing is
interpolated; a declared break is applied and said in the notes.

The parameter checks (:func:`check_horizon`, :func:`check_pct`, :func:`check_unit_cost`) are the rules the
parameter schema of the demand-trends notebook calls; :class:`helpers.analysis.demand.budget.Scenario` uses
them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core import periods
from helpers.core.errors import DataError, ParameterError

#: Break handling options of :func:`check_series`.
BREAK_MODES: tuple[str, ...] = ("segment", "exclude")
#: The longest forecast the notebook makes, in years.
MAX_HORIZON = 5

Period = int | str


# --------------------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------------------


def parse_period(label: object) -> tuple[int, str]:
    """Return ``(start_year, style)`` of a period label.

    Parameters
    ----------
    label
        An integer year (``2023``, also ``"2023"``) or a financial year ``"2023-24"``.

    Returns
    -------
    (int, str)
        The (start) year and the style, ``"int"`` or ``"fy"``.

    Raises
    ------
    DataError
        The label is neither, or a financial year whose two parts do not follow (``"2023-25"``).
    """
    if isinstance(label, (int, np.integer)) and not isinstance(label, (bool, np.bool_)):
        return int(label), "int"
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return int(label), "int"
    if isinstance(label, str):
        text = label.strip()
        if periods.is_fy(text):
            return periods.fy_start(text), "fy"
        if text.isdigit() and len(text) == 4:
            return int(text), "int"
    raise DataError(f"period {label!r} is neither a year (2023) nor a financial year ('2023-24')")


def period_label(year: int, style: str) -> Period:
    """Return the label of ``year`` in ``style`` (``"int"`` -> ``2023``, ``"fy"`` -> ``"2023-24"``)."""
    return int(year) if style == "int" else periods.fy(year)


def year_index(index: pd.Index, what: str) -> tuple[np.ndarray, str]:
    """The (start) years of an index of period labels and its one style; raises if it mixes styles."""
    parsed = [parse_period(v) for v in index]
    styles = {s for _, s in parsed}
    if len(styles) > 1:
        raise DataError(f"{what} mixes years and financial years in its index: use one style")
    return np.array([y for y, _ in parsed], dtype=int), (styles.pop() if styles else "int")


def as_year_series(s: pd.Series, what: str) -> pd.Series:
    """Return ``s`` as floats indexed by (start) year, sorted, checked for duplicates."""
    years, _ = year_index(s.index, what)
    out = pd.Series(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float), index=years).sort_index()
    if out.index.has_duplicates:
        dup = int(out.index[out.index.duplicated()][0])
        raise DataError(f"{what} has more than one value for {dup}")
    return out


# --------------------------------------------------------------------------------------------------------
# Series
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesCheck:
    """A checked series, ready to model.

    Attributes
    ----------
    name
        The series name used in messages.
    years
        Start year of each modelled period (after any break cut), ascending, no gaps.
    values
        The values, all finite and positive.
    style
        ``"int"`` (index of years) or ``"fy"`` (index of ``"YYYY-YY"``).
    notes
        Plain-English notes for the report (the break, the years dropped).
    break_year
        The declared break (first year on the new basis), if any.
    break_mode
        ``"segment"`` (only the years from the break on are modelled) or ``"exclude"`` (the break year is not
        scored in the backtest), or ``None``.
    unscored_years
        Target years the backtest does not score.
    """

    name: str
    years: np.ndarray
    values: np.ndarray
    style: str
    notes: tuple[str, ...] = ()
    break_year: int | None = None
    break_mode: str | None = None
    unscored_years: frozenset[int] = frozenset()

    @property
    def n(self) -> int:
        """Number of modelled points."""
        return len(self.values)

    def label(self, year: int) -> Period:
        """The label of ``year`` in this series' style."""
        return period_label(year, self.style)

    @property
    def series(self) -> pd.Series:
        """The modelled series with its original labels."""
        return pd.Series(self.values, index=[self.label(y) for y in self.years], name=self.name)


def check_series(
    series: pd.Series | SeriesCheck,
    *,
    name: str | None = None,
    break_year: Period | None = None,
    break_mode: str = "segment",
) -> SeriesCheck:
    """Check an annual series and apply a declared break.

    Parameters
    ----------
    series
        Values indexed by year (``2023``) or financial year (``"2023-24"``); sorted here if unsorted.
        A :class:`SeriesCheck` is returned unchanged.
    name
        Name for messages (default: ``series.name`` or ``"series"``).
    break_year
        First year on a new basis (e.g. ``"2020-21"`` for COVID, or a boundary change). Reported in the notes,
        never modelled through.
    break_mode
        ``"segment"``: model only the years from ``break_year`` on. ``"exclude"``: keep every year but do not
        score forecasts of ``break_year`` in the backtest (the models are still fitted on data that includes
        it, and the notes say so).

    Returns
    -------
    SeriesCheck

    Raises
    ------
    DataError
        No values; a missing (NaN) value; a zero or negative value; two values for one year; a gap in the
        years. The message names the year(s). Gaps are never interpolated.
    ParameterError
        Unknown ``break_mode``.
    """
    if isinstance(series, SeriesCheck):
        return series
    if not isinstance(series, pd.Series):
        raise ParameterError(f"a series must be a pandas Series indexed by year, not {type(series).__name__}")
    nm = name or (str(series.name) if series.name is not None else "series")
    if break_mode not in BREAK_MODES:
        raise ParameterError(f"break_mode must be one of {BREAK_MODES}, not {break_mode!r}")
    if len(series) == 0:
        raise DataError(f"series {nm!r} has no values")
    years, style = year_index(series.index, f"series {nm!r}")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    order = np.argsort(years, kind="stable")
    years, values = years[order], values[order]

    def lab(ys: np.ndarray) -> str:
        return ", ".join(str(period_label(y, style)) for y in ys)

    dup = years[1:][np.diff(years) == 0]
    if dup.size:
        raise DataError(f"series {nm!r} has more than one value for {lab(np.unique(dup))}")
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(
            f"series {nm!r} has no value for {lab(years[bad])} (missing or suppressed, not zero): supply it "
            "or model only the years after it"
        )
    nonpos = values <= 0
    if nonpos.any():
        raise DataError(
            f"series {nm!r} has zero or negative values in {lab(years[nonpos])}: demand counts and costs must "
            "be positive; check the source (a zero often means 'not reported')"
        )
    step = np.diff(years)
    if (step > 1).any():
        missing = np.concatenate([np.arange(a + 1, b) for a, b in zip(years[:-1], years[1:], strict=True) if b - a > 1])
        raise DataError(
            f"series {nm!r} has a gap: no value for {lab(missing)}. Gaps are not interpolated: supply the "
            "missing year(s) or pass only the years after the gap"
        )
    notes: list[str] = []
    unscored: frozenset[int] = frozenset()
    by: int | None = None
    mode: str | None = None
    if break_year is not None:
        by = parse_period(break_year)[0]
        mode = break_mode
        blab = period_label(by, style)
        if by <= years[0] or by > years[-1]:
            notes.append(f"Declared series break at {blab} is outside the series ({lab(years[[0, -1]])}): no effect.")
        elif mode == "segment":
            keep = years >= by
            notes.append(
                f"Series break at {blab}: only {lab(years[keep][[0]])} to {lab(years[[-1]])} "
                f"({int(keep.sum())} points) are modelled; {lab(years[~keep][[0]])} to "
                f"{lab(years[~keep][[-1]])} are not used."
            )
            years, values = years[keep], values[keep]
        else:
            unscored = frozenset({by})
            notes.append(
                f"Series break at {blab}: forecasts of {blab} are not scored in the backtest; the models are "
                "fitted on data that include it."
            )
    return SeriesCheck(nm, years, values, style, tuple(notes), by, mode, unscored)


# --------------------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------------------


def horizon_steps(horizon: int) -> int:
    """Return the steps ahead a model is asked for if it is a whole number >= 1, else raise."""
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError(f"horizon must be a whole number of years >= 1, not {horizon!r}")
    return int(horizon)


def check_horizon(value: int, name: str = "horizon") -> int:
    """Return ``value`` if it is a whole number of years from 1 to :data:`MAX_HORIZON`, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= MAX_HORIZON:
        raise ParameterError(f"parameter {name!r}: expected a whole number of years from 1 to {MAX_HORIZON}, "
                             f"got {value!r}")
    return int(value)


def _number(value: object) -> object:
    """A number typed as text on the command line (``"2.5"``) as a float; anything else unchanged."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


def _is_none(value: object) -> bool:
    """``None``, or text meaning none on the command line (``""``, ``"none"``, ``"null"``)."""
    return value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null"))


def check_pct(value: float | None, name: str, *, low: float = -50.0, high: float = 100.0,
              optional: bool = False) -> float | None:
    """Return a percentage parameter in ``[low, high]`` (``None`` allowed when ``optional``), else raise."""
    if optional and _is_none(value):
        return None
    value = _number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
            or not low <= value <= high:
        extra = " or None" if optional else ""
        raise ParameterError(f"parameter {name!r}: expected a percentage from {low:g} to {high:g}{extra}, "
                             f"got {value!r}")
    return float(value)


def check_unit_cost(value: float | None, name: str = "unit_cost_gbp_per_week") -> float | None:
    """Return a positive weekly unit cost in pounds, or ``None`` (use the published figure), else raise."""
    if _is_none(value):
        return None
    value = _number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
        raise ParameterError(f"parameter {name!r}: expected a weekly cost in £ above 0, or None, got {value!r}")
    return float(value)


__all__ = ["BREAK_MODES", "MAX_HORIZON", "Period", "SeriesCheck", "as_year_series", "check_horizon", "check_pct",
           "check_series", "check_unit_cost", "horizon_steps", "parse_period", "period_label", "year_index"]
