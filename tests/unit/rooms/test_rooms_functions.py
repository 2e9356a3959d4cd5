"""The rooms through their functions and sample events: the authorizer's `$connect` path, the
signaling function's events, and the REST routes (tickets, ICE servers, chat history, join, end)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from types import ModuleType
from typing import Any

import pytest

from peerlearn.accounts.lookups import get_user
from peerlearn.catalog.lookup import get_session_item
from peerlearn.config import TurnSettings
from peerlearn.live import ice
from peerlearn.live.sockets import get_connection
from peerlearn.store.models import UserItem
from tests.support import LambdaContextStub, call, load_event, load_function, rest_event
from tests.unit.rooms_support import Room
from tests.unit.sessions_support import who


# ---------------------------------------------------------------- the authorizer on $connect
@pytest.fixture
def authorizer(room: Room) -> ModuleType:
    return load_function("authorizer")


def connect_request(room: Room, ticket: str | None, session_id: str | None = None) -> dict[str, Any]:
    event = copy.deepcopy(load_event("signaling/authorizer-connect.json"))
    event["queryStringParameters"] = {
        **({"ticket": ticket} if ticket is not None else {}),
        "session": session_id or room.session_id,
    }
    return event


def test_a_valid_ticket_is_allowed_with_the_rooms_context(room: Room, authorizer: ModuleType) -> None:
    learner = room.learners[0]
    answer = authorizer.lambda_handler(connect_request(room, room.ticket(learner)), LambdaContextStub())
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert answer["context"] == {
        "user_id": learner.user_id,
        "role": "learner",
        "session_id": room.session_id,
        "room_role": "learner",
        "name": learner.name,
    }


@pytest.mark.parametrize("case", ["missing", "reused", "unknown", "another_session"])
def test_a_bad_ticket_is_a_401(room: Room, authorizer: ModuleType, case: str) -> None:
    ticket = room.ticket(room.learners[0])
    session_id = None
    if case == "reused":
        authorizer.lambda_handler(connect_request(room, ticket), LambdaContextStub())
    elif case == "unknown":
        ticket = "x" * 43
    elif case == "another_session":
        session_id = "01KB0000000000000000000000"
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.lambda_handler(
            connect_request(room, None if case == "missing" else ticket, session_id), LambdaContextStub()
        )


def test_a_user_banned_after_the_ticket_was_issued_is_denied(room: Room, authorizer: ModuleType) -> None:
    ticket = room.ticket(room.learners[0])
    get_user(room.learners[0].user_id).update(actions=[UserItem.banned.set(True)])
    answer = authorizer.lambda_handler(connect_request(room, ticket), LambdaContextStub())
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Deny"


# ---------------------------------------------------------------- the signaling function
@pytest.fixture
def signaling(room: Room) -> ModuleType:
    return load_function("signaling")


def ws_event(name: str, connection_id: str, **changes: Any) -> dict[str, Any]:
    event = copy.deepcopy(load_event(f"signaling/{name}.json"))
    event["requestContext"]["connectionId"] = connection_id
    event.update(changes)
    return event


def connect_event(room: Room, person: Any, connection_id: str, room_role: str) -> dict[str, Any]:
    event = ws_event("connect", connection_id)
    event["requestContext"]["authorizer"].update(
        principalId=person.user_id,
        user_id=person.user_id,
        role=person.role,
        session_id=room.session_id,
        room_role=room_role,
        name=person.name,
    )
    return event


def test_the_signaling_function_connects_answers_and_disconnects(room: Room, signaling: ModuleType) -> None:
    context = LambdaContextStub()
    mentor = connect_event(room, room.mentor, "mentor-conn=", "mentor")
    assert signaling.lambda_handler(mentor, context) == {"statusCode": 200}
    ping = ws_event("message", "mentor-conn=", body=json.dumps({"action": "ping", "ref": "p1"}))
    assert signaling.lambda_handler(ping, context) == {"statusCode": 200}
    assert room.wire.types("mentor-conn=") == ["pong"]
    assert signaling.lambda_handler(ws_event("disconnect", "mentor-conn="), context) == {"statusCode": 200}
    assert get_connection("mentor-conn=") is None


def test_the_signaling_function_refuses_a_connect_without_the_authorizers_context(
    room: Room, signaling: ModuleType
) -> None:
    event = ws_event("connect", "c1=")
    event["requestContext"]["authorizer"] = {}
    assert signaling.lambda_handler(event, LambdaContextStub()) == {"statusCode": 401}


def test_the_sample_signal_event_from_a_stranger_connection_is_refused(
    room: Room, signaling: ModuleType
) -> None:
    signaling.lambda_handler(ws_event("message", "stranger="), LambdaContextStub())
    assert room.wire.last("stranger=", "error")["code"] == "forbidden"


# ---------------------------------------------------------------- REST
@pytest.fixture
def sessions(room: Room) -> ModuleType:
    return load_function("sessions")


def post(sessions: ModuleType, path: str, person: Any, resource: str) -> Any:
    return call(
        sessions, rest_event("POST", path, resource=resource, identity=who(person), path_parameters=None)
    )


def test_room_ticket_route(room: Room, sessions: ModuleType) -> None:
    path = f"/api/sessions/{room.session_id}/room-ticket"
    resource = "/api/sessions/{id}/room-ticket"
    event = rest_event(
        "POST",
        path,
        resource=resource,
        identity=who(room.learners[0]),
        path_parameters={"id": room.session_id},
    )
    issued = call(sessions, event)
    assert issued.status == 201
    assert issued.body["room_role"] == "learner"
    assert (
        issued.body["url"]
        == f"wss://wsapi.execute-api.ap-south-1.amazonaws.com/test?ticket={issued.body['ticket']}&session={room.session_id}"
    )
    refused = call(
        sessions,
        rest_event(
            "POST",
            path,
            resource=resource,
            identity=who(room.outsider),
            path_parameters={"id": room.session_id},
        ),
    )
    assert (refused.status, refused.body["error"]["code"]) == (403, "not_booked")


def test_ice_servers_route_without_turn_uris_is_empty(room: Room, sessions: ModuleType) -> None:
    answer = call(sessions, rest_event("GET", "/api/rtc/ice-servers", identity=who(room.learners[0])))
    assert answer.status == 200
    assert answer.body == {"ice_servers": [], "ttl_seconds": 3600}


def test_turn_credentials_follow_the_turn_rest_scheme() -> None:
    turn = TurnSettings.from_env(
        {
            "TURN_URIS": "stun:turn.example:3478, turn:turn.example:3478?transport=udp,"
            "turns:turn.example:443?transport=tcp",
            "TURN_SECRET": "s3cret-shared-with-coturn",
            "TURN_TTL_SECONDS": "600",
        }
    )
    answer = ice.ice_servers(turn, "user-1", now=1_800_000_000)
    stun, relay = answer.ice_servers
    assert stun.urls == ["stun:turn.example:3478"]
    assert relay.username == "1800000600:user-1"
    expected = base64.b64encode(
        hmac.new(b"s3cret-shared-with-coturn", b"1800000600:user-1", hashlib.sha1).digest()
    )
    assert relay.credential == expected.decode()
    assert answer.ttl_seconds == 600


def test_turn_uris_need_a_secret() -> None:
    from peerlearn.config import ConfigError

    with pytest.raises(ConfigError):
        TurnSettings.from_env({"TURN_URIS": "turn:turn.example:3478", "TURN_TTL_SECONDS": "600"})


def test_chat_history_is_for_participants_and_pages_by_cursor(room: Room, sessions: ModuleType) -> None:
    room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    for n in range(3):
        room.send(learner, "chat", text=f"message {n}")
    path = f"/api/sessions/{room.session_id}/room/chat"
    resource = "/api/sessions/{id}/room/chat"

    def read(person: Any, query: dict[str, str]) -> Any:
        event = rest_event(
            "GET", path, resource=resource, identity=who(person), path_parameters={"id": room.session_id}
        )
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        return call(sessions, event)

    first = read(room.mentor, {"limit": "2"})
    assert [m["text"] for m in first.body["items"]] == ["message 0", "message 1"]
    rest = read(room.learners[1], {"after": first.body["next_after"]})
    assert [m["text"] for m in rest.body["items"]] == ["message 2"]
    assert rest.body["next_after"] is None
    assert read(room.outsider, {}).status == 403


def test_join_tells_the_rooms_state_and_end_ends_the_room(
    room: Room, sessions: ModuleType, moving_clock: Any
) -> None:
    moving_clock.advance(minutes=10)  # the room admits from early_join_minutes before the start
    mentor = room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    path = f"/api/sessions/{room.session_id}"
    joined = call(
        sessions,
        rest_event(
            "POST",
            f"{path}/join",
            resource="/api/sessions/{id}/join",
            identity=who(room.learners[0]),
            path_parameters={"id": room.session_id},
        ),
    )
    assert joined.body["room"]["status"] == "waiting"
    room.send(mentor, "open")
    ended = call(
        sessions,
        rest_event(
            "POST",
            f"{path}/end",
            resource="/api/sessions/{id}/end",
            identity=who(room.mentor),
            path_parameters={"id": room.session_id},
        ),
    )
    assert ended.status == 200
    assert ended.body["status"] == "completed"
    assert get_session_item(room.session_id).status == "completed"
    assert room.wire.types(learner)[-1] == "ended"
    assert learner in room.wire.closed
