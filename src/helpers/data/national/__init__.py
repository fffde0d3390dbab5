"""Loaders of the national official statistics (read from ``ASC_NATIONAL_DIR``, never committed).

One module per dataset: ``population``, ``ascof``, ``spend``, ``activity``, ``comparators``,
``deprivation``. Each registers its processed tables with :func:`helpers.data.tables.register_table`. What they
all do the same way (truncation check of CSVs, whole-block number parsing, the first-bad-row error, the check
that a table was built from the registered version of each file) is in ``reading``.
"""
