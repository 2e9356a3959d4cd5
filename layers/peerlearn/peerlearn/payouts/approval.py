"""An admin's decision on a withdrawal, and the payout that follows approval.

The payout's idempotency key and reference are the withdrawal's id: approving again after a timeout
(or a crash between Razorpay's answer and our write) asks for the same payout, never a second one.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from peerlearn import audit, clock, store
from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable
from peerlearn.errors import Conflict
from peerlearn.payouts import bank
from peerlearn.payouts.schemas import WithdrawalOut
from peerlearn.payouts.settlement import failure_reason
from peerlearn.payouts.wiring import Payouts
from peerlearn.payouts.withdrawals import get_item, request_withdrawal, settle, status_actions, to_out
from peerlearn.store.keys import withdrawals_by_status_gsi1pk
from peerlearn.store.models import WithdrawalItem

logger = logging.getLogger(__name__)

# Razorpay's final payout states that return the money (processed is the one that pays).
RETURNED = ("reversed", "failed", "rejected", "cancelled")
RETRY_AFTER_SECONDS = 300
CHECK_AFTER_SECONDS = 3600  # payout webhooks come within minutes; a processing payout is asked about hourly


def withdraw(payouts: Payouts, *, mentor_id: str, amount_paise: int | None) -> WithdrawalOut:
    """A mentor's withdrawal; paid at once when small enough to be approved automatically."""
    item = request_withdrawal(payouts, mentor_id=mentor_id, amount_paise=amount_paise)
    return to_out(pay(payouts, item) if item.status == "approved" else item)


def approve(payouts: Payouts, *, withdrawal_id: str, admin_id: str) -> WithdrawalOut:
    """requested -> approved, then the payout. Approving an approved withdrawal whose payout
    couldn't be made (Razorpay was down) asks for it again, with the same key."""
    item = get_item(withdrawal_id)
    if item.status == "requested":
        at = clock.iso(clock.now_seconds())
        decided = Conflict("Someone else decided on this withdrawal just now.", code="not_pending")
        entry = audit.entry(
            at=at,
            actor_id=admin_id,
            action="withdrawal.approve",
            target_type="withdrawal",
            target_id=withdrawal_id,
            before={"status": "requested"},
            after={"status": "approved", "amount_paise": int(item.amount_paise), "mentor_id": item.mentor_id},
        )
        with store.failed_condition_raises(decided), store.transaction() as tx:
            tx.update(
                item,
                actions=[
                    *status_actions("approved", at),
                    WithdrawalItem.decided_at.set(at),
                    WithdrawalItem.decided_by.set(admin_id),
                ],
                condition=WithdrawalItem.status == "requested",
            )
            audit.record(tx, entry)  # the decision and its audit entry, together or not at all
        item = get_item(withdrawal_id)  # a transaction returns nothing: read what was written
        logger.info("withdrawal approved", extra={"withdrawal_id": withdrawal_id})
    elif item.status != "approved":
        raise Conflict(f"This withdrawal is already {item.status}.", code="not_pending")
    return to_out(pay(payouts, item))


def reject(*, withdrawal_id: str, admin_id: str, reason: str) -> WithdrawalOut:
    """requested -> rejected: the amount goes back to available, and the mentor sees the reason."""
    if not settle(withdrawal_id, outcome="rejected", reason=reason, by=admin_id):
        raise Conflict("This withdrawal has already ended.", code="not_pending")
    return to_out(get_item(withdrawal_id))


def pay(payouts: Payouts, item: WithdrawalItem) -> WithdrawalItem:
    """Asks RazorpayX for the payout of an approved withdrawal. Razorpay down: it stays approved (the
    schedule, or an admin approving again, asks later). Razorpay refusing: the withdrawal fails and
    the money returns."""
    try:
        fund_account_id = item.fund_account_id or bank.fund_account_id(payouts, item.mentor_id)
        if fund_account_id is None:
            settle(item.id, outcome="failed", reason="There is no payout account.")
            return get_item(item.id)
        payout = payouts.gateway.create_payout(
            fund_account_id=fund_account_id,
            amount_paise=int(item.amount_paise),
            idempotency_key=item.id,
            reference_id=item.id,
            notes={"withdrawal_id": item.id, "mentor_id": item.mentor_id},
        )
    except GatewayUnavailable:
        logger.warning("payout not made: razorpay unavailable", extra={"withdrawal_id": item.id})
        return get_item(item.id)
    except GatewayRefused as exc:
        logger.warning("payout refused", extra={"withdrawal_id": item.id})
        settle(item.id, outcome="failed", reason=f"Razorpay refused the payout: {exc}"[:500])
        return get_item(item.id)

    payout_id, payout_status = str(payout["id"]), str(payout.get("status", ""))
    at = clock.iso(clock.now_seconds())
    # A webhook may already have settled it (it can beat this write): then leave it as it is.
    with suppress(_AlreadyMoved), store.failed_condition_raises(_AlreadyMoved()):
        item.update(
            actions=[
                *status_actions("processing", at),
                WithdrawalItem.payout_id.set(payout_id),
                WithdrawalItem.payout_status.set(payout_status),
                WithdrawalItem.fund_account_id.set(fund_account_id),
            ],
            condition=WithdrawalItem.status == "approved",
        )
    logger.info("payout created", extra={"withdrawal_id": item.id, "payout_status": payout_status})
    if payout_status == "processed":
        settle(item.id, outcome="paid", payout_id=payout_id, payout_status=payout_status)
    elif payout_status in RETURNED:
        reason = str(payout.get("failure_reason") or f"The payout was {payout_status}.")
        settle(item.id, outcome="failed", reason=reason, payout_id=payout_id, payout_status=payout_status)
    return get_item(item.id)


def retry_unpaid(payouts: Payouts, *, settle_seconds: int = RETRY_AFTER_SECONDS, limit: int = 25) -> int:
    """The schedule's job: approved withdrawals whose payout Razorpay didn't take (it was down) are
    asked for again, with the same key, once they have waited `settle_seconds` (not racing an
    approval still in flight). Oldest first; returns how many were asked for."""
    cutoff = clock.iso(clock.now_seconds() - settle_seconds)
    waiting = WithdrawalItem.by_status.query(
        withdrawals_by_status_gsi1pk("approved"), WithdrawalItem.gsi1sk < cutoff, limit=limit
    )
    asked = 0
    for item in waiting:
        if item.updated_at <= cutoff:
            pay(payouts, item)
            asked += 1
    if asked:
        logger.info("payouts asked for again", extra={"count": asked})
    return asked


def check_processing(payouts: Payouts, *, settle_seconds: int = CHECK_AFTER_SECONDS, limit: int = 100) -> int:
    """The schedule's job: payouts processing longer than their webhook should take are asked about,
    so a payout.processed / reversed / failed that never arrives (Razorpay gives up on a webhook
    after a day of retries) can't leave the money in transit for good. Returns how many were asked."""
    cutoff = clock.iso(clock.now_seconds() - settle_seconds)
    waiting = WithdrawalItem.by_status.query(
        withdrawals_by_status_gsi1pk("processing"), WithdrawalItem.gsi1sk < cutoff, limit=limit
    )
    asked = 0
    for item in waiting:
        if item.updated_at > cutoff or not item.payout_id:
            continue
        try:
            payout = payouts.gateway.fetch_payout(item.payout_id)
        except (GatewayUnavailable, GatewayRefused):
            logger.warning("processing payout not checked", extra={"withdrawal_id": item.id})
            continue
        asked += 1
        status = str(payout.get("status", ""))
        if status == "processed":
            settle(item.id, outcome="paid", payout_id=item.payout_id, payout_status=status)
        elif status in RETURNED:
            reason = failure_reason(payout)
            settle(item.id, outcome="failed", reason=reason, payout_id=item.payout_id, payout_status=status)
        else:  # still on its way: asked about again after another wait
            with suppress(_AlreadyMoved), store.failed_condition_raises(_AlreadyMoved()):
                item.update(
                    actions=[WithdrawalItem.updated_at.set(clock.iso(clock.now_seconds()))],
                    condition=WithdrawalItem.status == "processing",
                )
    if asked:
        logger.info("processing payouts asked about", extra={"count": asked})
    return asked


class _AlreadyMoved(Exception):
    pass
