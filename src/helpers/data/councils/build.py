"""The processed tables ``councils`` and ``council_names``: the committed reference files, checked.

The checks name the file, row and column of the first problem: a missing column, a duplicated council or
spelling, a region or linked council (predecessor, successor) that is not in the reference files, and every
rule of the schemas (:data:`helpers.data.schemas.COUNCILS`, :data:`helpers.data.schemas.COUNCIL_NAMES`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data import schemas
from helpers.data.councils.reference import (
    COUNCILS_CSV,
    NAMES_CSV,
    REGIONS_CSV,
    read_reference_file,
    split_codes,
)
from helpers.data.io import require_columns
from helpers.data.reading import raise_first
from helpers.data.tables import TableSpec, register_table


def build_councils() -> pd.DataFrame:
    """Build the ``councils`` table from ``councils.csv`` (checked against ``regions.csv``), sorted by code."""
    df = read_reference_file(COUNCILS_CSV)
    require_columns(df, schemas.COUNCILS.columns, file=COUNCILS_CSV)
    df = df.replace("", None)
    df["_row"] = np.arange(len(df)) + 2
    schemas.unique_key(df, ["gss_code"], table="councils", file=COUNCILS_CSV)
    regions = set(read_reference_file(REGIONS_CSV)["region_code"])
    raise_first(~df["region_code"].isin(regions), "region code not in regions.csv", file=COUNCILS_CSV,
                rows=df["_row"], column="region_code", values=df["region_code"])
    known = set(df["gss_code"])
    for col in ("predecessor_codes", "successor_codes"):
        linked = df[col].map(lambda v: [c for c in split_codes(v) if c not in known])
        raise_first(linked.map(bool), "a linked council is not in councils.csv", file=COUNCILS_CSV, rows=df["_row"],
                    column=col, values=df[col])
    out = schemas.validate(df, schemas.COUNCILS, file=COUNCILS_CSV)
    return out.sort_values("gss_code").reset_index(drop=True)


def build_names() -> pd.DataFrame:
    """Build the ``council_names`` table from ``council_name_variants.csv`` (every code a council or region)."""
    df = read_reference_file(NAMES_CSV)
    require_columns(df, schemas.COUNCIL_NAMES.columns, file=NAMES_CSV)
    df["_row"] = np.arange(len(df)) + 2
    schemas.unique_key(df, ["name_variant", "gss_code"], table="council_names", file=NAMES_CSV)
    known = set(read_reference_file(COUNCILS_CSV)["gss_code"]) | set(read_reference_file(REGIONS_CSV)["region_code"])
    raise_first(~df["gss_code"].isin(known), "code not in councils.csv or regions.csv", file=NAMES_CSV,
                rows=df["_row"], column="gss_code", values=df["gss_code"])
    out = schemas.validate(df, schemas.COUNCIL_NAMES, file=NAMES_CSV)
    return out.sort_values(["gss_code", "name_variant"]).reset_index(drop=True)


register_table(TableSpec(
    name="councils", build=build_councils, inputs=lambda: [COUNCILS_CSV, REGIONS_CSV], kind="reference",
    description="Councils with adult social services responsibility 2008-09 to 2024-25: codes, names, boundary changes",
))
register_table(TableSpec(
    name="council_names", build=build_names, inputs=lambda: [NAMES_CSV, COUNCILS_CSV, REGIONS_CSV],
    kind="reference", description="Every published spelling of a council, region or England name, with its GSS code",
))
