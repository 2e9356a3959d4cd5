"""The rooms' REST answers (tickets, ICE servers, chat history)."""

from __future__ import annotations

from typing import Literal

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
