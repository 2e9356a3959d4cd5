"""Withdrawals: a mentor asks for available money; the ledger entry that moves it out of `available`
is posted in the same transaction as the withdrawal item, with the balance conditioned never to go
below zero, so concurrent requests can never withdraw more than there is. Also: the lists, and
`settle`, the one way a withdrawal ends (paid, failed or rejected) and its money moves on."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import audit, clock, ids, ledger, store
from peerlearn.errors import BadRequest, Conflict, NotFound
from peerlearn.ledger.accounts import mentor_available
from peerlearn.payouts import bank, limits
from peerlearn.payouts.schemas import WithdrawalOut, WithdrawalPage
from peerlearn.payouts.wiring import Payouts
from peerlearn.store.keys import (
    WITHDRAWAL_SK,
    mentor_withdrawals_gsi2pk,
    withdrawal_pk,
    withdrawals_by_status_gsi1pk,
)
from peerlearn.store.models import WithdrawalItem
from peerlearn.store.paging import page

logger = logging.getLogger(__name__)

OPEN = ("requested", "approved", "processing")  # money in transit
ENDED = ("paid", "failed", "rejected")
# A transaction cancelled only because another one touched the same balance is tried again, a few
# times with a random pause (thirty at once on one balance do meet each other).
_ATTEMPTS = 8
_PAUSE_SECONDS = 0.05


def withdrawal_entry_key(withdrawal_id: str) -> str:
    return f"withdrawal#{withdrawal_id}"


def settlement_entry_key(withdrawal_id: str) -> str:
    """One settlement per withdrawal, whatever ends it: a replay can never post a second one."""
    return f"payout#{withdrawal_id}"


def to_out(item: WithdrawalItem) -> WithdrawalOut:
    return WithdrawalOut(
        id=item.id,
        mentor_id=item.mentor_id,
        amount_paise=int(item.amount_paise),
        status=item.status,
        auto_approved=bool(item.auto_approved),
        requested_at=item.requested_at,
        decided_at=item.decided_at,
        reason=item.reason,
        paid_to=item.paid_to,
        payout_id=item.payout_id,
        payout_status=item.payout_status,
        settled_at=item.settled_at,
    )


def get_item(withdrawal_id: str) -> WithdrawalItem:
    try:
        return WithdrawalItem.get(withdrawal_pk(withdrawal_id), WITHDRAWAL_SK, consistent_read=True)
    except DoesNotExist:
        raise NotFound("There is no such withdrawal.") from None


def status_actions(status: str, at: str) -> list[Any]:
    """Setting a status also moves the item to that status's admin list."""
    return [
        WithdrawalItem.status.set(status),
        WithdrawalItem.gsi1pk.set(withdrawals_by_status_gsi1pk(status)),
        WithdrawalItem.updated_at.set(at),
    ]


def retrying(write: Callable[[], None]) -> bool:
    """Runs `write` (a transaction) until no concurrent transaction on the same items cancels it:
    True once written, False when it kept meeting others."""
    for attempt in range(_ATTEMPTS):
        try:
            write()
            return True
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            if not any(r is not None and r.code == "TransactionConflict" for r in reasons):
                raise
            time.sleep(random.uniform(0, _PAUSE_SECONDS * (attempt + 1)))  # noqa: S311 (jitter)
    return False


# ---------------------------------------------------------------- asking
def request_withdrawal(payouts: Payouts, *, mentor_id: str, amount_paise: int | None) -> WithdrawalItem:
    """Writes the withdrawal and moves its amount from available to in transit, atomically.
    Below the auto-approval amount it is approved at once (the caller then pays it)."""
    now = clock.now_seconds()
    account = bank.get_account_item(mentor_id)
    if account is None:
        raise BadRequest("Set up your payout account before withdrawing.", code="no_payout_account")
    available = ledger.balance(mentor_available(mentor_id))
    amount = available if amount_paise is None else amount_paise
    minimum = payouts.settings.min_withdrawal_paise
    if amount < minimum:
        raise BadRequest(
            f"The smallest withdrawal is ₹{minimum / 100:,.2f}.", code="below_minimum", field="amount_paise"
        )
    short = Conflict(
        f"You have ₹{available / 100:,.2f} available to withdraw.",
        code="insufficient_balance",
        field="amount_paise",
    )
    if amount > available:
        raise short
    limits.spend_withdrawal(mentor_id, now)

    auto = bool(account.fund_account_id) and amount < payouts.settings.auto_approve_below_paise
    at = clock.iso(now)
    withdrawal_id = ids.new_id()
    status = "approved" if auto else "requested"
    item = WithdrawalItem(
        withdrawal_pk(withdrawal_id),
        WITHDRAWAL_SK,
        id=withdrawal_id,
        mentor_id=mentor_id,
        amount_paise=amount,
        status=status,
        auto_approved=auto,
        requested_at=at,
        decided_at=at if auto else None,
        decided_by="auto" if auto else None,
        # Paid where the mentor asked for it to go: changing the account later (a stolen sign-in)
        # can't redirect a withdrawal an admin already looked at.
        fund_account_id=account.fund_account_id,
        paid_to=f"{account.legal_name}, {account.ifsc} ••••{account.account_last4}",
        updated_at=at,
        gsi1pk=withdrawals_by_status_gsi1pk(status),
        gsi1sk=f"{at}#{withdrawal_id}",
        gsi2pk=mentor_withdrawals_gsi2pk(mentor_id),
        gsi2sk=f"{at}#{withdrawal_id}",
    )
    entry = ledger.withdrawal_entry(
        withdrawal_entry_key(withdrawal_id),
        mentor_id=mentor_id,
        amount_paise=amount,
        refs={"withdrawal_id": withdrawal_id, "mentor_id": mentor_id},
    )

    def write() -> None:
        # The only condition that can fail is the balance's: the id is new.
        with store.failed_condition_raises(short), store.transaction() as tx:
            tx.save(item, condition=WithdrawalItem.pk.does_not_exist())
            ledger.post(tx, entry, never_negative=[mentor_available(mentor_id)])

    if not retrying(write):
        raise Conflict("Your balance is busy right now; please try again.", code="busy")
    logger.info("withdrawal requested", extra={"withdrawal_id": withdrawal_id, "auto": auto})
    return item


# ---------------------------------------------------------------- lists
def list_mine(mentor_id: str, *, limit: int, cursor: str | None) -> WithdrawalPage:
    items, next_cursor = page(
        lambda start: WithdrawalItem.by_mentor.query(
            mentor_withdrawals_gsi2pk(mentor_id),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start,
        ),
        cursor,
    )
    return WithdrawalPage(items=[to_out(i) for i in items], next_cursor=next_cursor)


def list_by_status(status: str, *, limit: int, cursor: str | None) -> WithdrawalPage:
    """The admins' queue: oldest first, so the longest waiting come first."""
    items, next_cursor = page(
        lambda start: WithdrawalItem.by_status.query(
            withdrawals_by_status_gsi1pk(status),
            scan_index_forward=True,
            limit=limit,
            last_evaluated_key=start,
        ),
        cursor,
    )
    return WithdrawalPage(items=[to_out(i) for i in items], next_cursor=next_cursor)


# ---------------------------------------------------------------- ending
def settle(
    withdrawal_id: str,
    *,
    outcome: str,
    reason: str | None = None,
    payout_id: str | None = None,
    payout_status: str | None = None,
    by: str | None = None,
) -> bool:
    """Ends a withdrawal once: `paid` (in transit -> paid out), `failed` or `rejected` (back to
    available, with the reason). False when it had already ended (a duplicate or a late event),
    and nothing changes then: the status condition and the entry's key both guard it."""
    if outcome not in ENDED:
        raise ValueError(f"not an outcome: {outcome}")
    item = get_item(withdrawal_id)
    if item.status in ENDED:
        if item.status != outcome:
            logger.warning(
                "withdrawal already ended otherwise",
                extra={"withdrawal_id": withdrawal_id, "status": item.status, "outcome": outcome},
            )
        return False
    at = clock.iso(clock.now_seconds())
    # Rejection is an admin's decision on a request; payouts end only once approved.
    allowed = ("requested",) if outcome == "rejected" else ("approved", "processing")
    if item.status not in allowed:
        raise Conflict(f"This withdrawal is {item.status}.", code="not_pending")
    refs = {"withdrawal_id": withdrawal_id, "mentor_id": item.mentor_id, "outcome": outcome}
    if payout_id:
        refs["payout_id"] = payout_id
    if reason:
        refs["reason"] = reason[:200]
    entry = ledger.payout_settled_entry(
        settlement_entry_key(withdrawal_id),
        mentor_id=item.mentor_id,
        amount_paise=int(item.amount_paise),
        paid=outcome == "paid",
        refs=refs,
    )
    actions = [*status_actions(outcome, at), WithdrawalItem.settled_at.set(at)]
    if reason:
        actions.append(WithdrawalItem.reason.set(reason))
    if payout_id:
        actions.append(WithdrawalItem.payout_id.set(payout_id))
    if payout_status:
        actions.append(WithdrawalItem.payout_status.set(payout_status))
    if by:
        actions += [WithdrawalItem.decided_by.set(by), WithdrawalItem.decided_at.set(at)]

    ended_elsewhere = _EndedElsewhere()
    # An admin's decision (a rejection) is audited in the same transaction as the change it makes.
    decision = (
        audit.entry(
            at=at,
            actor_id=by,
            action=f"withdrawal.{outcome}",
            target_type="withdrawal",
            target_id=withdrawal_id,
            reason=reason,
            before={"status": item.status},
            after={"status": outcome, "amount_paise": int(item.amount_paise), "mentor_id": item.mentor_id},
        )
        if by
        else None
    )

    def write() -> None:
        with store.failed_condition_raises(ended_elsewhere), store.transaction() as tx:
            tx.update(item, actions=actions, condition=WithdrawalItem.status.is_in(*allowed))
            ledger.post(tx, entry)
            if decision is not None:
                audit.record(tx, decision)

    try:
        if not retrying(write):
            raise Conflict("This withdrawal is changing right now; please try again.", code="busy")
    except _EndedElsewhere:
        return False  # a concurrent settlement won; it posted the one entry
    # The mentor hears of it from the withdrawal's change (peerlearn.notices).
    logger.info("withdrawal ended", extra={"withdrawal_id": withdrawal_id, "outcome": outcome})
    return True


class _EndedElsewhere(Exception):
    pass
