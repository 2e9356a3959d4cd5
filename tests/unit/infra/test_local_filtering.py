"""Lambda event filtering: each operator of the pattern syntax the local event sources honour."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.filtering import matches, parse_filters, passes
from tests.support import load_event

USER_INSERT: dict[str, Any] = load_event("streams/user-insert.json")["Records"][0]


def record(**fields: Any) -> dict[str, Any]:
    return {"eventName": "INSERT", "dynamodb": {"NewImage": fields}}


def test_the_template_filter_keeps_user_inserts() -> None:
    pattern = '{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["USER"]}}}}'
    patterns = parse_filters({"Filters": [{"Pattern": pattern}]})

    assert passes(patterns, USER_INSERT)
    assert not passes(patterns, {**USER_INSERT, "eventName": "MODIFY"})
    assert not passes(patterns, record(entity={"S": "BOOKING"}))


def test_no_filters_pass_everything_and_several_filters_are_ored() -> None:
    assert passes([], {"anything": 1})
    assert passes([{"eventName": ["REMOVE"]}, {"eventName": ["INSERT"]}], USER_INSERT)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (["USER"], "USER", True),
        (["USER"], "user", False),
        ([5], 5.0, True),
        ([5], "5", False),
        ([True], True, True),
        ([True], 1, False),
        ([None], None, True),
        ([None], "null", False),
    ],
)
def test_exact_values_match_by_type_and_value(pattern: list[Any], value: Any, expected: bool) -> None:
    assert matches({"field": pattern}, {"field": value}) is expected


def test_an_array_in_the_record_matches_when_any_element_does() -> None:
    assert matches({"tags": ["python"]}, {"tags": ["go", "python"]})
    assert not matches({"tags": ["rust"]}, {"tags": ["go", "python"]})


def test_prefix_and_suffix() -> None:
    assert matches({"pk": [{"prefix": "USER#"}]}, {"pk": "USER#1"})
    assert not matches({"pk": [{"prefix": "USER#"}]}, {"pk": "SESSION#1"})
    assert matches({"file": [{"suffix": ".png"}]}, {"file": "a.png"})


def test_exists_true_and_false() -> None:
    assert matches({"ttl": [{"exists": True}]}, {"ttl": 5})
    assert not matches({"ttl": [{"exists": True}]}, {})
    assert matches({"ttl": [{"exists": False}]}, {})
    assert not matches({"ttl": [{"exists": False}]}, {"ttl": 5})


def test_exists_false_holds_below_a_missing_parent() -> None:
    pattern = {"dynamodb": {"OldImage": {"banned": [{"exists": False}]}}}

    assert matches(pattern, {"dynamodb": {"NewImage": {}}})


def test_anything_but_a_list_and_a_prefix() -> None:
    assert matches({"role": [{"anything-but": ["admin", "mentor"]}]}, {"role": "learner"})
    assert not matches({"role": [{"anything-but": ["admin", "mentor"]}]}, {"role": "admin"})
    assert not matches({"role": [{"anything-but": ["admin"]}]}, {})
    assert matches({"pk": [{"anything-but": {"prefix": "TMP#"}}]}, {"pk": "USER#1"})
    assert not matches({"pk": [{"anything-but": {"prefix": "TMP#"}}]}, {"pk": "TMP#1"})


@pytest.mark.parametrize(
    ("value", "expected"), [(0, False), (1, True), (5, True), (5.5, False), ("3", False)]
)
def test_numeric_ranges(value: Any, expected: bool) -> None:
    assert matches({"seats": [{"numeric": [">", 0, "<=", 5]}]}, {"seats": value}) is expected


def test_numeric_equality() -> None:
    assert matches({"n": [{"numeric": ["=", 3]}]}, {"n": 3.0})


def test_nested_objects_must_all_match() -> None:
    pattern = {"dynamodb": {"NewImage": {"entity": {"S": ["USER"]}, "role": {"S": ["mentor"]}}}}

    assert not matches(pattern, record(entity={"S": "USER"}, role={"S": "learner"}))
    assert matches(pattern, record(entity={"S": "USER"}, role={"S": "mentor"}))


def test_a_scalar_pattern_value_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="lists or objects"):
        matches({"eventName": "INSERT"}, USER_INSERT)
