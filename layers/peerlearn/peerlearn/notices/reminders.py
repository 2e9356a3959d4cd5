"""Session reminders: 24 hours, 1 hour and 10 minutes before each session, to its confirmed learners
and its mentor.

One REMIND item per session and lead time (peerlearn.store.notices), kept by the stream: written
when a session is scheduled, rewritten when it moves, deleted when it is cancelled or starts. The
every-minute sweep Queries the sparse due-time index (no Scan), sends what is due and deletes each
item on condition it is still the one it read (a move meanwhile wins). What makes it safe:
- never twice: the dedupe keys name the booking (or the mentor), the lead time and the start time,
  so a second run, a concurrent run or a crash between sending and deleting sends nothing new;
- never for a cancelled booking: the session and its confirmed bookings are read when sending;
- a late run sends only the tightest reminder that is due (no "24 hours" after "1 hour"), none once
  the session has started, and none to a booking confirmed after that reminder was due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import groupby

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, store, timeutil
from peerlearn.context import Context
from peerlearn.notices.wording import Recipients, minutes_text
from peerlearn.notify.deliver import deliver_all
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import BOOKING_PREFIX, SESSION_SK, booking_sk, session_pk
from peerlearn.store.models import BookingItem, SessionItem
from peerlearn.store.notices import REMIND, REMIND_PREFIX, ReminderItem, remind_gsi1sk, remind_sk

logger = logging.getLogger(__name__)

OFFSETS_SECONDS = (24 * 3600, 3600, 10 * 60)
# A reminder sent this late or less still says "in 1 hour"; later ones say how long is really left.
_ON_TIME_SECONDS = 120


@dataclass
class ReminderReport:
    reminders_sent: int = 0  # notices delivered (learners and mentors)
    reminders_skipped: int = 0  # due items dropped unsent: superseded, started, cancelled, moved
    reminders_failed: int = 0  # sessions whose reminders failed to go out: kept for the next sweep


def _get_session(session_id: str) -> SessionItem | None:
    try:
        return SessionItem.get(session_pk(session_id), SESSION_SK, consistent_read=True)
    except DoesNotExist:
        return None


def _planned(session_id: str) -> dict[int, ReminderItem]:
    items = ReminderItem.query(
        session_pk(session_id), ReminderItem.sk.startswith(REMIND_PREFIX), consistent_read=True
    )
    return {int(item.offset_seconds): item for item in items}


def _drop(item: ReminderItem) -> bool:
    """Deletes `item` if it is still the reminder that was read (not rewritten by a move meanwhile)."""
    try:
        with store.failed_condition_raises(LookupError()):
            item.delete(condition=ReminderItem.gsi1sk == item.gsi1sk)
    except LookupError:
        return False
    return True


def sync_session(session_id: str, now: int | None = None) -> None:
    """Makes the session's REMIND items match the session as it is now: one per lead time still in
    the future while it is scheduled, none otherwise. Reads the session itself, so a replayed or
    late stream record can't bring back an old start time."""
    now = clock.now_seconds() if now is None else now
    session = _get_session(session_id)
    planned = _planned(session_id)
    if session is None or session.status != "scheduled":
        for item in planned.values():
            _drop(item)
        return
    starts = timeutil.epoch(session.starts_at)
    for offset in OFFSETS_SECONDS:
        existing = planned.get(offset)
        if existing is not None and existing.starts_at == session.starts_at:
            continue
        due = starts - offset
        if due > now:
            ReminderItem(
                session_pk(session_id),
                remind_sk(offset),
                session_id=session_id,
                offset_seconds=offset,
                starts_at=session.starts_at,
                due_at=due,
                gsi1pk=REMIND,
                gsi1sk=remind_gsi1sk(due, session_id, offset),
                ttl=starts + 86400,  # a safety net: the sweep deletes it first
            ).save()
        elif existing is not None:
            _drop(existing)


def send_due(ctx: Context, now: int | None = None) -> ReminderReport:
    """The sweep's part: every reminder due by `now`, sent once and deleted."""
    now = clock.now_seconds() if now is None else now
    report = ReminderReport()
    due = list(ReminderItem.due.query(REMIND, ReminderItem.gsi1sk < f"{now + 1:012d}"))
    due.sort(key=lambda item: (item.session_id, int(item.offset_seconds)))
    for session_id, group in groupby(due, key=lambda item: item.session_id):
        items = list(group)
        tightest, superseded = items[0], items[1:]  # the shortest lead time that is due
        session = _get_session(session_id)
        sendable = (
            session is not None
            and session.status == "scheduled"
            and session.starts_at == tightest.starts_at
            and now < timeutil.epoch(session.starts_at)
        )
        if sendable and session is not None:
            try:
                report.reminders_sent += _send(ctx, session, tightest, now)
            except Exception:
                # Kept: the next sweep tries again (whoever got it already is not sent it twice), and
                # the other sessions' reminders still go out now.
                logger.exception(
                    "sending reminders failed; kept for the next sweep", extra={"session_id": session_id}
                )
                report.reminders_failed += 1
                continue
        else:
            report.reminders_skipped += 1
        _drop(tightest)
        for item in superseded:
            report.reminders_skipped += 1
            _drop(item)
    if due:
        logger.info("reminders done", extra=vars(report))
    return report


def _confirmed_before(booking: BookingItem, due_at: int) -> bool:
    confirmed = booking.confirmed_at or booking.updated_at
    return timeutil.epoch(confirmed) <= due_at


def _send(ctx: Context, session: SessionItem, item: ReminderItem, now: int) -> int:
    offset, starts_at = int(item.offset_seconds), session.starts_at
    starts = timeutil.epoch(starts_at)
    left = starts - now
    lead = minutes_text(offset) if left >= offset - _ON_TIME_SECONDS else minutes_text(left)
    people = Recipients()
    link = f"/sessions/{session.id}/room" if offset <= 15 * 60 else f"/sessions/{session.id}"
    data = {"session_id": session.id, "starts_at": starts_at, "offset_seconds": str(offset)}
    bookings = [
        booking
        for booking in BookingItem.query(
            session_pk(session.id),
            BookingItem.sk.startswith(BOOKING_PREFIX),
            filter_condition=BookingItem.status == "confirmed",
            consistent_read=True,
        )
        if _confirmed_before(booking, int(item.due_at))
    ]
    notices = [
        Notice(
            booking.learner_id,
            "session_reminder",
            f"“{session.title}” starts in {lead}",
            f"It starts {people.when(booking.learner_id, starts_at)} with {session.mentor_name}.",
            dedupe_key=f"remind#{booking.id}#{offset}#{starts_at}",
            link=link,
            expires_at=starts,
            data={**data, "booking_id": booking.id},
        )
        for booking in bookings
    ]
    if bookings:  # nobody booked: nothing to remind the mentor of
        count = len(bookings)
        notices.append(
            Notice(
                session.mentor_id,
                "session_reminder",
                f"“{session.title}” starts in {lead}",
                f"You're teaching {count} learner{'s' if count != 1 else ''} "
                f"{people.when(session.mentor_id, starts_at)}.",
                dedupe_key=f"remind#mentor#{session.id}#{offset}#{starts_at}",
                link=link,
                expires_at=starts,
                data=data,
            )
        )
    return deliver_all(ctx, notices)


def still_wanted(notice: Notice) -> bool:
    """Whether a reminder held for quiet hours should still go out when they end: not when the
    session was cancelled or moved meanwhile, nor when the learner's booking was cancelled."""
    if notice.kind != "session_reminder":
        return True
    session = _get_session(notice.data.get("session_id", ""))
    if session is None or session.status != "scheduled" or session.starts_at != notice.data.get("starts_at"):
        return False
    booking_id = notice.data.get("booking_id")
    if booking_id is None:  # the mentor's reminder
        return True
    try:
        booking = BookingItem.get(session_pk(session.id), booking_sk(notice.user_id), consistent_read=True)
    except DoesNotExist:
        return False
    return booking.id == booking_id and booking.status == "confirmed"
