"""Validation of notebook parameters: one set of rules shared by the notebooks and the ``asc`` CLI.

A notebook's third cell calls :func:`check` on its parameters; ``asc run`` calls :func:`coerce` and
:func:`check` before any kernel starts, so a bad value is refused with one clear line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from helpers.core.errors import ParameterError

YEAR_RE = re.compile(r"^(19|20)(\d{2})-(\d{2})$")
PERIOD_RE = re.compile(r"^(Q[1-4]|M(0[1-9]|1[0-2])|YE|BUD)$")


def check_year(value: str, name: str = "year") -> str:
    """Return a financial year ``YYYY-YY`` or raise :class:`ParameterError`.

    Examples
    --------
    >>> check_year("2022-23")
    '2022-23'
    """
    if not isinstance(value, str):
        raise ParameterError(f"parameter {name!r}: expected a financial year like '2022-23', got {value!r}")
    m = YEAR_RE.match(value.strip())
    if not m or (int(m.group(2)) + 1) % 100 != int(m.group(3)):
        raise ParameterError(
            f"parameter {name!r}: {value!r} is not a financial year; write it as 'YYYY-YY', e.g. '2022-23'"
        )
    return value.strip()


def check_period(value: str, name: str = "period") -> str:
    """Return a reporting period code (``Q1``-``Q4``, ``M01``-``M12``, ``YE``, ``BUD``) or raise."""
    if not isinstance(value, str) or not PERIOD_RE.match(value.strip()):
        raise ParameterError(
            f"parameter {name!r}: {value!r} is not a period; use Q1..Q4, M01..M12 (April = M01), YE or BUD"
        )
    return value.strip()


def check_council(value: str, name: str = "council") -> str:
    """Return the GSS code of a council given its code or name, or raise with a suggestion."""
    from helpers.data import councils

    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"parameter {name!r}: expected a council GSS code such as 'E08000007', got {value!r}")
    return councils.validate_code(value.strip())


def check_choice(value: Any, choices: list[Any] | tuple[Any, ...], name: str) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise listing them."""
    if value not in choices:
        raise ParameterError(f"parameter {name!r}: {value!r} is not one of {list(choices)}")
    return value


def check_positive_int(value: Any, name: str, maximum: int | None = None) -> int:
    """Return a positive integer (at most ``maximum``) or raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or (maximum and value > maximum):
        limit = f" and at most {maximum}" if maximum else ""
        raise ParameterError(f"parameter {name!r}: expected a whole number of at least 1{limit}, got {value!r}")
    return value


#: Checks applied by name, wherever the parameter appears (CLI and notebooks).
NAMED_CHECKS: dict[str, Callable[[Any], Any]] = {
    "council": check_council,
    "year": check_year,
    "financial_year": lambda v: check_year(v, "financial_year"),
    "period": check_period,
}


def check(notebook: str | None = None, /, **params: Any) -> dict[str, Any]:
    """Validate a notebook's parameters; return them (council names turned into codes).

    Parameters
    ----------
    notebook
        The notebook's name without its number (``"spend_benchmarking"``): whose parameter schema applies.
    **params
        The notebook's parameters. Known names (``council``, ``year``, ``financial_year``, ``period``)
        get their rule; other names are returned unchanged.

    Returns
    -------
    dict
        The checked parameters.

    Raises
    ------
    ParameterError
        One line saying which parameter is wrong and how to write it.
    """
    out = dict(params)
    for name, value in params.items():
        rule = NAMED_CHECKS.get(name)
        if rule is not None and value is not None:
            out[name] = rule(value)
    return out


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


def check_comparator(value: Any) -> str:
    """Return a comparator group name, or a comma-separated list as GSS codes (``"E08000007,E08000009"``).

    The rule is :func:`helpers.analysis.benchmarking.spend.parse_comparator`: ``nearest_neighbours``, ``region``,
    ``council_type``, ``england``, a published group, or council codes / names separated by commas.
    """
    from helpers.analysis.benchmarking.spend import parse_comparator

    parsed = parse_comparator(value)
    return parsed if isinstance(parsed, str) else ",".join(parsed)


NAMED_CHECKS["comparator"] = check_comparator


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


def check_rule_set(value: Any) -> str:
    """Return a KPI rule set name (:func:`helpers.analysis.scorecard.check_rule_set`)."""
    from helpers.analysis.scorecard import check_rule_set as _check

    return _check(value)


NAMED_CHECKS.update({
    "rule_set": check_rule_set,
    "spend_profile": check_spend_profile,
    **{n: (lambda v, n=n: check_non_negative(v, n)) for n in (
        "rag_amber_pct", "rag_red_pct", "rag_red_min_gbp_k", "amber_within_pct", "stable_within_pct")},
})


# --- demand trends (helpers.reports.demand_trends): series, horizon and the budget scenario -------------------


def _demand_rule(fn_name: str, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    def rule(value: Any) -> Any:
        from helpers.reports import demand_trends as demand_analysis

        return getattr(demand_analysis, fn_name)(value, *args, **kwargs)

    return rule


def _series_rule(value: Any) -> str:
    from helpers.analysis.demand.series import check_series_key

    return check_series_key(value)


NAMED_CHECKS["series"] = _series_rule
NAMED_CHECKS["horizon"] = _demand_rule("check_horizon")
NAMED_CHECKS["price_uplift_pct"] = _demand_rule("check_pct", "price_uplift_pct")
NAMED_CHECKS["nlw_rise_pct"] = _demand_rule("check_pct", "nlw_rise_pct")
NAMED_CHECKS["pay_share_pct"] = _demand_rule("check_pct", "pay_share_pct", low=0.0, high=100.0)
NAMED_CHECKS["need_growth_pct"] = _demand_rule("check_pct", "need_growth_pct", optional=True)
NAMED_CHECKS["demography_growth_pct"] = _demand_rule("check_pct", "demography_growth_pct", optional=True)
NAMED_CHECKS["unit_cost_gbp_per_week"] = _demand_rule("check_unit_cost")
NAMED_CHECKS["top_lines"] = lambda v: check_positive_int(v, "top_lines", 50)


def check_service_scope(value: Any) -> str:
    """Return a forecast-variance service scope (:func:`helpers.analysis.variance.budget.check_scope`: ``adults`` or ``all``)."""
    from helpers.analysis.variance.budget import check_scope

    return check_scope(value)


NAMED_CHECKS["service_scope"] = check_service_scope
