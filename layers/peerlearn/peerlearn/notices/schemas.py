"""Request and response shapes of the admins' broadcasts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from peerlearn.shapes import Shape
from peerlearn.text import MultiLine, SingleLine

Audience = Literal["everyone", "learners", "mentors", "session"]
BroadcastStatus = Literal["queued", "sending", "done"]
# A path on this site: "/" then not a second "/" ("//host" leaves the site), no backslash.
_SITE_PATH = r"^/([A-Za-z0-9_\-?=&.%#][A-Za-z0-9/_\-?=&.%#]*)?$"
SitePath = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=_SITE_PATH)]


class BroadcastCreate(Shape):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "audience": "learners",
                    "title": "New: Hindi sessions",
                    "body": "Mentors now teach in Hindi too. Find them on Discover.",
                    "link": "/discover",
                }
            ]
        },
    )

    audience: Audience
    session_id: Annotated[str | None, Field(max_length=40)] = None  # for audience "session"
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SingleLine]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), MultiLine]
    # A page of the site (a path such as /discover): broadcasts never link elsewhere.
    link: SitePath | None = None

    @model_validator(mode="after")
    def _session_for_session_audience(self) -> BroadcastCreate:
        if self.audience == "session" and not self.session_id:
            raise ValueError("session_id is required when the audience is one session's attendees")
        if self.audience != "session" and self.session_id:
            raise ValueError("session_id goes only with the audience 'session'")
        return self


class BroadcastOut(Shape):
    id: str
    audience: Audience
    session_id: str | None
    title: str
    body: str
    link: str | None
    status: BroadcastStatus
    recipients: int
    sent: int
    created_at: str
    finished_at: str | None = None


class BroadcastPage(Shape):
    items: list[BroadcastOut]
    next_cursor: str | None
