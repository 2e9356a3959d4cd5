"""Item models of a person's notifications besides the records themselves (NotificationItem, in
store.models): their preferences, their unread counter, and email or push held for quiet hours.

Access patterns: preferences and the counter are GetItems under `USER#<id>` (sk `NOTIFY_PREFS`,
`NOTIFY_INBOX`); the list is a Query on `USER#<id>` `begins_with(sk, "NOTIF#")` newest first; held
notices due by now are a Query on the sparse gsi1 partition `HELD` (`gsi1sk < <now+1, 12 digits>`).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem, Gsi1

NOTIFY_PREFS_SK = "NOTIFY_PREFS"
NOTIFY_INBOX_SK = "NOTIFY_INBOX"
HELD = "HELD"  # gsi1pk of email and push waiting for the end of someone's quiet hours
HELD_SK = "HELD"


def held_pk(digest: str) -> str:
    return f"HELD#{digest}"


def held_gsi1sk(due_at: int, user_id: str, digest: str) -> str:
    return f"{due_at:012d}#{user_id}#{digest}"


class NotifyPrefsItem(BaseItem, discriminator="NOTIFY_PREFS"):
    """Only what a person changed: `choices` maps "<category>:<channel>" to on/off; the catalog's
    defaults fill the rest, so a new category reaches everyone with its defaults."""

    choices = MapAttribute[str, bool](default=dict)
    quiet_enabled = BooleanAttribute(default=False)
    quiet_start = UnicodeAttribute(default="22:00")  # HH:MM in the person's timezone
    quiet_end = UnicodeAttribute(default="07:00")
    updated_at = UnicodeAttribute(null=True)


class NotifyInboxItem(BaseItem, discriminator="NOTIFY_INBOX"):
    """A person's unread count, kept in the same transaction as each record and each read.

    "Mark all read" sets `unread` to 0 and `read_through` to `last_id`: records whose id is at or
    below it count as read without touching each one (O(1), whatever the number of records)."""

    unread = NumberAttribute(default=0)
    last_id = UnicodeAttribute(null=True)  # the newest record's id
    read_through = UnicodeAttribute(null=True)


class HeldNoticeItem(BaseItem, discriminator="HELD_NOTICE"):
    """An email or a push waiting for the end of its recipient's quiet hours (pk `HELD#<digest>`, the
    digest of its idempotency marker); the sweep sends it when due, or drops it once stale."""

    user_id = UnicodeAttribute()
    channel = UnicodeAttribute()  # email | push
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    dedupe_key = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    notification_id = UnicodeAttribute(null=True)  # the in-app record's id, when one was written
    expires_at = NumberAttribute(null=True)
    data = MapAttribute[str, str](default=dict)
    due_at = NumberAttribute()
    gsi1pk = UnicodeAttribute()  # HELD
    gsi1sk = UnicodeAttribute()  # <due_at, 12 digits>#<user>#<digest>
    by_due = Gsi1()


NOTIFY_MODELS: tuple[type[BaseItem], ...] = (NotifyPrefsItem, NotifyInboxItem, HeldNoticeItem)
