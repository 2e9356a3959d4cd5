"""Shapes of /api/recommendations/*: each pick carries the session (or mentor) as the rest of the
API shows it, live, and the reason a person can read."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from peerlearn.catalog.schemas import MentorCard, SessionOut
from peerlearn.shapes import Shape


class ReasonOut(Shape):
    kind: str = Field(description="interest | co_booked | similar | mentor | trending | new")
    text: str = Field(description='A sentence to show: "Because you follow Python".')


class SessionPickOut(Shape):
    session: SessionOut
    reason: ReasonOut
    score: float


class SessionPicksPage(Shape):
    items: list[SessionPickOut]
    next_cursor: str | None
    # When the model answering was built (UTC ISO) and which build it is; null before the first build.
    built_at: str | None
    build_id: str | None = None


class MentorPickOut(Shape):
    mentor: MentorCard
    expertise: list[str]
    languages: list[str]
    reasons: list[str] = Field(description="Why this mentor, strongest first.")
    score: float


class MentorPicksPage(Shape):
    items: list[MentorPickOut]
    next_cursor: str | None
    built_at: str | None
    build_id: str | None = None


class DemandOut(Shape):
    tag: str
    learners: int = Field(description="Learners who follow the tag (it is among their interests).")
    waitlisted: int = Field(description="Learners on the waitlist of a session with the tag.")
    open_sessions: int
    seats_left: int
    text: str


class DemandPage(Shape):
    items: list[DemandOut]
    built_at: str | None
    build_id: str | None = None


class ViewIn(Shape):
    session_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")]


class ViewOut(Shape):
    counted: bool = Field(
        description="False when this learner's view of the session was already counted today."
    )
