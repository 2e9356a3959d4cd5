"""Fixtures of the live-room tests: a room (mentor, three booked learners, an admin, an outsider) whose
session starts in a quarter of an hour, the wire, and a clock the tests move."""

from __future__ import annotations

import pytest

from peerlearn.context import Context
from tests.unit.rooms_support import Room, make_room
from tests.unit.sessions_support import Clock


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def room(ctx: Context, monkeypatch: pytest.MonkeyPatch, moving_clock: Clock) -> Room:
    return make_room(ctx, monkeypatch)
