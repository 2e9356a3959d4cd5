"""Mentor no-shows, found by the jobs (every five minutes): a session 15 minutes past its start, not
over, whose mentor has no attendance in the room is cancelled as a mentor no-show and every paid
seat is refunded in full through the payments' no-show declaration (once: refunds are keyed by the
booking).

Candidates come from two Queries, never a Scan: sessions still scheduled (the sparse `open_by_start`
index, by start time) and sessions the sweep made live (gsi1 `LIVE`, one item per live session).
The session is cancelled first, with a condition on its state: from then no ticket opens the room,
and the job can't pick it again. If the refunds then fail, the stream's cancellation of each
booking refunds it anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from peerlearn import clock, timeutil
from peerlearn.catalog import flags
from peerlearn.catalog.lifecycle import cancel_for_mentor_no_show
from peerlearn.context import Context
from peerlearn.errors import Conflict
from peerlearn.live.attendance import attended
from peerlearn.payments.noshow import refund_mentor_no_show
from peerlearn.store.keys import LIVE, OPEN
from peerlearn.store.models import SessionItem

logger = logging.getLogger(__name__)

NO_SHOW_AFTER_SECONDS = 15 * 60
LOOK_BACK_SECONDS = 3 * 24 * 3600  # a scheduled session older than this is the sweep's, not ours
BY = "system:mentor-no-show"


@dataclass
class NoShowReport:
    declared: list[str] = field(default_factory=list)
    refunds: int = 0


def candidates(now: int) -> Iterator[SessionItem]:
    cutoff = timeutil.iso_from_epoch(now - NO_SHOW_AFTER_SECONDS)
    oldest = timeutil.iso_from_epoch(now - LOOK_BACK_SECONDS)
    yield from SessionItem.open_by_start.query(
        OPEN,
        SessionItem.starts_at.between(oldest, cutoff),
        filter_condition=SessionItem.status == "scheduled",
    )
    yield from SessionItem.by_live.query(
        LIVE, filter_condition=(SessionItem.status == "live") & (SessionItem.starts_at <= cutoff)
    )


def declare_no_shows(ctx: Context, now: int | None = None) -> NoShowReport:
    now = clock.now_seconds() if now is None else now
    report = NoShowReport()
    for session in candidates(now):
        if attended(session.id, session.mentor_id):
            continue
        try:
            cancel_for_mentor_no_show(session)
        except Conflict:
            continue  # it moved on meanwhile (the mentor ended or cancelled it)
        report.declared.append(session.id)
        flags.raise_flag(session.id, "mentor_no_show", "The mentor didn't open the room; seats refunded.")
        try:
            made = refund_mentor_no_show(
                ctx,
                admin_id=BY,
                session_id=session.id,
                reason="The mentor didn't open the room within 15 minutes of the start",
            )
            report.refunds += len(made.refunds)
        except Exception:  # the bookings' cancellation (stream) refunds them all the same
            logger.exception("mentor no-show refunds failed", extra={"session_id": session.id})
        logger.info(
            "mentor no-show declared", extra={"session_id": session.id, "mentor_id": session.mentor_id}
        )
    return report
