"""User channels through the local stack (the same WebSocket API, authorizer and signaling function as
the rooms, DynamoDB Local, the stream consumer) with real WebSocket clients: a ticket opens one tab's
channel once; it answers ping and refuses room actions; a push reaches every open tab; a closed tab is
forgotten; a session moved through the API reaches the learner's tabs as a `notification`.

The last test relies on the stream writing the session-moved notice and pushing it: the change on the
stream -> peerlearn.notices.changes -> deliver (record + push_to_user)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from infra.local.stack import LocalStack
from peerlearn.context import Context
from peerlearn.notify import channel
from peerlearn.notify.live import push_to_user
from tests.integration.rooms.conftest import Person
from tests.support import local_in, wait_until

pytestmark = pytest.mark.integration


class Tab:
    """One browser tab's user channel: JSON out, JSON in."""

    def __init__(self, url: str, sockets: contextlib.ExitStack) -> None:
        self.socket: ClientConnection = sockets.enter_context(connect(url, open_timeout=30))

    def send(self, action: str, **payload: Any) -> None:
        self.socket.send(json.dumps({"action": action, **payload}))

    def next(self, timeout: float = 20) -> dict[str, Any]:
        return dict(json.loads(self.socket.recv(timeout=timeout)))

    def next_of(self, kind: str, timeout: float = 20) -> dict[str, Any]:
        while True:
            message = self.next(timeout)
            if message["type"] == kind:
                return message


def channel_url(api: httpx.Client, person: Person) -> str:
    answer = api.post("/api/notifications/channel-ticket", headers=person.headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["url"])


@pytest.fixture
def sockets() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as opened:  # every tab is closed after the test
        yield opened


def refused_status(url: str) -> int:
    with pytest.raises(InvalidStatus) as refused, connect(url, open_timeout=30):
        pass
    return refused.value.response.status_code


def test_a_channel_ticket_opens_one_tab_once(
    api: httpx.Client, ctx: Context, stack: LocalStack, sockets: contextlib.ExitStack
) -> None:
    learner = Person(ctx, "learner")
    url = channel_url(api, learner)
    assert url.startswith(stack.env["WEBSOCKET_URL"] + "?ticket=")
    assert url.endswith("&channel=user")
    Tab(url, sockets).socket.close()
    assert refused_status(url) == 401  # single use
    assert refused_status(url.replace("&channel=user", "&channel=admin")) == 401
    assert api.post("/api/notifications/channel-ticket").status_code == 401  # signed in only


def test_a_channel_answers_ping_and_refuses_room_actions(
    api: httpx.Client, ctx: Context, sockets: contextlib.ExitStack
) -> None:
    learner = Person(ctx, "learner")
    tab = Tab(channel_url(api, learner), sockets)
    tab.send("ping")
    assert tab.next()["type"] == "pong"
    for action, payload in [("hello", {}), ("chat", {"text": "hi"}), ("end", {}), ("whatever", {})]:
        tab.send(action, ref="r1", **payload)
        refusal = tab.next()
        assert (refusal["type"], refusal["code"], refusal["ref"]) == ("error", "forbidden", "r1"), action
    tab.send("ping")
    assert tab.next()["type"] == "pong"  # still open, still answering


def test_a_push_reaches_every_open_tab_and_a_closed_tab_is_forgotten(
    api: httpx.Client, ctx: Context, sockets: contextlib.ExitStack
) -> None:
    # Given a learner with two tabs open, and someone else with one
    learner, other = Person(ctx, "learner"), Person(ctx, "learner")
    first, second = Tab(channel_url(api, learner), sockets), Tab(channel_url(api, learner), sockets)
    stranger = Tab(channel_url(api, other), sockets)
    wait_until(lambda: len(channel.open_connections(learner.id)) == 2, what="two tabs recorded")
    # When a message is pushed to the learner
    assert push_to_user(learner.id, {"type": "unread", "unread": 4}) == 2
    # Then both tabs get it, and the other person's doesn't
    assert first.next() == {"type": "unread", "unread": 4}
    assert second.next() == {"type": "unread", "unread": 4}
    with pytest.raises(TimeoutError):
        stranger.next(timeout=1)
    # When one tab closes, its `$disconnect` forgets it; pushes still reach the other
    first.socket.close()
    wait_until(lambda: len(channel.open_connections(learner.id)) == 1, what="the closed tab forgotten")
    assert push_to_user(learner.id, {"type": "unread", "unread": 5}) == 1
    assert second.next() == {"type": "unread", "unread": 5}


def test_a_moved_session_reaches_the_learners_tabs_as_a_notification(
    api: httpx.Client, ctx: Context, sockets: contextlib.ExitStack
) -> None:
    # Given a learner booked on a mentor's session, with two tabs open
    mentor, learner = Person(ctx, "mentor"), Person(ctx, "learner")
    session = {
        "title": "Channel test",
        "description": "",
        "tags": ["Python"],
        "level": "intermediate",
        "language": "English",
        "starts_at_local": local_in(3 * 24 * 60),
        "timezone": "Asia/Kolkata",
        "duration_minutes": 60,
        "capacity": 3,
        "price_paise": 0,
    }
    created = api.post("/api/sessions", json=session, headers=mentor.headers)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    booked = api.post(f"/api/sessions/{session_id}/book", headers=learner.headers)
    assert booked.status_code in (200, 201), booked.text
    # (the booking's confirmation is a notification too: recorded before the tabs open, so the
    # first one they receive is the move's)
    wait_until(
        lambda: api.get("/api/notifications/unread", headers=learner.headers).json()["unread"] == 1,
        timeout=30,
        what="the booking's confirmation recorded",
    )
    tabs = [Tab(channel_url(api, learner), sockets) for _ in range(2)]
    wait_until(lambda: len(channel.open_connections(learner.id)) == 2, what="two tabs recorded")
    # When the mentor moves the session
    moved = api.patch(
        f"/api/sessions/{session_id}",
        json={"starts_at_local": local_in(4 * 24 * 60), "timezone": "Asia/Kolkata"},
        headers=mentor.headers,
    )
    assert moved.status_code == 200, moved.text
    # Then each tab gets the notification, in the contract's shape
    for tab in tabs:
        message = tab.next_of("notification", timeout=30)
        notification = message["notification"]
        assert notification["kind"] == "session_moved"
        assert notification["category"] == "bookings"
        assert notification["link"] == f"/sessions/{session_id}"
        assert notification["read"] is False
        assert set(notification) >= {"id", "kind", "category", "title", "body", "link", "created_at", "read"}
        assert message["unread"] == 2
