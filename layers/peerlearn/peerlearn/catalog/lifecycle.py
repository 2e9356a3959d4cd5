"""A session's lifecycle: scheduled -> live -> completed, or scheduled -> cancelled.

State changes are conditional writes; an invalid transition is a Conflict naming the current state.
What follows for the bookings (cancelled, completed) happens in the stream (peerlearn.reactions).
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.models import Model

from peerlearn import audit, clock, store, timeutil
from peerlearn.catalog.lookup import get_session_item
from peerlearn.catalog.reading import get_session
from peerlearn.catalog.schemas import SessionOut
from peerlearn.context import Context
from peerlearn.errors import Conflict, Forbidden
from peerlearn.store.audit import AuditItem
from peerlearn.store.keys import ENDED, LIVE
from peerlearn.store.models import SessionItem

logger = logging.getLogger(__name__)

# A live session is completed by the jobs function this long after its planned end.
COMPLETION_GRACE_MINUTES = 30


def owned(session_id: str, mentor_id: str) -> SessionItem:
    item = get_session_item(session_id, consistent=True)
    if item.mentor_id != mentor_id:
        raise Forbidden("Only the session's mentor can change it.")
    return item


def invalid_transition(item: SessionItem, doing: str) -> Conflict:
    return Conflict(f"This session is {item.status}, so it can't be {doing}.", code="invalid_transition")


def _transition(
    item: SessionItem,
    *,
    allowed_from: set[str],
    doing: str,
    actions: list[Any],
    audit_entry: AuditItem | None = None,
) -> SessionItem:
    """One conditional write; a state that moved on since `item` was read is a Conflict too. With
    `audit_entry` (an admin's change) the write and the entry are one transaction."""
    if item.status not in allowed_from:
        raise invalid_transition(item, doing)
    actions = [*actions, SessionItem.updated_at.set(timeutil.now_iso())]
    condition = SessionItem.status.is_in(*allowed_from)
    with store.failed_condition_raises(
        Conflict(f"This session changed meanwhile, so it can't be {doing}; reload.", code="changed_meanwhile")
    ):
        if audit_entry is None:
            item.update(actions=actions, condition=condition)
        else:
            with store.transaction() as tx:
                tx.update(item, actions, condition=condition)
                audit.record(tx, audit_entry)
            _reread(item)
    return item


def _reread(item: Model) -> None:
    """A transaction's update leaves the model as it was: read it back so callers see the change."""
    item.refresh(consistent_read=True)


def _ended_keys(item: SessionItem, at: str) -> list[Any]:
    """Into the admins' ended list (gsi1 ENDED, newest first), out of the live one."""
    return [SessionItem.gsi1pk.set(ENDED), SessionItem.gsi1sk.set(f"{at}#{item.id}")]


def start(item: SessionItem) -> SessionItem:
    """scheduled -> live: closes booking and lists the session for the completion job."""
    return _transition(
        item,
        allowed_from={"scheduled"},
        doing="started",
        actions=[
            SessionItem.status.set("live"),
            SessionItem.open.remove(),
            SessionItem.started_at.set(timeutil.now_iso()),
            SessionItem.gsi1pk.set(LIVE),
            SessionItem.gsi1sk.set(f"{item.ends_at}#{item.id}"),
        ],
    )


def complete(item: SessionItem, *, audit_entry: AuditItem | None = None) -> SessionItem:
    """live -> completed: bookings are completed by the stream consumer. `audit_entry`: an admin ended
    it, and the entry is written with the change."""
    now = timeutil.now_iso()
    return _transition(
        item,
        allowed_from={"live"},
        doing="ended",
        actions=[
            SessionItem.status.set("completed"),
            SessionItem.completed_at.set(now),
            SessionItem.attendance_kept.set(True),  # its bookings' outcomes are kept on it from now on
            *_ended_keys(item, now),
        ],
        audit_entry=audit_entry,
    )


def cancel_for_mentor_no_show(item: SessionItem) -> SessionItem:
    """scheduled | live -> cancelled when the mentor never came (peerlearn.live.noshow): out of the
    discovery and live indexes (into the ended one), so neither the sweep nor the no-show job sees it
    again; the stream then cancels the bookings as for any cancelled session."""
    now = timeutil.now_iso()
    return _transition(
        item,
        allowed_from={"scheduled", "live"},
        doing="cancelled",
        actions=[
            SessionItem.status.set("cancelled"),
            SessionItem.cancel_reason.set("mentor_no_show"),
            SessionItem.open.remove(),
            SessionItem.cancelled_at.set(now),
            *_ended_keys(item, now),
        ],
    )


def start_session(ctx: Context, *, mentor_id: str, session_id: str) -> SessionOut:
    item = owned(session_id, mentor_id)
    opens_at = timeutil.epoch(item.starts_at) - int(item.early_join_minutes) * 60
    if item.status == "scheduled" and clock.now_seconds() < opens_at:
        raise Conflict(
            f"The session can be started from {timeutil.iso_from_epoch(opens_at)}.", code="too_early"
        )
    start(item)
    logger.info("session started", extra={"session_id": session_id})
    return get_session(ctx, session_id)


def end_session(ctx: Context, *, mentor_id: str, session_id: str) -> SessionOut:
    item = owned(session_id, mentor_id)
    complete(item)
    logger.info("session completed", extra={"session_id": session_id})
    return get_session(ctx, session_id)


def cancel_session(ctx: Context, *, mentor_id: str, session_id: str) -> SessionOut:
    """scheduled -> cancelled; the stream consumer then cancels every booking and tells the learners."""
    item = owned(session_id, mentor_id)
    _transition(
        item,
        allowed_from={"scheduled"},
        doing="cancelled",
        actions=[
            SessionItem.status.set("cancelled"),
            SessionItem.open.remove(),
            SessionItem.cancelled_at.set(timeutil.now_iso()),
        ],
    )
    logger.info("session cancelled", extra={"session_id": session_id})
    return get_session(ctx, session_id)
