"""Email and push held for the end of their recipient's quiet hours, and the sweep that sends them.

A held notice is one item per channel (`HELD#<marker digest>`) on the sparse gsi1 partition `HELD`,
sorted by when it is due. It is written in the same transaction as the channel's idempotency marker,
so a replayed stream record holds nothing twice; the sweep claims each due item by deleting it
(conditionally) before sending, so two sweeps running at once send it once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from pynamodb.exceptions import DeleteError, TransactWriteError

from peerlearn import clock, store
from peerlearn.context import Context
from peerlearn.notify import inbox, preferences, sending
from peerlearn.notify.catalog import KINDS
from peerlearn.notify.notice import Notice
from peerlearn.store.models import ProcessedEventItem
from peerlearn.store.notify import HELD, HELD_SK, HeldNoticeItem, held_gsi1sk, held_pk

logger = logging.getLogger(__name__)

KEEP_DAYS = 7  # TTL after the due time: a held notice the sweep never reached is gone eventually
# Per sweep: 07:00 can release a night's email at once; the rest waits a minute, in due order, so one
# run stays well inside the function's timeout and SES's sending rate.
MAX_PER_SWEEP = 300


def tag_of(notice: Notice) -> str:
    """One tag per notice (the same on every device and channel): a replayed push replaces, not adds."""
    return hashlib.sha256(f"{notice.kind}#{notice.dedupe_key}".encode()).hexdigest()[:16]


def hold(notice: Notice, channel: str, digest: str, due_at: int, notification_id: str | None) -> bool:
    """Holds `notice` on `channel` until `due_at`; False when its marker exists (held or sent before)."""
    now = clock.now_seconds()
    item = HeldNoticeItem(
        held_pk(digest),
        HELD_SK,
        user_id=notice.user_id,
        channel=channel,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        dedupe_key=notice.dedupe_key,
        link=notice.link,
        notification_id=notification_id,
        expires_at=notice.expires_at,
        data=dict(notice.data),
        due_at=due_at,
        gsi1pk=HELD,
        gsi1sk=held_gsi1sk(due_at, notice.user_id, digest),
        ttl=due_at + KEEP_DAYS * 86400,
    )
    try:
        with store.transaction() as tx:
            tx.save(inbox.marker(digest, now), condition=ProcessedEventItem.pk.does_not_exist())
            tx.save(item)
    except TransactWriteError as exc:
        if store.condition_failed(exc):
            return False
        raise
    return True


def _notice(item: HeldNoticeItem) -> Notice:
    data = item.data.as_dict() if item.data else {}
    return Notice(
        user_id=item.user_id,
        kind=item.kind,
        title=item.title,
        body=item.body,
        dedupe_key=item.dedupe_key,
        link=item.link,
        expires_at=int(item.expires_at) if item.expires_at is not None else None,
        data={str(k): str(v) for k, v in data.items()},
    )


def _claim(item: HeldNoticeItem) -> bool:
    try:
        item.delete(condition=HeldNoticeItem.pk.exists())
    except DeleteError as exc:
        if store.condition_failed(exc):
            return False  # another sweep took it
        raise
    return True


def release_due(
    ctx: Context,
    now: int | None = None,
    *,
    limit: int = MAX_PER_SWEEP,
    still_wanted: Callable[[Notice], bool] | None = None,
) -> int:
    """Sends every held email and push due by `now` (dropping those past their `expires_at`, those
    whose channel the person has turned off meanwhile, and those `still_wanted` says the world has
    overtaken: a reminder for a booking cancelled during the night); returns how many were sent."""
    now = clock.now_seconds() if now is None else now
    sent = 0
    for item in HeldNoticeItem.by_due.query(HELD, HeldNoticeItem.gsi1sk < f"{now + 1:012d}"):
        if sent >= limit:
            break
        if not _claim(item):
            continue
        notice = _notice(item)
        if notice.expires_at is not None and notice.expires_at <= now:
            continue  # stale: a reminder for a session that has started, an offer that lapsed
        if still_wanted is not None and not still_wanted(notice):
            continue
        user = sending.recipient(notice.user_id)
        category = KINDS.get(notice.kind)
        if user is None or category is None or not preferences.get(user.id).allows(category, item.channel):
            continue
        try:
            sending.send(
                ctx, notice, item.channel, user, tag=tag_of(notice), notification_id=item.notification_id
            )
        except Exception:
            logger.exception(
                "sending a held notice failed; kept for the next sweep", extra={"kind": item.kind}
            )
            item.save()  # back in the index, due as before: the next sweep tries again
            continue
        sent += 1
    return sent
