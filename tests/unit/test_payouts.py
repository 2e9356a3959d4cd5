"""Mentor payouts in the domain (moto): bank details sealed and masked, withdrawals that can't
overdraw, admin decisions, payouts keyed by the withdrawal, settlement from payout webhooks."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from peerlearn import ledger
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, TooManyRequests
from peerlearn.ledger.accounts import (
    PAYOUTS_IN_TRANSIT,
    PAYOUTS_PAID,
    mentor_available,
    mentor_withdrawn,
)
from peerlearn.payouts import approval, bank, earnings, limits, withdrawals
from peerlearn.payouts.schemas import PayoutAccountRequest
from peerlearn.payouts.settlement import on_payout_event
from peerlearn.payouts.wiring import Payouts
from peerlearn.store.models import NotificationItem
from tests.payouts_support import (
    BANK,
    StubRazorpayX,
    make_payouts,
    payout_event,
    save_mentor_profile,
    seed_available,
)
from tests.unit.stream_support import Stream

MENTOR = "01JDQ4Z3N0R1C5X8H2P7M9T4QB"
ADMIN = "01JDQ4Z3N0R1C5X8H2P7M9ADMN"


@pytest.fixture(autouse=True)
def mentor(ctx: Context) -> None:
    save_mentor_profile(MENTOR)


@pytest.fixture
def gateway() -> StubRazorpayX:
    return StubRazorpayX()


@pytest.fixture
def payouts(ctx: Context, gateway: StubRazorpayX) -> Payouts:
    return make_payouts(gateway)


@pytest.fixture
def ready(payouts: Payouts) -> Payouts:
    """A mentor with a payout account and ₹3,000 available."""
    bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    seed_available(MENTOR, 300_000)
    return payouts


def inbox(mentor_id: str, prefix: str = "") -> list[NotificationItem]:
    found = NotificationItem.query(f"USER#{mentor_id}", NotificationItem.sk.startswith("NOTIF#"))
    return [n for n in found if n.kind.startswith(prefix)]


def raw_item(ctx: Context, pk: str, sk: str) -> dict[str, Any]:
    client = boto3.client("dynamodb", region_name=ctx.settings.region)
    item: dict[str, Any] = client.get_item(
        TableName=ctx.settings.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}}
    )["Item"]
    return item


# ---------------------------------------------------------------- the payout account
def test_bank_details_are_stored_sealed_and_shown_masked(
    ctx: Context, payouts: Payouts, gateway: StubRazorpayX
) -> None:
    shown = bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))

    assert shown.account_masked == "••••6789"
    assert shown.pan_masked == "******234F"
    assert shown.ready
    stored = json.dumps(raw_item(ctx, f"USER#{MENTOR}", "PAYOUT_ACCOUNT"))
    assert BANK["account_number"] not in stored
    assert BANK["pan"] not in stored
    # Razorpay got the real details, once: a contact and its fund account.
    assert gateway.fund_accounts[0]["bank_account"]["account_number"] == BANK["account_number"]
    assert gateway.fund_accounts[0]["contact_id"] == gateway.contacts[0]["id"]
    item = bank.get_account_item(MENTOR)
    assert item is not None
    assert bank.details_of(payouts, item).account_number == BANK["account_number"]


def test_changing_the_account_keeps_the_contact_and_makes_a_new_fund_account(
    ctx: Context, payouts: Payouts, gateway: StubRazorpayX
) -> None:
    stream = Stream(ctx)
    bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    stream.flush()
    changed = PayoutAccountRequest(**{**BANK, "account_number": "123456789012"})

    shown = bank.set_account(payouts, mentor_id=MENTOR, details=changed)
    stream.flush()
    stream.replay()

    assert shown.account_masked == "••••9012"
    assert len(gateway.contacts) == 1
    assert len(gateway.fund_accounts) == 2
    told = inbox(MENTOR)
    assert [n.kind for n in told] == ["payout_account_changed"] * 2
    assert sorted(n.title for n in told) == ["Payout account changed", "Payout account set up"]
    assert any("ending 9012" in n.body for n in told)


def test_a_withdrawal_is_paid_to_the_account_it_was_asked_for(ready: Payouts, gateway: StubRazorpayX) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)
    changed = PayoutAccountRequest(**{**BANK, "account_number": "999988887777"})
    bank.set_account(ready, mentor_id=MENTOR, details=changed)  # after asking: a stolen sign-in, say

    approved = approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)

    assert made.paid_to == "Vikram Iyer, HDFC0001234 ••••6789"
    assert approved.paid_to == made.paid_to
    assert gateway.payout_calls[0]["fund_account_id"] == gateway.fund_accounts[0]["id"]
    assert gateway.fund_accounts[1]["bank_account"]["account_number"] == "999988887777"


def test_razorpay_down_at_set_up_registers_the_account_at_the_first_payout(
    payouts: Payouts, gateway: StubRazorpayX
) -> None:
    gateway.down = True
    shown = bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    assert not shown.ready

    gateway.down = False
    fund_account_id = bank.fund_account_id(payouts, MENTOR)

    assert fund_account_id == gateway.fund_accounts[0]["id"]
    assert gateway.fund_accounts[0]["bank_account"]["account_number"] == BANK["account_number"]
    assert bank.get_account(MENTOR).ready


def test_razorpay_refusing_the_bank_details_is_a_bad_request(
    payouts: Payouts, gateway: StubRazorpayX
) -> None:
    gateway.refuse = True
    with pytest.raises(BadRequest) as refused:
        bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    assert refused.value.code == "bank_details_refused"
    assert bank.get_account_item(MENTOR) is None


def test_account_changes_are_rate_limited(payouts: Payouts) -> None:
    for _ in range(limits.ACCOUNT_CHANGES_PER_MENTOR.max_hits):
        bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    with pytest.raises(TooManyRequests):
        bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))


# ---------------------------------------------------------------- withdrawing
def test_a_withdrawal_moves_money_from_available_to_in_transit(ready: Payouts) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)

    assert made.status == "requested"
    assert ledger.balance(mentor_available(MENTOR)) == 200_000
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 100_000
    posted = ledger.entry(withdrawals.withdrawal_entry_key(made.id))
    assert posted is not None
    assert posted.kind == "withdrawal"


def test_leaving_out_the_amount_withdraws_everything_available(ready: Payouts) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=None)
    assert made.amount_paise == 300_000
    assert ledger.balance(mentor_available(MENTOR)) == 0


def test_below_the_minimum_is_refused(ready: Payouts) -> None:
    with pytest.raises(BadRequest) as refused:
        approval.withdraw(ready, mentor_id=MENTOR, amount_paise=49_999)
    assert refused.value.code == "below_minimum"
    assert ledger.balance(mentor_available(MENTOR)) == 300_000


def test_more_than_available_is_refused(ready: Payouts) -> None:
    with pytest.raises(Conflict) as refused:
        approval.withdraw(ready, mentor_id=MENTOR, amount_paise=300_001)
    assert refused.value.code == "insufficient_balance"


def test_the_balance_condition_holds_even_when_the_read_was_stale(
    ready: Payouts, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a read that says there is more than there is (another withdrawal landed since)
    monkeypatch.setattr(ledger, "balance", lambda account: 10_000_000)
    # Then the transaction's own condition refuses it and writes nothing
    with pytest.raises(Conflict) as refused:
        withdrawals.request_withdrawal(ready, mentor_id=MENTOR, amount_paise=300_001)
    assert refused.value.code == "insufficient_balance"
    monkeypatch.undo()
    assert ledger.balance(mentor_available(MENTOR)) == 300_000
    assert withdrawals.list_mine(MENTOR, limit=10, cursor=None).items == []


def test_no_withdrawal_without_a_payout_account(payouts: Payouts) -> None:
    seed_available(MENTOR, 100_000)
    with pytest.raises(BadRequest) as refused:
        approval.withdraw(payouts, mentor_id=MENTOR, amount_paise=60_000)
    assert refused.value.code == "no_payout_account"


def test_withdrawals_are_rate_limited(ready: Payouts) -> None:
    seed_available(MENTOR, 50_000 * limits.WITHDRAWALS_PER_MENTOR.max_hits)
    for _ in range(limits.WITHDRAWALS_PER_MENTOR.max_hits):
        approval.withdraw(ready, mentor_id=MENTOR, amount_paise=50_000)
    with pytest.raises(TooManyRequests):
        approval.withdraw(ready, mentor_id=MENTOR, amount_paise=50_000)


def test_small_withdrawals_are_approved_and_paid_at_once(ctx: Context, gateway: StubRazorpayX) -> None:
    auto = make_payouts(gateway, PAYOUT_AUTO_APPROVE_BELOW_PAISE="100000")
    bank.set_account(auto, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    seed_available(MENTOR, 300_000)

    small = approval.withdraw(auto, mentor_id=MENTOR, amount_paise=99_999)
    large = approval.withdraw(auto, mentor_id=MENTOR, amount_paise=100_000)

    assert small.auto_approved
    assert small.status == "processing"
    assert small.payout_id == gateway.payouts[small.id]["id"]
    assert large.status == "requested"
    assert not large.auto_approved
    assert list(gateway.payouts) == [small.id]


# ---------------------------------------------------------------- admins' decisions
def test_approval_pays_out_with_the_withdrawal_id_as_idempotency_key(
    ready: Payouts, gateway: StubRazorpayX
) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)

    approved = approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)

    assert approved.status == "processing"
    (call,) = gateway.payout_calls
    assert call["idempotency_key"] == made.id
    assert call["reference_id"] == made.id
    assert call["amount"] == 100_000
    assert call["fund_account_id"] == gateway.fund_accounts[0]["id"]
    with pytest.raises(Conflict):
        approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)
    assert len(gateway.payout_calls) == 1


def test_approving_again_after_razorpay_was_down_asks_for_the_same_payout(
    ready: Payouts, gateway: StubRazorpayX
) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)
    gateway.down = True
    assert approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN).status == "approved"

    gateway.down = False
    again = approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)

    assert again.status == "processing"
    assert [c["idempotency_key"] for c in gateway.payout_calls] == [made.id]


def test_the_schedule_asks_again_for_payouts_razorpay_did_not_take(
    ready: Payouts, gateway: StubRazorpayX, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlearn import clock

    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)
    gateway.down = True
    approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)
    gateway.down = False
    assert approval.retry_unpaid(ready) == 0  # too fresh: the approval may still be in flight

    later = clock.now_seconds() + approval.RETRY_AFTER_SECONDS + 1
    monkeypatch.setattr(clock, "now_seconds", lambda: later)
    assert approval.retry_unpaid(ready) == 1
    assert approval.retry_unpaid(ready) == 0

    assert withdrawals.get_item(made.id).status == "processing"
    assert [c["idempotency_key"] for c in gateway.payout_calls] == [made.id]


def test_the_schedule_settles_payouts_whose_webhook_never_came_by_asking_razorpay(
    ready: Payouts, gateway: StubRazorpayX, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlearn import clock

    # Given two payouts RazorpayX finished (one paid, one reversed) whose webhooks were lost
    paid = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=60_000)
    returned = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=70_000)
    for made in (paid, returned):
        approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)
    gateway.payouts[paid.id]["status"] = "processed"
    gateway.payouts[returned.id] |= {"status": "reversed", "failure_reason": "Beneficiary bank rejected it"}
    assert approval.check_processing(ready) == 0  # too fresh: the webhook may still come

    # When the schedule runs an hour later (twice)
    later = clock.now_seconds() + approval.CHECK_AFTER_SECONDS + 1
    monkeypatch.setattr(clock, "now_seconds", lambda: later)
    assert approval.check_processing(ready) == 2
    assert approval.check_processing(ready) == 0

    # Then each is settled once: one paid, the other's money back with Razorpay's reason
    assert withdrawals.get_item(paid.id).status == "paid"
    ended = withdrawals.get_item(returned.id)
    assert (ended.status, ended.reason) == ("failed", "Beneficiary bank rejected it")
    assert ledger.balance(ledger.PAYOUTS_IN_TRANSIT) == 0


def test_a_refused_payout_returns_the_money_with_the_reason(ready: Payouts, gateway: StubRazorpayX) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)
    gateway.refuse = True

    failed = approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)

    assert failed.status == "failed"
    assert failed.reason
    assert "refused" in failed.reason
    assert ledger.balance(mentor_available(MENTOR)) == 300_000
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 0


def test_rejection_returns_the_money_and_keeps_the_reason(
    ctx: Context, ready: Payouts, gateway: StubRazorpayX
) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)
    stream = Stream(ctx)

    rejected = approval.reject(withdrawal_id=made.id, admin_id=ADMIN, reason="PAN name doesn't match")
    stream.flush()

    assert rejected.status == "rejected"
    assert rejected.reason == "PAN name doesn't match"
    (told,) = inbox(MENTOR, "withdrawal")
    assert (told.kind, told.title) == ("withdrawal_failed", "Withdrawal not approved")
    assert "₹1,000.00" in told.body
    assert "PAN name doesn't match." in told.body
    assert ledger.balance(mentor_available(MENTOR)) == 300_000
    assert gateway.payout_calls == []
    with pytest.raises(Conflict):
        approval.reject(withdrawal_id=made.id, admin_id=ADMIN, reason="twice")
    with pytest.raises(Conflict):
        approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)


def test_the_admins_list_follows_the_status(ready: Payouts) -> None:
    first = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=50_000)
    second = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=60_000)
    approval.approve(ready, withdrawal_id=first.id, admin_id=ADMIN)

    waiting = withdrawals.list_by_status("requested", limit=10, cursor=None)
    processing = withdrawals.list_by_status("processing", limit=10, cursor=None)
    mine = withdrawals.list_mine(MENTOR, limit=10, cursor=None)

    assert [w.id for w in waiting.items] == [second.id]
    assert [w.id for w in processing.items] == [first.id]
    assert [w.id for w in mine.items] == [second.id, first.id]  # newest first


# ---------------------------------------------------------------- settlement by webhooks
def _processing(ready: Payouts, gateway: StubRazorpayX, amount_paise: int = 100_000) -> dict[str, Any]:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=amount_paise)
    approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)
    return gateway.payouts[made.id]


def test_processed_pays_once_however_often_it_arrives(
    ctx: Context, ready: Payouts, gateway: StubRazorpayX
) -> None:
    stream = Stream(ctx)
    payout = _processing(ready, gateway)
    stream.flush()
    event = payout_event("payout.processed", payout)

    for _ in range(5):
        on_payout_event(ctx, event)
        stream.flush()
    on_payout_event(ctx, payout_event("payout.reversed", payout, failure_reason="late and wrong"))
    stream.flush()

    withdrawal = withdrawals.get_item(payout["reference_id"])
    assert withdrawal.status == "paid"
    assert withdrawal.payout_id == payout["id"]
    assert ledger.balance(mentor_withdrawn(MENTOR)) == 100_000
    assert ledger.balance(PAYOUTS_PAID) == 100_000
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 0
    assert ledger.balance(mentor_available(MENTOR)) == 200_000
    assert [n.kind for n in inbox(MENTOR, "withdrawal")] == ["withdrawal_paid"]


@pytest.mark.parametrize("name", ["payout.reversed", "payout.failed"])
def test_a_returned_payout_puts_the_money_back_with_the_reason(
    ctx: Context, ready: Payouts, gateway: StubRazorpayX, name: str
) -> None:
    payout = _processing(ready, gateway)

    on_payout_event(ctx, payout_event(name, payout, failure_reason="Beneficiary account closed"))
    on_payout_event(ctx, payout_event("payout.processed", payout))  # out of order: too late

    withdrawal = withdrawals.get_item(payout["reference_id"])
    assert withdrawal.status == "failed"
    assert withdrawal.reason == "Beneficiary account closed"
    assert ledger.balance(mentor_available(MENTOR)) == 300_000
    assert ledger.balance(mentor_withdrawn(MENTOR)) == 0
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 0


def test_a_payout_processed_at_once_is_paid_at_once_and_its_webhook_changes_nothing(
    ctx: Context, ready: Payouts, gateway: StubRazorpayX
) -> None:
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)
    gateway.payout_status = "processed"

    approved = approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)
    on_payout_event(ctx, payout_event("payout.processed", gateway.payouts[made.id]))

    assert approved.status == "paid"
    assert ledger.balance(mentor_withdrawn(MENTOR)) == 100_000


def test_a_webhook_may_beat_the_approvals_own_write(
    ctx: Context, ready: Payouts, gateway: StubRazorpayX
) -> None:
    # Razorpay's webhook is handled while approve() is still waiting for Razorpay's answer
    made = approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)
    gateway.on_payout = lambda payout: on_payout_event(
        ctx, payout_event("payout.reversed", payout, failure_reason="Invalid account")
    )

    approved = approval.approve(ready, withdrawal_id=made.id, admin_id=ADMIN)

    assert approved.status == "failed"  # not moved back to processing by the late write
    assert approved.reason == "Invalid account"
    assert ledger.balance(mentor_available(MENTOR)) == 300_000
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 0


def test_events_that_are_not_ours_or_not_final_change_nothing(
    ctx: Context, ready: Payouts, gateway: StubRazorpayX
) -> None:
    payout = _processing(ready, gateway)
    on_payout_event(ctx, payout_event("payout.processing", payout))
    on_payout_event(ctx, payout_event("payout.processed", {**payout, "reference_id": "unknown", "notes": {}}))
    on_payout_event(ctx, payout_event("payout.processed", {**payout, "amount": 1}))
    on_payout_event(ctx, {"event": "payout.processed", "payload": {}})

    assert withdrawals.get_item(payout["reference_id"]).status == "processing"
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 100_000


def test_a_settlement_that_keeps_meeting_other_writes_is_left_for_the_stream_to_retry(
    ctx: Context, ready: Payouts, gateway: StubRazorpayX, monkeypatch: pytest.MonkeyPatch
) -> None:
    payout = _processing(ready, gateway)
    monkeypatch.setattr(withdrawals, "retrying", lambda write: False)

    with pytest.raises(Conflict):
        on_payout_event(ctx, payout_event("payout.processed", payout))

    monkeypatch.undo()
    on_payout_event(ctx, payout_event("payout.processed", payout))
    assert withdrawals.get_item(payout["reference_id"]).status == "paid"


# ---------------------------------------------------------------- earnings
def test_earnings_show_balances_and_weeks(ready: Payouts, gateway: StubRazorpayX) -> None:
    split = ledger.split(100_000)
    capture = ledger.capture_entry(
        "capture#pay_TEST0000000001",
        kind="booking_capture",
        payment_id="pay_TEST0000000001",
        amount_paise=100_000,
        mentor_id=MENTOR,
        split=split,
        refs={},
    )
    from peerlearn import store

    with store.transaction() as tx:
        ledger.post(tx, capture)
    approval.withdraw(ready, mentor_id=MENTOR, amount_paise=100_000)

    shown = earnings.earnings(MENTOR, min_withdrawal_paise=50_000)

    assert shown.pending_paise == split.mentor_share_paise
    assert shown.available_paise == 200_000
    assert shown.in_transit_paise == 100_000
    assert shown.withdrawn_paise == 0
    assert len(shown.by_week) == earnings.WEEKS
    # this week: the seeded ₹3,000 and the capture's share; the withdrawal is not an earning
    assert shown.by_week[-1].earned_paise == 300_000 + split.mentor_share_paise
    assert all(week.earned_paise == 0 for week in shown.by_week[:-1])


def test_weeks_run_monday_to_sunday_in_india() -> None:
    from datetime import UTC, datetime

    sunday_night_india = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)  # Sunday 23:30 IST
    monday_morning_india = datetime(2026, 11, 29, 18, 30, tzinfo=UTC)  # Monday 00:00 IST

    assert earnings.week_start(sunday_night_india).date().isoformat() == "2026-11-23"
    assert earnings.week_start(monday_morning_india).date().isoformat() == "2026-11-30"
