"""Shapes of the booking routes."""

from __future__ import annotations

from typing import Literal

from peerlearn.shapes import Shape

BookingStatus = Literal["held", "confirmed", "completed", "cancelled", "expired", "no_show"]


class BookedSession(Shape):
    id: str
    title: str
    starts_at: str
    ends_at: str
    mentor_id: str
    mentor_name: str
    price_paise: int


class BookingOut(Shape):
    id: str
    session_id: str
    learner_id: str
    status: BookingStatus
    price_paise: int
    hold_expires_at: str | None
    offered_from_waitlist: bool
    created_at: str
    session: BookedSession


class BookingPage(Shape):
    items: list[BookingOut]
    next_cursor: str | None


class WaitlistPosition(Shape):
    position: int


class CancellationPolicy(Shape):
    cutoff_hours: int
    cancellable_until: str
    summary: str


class MyBookingState(Shape):
    booking: BookingOut | None
    waitlist: WaitlistPosition | None
    cancellation_policy: CancellationPolicy


class Room(Shape):
    session_id: str
    role: Literal["mentor", "learner", "observer"]
    title: str
    # The live room's state (peerlearn.live fills these in): waiting until the session is live.
    status: Literal["waiting", "open", "ended"] = "waiting"
    opened: bool = False


class JoinAnswer(Shape):
    can_join: bool
    opens_at: str
    closes_at: str
    reason: str | None
    room: Room | None


class Attendee(Shape):
    learner_id: str
    name: str
    avatar_url: str | None
    status: BookingStatus
    booked_at: str


class AttendeeList(Shape):
    items: list[Attendee]
