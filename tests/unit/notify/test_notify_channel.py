"""A person's user channel: tickets, the authorizer's and the signaling function's part, what a user
channel may send (only ping), and push_to_user's fan-out to every open tab (a 410 forgets only the
connection that is gone)."""

from __future__ import annotations

import copy
import json
from types import ModuleType
from typing import Any

import pytest

from peerlearn.accounts.lookups import get_user
from peerlearn.context import Context
from peerlearn.errors import TooManyRequests, Unauthorized
from peerlearn.live import dispatch, presence, sockets, tickets
from peerlearn.notify import channel
from peerlearn.notify.live import push_to_user
from peerlearn.store.keys import channel_sk, user_pk
from peerlearn.store.models import UserChannelItem, UserItem
from tests.support import LambdaContextStub, call, load_event, load_function, rest_event
from tests.unit.rooms_support import Room, Wire, make_room
from tests.unit.sessions_support import Booker, Clock, person, who


@pytest.fixture
def wire(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Wire:
    return Wire(monkeypatch)


@pytest.fixture
def learner(ctx: Context) -> Booker:
    return person("learner")


def open_channel(ctx: Context, who: Booker, connection_id: str) -> str:
    """Ticket, redemption (the authorizer's part) and `$connect` (the signaling function's)."""
    user_id = channel.redeem_ticket(channel.issue_ticket(ctx, who.user_id).ticket)
    channel.connect(user_id, connection_id)
    return connection_id


# ---------------------------------------------------------------- tickets
def test_a_ticket_names_the_channel_and_opens_it_once(ctx: Context, learner: Booker) -> None:
    out = channel.issue_ticket(ctx, learner.user_id)
    assert (
        out.url == f"wss://wsapi.execute-api.ap-south-1.amazonaws.com/test?ticket={out.ticket}&channel=user"
    )
    assert channel.redeem_ticket(out.ticket) == learner.user_id
    with pytest.raises(Unauthorized):
        channel.redeem_ticket(out.ticket)


def test_an_expired_ticket_is_refused(ctx: Context, learner: Booker, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    out = channel.issue_ticket(ctx, learner.user_id)
    clock.advance(seconds=channel.TICKET_TTL_SECONDS + 1)
    with pytest.raises(Unauthorized, match="expired"):
        channel.redeem_ticket(out.ticket)


def test_a_room_ticket_does_not_open_a_channel_nor_a_channel_ticket_a_room(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = make_room(ctx, monkeypatch)
    room_ticket = room.ticket(room.learners[0])
    with pytest.raises(Unauthorized):
        channel.redeem_ticket(room_ticket)
    channel_ticket = channel.issue_ticket(ctx, room.learners[0].user_id).ticket
    with pytest.raises(Unauthorized):
        tickets.redeem_ticket(channel_ticket, session_id=room.session_id)
    # Neither refusal used the other ticket up.
    assert tickets.redeem_ticket(room_ticket).user_id == room.learners[0].user_id
    assert channel.redeem_ticket(channel_ticket) == room.learners[0].user_id


def test_tickets_are_rate_limited_per_person(ctx: Context, learner: Booker) -> None:
    for _ in range(channel.TICKET_LIMIT.max_hits):
        channel.issue_ticket(ctx, learner.user_id)
    with pytest.raises(TooManyRequests):
        channel.issue_ticket(ctx, learner.user_id)
    channel.issue_ticket(ctx, person("learner").user_id)  # someone else is not held back


def test_the_ticket_route_answers_201_for_the_caller(ctx: Context, learner: Booker) -> None:
    notifications = load_function("notifications")
    answer = call(
        notifications, rest_event("POST", "/api/notifications/channel-ticket", identity=who(learner))
    )
    assert answer.status == 201
    assert set(answer.body) == {"ticket", "url", "expires_at"}
    assert answer.body["url"].endswith(f"?ticket={answer.body['ticket']}&channel=user")
    assert channel.redeem_ticket(answer.body["ticket"]) == learner.user_id


# ---------------------------------------------------------------- the authorizer on $connect
def channel_connect_request(ticket: str | None, channel_name: str = "user") -> dict[str, Any]:
    event = copy.deepcopy(load_event("signaling/authorizer-connect.json"))
    event["queryStringParameters"] = {**({"ticket": ticket} if ticket else {}), "channel": channel_name}
    return event


def test_the_authorizer_allows_a_channel_ticket_with_the_channels_context(
    ctx: Context, learner: Booker
) -> None:
    authorizer = load_function("authorizer")
    ticket = channel.issue_ticket(ctx, learner.user_id).ticket
    answer = authorizer.lambda_handler(channel_connect_request(ticket), LambdaContextStub())
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert answer["context"] == {"user_id": learner.user_id, "role": "learner", "channel": "user"}


@pytest.mark.parametrize("case", ["reused", "unknown", "other_channel", "room_ticket"])
def test_the_authorizer_refuses_a_bad_channel_ticket_with_a_401(
    ctx: Context, learner: Booker, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    authorizer = load_function("authorizer")
    ticket = channel.issue_ticket(ctx, learner.user_id).ticket
    name = "user"
    if case == "reused":
        authorizer.lambda_handler(channel_connect_request(ticket), LambdaContextStub())
    elif case == "unknown":
        ticket = "x" * 43
    elif case == "other_channel":
        name = "admin"
    elif case == "room_ticket":
        room = make_room(ctx, monkeypatch)
        ticket = room.ticket(room.learners[0])
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.lambda_handler(channel_connect_request(ticket, name), LambdaContextStub())


def test_the_authorizer_denies_a_channel_to_someone_banned_since_the_ticket(
    ctx: Context, learner: Booker
) -> None:
    authorizer = load_function("authorizer")
    ticket = channel.issue_ticket(ctx, learner.user_id).ticket
    get_user(learner.user_id).update(actions=[UserItem.banned.set(True)])
    answer = authorizer.lambda_handler(channel_connect_request(ticket), LambdaContextStub())
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Deny"


# ---------------------------------------------------------------- the signaling function
def ws_event(name: str, connection_id: str, **changes: Any) -> dict[str, Any]:
    event = copy.deepcopy(load_event(f"signaling/{name}.json"))
    event["requestContext"]["connectionId"] = connection_id
    event.update(changes)
    return event


@pytest.fixture
def signaling(ctx: Context) -> ModuleType:
    return load_function("signaling")


def channel_connect_event(who: Booker, connection_id: str) -> dict[str, Any]:
    event = ws_event("connect", connection_id)
    event["requestContext"]["authorizer"] = {
        "principalId": who.user_id,
        "user_id": who.user_id,
        "role": who.role,
        "channel": "user",
    }
    return event


def test_connect_records_a_user_channel_under_its_person_with_a_ttl(
    signaling: ModuleType, learner: Booker, wire: Wire
) -> None:
    assert signaling.lambda_handler(channel_connect_event(learner, "tab-1="), LambdaContextStub()) == {
        "statusCode": 200
    }
    connection = channel.get_connection("tab-1=")
    assert connection is not None
    assert connection.user_id == learner.user_id
    entry = UserChannelItem.get(user_pk(learner.user_id), channel_sk("tab-1="))
    assert 2 * 3600 < int(entry.ttl or 0) - int(entry.connected_at) <= 2 * 3600 + 900
    assert sockets.get_connection("tab-1=") is None  # not a room's connection
    assert channel.open_connections(learner.user_id) == ["tab-1="]


def test_disconnect_removes_both_items(signaling: ModuleType, learner: Booker, wire: Wire) -> None:
    context = LambdaContextStub()
    signaling.lambda_handler(channel_connect_event(learner, "tab-1="), context)
    signaling.lambda_handler(channel_connect_event(learner, "tab-2="), context)
    assert signaling.lambda_handler(ws_event("disconnect", "tab-1="), context) == {"statusCode": 200}
    assert channel.get_connection("tab-1=") is None
    assert channel.open_connections(learner.user_id) == ["tab-2="]


def test_a_user_channel_answers_ping_with_pong(signaling: ModuleType, learner: Booker, wire: Wire) -> None:
    context = LambdaContextStub()
    signaling.lambda_handler(channel_connect_event(learner, "tab-1="), context)
    ping = ws_event("message", "tab-1=", body=json.dumps({"action": "ping"}))
    signaling.lambda_handler(ping, context)
    assert wire.types("tab-1=") == ["pong"]


@pytest.mark.parametrize(
    "message",
    [
        {"action": "hello"},
        {"action": "chat", "text": "hi"},
        {"action": "end"},
        {"action": "leave"},
        {"action": "admit", "all": True},
        {"action": "signal", "to": "someone", "data": {"type": "offer", "sdp": "v=0"}},
        {"action": "nonsense"},
    ],
)
def test_a_user_channel_refuses_every_room_action_and_does_nothing(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, message: dict[str, Any]
) -> None:
    # Given a room with its mentor connected, and one of its learners on a user channel
    room: Room = make_room(ctx, monkeypatch)
    mentor = room.connect(room.mentor)
    learner = room.learners[0]
    open_channel(ctx, learner, "tab-1=")
    room.wire.clear()
    # When the user channel sends a room action
    dispatch.handle("tab-1=", json.dumps({**message, "ref": "r1"}))
    # Then it alone is told no, and nothing else happened
    refusal = room.wire.last("tab-1=", "error")
    assert (refusal["code"], refusal["ref"]) == ("forbidden", "r1")
    assert room.wire.types("tab-1=") == ["error"]
    assert room.wire.sent[mentor] == []
    assert room.wire.closed == []
    assert channel.get_connection("tab-1=") is not None


def test_a_user_channel_is_rate_limited_like_a_room_connection(
    ctx: Context, learner: Booker, wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_channel(ctx, learner, "tab-1=")
    monkeypatch.setattr(dispatch, "now_ms", lambda: 1_800_000_000_000)  # no time passes: no draining
    for _ in range(dispatch.RATE_BURST):
        dispatch.handle("tab-1=", json.dumps({"action": "ping"}))
    assert wire.types("tab-1=") == ["pong"] * dispatch.RATE_BURST
    dispatch.handle("tab-1=", json.dumps({"action": "ping"}))
    assert wire.last("tab-1=", "error")["code"] == "rate_limited"


def test_room_connections_are_untouched_by_channels(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    room = make_room(ctx, monkeypatch)
    mentor = room.connect(room.mentor)
    open_channel(ctx, room.mentor, "tab-1=")
    room.send(room.mentor, "ping")
    assert room.wire.types(mentor) == ["pong"]
    presence.disconnect(mentor)
    assert channel.get_connection("tab-1=") is not None
    assert sockets.get_connection(mentor) is None


# ---------------------------------------------------------------- push_to_user
def test_push_reaches_every_open_tab_of_that_person_only(ctx: Context, learner: Booker, wire: Wire) -> None:
    other = person("learner")
    open_channel(ctx, learner, "tab-1=")
    open_channel(ctx, learner, "tab-2=")
    open_channel(ctx, other, "other-tab=")
    message = {"type": "unread", "unread": 3}
    assert push_to_user(learner.user_id, message) == 2
    assert wire.sent["tab-1="] == [message]
    assert wire.sent["tab-2="] == [message]
    assert wire.sent["other-tab="] == []


def test_a_gone_tab_is_forgotten_and_the_others_still_get_the_push(
    ctx: Context, learner: Booker, wire: Wire
) -> None:
    open_channel(ctx, learner, "tab-1=")
    open_channel(ctx, learner, "tab-2=")
    wire.gone.add("tab-1=")
    assert push_to_user(learner.user_id, {"type": "unread", "unread": 1}) == 1
    assert channel.get_connection("tab-1=") is None
    assert channel.open_connections(learner.user_id) == ["tab-2="]
    assert channel.get_connection("tab-2=") is not None


def test_a_throttled_tab_is_kept_and_does_not_stop_the_others(
    ctx: Context, learner: Booker, wire: Wire
) -> None:
    open_channel(ctx, learner, "tab-1=")
    open_channel(ctx, learner, "tab-2=")
    wire.throttled.add("tab-1=")
    assert push_to_user(learner.user_id, {"type": "unread", "unread": 1}) == 1
    assert sorted(channel.open_connections(learner.user_id)) == ["tab-1=", "tab-2="]


def test_push_to_someone_with_no_open_tab_reaches_nobody(learner: Booker, wire: Wire) -> None:
    assert push_to_user(learner.user_id, {"type": "unread", "unread": 0}) == 0


def test_a_pong_to_a_gone_channel_forgets_it(ctx: Context, learner: Booker, wire: Wire) -> None:
    open_channel(ctx, learner, "tab-1=")
    wire.gone.add("tab-1=")
    dispatch.handle("tab-1=", json.dumps({"action": "ping"}))
    assert channel.get_connection("tab-1=") is None
    assert channel.open_connections(learner.user_id) == []


def test_an_eleventh_tab_closes_the_oldest_so_fan_out_stays_bounded(
    ctx: Context, learner: Booker, wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    moving = Clock(monkeypatch)
    for tab in range(channel.MAX_OPEN_CHANNELS + 1):
        open_channel(ctx, learner, f"tab-{tab:02d}=")
        moving.advance(seconds=1)

    still_open = channel.open_connections(learner.user_id)
    assert len(still_open) == channel.MAX_OPEN_CHANNELS
    assert "tab-00=" not in still_open
    assert wire.closed == ["tab-00="]
    assert channel.get_connection("tab-00=") is None


def test_ending_someones_sign_ins_closes_their_open_channels_only(
    ctx: Context, learner: Booker, wire: Wire
) -> None:
    from peerlearn.accounts import signins

    other = person("learner")
    open_channel(ctx, learner, "tab-1=")
    open_channel(ctx, learner, "tab-2=")
    open_channel(ctx, other, "other-tab=")

    signins.end_all_sign_ins(learner.user_id, reason="test")  # also what a ban and a new password do

    assert channel.open_connections(learner.user_id) == []
    assert sorted(wire.closed) == ["tab-1=", "tab-2="]
    assert channel.open_connections(other.user_id) == ["other-tab="]
    assert push_to_user(learner.user_id, {"type": "unread", "unread": 1}) == 0
