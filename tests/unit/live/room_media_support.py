"""For the live-room tests: moto S3 behind the sessions function, live sessions with seated learners,
attendance, and a recorder in place of the room's fan-out."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import Any

import boto3
import pytest

from peerlearn import ids
from peerlearn.adapters.objects import S3ObjectStore
from peerlearn.bookings import seats
from peerlearn.bookings.states import transition
from peerlearn.catalog import lifecycle
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.live import attendance, fanout
from tests.support import load_function, rest_event
from tests.unit.sessions_support import CLIENT, Clock, person, publish

BUCKET = "uploads-test"
MIB = 1024 * 1024


def s3_context(ctx: Context) -> Context:
    """The unit tests' context talks to moto's S3 instead of the local gateway's stand-in."""
    client = boto3.client("s3", region_name="ap-south-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
    return replace(ctx, objects=S3ObjectStore(BUCKET, client=client))


def sessions_function(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The sessions function as in the cloud: no local uploads endpoint, so S3 (moto) it is."""
    monkeypatch.delenv("UPLOADS_ENDPOINT", raising=False)
    return load_function("sessions")


class Room:
    """A live session: its mentor, a confirmed learner, a learner whose booking was cancelled, an
    admin and a stranger."""

    def __init__(self, ctx: Context, clock: Clock, *, price_paise: int = 0) -> None:
        self.mentor = person("mentor")
        self.session_id = publish(ctx, self.mentor, hours=1, capacity=4, price_paise=price_paise)
        self.learner = person()
        seats.book(booker=self.learner, session_id=self.session_id, client=CLIENT)
        self.cancelled = person()
        seats.book(booker=self.cancelled, session_id=self.session_id, client=CLIENT)
        from peerlearn.bookings.states import get_booking

        booking = get_booking(self.session_id, self.cancelled.user_id)
        assert booking is not None
        transition(booking, allowed_from=["confirmed"], to="cancelled")
        self.admin = person("admin")
        self.stranger = person()
        self.clock = clock

    def go_live(self) -> None:
        self.clock.advance(minutes=62)
        lifecycle.start(get_session_item(self.session_id, consistent=True))


def attend(session_id: str, user_id: str, room_role: str = "mentor") -> None:
    """An attendance record, as live-core opens one when a participant is admitted."""
    attendance.open_stay(session_id, user_id, room_role)


class Broadcasts:
    """What the room was sent (in place of live-core's fan-out)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

        def broadcast(session_id: str, message: dict[str, Any], **_options: Any) -> int:
            self.sent.append((session_id, message))
            return 3

        monkeypatch.setattr(fanout, "broadcast", broadcast)


def on(session_id: str, method: str, suffix: str, body: Any = None, *, identity: Any) -> dict[str, Any]:
    """A REST event for /api/sessions/<id><suffix> (the resolver routes on the path)."""
    path = f"/api/sessions/{session_id}{suffix}"
    return rest_event(
        method, path, body, resource=path, path_parameters={"id": session_id}, identity=identity
    )


def new_id() -> str:
    return ids.new_id()
