"""The ASCOF tables: outcome measures, the measure registry, and Oflog's adult social care measures.

The files are read by :mod:`helpers.data.national.ascof_files`, the registry by
:mod:`helpers.data.national.ascof_measures`. Tables registered here (schemas in :mod:`helpers.data.schemas`,
columns in ``docs/data_dictionary.md``):

``ascof``
    One row per published value of one ASCOF measure: ``(source_id, gss_code, year, measure_code,
    disaggregation)``. The measure value is in ``value``; the numerator, denominator, survey base and
    margin of error published with it are columns of the same row (each with its ``*_status``), so a
    notebook gets "value with numerator / denominator for council X, measure M, year Y" with one filter.
    Two sources: the 2017-18 to 2022-23 trend file (values only, ``ascof_trend``) and the 2020-21 open
    data (values with numerators, denominators, bases and margins of error, ``ascof_2020_21_open_data``).
    Where both give the same value (2020-21, Total) both rows are kept; ``primary`` marks the one to use
    (the open-data row, which carries the numerator and denominator).
``ascof_measures``
    The one measure registry (polarity, unit, interval method, comparison, survey flag, years), compiled by
    this project in the committed file ``data/raw/reference/ascof_measures.csv``.
``oflog_asc``
    Oflog's seven adult social care measures with Oflog's own median and distance from it in MADs.

Measure codes are normalised to the handbook's form (``1A``, ``1C(1A)``, ``2A(2)``, ``3D(1)``): see
:func:`helpers.data.national.ascof_measures.normalise_measure_code` and ``docs/methods.md``.
"""

from __future__ import annotations

import pandas as pd

from helpers.data.national.ascof_files import (
    SOURCE_OFLOG,
    SOURCE_OPEN,
    SOURCE_TREND,
    load_oflog,
    load_open_data,
    load_trend,
    sort_rows,
)
from helpers.data.national.ascof_measures import MEASURES_FILE, measures
from helpers.data.reading import check_registered, registered_paths
from helpers.data.tables import TableSpec, register_table


def build_ascof() -> pd.DataFrame:
    """Build the ``ascof`` table from the trend file and the 2020-21 open data.

    ``primary`` is ``False`` on a trend row whose value the open data also gives (same council or area,
    2020-21, measure and disaggregation): the open-data row is the one to use (it has the numerator and
    denominator). Every other row is primary, so ``df[df.primary]`` has one row per
    ``(gss_code, year, measure_code, disaggregation)``.
    """
    reg = measures()
    trend = load_trend(registry=reg)
    open_ = load_open_data(registry=reg)
    keys = ["gss_code", "year", "measure_code", "disaggregation"]
    both = trend[keys].merge(open_[keys], on=keys, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    trend["primary"] = ~both
    out = sort_rows(pd.concat([trend, open_], ignore_index=True))
    check_registered([SOURCE_TREND, SOURCE_OPEN])
    return out



def build_oflog() -> pd.DataFrame:
    """Build the ``oflog_asc`` table from the registered file (:func:`load_oflog`, then the register check)."""
    out = load_oflog()
    check_registered([SOURCE_OFLOG])
    return out


# ----------------------------------------------------------------------------------------------------
# Table registrations
# ----------------------------------------------------------------------------------------------------

register_table(TableSpec(
    name="ascof_measures",
    build=measures,
    inputs=lambda: [MEASURES_FILE],
    kind="reference",
    description="ASCOF measure registry: polarity, unit, interval method, comparison, survey flag, years",
))
register_table(TableSpec(
    name="ascof",
    build=build_ascof,
    inputs=lambda: [*registered_paths([SOURCE_TREND, SOURCE_OPEN]), MEASURES_FILE],
    depends=("councils",),
    kind="national",
    description="ASCOF measure values 2017-18 to 2022-23 (councils, regions, England); 2020-21 with numerators",
))
register_table(TableSpec(
    name="oflog_asc",
    build=build_oflog,
    inputs=lambda: [*registered_paths([SOURCE_OFLOG]), MEASURES_FILE],
    depends=("councils",),
    kind="national",
    description="Oflog adult social care measures ASC1-ASC7 with Oflog's median and MADs from it",
))
