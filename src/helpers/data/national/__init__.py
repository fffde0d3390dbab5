"""Loaders of the national official statistics (read from ``ASC_NATIONAL_DIR``, never committed).

One table module per dataset: ``population``, ``ascof``, ``spend``, ``activity``, ``comparators``,
``deprivation``. Each registers its processed tables with :func:`helpers.data.tables.register_table`; where a
dataset's files take a lot of reading, the reading is in a module beside it (``population_files``;
``ascof_measures`` and ``ascof_files``; ``spend_ro3``, ``spend_ascfr`` and what they share, ``spend_lines``).
What every loader does the same way (truncation check of CSVs, whole-block number parsing, the first-bad-row
error, the check that a table was built from the registered version of each file) is in
:mod:`helpers.data.reading`.
"""
