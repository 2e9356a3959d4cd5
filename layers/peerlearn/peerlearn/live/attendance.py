"""Attendance: one record per stay in the room (admitted and connected, until leaving, disconnecting
or being replaced by a newer connection). It feeds the mentor no-show check and mentor metrics."""

from __future__ import annotations

from contextlib import suppress

from peerlearn import store, timeutil
from peerlearn.live.timing import now_ms
from peerlearn.store.keys import ATTEND_PREFIX, attendance_prefix, attendance_sk, room_pk
from peerlearn.store.models import AttendanceItem


def open_stay(session_id: str, user_id: str, room_role: str) -> str:
    """Writes a new record and returns its sort key (kept on the participant until it is closed)."""
    joined_ms = now_ms()
    sk = attendance_sk(user_id, joined_ms)
    AttendanceItem(
        room_pk(session_id),
        sk,
        session_id=session_id,
        user_id=user_id,
        room_role=room_role,
        joined_at=timeutil.iso_from_epoch(joined_ms // 1000),
    ).save()
    return sk


def close_stay(session_id: str, sk: str | None) -> None:
    """Sets `left_at` once (a second close of the same stay changes nothing)."""
    if not sk:
        return
    # suppress outside: the failed condition becomes a LookupError inside it, and is swallowed there
    with suppress(LookupError), store.failed_condition_raises(LookupError()):
        AttendanceItem(room_pk(session_id), sk).update(
            actions=[AttendanceItem.left_at.set(timeutil.now_iso())],
            condition=AttendanceItem.pk.exists() & AttendanceItem.left_at.does_not_exist(),
        )


def of(session_id: str, user_id: str | None = None) -> list[AttendanceItem]:
    """A room's attendance records in order of joining per person (or one person's)."""
    prefix = attendance_prefix(user_id) if user_id else ATTEND_PREFIX
    return list(AttendanceItem.query(room_pk(session_id), AttendanceItem.sk.startswith(prefix)))


def attended(session_id: str, user_id: str) -> bool:
    """Whether the person was ever admitted into the room with a live connection."""
    found = AttendanceItem.query(
        room_pk(session_id), AttendanceItem.sk.startswith(attendance_prefix(user_id)), limit=1
    )
    return next(iter(found), None) is not None
