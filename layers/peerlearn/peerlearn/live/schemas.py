"""The rooms' REST answers (tickets, ICE servers, chat history)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

from peerlearn.accounts.schemas import Reason
from peerlearn.shapes import Shape


class TicketOut(Shape):
    ticket: str
    url: str  # the WebSocket URL with the ticket in its query string
    expires_at: str
    room_role: Literal["mentor", "learner", "observer"]


class IceServer(Shape):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class IceServersOut(Shape):
    ice_servers: list[IceServer]
    ttl_seconds: int


class ChatAttachmentOut(Shape):
    file_id: str
    name: str
    content_type: str
    size_bytes: int
    kind: Literal["image", "file"]


class ChatMessageOut(Shape):
    id: str
    user_id: str
    name: str
    text: str
    attachment: ChatAttachmentOut | None
    sent_at: str
    cursor: str  # pass as `after` to read the messages after this one


class ChatPage(Shape):
    items: list[ChatMessageOut]
    next_after: str | None  # more may follow: ask again with this `after`


class RoomParticipantOut(Shape):
    """One person in a room as the mentor's monitor (and an admin) sees them."""

    user_id: str
    name: str
    room_role: Literal["mentor", "learner", "observer"]
    status: Literal["waiting", "admitted", "removed", "left"]
    connected: bool
    first_joined_at: str  # first arrival (the waiting room included)
    joined_at: str | None  # the current stay's start while in the room; else the last stay's
    left_at: str | None  # the last stay's end when not in the room now
    seconds_in_room: int  # all stays together (admitted and connected), to now for an open stay
    stays: int  # how many times they were in the room (a reconnect starts a new stay)
    audio: bool
    video: bool
    screen: bool


class RoomParticipantsOut(Shape):
    session_id: str
    room_status: Literal["waiting", "open", "ended"]
    opened_at: str | None
    ends_at: str
    server_now: str
    participants: list[RoomParticipantOut]


class SessionFlagOut(Shape):
    reason: Literal["mentor_no_show", "learner_removed", "low_rating"]
    detail: str
    flagged_at: str
    resolved_at: str | None


class AdminSessionOut(Shape):
    """A session in the admins' lists: the session, and for a live one its room right now."""

    id: str
    title: str
    mentor_id: str
    mentor_name: str
    status: Literal["scheduled", "live", "completed", "cancelled"]
    starts_at: str
    ends_at: str
    started_at: str | None
    completed_at: str | None
    cancelled_at: str | None
    cancel_reason: str | None
    capacity: int
    booked_count: int
    price_paise: int
    participants_now: int | None = None  # live: mentor and learners in the room and connected
    waiting_now: int | None = None  # live: learners connected in the waiting room
    observers_now: int | None = None  # live: admins watching
    duration_seconds: int | None = None  # live: since it started; ended: from start to end
    flag: SessionFlagOut | None = None  # the flagged list: why this row is there


class AdminSessionPage(Shape):
    state: Literal["live", "upcoming", "ended", "flagged"]
    items: list[AdminSessionOut]
    next_cursor: str | None


class EndSessionRequest(Shape):
    """Why an admin ends a live session: kept in the audit log."""

    reason: Reason

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Abuse reported by a learner"}]}
    )


class ResolveFlagRequest(Shape):
    """What an admin did about a flag: kept in the audit log."""

    note: Reason

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "Spoke to the mentor"}]}
    )
