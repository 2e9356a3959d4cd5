"""Helpers for the live-room tests: a room with a mentor, learners and an admin; what each connection
was sent (moto's management API, recorded as the adapter posts); connections that are gone (410)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import pytest

from peerlearn.adapters import websocket
from peerlearn.bookings import seats
from peerlearn.bookings.seats import Booker
from peerlearn.context import Context
from peerlearn.live import dispatch, presence, tickets
from tests.unit.sessions_support import CLIENT, person, publish


class Wire:
    """Every message pushed to each connection and every close, as the management API got them.
    Connections in `gone` answer 410 GoneException (through botocore, so the adapter's own check runs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.closed: list[str] = []
        self.gone: set[str] = set()
        self.throttled: set[str] = set()  # these answer 429 LimitExceededException (a reader too slow)
        monkeypatch.setattr(websocket, "_client", None)  # a client of this test's own
        real_post, real_close = websocket.post, websocket.close

        def post(connection_id: str, data: bytes) -> bool:
            delivered = real_post(connection_id, data)
            if delivered:
                self.sent[connection_id].append(json.loads(data))
            return delivered

        def close(connection_id: str) -> bool:
            self.closed.append(connection_id)
            return real_close(connection_id)

        monkeypatch.setattr(websocket, "post", post)
        monkeypatch.setattr(websocket, "close", close)
        websocket._connections().meta.events.register(
            "before-call.apigatewaymanagementapi.PostToConnection", self._answer_gone
        )

    def _answer_gone(self, params: dict[str, Any], **_: Any) -> Any:
        connection_id = unquote(params["url_path"].rsplit("/", 1)[-1])
        if connection_id in self.throttled:
            body = {
                "Error": {"Code": "LimitExceededException", "Message": ""},
                "ResponseMetadata": {"HTTPStatusCode": 429},
            }
            return SimpleNamespace(status_code=429, headers={}, text=""), body
        if connection_id not in self.gone:
            return None
        body = {
            "Error": {"Code": "GoneException", "Message": ""},
            "ResponseMetadata": {"HTTPStatusCode": 410},
        }
        return SimpleNamespace(status_code=410, headers={}, text=""), body

    def types(self, connection_id: str) -> list[str]:
        return [m["type"] for m in self.sent[connection_id]]

    def last(self, connection_id: str, kind: str) -> dict[str, Any]:
        found = [m for m in self.sent[connection_id] if m["type"] == kind]
        assert found, f"{connection_id} got no {kind}: {self.types(connection_id)}"
        return found[-1]

    def clear(self) -> None:
        self.sent.clear()
        self.closed.clear()


@dataclass
class Room:
    ctx: Context
    wire: Wire
    session_id: str
    mentor: Booker
    learners: list[Booker]
    admin: Booker
    outsider: Booker
    connections: dict[str, str] = field(default_factory=dict)  # user id -> latest connection id

    def ticket(self, who: Booker) -> str:
        return tickets.issue_ticket(
            self.ctx, user_id=who.user_id, user_role=who.role, session_id=self.session_id
        ).ticket

    def connect(self, who: Booker) -> str:
        """Ticket, redemption (the authorizer's part) and `$connect` (the signaling function's)."""
        grant = tickets.redeem_ticket(self.ticket(who), session_id=self.session_id)
        tickets.admit_grant(grant)
        connection_id = f"c-{uuid.uuid4().hex[:10]}="
        presence.connect(grant, connection_id)
        self.connections[who.user_id] = connection_id
        return connection_id

    def send(self, who: Booker | str, action: str, **payload: Any) -> None:
        connection_id = who if isinstance(who, str) else self.connections[who.user_id]
        dispatch.handle(connection_id, json.dumps({"action": action, **payload}))

    def of(self, who: Booker) -> str:
        return self.connections[who.user_id]

    def everyone_in(self) -> tuple[str, str, str]:
        """Mentor, one admitted learner, and one still waiting: their connection ids."""
        mentor = self.connect(self.mentor)
        admitted = self.connect(self.learners[0])
        self.send(self.mentor, "admit", user_id=self.learners[0].user_id)
        waiting = self.connect(self.learners[1])
        self.wire.clear()
        return mentor, admitted, waiting


def make_room(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, *, hours: float = 0.25, learners: int = 3
) -> Room:
    mentor = person("mentor")
    session_id = publish(ctx, mentor, hours=hours, capacity=max(learners, 1))
    booked = []
    for _ in range(learners):
        learner = person("learner")
        seats.book(booker=learner, session_id=session_id, client=CLIENT)
        booked.append(learner)
    return Room(
        ctx=ctx,
        wire=Wire(monkeypatch),
        session_id=session_id,
        mentor=mentor,
        learners=booked,
        admin=person("admin"),
        outsider=person("learner"),
    )
