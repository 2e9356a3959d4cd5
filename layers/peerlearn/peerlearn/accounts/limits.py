"""How often account actions may happen: the budgets, and the one way a refusal is worded.

Every limit is counted atomically before the work it guards (`ratelimit.acquire`, `guard.admit`),
so concurrent requests can't overrun it. Refusals name the UTC time to retry; the 429 body's
`retry_at` carries the same moment for the web to show in local time.
"""

from __future__ import annotations

from peerlearn import clock, ratelimit
from peerlearn.accounts import guard
from peerlearn.errors import TooManyRequests

# Five free failures, then 30 s, 1, 2, 4, 8 and at most 15 min between attempts; forgotten after a
# quiet day. No hard lock: the owner is slowed down at worst, and not at all on a known device.
ACCOUNT_DELAY = guard.Delay(
    "login-account",
    free_failures=5,
    first_delay_seconds=30,
    max_delay_seconds=15 * 60,
    forget_after_seconds=24 * 3600,
)
# A known device's own budget: after five failures the cookie stops vouching for 15 minutes, and
# its attempts count against the account like anyone else's (a stolen cookie can't brute force).
DEVICE_DELAY = guard.Delay(
    "login-device",
    free_failures=5,
    first_delay_seconds=15 * 60,
    max_delay_seconds=15 * 60,
    forget_after_seconds=15 * 60,
)
CHANGE_PASSWORD_DELAY = guard.Delay(
    "change-password",
    free_failures=5,
    first_delay_seconds=30,
    max_delay_seconds=15 * 60,
    forget_after_seconds=24 * 3600,
)
LOGIN_PER_CLIENT = ratelimit.Limit("login-client", max_hits=20, window_seconds=15 * 60)
# Each registration sends an email: at most 20 sign-ups an hour from one client (a class on one
# campus address still fits) and 3 attempts an hour for one address (no mail-bombing a stranger).
REGISTER_PER_CLIENT = ratelimit.Limit("register-client", max_hits=20, window_seconds=3600)
REGISTER_PER_EMAIL = ratelimit.Limit("register-email", max_hits=3, window_seconds=3600)
RESET_PER_ACCOUNT = ratelimit.Limit("reset-account", max_hits=3, window_seconds=3600)
RESET_PER_CLIENT = ratelimit.Limit("reset-client", max_hits=20, window_seconds=3600)
RESEND_PER_ACCOUNT = ratelimit.Limit("resend-verification", max_hits=5, window_seconds=3600)


def too_many(message: str, wait_seconds: int, code: str, now: int | None = None) -> TooManyRequests:
    """A 429 whose message names the moment to retry (UTC; the web shows `retry_at` in local time)."""
    now = clock.now_seconds() if now is None else now
    wait_seconds = max(1, wait_seconds)
    retry_at = clock.iso(now + wait_seconds)
    return TooManyRequests(
        f"{message} Try again at {retry_at[11:19]} UTC.",
        retry_after_seconds=wait_seconds,
        retry_at=retry_at,
        code=code,
    )


def spend(limits: list[tuple[ratelimit.Limit, str]], message: str, code: str, now: int) -> None:
    """Counts this request against each limit, atomically, or refuses it with that limit's wait."""
    for limit, subject in limits:
        wait = ratelimit.acquire(limit, subject, now)
        if wait:
            raise too_many(message, wait, code, now)
