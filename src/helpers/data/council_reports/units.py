"""Units of council report figures: Excel per-cent cells, plausible ranges, and a line typed in pounds.

A council table holds money in £ thousands (``_gbp_k``), unit costs in pounds (``_gbp``) and per cents in per
cent points (``_pct``: ``5.47`` for 5.47%). Three slips give a wrong figure that no column check sees:

* a workbook cell **formatted as a per cent** shows ``5.47%`` but holds ``0.0547``:
  :func:`helpers.data.council_reports.cells.inspect` finds such cells so that the reader takes the per cent
  shown (``5.47``);
* a whole table typed **in pounds** (``69,839,000`` for £69.839m): every figure is 1,000 times too big, so its
  lines still add up to its totals; :func:`check_plausible` refuses a figure outside the plausible range of its
  column (:data:`PLAUSIBLE`);
* **one line in pounds** among lines in £ thousands: the lines no longer add up to their printed total, and
  they do once that line is divided by 1,000 (or a line in £ millions, multiplied): :func:`check_thousands`
  names that row.

Each raises :class:`~helpers.core.errors.DataError` naming the file, row and column. Rules and sources:
``docs/methods.md`` ("Council report figures: units").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.data.council_reports.kinds import kind_spec

#: Plausible range of a figure by the ending of its column name: (lowest, highest, why a figure outside is wrong).
#: £ thousands: 5,000,000 (£5bn) is more than five times the largest council's whole adult social care spending
#: in RO3 (Kent 2024-25, total expenditure £918m); unit costs in £ of more than £50,000 a week or an hour are a
#: cost in pence or a budget; a per cent beyond +-1,000 is a fraction or a figure typed into the wrong column.
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "_gbp_k": (-5_000_000.0, 5_000_000.0, "more than £5bn: the figure looks like pounds, not £ thousands"),
    "_gbp": (-50_000.0, 50_000.0, "a unit cost above £50,000: the figure looks like pence, or £ rather than a unit cost"),
    "_pct": (-1_000.0, 1_000.0, "a per cent beyond +-1,000%: not a per cent of the budget (typed in the wrong column?)"),
}


def _where(df: pd.DataFrame, i: int) -> tuple[object, int | None]:
    r = df.iloc[i]
    row = r.get("source_row")
    return r.get("source_file"), (int(row) if row is not None and pd.notna(row) else None)


def check_plausible(df: pd.DataFrame) -> None:
    """Raise :class:`DataError` at the first figure outside the plausible range of its column (:data:`PLAUSIBLE`)."""
    for c in df.columns:
        rule = next((v for k, v in PLAUSIBLE.items() if str(c).endswith(k)), None)
        if rule is None or not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            continue
        lo, hi, why = rule
        bad = (df[c] < lo) | (df[c] > hi)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            file, row = _where(df, i)
            raise DataError(f"{why} (plausible range {lo:,.0f} to {hi:,.0f})", file=file, row=row, column=c,
                            value=float(df[c].iloc[i]))


def _tolerance(values: list[float]) -> float:
    """Half a unit of the last printed digit per figure (whole numbers: 0.5 each), as the reconciliation allows."""
    return 0.5 * (len(values) + 1)


def check_thousands(df: pd.DataFrame, kind: str, parents: pd.Series) -> None:
    """Raise :class:`DataError` naming a line typed in pounds (or £ millions) among lines in £ thousands.

    For every subtotal or total with its lines (``parents``: :func:`~helpers.data.council_reports.reader.resolve_parents`)
    and every summed ``_gbp_k`` column: when the lines do not add up to the printed figure within rounding, but do
    once exactly one line is divided (or multiplied) by 1,000, that line is named. A total typed in pounds over
    lines in £ thousands is named the same way (the lines add up to the total divided by 1,000).
    """
    spec = kind_spec(kind)
    cols = [c for c in spec.sums if c in df.columns and c.endswith("_gbp_k")]
    counted = df["row_type"].isin(("line", "subtotal")) & parents.notna()
    if not counted.any() or not cols:
        return
    for pidx, g in df[counted].groupby(parents[counted], sort=False):
        p = df.loc[pidx]
        for c in cols:
            vals = g[c].dropna()
            if pd.isna(p[c]) or len(vals) < 2:
                continue
            total, printed = float(vals.sum()), float(p[c])
            tol = _tolerance(list(vals))
            if abs(total - printed) <= tol:
                continue
            if abs(printed) >= 1000 and abs(total - printed / 1000.0) <= tol:
                i = df.index.get_loc(pidx)
                file, row = _where(df, i)
                raise DataError(f"the printed {p['row_type']} is 1,000 times the sum of its lines ({total:,.0f}): it "
                                "looks like pounds, not £ thousands", file=file, row=row, column=c, value=printed)
            for k, v in vals.items():
                for factor, unit in ((1 / 1000.0, "pounds"), (1000.0, "£ millions")):
                    if abs(v) >= (1000 if unit == "pounds" else 0) and v != 0 and \
                            abs(total - v + v * factor - printed) <= tol:
                        i = df.index.get_loc(k)
                        file, row = _where(df, i)
                        raise DataError(
                            f"the lines add up to the printed {p['row_type']} '{p['line']}' ({printed:,.0f}) only when "
                            f"this line is read as {unit} rather than £ thousands: money columns ending _gbp_k are "
                            "£ thousands", file=file, row=row, column=c, value=float(v))

