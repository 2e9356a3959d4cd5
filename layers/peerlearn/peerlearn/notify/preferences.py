"""A person's notification preferences: which channels each category uses.

(Minimal version from the email branch, enough for one-click unsubscribe and for mail to honour it;
the records branch's module replaces it with the same entry points, `get(user_id).allows(category,
channel)` and `set_channel(user_id, category, channel, on)`, plus quiet hours and the settings page.)
One item per person, pk USER#<id>, sk NOTIFY_PREFS, `off`: category -> the channels turned off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute

from peerlearn import clock
from peerlearn.errors import BadRequest
from peerlearn.notify import catalog
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import user_pk

PREFS_SK = "NOTIFY_PREFS"


class NotifyPrefsItem(BaseItem, discriminator="NOTIFY_PREFS"):
    off = MapAttribute[str, Any](default=dict)  # category -> channels turned off (a raw map)
    updated_at = UnicodeAttribute(null=True)


@dataclass(frozen=True)
class Preferences:
    channels: dict[str, dict[str, bool]]  # category -> channel -> on, every category and channel

    def allows(self, category: str, channel: str) -> bool:
        return self.channels[category][channel]


def _item(user_id: str) -> NotifyPrefsItem:
    try:
        return NotifyPrefsItem.get(user_pk(user_id), PREFS_SK, consistent_read=True)
    except NotifyPrefsItem.DoesNotExist:
        return NotifyPrefsItem(user_pk(user_id), PREFS_SK, off={})


def _off(item: NotifyPrefsItem) -> dict[str, list[str]]:
    raw = item.off.as_dict() if isinstance(item.off, MapAttribute) else dict(item.off or {})
    return {str(name): [str(c) for c in channels] for name, channels in raw.items()}


def _from(off: dict[str, list[str]]) -> Preferences:
    return Preferences(
        {
            name: {
                channel: (category.account and channel in ("in_app", "email"))
                or (channel in category.defaults and channel not in off.get(name, []))
                for channel in catalog.CHANNELS
            }
            for name, category in catalog.CATEGORIES.items()
        }
    )


def get(user_id: str) -> Preferences:
    """The person's preferences, the catalog's defaults filling what they never changed."""
    return _from(_off(_item(user_id)))


def set_channel(user_id: str, category: str, channel: str, on: bool) -> Preferences:
    """Turns one channel of one category on or off for `user_id` (idempotent)."""
    found = catalog.CATEGORIES[category]
    if found.account and channel in ("email", "in_app") and not on:
        raise BadRequest(f"{found.label} {channel} notifications can't be turned off.", code="channel_locked")
    item = _item(user_id)
    off = _off(item)
    channels = [c for c in off.get(category, []) if c != channel]
    if not on:
        channels.append(channel)
    off[category] = sorted(channels)
    item.off = off
    item.updated_at = clock.iso(clock.now_seconds())
    item.save()
    return _from(off)
