"""Shared helpers for the adult social care (ASC) finance and performance notebooks.

Arranged by stage of the data flow; each stage imports only from the stages before it
(``docs/architecture.md`` is the map, ``tests/unit/test_architecture.py`` holds the rules):

:mod:`helpers.core`
    paths, errors, periods (financial years, quarters, months), text (number formats, escaping).
:mod:`helpers.data`
    readers, the sources register, the table registry and its cached loader, schemas, councils, the
    council-report loader, and ``national/`` (one module family per source).
:mod:`helpers.analysis`
    statistics and the domain calculations: benchmarking, variance, scorecard, demand. Never displays.
:mod:`helpers.reports`
    what a reader sees: prose, tables, workbooks, charts, and one module per notebook.
:mod:`helpers.pipeline`
    parameter schemas (one per notebook), notebooks, execution (papermill, warm kernels), outputs (HTML,
    index, manifest) and the ``asc`` command.
"""

from __future__ import annotations

__version__ = "0.1.0"
