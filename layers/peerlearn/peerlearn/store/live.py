"""TEMP stub of live-core's room items (replaced by theirs on merge)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from peerlearn.store.base import BaseItem


class AttendanceItem(BaseItem, discriminator="ATTENDANCE"):
    user_id = UnicodeAttribute()
    room_role = UnicodeAttribute()
    joined_at = UnicodeAttribute()
    left_at = UnicodeAttribute(null=True)
