"""Items of the notices (peerlearn.notices): the reminders still to send and the admins' broadcasts.

- REMIND: pk SESSION#<id>, sk REMIND#<offset seconds>; while due it sits on the sparse gsi1
  (gsi1pk REMIND, gsi1sk <due epoch, 12 digits>#<session id>#<offset seconds>) that the every-minute
  sweep Queries for what is due. One item per session and offset: moving the session rewrites it.
- BROADCAST: pk BROADCAST#<id>, sk BROADCAST; gsi1pk BROADCASTS, gsi1sk <created_at>#<id> lists them
  newest first. Its `cursor` and `sent` advance one page of recipients per stream record.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem, Gsi1

REMIND = "REMIND"  # gsi1pk of reminders waiting to be sent
REMIND_PREFIX = "REMIND#"
BROADCAST_SK = "BROADCAST"
BROADCASTS = "BROADCASTS"  # gsi1pk of every broadcast


def remind_sk(offset_seconds: int) -> str:
    return f"{REMIND_PREFIX}{offset_seconds}"


def remind_gsi1sk(due_at: int, session_id: str, offset_seconds: int) -> str:
    return f"{due_at:012d}#{session_id}#{offset_seconds}"


def broadcast_pk(broadcast_id: str) -> str:
    return f"BROADCAST#{broadcast_id}"


class ReminderItem(BaseItem, discriminator="REMIND"):
    """A reminder `offset_seconds` before a session's start, to its confirmed learners and its mentor."""

    session_id = UnicodeAttribute()
    offset_seconds = NumberAttribute()
    starts_at = UnicodeAttribute()  # the session's start this reminder was planned for (ISO, UTC)
    due_at = NumberAttribute()  # epoch seconds: starts_at - offset_seconds
    gsi1pk = UnicodeAttribute()  # REMIND
    gsi1sk = UnicodeAttribute()  # <due_at, 12 digits>#<session id>#<offset seconds>
    due = Gsi1()


class BroadcastItem(BaseItem, discriminator="BROADCAST"):
    """An admin's announcement: queued -> sending -> done, a page of recipients at a time."""

    id = UnicodeAttribute()
    audience = UnicodeAttribute()  # everyone | learners | mentors | session | tag | inactive
    session_id = UnicodeAttribute(null=True)
    tag = UnicodeAttribute(null=True)  # audience "tag"
    inactive_days = NumberAttribute(null=True)  # audience "inactive"
    # Audience "inactive": no sign-in since this moment (ISO), fixed at creation so every page asks
    # the same question however long the sending takes.
    inactive_since = UnicodeAttribute(null=True)
    template = UnicodeAttribute(default="announcement")  # a name in peerlearn.notices.templates
    channels = UnicodeAttribute(default="all")  # all | email
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()  # the admin's id
    created_at = UnicodeAttribute()
    status = UnicodeAttribute(default="queued")
    recipients = NumberAttribute(default=0)  # known at creation (a count Query per audience part)
    sent = NumberAttribute(default=0)  # recipients handled so far (delivered, or skipped as done before)
    failed = NumberAttribute(default=0)  # recipients given up on after the page's last attempt
    page_attempts = NumberAttribute(default=0)  # attempts at the page at `cursor` that had failures
    # Where the next page starts: "<part index>|<the Query's last key as JSON, or nothing>".
    cursor = UnicodeAttribute(default="0|")
    pages = NumberAttribute(default=0)
    finished_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()  # BROADCASTS
    gsi1sk = UnicodeAttribute()  # <created_at>#<id>
    newest = Gsi1()
