"""Several files of one family building one table: where two give the same value, the later release wins.

A family (:func:`helpers.data.sources.family`) lists its files in order of release. When two of them publish
the same key (council, year, measure ...), the table keeps the later release's row; every value it changes is
listed (:func:`later_release_wins` returns them; :mod:`helpers.data.tables` reports them in the build log and
keeps them for :func:`helpers.data.tables.changes`, which the data overview reads).

A later release that turns values an earlier one published as suppressed or not available into ``0`` is not a
revision but a damaged file (a spreadsheet that wrote blanks as zeros): :func:`check_no_zeroed_markers` refuses
it, and :func:`compare_counts` does the same from the counts recorded in the register when the earlier file
itself is no longer there (a revised copy saved over the old one).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.core.errors import DataError

#: Value statuses that are not a published number.
MARKER_STATUSES = ("suppressed", "not_available", "not_applicable")


def later_release_wins(frames: Sequence[pd.DataFrame], key: list[str], *, value: str, status: str,
                       unit: Sequence[str] = ("gss_code", "year"), order: str = "_release"
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Concatenate the frames of one family; where a later release covers an area and year, its rows replace
    the earlier releases' rows of that area and year.

    Replacing by area and year (``unit``), not row by row, means a line the later release relabels or drops
    is not left behind next to its new version. The changes are listed for the rows of the same ``key``.

    Parameters
    ----------
    frames
        One frame per file, in order of release (earliest first), each with ``source_id``.
    key
        The table's key columns (``gss_code`` and ``year`` among them).
    value, status
        The value column and its status column (compared to list what changed).
    unit
        The columns whose combination a release covers as a whole (default area and year).
    order
        Name of a temporary column (must not exist).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The rows kept (the frames' columns, in their order) and the changes (columns of
        :data:`helpers.data.processed.CHANGE_COLUMNS` except ``table``): one row per key where the later
        release's value or status differs from the earlier one's.

    Raises
    ------
    DataError
        The later release turns suppressed / not-available values into 0 (:func:`check_no_zeroed_markers`).
    """
    df = pd.concat([f.assign(**{order: i}) for i, f in enumerate(frames)], ignore_index=True)
    if len(frames) < 2:
        return df.drop(columns=order), empty_changes()
    unit = list(unit)
    last = df.groupby(unit, sort=False)[order].transform("max")
    earlier = df[df[order] < last]
    if earlier.empty:
        return df.drop(columns=order), empty_changes()
    latest = df[df[order] == last]
    pairs = earlier.merge(latest[[*key, value, status, "source_id"]], on=key, suffixes=("_old", "_new"))
    changes = changes_between(pairs, key, value=value, status=status)
    check_no_zeroed_markers(changes)
    keep = df[df[order] == last]
    return keep.drop(columns=order).reset_index(drop=True), changes


def empty_changes() -> pd.DataFrame:
    """A changes frame with no rows."""
    return pd.DataFrame(columns=["gss_code", "year", "key", "column", "old_value", "new_value", "old_status",
                                 "new_status", "old_source_id", "new_source_id"])


def changes_between(pairs: pd.DataFrame, key: list[str], *, value: str, status: str) -> pd.DataFrame:
    """The changes of ``pairs`` (the earlier and the later row of each key, columns ``<value>_old`` /
    ``<value>_new`` and the like) where the value or the status differs, in the changes layout."""
    old_v, new_v = pairs[f"{value}_old"].astype(float), pairs[f"{value}_new"].astype(float)
    same_v = (old_v == new_v) | (old_v.isna() & new_v.isna())
    same_s = pairs[f"{status}_old"].astype(str) == pairs[f"{status}_new"].astype(str)
    diff = pairs[~(same_v & same_s)]
    rest = [k for k in key if k not in ("gss_code", "year")]
    out = pd.DataFrame({
        "gss_code": diff["gss_code"].astype(str) if "gss_code" in diff else "",
        "year": diff["year"].astype(str) if "year" in diff else "",
        "key": diff[rest].astype(str).agg(" | ".join, axis=1) if rest and len(diff) else "",
        "column": value,
        "old_value": diff[f"{value}_old"].astype(float), "new_value": diff[f"{value}_new"].astype(float),
        "old_status": diff[f"{status}_old"].astype(str), "new_status": diff[f"{status}_new"].astype(str),
        "old_source_id": diff["source_id_old"].astype(str), "new_source_id": diff["source_id_new"].astype(str),
    })
    if out.empty:
        return empty_changes()
    return out.sort_values(["year", "gss_code", "key"], kind="stable").reset_index(drop=True)


def check_no_zeroed_markers(changes: pd.DataFrame) -> None:
    """Refuse a later release that publishes 0 where an earlier one had a suppression marker.

    Raises
    ------
    DataError
        Naming the two releases, how many values and the first one.
    """
    zeroed = changes[changes["old_status"].isin(MARKER_STATUSES) & (changes["new_value"] == 0)]
    if zeroed.empty:
        return
    first = zeroed.iloc[0]
    raise DataError(
        f"{len(zeroed)} value(s) that {first['old_source_id']} publishes as {first['old_status']} are 0 in "
        f"{first['new_source_id']} (first: {first['gss_code']} {first['year']} {first['key']}): suppression "
        "markers replaced by zeros? Check the file (a marker must stay a marker, never 0)",
        file=first["new_source_id"])


def value_counts(df: pd.DataFrame, *, status: str = "value_status", value: str = "value",
                 year: str | None = "year") -> dict[str, dict[str, int]]:
    """Counts of a table's values by year, to record in the register and compare a later version with.

    Returns
    -------
    dict
        ``{year: {"rows", "areas", "reported", "markers", "zeros"}}`` (``year`` ``"all"`` when ``year`` is
        ``None``).
    """
    groups = df.groupby(df[year].astype(str)) if year else [("all", df)]
    out = {}
    for y, part in groups:
        st = part[status].astype(str)
        out[str(y)] = {"rows": int(len(part)), "areas": int(part["gss_code"].nunique()) if "gss_code" in part else 0,
                       "reported": int((st == "reported").sum()), "markers": int(st.isin(MARKER_STATUSES).sum()),
                       "zeros": int((part[value] == 0).sum())}
    return out


def compare_counts(old: dict[str, dict[str, int]] | None, new: dict[str, dict[str, int]], *, old_id: str,
                   new_file: str) -> None:
    """Compare a new version's counts with those recorded for the previous registered version.

    Refuses the new version when, for a year both cover, it has fewer suppression markers and more zeros
    (at least as many new zeros as half the markers lost, and at least 10): markers replaced by zeros. A
    council fewer is refused as well (rows deleted).

    Raises
    ------
    DataError
        Naming the new file, the year and the counts.
    """
    for year, was in sorted((old or {}).items()):
        now = new.get(year)
        if now is None:
            continue
        lost = was.get("markers", 0) - now["markers"]
        gained = now["zeros"] - was.get("zeros", 0)
        if lost >= 10 and gained >= max(10, lost // 2):
            raise DataError(f"{year}: {lost:,} fewer suppressed / not-available values and {gained:,} more zeros "
                            f"than the registered version {old_id}: suppression markers replaced by zeros? "
                            "A marker must stay a marker", file=new_file)
        if now["areas"] < was.get("areas", 0):
            raise DataError(f"{year}: {was['areas'] - now['areas']} council(s) / area(s) fewer than the registered "
                            f"version {old_id} ({now['areas']} instead of {was['areas']}): rows deleted?",
                            file=new_file)


def within_rounding(value: pd.Series, expected: pd.Series) -> np.ndarray:
    """Whether published values agree with ``expected`` within their own rounding.

    A value printed with ``d`` decimals is within half a unit of its last decimal of the exact figure (plus
    a relative 1e-9 for floating point); ``d`` is found from the value itself (up to 6 decimals).
    """
    v = value.to_numpy(dtype=float)
    e = expected.to_numpy(dtype=float)
    dec = np.full(len(v), 6)
    for d in range(5, -1, -1):
        dec = np.where(np.isclose(np.round(v, d), v, rtol=0, atol=1e-9), d, dec)
    tol = 0.5 * 10.0 ** (-dec) + 1e-9 * np.abs(e)
    return np.isnan(v) | np.isnan(e) | (np.abs(v - e) <= tol + 1e-12)
