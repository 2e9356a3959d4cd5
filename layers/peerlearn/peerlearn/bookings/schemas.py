"""Shapes of the booking routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

BookingStatus = Literal["held", "confirmed", "completed", "cancelled", "expired", "no_show"]


class BookedSession(BaseModel):
    id: str
    title: str
    starts_at: str
    ends_at: str
    mentor_id: str
    mentor_name: str
    price_paise: int


class BookingOut(BaseModel):
    id: str
    session_id: str
    learner_id: str
    status: BookingStatus
    price_paise: int
    hold_expires_at: str | None
    offered_from_waitlist: bool
    created_at: str
    session: BookedSession


class BookingPage(BaseModel):
    items: list[BookingOut]
    next_cursor: str | None


class WaitlistPosition(BaseModel):
    position: int


class CancellationPolicy(BaseModel):
    cutoff_hours: int
    cancellable_until: str
    summary: str


class MyBookingState(BaseModel):
    booking: BookingOut | None
    waitlist: WaitlistPosition | None
    cancellation_policy: CancellationPolicy


class Room(BaseModel):
    session_id: str
    role: Literal["mentor", "learner", "observer"]
    title: str


class JoinAnswer(BaseModel):
    can_join: bool
    opens_at: str
    closes_at: str
    reason: str | None
    room: Room | None


class Attendee(BaseModel):
    learner_id: str
    name: str
    avatar_url: str | None
    status: BookingStatus
    booked_at: str


class AttendeeList(BaseModel):
    items: list[Attendee]
