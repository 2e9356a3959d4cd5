"""Request and response shapes of the notifications routes (list, unread, read, preferences)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, StrictBool, StringConstraints

from peerlearn.shapes import Shape

HhMm = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class _Input(Shape):
    model_config = ConfigDict(extra="forbid")


class NotificationOut(Shape):
    id: str
    kind: str
    category: str | None
    title: str
    body: str
    link: str | None
    created_at: str
    read: bool


class NotificationPage(Shape):
    items: list[NotificationOut]
    next_cursor: str | None = None
    unread: int


class UnreadOut(Shape):
    unread: int


class ChannelsOut(Shape):
    in_app: bool
    email: bool
    push: bool


class CategoryPrefsOut(Shape):
    name: str
    label: str
    description: str
    account: bool
    channels: ChannelsOut
    locked: list[str]


class QuietHoursShape(Shape):
    enabled: bool
    start: HhMm
    end: HhMm


class PreferencesOut(Shape):
    categories: list[CategoryPrefsOut]
    quiet_hours: QuietHoursShape
    timezone: str


class ChannelChoices(_Input):
    # strict: "no" or 0 is a mistake, not off
    in_app: StrictBool | None = None
    email: StrictBool | None = None
    push: StrictBool | None = None


class QuietHoursChange(_Input):
    enabled: StrictBool | None = None
    start: HhMm | None = None
    end: HhMm | None = None


class PreferencesUpdate(_Input):
    # category name -> the channels to change; unknown categories are refused by the domain (400)
    channels: dict[str, ChannelChoices] | None = None
    quiet_hours: QuietHoursChange | None = None
