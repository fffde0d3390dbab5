"""Rolling-origin evaluation of the demand forecasts across all councils, and the procedure it chooses.

For one series, :func:`evaluate` makes every candidate's forecasts (:mod:`helpers.analysis.demand.candidates`) of
every council from every origin, one to :data:`HORIZON` years ahead, and scores those the outcome is known for
(``Panel.scorable``: not through a change of collection or the COVID year). On top of those errors it runs the
*procedure*, nested: at each origin it is chosen, and its intervals set, from the errors of forecasts whose
outcome was known by then only, so that its own errors at later origins are out of sample.

1. **Pooled choice** (:func:`pooled_choice`): naive unless a candidate has strong evidence of being better:
   at least :data:`MIN_EVIDENCE` scored one-year forecasts over at least :data:`MIN_CHOICE_YEARS` earlier
   target years, and, over those years (a year's shock is common to all councils, so years, not
   council-years, are the independent evidence), both a one-sided sign test and a one-sided
   Diebold-Mariano-type t test of the year's log ratio of median scaled errors (:func:`departure_test`)
   below :data:`ALPHA` / the number of candidates compared; of those, the lowest median ratio to naive.
2. **A council's own evidence** (:func:`council_choices`): a council leaves the pooled choice only when another
   candidate beat it on its own one-year forecasts (at least :data:`MIN_OWN`) in a one-sided sign test whose
   p-value, times the number of candidates tried (Bonferroni), passes the Benjamini-Hochberg rule across
   councils at :data:`ALPHA`.
3. **Intervals** (:func:`interval_quantiles`): the 80% and 95% quantiles of the chosen candidate's past
   absolute log errors at each horizon across councils, each divided by its council's log scale (a normalised
   split-conformal interval, symmetric on the log scale); made wider, never narrower, with the horizon. A
   horizon needs :data:`MIN_INTERVAL` past errors over :data:`MIN_EVIDENCE_YEARS` target years; beyond the
   last horizon that has them the quantile is widened by ``sqrt(h / k)``; with none, a random-walk interval
   from the council's own mean absolute change is used and the report says it is not checked against outcomes.

The settings were fixed before any evaluation was run (``docs/decisions.md``); the method is in
``docs/methods.md`` ("Demand forecasting"); the figures in ``docs/performance.md`` come from
``scripts/bench_demand.py``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats

from helpers.analysis.demand.candidates import CANDIDATES, OriginForecasts, forecasts_at
from helpers.analysis.demand.checks import MAX_HORIZON
from helpers.analysis.demand.panel import Panel, panel_for, table_stamps

#: Years ahead evaluated (and forecast).
HORIZON = MAX_HORIZON
#: Scored one-year forecasts (all councils) before the pooled choice may leave naive ...
MIN_EVIDENCE = 100
#: Target years of past errors behind an interval.
MIN_EVIDENCE_YEARS = 3
#: Earlier target years before the pooled choice may leave naive (with both tests of ``departure_test``).
MIN_CHOICE_YEARS = 5
#: A council's own scored one-year forecasts before it may leave the pooled choice.
MIN_OWN = 10
#: Family-wise level of the pooled choice's tests and of the council's sign test (each divided by the number
#: of candidates tried, Bonferroni).
ALPHA = 0.05
#: Past errors at a horizon needed for its interval quantiles.
MIN_INTERVAL = 50
#: Interval levels.
LEVELS: tuple[int, ...] = (80, 95)
#: sd of a random-walk step from the mean absolute change (sqrt(pi / 2)), for the fallback interval.
_RW_SD = float(np.sqrt(np.pi / 2))


@dataclass
class Evaluation:
    """Every candidate's rolling-origin forecasts of one series, and the nested procedure (see the notes).

    Arrays are ``[councils, origins, horizons]`` (origins = panel columns, horizons 1..:data:`HORIZON`);
    councils and columns as in ``panel``.

    Attributes
    ----------
    panel
        The series' panel.
    candidates
        Candidate names, naive first (those that apply to the series).
    forecasts
        Candidate -> log forecasts.
    actual
        Log outcome where the forecast is scored (else NaN).
    scale, log_scale, n_scale
        ``[councils, origins]``: each council's MASE scale and log scale at each origin, and the number of
        changes behind them.
    choice
        ``[origins]``: the pooled choice at each origin (made with earlier outcomes only).
    ratios, evidence
        ``[origins]`` dicts: each candidate's median scaled one-year error / naive's on the same forecasts, and
        the number of them, as known at each origin.
    chosen
        ``[councils, origins]``: the candidate each council uses (the pooled choice or its own).
    procedure
        Log forecasts of the procedure.
    bounds
        Level -> ``(lower, upper)`` log bounds of the procedure's intervals.
    checked
        ``[origins, horizons]``: True where the pooled choice's intervals come from past errors (else the
        random-walk fallback).
    z
        Candidate -> normalised log errors (``(outcome - forecast) / log scale``) where scored.
    extra
        Candidates scored but never chosen (:func:`evaluate_panel`).
    """

    panel: Panel
    candidates: tuple[str, ...]
    forecasts: dict[str, np.ndarray]
    actual: np.ndarray
    scale: np.ndarray
    log_scale: np.ndarray
    n_scale: np.ndarray
    choice: list[str]
    ratios: list[dict[str, float]]
    evidence: list[dict[str, int]]
    chosen: np.ndarray
    procedure: np.ndarray
    bounds: dict[int, tuple[np.ndarray, np.ndarray]]
    checked: np.ndarray
    z: dict[str, np.ndarray]
    extra: tuple[str, ...] = ()

    def half_widths(self, name: str, origin: int) -> tuple[dict[int, np.ndarray], np.ndarray]:
        """A candidate's interval half-widths at an origin, in log scales (:func:`interval_quantiles`)."""
        return interval_quantiles(self.z[name], origin)

    def target_years(self, before: int | None = None) -> list[int]:
        """Columns of the target years with a scored one-year forecast (outcome known by column ``before``)."""
        ok = np.isfinite(self.actual[:, :, 0]).any(axis=0)
        cols = [o + 1 for o in np.flatnonzero(ok)]
        return [t for t in cols if before is None or t <= before]

    def scaled_errors(self, name: str) -> np.ndarray:
        """``|outcome - forecast| / scale`` of a candidate (or ``"procedure"``) where scored, else NaN."""
        f = self.procedure if name == "procedure" else self.forecasts[name]
        with np.errstate(invalid="ignore", over="ignore"):
            return np.abs(np.exp(self.actual) - np.exp(f)) / self.scale[:, :, None]

    def pct_errors(self, name: str) -> np.ndarray:
        """Absolute percentage errors ``100 |outcome - forecast| / outcome`` where scored."""
        f = self.procedure if name == "procedure" else self.forecasts[name]
        with np.errstate(invalid="ignore", over="ignore"):
            a = np.exp(self.actual)
            return 100 * np.abs(a - np.exp(f)) / a

    def inside(self, level: int) -> np.ndarray:
        """1.0 where the outcome fell inside the procedure's ``level``% interval, 0.0 outside, NaN unscored."""
        lo, hi = self.bounds[level]
        ok = np.isfinite(self.actual) & np.isfinite(lo) & np.isfinite(hi) & np.isfinite(self.scale)[:, :, None]
        return np.where(ok, ((self.actual >= lo) & (self.actual <= hi)).astype(float), np.nan)


def _evidence_mask(err: np.ndarray, base: np.ndarray, before: int) -> np.ndarray:
    """Scored one-year forecasts of both, from origins before column ``before`` (outcome known by then)."""
    m = np.zeros_like(err, dtype=bool)
    m[:, :before] = np.isfinite(err[:, :before]) & np.isfinite(base[:, :before])
    return m


def departure_test(err: np.ndarray, base: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """The evidence that a candidate beats naive over the target years of ``mask`` (notes, 1).

    For each target year (column with a forecast of both in ``mask``) the year's loss differential is
    ``log(median SE_candidate / median SE_naive)`` over that year's councils: a year's shock is common to every
    council, so a year, not a council-year, is one independent piece of evidence. Returns ``years``, ``wins``
    (years with a negative differential), ``p_sign`` (one-sided sign test, binomial, ties dropped) and ``p_dm``
    (one-sided Diebold-Mariano-type test: the mean differential over the years against 0 with Student's t on
    ``years - 1`` degrees of freedom, the small-sample form of Harvey, Leybourne & Newbold 1997; one-year
    forecasts, so no autocorrelation correction).
    """
    cols = np.flatnonzero(mask.any(axis=0))
    diffs = []
    for j in cols:
        mb, mc = float(np.median(base[mask[:, j], j])), float(np.median(err[mask[:, j], j]))
        if mb > 0 and mc > 0:
            diffs.append(np.log(mc / mb))
    d = np.asarray(diffs)
    n = len(d)
    wins, ties = int((d < 0).sum()), int((d == 0).sum())
    p_sign = float(stats.binom.sf(wins - 1, n - ties, 0.5)) if n - ties > 0 else 1.0
    if n >= 2 and np.std(d, ddof=1) > 0:
        t = float(np.mean(d) / (np.std(d, ddof=1) / np.sqrt(n)))
        p_dm = float(stats.t.cdf(t, n - 1))
    else:
        p_dm = 1.0 if n < 2 or np.mean(d) >= 0 else 0.0
    return {"years": n, "wins": wins, "p_sign": p_sign, "p_dm": p_dm}


def pooled_choice(se1: dict[str, np.ndarray], origin: int) -> tuple[str, dict[str, float], dict[str, int]]:
    """The pooled choice at column ``origin`` from one-year scaled errors ``[councils, origins]`` (notes, 1).

    A candidate may replace naive only with at least :data:`MIN_EVIDENCE` scored one-year forecasts over at
    least :data:`MIN_CHOICE_YEARS` earlier target years, a lower median scaled error than naive's on the same
    forecasts, and both one-sided tests of :func:`departure_test` below :data:`ALPHA` divided by the number
    of candidates compared (Bonferroni); of those that pass, the one with the lowest ratio.

    Returns the choice, each candidate's median / naive's median on the same forecasts, and their number.
    """
    base = se1["naive"]
    ratios: dict[str, float] = {}
    counts: dict[str, int] = {}
    best, best_ratio = "naive", 1.0
    level = ALPHA / max(len(se1) - 1, 1)
    for c, err in se1.items():
        m = _evidence_mask(err, base, origin)
        n = int(m.sum())
        counts[c] = n
        if n == 0:
            continue
        med_base = float(np.median(base[m]))
        ratios[c] = float(np.median(err[m]) / med_base) if med_base > 0 else np.nan
        if c == "naive" or n < MIN_EVIDENCE or not ratios[c] < best_ratio:
            continue
        test = departure_test(err, base, m)
        if test["years"] >= MIN_CHOICE_YEARS and test["p_sign"] < level and test["p_dm"] < level:
            best, best_ratio = c, ratios[c]
    return best, ratios, counts


def council_choices(se1: dict[str, np.ndarray], origin: int, pooled: str) -> np.ndarray:
    """Each council's candidate at column ``origin``: ``pooled`` unless its own sign test says otherwise.

    For each council with at least :data:`MIN_OWN` of its own scored one-year forecasts of both, the one-sided
    sign test (binomial, ties dropped) of every other candidate against ``pooled``; its best p-value times the
    number of candidates (Bonferroni within the council) is then tested with the Benjamini-Hochberg rule
    across councils at :data:`ALPHA` (``scipy.stats.false_discovery_control``): with some 150 councils each
    tested, a plain per-council level would let several councils leave on chance alone.
    """
    ref = se1[pooled]
    others = [c for c in se1 if c != pooled]
    out = np.full(ref.shape[0], pooled, dtype=object)
    best_p = np.ones(ref.shape[0])
    best_c = np.full(ref.shape[0], pooled, dtype=object)
    eligible = np.zeros(ref.shape[0], dtype=bool)
    for c in others:
        err = se1[c]
        m = _evidence_mask(err, ref, origin)
        n = m.sum(axis=1)
        wins = (m & (err < ref)).sum(axis=1)
        ties = (m & (err == ref)).sum(axis=1)
        trials = n - ties
        p = np.where(trials > 0, stats.binom.sf(wins - 1, np.maximum(trials, 1), 0.5), 1.0)
        ok = n >= MIN_OWN
        eligible |= ok
        better = ok & (p < best_p)
        best_c[better] = c
        best_p = np.where(better, p, best_p)
    rows = np.flatnonzero(eligible)
    if rows.size:
        adjusted = stats.false_discovery_control(np.minimum(1.0, best_p[rows] * max(len(others), 1)))
        take = rows[adjusted < ALPHA]
        out[take] = best_c[take]
    return out


def interval_quantiles(z: np.ndarray, origin: int) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Half-widths ``level -> [horizons]`` (in log scales) from normalised log errors ``z`` known at ``origin``.

    ``z[councils, origins, horizons]``; a horizon ``h`` uses the errors of origins up to ``origin - h`` (their
    outcomes are known at ``origin``). Returns the half-widths (NaN where there are none, notes 3) and, per
    horizon, whether they came from past errors (at that horizon or widened from a shorter one).
    """
    H = z.shape[2]
    raw = np.full((len(LEVELS), H), np.nan)
    for h in range(1, H + 1):
        known = z[:, :max(origin - h + 1, 0), h - 1]
        ok = np.isfinite(known)
        if ok.sum() >= MIN_INTERVAL and ok.any(axis=0).sum() >= MIN_EVIDENCE_YEARS:
            v = np.abs(known[ok])
            n = v.size
            for k, lv in enumerate(LEVELS):  # split-conformal rank: ceil((n + 1) level) / n
                raw[k, h - 1] = np.quantile(v, min(1.0, np.ceil((n + 1) * lv / 100) / n), method="higher")
    out: dict[int, np.ndarray] = {}
    for k, lv in enumerate(LEVELS):
        q = raw[k].copy()
        last = None
        for h in range(1, H + 1):
            if np.isfinite(raw[k, h - 1]):
                last = h
            elif last is not None:
                q[h - 1] = raw[k, last - 1] * np.sqrt(h / last)
        out[lv] = np.fmax.accumulate(np.where(np.isfinite(q), q, -np.inf))
        out[lv][~np.isfinite(out[lv])] = np.nan
    return out, np.isfinite(out[LEVELS[0]])


def fallback_quantiles(horizon: int, changes: np.ndarray | float = np.inf) -> dict[int, np.ndarray]:
    """Random-walk half-widths in log scales, ``[councils, horizon]``, where there are no past errors.

    ``t(level, df) x sqrt(pi / 2) x sqrt(h)``: a random walk whose step sd is estimated from the mean absolute
    change (``sd = sqrt(pi / 2) x mean |change|``) over ``changes`` changes, with Student's t quantile on those
    degrees of freedom for the uncertainty of so few (the normal quantile where the scale is the typical one
    of all councils, ``changes = inf``).
    """
    df = np.atleast_1d(np.asarray(changes, dtype=float))
    df = np.where(np.isfinite(df) & (df >= 1), df, np.inf)
    steps = np.sqrt(np.arange(1, horizon + 1))
    out = {}
    for lv in LEVELS:
        q = np.where(np.isfinite(df), stats.t.ppf(0.5 + lv / 200, np.where(np.isfinite(df), df, 1.0)),
                     stats.norm.ppf(0.5 + lv / 200))
        out[lv] = q[:, None] * _RW_SD * steps[None, :]
    return out


def interval_scale(log_scale: np.ndarray, n_scale: np.ndarray | None = None) -> np.ndarray | tuple:
    """Each council's log scale, or the median of the councils' where it has too few changes.

    With ``n_scale`` (the changes behind each scale) also returns the degrees of freedom of each for
    :func:`fallback_quantiles` (``inf`` where the typical scale is used).
    """
    ok = np.isfinite(log_scale) & (log_scale > 0)
    typical = float(np.median(log_scale[ok])) if ok.any() else np.nan
    scale = np.where(ok, log_scale, typical)
    if n_scale is None:
        return scale
    return scale, np.where(ok, n_scale, np.inf)


def _origin_arrays(panel: Panel, runs: list[OriginForecasts], names: tuple[str, ...]):
    N, T = panel.values.shape
    H = HORIZON
    fc = {c: np.full((N, T, H), np.nan) for c in names}
    actual = np.full((N, T, H), np.nan)
    scale = np.full((N, T), np.nan)
    log_scale = np.full((N, T), np.nan)
    n_scale = np.zeros((N, T))
    logs = panel.logs
    for of in runs:
        o = of.origin
        scale[:, o], log_scale[:, o], n_scale[:, o] = of.scale, of.log_scale, of.n_scale
        for c in names:
            fc[c][:, o, :] = of.logs[c]
        for h in range(1, H + 1):
            if panel.scorable(o, h):
                actual[:, o, h - 1] = logs[:, o + h]
    scored = np.isfinite(scale) & (scale > 0)
    actual = np.where(scored[:, :, None], actual, np.nan)
    return fc, actual, scale, log_scale, n_scale


def evaluate_panel(panel: Panel, *, extra: tuple[str, ...] = ()) -> Evaluation:
    """The rolling-origin evaluation and nested procedure of a panel (see the module notes).

    ``extra`` names candidates to forecast and score but never to choose (``"damped"`` for the benchmark).
    """
    N, T = panel.values.shape
    H = HORIZON
    made = (*CANDIDATES, *[c for c in extra if c not in CANDIDATES])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        runs = [forecasts_at(panel, o, H, candidates=made) for o in range(T)]
    names = tuple(c for c in made if any(np.isfinite(r.logs[c]).any() for r in runs) or c == "naive")
    fc, actual, scale, log_scale, n_scale = _origin_arrays(panel, runs, names)
    with np.errstate(invalid="ignore", over="ignore"):
        se1 = {c: np.abs(np.exp(actual[:, :, 0]) - np.exp(fc[c][:, :, 0])) / scale for c in names
               if c not in extra}
        z = {c: (actual - fc[c]) / interval_scale_all(log_scale)[:, :, None] for c in names}
    choice, ratios, evidence = [], [], []
    chosen = np.full((N, T), "naive", dtype=object)
    proc = np.full((N, T, H), np.nan)
    bounds = {lv: (np.full((N, T, H), np.nan), np.full((N, T, H), np.nan)) for lv in LEVELS}
    checked = np.zeros((T, H), dtype=bool)
    for o in range(T):
        best, rat, cnt = pooled_choice(se1, o)
        choice.append(best)
        ratios.append(rat)
        evidence.append(cnt)
        chosen[:, o] = council_choices(se1, o, best)
        ls, df = interval_scale(log_scale[:, o], n_scale[:, o])
        fallback = fallback_quantiles(H, df)
        for c in np.unique(chosen[:, o]):
            rows = chosen[:, o] == c
            proc[rows, o] = fc[c][rows, o]
            q, ok = interval_quantiles(z[c], o)
            if c == best:
                checked[o] = ok
            for lv in LEVELS:
                half = np.where(np.isfinite(q[lv])[None, :], q[lv][None, :], fallback[lv][rows]) * ls[rows, None]
                bounds[lv][0][rows, o] = fc[c][rows, o] - half
                bounds[lv][1][rows, o] = fc[c][rows, o] + half
    return Evaluation(panel, names, fc, actual, scale, log_scale, n_scale, choice, ratios, evidence, chosen, proc, bounds,
                      checked, z, tuple(c for c in extra if c in names))


def interval_scale_all(log_scale: np.ndarray) -> np.ndarray:
    """:func:`interval_scale` at every origin (``[councils, origins]``)."""
    return np.column_stack([interval_scale(log_scale[:, o]) for o in range(log_scale.shape[1])]) \
        if log_scale.shape[1] else log_scale


def evaluate(series: str) -> Evaluation:
    """The evaluation of a catalogue series (cached per process; redone when a table it reads changes)."""
    panel = panel_for(series)
    return _evaluate_cached(panel.series, table_stamps())


@lru_cache(maxsize=12)
def _evaluate_cached(series: str, stamps: tuple[int, ...]) -> Evaluation:
    return evaluate_panel(panel_for(series))


__all__ = ["ALPHA", "HORIZON", "LEVELS", "MIN_CHOICE_YEARS", "MIN_EVIDENCE", "MIN_EVIDENCE_YEARS", "MIN_INTERVAL", "MIN_OWN",
           "Evaluation", "council_choices", "departure_test", "evaluate", "evaluate_panel", "fallback_quantiles",
           "interval_quantiles", "interval_scale", "interval_scale_all", "pooled_choice"]
