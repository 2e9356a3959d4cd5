"""Item models of the live rooms (peerlearn.live): tickets, connections, and a room's partition
`ROOM#<session id>` holding its state, participants, attendance and chat.

User channels (notifications to a person's open tabs) live here too: their tickets and their
connections (`CONN#<id>` and `USER#<id>`/`CHAN#<id>`, a Query on `begins_with(sk, "CHAN#")`).

Access patterns: a ticket is redeemed by a conditional DeleteItem on its hash; a connection is a
GetItem by its id; a room's participants are one Query (`begins_with(sk, "PEER#")`), never a Scan;
chat history is a Query on `CHAT#` in time order; a person's attendance a Query on `ATTEND#<id>#`.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem, Gsi1


class RoomTicketItem(BaseItem, discriminator="ROOM_TICKET"):
    """A single-use ticket for `$connect` (pk `TICKET#<sha256 hex>`), deleted when redeemed."""

    user_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    room_role = UnicodeAttribute()  # mentor | learner | observer
    name = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds


class ConnectionItem(BaseItem, discriminator="ROOM_CONNECTION"):
    """One open WebSocket connection (pk `CONN#<id>`), expired by TTL if `$disconnect` never came."""

    connection_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    room_role = UnicodeAttribute()
    connected_at = NumberAttribute()  # epoch seconds
    # The per-connection rate limit, a leaky bucket: its level and when it was last measured.
    rate_level = NumberAttribute(default=0)
    rate_checked_ms = NumberAttribute(default=0)


class ChannelTicketItem(BaseItem, discriminator="CHANNEL_TICKET"):
    """A single-use ticket for a user channel's `$connect` (pk `TICKET#<sha256 hex>`, sk
    `CHANNEL_TICKET`), deleted when redeemed."""

    user_id = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds


class ChannelConnectionItem(BaseItem, discriminator="USER_CHANNEL"):
    """A connection that is a user channel (pk `CONN#<id>`, sk `CONN`, like a room's): it carries
    notifications to one person and accepts only `ping`."""

    connection_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    connected_at = NumberAttribute()  # epoch seconds
    rate_level = NumberAttribute(default=0)
    rate_checked_ms = NumberAttribute(default=0)
    # gsi1pk `CHANNELS_OPEN`, gsi1sk `<connected_at>#<id>`: who has PeerLearn open now is one Query
    # (the admins' live statistics). Null on connections opened before the index existed.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_open = Gsi1()


class UserChannelItem(BaseItem, discriminator="USER_CHANNEL_ENTRY"):
    """The same connection under its user (pk `USER#<id>`, sk `CHAN#<connection id>`): pushing to a
    person is one Query on their partition."""

    connection_id = UnicodeAttribute()
    connected_at = NumberAttribute()  # epoch seconds


class ParticipantItem(BaseItem, discriminator="ROOM_PEER"):
    """A person in a room (sk `PEER#<user id>`): presence is by participant, not by connection."""

    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    room_role = UnicodeAttribute()
    status = UnicodeAttribute()  # waiting | admitted | removed | left
    connection_id = UnicodeAttribute(null=True)  # null while not connected
    attendance_sk = UnicodeAttribute(null=True)  # the open attendance record, while admitted and connected
    knocked_at = UnicodeAttribute(null=True)
    admitted_at = UnicodeAttribute(null=True)
    first_joined_at = UnicodeAttribute()
    last_seen_at = UnicodeAttribute()
    audio = BooleanAttribute(default=False)
    video = BooleanAttribute(default=False)
    screen = BooleanAttribute(default=False)
    hand_at = NumberAttribute(null=True)  # epoch ms while the hand is raised


class RoomStateItem(BaseItem, discriminator="ROOM_STATE"):
    """A room's own state (sk `STATE`): when it opened and ends, the extension, recording, ending."""

    session_id = UnicodeAttribute()
    booked_ends_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()  # booked end + extension
    extended_minutes = NumberAttribute(default=0)
    opened_at = UnicodeAttribute(null=True)
    recording = BooleanAttribute(default=False)
    recording_id = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)


class AttendanceItem(BaseItem, discriminator="ROOM_ATTENDANCE"):
    """One stay in the room (sk `ATTEND#<user id>#<joined ms>`): from admission or reconnection to
    leaving, disconnecting or being replaced by a newer connection."""

    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    room_role = UnicodeAttribute()
    joined_at = UnicodeAttribute()
    left_at = UnicodeAttribute(null=True)


class ChatAttachmentMap(MapAttribute[str, Any]):
    file_id = UnicodeAttribute()
    name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size_bytes = NumberAttribute()
    kind = UnicodeAttribute()  # image | file


class ChatMessageItem(BaseItem, discriminator="ROOM_CHAT"):
    """A chat message (sk `CHAT#<sent ms, 13 digits>#<id>`): the sort key is the history's cursor."""

    id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    text = UnicodeAttribute()
    attachment = ChatAttachmentMap(null=True)
    sent_at = UnicodeAttribute()  # ISO with milliseconds


LIVE_MODELS: tuple[type[BaseItem], ...] = (
    RoomTicketItem,
    ConnectionItem,
    ChannelTicketItem,
    ChannelConnectionItem,
    UserChannelItem,
    ParticipantItem,
    RoomStateItem,
    AttendanceItem,
    ChatMessageItem,
)
