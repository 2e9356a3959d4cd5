"""The admins' sessions through the local stack (template.yaml's routes, the authorizer, the sessions
and signaling functions, DynamoDB Local, real sockets): 403 for learners and mentors, ending a live
session once (everyone told and disconnected, one audit entry however often it is asked), and an
observer who receives but may not send media."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from infra.local.stack import LocalStack
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.store.audit import AuditItem, audit_target_gsi1pk
from tests.integration.rooms.test_rooms_stack import Client, Room

pytestmark = pytest.mark.integration

SENDING = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n"
RECEIVE_ONLY = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\n"


@pytest.fixture
def room(stack: LocalStack, ctx: Context) -> Iterator[Room]:
    with contextlib.ExitStack() as sockets:
        yield Room(stack, ctx, sockets)


def closed(client: Client) -> bool:
    """Reads what is left until the server closes the socket."""
    try:
        while True:
            client.socket.recv(timeout=20)
    except ConnectionClosed:
        return True


def test_learners_and_mentors_get_403_from_the_admin_sessions_routes(room: Room, api: httpx.Client) -> None:
    for person in (room.learners[0], room.mentor):
        answers = [
            api.get("/api/admin/sessions?state=live", headers=person.headers),
            api.post(
                f"/api/admin/sessions/{room.session_id}/end",
                json={"reason": "Testing"},
                headers=person.headers,
            ),
            api.post(
                f"/api/admin/sessions/{room.session_id}/flags/low_rating/resolve",
                json={"note": "Testing"},
                headers=person.headers,
            ),
        ]
        assert [a.status_code for a in answers] == [403, 403, 403], person.role
    assert api.get("/api/admin/sessions?state=upcoming", headers=room.admin.headers).status_code == 200
    monitor = f"/api/sessions/{room.session_id}/room/participants"
    assert api.get(monitor, headers=room.learners[0].headers).status_code == 403
    assert api.get(monitor, headers=room.mentor.headers).status_code == 200


def test_an_admin_ends_a_live_session_once(room: Room, api: httpx.Client) -> None:
    # Given a live room with the mentor and an admitted learner
    mentor = room.join(room.mentor)
    mentor.send("open")
    learner = room.join(room.learners[0])
    mentor.send("admit", user_id=room.learners[0].id)
    learner.next("welcome")
    live = api.get("/api/admin/sessions?state=live", headers=room.admin.headers).json()["items"]
    assert [(r["id"], r["participants_now"]) for r in live] == [(room.session_id, 2)]

    # When an admin ends it, twice
    path = f"/api/admin/sessions/{room.session_id}/end"
    first = api.post(path, json={"reason": "Reported by a learner"}, headers=room.admin.headers)
    second = api.post(path, json={"reason": "Reported by a learner"}, headers=room.admin.headers)

    # Then both answer completed, everyone was told who ended it and disconnected, one entry
    assert [(a.status_code, a.json()["status"]) for a in (first, second)] == [(200, "completed")] * 2
    for client in (mentor, learner):
        assert client.next("ended")["by"] == "admin"
        assert closed(client)
    assert get_session_item(room.session_id, consistent=True).status == "completed"
    ends = [
        e
        for e in AuditItem.by_target.query(audit_target_gsi1pk(room.session_id))
        if e.action == "session.end"
    ]
    assert [(e.actor_id, e.reason) for e in ends] == [(room.admin.id, "Reported by a learner")]


def test_an_observer_receives_but_cannot_send_media(room: Room) -> None:
    mentor = room.join(room.mentor)
    observer = room.join(room.admin)
    room.stack.await_idle()
    mentor.drain()
    observer.send("signal", to=room.mentor.id, data={"description": {"type": "offer", "sdp": SENDING}})
    assert observer.next("error")["code"] == "forbidden"
    observer.send("chat", text="hello")
    assert observer.next("error")["code"] == "forbidden"
    room.stack.await_idle()
    assert [m for m in mentor.drain() if m["type"] != "presence"] == []

    # What it may send: a receive-only answer, and the mentor's offer reaches it
    observer.send("signal", to=room.mentor.id, data={"description": {"type": "answer", "sdp": RECEIVE_ONLY}})
    assert mentor.next("signal")["from"] == room.admin.id
    mentor.send("signal", to=room.admin.id, data={"description": {"type": "offer", "sdp": SENDING}})
    assert observer.next("signal")["from"] == room.mentor.id
