"""How many hypothesis examples a property test draws, per profile.

Each property test names its full-strength count (``max_examples=examples(150)``); the ``ci`` profile (the
default: ``make test``, ``.ci/run``) draws that many, the ``unit`` profile (``make test-unit``, the quick
developer loop) a tenth of it, at least 5. A test's own ``@settings(max_examples=...)`` overrides any profile,
so the scaling is done here rather than in the profile. Same assertions either way; only the number of drawn
cases differs (recorded in docs/decisions.md).
"""

from __future__ import annotations

import os

#: Share of each test's full-strength examples drawn under each profile.
SHARE: dict[str, float] = {"ci": 1.0, "unit": 0.1}


def examples(full: int) -> int:
    """Return the number of examples for this run's profile (``HYPOTHESIS_PROFILE``, default ``ci``)."""
    share = SHARE.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 1.0)
    return full if share >= 1 else max(5, round(full * share))
