"""Tests of helpers.data.national.ascof_measures without national data: the committed measure registry, code and
name normalisation, expected values. The tests on the real files are in ``tests/data/test_ascof.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core import paths
from helpers.core.errors import DataError
from helpers.data import tables
from helpers.data.national import ascof_crosswalk, ascof_measures
from helpers.data.schemas import ASCOF_CODE_RE

SURVEY = {"1A", "1B", "1D", "1I(1)", "1I(2)", "1J", "3A", "3B", "3C", "3D(1)", "3D(2)", "4A", "4B"}


LOWER_IS_BETTER = {"2A(1)", "2A(2)", "2C(1)", "2C(2)", "2C(3)"}


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return ascof_measures.measures()


def test_registry_content(registry: pd.DataFrame) -> None:
    """The committed registry holds the 29 ASCOF measures of 2017-18 to 2022-23 with handbook polarity."""
    assert len(registry) == 29
    assert registry["measure_code"].is_unique
    assert set(registry.loc[registry["polarity"] == "lower", "measure_code"]) == LOWER_IS_BETTER
    assert set(registry.loc[registry["polarity"] == "higher", "measure_code"]) == set(registry["measure_code"]) - LOWER_IS_BETTER
    assert set(registry.loc[registry["survey_based"], "measure_code"]) == SURVEY
    assert set(registry.loc[registry["ci_method"] == "byar", "measure_code"]) == {"2A(1)", "2A(2)"}
    assert set(registry.loc[registry["ci_method"] == "none", "measure_code"]) == {"2C(1)", "2C(2)", "2C(3)"}
    wilson = set(registry.loc[registry["ci_method"] == "wilson", "measure_code"])
    assert wilson == {"1C(1A)", "1C(1B)", "1C(2A)", "1C(2B)", "1E", "1F", "1G", "1H", "2B(1)", "2B(2)", "2D"}
    assert (registry.loc[registry["unit"] == "percent", "multiplier"] == 100).all()
    assert (registry.loc[registry["unit"] == "rate_per_100k", "multiplier"] == 100000).all()
    assert registry.set_index("measure_code").loc["1J", "scale"] == "0-1"
    assert dict(registry.dropna(subset=["oflog_code"])[["oflog_code", "measure_code"]].values) == {
        "ASC1": "1D", "ASC2": "1J", "ASC3": "3D(1)", "ASC4": "3D(2)", "ASC5": "2D"}
    assert (registry["polarity_source"].str.len() > 0).all()


def test_registry_table_builds_without_national_data() -> None:
    """ascof_measures is a reference table: it builds from the committed files alone (the registry, the crosswalk
    and the register, whose ASCOF years decide the frameworks listed: the committed ones end in 2022-23)."""
    spec = tables.discover()["ascof_measures"]
    assert spec.kind == "reference"
    assert spec.inputs()[:3] == [ascof_measures.MEASURES_FILE, ascof_crosswalk.CROSSWALK_FILE,
                                 paths.SOURCES_REGISTER]
    built = spec.build()
    assert len(built) == 29 and set(built["framework"]) == {"to 2022-23"}


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1A", "1A"), ("1C1A", "1C(1A)"), ("1C2B", "1C(2B)"), ("2A1", "2A(1)"), ("2A2", "2A(2)"), ("1I1", "1I(1)"),
     ("3D2", "3D(2)"), ("2C3", "2C(3)"), ("1c(1a)", "1C(1A)"), (" 2B (1) ", "2B(1)"), ("ASCOF 2D", "2D"),
     ("1C(1A)", "1C(1A)"), ("4b", "4B")],
)
def test_normalise_measure_code_examples(raw: str, code: str) -> None:
    """Hand-worked examples of the one normalisation (trend and open-data spellings -> handbook form)."""
    assert ascof_measures.normalise_measure_code(raw) == code


# "5A" was rejected before 2023-24's six objectives: it is a code now (the 2023-24 files use objectives 5 and 6)
@pytest.mark.parametrize("raw", ["", "7A", "1K", "1C3C", "1A12", "A1", "1", None, float("nan"), "1A65OV"])
def test_normalise_measure_code_rejects(raw: object) -> None:
    with pytest.raises(ValueError):
        ascof_measures.normalise_measure_code(raw)


def _unbracket(code: str) -> str:
    return code.replace("(", "").replace(")", "")


@given(
    idx=st.integers(0, 28),
    case=st.lists(st.booleans(), min_size=8, max_size=8),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
    brackets=st.booleans(),
    prefix=st.sampled_from(["", "ASCOF ", "ascof", "ASCOF-"]),
)
def test_normalise_measure_code_fuzz(idx: int, case: list[bool], pad: str, brackets: bool, prefix: str) -> None:
    """Mangled copies of the codes as the files print them (case, spaces, brackets, prefix) normalise back."""
    code = ascof_measures.measures()["measure_code"].iloc[idx]
    text = code if brackets else _unbracket(code)
    text = "".join(c.lower() if flip else c for c, flip in zip(text, case + [False] * len(text), strict=False))
    mangled = f"{pad}{prefix}{text}{pad}"
    out = ascof_measures.normalise_measure_code(mangled)
    assert out == code
    assert ascof_measures.normalise_measure_code(out) == out  # idempotent


@given(st.text(max_size=8))
def test_normalise_measure_code_output_form(text: str) -> None:
    """Whatever comes in, a code that comes out is in the schema's form."""
    try:
        out = ascof_measures.normalise_measure_code(text)
    except ValueError:
        return
    assert re.match(ASCOF_CODE_RE, out)


def test_name_key_and_resolution(registry: pd.DataFrame) -> None:
    """Published spellings differ only in dashes, brackets, commas and 'The'; the key makes them equal."""
    a = "Adjusted Social care-related quality of life \x96 impact of Adult Social Care services"
    b = "Adjusted social care-related quality of life - impact of adult social care services"
    assert ascof_measures.name_key(a) == ascof_measures.name_key(b)
    assert ascof_measures.name_key("The outcome of short-term services: sequel to service") == ascof_measures.name_key(
        "Outcome of short-term services: sequel to service")
    names = pd.Series([
        "Long-term support needs of older adults aged 65 and over met by admission to residential and nursing "
        "care homes, per 100,000 population",
        "Proportion of carers who receive self-directed support",
        "Something else entirely",
    ])
    assert ascof_measures.resolve_measure_names(names, registry).tolist() == ["2A(2)", "1C(1B)", None]


def test_expected_value_hand_worked(registry: pd.DataFrame) -> None:
    """Stockport 2A(2) 2020-21 (open data): 806 admissions / 58,933 people 65+ x 100,000 = 1,367.7."""
    df = pd.DataFrame({"measure_code": ["2A(2)", "1E", "1A", "1J"], "numerator": [806.0, 119, 83160, np.nan],
                       "denominator": [58933.0, 1214, 4235, np.nan]})
    out = ascof_measures.expected_value(df, registry)
    assert out.iloc[0] == pytest.approx(1367.65, abs=0.01)
    assert out.iloc[1] == pytest.approx(9.80, abs=0.01)  # published 9.8
    assert out.iloc[2] == pytest.approx(19.64, abs=0.01)  # published 19.6 (1A: weighted score sum / respondents)
    assert np.isnan(out.iloc[3])


def test_registry_bad_input(tmp_path: Path) -> None:
    """Synthetic edits of the committed registry: a duplicated code and a bad polarity are one DataError each."""
    text = ascof_measures.MEASURES_FILE.read_text(encoding="utf-8").splitlines()
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join([*text, text[1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 31.*measure_code.*duplicate"):
        ascof_measures.measures(dup)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([text[0], text[1].replace(",higher,", ",up,"), *text[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2, column 'polarity'"):
        ascof_measures.measures(bad)


# ------------------------------------------------------------------------------------------------
# measure identity across the 2023-24 renumbering (issue 13 item 3)
# ------------------------------------------------------------------------------------------------


def test_crosswalk_maps_the_renumbered_measures_stated_in_the_issue() -> None:
    """2A(2) -> 2C, 2A(1) -> 2B, 1G -> 2E, 1C(2A) -> 3D(2A), 2B(1) -> 2D(1), each under one stable id; codes
    reused from 2023-24 (1B, 1D, 1E, 3A, 3B) have no mapping, so their old measures do not continue under
    them."""
    table = ascof_measures.code_table()
    new = table[table["framework"] == "from 2023-24"].set_index("old_code")
    assert new.loc["2A(2)", "measure_code"] == "2C" and new.loc["2A(1)", "measure_code"] == "2B"
    assert new.loc["1G", "measure_code"] == "2E" and new.loc["1C(2A)", "measure_code"] == "3D(2A)"
    assert new.loc["2B(1)", "measure_code"] == "2D(1)"
    for old in ("1B", "1D", "1E", "3A", "3B"):
        assert old not in new.index
    ids = table.groupby("measure_id")["framework"].nunique()
    assert ids["ltc_admissions_65plus"] == 2 and ids["control_over_daily_life"] == 1
    cw = ascof_crosswalk.crosswalk()
    assert (cw.loc[cw["status_from_2023_24"] == "continued", "confidence"] != "unsourced").all()
    assert set(cw.loc[cw["status_from_2023_24"] == "retired", "code_to_2022_23"]) == {"2C(1)", "2C(2)", "2C(3)"}


def test_framework_of_year() -> None:
    assert ascof_crosswalk.framework_of("2022-23") == "to 2022-23"
    assert ascof_crosswalk.framework_of("2023-24") == "from 2023-24"
    assert ascof_crosswalk.framework_of("2024-25") == "from 2023-24"


def test_registry_of_both_frameworks_keeps_attributes_under_the_stable_id() -> None:
    reg = ascof_measures.measures(frameworks=list(ascof_crosswalk.FRAMEWORKS))
    assert not reg.duplicated(["framework", "measure_code"]).any()
    a = reg.set_index(["framework", "measure_code"])
    old, new = a.loc[("to 2022-23", "2A(2)")], a.loc[("from 2023-24", "2C")]
    assert old["measure_id"] == new["measure_id"] == "ltc_admissions_65plus"
    assert (old["polarity"], old["unit"], old["multiplier"]) == (new["polarity"], new["unit"], new["multiplier"])
    assert new["measure_name"].startswith("The number of adults aged 65 and over")
    assert pd.isna(new["oflog_code"])


def _rows(codes: list[str], descs: list[str], year: str) -> pd.DataFrame:
    return pd.DataFrame({"year": year, "measure_code": codes, "desc": descs})


def test_a_reused_code_under_another_description_is_refused_naming_code_year_and_both_texts() -> None:
    df = _rows(["2C"], ["Delayed transfers of care from hospital, per 100,000 population"], "2023-24")
    with pytest.raises(DataError) as e:
        ascof_measures.assign_measures(df, code_col="measure_code", desc_col="desc", file="f.csv",
                                       rows=pd.Series([7]))
    msg = str(e.value)
    assert "row 7" in msg and "'2C' in 2023-24" in msg and "Delayed transfers of care" in msg
    assert "The number of adults aged 65 and over" in msg


def test_codes_map_by_the_framework_of_the_year() -> None:
    """2C is delayed transfers up to 2022-23 and admissions 65+ from 2023-24; the earlier name of a measure whose
    definition did not change is accepted under its new code."""
    old = ascof_measures.assign_measures(_rows(["2C(1)"], ["Delayed transfers of care from hospital, per 100,000 "
                                                           "population"], "2019-20"),
                                         code_col="measure_code", desc_col="desc", file="f", rows=pd.Series([2]))
    new = ascof_measures.assign_measures(_rows(["2C"], ["Long-term support needs of older adults (aged 65 and over) "
                                                        "met by admission to residential and nursing care homes, "
                                                        "per 100,000 population"], "2023-24"),
                                         code_col="measure_code", desc_col="desc", file="f", rows=pd.Series([2]))
    assert old["measure_id"].tolist() == ["dtoc_all"] and new["measure_id"].tolist() == ["ltc_admissions_65plus"]
    assert new["framework"].tolist() == ["from 2023-24"]


def test_unknown_code_of_the_new_framework_and_a_blank_description_are_refused() -> None:
    with pytest.raises(DataError, match="unknown ASCOF measure code '1B' for 2023-24.*framework from 2023-24"):
        ascof_measures.assign_measures(_rows(["1B"], ["Adjusted social care-related quality of life"], "2023-24"),
                                       code_col="measure_code", desc_col="desc", file="f", rows=pd.Series([3]))
    with pytest.raises(DataError, match="no description of ASCOF code '2C' in 2023-24"):
        ascof_measures.assign_measures(_rows(["2C"], [""], "2023-24"), code_col="measure_code", desc_col="desc",
                                       file="f", rows=pd.Series([3]))


def test_series_breaks_record_the_definition_changes_and_the_move_to_client_level_data() -> None:
    br = ascof_crosswalk.series_breaks()
    got = set(br[["measure_id", "year", "kind"]].itertuples(index=False, name=None))
    assert ("reablement_outcome_65plus", "2023-24", "definition") in got  # 2B(1) -> 2D(1)
    assert ("ltc_admissions_65plus", "2024-25", "data_collection") in got  # CLD instead of SALT
    assert ("ld_live_own_home_or_family", "2024-25", "definition") in got
    assert ("ltc_admissions_65plus", "2023-24", "definition") not in got  # 2A(2) -> 2C: same definition
    assert ("mh_live_independently", "2021-22", "method") in got
    assert br["reason"].str.len().gt(20).all() and br["source_url"].str.startswith("https://").all()


def test_crosswalk_refuses_a_mapping_without_a_source(tmp_path: Path) -> None:
    text = ascof_crosswalk.CROSSWALK_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "cw.csv"
    bad.write_text(text.replace("2A(2),continued,2C,", "2A(2),continued,2C,", 1).replace(
        "no,,sourced,https://digital.nhs.uk/data-and-information/data-collections-and-data-sets/data-collections/"
        "social-care-collection-materials-2024/salt-sources-for-ascof/ascof-measure-2c",
        "no,,unsourced,https://digital.nhs.uk/data-and-information/data-collections-and-data-sets/data-collections/"
        "social-care-collection-materials-2024/salt-sources-for-ascof/ascof-measure-2c", 1), encoding="utf-8")
    with pytest.raises(DataError, match="a mapping needs a source"):
        ascof_crosswalk.crosswalk(bad)
