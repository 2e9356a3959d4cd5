"""TEMP stub of live-core's attendance (replaced by theirs on merge)."""

from __future__ import annotations

from peerlearn.store.keys import room_pk
from peerlearn.store.live import AttendanceItem


def attended(session_id: str, user_id: str) -> bool:
    found = AttendanceItem.query(
        room_pk(session_id), AttendanceItem.sk.startswith(f"ATTEND#{user_id}#"), limit=1
    )
    return any(True for _ in found)
