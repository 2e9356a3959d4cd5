"""Withdrawals and payout settlement on DynamoDB Local: thirty concurrent withdrawals of one balance
never take more than it holds, and payout webhooks delivered many times at once, or in the wrong
order, settle each withdrawal exactly once with the books balanced."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from infra.local.dynamodb import REGION
from infra.local.template import Template
from peerlearn import ledger
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.errors import Conflict
from peerlearn.events import handle_record
from peerlearn.ledger.accounts import PAYOUTS_IN_TRANSIT, PAYOUTS_PAID, mentor_available, mentor_withdrawn
from peerlearn.payouts import approval, bank, limits, withdrawals
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
from tests.stream_records import stream_records
from tests.support import base_env

pytestmark = pytest.mark.integration

MENTOR = "01JDQ4Z3N0R1C5X8H2P7M9T4QB"
ADMIN = "01JDQ4Z3N0R1C5X8H2P7M9ADMN"
BURST = 30
AMOUNT = 50_000  # the minimum, ₹500
BALANCE = 700_000  # room for 14 of them


@pytest.fixture
def ctx(dynamodb_endpoint: str, tmp_path: Path) -> Context:
    table = f"payouts-{uuid.uuid4().hex[:8]}"
    template = Template.load(refs={"Table": table})
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION).create_table(
        **template.table_definition()
    )
    env = {**base_env(tmp_path / "outbox", table_name=table), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
    return build_context(Settings.from_env(env))  # binds this process to the new table


@pytest.fixture
def gateway() -> StubRazorpayX:
    return StubRazorpayX()


@pytest.fixture
def payouts(ctx: Context, gateway: StubRazorpayX, monkeypatch: pytest.MonkeyPatch) -> Payouts:
    # the daily limit is not what this test is about: room for the whole burst
    monkeypatch.setattr(limits, "WITHDRAWALS_PER_MENTOR", limits.ratelimit.Limit("withdraw", 1000, 86400))
    made = make_payouts(gateway)
    save_mentor_profile(MENTOR)  # the withdrawal notices need someone to tell
    bank.set_account(made, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    seed_available(MENTOR, BALANCE)
    return made


def together(count: int, action: Callable[[int], object]) -> list[str]:
    """Runs `action(n)` in `count` threads released at once; each outcome's error code or "ok"."""
    outcomes: list[str] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        try:
            action(n)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("stale_read", [False, True], ids=["with-the-read", "condition-alone"])
def test_thirty_concurrent_withdrawals_never_take_more_than_the_balance(
    payouts: Payouts, monkeypatch: pytest.MonkeyPatch, stale_read: bool
) -> None:
    if stale_read:  # every request believes there is plenty: only the transaction's condition guards
        monkeypatch.setattr(ledger, "balance", lambda account: 10**12)

    outcomes = together(
        BURST, lambda n: withdrawals.request_withdrawal(payouts, mentor_id=MENTOR, amount_paise=AMOUNT)
    )
    monkeypatch.undo()

    taken = outcomes.count("ok")
    assert len(outcomes) == BURST
    assert set(outcomes) <= {"ok", "insufficient_balance", "busy"}
    assert taken * AMOUNT <= BALANCE
    assert taken >= BALANCE // AMOUNT - outcomes.count("busy")  # only a busy balance refuses early
    assert ledger.balance(mentor_available(MENTOR)) == BALANCE - taken * AMOUNT
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == taken * AMOUNT
    listed = withdrawals.list_mine(MENTOR, limit=100, cursor=None).items
    assert len(listed) == taken
    assert ledger.check_books() == []


def test_duplicated_and_reordered_payout_webhooks_settle_each_withdrawal_once(
    ctx: Context, payouts: Payouts, gateway: StubRazorpayX
) -> None:
    # Given three withdrawals being paid out
    made = [approval.withdraw(payouts, mentor_id=MENTOR, amount_paise=AMOUNT * n) for n in (1, 2, 3)]
    for withdrawal in made:
        approval.approve(payouts, withdrawal_id=withdrawal.id, admin_id=ADMIN)
    paid, returned, raced = (gateway.payouts[w.id] for w in made)
    events = (
        [payout_event("payout.processed", paid)] * 8
        + [payout_event("payout.reversed", returned, failure_reason="Account closed")] * 4
        + [payout_event("payout.failed", returned, failure_reason="Account closed")] * 4
        + [payout_event("payout.processed", raced)] * 4
        + [payout_event("payout.failed", raced, failure_reason="Bank down")] * 4
    )

    # When every copy is handled at once
    outcomes = together(len(events), lambda n: on_payout_event(ctx, events[n]))

    # Then each withdrawal ended once, and the money is where its ending says
    assert set(outcomes) == {"ok"}
    ended = {w.id: withdrawals.get_item(w.id).status for w in made}
    assert ended[made[0].id] == "paid"
    assert ended[made[1].id] == "failed"
    assert ended[made[2].id] in ("paid", "failed")
    paid_out = sum(int(w.amount_paise) for w in made if ended[w.id] == "paid")
    assert ledger.balance(mentor_withdrawn(MENTOR)) == paid_out
    assert ledger.balance(PAYOUTS_PAID) == paid_out
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 0
    assert ledger.balance(mentor_available(MENTOR)) == BALANCE - paid_out
    for withdrawal in made:
        assert ledger.entry(withdrawals.settlement_entry_key(withdrawal.id)) is not None
    # The mentor is told of each ending once, by the stream consumer, even with the stream replayed
    for _ in range(2):
        for record in stream_records(ctx.settings.dynamodb_endpoint or "", ctx.settings.table_name):
            handle_record(ctx, DynamoDBRecord(record))
    told = NotificationItem.query(f"USER#{MENTOR}", NotificationItem.sk.startswith("NOTIF#"))
    endings = ("withdrawal_paid", "withdrawal_failed")
    assert sorted(n.kind for n in told if n.kind in endings) == sorted(
        f"withdrawal_{status}" for status in ended.values()
    )
    assert ledger.check_books() == []
