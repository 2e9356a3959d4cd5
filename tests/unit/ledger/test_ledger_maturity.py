"""Maturing earnings on moto: scheduled with the capture, moved pending -> available by the job once
due, one transaction per earning, and nothing moves twice however often the job runs."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import TransactWriteError

from peerlearn import ledger, store
from peerlearn.context import Context
from peerlearn.ledger.maturity import _mature
from peerlearn.store.models import MaturityItem

DUE_AT = 1_800_000_000


def _capture_and_schedule(payment_id: str, amount_paise: int, due_at: int, mentor_id: str = "m1") -> int:
    parts = ledger.split(amount_paise)
    key = f"capture#{payment_id}"
    with store.transaction() as tx:
        ledger.post(
            tx,
            ledger.capture_entry(
                key,
                kind="booking_capture",
                payment_id=payment_id,
                amount_paise=amount_paise,
                mentor_id=mentor_id,
                split=parts,
                refs={},
            ),
        )
        ledger.schedule_maturity(
            tx,
            key=key,
            mentor_id=mentor_id,
            amount_paise=parts.mentor_share_paise,
            due_at_epoch=due_at,
            refs={"payment_id": payment_id},
        )
    return parts.mentor_share_paise


def test_only_due_earnings_mature(ctx: Context) -> None:
    share_due = _capture_and_schedule("pay_A", 100_000, DUE_AT)
    share_later = _capture_and_schedule("pay_B", 50_000, DUE_AT + 1)

    matured = ledger.mature_due(DUE_AT)

    assert matured == 1
    assert ledger.balance(ledger.mentor_available("m1")) == share_due
    assert ledger.balance(ledger.mentor_pending("m1")) == share_later
    found = ledger.entry(ledger.maturity_key("capture#pay_A"))
    assert found is not None
    assert found.refs["payment_id"] == "pay_A"


def test_running_the_job_again_moves_nothing_twice(ctx: Context) -> None:
    share = _capture_and_schedule("pay_A", 100_000, DUE_AT)

    assert ledger.mature_due(DUE_AT + 10) == 1
    assert ledger.mature_due(DUE_AT + 20) == 0

    assert ledger.balance(ledger.mentor_available("m1")) == share
    assert ledger.balance(ledger.mentor_pending("m1")) == 0
    assert list(MaturityItem.scan()) == []
    assert ledger.check_books() == []


def test_a_stale_index_read_cannot_mature_an_earning_twice(ctx: Context) -> None:
    # Given the job read a due item, and another run matured it before this one wrote
    share = _capture_and_schedule("pay_A", 100_000, DUE_AT)
    stale = list(MaturityItem.by_due.query("MATURES"))
    assert ledger.mature_due(DUE_AT) == 1

    # When the slower run acts on what it read
    done = _mature(stale[0])

    # Then it changes nothing
    assert not done
    assert ledger.balance(ledger.mentor_available("m1")) == share


def test_a_cancelled_earning_never_matures(ctx: Context) -> None:
    _capture_and_schedule("pay_A", 100_000, DUE_AT)
    with store.transaction() as tx:
        ledger.cancel_maturity(tx, "capture#pay_A")

    assert ledger.mature_due(DUE_AT) == 0
    assert ledger.balance(ledger.mentor_available("m1")) == 0


def test_cancelling_a_matured_earning_fails_the_transaction(ctx: Context) -> None:
    _capture_and_schedule("pay_A", 100_000, DUE_AT)
    ledger.mature_due(DUE_AT)

    with pytest.raises(TransactWriteError), store.transaction() as tx:
        ledger.cancel_maturity(tx, "capture#pay_A")


def test_a_partial_refund_before_maturity_matures_only_the_rest(ctx: Context) -> None:
    # Given a pending earning and a partial refund taking part of the mentor's share from pending
    share = _capture_and_schedule("pay_A", 100_000, DUE_AT)
    refund = ledger.refund_entry(
        "refund#rfnd_1",
        refund_id="rfnd_1",
        payment_id="pay_A",
        amount_paise=40_000,
        mentor_id="m1",
        original=ledger.split(100_000),
        refs={},
    )
    taken = next(line.debit_paise for line in refund.lines if line.account == ledger.mentor_pending("m1"))
    with store.transaction() as tx:
        ledger.post(tx, refund)
        ledger.reduce_maturity(tx, "capture#pay_A", taken)

    # When it matures
    ledger.mature_due(DUE_AT)

    # Then what is left moves, and pending ends at zero
    assert ledger.balance(ledger.mentor_available("m1")) == share - taken
    assert ledger.balance(ledger.mentor_pending("m1")) == 0
    assert ledger.check_books() == []


def test_scheduling_the_same_earning_twice_fails(ctx: Context) -> None:
    _capture_and_schedule("pay_A", 100_000, DUE_AT)

    with pytest.raises(TransactWriteError), store.transaction() as tx:
        ledger.schedule_maturity(
            tx, key="capture#pay_A", mentor_id="m1", amount_paise=1, due_at_epoch=DUE_AT, refs={}
        )


def test_an_earning_whose_pending_money_is_gone_stays_scheduled(ctx: Context) -> None:
    # Given an earning whose pending share a full refund took without cancelling its schedule
    _capture_and_schedule("pay_A", 100_000, DUE_AT)
    refund = ledger.refund_entry(
        "refund#rfnd_1",
        refund_id="rfnd_1",
        payment_id="pay_A",
        amount_paise=100_000,
        mentor_id="m1",
        original=ledger.split(100_000),
        refs={},
    )
    with store.transaction() as tx:
        ledger.post(tx, refund)

    _capture_and_schedule("pay_B", 10_000, DUE_AT + 5)

    # When the job runs, it refuses to pay out refunded money: it holds that earning for a person
    assert ledger.mature_due(DUE_AT + 10, limit=1) == 0
    assert ledger.balance(ledger.mentor_available("m1")) == 0
    assert ledger.maturity_left_paise("capture#pay_A") == 87_600
    assert [b.kind for b in ledger.check_books()] == ["maturity_held"]
    # and the held earning no longer stands in the way of the next ones
    assert ledger.mature_due(DUE_AT + 10, limit=1) == 1
    assert ledger.balance(ledger.mentor_available("m1")) == 8_760


def test_what_is_left_to_mature_is_readable_until_it_matures(ctx: Context) -> None:
    share = _capture_and_schedule("pay_A", 100_000, DUE_AT)

    assert ledger.maturity_left_paise("capture#pay_A") == share
    ledger.mature_due(DUE_AT)
    assert ledger.maturity_left_paise("capture#pay_A") is None


def test_the_job_takes_at_most_its_limit_oldest_first(ctx: Context) -> None:
    _capture_and_schedule("pay_late", 10_000, DUE_AT - 10)
    _capture_and_schedule("pay_early", 10_000, DUE_AT - 20)

    assert ledger.mature_due(DUE_AT, limit=1) == 1

    assert ledger.maturity_left_paise("capture#pay_early") is None
    assert ledger.maturity_left_paise("capture#pay_late") == 8_760
