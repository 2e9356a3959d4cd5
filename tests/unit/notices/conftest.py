"""What the broadcast tests share: pacing recorded instead of slept, an admin and their function."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import pytest

from peerlearn.accounts import service
from peerlearn.context import Context
from peerlearn.notices import broadcasts
from tests.support import load_function


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pacing's pauses, recorded instead of slept."""
    pauses: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(broadcasts, "_sleep", sleep)
    monkeypatch.setattr(broadcasts, "_monotonic", lambda: now[0])
    return pauses


@pytest.fixture
def admin_id(ctx: Context) -> str:
    return service.create_admin(email="root@example.com", name="Root Admin", password="admin-password-99")


@pytest.fixture
def admin_fn(ctx: Context) -> ModuleType:
    return load_function("admin")


def at_rate(ctx: Context, per_second: int) -> Context:
    return dataclasses.replace(
        ctx, settings=dataclasses.replace(ctx.settings, broadcast_emails_per_second=per_second)
    )
