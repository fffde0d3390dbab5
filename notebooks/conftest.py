"""nbval over the committed notebooks: skip those that need national data when it is absent."""

from __future__ import annotations

import json

import pytest

from helpers.data import sources


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if sources.national_available():
        return
    for item in items:
        path = str(getattr(item, "fspath", ""))
        if path.endswith(".ipynb"):
            meta = json.loads(open(path, encoding="utf-8").read()).get("metadata", {}).get("asc", {})
            if meta.get("needs_national"):
                item.add_marker(pytest.mark.skip(
                    reason="needs national data: set ASC_NATIONAL_DIR to the folder of national files"))
