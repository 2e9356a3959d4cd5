"""In-app notification records (delivery by WebSocket push and email comes with notifications).

`dedupe_key` makes a notification idempotent: stream consumers pass one derived from the event,
so a redelivered record does not notify twice.
"""

from __future__ import annotations

import hashlib

from pynamodb.exceptions import TransactWriteError

from peerlearn import clock, ids, store, timeutil
from peerlearn.store.keys import notification_sk, processed_pk, user_pk
from peerlearn.store.models import NotificationItem, ProcessedEventItem

KEEP_DAYS = 90


def notify(
    user_id: str,
    *,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Writes one notification; returns False when `dedupe_key` was already used for this user."""
    now = clock.now_seconds()
    item = NotificationItem(
        user_pk(user_id),
        notification_sk(ids.new_id()),
        user_id=user_id,
        kind=kind,
        title=title,
        body=body,
        link=link,
        created_at=timeutil.iso_from_epoch(now),
        ttl=now + KEEP_DAYS * 86400,
    )
    if not dedupe_key:
        item.save()
        return True
    digest = hashlib.sha256(f"{user_id}#{kind}#{dedupe_key}".encode()).hexdigest()[:32]
    marker = ProcessedEventItem(processed_pk("notify", digest), "PROCESSED", ttl=now + KEEP_DAYS * 86400)
    try:
        with store.transaction() as tx:
            tx.save(marker, condition=ProcessedEventItem.pk.does_not_exist())
            tx.save(item)
    except TransactWriteError as exc:
        if store.condition_failed(exc):  # the marker exists: notified before
            return False
        raise
    return True
