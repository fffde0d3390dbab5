"""Shared helpers for the adult social care (ASC) finance and performance notebooks.

Import as ``import helpers`` from a notebook or a script. Modules are named by domain:

Foundation
    :mod:`helpers.paths` (the one place for paths; ``ASC_NATIONAL_DIR``), :mod:`helpers.errors` (one-line
    errors naming file, row and column), :mod:`helpers.io` (spreadsheets, numbers with suppression markers,
    atomic writes, hashes), :mod:`helpers.sources` (the register of national files; fetch and status),
    :mod:`helpers.schemas` (pandera schemas), :mod:`helpers.tables` (registry, incremental build, ``load``),
    :mod:`helpers.params` (notebook parameter rules), :mod:`helpers.run` (papermill runner, HTML, index,
    manifest), :mod:`helpers.cli` (the ``asc`` command), :mod:`helpers.plots` (the one chart style),
    :mod:`helpers.report` (tables and messages for readers).
Data
    :mod:`helpers.councils` (the one reference table of councils), :mod:`helpers.national` (loaders of the
    national official statistics), :mod:`helpers.council_data` (councils' own report figures: the template).
Analysis
    :mod:`helpers.stats` (intervals, significance, MAD verdicts, funnels, trends), :mod:`helpers.benchmark` and
    :mod:`helpers.outcomes` (spend per head and ASCOF benchmarking), :mod:`helpers.demand`,
    :mod:`helpers.demography`, :mod:`helpers.demand_data` and :mod:`helpers.demand_analysis` (demand
    forecasting), :mod:`helpers.variance` (forecast variance), :mod:`helpers.rag` (RAG and direction of
    travel), :mod:`helpers.overview` (the data overview report).
"""

from __future__ import annotations

__version__ = "0.1.0"
