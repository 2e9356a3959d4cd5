"""The ledger on DynamoDB Local under concurrency: withdrawals racing for one balance never overdraw
it, replayed entries post once, racing maturity jobs move each earning once, and receipt numbers
stay consecutive."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from pynamodb.exceptions import TransactWriteError

from infra.local.dynamodb import REGION
from infra.local.template import Template
from peerlearn import ledger, store
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from tests.support import base_env

pytestmark = pytest.mark.integration

THREADS = 30


@pytest.fixture
def ctx(dynamodb_endpoint: str, tmp_path: Path) -> Context:
    table = f"ledger-{uuid.uuid4().hex[:8]}"
    template = Template.load(refs={"Table": table})
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION).create_table(
        **template.table_definition()
    )
    env = {**base_env(tmp_path / "outbox", table_name=table), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
    return build_context(Settings.from_env(env))  # binds this process to the new table


def burst(attempt: Callable[[int], str], count: int = THREADS) -> list[str]:
    """Runs `attempt(n)` in `count` threads released together; returns each outcome."""
    outcomes: list[str] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        outcomes.append(attempt(n))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _post(entry: ledger.Entry, never_negative: tuple[str, ...] = ()) -> str:
    """Posts `entry` alone, retrying transaction conflicts; "posted", "replay" or "refused"."""
    for _attempt in range(50):
        try:
            with store.transaction() as tx:
                ledger.post(tx, entry, never_negative=never_negative)
        except TransactWriteError as exc:
            if ledger.already_posted(exc, entry):
                return "replay"
            reasons = [r.code for r in exc.cancellation_reasons or [] if r is not None]
            if "ConditionalCheckFailed" in reasons:
                return "refused"
            continue  # TransactionConflict: another writer held an item; try again
        return "posted"
    return "gave up"


def _seed_available(mentor_id: str, paise: int) -> None:
    lines = [
        ledger.Line("seed_source", debit_paise=paise),
        ledger.Line(ledger.mentor_available(mentor_id), credit_paise=paise),
    ]
    assert _post(ledger.Entry(f"seed#{mentor_id}", "manual", lines, {})) == "posted"


def test_thirty_concurrent_withdrawals_never_take_more_than_is_available(ctx: Context) -> None:
    # Given ₹2,000 available and thirty withdrawals of ₹300 at once (₹9,000 asked for)
    available = ledger.mentor_available("m1")
    _seed_available("m1", 200_000)

    outcomes = burst(
        lambda n: _post(
            ledger.withdrawal_entry(f"withdrawal#w{n}", mentor_id="m1", amount_paise=30_000, refs={}),
            never_negative=(available,),
        )
    )

    # Then exactly as many as fit went through, the balance never went below zero, and the books agree
    assert outcomes.count("posted") == 6
    assert outcomes.count("refused") == THREADS - 6
    assert ledger.balance(available) == 20_000
    assert ledger.balance(ledger.PAYOUTS_IN_TRANSIT) == 180_000
    assert ledger.check_books() == []


def test_the_same_capture_posted_thirty_times_at_once_posts_once(ctx: Context) -> None:
    parts = ledger.split(100_000)
    capture = ledger.capture_entry(
        "capture#pay_A",
        kind="booking_capture",
        payment_id="pay_A",
        amount_paise=100_000,
        mentor_id="m1",
        split=parts,
        refs={},
    )

    outcomes = burst(lambda _n: _post(capture))

    assert outcomes.count("posted") == 1
    assert outcomes.count("replay") == THREADS - 1
    assert ledger.balance(ledger.mentor_pending("m1")) == parts.mentor_share_paise
    assert ledger.balance(ledger.GATEWAY_CLEARING) == -100_000
    assert ledger.check_books() == []


def test_thirty_captures_for_one_mentor_at_once_all_post(ctx: Context) -> None:
    # Each capture moves five platform totals and the mentor's pending one: spread over shards, so
    # a burst conflicts rarely; a conflict that happens cancels, and the retry posts it
    def capture(n: int) -> str:
        return _post(
            ledger.capture_entry(
                f"capture#pay_{n}",
                kind="booking_capture",
                payment_id=f"pay_{n}",
                amount_paise=10_000,
                mentor_id="m1",
                split=ledger.split(10_000),
                refs={},
            )
        )

    outcomes = burst(capture)

    assert outcomes == ["posted"] * THREADS
    assert ledger.balance(ledger.mentor_pending("m1")) == THREADS * 8_760
    assert ledger.balance(ledger.GATEWAY_CLEARING) == -THREADS * 10_000
    assert ledger.check_books() == []


def test_a_replay_is_recognised_from_the_cancellation_reason_alone(ctx: Context) -> None:
    # DynamoDB returns the existing item with the failed condition (ALL_OLD): no extra read needed
    _seed_available("m1", 100)
    seed = ledger.Entry(
        "seed#m1", "manual", [ledger.Line("x", debit_paise=1), ledger.Line("y", credit_paise=1)]
    )

    with pytest.raises(TransactWriteError) as failure, store.transaction() as tx:
        ledger.post(tx, seed)

    reasons = [r for r in failure.value.cancellation_reasons or [] if r is not None and r.raw_item]
    assert [r.raw_item["pk"]["S"] for r in reasons if r.raw_item] == ["LEDGER#seed#m1"]
    assert ledger.already_posted(failure.value, seed)


def test_racing_maturity_jobs_move_each_earning_once(ctx: Context) -> None:
    due_at = 1_800_000_000
    for n in range(10):
        with store.transaction() as tx:
            ledger.post(
                tx,
                ledger.capture_entry(
                    f"capture#pay_{n}",
                    kind="booking_capture",
                    payment_id=f"pay_{n}",
                    amount_paise=10_000,
                    mentor_id="m1",
                    split=ledger.split(10_000),
                    refs={},
                ),
            )
            ledger.schedule_maturity(
                tx, key=f"capture#pay_{n}", mentor_id="m1", amount_paise=8_760, due_at_epoch=due_at, refs={}
            )

    matured = burst(lambda _n: str(ledger.mature_due(due_at)), count=4)

    assert sum(int(m) for m in matured) == 10
    assert ledger.balance(ledger.mentor_available("m1")) == 87_600
    assert ledger.balance(ledger.mentor_pending("m1")) == 0
    assert ledger.check_books() == []


def test_receipt_numbers_taken_at_once_are_consecutive(ctx: Context) -> None:
    at = 1_796_000_000  # November 2026

    numbers = burst(lambda n: ledger.document_number("receipt", f"pay_{n % 20}", at))

    assert sorted(set(numbers)) == [f"PL/2627/{n:06d}" for n in range(1, 21)]
    assert len({ledger.document_number("receipt", f"pay_{n}", at) for n in range(20)}) == 20
