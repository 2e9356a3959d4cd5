"""A person's notification preferences: which channels of which categories they turned off.

(Minimal version from the email branch, enough for one-click unsubscribe; the records branch's
module, with quiet hours and the settings page's shape, replaces it: same item, same signatures.)
One item per person, pk USER#<id>, sk NOTIFY_PREFS, `off`: category -> the channels turned off.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute

from peerlearn import clock
from peerlearn.notify import catalog
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import user_pk

PREFS_SK = "NOTIFY_PREFS"


class NotifyPrefsItem(BaseItem, discriminator="NOTIFY_PREFS"):
    off = MapAttribute[str, Any](default=dict)  # category -> channels turned off (a raw map)
    updated_at = UnicodeAttribute(null=True)


def _item(user_id: str) -> NotifyPrefsItem:
    try:
        return NotifyPrefsItem.get(user_pk(user_id), PREFS_SK, consistent_read=True)
    except NotifyPrefsItem.DoesNotExist:
        return NotifyPrefsItem(user_pk(user_id), PREFS_SK, off={})


def _off(item: NotifyPrefsItem) -> dict[str, list[str]]:
    raw = item.off.as_dict() if isinstance(item.off, MapAttribute) else dict(item.off or {})
    return {str(name): [str(c) for c in channels] for name, channels in raw.items()}


def get(user_id: str) -> dict[str, set[str]]:
    """category -> the channels it uses for this person (every category, defaults applied)."""
    off = _off(_item(user_id))
    return {
        name: {channel for channel in category.defaults if channel not in off.get(name, [])}
        for name, category in catalog.CATEGORIES.items()
    }


def channel_on(user_id: str, category: str, channel: str) -> bool:
    return channel in get(user_id)[category]


def set_channel(user_id: str, category: str, channel: str, on: bool) -> None:
    """Turns one channel of one category on or off for `user_id` (idempotent)."""
    found = catalog.CATEGORIES[category]
    if found.account and channel in ("email", "in_app") and not on:
        raise ValueError(f"{category} {channel} can't be turned off")  # callers check first
    item = _item(user_id)
    off = _off(item)
    channels = [c for c in off.get(category, []) if c != channel]
    if not on:
        channels.append(channel)
    off[category] = sorted(channels)
    item.off = off
    item.updated_at = clock.iso(clock.now_seconds())
    item.save()
