"""Request and response shapes of the admins' broadcasts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from peerlearn.fields import Tag
from peerlearn.shapes import Shape
from peerlearn.text import MultiLine, SingleLine

Audience = Literal["everyone", "learners", "mentors", "session", "tag", "inactive"]
BroadcastStatus = Literal["queued", "sending", "done"]
TemplateName = Literal["announcement", "new_sessions", "we_miss_you", "session_note"]
# "all": every channel each person allows (in-app, email, push); "email": bulk email only.
Channels = Literal["all", "email"]
# A path on this site: "/" then not a second "/" ("//host" leaves the site), no backslash.
_SITE_PATH = r"^/([A-Za-z0-9_\-?=&.%#][A-Za-z0-9/_\-?=&.%#]*)?$"
SitePath = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=_SITE_PATH)]


class BroadcastDraft(Shape):
    """A broadcast as composed: what a preview and a test send show."""

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
    tag: Tag | None = None  # for audience "tag": people whose interests include it (as written)
    inactive_days: Annotated[int | None, Field(ge=1, le=3650)] = None  # for audience "inactive"
    template: TemplateName = "announcement"
    channels: Channels = "all"
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SingleLine]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), MultiLine]
    # A page of the site (a path such as /discover): broadcasts never link elsewhere.
    link: SitePath | None = None

    @model_validator(mode="after")
    def _segment_fields_match_the_audience(self) -> BroadcastDraft:
        for audience, name, what in _SEGMENT_FIELDS:
            given = getattr(self, name) is not None
            if self.audience == audience and not given:
                raise ValueError(f"{name} is required when the audience is {what}")
            if self.audience != audience and given:
                raise ValueError(f"{name} goes only with the audience '{audience}'")
        return self


class BroadcastCreate(BroadcastDraft):
    """A broadcast to queue. `request_id` is the client's, one per composed message: the same one
    again (a retried POST, a double submit, a second tab) answers the broadcast it made and sends
    nothing more."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "audience": "learners",
                    "title": "New: Hindi sessions",
                    "body": "Mentors now teach in Hindi too. Find them on Discover.",
                    "link": "/discover",
                    "request_id": "k3v9x2m8q1w7",
                }
            ]
        },
    )

    request_id: str = Field(
        min_length=8,
        max_length=40,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Yours, unique per composed message: sending the same request again queues it once.",
    )


_SEGMENT_FIELDS = (
    ("session", "session_id", "one session's attendees"),
    ("tag", "tag", "the people interested in a tag"),
    ("inactive", "inactive_days", "the people inactive for some days"),
)


class BroadcastOut(Shape):
    id: str
    audience: Audience
    session_id: str | None
    title: str
    body: str
    link: str | None
    tag: str | None = None
    inactive_days: int | None = None
    template: TemplateName = "announcement"
    channels: Channels = "all"
    status: BroadcastStatus
    recipients: int
    sent: int  # recipients handled: told, or left alone by their own settings (unsubscribed)
    failed: int = 0  # recipients given up on after the page's retries
    created_at: str
    finished_at: str | None = None


class BroadcastPage(Shape):
    items: list[BroadcastOut]
    next_cursor: str | None


class PreviewRecipient(Shape):
    id: str
    name: str


class BroadcastPreview(Shape):
    """The email one sample recipient would get (the first of the audience, or the admin when the
    audience is empty), and how many people the audience holds now."""

    audience_size: int
    recipient: PreviewRecipient
    subject: str
    text: str
    html: str


class BroadcastTestSent(Shape):
    to: str
    subject: str


class TemplateOut(Shape):
    name: TemplateName
    label: str
    subject: str
    body: str
    fields: list[str]  # the {{fields}} it uses besides the admin's title and body


class TemplateList(Shape):
    items: list[TemplateOut]
