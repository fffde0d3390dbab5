"""Tests of helpers.data.national.comparators on small synthetic files (edge cases, no national data).
The tests on the real files are in ``tests/data/test_comparators.py``.
"""

from __future__ import annotations

import json

import pytest

from helpers.core.errors import DataError
from helpers.data.national import comparators as cmp


def test_bad_inputs_fail_with_file_row_and_column(tmp_path):
    """Small synthetic files (edge cases): a list without its own council, a name that disagrees with its
    code, too few neighbours."""
    p = tmp_path / "nn.json"
    p.write_text(json.dumps({"E08000009": ["E08000007"] * 16}, indent=4))
    with pytest.raises(DataError, match=r"nn.json, row 2, column 'E08000009'.*own list"):
        cmp.load_oflog(p)
    f = tmp_path / "t.csv"
    f.write_text("area_code,area_name\nE06000007,Swindon\n")
    with pytest.raises(DataError, match=r"row 2, column 'area_code'.*disagree"):
        cmp.load_trafford("cipfa_2019", f)
    f.write_text("area_code,area_name\nE06000007,Warrington\n")
    with pytest.raises(DataError, match="expected 15"):
        cmp.load_trafford("cipfa_2019", f)
