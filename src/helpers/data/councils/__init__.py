"""The one reference table of councils: codes, names, regions, types and boundary changes.

Every loader joins councils on ONS GSS codes and maps published names to codes through this package only.
It reads the committed reference tables in ``data/raw/reference/``, so it works without any national data.
Every name below is importable from ``helpers.data.councils``; the package holds them by job:

* :mod:`~helpers.data.councils.reference` -- the reference table and its lookups (:func:`reference`,
  :func:`current`, :func:`get`, :func:`name_of`, :func:`regions`, :func:`split_codes`);
* :mod:`~helpers.data.councils.names` -- published names and CASSR codes to GSS codes
  (:func:`resolve_names`, :func:`cassr_to_gss`, :func:`normalise_name`) and a council parameter to its code
  (:func:`validate_code`);
* :mod:`~helpers.data.councils.changes` -- boundary changes: :func:`current_code`, :func:`series_breaks`;
* :mod:`~helpers.data.councils.build` -- the processed tables ``councils`` and ``council_names``.
"""

from __future__ import annotations

from helpers.data.councils.changes import current_code, series_breaks
from helpers.data.councils.names import (
    cassr_to_gss,
    name_variants,
    normalise_name,
    normalise_names,
    resolve_names,
    validate_code,
)
from helpers.data.councils.reference import (
    COUNCILS_CSV,
    ENGLAND,
    FIRST_YEAR,
    KNOWN_TO,
    LATEST_YEAR,
    NAMES_CSV,
    REGIONS_CSV,
    counts_by_year,
    current,
    get,
    name_of,
    reference,
    regions,
    split_codes,
)
from helpers.data.schemas import COUNCIL_TYPES

#: Old private name of :func:`split_codes`, kept until ``helpers.analysis.benchmarking.spend`` calls
#: ``split_codes``.

__all__ = [
    "COUNCILS_CSV", "COUNCIL_TYPES", "ENGLAND", "FIRST_YEAR", "KNOWN_TO", "LATEST_YEAR", "NAMES_CSV", "REGIONS_CSV",
    "cassr_to_gss", "counts_by_year", "current", "current_code", "get", "name_of", "name_variants",
    "normalise_name", "normalise_names", "reference", "regions", "resolve_names", "series_breaks", "split_codes",
    "validate_code",
]
