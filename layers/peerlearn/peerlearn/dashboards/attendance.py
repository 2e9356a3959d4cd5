"""Who came to a completed session, kept on the session item by the stream: each booking that becomes
completed adds its learner to `attended_ids`, each marked a no-show moves them to `no_show_ids`, so
the mentor's performance reads a quarter's sessions and none of their bookings.

Idempotent: set ADD and DELETE give the same item however often a record is delivered, and the
stream delivers one item's records in order, so a redelivered batch ends where the first did.
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import UpdateError

from peerlearn import store
from peerlearn.store.keys import SESSION_SK, session_pk
from peerlearn.store.models import SessionItem

logger = logging.getLogger(__name__)

COUNTED = ("completed", "no_show")


def on_booking_changed(old: dict[str, Any], new: dict[str, Any]) -> None:
    """A booking record (INSERT or MODIFY): moves its learner between the session's sets when its
    status came to or left `completed` / `no_show`."""
    status, before = new.get("status"), old.get("status")
    if status == before or (status not in COUNTED and before not in COUNTED):
        return
    learner = {str(new["learner_id"])}
    attended, missed = SessionItem.attended_ids, SessionItem.no_show_ids
    if status == "completed":
        actions = [attended.add(learner), missed.delete(learner)]
    elif status == "no_show":
        actions = [missed.add(learner), attended.delete(learner)]
    else:  # left both (not a path the bookings take today, but the sets must follow if it comes)
        actions = [attended.delete(learner), missed.delete(learner)]
    session = SessionItem(session_pk(str(new["session_id"])), SESSION_SK)
    try:
        session.update(actions=actions, condition=SessionItem.pk.exists())
    except UpdateError as exc:
        if not store.condition_failed(exc):
            raise
        logger.info("attendance of a session that is gone", extra={"session_id": new["session_id"]})
