"""What every statistic here shares: float arrays in, results shaped like the input out, polarity words.

Every function of :mod:`helpers.analysis.stats` is vectorised over numpy arrays and pandas Series through
these helpers: :func:`as_array` reads any input as floats (pandas ``NA`` and ``None`` become ``NaN``),
:func:`shaped_like` gives a Series back for a Series in (same index) and a scalar for a scalar, and
:func:`check_polarity`, :func:`no_negative` and :func:`z_value` check the inputs the same way everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

#: Polarity of a measure: ``higher`` is better, ``lower`` is better, or ``none`` (no judgement).
POLARITIES = ("higher", "lower", "none")
#: Words for a value above / below the comparator, by polarity.
WORDS = {"higher": ("better", "worse"), "lower": ("worse", "better"), "none": ("higher", "lower")}
#: Label where there is nothing to compare (missing value, interval or comparator).
NOT_COMPARED = "not compared"


def as_array(x: Any) -> np.ndarray:
    """Float array of ``x``; pandas ``NA`` and ``None`` become ``NaN``."""
    if isinstance(x, (pd.Series, pd.Index)):
        return x.to_numpy(dtype=float, na_value=np.nan)
    try:
        return np.asarray(x, dtype=float)
    except TypeError:  # pd.NA among the values
        a = np.asarray(x, dtype=object)
        return pd.array(a.ravel(), dtype="Float64").to_numpy(dtype=float, na_value=np.nan).reshape(a.shape)


def shaped_like(values: np.ndarray, *like: Any) -> Any:
    """Shape the result like the Series among ``like`` (same index), else a scalar or an array.

    Series inputs must share one index: numpy does not align them, so a difference is an error.
    """
    series = [x for x in like if isinstance(x, pd.Series)]
    if series:
        if any(not s.index.equals(series[0].index) for s in series[1:]):
            raise ValueError("Series inputs must have the same index (align them first)")
        return pd.Series(np.broadcast_to(values, series[0].shape), index=series[0].index)
    if np.ndim(values) == 0:
        v = values.item() if isinstance(values, np.ndarray) else values
        return v if isinstance(v, str) else float(v)
    return values


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for a confidence ``level`` in (0, 1)."""
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(sps.norm.ppf(0.5 + level / 2))


def check_polarity(polarity: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``polarity`` (one value or one per row) broadcast to ``shape``; raises on a value not in :data:`POLARITIES`."""
    pol = np.broadcast_to(np.asarray(polarity, dtype=object), shape)
    bad = set(pol.ravel().tolist()) - set(POLARITIES)
    if bad:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {sorted(map(str, bad))}")
    return pol


def no_negative(x: np.ndarray, what: str) -> None:
    """Raise :class:`ValueError` naming ``what`` if any value of ``x`` is negative."""
    if np.any(x < 0):
        raise ValueError(f"{what} must not be negative (found {x[x < 0].ravel()[0]!r})")
