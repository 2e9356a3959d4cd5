"""Timed work, run every minute by the jobs function: expire lapsed seat holds, start sessions whose
time has come, complete sessions well past their end, send the session reminders that are due
(peerlearn.notices.reminders); every five minutes the payments job, mentor
no-shows and recordings a closed tab left open; every night the reconciliation. Each step is
idempotent; all but the reconciliation (which reads the whole journal, as an audit must) are
Query-based."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from peerlearn import clock, timeutil
from peerlearn.bookings.states import expire_hold
from peerlearn.catalog.lifecycle import COMPLETION_GRACE_MINUTES, complete, start
from peerlearn.context import Context
from peerlearn.errors import Conflict
from peerlearn.live import ending, noshow, recording
from peerlearn.notices import reminders
from peerlearn.notify import held
from peerlearn.payments import admin, recovery
from peerlearn.payments.schemas import ReconciliationOut
from peerlearn.store.keys import HOLD, LIVE, OPEN
from peerlearn.store.models import BookingItem, SessionItem

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    holds_expired: int = 0
    sessions_started: int = 0
    sessions_completed: int = 0
    held_notices_sent: int = 0  # email and push held for quiet hours, sent as the hours end
    reminders_sent: int = 0
    reminders_skipped: int = 0


def sweep(ctx: Context, now: int | None = None) -> SweepReport:
    now = clock.now_seconds() if now is None else now
    report = SweepReport()
    # Reminders first: a session the sweep starts below must still get its 10-minute reminder if a
    # late run finds it due (send_due checks the start time itself).
    try:
        sent = reminders.send_due(ctx, now)
        report.reminders_sent, report.reminders_skipped = sent.reminders_sent, sent.reminders_skipped
    except Exception:  # never at the cost of seat holds and session starts below
        logger.exception("the reminders step failed")
    for booking in BookingItem.by_hold.query(HOLD, BookingItem.gsi1sk < f"{now + 1:012d}"):
        report.holds_expired += expire_hold(booking, now)
    now_text = timeutil.iso_from_epoch(now)
    for session in SessionItem.open_by_start.query(OPEN, SessionItem.starts_at <= now_text):
        try:
            start(session)
            report.sessions_started += 1
        except Conflict:
            pass  # the mentor started or cancelled it meanwhile
    overdue = timeutil.iso_from_epoch(now - COMPLETION_GRACE_MINUTES * 60)
    for session in SessionItem.by_live.query(LIVE, SessionItem.gsi1sk < overdue):
        try:
            complete(session)
            report.sessions_completed += 1
        except Conflict:
            continue
        try:
            ending.close_room(session, by="schedule")  # anyone still in the room is told and disconnected
        except Exception:
            logger.exception("closing the room failed", extra={"session_id": session.id})
    try:
        report.held_notices_sent = held.release_due(ctx, now, still_wanted=reminders.still_wanted)
    except Exception:
        logger.exception("releasing held notices failed")
    logger.info("sweep done", extra=vars(report))
    return report


def payments(ctx: Context, now: int | None = None) -> recovery.PaymentsReport:
    """Every five minutes: unpaid orders recovered from Razorpay, refunds due retried, shares matured."""
    return recovery.run(ctx, now)


def rooms(ctx: Context, now: int | None = None) -> dict[str, int]:
    """Every five minutes: mentors who never came declared (their learners refunded), and recordings
    nobody completed finished with the parts that arrived."""
    report = noshow.declare_no_shows(ctx, now)
    finished = recording.sweep_abandoned(ctx, now)
    logger.info("rooms job done", extra={"no_shows": len(report.declared), "recordings_finished": finished})
    return {
        "mentor_no_shows": len(report.declared),
        "no_show_refunds": report.refunds,
        "recordings_finished": finished,
    }


def reconcile(ctx: Context) -> ReconciliationOut:
    """Every night: the books balance, and match Razorpay's settlement report. Each break is logged as
    an error; the report is kept for the admins' page and returned."""
    report = admin.run_reconciliation(ctx)
    for found in report.breaks:
        logger.error("reconciliation break", extra={"kind": found.kind, "detail": found.detail})
    logger.info(
        "reconciliation done",
        extra={"ok": report.ok, "checked": report.checked, "breaks": len(report.breaks)},
    )
    return report
