"""Tests of helpers.data.national.deprivation without national data: measure names of the two vintages.
The tests on the real files are in ``tests/data/test_deprivation.py``.
"""

from __future__ import annotations

import pytest

from helpers.core.errors import DataError
from helpers.data.national import deprivation as dep


def test_measure_names_line_up_across_vintages():
    """Hand-worked header mappings (2015 and 2019 wordings of the same measures)."""
    f = "iod.xlsx"
    assert dep.measure_name("IMD - Average score", "IMD", file=f)[0] == "IMD - Average score"
    assert dep.measure_name("IMD - Average score ", "IMD", file=f)[0] == "IMD - Average score"
    assert dep.measure_name("IMD 2019 - Rank of extent ", "IMD", file=f)[0] == "IMD - Rank of extent"
    assert dep.measure_name("Income scale", "Income", file=f)[0] == "Income - Scale"
    assert dep.measure_name("Rank of Employment Scale", "Employment", file=f)[0] == "Employment - Rank of scale"
    assert dep.measure_name("Income - Proportion  of LSOAs in most deprived 10% nationally ", "Income", file=f)[0] \
        == "Income - Proportion of LSOAs in most deprived 10% nationally"
    assert dep.measure_name("Income Deprivation Affecting Children Index (IDACI) - Average rank", "IDACI",
                            file=f)[0] == "IDACI - Average rank"
    with pytest.raises(DataError, match="Income domain"):
        dep.measure_name("Crime - Average rank", "Income", file=f)  # a header under the wrong sheet
    with pytest.raises(DataError, match="not a known"):
        dep.measure_name("Population", "IMD", file=f)
