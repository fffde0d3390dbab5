"""Shared helpers for the adult social care (ASC) finance and performance notebooks.

Import as ``import helpers`` from a notebook or a script. Modules are named by domain:

Foundation
    :mod:`helpers.core.paths` (the one place for paths; ``ASC_NATIONAL_DIR``), :mod:`helpers.core.errors` (one-line
    errors naming file, row and column), :mod:`helpers.data.io` (spreadsheets, numbers with suppression markers,
    atomic writes, hashes), :mod:`helpers.data.sources` (the register of national files; fetch and status),
    :mod:`helpers.data.schemas` (pandera schemas), :mod:`helpers.data.tables` (registry, incremental build, ``load``),
    :mod:`helpers.pipeline.params` (notebook parameter rules), :mod:`helpers.pipeline.run` (papermill runner, HTML, index,
    manifest), :mod:`helpers.pipeline.cli` (the ``asc`` command), :mod:`helpers.reports.plots` (the one chart style),
    :mod:`helpers.reports.present` (tables and messages for readers).
Data
    :mod:`helpers.data.councils` (the one reference table of councils), :mod:`helpers.data.national` (loaders of the
    national official statistics), :mod:`helpers.data.council_reports` (councils' own report figures: the template).
Analysis
    :mod:`helpers.analysis.stats` (intervals, significance, MAD verdicts, funnels, trends), :mod:`helpers.analysis.benchmarking.spend` and
    :mod:`helpers.analysis.benchmarking.outcomes` (spend per head and ASCOF benchmarking), :mod:`helpers.analysis.demand.models`,
    :mod:`helpers.analysis.demand.demography`, :mod:`helpers.analysis.demand.series` and :mod:`helpers.reports.demand_trends` (demand
    forecasting), :mod:`helpers.analysis.variance.budget` (forecast variance), :mod:`helpers.analysis.scorecard` (RAG and direction of
    travel), :mod:`helpers.reports.data_overview` (the data overview report).
"""

from __future__ import annotations

__version__ = "0.1.0"
