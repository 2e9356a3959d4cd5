"""Quiet hours as a property: for any window, zone and moment, a moment inside the window is held
until the window's next end (within a day, at the end's wall-clock time), and one outside is not."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.notify.preferences import QuietHours

ZONES = ["Asia/Kolkata", "America/New_York", "Europe/London", "Australia/Adelaide", "UTC"]
hh_mm = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
moments = st.integers(1_767_225_600, 1_830_297_600)  # 2026 to 2028, across DST changes


def minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def inside(minute: int, start: int, end: int) -> bool:
    return start <= minute < end if start < end else minute >= start or minute < end


@settings(max_examples=400, deadline=None)
@given(start=hh_mm, end=hh_mm, zone=st.sampled_from(ZONES), now=moments)
def test_a_moment_is_held_exactly_while_inside_the_window(start: str, end: str, zone: str, now: int) -> None:
    local = datetime.fromtimestamp(now, ZoneInfo(zone))
    until = QuietHours(True, start, end).ends_after(now, zone)
    if start == end or not inside(local.hour * 60 + local.minute, minutes(start), minutes(end)):
        assert until is None
        return
    assert until is not None
    assert now < until <= now + 25 * 3600  # the next end, not one a day later (25 h: DST)
    ends = datetime.fromtimestamp(until, ZoneInfo(zone))
    gap_shift = ends.hour * 60 + ends.minute - minutes(end)
    assert gap_shift in (0, 30, 60)  # the end's wall-clock time (moved forward only by a DST gap)
