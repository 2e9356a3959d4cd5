"""In-app notification records and the unread count beside them.

A record (`USER#<id>` / `NOTIF#<sortable id>`) is written in one transaction with the person's
counter (`NotifyInboxItem`) and, when it has a dedupe key, with an idempotency marker: a redelivered
stream record finds the marker and writes nothing. Reading one is a transaction too (the record's
`read` flag and the counter); reading all moves a watermark, so no operation grows with the inbox.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from peerlearn import clock, ids, store, timeutil
from peerlearn.errors import NotFound
from peerlearn.notify.catalog import KINDS
from peerlearn.store.keys import notification_sk, processed_pk, user_pk
from peerlearn.store.models import NotificationItem, ProcessedEventItem
from peerlearn.store.notify import NOTIFY_INBOX_SK, NotifyInboxItem
from peerlearn.store.paging import page

KEEP_DAYS = 90
MARKER_SK = "PROCESSED"
NOTIF_PREFIX = "NOTIF#"
_CONDITION_FAILED = "ConditionalCheckFailed"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # ids.py's alphabet


def marker_digest(user_id: str, kind: str, dedupe_key: str, channel: str) -> str:
    """The idempotency marker of one notice on one channel (sha256: keys stay short and opaque)."""
    return hashlib.sha256(f"{user_id}#{kind}#{dedupe_key}#{channel}".encode()).hexdigest()[:32]


def marker(digest: str, now: int) -> ProcessedEventItem:
    return ProcessedEventItem(processed_pk("notify", digest), MARKER_SK, ttl=now + KEEP_DAYS * 86400)


@dataclass(frozen=True)
class Recorded:
    """A record just written: its public shape and the person's unread count after it."""

    notification: dict[str, Any]
    unread: int


def _inbox(user_id: str) -> NotifyInboxItem:
    # consistent: the count answered right after a read or a record must include it
    try:
        return NotifyInboxItem.get(user_pk(user_id), NOTIFY_INBOX_SK, consistent_read=True)
    except NotifyInboxItem.DoesNotExist:
        return NotifyInboxItem(user_pk(user_id), NOTIFY_INBOX_SK, unread=0)


def out(item: NotificationItem, read_through: str | None) -> dict[str, Any]:
    """NotificationOut: what the list, the live channel and the toast show."""
    notification_id = item.sk.removeprefix(NOTIF_PREFIX)
    return {
        "id": notification_id,
        "kind": item.kind,
        "category": item.category,
        "title": item.title,
        "body": item.body,
        "link": item.link,
        "created_at": item.created_at,
        "read": bool(item.read) or (read_through is not None and notification_id <= read_through),
    }


def record(
    user_id: str,
    *,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    dedupe_key: str | None = None,
    channel_marker: str | None = None,
) -> Recorded | None:
    """Writes one record and counts it unread, with the marker `channel_marker` (a digest) when given;
    None when that marker exists (recorded before: nothing written)."""
    now = clock.now_seconds()
    if channel_marker is None and dedupe_key:
        channel_marker = marker_digest(user_id, kind, dedupe_key, "in_app")
    # by the stack's clock (which tests move forward), so the newest record sorts first
    now_ms = now * 1000 + int(time.time() * 1000) % 1000
    for _attempt in range(5):
        item = NotificationItem(
            user_pk(user_id),
            notification_sk(ids.new_id(now_ms)),
            user_id=user_id,
            kind=kind,
            category=KINDS.get(kind),
            title=title,
            body=body,
            link=link,
            created_at=timeutil.iso_from_epoch(now),
            ttl=now + KEEP_DAYS * 86400,
        )
        try:
            _write(item, channel_marker, now)
            break
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            if channel_marker is not None and _failed(reasons, 0):  # the marker exists: recorded before
                return None
            if not _failed(reasons, len(reasons) - 1):
                raise
            # A record with a later id landed first (another writer's clock, the same millisecond):
            # ids only grow, so "mark all read" up to the newest id never passes over an unread one.
            now_ms = max(now_ms, _millis(_inbox(user_id).last_id) + 1)
    else:
        raise RuntimeError("could not give the notification an id after the newest one")
    inbox = _inbox(user_id)
    return Recorded(out(item, inbox.read_through), int(inbox.unread or 0))


def _write(item: NotificationItem, channel_marker: str | None, now: int) -> None:
    """The marker (if any), the record and the counter, in one transaction; the counter's newest id
    must stay below the record's."""
    notification_id = item.sk.removeprefix(NOTIF_PREFIX)
    counter = NotifyInboxItem(user_pk(item.user_id), NOTIFY_INBOX_SK)
    with store.transaction() as tx:
        if channel_marker is not None:
            tx.save(marker(channel_marker, now), condition=ProcessedEventItem.pk.does_not_exist())
        tx.save(item, condition=NotificationItem.pk.does_not_exist())
        tx.update(
            counter,
            actions=NotifyInboxItem.upsert_actions(
                [NotifyInboxItem.unread.add(1), NotifyInboxItem.last_id.set(notification_id)]
            ),
            condition=NotifyInboxItem.last_id.does_not_exist() | (NotifyInboxItem.last_id < notification_id),
        )


def _failed(reasons: list[Any], index: int) -> bool:
    return (
        0 <= index < len(reasons) and reasons[index] is not None and reasons[index].code == _CONDITION_FAILED
    )


def _millis(notification_id: str | None) -> int:
    """The milliseconds a sortable id starts with (its first 10 characters)."""
    value = 0
    for char in (notification_id or "")[:10]:
        value = value * 32 + _CROCKFORD.index(char)
    return value


def notify(
    user_id: str,
    *,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Writes one in-app record (no email, no push); False when `dedupe_key` was already used for
    this user and kind. Callers that should respect preferences use notify.deliver instead."""
    return record(user_id, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key) is not None


# ---------------------------------------------------------------- reading
def unread(user_id: str) -> int:
    return max(0, int(_inbox(user_id).unread or 0))


def list_page(user_id: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the person's records, newest first, with the unread count."""
    inbox = _inbox(user_id)

    def run(start: dict[str, Any] | None) -> Any:
        return NotificationItem.query(
            user_pk(user_id),
            NotificationItem.sk.startswith(NOTIF_PREFIX),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
        )

    items, next_cursor = page(run, cursor)
    return {
        "items": [out(item, inbox.read_through) for item in items],
        "next_cursor": next_cursor,
        "unread": max(0, int(inbox.unread or 0)),
    }


def mark_read(user_id: str, notification_id: str) -> int:
    """Marks one notification read and returns the unread count; two tabs doing it at once (or a new
    record arriving) can conflict, and every write here is conditioned, so it is simply tried again."""
    for attempt in range(3):
        try:
            return _mark_read_once(user_id, notification_id)
        except TransactWriteError as exc:
            if attempt == 2 or not store.transaction_conflicted(exc):
                raise
    raise AssertionError("unreachable")


def _mark_read_once(user_id: str, notification_id: str) -> int:
    """Marks one record read and returns the unread count; reading a read record changes nothing."""
    if not ids.is_id(notification_id):
        raise NotFound("There is no such notification.")
    item = NotificationItem(user_pk(user_id), notification_sk(notification_id))
    counter = NotifyInboxItem(user_pk(user_id), NOTIFY_INBOX_SK)
    try:
        with store.transaction() as tx:
            tx.update(
                item,
                actions=[NotificationItem.read.set(True)],
                condition=NotificationItem.pk.exists() & (NotificationItem.read != True),  # noqa: E712
            )
            # below the watermark it already counted as read: the counter must not go down again
            tx.update(
                counter,
                actions=[NotifyInboxItem.unread.add(-1)],
                condition=(NotifyInboxItem.unread > 0)
                & (
                    NotifyInboxItem.read_through.does_not_exist()
                    | (NotifyInboxItem.read_through < notification_id)
                ),
            )
    except TransactWriteError as exc:
        if not store.condition_failed(exc):
            raise
        reasons = exc.cancellation_reasons or []
        record_failed = (
            bool(reasons) and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed"
        )
        if record_failed:  # missing, or read already
            try:
                NotificationItem.get(user_pk(user_id), notification_sk(notification_id))
            except NotificationItem.DoesNotExist:
                raise NotFound("There is no such notification.") from exc
        else:  # counted as read already (mark all read): just flag the record
            try:
                item.update(actions=[NotificationItem.read.set(True)], condition=NotificationItem.pk.exists())
            except UpdateError as update_exc:
                if not store.condition_failed(update_exc):
                    raise
    return unread(user_id)


def mark_all_read(user_id: str) -> int:
    """Everything up to the newest record counts as read; the counter goes to 0 (O(1))."""
    for _attempt in range(5):
        inbox = _inbox(user_id)
        if inbox.last_id is None:
            return 0
        counter = NotifyInboxItem(user_pk(user_id), NOTIFY_INBOX_SK)
        try:
            # conditioned on the newest record seen, so one arriving meanwhile stays unread
            counter.update(
                actions=[NotifyInboxItem.unread.set(0), NotifyInboxItem.read_through.set(inbox.last_id)],
                condition=NotifyInboxItem.last_id == inbox.last_id,
            )
            return 0
        except UpdateError as exc:
            if not store.condition_failed(exc):
                raise
    return unread(user_id)
