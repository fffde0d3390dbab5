"""What the spend collections share: harmonised service groups, age bands, line types, and the labelling of
parsed rows that the RO3 and ASC-FR readers (:mod:`~helpers.data.national.spend_ro3`,
:mod:`~helpers.data.national.spend_ascfr`) both use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: ``PSS-EX1`` (the return up to 2013-14) is allowed by the schema; no PSS-EX1 expenditure file is here.
COLLECTIONS = ("RO3", "PSS-EX1", "ASC-FR")
AGE_BANDS = ("18-64", "65+", "18+")
LINE_TYPES = ("detail", "subtotal", "total", "memorandum")

#: Harmonised service groups (``service_group``) and what each means; the per-collection mapping is in
#: :data:`~helpers.data.national.spend_ro3.RO3_LINES`, :data:`~helpers.data.national.spend_ascfr.ASCFR_1415_GROUPS`
#: and :data:`~helpers.data.national.spend_ascfr.ASCFR_PSR_GROUPS` and in ``docs/methods.md``.
SERVICE_GROUPS: dict[str, str] = {
    "physical_support": "primary support reason: physical support",
    "sensory_support": "primary support reason: sensory support",
    "memory_cognition": "primary support reason: support with memory and cognition",
    "learning_disability": "primary support reason: learning disability support",
    "mental_health": "primary support reason: mental health support",
    "social_support": "social support: substance misuse, asylum seekers, social isolation/other, support to carers",
    "assistive_equipment_technology": "assistive equipment and technology",
    "social_care_activities": "social care activities (ASC-FR); care assessment and safeguarding (RO3)",
    "information_early_intervention": "information and early intervention",
    "commissioning_service_delivery": "commissioning and service delivery (ASC-FR); commissioning, "
                                      "strategy and admin support (RO3)",
    "provider_payments": "RO3 2022-23/2023-24 only: disbursement and other payments to care providers",
    "all_support_reasons": "a subtotal across primary support reasons (ASC-FR 2014-15 'Total' lines)",
    "total": "total adult social care",
    "memorandum": "memorandum items outside the total",
}


def join_labels(parts: list[pd.Series]) -> pd.Series:
    """Join label columns row by row with ``": "``, leaving out empty parts (vectorised)."""
    out = pd.Series("", index=parts[0].index, dtype=object)
    for part in parts:
        text = part.fillna("").astype(str)
        sep = np.where((out != "") & (text != ""), ": ", "")
        out = out + sep + text
    return out


def label_rows(out: pd.DataFrame, year: str, source_id: str, collection: str, path: Path) -> pd.DataFrame:
    """Put the year, register id and collection after ``gss_code``, and the file (for error messages) last."""
    out.insert(1, "year", year)
    out.insert(2, "source_id", source_id)
    out.insert(3, "collection", collection)
    out["_file"] = str(path)
    return out

