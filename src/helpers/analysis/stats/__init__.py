"""Statistics for benchmarking councils: intervals, significance, MAD verdicts, funnels, trends.

Pure functions, no data loading, one module per family (each function's docstring says more;
``docs/methods.md`` section *Statistics*):

* :mod:`~helpers.analysis.stats.intervals` -- Wilson, Byar and margin-of-error intervals, and significance
  against a comparator (the council's interval against the comparator's value, as Fingertips);
* :mod:`~helpers.analysis.stats.mads` -- distance from the median in MADs and Oflog's plain-English
  verdicts (unscaled MAD, median over all councils with a value), and where a council sits in a group;
* :mod:`~helpers.analysis.stats.funnels` -- funnel-plot limits (Spiegelhalter 2005, or PHE's Wilson limits);
* :mod:`~helpers.analysis.stats.trend` -- Mann-Kendall with the Theil-Sen slope, or OLS on year;
* :mod:`~helpers.analysis.stats.arrays` -- what they share: vectorised over numpy arrays and pandas Series
  (a Series in gives a Series out, with the same index; a scalar in gives a scalar out).

A missing value in gives a missing value (or the label ``'not compared'``) out, never an exception; an
impossible input (``k > n``, a negative count, a level outside (0, 1)) raises :class:`ValueError`. The
names below are the package's public API: ``from helpers.analysis import stats; stats.wilson_ci(...)``.
"""

from __future__ import annotations

from helpers.analysis.stats.arrays import NOT_COMPARED, POLARITIES
from helpers.analysis.stats.funnels import OVERDISPERSION, flag_outliers, funnel_limits, overdispersion
from helpers.analysis.stats.intervals import (
    BYAR_EXACT_BELOW,
    byar_ci,
    compare_to_benchmark,
    moe_ci,
    rate_ci,
    wilson_ci,
)
from helpers.analysis.stats.mads import (
    MAD_FLOOR_SHARE,
    MAD_THRESHOLDS,
    mad,
    mad_floor,
    mads_from_median,
    summarise_group,
    verdict_from_mads,
)
from helpers.analysis.stats.trend import trend_test

__all__ = [
    "BYAR_EXACT_BELOW", "MAD_FLOOR_SHARE", "MAD_THRESHOLDS", "mad_floor", "NOT_COMPARED", "POLARITIES", "byar_ci", "compare_to_benchmark",
    "OVERDISPERSION", "flag_outliers", "funnel_limits", "overdispersion", "mad", "mads_from_median", "moe_ci", "rate_ci", "summarise_group",
    "trend_test", "verdict_from_mads", "wilson_ci",
]
