"""Admins' broadcasts and bulk email: one message to a segment of people (everyone, the learners, the
mentors, the people interested in a tag, the people inactive for N days, one session's attendees),
framed by a named template and filled in per person, through every channel each person allows or
by email only.

Creating one writes a BROADCAST item (queued). The stream does the sending, a page of recipients
per record: each BROADCAST INSERT/MODIFY reads the page at the item's cursor (peerlearn.notices
.segments: only people who can be told are read, so the banned, deactivated and deleted are neither
sent to nor counted), delivers each notice with the dedupe key broadcast#<id>, then advances the
cursor and the counts on condition the cursor is still the one it read. That MODIFY brings the next
page, until the last one marks it done. A crash, a timeout or a replayed record resumes from the
stored cursor, and anyone reached before is skipped by the per-channel markers: nobody hears it twice.
(A function stopped in the middle of one SES call may lose that one email: its marker is claimed
before the send, so the only alternative would be sending it twice.)

A page whose deliveries partly failed (SES throttling, say) is tried again by bumping its
`page_attempts` (a MODIFY, so the stream brings the page back; the markers skip who got it); after
MAX_PAGE_ATTEMPTS the ones still failing are counted as failed and the sending moves on, so one bad
address or a long outage can't stall the broadcast or send it to the dead-letter queue.

Sending is paced to `broadcast_emails_per_second` (SES's sending rate, 14/s by default) and pages
are kept short, so one broadcast never holds the stream for more than a few seconds at a time.
Unsubscribes and preferences are the person's own (peerlearn.notify): someone who turned
announcement emails off is handled (counted as sent) without an email.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from html import escape
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import audit, clock, ids, ratelimit, store
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.errors import NotFound, TooManyRequests
from peerlearn.notices import templates
from peerlearn.notices.schemas import (
    BroadcastCreate,
    BroadcastDraft,
    BroadcastOut,
    BroadcastPage,
    BroadcastPreview,
    BroadcastTestSent,
    PreviewRecipient,
    TemplateList,
    TemplateOut,
)
from peerlearn.notices.segments import Segment
from peerlearn.notify import deliver as delivery
from peerlearn.notify.catalog import category_of
from peerlearn.notify.mail import notice_email
from peerlearn.notify.notice import Notice
from peerlearn.notify.unsubscribe import unsubscribe_page_url, unsubscribe_url
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem
from peerlearn.store.notices import BROADCAST_SK, BROADCASTS, BroadcastItem, broadcast_pk
from peerlearn.store.paging import page

logger = logging.getLogger(__name__)

# A page takes about this long at the paced rate: short, because the stream's shard waits for it.
PAGE_SECONDS = 2
# Tries of a page with failed deliveries before those recipients are counted as failed.
MAX_PAGE_ATTEMPTS = 3
# Test sends: to the admin only, a few at a time (each is a real email).
TEST_SENDS = ratelimit.Limit("broadcast-test", max_hits=5, window_seconds=600)
_EMAIL_ONLY = frozenset({"email"})
_CATEGORY = category_of("broadcast").name
# What a preview shows instead of its sample person's own unsubscribe links.
UNSUBSCRIBE_SHOWN = "(their own unsubscribe link)"
_sleep = time.sleep  # replaced in tests
_monotonic = time.monotonic


def _segment(item: BroadcastItem | BroadcastDraft, inactive_since: str | None) -> Segment:
    return Segment(item.audience, session_id=item.session_id, tag=item.tag, inactive_since=inactive_since)


def _inactive_since(days: int | None) -> str | None:
    if days is None:
        return None
    return clock.iso(clock.now_seconds() - int(timedelta(days=days).total_seconds()))


def _audience_values(
    audience: str, tag: str | None, days: int | None, session_id: str | None
) -> dict[str, str]:
    """The audience's own template fields (peerlearn.notices.templates.AUDIENCE_FIELDS)."""
    if audience == "tag":
        return {"tag": str(tag)}
    if audience == "inactive":
        return {"days": str(days)}
    if audience == "session":
        return {"session_title": str(get_session_item(str(session_id)).title)}
    return {}


def to_out(item: BroadcastItem) -> BroadcastOut:
    return BroadcastOut(
        id=item.id,
        audience=item.audience,
        session_id=item.session_id,
        tag=item.tag,
        inactive_days=None if item.inactive_days is None else int(item.inactive_days),
        template=item.template or "announcement",
        channels=item.channels or "all",
        title=item.title,
        body=item.body,
        link=item.link,
        status=item.status,
        recipients=max(int(item.recipients), int(item.sent) + int(item.failed or 0)),
        sent=int(item.sent),
        failed=int(item.failed or 0),
        created_at=item.created_at,
        finished_at=item.finished_at,
    )


# ---------------------------------------------------------------- the admins' API
def _checked(request: BroadcastDraft) -> dict[str, str]:
    """The request's audience fields, after checking its session exists and its template's fields
    can be filled for its audience (BadRequest / NotFound otherwise)."""
    templates.check(request.template, request.title, request.body, request.audience)
    return _audience_values(request.audience, request.tag, request.inactive_days, request.session_id)


def create(*, admin_id: str, request: BroadcastCreate) -> BroadcastOut:
    """Queues a broadcast; the stream sends it. Its recipients are counted now (a count Query per
    part of the audience), so its progress can be shown. Idempotent: its id is derived from the
    admin and the request id, so the same request again answers the broadcast it made (whose
    recipients' dedupe key is that id) and queues nothing."""
    broadcast_id = ids.derived_id(admin_id, request.request_id)
    already = _made(broadcast_id)
    if already is not None:
        return to_out(already)
    _checked(request)
    now = clock.now_seconds()
    created_at = clock.iso(now)
    inactive_since = _inactive_since(request.inactive_days)
    item = BroadcastItem(
        broadcast_pk(broadcast_id),
        BROADCAST_SK,
        id=broadcast_id,
        audience=request.audience,
        session_id=request.session_id,
        tag=request.tag,
        inactive_days=request.inactive_days,
        inactive_since=inactive_since,
        template=request.template,
        channels=request.channels,
        title=request.title,
        body=request.body,
        link=request.link or None,
        created_by=admin_id,
        created_at=created_at,
        status="queued",
        recipients=_segment(request, inactive_since).count(),
        sent=0,
        failed=0,
        page_attempts=0,
        cursor=_encode(0, None),
        pages=0,
        gsi1pk=BROADCASTS,
        gsi1sk=f"{created_at}#{broadcast_id}",
    )
    entry = audit.entry(
        at=created_at,
        actor_id=admin_id,
        action="broadcast.send",
        target_type="broadcast",
        target_id=broadcast_id,
        after={
            "audience": request.audience,
            "session_id": request.session_id,
            "title": request.title,
            "recipients": int(item.recipients),
        },
    )
    try:
        with store.transaction() as tx:  # the broadcast and its audit entry, together or not at all
            tx.save(item, condition=BroadcastItem.pk.does_not_exist())
            audit.record(tx, entry)
    except TransactWriteError as exc:
        made = _made(broadcast_id) if store.condition_failed(exc) else None
        if made is None:
            raise
        return to_out(made)  # the same request, sent twice at once: the other one made it
    logger.info(
        "broadcast queued",
        extra={"broadcast_id": broadcast_id, "audience": request.audience, "recipients": item.recipients},
    )
    return to_out(item)


def _made(broadcast_id: str) -> BroadcastItem | None:
    try:
        return BroadcastItem.get(broadcast_pk(broadcast_id), BROADCAST_SK, consistent_read=True)
    except DoesNotExist:
        return None


def _admin(admin_id: str) -> UserItem:
    try:
        return UserItem.get(user_pk(admin_id), USER_PROFILE_SK)
    except UserItem.DoesNotExist as exc:
        raise NotFound("No such admin.") from exc


def _notice(
    broadcast_id: str,
    user: UserItem,
    *,
    template: str,
    title: str,
    body: str,
    link: str | None,
    channels: str,
    audience_values: dict[str, str],
) -> Notice:
    subject, text = templates.render(
        template, title=title, body=body, name=str(user.name), audience_values=audience_values
    )
    return Notice(
        str(user.id),
        "broadcast",
        subject,
        text,
        dedupe_key=f"broadcast#{broadcast_id}",
        link=link,
        data={"broadcast_id": broadcast_id},
        channels=_EMAIL_ONLY if channels == "email" else None,
    )


def preview(ctx: Context, *, admin_id: str, request: BroadcastDraft) -> BroadcastPreview:
    """The email the audience's first person would get, and the audience's size now (nothing sent,
    nothing stored). An empty audience is previewed as the admin would see it."""
    values = _checked(request)
    segment = _segment(request, _inactive_since(request.inactive_days))
    sample = segment.first() or _admin(admin_id)
    notice = _notice(
        "preview",
        sample,
        template=request.template,
        title=request.title,
        body=request.body,
        link=request.link,
        channels=request.channels,
        audience_values=values,
    )
    email = notice_email(ctx.settings, notice, sample)
    # The person's own unsubscribe links work for whoever holds them: not for the admin's screen.
    text, html = email.text, email.html
    for link in (unsubscribe_page_url, unsubscribe_url):
        url = link(ctx.settings, str(sample.id), _CATEGORY)
        text = text.replace(url, UNSUBSCRIBE_SHOWN)
        html = html.replace(escape(url, quote=True), UNSUBSCRIBE_SHOWN)
    return BroadcastPreview(
        audience_size=segment.count(),
        recipient=PreviewRecipient(id=str(sample.id), name=str(sample.name)),
        subject=email.subject,
        text=text,
        html=html,
    )


def send_test(ctx: Context, *, admin_id: str, request: BroadcastDraft) -> BroadcastTestSent:
    """Emails the rendered broadcast to the admin only, whatever the audience (filled in with the
    admin's own name); a few per admin per ten minutes (TooManyRequests past that)."""
    values = _checked(request)
    wait = ratelimit.acquire(TEST_SENDS, admin_id)
    if wait:
        raise TooManyRequests("Too many test emails; wait a few minutes.", retry_after_seconds=wait)
    admin = _admin(admin_id)
    notice = _notice(
        "test",
        admin,
        template=request.template,
        title=request.title,
        body=request.body,
        link=request.link,
        channels="email",
        audience_values=values,
    )
    email = notice_email(ctx.settings, notice, admin)
    email = dataclasses.replace(email, subject=f"[Test] {email.subject}")
    ctx.email.send(email)
    logger.info("broadcast test sent", extra={"admin_id": admin_id})
    return BroadcastTestSent(to=email.to, subject=email.subject)


def list_templates() -> TemplateList:
    return TemplateList(
        items=[
            TemplateOut(
                name=name,
                label=template.label,
                subject=template.subject,
                body=template.body,
                fields=sorted(templates.fields_of(template.subject + template.body) - {"title", "body"}),
            )
            for name, template in templates.TEMPLATES.items()
        ]
    )


def list_broadcasts(*, limit: int, cursor: str | None) -> BroadcastPage:
    items, next_cursor = page(
        lambda start: BroadcastItem.newest.query(
            BROADCASTS, scan_index_forward=False, limit=limit, last_evaluated_key=start
        ),
        cursor,
    )
    return BroadcastPage(items=[to_out(item) for item in items], next_cursor=next_cursor)


def _get(broadcast_id: str, *, consistent: bool = False) -> BroadcastItem:
    try:
        return BroadcastItem.get(broadcast_pk(broadcast_id), BROADCAST_SK, consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such broadcast.") from exc


def get_broadcast(broadcast_id: str) -> BroadcastOut:
    if not ids.is_id(broadcast_id):
        raise NotFound("No such broadcast.")
    return to_out(_get(broadcast_id, consistent=True))


# ---------------------------------------------------------------- sending, from the stream
def _decode(cursor: str) -> tuple[int, dict[str, Any] | None]:
    if not cursor:
        return 0, None
    index, _, key = cursor.partition("|")
    return int(index), (json.loads(key) if key else None)


def _encode(index: int, key: dict[str, Any] | None) -> str:
    return f"{index}|{json.dumps(key, separators=(',', ':'), sort_keys=True) if key else ''}"


def _paced(users: list[UserItem], per_second: int) -> Iterator[UserItem]:
    """The people at `per_second`; the page lasts its share of time to the end, so the next page
    (another invocation) can't start the rate's count early."""
    started = _monotonic()
    for number, user in enumerate([*users, None]):
        wait = number / per_second - (_monotonic() - started)
        if wait > 0:
            _sleep(wait)
        if user is not None:
            yield user


def _deliver_each(ctx: Context, notices: Iterator[Notice]) -> list[str]:
    """Delivers each notice on its own (one failing email never stops the people after it); the ids
    of the people whose delivery failed."""
    failed: list[str] = []
    for notice in notices:
        try:
            delivery.deliver(ctx, notice)
        except Exception as exc:
            failed.append(notice.user_id)
            # The class, not the text or the traceback: an SES refusal names the recipient's address
            # ("Email address is not verified: a@b"), and the user id finds them without it.
            logger.warning(
                "delivering a broadcast failed",
                extra={"user_id": notice.user_id, "error": type(exc).__name__},
            )
    return failed


def send_next_page(ctx: Context, image: dict[str, Any]) -> int:
    """One page of a broadcast, from the stream's image of its item; the recipients handled.
    Nothing when the image is not the item's current state (a replay, or a page done meanwhile)."""
    broadcast_id, seen_cursor = str(image["id"]), str(image.get("cursor") or "")
    if image.get("status") == "done":
        return 0
    try:
        item = _get(broadcast_id, consistent=True)
    except NotFound:
        return 0
    if item.status == "done" or item.cursor != seen_cursor:
        return 0  # this record is behind: a later one carries on
    segment = _segment(item, item.inactive_since)
    parts = segment.parts()
    index, start = _decode(item.cursor)
    per_second = max(1, ctx.settings.broadcast_emails_per_second)
    users: list[UserItem] = []
    next_key: dict[str, Any] | None = None
    if index < len(parts):
        users, next_key = parts[index].page(start, per_second * PAGE_SECONDS)
    days = None if item.inactive_days is None else int(item.inactive_days)
    values = _audience_values(item.audience, item.tag, days, item.session_id) if users else {}
    failed = _deliver_each(
        ctx,
        (
            _notice(
                broadcast_id,
                user,
                template=item.template or "announcement",
                title=item.title,
                body=item.body,
                link=item.link,
                channels=item.channels or "all",
                audience_values=values,
            )
            for user in _paced(users, per_second)
        ),
    )
    attempts = int(item.page_attempts or 0) + 1
    if failed and attempts < MAX_PAGE_ATTEMPTS:
        _try_page_again(item, seen_cursor, attempts, len(failed))
        return len(users) - len(failed)
    cursor = _encode(index, next_key) if next_key else _encode(index + 1, None)
    done = next_key is None and index + 1 >= len(parts)
    actions: list[Any] = [
        BroadcastItem.cursor.set(cursor),
        BroadcastItem.sent.add(len(users) - len(failed)),
        BroadcastItem.failed.add(len(failed)),
        BroadcastItem.page_attempts.set(0),
        BroadcastItem.pages.add(1),
        BroadcastItem.status.set("done" if done else "sending"),
    ]
    if done:
        actions.append(BroadcastItem.finished_at.set(clock.iso(clock.now_seconds())))
    try:
        with store.failed_condition_raises(LookupError()):
            item.update(actions=actions, condition=BroadcastItem.cursor == seen_cursor)
    except LookupError:
        logger.info("broadcast page done twice", extra={"broadcast_id": broadcast_id})
        return 0
    if failed:
        logger.warning(
            "broadcast recipients given up on", extra={"broadcast_id": broadcast_id, "failed": len(failed)}
        )
    if done:
        logger.info("broadcast done", extra={"broadcast_id": broadcast_id})
    return len(users) - len(failed)


def _try_page_again(item: BroadcastItem, seen_cursor: str, attempts: int, failures: int) -> None:
    """Counts an attempt at the page: the MODIFY brings it back through the stream (after a pause
    that grows, as SES's throttling wants), and its markers skip the people it reached."""
    _sleep(attempts)
    try:
        with store.failed_condition_raises(LookupError()):
            item.update(
                actions=[BroadcastItem.page_attempts.set(attempts)],
                condition=(BroadcastItem.cursor == seen_cursor) & (BroadcastItem.status != "done"),
            )
    except LookupError:
        return  # another record finished the page meanwhile
    logger.warning(
        "broadcast page to be tried again",
        extra={"broadcast_id": item.id, "attempt": attempts, "failed": failures},
    )
