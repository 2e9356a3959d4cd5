"""Helpers for the session tests: people, sessions at chosen times, a movable clock."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest

from peerlearn import clock
from peerlearn.accounts import service as accounts
from peerlearn.bookings.seats import Booker
from peerlearn.catalog import publishing
from peerlearn.catalog.schemas import SessionCreate
from peerlearn.context import Context
from tests.support import local_in

PASSWORD = "mango-monsoon-42"
CLIENT = "192.0.2.1"  # the address the domain-level tests book and publish from
_numbers = itertools.count()


class Clock:
    """Moves peerlearn.clock forward; the real time is the starting point."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0
        real = clock.now_seconds
        monkeypatch.setattr(clock, "now_seconds", lambda: real() + self.offset)

    def advance(self, **delta: float) -> None:
        self.offset += int(timedelta(**delta).total_seconds())


def person(role: str = "learner", *, verified: bool = True, name: str | None = None) -> Booker:
    n = next(_numbers)
    name = name or f"{role.title()} {n}"
    extra: dict[str, Any] = (
        {"headline": "Teaches things", "expertise": ["Python"]} if role == "mentor" else {}
    )
    user_id = accounts.create_account(
        name=name, email=f"{role}{n}@example.com", password=PASSWORD, role=role, verified=verified, **extra
    )
    return Booker(user_id=user_id, name=name, role=role, email_verified=verified)


def publish(ctx: Context, mentor: Booker, *, hours: float = 48, client: str = CLIENT, **fields: Any) -> str:
    request = SessionCreate(
        **{
            "title": "Python code review",
            "description": "Bring a pull request.",
            "tags": ["Python", "Code review"],
            "level": "intermediate",
            "language": "English",
            "starts_at_local": local_in(hours * 60),
            "timezone": "Asia/Kolkata",
            "duration_minutes": 60,
            "capacity": 1,
            "price_paise": 0,
            **fields,
        }
    )
    return publishing.create_session(ctx, mentor_id=mentor.user_id, request=request, client=client).id


# What POST /api/sessions needs besides a start time.
NEW_SESSION: dict[str, Any] = {
    "title": "Python code review",
    "tags": ["Python"],
    "level": "intermediate",
    "timezone": "Asia/Kolkata",
    "duration_minutes": 60,
    "capacity": 2,
    "price_paise": 0,
}


def who(booker: Booker) -> dict[str, Any]:
    """The authorizer's context for `booker`, for rest_event(identity=...)."""
    return {"user_id": booker.user_id, "role": booker.role, "email_verified": booker.email_verified}
