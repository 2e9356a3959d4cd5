"""Guessing passwords is slowed down without handing anyone a lock-out button.

Progressive delay per account, a device cookie that keeps the owner's known devices out of
strangers' delay (with a small budget of its own), and a completed reset that clears the count.
"""

from __future__ import annotations

import re

import pytest

from peerlearn import clock
from peerlearn.accounts import devices, service
from peerlearn.accounts.schemas import RegisterRequest
from peerlearn.context import Context
from peerlearn.errors import TooManyRequests, Unauthorized

PASSWORD = "mango-monsoon-42"
WRONG = "wrong-password-1"
EMAIL = "asha@example.com"


class MovableClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = clock.now_seconds()
        monkeypatch.setattr(clock, "now_seconds", lambda: self.now)

    def advance(self, seconds: int) -> None:
        self.now += seconds


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    return MovableClock(monkeypatch)


@pytest.fixture
def user_id(ctx: Context) -> str:
    request = RegisterRequest(name="Asha Rao", email=EMAIL, password=PASSWORD)
    return service.register(ctx, request, client_ip="1.2.3.4").id


def fail(ctx: Context, times: int, *, device_cookie: str | None = None, ip: str = "6.6.6.6") -> None:
    for _ in range(times):
        with pytest.raises(Unauthorized):
            service.login(ctx, email=EMAIL, password=WRONG, client_ip=ip, device_cookie=device_cookie)


def refused(ctx: Context, *, password: str = WRONG, device_cookie: str | None = None) -> TooManyRequests:
    with pytest.raises(TooManyRequests) as caught:
        service.login(ctx, email=EMAIL, password=password, client_ip="7.7.7.7", device_cookie=device_cookie)
    return caught.value


def test_after_five_failures_each_attempt_waits_longer_up_to_fifteen_minutes(
    ctx: Context, user_id: str, moving_clock: MovableClock
) -> None:
    fail(ctx, 5)
    waits = []
    for _ in range(8):
        wait = refused(ctx).retry_after_seconds
        waits.append(wait)
        moving_clock.advance(wait)
        fail(ctx, 1)  # allowed once the wait is over; counted as one more failure

    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


def test_the_refusal_names_the_time_to_try_again(
    ctx: Context, user_id: str, moving_clock: MovableClock
) -> None:
    fail(ctx, 5)
    error = refused(ctx)
    retry_at = clock.iso(moving_clock.now + error.retry_after_seconds)
    assert error.code == "too_many_attempts"
    assert re.search(rf"Try again at {retry_at[11:19]} UTC", error.message)
    assert getattr(error, "retry_at", None) == retry_at  # the one moment the 429 body carries


def test_strangers_failures_do_not_slow_the_owner_on_a_known_device(ctx: Context, user_id: str) -> None:
    # Given the owner signed in once on this device, then strangers guessed from elsewhere
    device_cookie = service.login(ctx, email=EMAIL, password=PASSWORD, client_ip="1.2.3.4").device_cookie
    assert device_cookie
    fail(ctx, 5)
    refused(ctx, password=PASSWORD)  # a new device is slowed down like everyone else

    # When the owner signs in from the known device, it works at once
    again = service.login(
        ctx, email=EMAIL, password=PASSWORD, client_ip="1.2.3.4", device_cookie=device_cookie
    )
    assert again.user.id == user_id


def test_a_stolen_device_cookie_has_only_a_small_budget_of_its_own(ctx: Context, user_id: str) -> None:
    device_cookie = service.login(ctx, email=EMAIL, password=PASSWORD, client_ip="1.2.3.4").device_cookie
    fail(ctx, 5, device_cookie=device_cookie)  # the device's own budget
    fail(ctx, 5, device_cookie=device_cookie)  # then it no longer vouches: the account's budget
    refused(ctx, device_cookie=device_cookie)


def test_a_forged_or_foreign_device_cookie_vouches_for_nothing(ctx: Context, user_id: str) -> None:
    fail(ctx, 5)
    other_account = devices.issue(ctx.settings.jwt_secret, "01JD0000000000000000000000")
    tampered = devices.issue(ctx.settings.jwt_secret, user_id)[:-2] + "xx"
    for device_cookie in (other_account, tampered, "d1.garbage"):
        refused(ctx, password=PASSWORD, device_cookie=device_cookie)


def test_a_completed_password_reset_clears_the_accounts_failures(
    ctx: Context,
    user_id: str,
    outbox,  # type: ignore[no-untyped-def]
) -> None:
    fail(ctx, 5)
    refused(ctx, password=PASSWORD)
    service.request_password_reset(ctx, email=EMAIL, client_ip="1.2.3.4")
    token = outbox.token(EMAIL, "/reset-password?token=")

    service.reset_password(ctx, token=token, new_password="a-brand-new-secret-7")

    assert service.login(ctx, email=EMAIL, password="a-brand-new-secret-7", client_ip="7.7.7.7")
