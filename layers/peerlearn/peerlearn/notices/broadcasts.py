"""Admins' broadcasts: one announcement to everyone, the learners, the mentors, or one session's
attendees, through the channels each person allows.

Creating one writes a BROADCAST item (queued). The stream does the sending, a page of recipients
per record: each BROADCAST INSERT/MODIFY reads the page at the item's cursor (users by role on
gsi1; a session's confirmed bookings), delivers each notice with the dedupe key broadcast#<id>,
then advances the cursor and the sent count on condition the cursor is still the one it read. That
MODIFY brings the next page, until the last one marks it done. A crash or a replayed record resumes
from the stored cursor, and anyone reached before is skipped by the dedupe key: nobody hears it twice.

Sending is paced to `broadcast_emails_per_second` (SES's sending rate, 14/s by default) and pages
are kept short, so one broadcast never holds the stream for more than a few seconds at a time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import audit, clock, ids, store
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.errors import NotFound
from peerlearn.notices.schemas import BroadcastCreate, BroadcastOut, BroadcastPage
from peerlearn.notify.deliver import deliver_all
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import BOOKING_PREFIX, role_gsi1pk, session_pk
from peerlearn.store.models import BookingItem, UserItem
from peerlearn.store.notices import BROADCAST_SK, BROADCASTS, BroadcastItem, broadcast_pk
from peerlearn.store.paging import page

logger = logging.getLogger(__name__)

# A page takes about this long at the paced rate: short, because the stream's shard waits for it.
PAGE_SECONDS = 2
_ROLES = {"everyone": ("learner", "mentor", "admin"), "learners": ("learner",), "mentors": ("mentor",)}
_sleep = time.sleep  # replaced in tests
_monotonic = time.monotonic


@dataclass(frozen=True)
class _Part:
    """One Query's worth of an audience: the users of a role, or a session's confirmed bookings."""

    role: str | None = None
    session_id: str | None = None

    def query(self, start: dict[str, Any] | None, limit: int) -> Any:
        if self.role is not None:
            return UserItem.by_role.query(
                role_gsi1pk(self.role),
                filter_condition=UserItem.banned == False,  # noqa: E712 - a DynamoDB condition
                limit=limit,
                last_evaluated_key=start,
            )
        return BookingItem.query(
            session_pk(str(self.session_id)),
            BookingItem.sk.startswith(BOOKING_PREFIX),
            filter_condition=BookingItem.status == "confirmed",
            limit=limit,
            last_evaluated_key=start,
        )

    def count(self) -> int:
        if self.role is not None:
            return int(
                UserItem.by_role.count(role_gsi1pk(self.role), filter_condition=UserItem.banned == False)  # noqa: E712
            )
        return int(
            BookingItem.count(
                session_pk(str(self.session_id)),
                BookingItem.sk.startswith(BOOKING_PREFIX),
                filter_condition=BookingItem.status == "confirmed",
            )
        )

    @staticmethod
    def user_id(item: Any) -> str:
        return str(item.id if isinstance(item, UserItem) else item.learner_id)


def _parts(audience: str, session_id: str | None) -> list[_Part]:
    if audience == "session":
        return [_Part(session_id=session_id)]
    return [_Part(role=role) for role in _ROLES[audience]]


def to_out(item: BroadcastItem) -> BroadcastOut:
    return BroadcastOut(
        id=item.id,
        audience=item.audience,
        session_id=item.session_id,
        title=item.title,
        body=item.body,
        link=item.link,
        status=item.status,
        recipients=max(int(item.recipients), int(item.sent)),
        sent=int(item.sent),
        created_at=item.created_at,
        finished_at=item.finished_at,
    )


# ---------------------------------------------------------------- the admins' API
def create(*, admin_id: str, request: BroadcastCreate) -> BroadcastOut:
    """Queues a broadcast; the stream sends it. Its recipients are counted now (a count Query per
    part of the audience), so its progress can be shown."""
    if request.audience == "session":
        get_session_item(str(request.session_id))  # NotFound for an unknown session
    broadcast_id = ids.new_id()
    created_at = clock.iso(clock.now_seconds())
    item = BroadcastItem(
        broadcast_pk(broadcast_id),
        BROADCAST_SK,
        id=broadcast_id,
        audience=request.audience,
        session_id=request.session_id,
        title=request.title,
        body=request.body,
        link=request.link or None,
        created_by=admin_id,
        created_at=created_at,
        status="queued",
        recipients=sum(part.count() for part in _parts(request.audience, request.session_id)),
        sent=0,
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
    with store.transaction() as tx:  # the broadcast and its audit entry, together or not at all
        tx.save(item, condition=BroadcastItem.pk.does_not_exist())
        audit.record(tx, entry)
    logger.info(
        "broadcast queued",
        extra={"broadcast_id": broadcast_id, "audience": request.audience, "recipients": item.recipients},
    )
    return to_out(item)


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
    return to_out(_get(broadcast_id, consistent=True))


# ---------------------------------------------------------------- sending, from the stream
def _decode(cursor: str) -> tuple[int, dict[str, Any] | None]:
    if not cursor:
        return 0, None
    index, _, key = cursor.partition("|")
    return int(index), (json.loads(key) if key else None)


def _encode(index: int, key: dict[str, Any] | None) -> str:
    return f"{index}|{json.dumps(key, separators=(',', ':'), sort_keys=True) if key else ''}"


def _paced(user_ids: list[str], per_second: int) -> Iterator[str]:
    """The ids at `per_second`; the page lasts its share of time to the end, so the next page
    (another invocation) can't start the rate's count early."""
    started = _monotonic()
    for number, user_id in enumerate([*user_ids, None]):
        wait = number / per_second - (_monotonic() - started)
        if wait > 0:
            _sleep(wait)
        if user_id is not None:
            yield user_id


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
    parts = _parts(item.audience, item.session_id)
    index, start = _decode(item.cursor)
    per_second = max(1, ctx.settings.broadcast_emails_per_second)
    user_ids: list[str] = []
    next_key: dict[str, Any] | None = None
    if index < len(parts):
        result = parts[index].query(start, per_second * PAGE_SECONDS)
        user_ids = [_Part.user_id(found) for found in result]
        next_key = result.last_evaluated_key
    # Everyone in the page is tried; a transient failure (throttling) raises afterwards so the stream
    # retries the page without moving the cursor, and the markers keep the others from a second copy.
    # An address SES refuses for good is not a failure (mail gives it up), so it can't stall the rest.
    deliver_all(
        ctx,
        (
            Notice(
                user_id,
                "broadcast",
                item.title,
                item.body,
                dedupe_key=f"broadcast#{broadcast_id}",
                link=item.link,
                data={"broadcast_id": broadcast_id},
            )
            for user_id in _paced(user_ids, per_second)
        ),
    )
    cursor = _encode(index, next_key) if next_key else _encode(index + 1, None)
    done = next_key is None and index + 1 >= len(parts)
    actions: list[Any] = [
        BroadcastItem.cursor.set(cursor),
        BroadcastItem.sent.add(len(user_ids)),
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
    if done:
        logger.info("broadcast done", extra={"broadcast_id": broadcast_id})
    return len(user_ids)
