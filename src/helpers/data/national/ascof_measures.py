"""ASCOF measure codes, names and disaggregations, and the one measure registry (``ascof_measures``).

Measure codes are normalised to the handbook's form (``1A``, ``1C(1A)``, ``2A(2)``, ``3D(1)``): see
:func:`normalise_measure_code` and ``docs/methods.md``. The registry (polarity, unit, interval method,
comparison, survey flag, years) is compiled by this project in the committed file
``data/raw/reference/ascof_measures.csv``; the published polarity file is a cross-check of it
(:func:`compare_directions`), not an input of any table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.core.paths import REFERENCE
from helpers.data import sources
from helpers.data.io import parse_numbers, read_csv_raw, require_columns
from helpers.data.reading import raise_first
from helpers.data.schemas import ASCOF_MEASURES_SCHEMA, unique_key, validate

SOURCE_DIRECTION = "ascof_direction"
#: The committed measure registry.
MEASURES_FILE: Path = REFERENCE / "ascof_measures.csv"
MEASURE_COLUMNS = tuple(ASCOF_MEASURES_SCHEMA.columns)

#: Published disaggregation (lower case, single spaces) -> our one spelling.
DISAGGREGATIONS: dict[str, str] = {
    "total": "Total", "18-64": "18-64", "65 and over": "65+", "65+": "65+", "64 and under": "Under 65",
    "under 65": "Under 65", "65-74": "65-74", "65-84": "65-84", "75-84": "75-84", "85 and over": "85+",
    "85+": "85+", "female": "Female", "male": "Male",
}
#: Suffix the open data appends to the measure group in ``ASCOF Measure Code`` for each disaggregation.
DISAGGREGATION_SUFFIX: dict[str, str] = {
    "Total": "", "18-64": "1864", "65+": "65OV", "Under 65": "64U", "65-74": "6574", "65-84": "6584",
    "75-84": "7584", "85+": "85OV", "Female": "F", "Male": "M",
}

_CODE_CLEAN = re.compile(r"[\s().\-_/]")
_CODE_RE = re.compile(r"^([1-4])([A-J])(?:([1-9])([AB])?)?$")


def normalise_measure_code(code: object) -> str:
    """Return an ASCOF measure code in the handbook's form.

    The trend and open-data files write measure groups without brackets (``1C1A``, ``2A1``, ``3D2``);
    the handbook writes ``1C(1A)``, ``2A(1)``, ``3D(2)``. Case, spaces, brackets, dots, hyphens and
    underscores are ignored, and an ``ASCOF`` prefix is dropped, so ``"1c1a"``, ``" 1C (1A) "`` and
    ``"ASCOF 1C1A"`` all give ``"1C(1A)"``.

    Parameters
    ----------
    code
        A published measure code.

    Returns
    -------
    str
        Domain digit and letter, then the sub-measure in brackets if any: ``1A``, ``1C(1A)``, ``2A(2)``.

    Raises
    ------
    ValueError
        Not an ASCOF measure code (domains 1-4, letters A-J, sub-measure a digit plus optional A/B).

    Examples
    --------
    >>> normalise_measure_code("1C2B"), normalise_measure_code("2a(1)"), normalise_measure_code("4B")
    ('1C(2B)', '2A(1)', '4B')
    """
    if code is None or (isinstance(code, float) and np.isnan(code)):
        raise ValueError("no measure code")
    s = _CODE_CLEAN.sub("", str(code)).upper()
    if s.startswith("ASCOF"):
        s = s[5:]
    m = _CODE_RE.match(s)
    if not m:
        raise ValueError(f"not an ASCOF measure code: {code!r}")
    domain, letter, number, sub = m.groups()
    base = f"{domain}{letter}"
    return base if number is None else f"{base}({number}{sub or ''})"


def normalise_measure_codes(
    codes: pd.Series, *, file: str | Path, column: str, rows: pd.Series | None = None,
    known: Iterable[str] | None = None,
) -> pd.Series:
    """Normalise a column of measure codes; raise one :class:`DataError` on the first bad or unknown code.

    Parameters
    ----------
    codes
        Published codes.
    file, column, rows
        Where they came from (``rows``: spreadsheet row numbers, default ``index + 2``).
    known
        Codes of the registry; a code outside it is an error.

    Returns
    -------
    pandas.Series
        Normalised codes (:func:`normalise_measure_code`).
    """
    rows = pd.Series(codes.index + 2, index=codes.index) if rows is None else rows
    mapping: dict[object, str | None] = {}
    for raw in pd.unique(codes):
        try:
            mapping[raw] = normalise_measure_code(raw)
        except ValueError:
            mapping[raw] = None
    out = codes.map(mapping)
    raise_first(out.isna(), "not an ASCOF measure code", file=file, rows=rows, column=column, values=codes)
    if known is not None:
        unknown = ~out.isin(set(known))
        if unknown.any():
            pos = int(np.flatnonzero(unknown.to_numpy())[0])
            row = int(rows.iloc[pos])
            raise DataError(
                f"unknown ASCOF measure code {out.iloc[pos]!r}: not in {MEASURES_FILE.name}",
                file=file, row=row, column=column, value=codes.iloc[pos],
            )
    return out.astype(str)


def normalise_disaggregation(values: pd.Series, *, file: str | Path, column: str, rows: pd.Series) -> pd.Series:
    """Map published disaggregations to our one spelling (:data:`DISAGGREGATIONS`); raise on an unknown one."""
    key = values.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    out = key.map(DISAGGREGATIONS)
    raise_first(out.isna(), f"unknown disaggregation (known: {sorted(set(DISAGGREGATIONS.values()))})", file=file,
                rows=rows, column=column, values=values)
    return out.astype(str)


def name_key(text: object) -> str:
    """Return a matching key for a measure name: lower case, no punctuation, no leading "the".

    Published names differ in dashes (``-``, ``–``, and a mis-encoded ``\\x96``), brackets, commas and a
    leading "The"; this key makes those spellings equal, and nothing else.
    """
    s = str(text).lower()
    s = re.sub(r"[\u0096\u2013\u2014\-/]", " ", s)
    s = re.sub(r"[(),:;.'\"]", "", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s[4:] if s.startswith("the ") else s


def resolve_measure_names(names: pd.Series, registry: pd.DataFrame | None = None) -> pd.Series:
    """Map published measure names to registry codes through :func:`name_key`.

    Each registry row contributes its ``measure_name`` and its ``other_names`` (``|``-separated published
    variants). A name that matches no code, or more than one, maps to ``NaN``.

    Returns
    -------
    pandas.Series
        Measure codes (object dtype, ``None`` where unresolved), aligned with ``names``.
    """
    reg = measures() if registry is None else registry
    pairs: dict[str, set[str]] = {}
    for code, name, other in reg[["measure_code", "measure_name", "other_names"]].itertuples(index=False):
        for n in [name, *[o for o in str(other).split("|") if o]]:
            pairs.setdefault(name_key(n), set()).add(code)
    lookup = {k: next(iter(v)) for k, v in pairs.items() if len(v) == 1}
    return names.map(lambda n: lookup.get(name_key(n)) if isinstance(n, str) else None)


# ----------------------------------------------------------------------------------------------------
# The measure registry
# ----------------------------------------------------------------------------------------------------

def measures(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the ASCOF measure registry (``data/raw/reference/ascof_measures.csv``).

    Works without national data. Columns: see ``docs/data_dictionary.md`` (``ascof_measures``).

    Parameters
    ----------
    path
        The registry file (default: the committed one).

    Returns
    -------
    pandas.DataFrame
        One row per measure, sorted by ``measure_code``; ``survey_based`` is bool, ``multiplier`` float
        (``NaN`` where value is not numerator / denominator x a constant).

    Raises
    ------
    DataError
        A missing column, a code not in normalised form, or a value outside the allowed set.
    """
    path = Path(path) if path is not None else MEASURES_FILE
    df = read_csv_raw(path)
    require_columns(df, MEASURE_COLUMNS, file=path)
    df["_row"] = df.index + 2
    for col in ("other_names", "notes", "polarity_source", "data_collection", "scale"):
        df[col] = df[col].fillna("")
    bools = df["survey_based"].str.strip().str.lower().map({"true": True, "false": False})
    raise_first(bools.isna(), "expected true or false", file=path, rows=df["_row"], column="survey_based",
                values=df["survey_based"])
    df["survey_based"] = bools.astype(bool)
    df["multiplier"], _ = parse_numbers(df["multiplier"], file=path, column="multiplier", rows=df["_row"])
    df = df[[*MEASURE_COLUMNS, "_row"]]
    unique_key(df, ["measure_code"], table="ascof_measures", file=path)
    out = validate(df, ASCOF_MEASURES_SCHEMA, file=path)
    return out.sort_values("measure_code", kind="stable").reset_index(drop=True)


def expected_value(df: pd.DataFrame, registry: pd.DataFrame | None = None) -> pd.Series:
    """Return numerator / denominator x the measure's multiplier (``NaN`` where not computable).

    For percentages the multiplier is 100, for rates per 100,000 it is 100,000, and for the quality of
    life scores (1A, 1D) it is 1 (the numerator is the weighted sum of scores). 1J has none.
    """
    reg = measures() if registry is None else registry
    mult = df["measure_code"].map(reg.set_index("measure_code")["multiplier"])
    return df["numerator"] / df["denominator"].where(df["denominator"] > 0) * mult



# ----------------------------------------------------------------------------------------------------
# Published polarity file (a cross-check of the registry, not an input of any table)
# ----------------------------------------------------------------------------------------------------

def load_direction(path: str | Path | None = None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read ``ascof_measure_direction.csv`` and map each description to a registry code.

    Returns
    -------
    pandas.DataFrame
        ``description`` (as published), ``direction`` (as published), ``polarity`` (``higher``/``lower``),
        ``measure_code`` (``NaN`` if the description matches no registry name), ``_row``.
    """
    path = Path(path) if path is not None else sources.get(SOURCE_DIRECTION).path
    df = read_csv_raw(path)
    require_columns(df, ["Measure Group Description", "Direction"], file=path)
    df["_row"] = df.index + 2
    pol = df["Direction"].str.strip().str.lower().map({"higher is better": "higher", "lower is better": "lower"})
    raise_first(pol.isna(), "expected 'Higher is better' or 'Lower is better'", file=path, rows=df["_row"],
                column="Direction", values=df["Direction"])
    out = pd.DataFrame({
        "description": df["Measure Group Description"].str.strip(),
        "direction": df["Direction"].str.strip(),
        "polarity": pol,
        "measure_code": resolve_measure_names(df["Measure Group Description"], registry),
        "_row": df["_row"],
    })
    return out


def compare_directions(direction: pd.DataFrame | None = None, registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compare the published polarity file with the registry.

    Returns
    -------
    pandas.DataFrame
        One row per line of the direction file: ``measure_code``, ``description``, ``published`` and
        ``registry`` polarity, and ``agree`` (bool).
    """
    reg = measures() if registry is None else registry
    d = load_direction(registry=reg) if direction is None else direction
    out = d.assign(
        published=d["polarity"],
        registry=d["measure_code"].map(reg.set_index("measure_code")["polarity"]),
    )
    out["agree"] = out["published"] == out["registry"]
    return out[["measure_code", "description", "published", "registry", "agree"]].reset_index(drop=True)


