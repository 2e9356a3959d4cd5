"""A mentor's earnings: pending / available / withdrawn from the ledger's balances, what is on its way
to the bank, and earnings by week (the mentor's share, net of refunds) from their ledger entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from peerlearn import clock, ledger
from peerlearn.ledger.accounts import mentor_available, mentor_pending, mentor_withdrawn
from peerlearn.payouts.schemas import EarningsOut, WeekEarnings
from peerlearn.payouts.withdrawals import OPEN
from peerlearn.store.keys import mentor_withdrawals_gsi2pk
from peerlearn.store.models import WithdrawalItem

WEEKS = 12  # what the earnings chart shows
# Weeks as mentors live them: Monday to Sunday in India, the market (a late Sunday-evening session
# belongs to that week, not to Monday's as it would in UTC).
WEEK_ZONE = ZoneInfo("Asia/Kolkata")
# Entries that move the mentor's money without earning it: withdrawing, and a payout's end.
_NOT_EARNING = frozenset({"withdrawal", "payout_paid", "payout_failed"})


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 (India time) of the week `moment` falls in."""
    day = moment.astimezone(WEEK_ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def by_week(mentor_id: str, *, now: int, weeks: int = WEEKS) -> list[WeekEarnings]:
    """The last `weeks` weeks, oldest first, every week present (zero when nothing was earned).
    Earned = what entered the mentor's pending and available balances, less refunds; maturing
    (pending -> available) nets to zero, and withdrawals aren't earnings."""
    first = week_start(datetime.fromtimestamp(now, tz=UTC)) - timedelta(weeks=weeks - 1)
    totals = {(first + timedelta(weeks=n)).date().isoformat(): 0 for n in range(weeks)}
    mine = (mentor_pending(mentor_id), mentor_available(mentor_id))
    for entry in ledger.mentor_entries(mentor_id, from_at=clock.iso(first.timestamp())):
        if entry.kind in _NOT_EARNING or entry.at is None:
            continue
        at = datetime.fromisoformat(entry.at.replace("Z", "+00:00"))
        week = week_start(at).date().isoformat()
        if week in totals:
            totals[week] += sum(net for account, net in entry.net_paise().items() if account in mine)
    return [WeekEarnings(week_start=week, earned_paise=paise) for week, paise in totals.items()]


def in_transit_paise(mentor_id: str) -> int:
    """Withdrawals asked for and not yet paid or returned (one Query of the mentor's withdrawals)."""
    return sum(
        int(item.amount_paise)
        for item in WithdrawalItem.by_mentor.query(
            mentor_withdrawals_gsi2pk(mentor_id), filter_condition=WithdrawalItem.status.is_in(*OPEN)
        )
    )


def earnings(mentor_id: str, *, min_withdrawal_paise: int) -> EarningsOut:
    now = clock.now_seconds()
    return EarningsOut(
        pending_paise=ledger.balance(mentor_pending(mentor_id)),
        available_paise=ledger.balance(mentor_available(mentor_id)),
        withdrawn_paise=ledger.balance(mentor_withdrawn(mentor_id)),
        in_transit_paise=in_transit_paise(mentor_id),
        min_withdrawal_paise=min_withdrawal_paise,
        by_week=by_week(mentor_id, now=now),
    )
