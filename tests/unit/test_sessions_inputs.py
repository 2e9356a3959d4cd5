"""Whatever a client sends to the sessions routes, the answer is a 2xx or a 4xx naming the problem."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlearn import timeutil
from peerlearn.context import Context
from peerlearn.errors import BadRequest
from peerlearn.store import paging
from tests.support import call, load_function, local_in, rest_event
from tests.unit.sessions_support import NEW_SESSION, person, who


@pytest.fixture
def sessions(ctx: Context) -> ModuleType:
    return load_function("sessions")


def discover(sessions: ModuleType, query: dict[str, str]) -> Any:
    event = rest_event("GET", "/api/sessions", resource="/api/sessions")
    event["queryStringParameters"] = query
    return call(sessions, event)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "9999-12-31"}, "date_to"),
        ({"from": "0001-01-01"}, "date_from"),
        ({"from": "9999-12-31"}, "date_from"),
        ({"to": "0001-01-01"}, "date_to"),
        ({"from": "1999-12-31"}, "date_from"),
        ({"to": "2101-01-01"}, "date_to"),
        ({"to": "2026-02-30"}, "date_to"),
    ],
)
def test_discovery_dates_out_of_range_are_a_400_naming_the_field(
    sessions: ModuleType, query: dict[str, str], field: str
) -> None:
    reply = discover(sessions, query)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert "2000" in reply.body["error"]["message"] or "date like" in reply.body["error"]["message"]


@pytest.mark.parametrize("query", [{"min_price": str(10**40)}, {"max_price": str(10**40)}])
def test_discovery_prices_beyond_any_session_are_a_400(sessions: ModuleType, query: dict[str, str]) -> None:
    reply = discover(sessions, query)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == next(iter(query))


@pytest.mark.parametrize(
    "starts_at_local", ["0001-01-01T00:00", "0001-01-01T03:00", "9999-12-31T23:59", "2200-01-01T10:00"]
)
@pytest.mark.parametrize("timezone", ["Asia/Kolkata", "America/New_York", "Pacific/Kiritimati"])
def test_publishing_at_the_ends_of_the_calendar_is_a_400(
    sessions: ModuleType, starts_at_local: str, timezone: str
) -> None:
    body = {**NEW_SESSION, "starts_at_local": starts_at_local, "timezone": timezone}
    reply = call(sessions, rest_event("POST", "/api/sessions", body, identity=who(person("mentor"))))
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == "starts_at_local"
    assert "year" in reply.body["error"]["message"]


@pytest.mark.parametrize("starts_at_local", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_moving_a_session_to_the_ends_of_the_calendar_is_a_400(
    sessions: ModuleType, starts_at_local: str
) -> None:
    mentor = person("mentor")
    body = {**NEW_SESSION, "starts_at_local": local_in(48 * 60)}
    created = call(sessions, rest_event("POST", "/api/sessions", body, identity=who(mentor)))
    session_id = created.body["id"]
    event = rest_event(
        "PATCH",
        f"/api/sessions/{session_id}",
        {"starts_at_local": starts_at_local, "timezone": "America/New_York"},
        resource="/api/sessions/{id}",
        path_parameters={"id": session_id},
        identity=who(mentor),
    )
    reply = call(sessions, event)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == "starts_at_local"


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().replace("=", "")


@pytest.mark.parametrize(
    "cursor",
    [
        base64.urlsafe_b64encode(b"[" * 1400).decode(),
        _cursor({"pk": {"S": ["not", "text"]}}),
        _cursor({"pk": {"N": "not a number"}}),
        _cursor({"pk": {"S": "x" * 1500}}),
    ],
)
def test_malformed_cursors_are_a_400_naming_the_cursor(sessions: ModuleType, cursor: str) -> None:
    reply = discover(sessions, {"cursor": cursor})
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == "cursor"


@pytest.mark.parametrize("learner_id", ["x" * 1500, "not-an-id"])
def test_a_learner_id_that_is_no_id_is_a_404(sessions: ModuleType, learner_id: str) -> None:
    mentor = person("mentor")
    body = {**NEW_SESSION, "starts_at_local": local_in(48 * 60)}
    session_id = call(sessions, rest_event("POST", "/api/sessions", body, identity=who(mentor))).body["id"]
    event = rest_event(
        "DELETE",
        f"/api/sessions/{session_id}/bookings/{learner_id}",
        resource="/api/sessions/{id}/bookings/{learner_id}",
        path_parameters={"id": session_id, "learner_id": learner_id},
        identity=who(mentor),
    )
    reply = call(sessions, event)
    assert reply.status == 404, reply.body


# ---------------------------------------------------------------- the parsers themselves
def _refused_field_or_value(parse: Callable[[], Any]) -> tuple[str | None, Any]:
    """(the field a BadRequest names, None) or (None, what the parser returned)."""
    try:
        return None, parse()
    except BadRequest as exc:
        return exc.field, None


@given(st.text(max_size=20))
def test_day_parsing_answers_an_iso_time_or_a_bad_request(text: str) -> None:
    field, parsed = _refused_field_or_value(lambda: timeutil.day_start_iso(text, field="date_from"))
    assert field == "date_from" or "2000" <= parsed[:4] <= "2100"


@given(
    st.text(alphabet="0123456789-T:", max_size=18)
    | st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.sampled_from(["Asia/Kolkata", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "UTC"]),
)
def test_local_time_parsing_answers_an_iso_time_or_a_bad_request(text: str, zone: str) -> None:
    field, parsed = _refused_field_or_value(lambda: timeutil.local_to_utc_iso(text, zone))
    # A zone's offset may carry a time at the bounds a few hours past them.
    assert field == "starts_at_local" or 1999 <= timeutil.from_iso(parsed).year <= 2101


@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: base64.urlsafe_b64encode(b).decode()))
def test_cursor_decoding_answers_a_key_or_a_bad_request(text: str) -> None:
    field, key = _refused_field_or_value(lambda: paging.decode_cursor(text))
    assert field == "cursor" or key is None or isinstance(key, dict)


query_values = st.text(max_size=30) | st.integers(-(10**40), 10**40).map(str) | st.dates().map(str)
QUERY_NAMES = ["q", "tag", "language", "level", "mentor", "free", "min_price", "max_price", "from", "to"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.dictionaries(st.sampled_from([*QUERY_NAMES, "sort", "limit"]), query_values, max_size=5),
)
def test_discovery_never_fails_with_a_server_error(sessions: ModuleType, query: dict[str, str]) -> None:
    reply = discover(sessions, query)
    assert reply.status < 500, (query, reply.body)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
SESSION_FIELDS = [
    "title",
    "description",
    "tags",
    "level",
    "language",
    "starts_at_local",
    "timezone",
    "duration_minutes",
    "capacity",
    "price_paise",
    "early_join_minutes",
]
session_bodies = st.fixed_dictionaries(
    {},
    optional={
        name: json_values
        | st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "2027-03-14T02:30", "Asia/Kolkata", 4900])
        for name in SESSION_FIELDS
    },
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=session_bodies)
def test_publishing_and_editing_never_fail_with_a_server_error(sessions: ModuleType, body: Any) -> None:
    mentor = person("mentor")
    created = call(
        sessions,
        rest_event(
            "POST",
            "/api/sessions",
            {**NEW_SESSION, "starts_at_local": local_in(48 * 60), **body},
            identity=who(mentor),
        ),
    )
    assert created.status < 500, (body, created.body)
    if created.status != 201:
        return
    session_id = created.body["id"]
    edited = call(
        sessions,
        rest_event(
            "PATCH",
            f"/api/sessions/{session_id}",
            body,
            resource="/api/sessions/{id}",
            path_parameters={"id": session_id},
            identity=who(mentor),
        ),
    )
    assert edited.status < 500, (body, edited.body)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Python\x00 review"),
        ("title", "Python \u202ereview"),
        ("description", "Bring code\x1b[31m"),
        ("language", "Hin\x07di"),
    ],
)
def test_control_characters_in_a_session_are_a_400_naming_the_field(
    sessions: ModuleType, field: str, value: str
) -> None:
    body = {**NEW_SESSION, "starts_at_local": local_in(48 * 60), field: value}
    reply = call(sessions, rest_event("POST", "/api/sessions", body, identity=who(person("mentor"))))
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert "control characters" in reply.body["error"]["message"]


def test_a_description_keeps_its_line_breaks(sessions: ModuleType) -> None:
    body = {**NEW_SESSION, "starts_at_local": local_in(48 * 60), "description": "Bring:\n\tcode\r\n"}
    reply = call(sessions, rest_event("POST", "/api/sessions", body, identity=who(person("mentor"))))
    assert reply.status == 201, reply.body
