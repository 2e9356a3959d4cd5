"""Watching sessions: the admins' lists (live now, upcoming, ended, flagged), an admin ending a live
session, and who is in a room for its mentor's monitor (and admins).

Access patterns (never a Scan; a page is one Query plus, for live rows, one Query per row):

| pattern                               | key condition                                     | index         |
|---------------------------------------|---------------------------------------------------|---------------|
| live now, ending soonest first        | gsi1pk = LIVE                                     | gsi1          |
| a live room's people (counts)         | pk = ROOM#<sid>, begins_with(sk, "PEER#")         | table         |
| upcoming, soonest first               | open = OPEN, starts_at > now                      | open_by_start |
| ended, newest first                   | gsi1pk = ENDED, scan backwards                    | gsi1          |
| flagged (open flags), newest first    | gsi1pk = SESSION_FLAGS, scan backwards            | gsi1          |
| the flagged rows' sessions            | BatchGetItem SESSION#<sid> / SESSION              | table         |
| a room's people and their stays       | pk = ROOM#<sid>: PEER# and ATTEND# (two Queries)  | table         |

"Ended" is completed sessions and those the no-show job cancelled (`lifecycle._ended_keys`); a session
a mentor cancelled before it began never ran and is not in it. Sessions completed before the ENDED
key existed are not listed (no backfill was written; the demo data is seeded anew).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Literal

from peerlearn import audit, clock, timeutil
from peerlearn.catalog import flags, lifecycle
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Conflict, Forbidden
from peerlearn.live import attendance, ending, fanout
from peerlearn.live.access import get_state
from peerlearn.live.room import status_of
from peerlearn.live.schemas import (
    AdminSessionOut,
    AdminSessionPage,
    RoomParticipantOut,
    RoomParticipantsOut,
    SessionFlagOut,
)
from peerlearn.live.timing import server_now
from peerlearn.store.keys import ENDED, LIVE, OPEN, SESSION_FLAGS, SESSION_SK, session_pk
from peerlearn.store.models import AttendanceItem, ParticipantItem, SessionFlagItem, SessionItem
from peerlearn.store.paging import page

logger = logging.getLogger(__name__)

State = Literal["live", "upcoming", "ended", "flagged"]


def _seconds_between(start: str | None, end: str | None, now: int) -> int | None:
    if not start:
        return None
    finish = timeutil.epoch(end) if end else now
    return max(0, finish - timeutil.epoch(start))


def _row(session: SessionItem, now: int, flag: SessionFlagItem | None = None) -> AdminSessionOut:
    row = AdminSessionOut(
        id=session.id,
        title=session.title,
        mentor_id=session.mentor_id,
        mentor_name=session.mentor_name,
        status=session.status,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        started_at=session.started_at,
        completed_at=session.completed_at,
        cancelled_at=session.cancelled_at,
        cancel_reason=session.cancel_reason,
        capacity=int(session.capacity),
        booked_count=int(session.booked_count),
        price_paise=int(session.price_paise),
        flag=_flag_out(flag) if flag is not None else None,
    )
    if session.status == "live":
        people = fanout.participants(session.id)
        connected = [p for p in people if p.connection_id is not None]
        row.participants_now = sum(
            1 for p in connected if p.status == "admitted" and p.room_role in ("mentor", "learner")
        )
        row.waiting_now = sum(1 for p in connected if p.status == "waiting")
        row.observers_now = sum(1 for p in connected if p.status == "admitted" and p.room_role == "observer")
        row.duration_seconds = _seconds_between(session.started_at, None, now)
    elif session.status == "completed":
        row.duration_seconds = _seconds_between(session.started_at, session.completed_at, now)
    return row


def _flag_out(flag: SessionFlagItem) -> SessionFlagOut:
    return SessionFlagOut(
        reason=flag.reason, detail=flag.detail, flagged_at=flag.flagged_at, resolved_at=flag.resolved_at
    )


def list_sessions(*, state: State, limit: int, cursor: str | None) -> AdminSessionPage:
    """One page of one list; the cursor is the last row's key in that list's index."""
    now = clock.now_seconds()
    now_iso = timeutil.iso_from_epoch(now)
    if state == "flagged":
        return _flagged(now, limit, cursor)

    def run(start: dict[str, Any] | None) -> Any:
        common: dict[str, Any] = {"limit": limit, "last_evaluated_key": start}
        if state == "live":
            return SessionItem.by_live.query(LIVE, filter_condition=SessionItem.status == "live", **common)
        if state == "upcoming":
            return SessionItem.open_by_start.query(
                OPEN,
                SessionItem.starts_at > now_iso,
                filter_condition=SessionItem.status == "scheduled",
                **common,
            )
        return SessionItem.by_live.query(ENDED, scan_index_forward=False, **common)

    items, next_cursor = page(run, cursor)
    return AdminSessionPage(state=state, items=[_row(s, now) for s in items], next_cursor=next_cursor)


def _flagged(now: int, limit: int, cursor: str | None) -> AdminSessionPage:
    def run(start: dict[str, Any] | None) -> Any:
        return SessionFlagItem.open_flags.query(
            SESSION_FLAGS, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )

    found, next_cursor = page(run, cursor)
    keys = list({(session_pk(f.session_id), SESSION_SK) for f in found})
    sessions = {s.id: s for s in SessionItem.batch_get(keys)} if keys else {}
    rows = [_row(sessions[f.session_id], now, f) for f in found if f.session_id in sessions]
    return AdminSessionPage(state="flagged", items=rows, next_cursor=next_cursor)


def end_as_admin(*, admin_id: str, session_id: str, reason: str) -> AdminSessionOut:
    """Ends a live session as its mentor's `end` does (completed; room closed; everyone told `ended`
    with `by: admin` and disconnected), the change and its audit entry in one transaction. Ending an
    ended session changes nothing and writes no second entry; Conflict for one that never started or
    was cancelled."""
    session = get_session_item(session_id, consistent=True)
    if session.status == "live":
        entry = audit.entry(
            at=timeutil.now_iso(),
            actor_id=admin_id,
            action="session.end",
            target_type="session",
            target_id=session_id,
            reason=reason,
            before={"status": "live"},
            after={"status": "completed"},
        )
        try:
            lifecycle.complete(session, audit_entry=entry)
        except Conflict:
            session = get_session_item(session_id, consistent=True)  # ended meanwhile (mentor, job)
            if session.status != "completed":
                raise
        else:
            logger.info("session ended by an admin", extra={"session_id": session_id, "admin_id": admin_id})
    elif session.status != "completed":
        raise lifecycle.invalid_transition(session, "ended")
    ending.close_room(session, by="admin")
    return _row(session, clock.now_seconds())


def resolve_flag(*, admin_id: str, session_id: str, reason: str, note: str) -> AdminSessionOut:
    """Takes a flag off the flagged list (audited)."""
    session = get_session_item(session_id)
    flag = flags.resolve(admin_id=admin_id, session_id=session_id, reason=reason, note=note)
    return _row(session, clock.now_seconds(), flag)


def room_participants(*, user_id: str, role: str, session_id: str) -> RoomParticipantsOut:
    """Who is in the room, who was, for how long: for the session's mentor and admins (Forbidden for
    anyone else, learners included). Connection quality is not here: the room never reports it to the
    server (each browser adapts its own sending from getStats)."""
    session = get_session_item(session_id)
    if session.mentor_id != user_id and role != "admin":
        raise Forbidden("Only the session's mentor can see who is in its room.")
    state = get_state(session_id)
    people = fanout.participants(session_id)
    stays: dict[str, list[AttendanceItem]] = defaultdict(list)
    for stay in attendance.of(session_id):
        stays[stay.user_id].append(stay)
    now = clock.now_seconds()
    return RoomParticipantsOut(
        session_id=session_id,
        room_status=status_of(session, state),
        opened_at=(state.opened_at if state is not None else None) or session.started_at,
        ends_at=state.ends_at if state is not None else session.ends_at,
        server_now=server_now(),
        participants=[_person(p, stays.get(p.user_id, []), now) for p in _ordered(people)],
    )


def _ordered(people: list[ParticipantItem]) -> list[ParticipantItem]:
    """The mentor first, then in order of arrival."""
    return sorted(people, key=lambda p: (p.room_role != "mentor", p.first_joined_at, p.user_id))


def _person(person: ParticipantItem, stays: list[AttendanceItem], now: int) -> RoomParticipantOut:
    connected = person.connection_id is not None
    last = stays[-1] if stays else None  # Query order: by joined ms
    in_now = connected and last is not None and not last.left_at
    seconds = sum(_seconds_between(s.joined_at, s.left_at, now) or 0 for s in stays)
    return RoomParticipantOut(
        user_id=person.user_id,
        name=person.name,
        room_role=person.room_role,
        status=person.status,
        connected=connected,
        first_joined_at=person.first_joined_at,
        joined_at=last.joined_at if last is not None else None,
        left_at=None if in_now or last is None else (last.left_at or person.last_seen_at),
        seconds_in_room=seconds,
        stays=len(stays),
        audio=bool(person.audio),
        video=bool(person.video),
        screen=bool(person.screen),
    )
