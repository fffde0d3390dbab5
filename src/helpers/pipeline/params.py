"""Notebook parameters: one declared schema per notebook, checked before any kernel starts.

Each report notebook has a schema in :data:`SCHEMAS` (a pydantic model named after the notebook) with one
field per line of its ``parameters`` cell: the same name, type and default (``tests/unit/pipeline`` holds
them to each other and to ``asc notebooks``). A notebook's third cell calls
``params.check("<notebook_name>", council=council, ...)``; ``asc run`` calls :func:`coerce` (command-line
text to the cell's types) and the same :func:`check` before any kernel starts, so a bad value is refused with
one line naming the parameter, whichever way the notebook is run.

Every field is checked by a rule, most of them the domain's own (comparator groups, expenditure measures,
service scopes, rule sets, demand series, ASCOF codes); the rules raise
:class:`~helpers.core.errors.ParameterError` and :func:`check` passes the first one on unchanged. The choices
of a parameter live with its rule, in one place, not copied into ``Literal`` types here. Defaults are the
parameters cell's and are not re-checked (the notebooks run on them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError, ValidationInfo

from helpers.analysis.benchmarking import identity
from helpers.analysis.benchmarking.groups import check_population_rule, parse_comparator
from helpers.analysis.benchmarking.spend import check_expenditure
from helpers.analysis.demand.catalogue import check_series_key
from helpers.analysis.demand.checks import check_horizon, check_pct, check_unit_cost
from helpers.analysis.scorecard import check_rule_set
from helpers.analysis.variance.budget import check_scope
from helpers.analysis.variance.rag import check_rag_rule
from helpers.core import periods
from helpers.core.errors import ParameterError
from helpers.data import councils

#: Reporting period codes (from :mod:`helpers.core.periods`; kept here for the data tests that compare with it).
PERIOD_RE = periods.PERIOD_RE


# --------------------------------------------------------------------------------------------------
# Rules that are the pipeline's own (the domain rules are imported above)
# --------------------------------------------------------------------------------------------------

def check_council(value: Any, name: str = "council") -> str:
    """Return the GSS code of a council given its code or name, or raise with a suggestion."""
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"parameter {name!r}: expected a council GSS code such as 'E08000007', got {value!r}")
    return councils.validate_code(value.strip())


def check_comparator(value: Any) -> str:
    """Return a comparator group name, or a comma-separated list as GSS codes (``"E08000007,E08000009"``).

    The rule is :func:`helpers.analysis.benchmarking.groups.parse_comparator`: ``nearest_neighbours``, ``region``,
    ``council_type``, ``england``, a published group, or council codes / names separated by commas.
    """
    parsed = parse_comparator(value)
    return parsed if isinstance(parsed, str) else ",".join(parsed)


def check_measures(value: Any, name: str = "measures") -> str | list[str]:
    """Return ``value`` unchanged if it is ``'all'`` or ASCOF codes of either framework.

    The rule is :func:`helpers.analysis.benchmarking.identity.check_measures` (matched ignoring case, spaces and
    brackets; unknown codes named); the value is passed on as given, for the notebook to read.
    """
    identity.check_measures(value, name)
    return value


def check_flag(value: Any, name: str) -> bool:
    """Return ``True`` or ``False`` (nothing else: not ``1``, not ``"yes"``), or raise."""
    if not isinstance(value, bool):
        raise ParameterError(f"parameter {name!r}: expected True or False, got {value!r}")
    return value


def check_positive_int(value: Any, name: str, maximum: int | None = None) -> int:
    """Return a positive integer (at most ``maximum``) or raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or (maximum and value > maximum):
        limit = f" and at most {maximum}" if maximum else ""
        raise ParameterError(f"parameter {name!r}: expected a whole number of at least 1{limit}, got {value!r}")
    return value


def check_non_negative(value: Any, name: str) -> float:
    """Return a number of at least 0 (a threshold in per cent or £ thousands) or raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ParameterError(f"parameter {name!r}: expected a number of at least 0, got {value!r}")
    return float(value)


def check_spend_profile(value: Any) -> list[float]:
    """Return 12 non-negative monthly weights (April first), or ``[]`` for the calendar-day profile."""
    if value is None or (isinstance(value, (list, tuple)) and len(value) == 0):
        return []
    ok = isinstance(value, (list, tuple)) and len(value) == 12 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value) and sum(value) > 0
    if not ok:
        raise ParameterError("parameter 'spend_profile': give 12 non-negative monthly weights, April first "
                             f"(e.g. the council's budget profile), or [] for spend spread evenly by day; got {value!r}")
    return [float(v) for v in value]


# --------------------------------------------------------------------------------------------------
# Field types: a type (the parameters cell's) and the rule that checks it
# --------------------------------------------------------------------------------------------------

def named(rule: Callable[..., Any], **options: Any) -> PlainValidator:
    """A rule called with the value and the parameter's name (``rule(value, name, **options)``)."""
    def validate(value: Any, info: ValidationInfo) -> Any:
        return rule(value, info.field_name, **options)

    return PlainValidator(validate)


Council = Annotated[str, named(check_council)]
FinancialYear = Annotated[str, named(periods.check_fy)]
Period = Annotated[str, named(periods.check_period)]
Comparator = Annotated[str, PlainValidator(check_comparator)]
Measures = Annotated[str, named(check_measures)]
Flag = Annotated[bool, named(check_flag)]
Threshold = Annotated[float, named(check_non_negative)]
Percent = Annotated[float, named(check_pct)]
OptionalPercent = Annotated[float | None, named(check_pct, optional=True)]


class Schema(BaseModel):
    """A notebook's parameters: one field per line of its parameters cell, with the cell's default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DataOverview(Schema):
    """``00_data_overview``."""

    council: Council = "E08000007"


class SpendBenchmarking(Schema):
    """``01_spend_benchmarking``."""

    council: Council = "E08000007"
    year: FinancialYear = "2023-24"
    comparator: Comparator = "nearest_neighbours"
    expenditure: Annotated[str, PlainValidator(check_expenditure)] = "gross"
    mad_scaled: Flag = False
    population_rule: Annotated[str, PlainValidator(check_population_rule)] = "same_or_latest"


class AscofBenchmarking(Schema):
    """``02_ascof_benchmarking``."""

    council: Council = "E08000007"
    year: FinancialYear = "2022-23"
    comparator: Comparator = "nearest_neighbours"
    measures: Measures = "all"
    trend_measures: Measures = "1G, 2A(2), 2B(1), 2D"
    mad_scaled: Flag = False


class ForecastVariance(Schema):
    """``03_forecast_variance``."""

    council: Council = "E08000007"
    financial_year: FinancialYear = "2017-18"
    period: Period = "Q3"
    service_scope: Annotated[str, PlainValidator(check_scope)] = "adults"
    rag_rule: Annotated[str, PlainValidator(check_rag_rule)] = "own"
    rag_amber_pct: Threshold = 1.0
    rag_amber_min_gbp_k: Threshold = 50.0
    rag_red_pct: Threshold = 2.0
    rag_red_min_gbp_k: Threshold = 100.0
    spend_profile: Annotated[list, PlainValidator(check_spend_profile)] = []
    top_lines: Annotated[int, named(check_positive_int, maximum=50)] = 8


class PerformanceScorecard(Schema):
    """``04_performance_scorecard``."""

    council: Council = "E08000007"
    financial_year: FinancialYear = "2023-24"
    period: Period = "Q2"
    rule_set: Annotated[str, PlainValidator(check_rule_set)] = "own"
    amber_within_pct: Threshold = 5.0
    stable_within_pct: Threshold = 1.0


class DemandTrends(Schema):
    """``05_demand_trends``."""

    council: Council = "E08000007"
    series: Annotated[str, named(check_series_key)] = "op_care_home_placements"
    horizon: Annotated[int, named(check_horizon)] = 2
    price_uplift_pct: Percent = 2.0
    nlw_rise_pct: Percent = 6.7
    pay_share_pct: Annotated[float, named(check_pct, low=0.0, high=100.0)] = 60.0
    need_growth_pct: OptionalPercent = None
    demography_growth_pct: OptionalPercent = None
    unit_cost_gbp_per_week: Annotated[float | None, named(check_unit_cost)] = None


#: The schema of each report notebook, by the notebook's name without its number.
SCHEMAS: dict[str, type[Schema]] = {
    "data_overview": DataOverview,
    "spend_benchmarking": SpendBenchmarking,
    "ascof_benchmarking": AscofBenchmarking,
    "forecast_variance": ForecastVariance,
    "performance_scorecard": PerformanceScorecard,
    "demand_trends": DemandTrends,
}

def schema(notebook: str) -> type[Schema]:
    """The parameter schema of a notebook (its name without number: ``"spend_benchmarking"``)."""
    if notebook not in SCHEMAS:
        raise ParameterError(f"no parameter schema for notebook {notebook!r}; schemas: {', '.join(SCHEMAS)}")
    return SCHEMAS[notebook]


def _validate(model: type[Schema], values: dict[str, Any]) -> dict[str, Any]:
    try:
        checked = model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, ParameterError):
            raise cause from None
        name = ".".join(str(p) for p in first["loc"])
        raise ParameterError(f"parameter {name!r}: {first['msg']}, got {first.get('input')!r}") from None
    return {name: getattr(checked, name) for name in values}


def check(notebook: str | None = None, /, **values: Any) -> dict[str, Any]:
    """Validate a notebook's parameters against its schema; return the checked values as a plain dict.

    Parameters
    ----------
    notebook
        The notebook's name without its number (``"spend_benchmarking"``): whose schema applies. Without it
        (a notebook that is not a report, such as the runner's test fixtures), each value gets the rule its
        name has in the reports' schemas (the schemas agree where they share a name) and other names are
        returned unchanged.
    **values
        The parameters to check (any of the notebook's; the others keep their defaults and are not returned).

    Returns
    -------
    dict
        The given parameters, checked (council names turned into codes, comparator lists into codes, text
        trimmed and lower-cased where the rule says so), in the order given.

    Raises
    ------
    ParameterError
        One line saying which parameter is wrong and how to write it; an unknown name lists the notebook's
        parameters.
    """
    if notebook is None:
        owners = {name: model for model in reversed(SCHEMAS.values()) for name in model.model_fields}
        return {name: _validate(owners[name], {name: value})[name] if name in owners else value
                for name, value in values.items()}
    model = schema(notebook)
    for name in values:
        if name not in model.model_fields:
            known = ", ".join(sorted(model.model_fields))
            raise ParameterError(f"notebook {notebook} has no parameter {name!r}; its parameters are: {known}")
    return _validate(model, values)


# --------------------------------------------------------------------------------------------------
# Command-line text
# --------------------------------------------------------------------------------------------------

_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _float(name: str, raw: str, shown: str) -> float | int:
    """A number as written on a command line: ``2``, ``2.5``, ``-0.5``, ``1e3``, ``2.5E-1`` (finite only).

    YAML 1.1 (``yaml.safe_load``) reads ``1e3`` as text, so numbers are read here; a whole number stays an
    ``int`` (as the parameters cell would give), and ``nan``, ``inf`` and ``1,000`` are refused.
    """
    text = raw.strip()
    if not _FLOAT.match(text) or not math.isfinite(float(text)):
        raise ParameterError(f"parameter {name!r}: expected {shown}, got {raw!r} (write a finite number such as 2, "
                             "2.5 or 1e3)")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict,
}


def coerce(name: str, raw: str, type_name: str | None, default: Any = None) -> Any:
    """Turn a command-line string into the type the parameters cell declares.

    Parameters
    ----------
    name
        Parameter name (for messages).
    raw
        The value as typed on the command line.
    type_name
        The annotation in the parameters cell (``"str"``, ``"int"``, ``"list[str]"`` ...), or ``None`` to
        infer from the default.
    default
        The default value in the parameters cell.

    Raises
    ------
    ParameterError
        The value cannot be read as that type.
    """
    hint = (type_name or (type(default).__name__ if default is not None else "str")).strip().strip("'\"")
    optional = hint.startswith("Optional[") and hint.endswith("]")
    if optional:
        hint = hint[len("Optional["):-1]
        if raw.strip().lower() in ("none", "null", ""):
            return None
    base = hint.split("[")[0].strip() or "str"
    if base in ("str", "None", "NoneType"):
        return raw
    if base == "float":
        return _float(name, raw, type_name or base)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameter {name!r}: cannot read {raw!r} ({exc.problem})") from None
    if base == "list" and isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    want = _TYPES.get(base)
    if want is not None and (not isinstance(value, want) or (base in ("int", "float") and isinstance(value, bool))):
        raise ParameterError(f"parameter {name!r}: expected {type_name or base}, got {raw!r}")
    return value
