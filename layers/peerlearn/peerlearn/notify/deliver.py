"""Delivering a notice through the channels its recipient allows. (Skeleton: the notify-records
branch fills it in; until then it only writes the in-app record.)"""

from __future__ import annotations

from peerlearn.context import Context
from peerlearn.notify import inbox
from peerlearn.notify.notice import Notice


def deliver(ctx: Context, notice: Notice) -> bool:
    """Records and sends `notice` once; False when its dedupe key was used before (nothing sent)."""
    return inbox.notify(
        notice.user_id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        link=notice.link,
        dedupe_key=notice.dedupe_key,
    )
