"""pandera schemas of the processed tables, and the validator that names file, row and column.

Every name below is importable from ``helpers.data.schemas`` (the one place loaders import them from); the
package holds them by job:

* :mod:`~helpers.data.schemas.columns` -- code and year patterns, the column builders every schema uses;
* :mod:`~helpers.data.schemas.validation` -- :func:`validate` and :func:`unique_key`;
* :mod:`~helpers.data.schemas.national` -- the national tables (population, ASCOF, spend, activity,
  comparators, deprivation);
* :mod:`~helpers.data.schemas.councils` -- the council reference tables and the council report tables
  (:func:`council_schema`).

Conventions shared by every table (see ``docs/data_dictionary.md``):

* councils are keyed by ONS GSS code ``gss_code`` (``E06``/``E08``/``E09``/``E10`` councils,
  ``E12`` regions, ``E92000001`` England);
* financial years are text ``YYYY-YY`` (``2022-23``) in a column named ``year``;
* money is in £ thousands in columns ending ``_gbp_k``;
* a value that is not published stays ``NaN`` and its reason is in the matching ``*_status`` column
  (one of :data:`helpers.data.io.STATUSES`);
* every row names the register id of the file it came from in ``source_id``.

The loaders call :func:`validate` before writing.
"""

from __future__ import annotations

from helpers.data.schemas.columns import (
    AREA_RE,
    CODE_LIST_RE,
    COUNCIL_CODE_RE,
    GSS_RE,
    YEAR_RE,
    gss_column,
    matches,
    on_distinct,
    optional_float,
    status_column,
    text_column,
    year_column,
)
from helpers.data.schemas.councils import (
    COUNCIL_COMMON_COLUMNS,
    COUNCIL_DOT,
    COUNCIL_KIND_COLUMNS,
    COUNCIL_NAMES,
    COUNCIL_PERIOD_RE,
    COUNCIL_POLARITIES,
    COUNCIL_PREVIOUS_PERIOD_RE,
    COUNCIL_ROW_TYPES,
    COUNCIL_TABLE_ID_RE,
    COUNCIL_TAIL_COLUMNS,
    COUNCIL_TYPES,
    COUNCILS,
    council_schema,
)
from helpers.data.schemas.national import (
    ACTIVITY_SCHEMA,
    ASCOF_CI_METHODS,
    ASCOF_CODE_RE,
    ASCOF_COMPARISONS,
    ASCOF_DISAGGREGATIONS,
    ASCOF_FRAMEWORKS,
    ASCOF_GEOGRAPHY_LEVELS,
    ASCOF_MEASURE_ID_RE,
    ASCOF_MEASURES_SCHEMA,
    ASCOF_POLARITIES,
    ASCOF_SCHEMA,
    ASCOF_UNITS,
    COMPARATORS,
    DEFLATORS_SCHEMA,
    DEPRIVATION,
    OFLOG_ASC_SCHEMA,
    POPULATION_LATEST_SCHEMA,
    POPULATION_SCHEMA,
    POPULATION_SYA_SCHEMA,
    SOURCE_ID_RE,
    SPEND_GROUPS,
    SPEND_MEASURES,
    SPEND_SCHEMA,
    SPEND_SOURCES,
)
from helpers.data.schemas.validation import unique_key, validate

__all__ = [
    "ACTIVITY_SCHEMA", "AREA_RE", "ASCOF_CI_METHODS", "ASCOF_CODE_RE", "ASCOF_COMPARISONS", "ASCOF_DISAGGREGATIONS",
    "ASCOF_FRAMEWORKS", "ASCOF_GEOGRAPHY_LEVELS", "ASCOF_MEASURE_ID_RE", "ASCOF_MEASURES_SCHEMA", "ASCOF_POLARITIES", "ASCOF_SCHEMA", "ASCOF_UNITS",
    "CODE_LIST_RE", "COMPARATORS", "COUNCILS", "COUNCIL_CODE_RE", "COUNCIL_COMMON_COLUMNS", "COUNCIL_DOT",
    "COUNCIL_KIND_COLUMNS", "COUNCIL_NAMES", "COUNCIL_PERIOD_RE", "COUNCIL_POLARITIES", "COUNCIL_PREVIOUS_PERIOD_RE",
    "COUNCIL_ROW_TYPES", "COUNCIL_TABLE_ID_RE", "COUNCIL_TAIL_COLUMNS", "COUNCIL_TYPES", "DEFLATORS_SCHEMA",
    "DEPRIVATION", "GSS_RE", "OFLOG_ASC_SCHEMA", "POPULATION_LATEST_SCHEMA", "POPULATION_SCHEMA",
    "POPULATION_SYA_SCHEMA", "SOURCE_ID_RE", "SPEND_GROUPS", "SPEND_MEASURES", "SPEND_SCHEMA", "SPEND_SOURCES", "YEAR_RE",
    "council_schema", "gss_column", "matches", "on_distinct", "optional_float", "status_column", "text_column",
    "unique_key", "validate", "year_column",
]
