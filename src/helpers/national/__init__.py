"""Loaders of the national official statistics (read from ``ASC_NATIONAL_DIR``, never committed).

One module per dataset: ``population``, ``ascof``, ``spend``, ``activity``, ``comparators``,
``deprivation``. Each registers its processed tables with :func:`helpers.tables.register_table`.
"""
