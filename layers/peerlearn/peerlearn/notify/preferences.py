"""A person's notification preferences: which channels each category uses, and their quiet hours.

Only the choices a person made are stored (one item, `USER#<id>` / `NOTIFY_PREFS`); the catalog's
defaults fill the rest. Account categories keep email and in-app on whatever is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from peerlearn import store, timeutil
from peerlearn.errors import BadRequest
from peerlearn.notify.catalog import CATEGORIES, CHANNELS, Category, Channel
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem
from peerlearn.store.notify import NOTIFY_PREFS_SK, NotifyPrefsItem

HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Turning these off would hide receipts and money records (see catalog).
ACCOUNT_LOCKED: tuple[Channel, ...] = ("in_app", "email")


@dataclass(frozen=True)
class QuietHours:
    enabled: bool = False
    start: str = "22:00"  # HH:MM, the person's local time
    end: str = "07:00"  # may be earlier than start: the window then crosses midnight

    def ends_after(self, now: int, timezone: str) -> int | None:
        """When the quiet window holding `now` ends (epoch seconds), or None when `now` isn't quiet."""
        if not self.enabled or self.start == self.end:
            return None
        zone = _zone(timezone)
        local = datetime.fromtimestamp(now, zone)
        minute = local.hour * 60 + local.minute
        start, end = _minutes(self.start), _minutes(self.end)
        if start < end:
            quiet = start <= minute < end
            end_day = local.date()
        else:  # crosses midnight: 22:00-07:00 is quiet from 22:00 and until 07:00
            quiet = minute >= start or minute < end
            end_day = local.date() + timedelta(days=1) if minute >= start else local.date()
        if not quiet:
            return None
        ends = datetime.combine(end_day, time(end // 60, end % 60), tzinfo=zone)
        return int(ends.timestamp())


@dataclass(frozen=True)
class Preferences:
    # category -> channel -> on; complete (every category, every channel), account locks applied
    channels: dict[str, dict[str, bool]]
    quiet_hours: QuietHours = field(default_factory=QuietHours)

    def allows(self, category: str, channel: str) -> bool:
        return self.channels[category][channel]


def locked(category: Category) -> list[Channel]:
    return list(ACCOUNT_LOCKED) if category.account else []


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Kolkata")  # the profile's default; a bad value must not stop delivery


def _from_item(item: NotifyPrefsItem | None) -> Preferences:
    choices = dict(item.choices.as_dict()) if item is not None and item.choices else {}
    channels: dict[str, dict[str, bool]] = {}
    for name, category in CATEGORIES.items():
        fixed = locked(category)
        channels[name] = {
            channel: channel in fixed or bool(choices.get(f"{name}:{channel}", channel in category.defaults))
            for channel in CHANNELS
        }
    if item is None:
        return Preferences(channels)
    quiet = QuietHours(bool(item.quiet_enabled), item.quiet_start, item.quiet_end)
    return Preferences(channels, quiet)


def _load(user_id: str) -> NotifyPrefsItem | None:
    try:
        return NotifyPrefsItem.get(user_pk(user_id), NOTIFY_PREFS_SK)
    except NotifyPrefsItem.DoesNotExist:
        return None


def get(user_id: str) -> Preferences:
    """The person's preferences, defaults included (one GetItem)."""
    return _from_item(_load(user_id))


def check_channel(category_name: str, channel: str, on: bool) -> None:
    category = CATEGORIES.get(category_name)
    if category is None:
        raise BadRequest(f"There is no notification category {category_name!r}.", field="channels")
    if channel not in CHANNELS:
        raise BadRequest(f"There is no notification channel {channel!r}.", field=f"channels.{category_name}")
    if not on and channel in locked(category):
        what = "email" if channel == "email" else "in-app"
        raise BadRequest(
            f"{category.label} {what} notifications can't be turned off: they are records of your money.",
            code="channel_locked",
            field=f"channels.{category_name}.{channel}",
        )


def check_quiet_hours(start: str, end: str) -> None:
    for name, value in (("start", start), ("end", end)):
        if not HH_MM.match(value):
            raise BadRequest(
                "Quiet hours are times like 22:00 (HH:MM, 24-hour).", field=f"quiet_hours.{name}"
            )
    if start == end:
        raise BadRequest("Quiet hours must start and end at different times.", field="quiet_hours.end")


def _ensure(user_id: str) -> None:
    """Creates the item when missing, so updates can set entries inside its `choices` map."""
    try:
        NotifyPrefsItem(user_pk(user_id), NOTIFY_PREFS_SK, choices={}).save(
            condition=NotifyPrefsItem.pk.does_not_exist()
        )
    except PutError as exc:
        if not store.condition_failed(exc):
            raise


def update(
    user_id: str,
    *,
    channels: dict[str, dict[str, bool]] | None = None,
    quiet_hours: QuietHours | None = None,
) -> Preferences:
    """Applies the changes given (all checked first, then one UpdateItem) and returns the result."""
    changes = [(c, ch, on) for c, by_channel in (channels or {}).items() for ch, on in by_channel.items()]
    for category_name, channel, on in changes:
        check_channel(category_name, channel, on)
    if quiet_hours is not None:
        check_quiet_hours(quiet_hours.start, quiet_hours.end)
    _ensure(user_id)
    choices = cast(Any, NotifyPrefsItem.choices)  # a raw map: an entry is a document path
    actions: list[Action] = [NotifyPrefsItem.updated_at.set(timeutil.now_iso())]
    actions += [choices[f"{c}:{ch}"].set(on) for c, ch, on in changes]
    if quiet_hours is not None:
        actions += [
            NotifyPrefsItem.quiet_enabled.set(quiet_hours.enabled),
            NotifyPrefsItem.quiet_start.set(quiet_hours.start),
            NotifyPrefsItem.quiet_end.set(quiet_hours.end),
        ]
    item = NotifyPrefsItem(user_pk(user_id), NOTIFY_PREFS_SK)
    item.update(actions=actions)
    return _from_item(item)


def set_channel(user_id: str, category: str, channel: str, on: bool) -> Preferences:
    """Turns one channel of one category on or off (the unsubscribe link calls it for email)."""
    return update(user_id, channels={category: {channel: on}})


# ---------------------------------------------------------------- the settings page's shape
def _timezone(user_id: str) -> str:
    try:
        return str(UserItem.get(user_pk(user_id), USER_PROFILE_SK).timezone or "Asia/Kolkata")
    except UserItem.DoesNotExist:
        return "Asia/Kolkata"


def view(user_id: str, prefs: Preferences | None = None) -> dict[str, Any]:
    """PreferencesOut: every category with its channels and locks, the quiet hours, the timezone."""
    prefs = prefs or get(user_id)
    return {
        "categories": [
            {
                "name": name,
                "label": category.label,
                "description": category.description,
                "account": category.account,
                "channels": dict(prefs.channels[name]),
                "locked": locked(category),
            }
            for name, category in CATEGORIES.items()
        ],
        "quiet_hours": {
            "enabled": prefs.quiet_hours.enabled,
            "start": prefs.quiet_hours.start,
            "end": prefs.quiet_hours.end,
        },
        "timezone": _timezone(user_id),
    }


def change(
    user_id: str, *, channels: dict[str, dict[str, bool]] | None, quiet_hours: dict[str, Any] | None
) -> dict[str, Any]:
    """Applies a partial change from the settings page (quiet hours merged with the current ones)."""
    quiet = None
    if quiet_hours:
        current = get(user_id).quiet_hours
        quiet = QuietHours(
            enabled=bool(quiet_hours.get("enabled", current.enabled)),
            start=str(quiet_hours.get("start") or current.start),
            end=str(quiet_hours.get("end") or current.end),
        )
    return view(user_id, update(user_id, channels=channels, quiet_hours=quiet))
