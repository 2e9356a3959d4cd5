"""Lambda event filtering (FilterCriteria) for the local event source mappings.

Implements the pattern syntax Lambda documents for event source mappings, for the subset PeerLearn
uses: lists of exact values (strings, numbers, booleans, null), nested objects, `prefix`, `suffix`,
`exists`, `anything-but` and `numeric` ranges. A record passes when any filter matches it.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_MISSING = object()


def parse_filters(filter_criteria: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The patterns of a template's `FilterCriteria` (each `Pattern` is a JSON string)."""
    if not filter_criteria:
        return []
    patterns = []
    for entry in filter_criteria.get("Filters", []):
        pattern = entry["Pattern"]
        patterns.append(json.loads(pattern) if isinstance(pattern, str) else dict(pattern))
    return patterns


def passes(patterns: Iterable[Mapping[str, Any]], record: Mapping[str, Any]) -> bool:
    """True when there are no patterns or at least one matches (filters are OR'ed)."""
    patterns = list(patterns)
    return not patterns or any(matches(pattern, record) for pattern in patterns)


def matches(pattern: Mapping[str, Any], record: Any) -> bool:
    """One pattern against one record: every key of the pattern must match (AND)."""
    for key, expected in pattern.items():
        value = record.get(key, _MISSING) if isinstance(record, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            # A missing parent means missing children: `{"exists": false}` below it still matches.
            nested = {} if value is _MISSING else value
            if not isinstance(nested, Mapping) or not matches(expected, nested):
                return False
        elif isinstance(expected, list):
            if not _matches_any(expected, value):
                return False
        else:
            raise ValueError(f"filter pattern values must be lists or objects, not {expected!r} (at {key!r})")
    return True


def _matches_any(conditions: list[Any], value: Any) -> bool:
    # An array in the record matches when any of its elements matches.
    values = value if isinstance(value, list) else [value]
    return any(_matches(condition, v) for condition in conditions for v in values)


def _matches(condition: Any, value: Any) -> bool:
    if isinstance(condition, Mapping):
        ((operator_name, argument),) = condition.items()
        return _OPERATORS[operator_name](argument, value)
    if value is _MISSING:
        return False
    if condition is None or isinstance(condition, bool) or isinstance(value, bool):
        return condition is value
    if isinstance(condition, int | float) and isinstance(value, int | float):
        return float(condition) == float(value)
    return bool(condition == value)


def _exists(argument: Any, value: Any) -> bool:
    return (value is not _MISSING) is bool(argument)


def _prefix(argument: Any, value: Any) -> bool:
    return isinstance(value, str) and value.startswith(str(argument))


def _suffix(argument: Any, value: Any) -> bool:
    return isinstance(value, str) and value.endswith(str(argument))


def _anything_but(argument: Any, value: Any) -> bool:
    if value is _MISSING:
        return False
    if isinstance(argument, Mapping):  # {"anything-but": {"prefix": "x"}}
        return not _matches(argument, value)
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_matches(item, value) for item in excluded)


def _numeric(argument: Any, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    pairs = list(argument)
    if len(pairs) % 2:
        raise ValueError(f"numeric filter needs operator/value pairs: {argument!r}")
    return all(
        _NUMERIC[op](float(value), float(bound)) for op, bound in zip(pairs[::2], pairs[1::2], strict=True)
    )


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "exists": _exists,
    "prefix": _prefix,
    "suffix": _suffix,
    "anything-but": _anything_but,
    "numeric": _numeric,
}
