"""docs/data_dictionary.md names every table (the ``data_dictionary`` fixture of ``tests/conftest.py`` parses it).

That every column of every built table is documented is checked in ``tests/data/test_data_layer.py``.
"""

from __future__ import annotations


def test_dictionary_sections_parse(data_dictionary: dict[str, str]) -> None:
    """The dictionary's section headings name the tables (the parser that tests/data/test_data_layer.py relies on to check every column)."""
    sections = data_dictionary
    for name in ("councils", "council_names", "population", "population_sya", "ascof", "spend", "activity",
                 "comparators", "deprivation", "deflators", "oflog_asc", "ascof_measures"):
        assert name in sections
