"""Sessions flagged for an admin's look: what the product itself notices went wrong around a session.

- `mentor_no_show`: the no-show job cancelled the session and refunded its seats (peerlearn.live.noshow):
  the learners were let down, and a mentor who does it again may need a word or a ban.
- `learner_removed`: the mentor removed a learner from the room (peerlearn.live.moderation): something
  happened in the room that the mentor had to stop, and the learner may complain.
- `low_rating`: a learner rated the session 1 or 2 stars (peerlearn.feedback): the closest the product
  has to a complaint.

One item per (session, reason), written with `attribute_not_exists`, so a repeat (a second removal, a
replayed job) flags nothing twice. An admin resolves a flag (audited); it then leaves the open list.

| pattern                          | key condition                                          | index |
|----------------------------------|--------------------------------------------------------|-------|
| open flags, newest first         | gsi1pk = SESSION_FLAGS, scan backwards                 | gsi1  |
| one session's flags              | pk = SESSION_FLAG#<session id>                         | table |
"""

from __future__ import annotations

import logging
from typing import Literal

from peerlearn import audit, store, timeutil
from peerlearn.errors import Conflict, NotFound
from peerlearn.store.keys import SESSION_FLAGS, session_flag_pk, session_flag_sk
from peerlearn.store.models import SessionFlagItem

logger = logging.getLogger(__name__)

FlagReason = Literal["mentor_no_show", "learner_removed", "low_rating"]
REASONS: tuple[str, ...] = ("mentor_no_show", "learner_removed", "low_rating")


def raise_flag(session_id: str, reason: FlagReason, detail: str = "") -> bool:
    """Flags the session for `reason` once; False when it was flagged for it already."""
    now = timeutil.now_iso()
    item = SessionFlagItem(
        session_flag_pk(session_id),
        session_flag_sk(reason),
        session_id=session_id,
        reason=reason,
        detail=detail[:300],
        flagged_at=now,
        gsi1pk=SESSION_FLAGS,
        gsi1sk=f"{now}#{session_id}#{reason}",
    )
    try:
        with store.failed_condition_raises(Conflict("flagged already")):
            item.save(condition=SessionFlagItem.pk.does_not_exist())
    except Conflict:
        return False
    logger.info("session flagged", extra={"session_id": session_id, "reason": reason})
    return True


def of(session_id: str) -> list[SessionFlagItem]:
    """A session's flags, open and resolved."""
    return list(SessionFlagItem.query(session_flag_pk(session_id)))


def resolve(*, admin_id: str, session_id: str, reason: str, note: str) -> SessionFlagItem:
    """Takes the flag out of the open list, with its audit entry in the same transaction; resolving a
    resolved flag changes nothing (no second entry). NotFound for a flag that was never raised."""
    try:
        item = SessionFlagItem.get(session_flag_pk(session_id), session_flag_sk(reason), consistent_read=True)
    except SessionFlagItem.DoesNotExist as exc:
        raise NotFound("This session has no such flag.", code="not_found") from exc
    if item.resolved_at:
        return item
    now = timeutil.now_iso()
    entry = audit.entry(
        at=now,
        actor_id=admin_id,
        action="session.flag_resolve",
        target_type="session",
        target_id=session_id,
        reason=note,
        before={"flag": reason, "open": True},
        after={"flag": reason, "open": False},
    )
    with (
        store.failed_condition_raises(Conflict("resolved meanwhile")),
        store.transaction() as tx,
    ):
        tx.update(
            item,
            actions=[
                SessionFlagItem.resolved_at.set(now),
                SessionFlagItem.resolved_by.set(admin_id),
                SessionFlagItem.gsi1pk.remove(),
                SessionFlagItem.gsi1sk.remove(),
            ],
            condition=SessionFlagItem.resolved_at.does_not_exist(),
        )
        audit.record(tx, entry)
    item.resolved_at, item.resolved_by, item.gsi1pk, item.gsi1sk = now, admin_id, None, None
    return item
