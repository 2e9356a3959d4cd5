"""Live rooms through the local stack (template.yaml's WebSocket API, the real authorizer and
signaling function, DynamoDB Local) with a real WebSocket client: who is refused at `$connect`, the
role matrix, a gone connection, API Gateway's frame limit, and a reconnect without a ghost."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from infra.local.stack import LocalStack
from peerlearn import clock
from peerlearn.accounts.lookups import get_user
from peerlearn.bookings import seats
from peerlearn.bookings.seats import Booker
from peerlearn.catalog import publishing
from peerlearn.catalog.schemas import SessionCreate
from peerlearn.context import Context
from peerlearn.live import dispatch, tickets
from peerlearn.live.access import get_participant
from peerlearn.live.sockets import get_connection
from peerlearn.store.keys import CONNECTION_SK, TICKET_SK, connection_pk, peer_sk, room_pk, ticket_pk
from peerlearn.store.models import ConnectionItem, ParticipantItem, RoomTicketItem, UserItem
from tests.integration.rooms.conftest import Person
from tests.support import local_in, wait_until

pytestmark = pytest.mark.integration


class Client:
    """A participant's socket: JSON out, JSON in, with what arrived kept for the asking."""

    def __init__(self, url: str, sockets: contextlib.ExitStack) -> None:
        self.socket: ClientConnection = sockets.enter_context(connect(url, open_timeout=30))
        self.seen: list[dict[str, Any]] = []

    def send(self, action: str, **payload: Any) -> None:
        self.socket.send(json.dumps({"action": action, **payload}))

    def next(self, kind: str, timeout: float = 20) -> dict[str, Any]:
        """The first message of `kind` not yet taken (others are kept)."""
        for index, message in enumerate(self.seen):
            if message["type"] == kind:
                return self.seen.pop(index)
        while True:
            message = json.loads(self.socket.recv(timeout=timeout))
            if message["type"] == kind:
                return message
            self.seen.append(message)

    def drain(self, timeout: float = 1.0) -> list[dict[str, Any]]:
        try:
            while True:
                self.seen.append(json.loads(self.socket.recv(timeout=timeout)))
        except TimeoutError:
            pass
        taken, self.seen = self.seen, []
        return taken

    def close(self) -> None:
        self.socket.close()


class Room:
    def __init__(self, stack: LocalStack, ctx: Context, sockets: contextlib.ExitStack) -> None:
        self.stack, self.ctx, self.sockets = stack, ctx, sockets
        self.mentor = Person(ctx, "mentor")
        self.learners = [Person(ctx, "learner") for _ in range(3)]
        self.admin = Person(ctx, "admin")
        request = SessionCreate(
            title="Live room test",
            description="",
            tags=["Python"],
            level="intermediate",
            language="English",
            starts_at_local=local_in(15),
            timezone="Asia/Kolkata",
            duration_minutes=60,
            capacity=3,
            price_paise=0,
        )
        self.session_id = publishing.create_session(
            ctx, mentor_id=self.mentor.id, request=request, client="192.0.2.9"
        ).id
        for learner in self.learners:
            booker = Booker(user_id=learner.id, name=learner.name, role="learner", email_verified=True)
            seats.book(booker=booker, session_id=self.session_id, client="192.0.2.9")

    def ticket_url(self, person: Person) -> str:
        with httpx.Client(base_url=self.stack.url, timeout=60) as api:
            answer = api.post(f"/api/sessions/{self.session_id}/room-ticket", headers=person.headers)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["url"])

    def join(self, person: Person) -> Client:
        client = Client(self.ticket_url(person), self.sockets)
        client.send("hello")
        client.next("welcome")
        return client


@pytest.fixture
def room(stack: LocalStack, ctx: Context) -> Iterator[Room]:
    with contextlib.ExitStack() as sockets:  # every client socket is closed after the test
        yield Room(stack, ctx, sockets)


def refused_status(url: str) -> int:
    with pytest.raises(InvalidStatus) as refused, connect(url, open_timeout=30):
        pass
    return refused.value.response.status_code


# ---------------------------------------------------------------- $connect
def test_unauthorised_connects_are_all_refused(room: Room, stack: LocalStack) -> None:
    base = stack.env["WEBSOCKET_URL"]
    learner = room.learners[0]
    # No ticket: API Gateway refuses before the authorizer runs
    assert refused_status(base) == 401
    assert refused_status(f"{base}?session={room.session_id}") == 401
    # A ticket used once already
    url = room.ticket_url(learner)
    Client(url, room.sockets).close()
    assert refused_status(url) == 401
    # An expired ticket
    expired = "expired-ticket-" + uuid.uuid4().hex
    RoomTicketItem(
        ticket_pk(tickets._hash(expired)),
        TICKET_SK,
        user_id=learner.id,
        session_id=room.session_id,
        room_role="learner",
        name=learner.name,
        expires_at=clock.now_seconds() - 1,
    ).save()
    assert refused_status(f"{base}?ticket={expired}&session={room.session_id}") == 401
    # Another session's ticket for this room
    other = Room(stack, room.ctx, room.sockets)
    other_url = other.ticket_url(other.learners[0])
    assert refused_status(other_url.replace(other.session_id, room.session_id)) == 401
    # A user banned after the ticket was issued
    banned_url = room.ticket_url(room.learners[1])
    get_user(room.learners[1].id).update(actions=[UserItem.banned.set(True)])
    assert refused_status(banned_url) == 403
    # A participant the mentor removed, with a ticket from before
    mentor = room.join(room.mentor)
    removed = room.join(room.learners[2])
    later_url = room.ticket_url(room.learners[2])
    mentor.send("remove", user_id=room.learners[2].id)
    assert removed.next("removed")["type"] == "removed"
    assert refused_status(later_url) == 403
    with httpx.Client(base_url=stack.url, timeout=60) as api:
        again = api.post(f"/api/sessions/{room.session_id}/room-ticket", headers=room.learners[2].headers)
    assert (again.status_code, again.json()["error"]["code"]) == (403, "removed")


# ---------------------------------------------------------------- the room
def test_waiting_admitting_signalling_and_a_reconnect_without_a_ghost(room: Room) -> None:
    mentor = room.join(room.mentor)
    learner = room.join(room.learners[0])
    assert mentor.next("knock")["participant"]["user_id"] == room.learners[0].id
    mentor.send("admit", user_id=room.learners[0].id)
    learner.next("admitted")
    assert learner.next("welcome")["you"]["status"] == "admitted"
    learner.send("signal", to=room.mentor.id, data={"description": {"type": "offer", "sdp": "v=0"}})
    assert mentor.next("signal") == {
        "type": "signal",
        "from": room.learners[0].id,
        "data": {"description": {"type": "offer", "sdp": "v=0"}},
    }
    # The learner's network switches: a new connection while the old one is still open
    again = room.join(room.learners[0])
    assert learner.next("replaced") == {"type": "replaced"}
    with pytest.raises(ConnectionClosed):
        learner.socket.recv(timeout=20)
    room.stack.await_idle()
    mentor.drain()
    mentor.send("hello")
    welcome = mentor.next("welcome")
    learners = [p for p in welcome["participants"] if p["user_id"] == room.learners[0].id]
    assert len(learners) == 1
    assert (learners[0]["status"], learners[0]["connected"]) == ("admitted", True)
    # ...and the new connection is the one that works
    mentor.send("signal", to=room.learners[0].id, data={"candidate": {"candidate": "c"}})
    assert again.next("signal")["from"] == room.mentor.id


def test_every_message_type_is_refused_from_a_role_that_may_not_send_it(room: Room) -> None:
    mentor = room.join(room.mentor)
    admitted = room.join(room.learners[0])
    mentor.send("admit", user_id=room.learners[0].id)
    admitted.next("welcome")
    waiting = room.join(room.learners[1])
    observer = room.join(room.admin)
    room.stack.await_idle()
    mentor.drain()
    senders = {"L": admitted, "W": waiting, "O": observer}
    target = room.learners[0].id
    for kind, client in senders.items():
        client.drain()
        refused = [a for a, allowed in dispatch.MATRIX.items() if kind not in allowed]
        for action in refused:
            client.socket.send(json.dumps({"action": action, "ref": action, **_payload(action, target)}))
        errors = [client.next("error") for _ in refused]
        assert [(e["ref"], e["code"]) for e in errors] == [(a, "forbidden") for a in refused], kind
    room.stack.await_idle()
    assert [m for m in mentor.drain() if m["type"] not in ("presence",)] == []


def _payload(action: str, target: str) -> dict[str, Any]:
    return {
        "signal": {"to": target, "data": {"candidate": {"candidate": "c"}}},
        "media": {"audio": True, "video": True, "screen": False},
        "chat": {"text": "hi"},
        "react": {"emoji": "👍"},
        "lower-hand": {"user_id": target},
        "admit": {"all": True},
        "mute-request": {"user_id": target, "unmute": True},
        "mute": {"user_id": target},
        "remove": {"user_id": target},
        "extend": {"minutes": 5},
        "recording": {"on": True},
    }.get(action, {})


def test_a_gone_connection_is_forgotten_and_only_that_one(room: Room) -> None:
    # Given an admitted participant whose connection API Gateway no longer knows (no $disconnect came)
    mentor = room.join(room.mentor)
    sender = room.join(room.learners[0])
    mentor.send("admit", all=True)
    sender.next("welcome")
    lost = room.learners[1]
    ParticipantItem(
        room_pk(room.session_id),
        peer_sk(lost.id),
        session_id=room.session_id,
        user_id=lost.id,
        name=lost.name,
        room_role="learner",
        status="admitted",
        connection_id="gone-connection=",
        first_joined_at="2026-01-01T00:00:00Z",
        last_seen_at="2026-01-01T00:00:00Z",
        admitted_at="2026-01-01T00:00:00Z",
    ).save()
    ConnectionItem(
        connection_pk("gone-connection="),
        CONNECTION_SK,
        connection_id="gone-connection=",
        session_id=room.session_id,
        user_id=lost.id,
        room_role="learner",
        connected_at=clock.now_seconds(),
    ).save()
    # When a message is broadcast
    sender.send("chat", text="anyone there?")
    # Then the others get it, the gone connection is forgotten (410) and the sender's is kept
    assert mentor.next("chat")["message"]["text"] == "anyone there?"
    assert sender.next("chat")["message"]["text"] == "anyone there?"
    room.stack.await_idle()
    assert get_connection("gone-connection=") is None
    person = get_participant(room.session_id, lost.id)
    assert person is not None
    assert person.connection_id is None
    sender.send("ping")
    assert sender.next("pong")["type"] == "pong"


# ---------------------------------------------------------------- limits
def test_a_frame_over_32_kb_closes_the_connection_as_api_gateway_does(room: Room) -> None:
    learner = room.join(room.learners[0])
    learner.socket.send(json.dumps({"action": "chat", "text": "x" * (33 * 1024)}))
    with pytest.raises(ConnectionClosed) as closed:
        learner.socket.recv(timeout=20)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


def test_a_message_over_16_kb_is_refused_by_the_room(room: Room) -> None:
    mentor = room.join(room.mentor)
    learner = room.join(room.learners[0])
    mentor.send("admit", all=True)
    learner.next("welcome")
    big = {
        "action": "signal",
        "to": room.mentor.id,
        "data": {"description": {"type": "offer", "sdp": "a" * 17000}},
    }
    learner.socket.send(json.dumps(big))
    assert learner.next("error")["code"] == "too_large"
    room.stack.await_idle()
    assert [m for m in mentor.drain() if m["type"] == "signal"] == []


def test_ending_tells_everyone_and_closes_the_sockets(room: Room) -> None:
    mentor = room.join(room.mentor)
    learner = room.join(room.learners[0])
    mentor.send("admit", all=True)
    learner.next("welcome")
    mentor.send("open")
    assert learner.next("room")["status"] == "open"
    mentor.send("end")
    assert learner.next("ended")["session_id"] == room.session_id
    with pytest.raises(ConnectionClosed):
        learner.socket.recv(timeout=20)
    wait_until(lambda: get_connection_gone(room), timeout=20, what="connections forgotten")


def get_connection_gone(room: Room) -> bool:
    person = get_participant(room.session_id, room.learners[0].id)
    return person is not None and person.connection_id is None
