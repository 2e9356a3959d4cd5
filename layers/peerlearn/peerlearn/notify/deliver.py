"""Delivering a notice through the channels its recipient allows: the in-app record (with the unread
count, pushed live to their open tabs), email and web push, the last two held during quiet hours.

Each channel has its own idempotency marker (sha256 of user, kind, dedupe key and channel), claimed
before the channel acts: a replayed stream batch records, emails and pushes nothing twice, and a
channel that failed (its marker released) is retried by the redelivery without repeating the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pynamodb.exceptions import PutError

from peerlearn import clock, store
from peerlearn.context import Context
from peerlearn.notify import held, inbox, live, preferences, sending
from peerlearn.notify.catalog import category_of
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import processed_pk
from peerlearn.store.models import ProcessedEventItem, UserItem

logger = logging.getLogger(__name__)

HOLDABLE = ("email", "push")  # in-app is never held: it waits quietly in the list anyway


def deliver(ctx: Context, notice: Notice) -> bool:
    """Records and sends `notice` once per channel; False when nothing was done (its dedupe key was
    used before, the recipient is gone or banned, or they turned every channel of it off)."""
    user = sending.recipient(notice.user_id)
    if user is None:
        return False
    category = category_of(notice.kind)
    prefs = preferences.get(notice.user_id)
    now = clock.now_seconds()
    did = False
    notification_id = None
    if _wanted(notice, "in_app") and prefs.allows(category.name, "in_app"):
        digest = inbox.marker_digest(notice.user_id, notice.kind, notice.dedupe_key, "in_app")
        recorded = inbox.record(
            notice.user_id,
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            link=notice.link,
            channel_marker=digest,
        )
        if recorded is not None:
            did = True
            notification_id = recorded.notification["id"]
            _push_live(notice.user_id, {"type": "notification", **vars(recorded)})
    if notice.expires_at is not None and notice.expires_at <= now:
        return did  # too late for email or push (the record still tells what happened)
    quiet_until = prefs.quiet_hours.ends_after(now, user.timezone)
    for channel in HOLDABLE:
        if not (_wanted(notice, channel) and prefs.allows(category.name, channel)):
            continue
        digest = inbox.marker_digest(notice.user_id, notice.kind, notice.dedupe_key, channel)
        if quiet_until is not None:
            did = held.hold(notice, channel, digest, quiet_until, notification_id) or did
        else:
            did = _send_once(ctx, notice, channel, digest, user, notification_id) or did
    return did


def _wanted(notice: Notice, channel: str) -> bool:
    return notice.channels is None or channel in notice.channels


class DeliveryFailed(RuntimeError):
    """Some notices of a batch failed (each logged); the others were delivered. Raised so the caller's
    retry comes back for them, which the per-channel markers make safe for the ones that went out."""


def deliver_all(ctx: Context, notices: Iterable[Notice]) -> int:
    """Delivers each notice on its own, so one person's failing email never silences the people after
    them; raises DeliveryFailed at the end when any failed. Returns how many were delivered."""
    delivered = failed = 0
    for notice in notices:
        try:
            delivered += deliver(ctx, notice)
        except Exception:
            failed += 1
            logger.exception(
                "delivering a notice failed", extra={"kind": notice.kind, "user_id": notice.user_id}
            )
    if failed:
        raise DeliveryFailed(f"{failed} notice(s) failed; {delivered} delivered")
    return delivered


def _send_once(
    ctx: Context, notice: Notice, channel: str, digest: str, user: UserItem, notification_id: str | None
) -> bool:
    """Claims the channel's marker, then sends; a failed send releases the marker and raises, so the
    stream's retry sends it (and only it) again."""
    try:
        inbox.marker(digest, clock.now_seconds()).save(condition=ProcessedEventItem.pk.does_not_exist())
    except PutError as exc:
        if store.condition_failed(exc):
            return False  # sent before
        raise
    try:
        sending.send(ctx, notice, channel, user, tag=held.tag_of(notice), notification_id=notification_id)
    except Exception:
        ProcessedEventItem(processed_pk("notify", digest), inbox.MARKER_SK).delete()
        raise
    return True


def _push_live(user_id: str, message: dict[str, object]) -> None:
    """To the person's open tabs; a failure here never fails delivery (the list catches them up)."""
    try:
        live.push_to_user(user_id, message)
    except Exception:
        logger.exception("live push of a notification failed", extra={"user_id": user_id})
