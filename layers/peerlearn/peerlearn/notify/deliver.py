"""Delivering a notice through the channels its recipient allows. (Skeleton: the notify-records
branch fills it in; until then it writes the in-app record and pushes it to the person's open tabs.)"""

from __future__ import annotations

from typing import Any

from peerlearn.context import Context
from peerlearn.notify import inbox
from peerlearn.notify.catalog import KINDS
from peerlearn.notify.live import push_to_user
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import user_pk
from peerlearn.store.models import NotificationItem


def deliver(ctx: Context, notice: Notice) -> bool:
    """Records and sends `notice` once; False when its dedupe key was used before (nothing sent)."""
    recorded = inbox.notify(
        notice.user_id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        link=notice.link,
        dedupe_key=notice.dedupe_key,
    )
    if recorded:
        push_newest(notice.user_id)
    return recorded


def push_newest(user_id: str) -> None:
    """Temporary (CHANNEL branch, until RECORDS' deliver replaces this module): the record just
    written and the unread count, read back, pushed as the channel's `notification` message."""
    items = list(
        NotificationItem.query(
            user_pk(user_id),
            NotificationItem.sk.startswith("NOTIF#"),
            scan_index_forward=False,
            consistent_read=True,
        )
    )
    if not items:
        return
    newest = items[0]
    out: dict[str, Any] = {
        "id": newest.sk.removeprefix("NOTIF#"),
        "kind": newest.kind,
        "category": KINDS.get(newest.kind, "announcements"),
        "title": newest.title,
        "body": newest.body,
        "link": newest.link,
        "created_at": newest.created_at,
        "read": bool(newest.read),
    }
    unread = sum(1 for item in items if not item.read)
    push_to_user(user_id, {"type": "notification", "notification": out, "unread": unread})
