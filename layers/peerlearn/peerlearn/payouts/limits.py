"""How often payout actions may happen. Counted atomically before the work (ratelimit.acquire), so a
burst can't overrun them; refusals name the moment to retry."""

from __future__ import annotations

from peerlearn import ratelimit
from peerlearn.accounts.limits import spend

# Changing where money goes is what an attacker with a stolen sign-in wants most: a few a day.
ACCOUNT_CHANGES_PER_MENTOR = ratelimit.Limit("payout-account", max_hits=5, window_seconds=86400)
# Withdrawals wait for an admin; a dozen a day is more than anyone needs and bounds the admins' list.
WITHDRAWALS_PER_MENTOR = ratelimit.Limit("withdraw", max_hits=12, window_seconds=86400)


def spend_account_change(mentor_id: str, now: int) -> None:
    spend(
        [(ACCOUNT_CHANGES_PER_MENTOR, mentor_id)],
        "You've changed your payout account several times today.",
        "too_many_account_changes",
        now,
    )


def spend_withdrawal(mentor_id: str, now: int) -> None:
    spend(
        [(WITHDRAWALS_PER_MENTOR, mentor_id)],
        "You've asked for many withdrawals today.",
        "too_many_withdrawals",
        now,
    )
