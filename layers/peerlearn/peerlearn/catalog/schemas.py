"""Shapes of the session routes. Prices are integer paise; times are UTC ISO strings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from peerlearn.fields import Tag, Timezone
from peerlearn.shapes import Shape
from peerlearn.text import MultiLine, SingleLine

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 240
# Media is peer-to-peer (mesh): every participant sends to every other, which stays smooth up to 8.
# Seats per session: the room holds the mentor and every seat (a mesh; docs/rooms.md says why 8 in all).
MAX_CAPACITY = 7
MIN_PRICE_PAISE = 4_900  # ₹49
MAX_PRICE_PAISE = 5_000_000  # ₹50,000
MAX_EARLY_JOIN_MINUTES = 30

Level = Literal["beginner", "intermediate", "advanced"]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120), SingleLine]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MultiLine]
Language = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40), SingleLine]
LocalDateTime = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
]
Duration = Annotated[int, Field(ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES)]
Capacity = Annotated[int, Field(ge=1, le=MAX_CAPACITY)]
Price = Annotated[int, Field(ge=0, le=MAX_PRICE_PAISE, description="Paise; 0 is free, else at least 4900.")]
EarlyJoin = Annotated[int, Field(ge=0, le=MAX_EARLY_JOIN_MINUTES)]


class SessionCreate(Shape):
    """`starts_at_local` is wall-clock time in `timezone` (the mentor's zone); it is stored in UTC."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Python code review, 1:1",
                    "description": "Bring a pull request; we'll review it together.",
                    "tags": ["Python", "Code review"],
                    "level": "intermediate",
                    "language": "English",
                    "starts_at_local": "2026-12-05T18:30",
                    "timezone": "Asia/Kolkata",
                    "duration_minutes": 60,
                    "capacity": 1,
                    "price_paise": 49900,
                }
            ]
        },
    )

    title: Title
    description: Description = ""
    tags: list[Tag] = Field(min_length=1, max_length=8)
    level: Level
    language: Language = "English"
    starts_at_local: LocalDateTime
    timezone: Timezone
    duration_minutes: Duration
    capacity: Capacity = 1
    price_paise: Price = 0
    early_join_minutes: EarlyJoin = 10


class SessionUpdate(Shape):
    """Only the fields sent change. Moving the time needs both `starts_at_local` and `timezone`."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    tags: list[Tag] | None = Field(default=None, min_length=1, max_length=8)
    level: Level | None = None
    language: Language | None = None
    starts_at_local: LocalDateTime | None = None
    timezone: Timezone | None = None
    duration_minutes: Duration | None = None
    capacity: Capacity | None = None
    price_paise: Price | None = None
    early_join_minutes: EarlyJoin | None = None


class MentorCard(Shape):
    id: str
    name: str
    headline: str | None
    avatar_url: str | None
    rating_average: float | None
    rating_count: int
    sessions_taught: int


class SessionOut(Shape):
    id: str
    mentor: MentorCard
    title: str
    description: str
    tags: list[str]
    level: Level
    language: str
    starts_at: str
    ends_at: str
    duration_minutes: int
    timezone: str
    capacity: int
    seats_left: int
    price_paise: int
    early_join_minutes: int
    status: Literal["scheduled", "live", "completed", "cancelled"]
    rating_average: float | None
    rating_count: int
    booked_count: int
    created_at: str


class SessionPage(Shape):
    items: list[SessionOut]
    next_cursor: str | None


Sort = Literal["soonest", "price", "rating", "popularity"]


class DiscoveryQuery(Shape):
    """Filters of GET /api/sessions; every combination is served by one Query on one index."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    tag: Tag | None = None
    language: Language | None = None
    level: Level | None = None
    mentor: Annotated[str, StringConstraints(max_length=40)] | None = None
    free: bool = False
    min_price: Annotated[int, Field(ge=0, le=MAX_PRICE_PAISE)] | None = None
    max_price: Annotated[int, Field(ge=0, le=MAX_PRICE_PAISE)] | None = None
    date_from: str | None = Field(default=None, description="YYYY-MM-DD (UTC)")
    date_to: str | None = Field(default=None, description="YYYY-MM-DD (UTC), inclusive")
    sort: Sort = "soonest"
    limit: Annotated[int, Field(ge=1, le=50)] = 12
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None
