"""Posting entries on moto: balanced entries only, once per key, balances updated in the same
transaction, never-negative accounts guarded, and the entries readable back."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import TransactWriteError

from peerlearn import ledger, store
from peerlearn.context import Context
from peerlearn.ledger import accounts
from peerlearn.store.keys import balance_pk
from peerlearn.store.models import BookingItem, LedgerBalanceItem


def _capture(payment_id: str = "pay_A", amount_paise: int = 100_000, mentor_id: str = "m1") -> ledger.Entry:
    return ledger.capture_entry(
        f"capture#{payment_id}",
        kind="booking_capture",
        payment_id=payment_id,
        amount_paise=amount_paise,
        mentor_id=mentor_id,
        split=ledger.split(amount_paise),
        refs={"booking_id": "b1"},
    )


def _move(key: str, to_account: str, paise: int, at: str | None = None) -> ledger.Entry:
    """A hand-made entry crediting `to_account` from a made-up source account."""
    lines = [ledger.Line("source", debit_paise=paise), ledger.Line(to_account, credit_paise=paise)]
    return ledger.Entry(key, "manual", lines, {}, at)


def _post(entry: ledger.Entry, never_negative: tuple[str, ...] = ()) -> None:
    with store.transaction() as tx:
        ledger.post(tx, entry, never_negative=never_negative)


def _confirm_and_post(booking: BookingItem, entry: ledger.Entry, condition: Any = None) -> None:
    """A state change and its entry in one transaction, as payments will write them."""
    with store.transaction() as tx:
        tx.update(booking, actions=[BookingItem.status.set("confirmed")], condition=condition)
        ledger.post(tx, entry)


def test_a_capture_moves_every_account_it_names(ctx: Context) -> None:
    _post(_capture())

    assert ledger.balance(accounts.GATEWAY_CLEARING) == -100_000
    assert ledger.balance(ledger.mentor_pending("m1")) == 87_600
    assert ledger.balance(accounts.PLATFORM_FEE) == 10_000
    assert ledger.balance(accounts.GST_PAYABLE) == 1_800
    assert ledger.balance(accounts.TCS_PAYABLE) == 500
    assert ledger.balance(accounts.TDS_PAYABLE) == 100
    assert ledger.balance(ledger.mentor_available("m1")) == 0


def test_an_entry_reads_back_as_posted(ctx: Context) -> None:
    posted = _capture()
    _post(posted)

    found = ledger.entry("capture#pay_A")

    assert found is not None
    assert (found.key, found.kind, found.lines) == (posted.key, posted.kind, posted.lines)
    assert found.refs == {"booking_id": "b1", "payment_id": "pay_A", "mentor_id": "m1"}
    assert found.at is not None
    assert found.at.endswith("Z")
    assert ledger.entry("capture#pay_missing") is None


def test_a_replay_cancels_its_whole_transaction_and_says_so(ctx: Context) -> None:
    _post(_capture())
    booking = BookingItem("SESSION#s1", "BOOKING#l1")

    # When the same capture comes again with the state change it belongs to
    with pytest.raises(TransactWriteError) as failure:
        _confirm_and_post(booking, _capture())

    # Then nothing moved twice, nothing else was written, and the caller can tell it was a replay
    assert ledger.already_posted(failure.value, "capture#pay_A")
    assert ledger.balance(ledger.mentor_pending("m1")) == 87_600
    assert BookingItem.count("SESSION#s1") == 0


def test_a_failure_of_the_callers_condition_is_not_a_replay(ctx: Context) -> None:
    booking = BookingItem("SESSION#s1", "BOOKING#l1")

    with pytest.raises(TransactWriteError) as failure:
        _confirm_and_post(booking, _capture(), condition=BookingItem.pk.exists())

    assert not ledger.already_posted(failure.value, "capture#pay_A")
    assert ledger.entry("capture#pay_A") is None
    assert ledger.balance(accounts.GATEWAY_CLEARING) == 0


def test_unbalanced_or_empty_entries_are_refused_before_anything_is_sent(ctx: Context) -> None:
    lopsided = ledger.Entry(
        "x", "manual", [ledger.Line("a", debit_paise=5), ledger.Line("b", credit_paise=4)], {}
    )
    with pytest.raises(ValueError, match="unbalanced"):
        _post(lopsided)
    with pytest.raises(ValueError, match="no lines"):
        _post(ledger.Entry("y", "manual", [], {}))
    assert ledger.entry("x") is None


@pytest.mark.parametrize(("debit", "credit"), [(0, 0), (1, 1), (-1, 0), (0, -3)])
def test_a_line_moves_money_on_exactly_one_side(debit: int, credit: int) -> None:
    with pytest.raises(ValueError, match=r"never negative|exactly one side"):
        ledger.Line("a", debit_paise=debit, credit_paise=credit)


def test_never_negative_refuses_a_withdrawal_beyond_the_balance(ctx: Context) -> None:
    # Given 300 paise available
    _post(_move("seed", ledger.mentor_available("m1"), 300))
    guard = (ledger.mentor_available("m1"),)

    # When 200 is withdrawn twice
    _post(ledger.withdrawal_entry("w1", mentor_id="m1", amount_paise=200, refs={}), guard)
    with pytest.raises(TransactWriteError) as failure:
        _post(ledger.withdrawal_entry("w2", mentor_id="m1", amount_paise=200, refs={}), guard)

    # Then the second is refused (and is no replay), and exactly the first moved
    assert not ledger.already_posted(failure.value, "w2")
    assert ledger.balance(ledger.mentor_available("m1")) == 100
    assert ledger.balance(accounts.PAYOUTS_IN_TRANSIT) == 200


def test_never_negative_refuses_an_account_that_never_moved(ctx: Context) -> None:
    with pytest.raises(TransactWriteError):
        _post(
            ledger.withdrawal_entry("w1", mentor_id="m9", amount_paise=1, refs={}),
            (ledger.mentor_available("m9"),),
        )


def test_an_account_named_twice_in_one_entry_gets_one_update(ctx: Context) -> None:
    twice = ledger.Entry(
        "t",
        "manual",
        [ledger.Line("a", debit_paise=5), ledger.Line("a", credit_paise=2), ledger.Line("b", credit_paise=3)],
    )
    _post(twice)

    assert ledger.balance("a") == -3
    assert ledger.balance("b") == 3
    assert ledger.check_books() == []


def test_a_paid_payout_counts_as_withdrawn_and_a_failed_one_comes_back(ctx: Context) -> None:
    available = ledger.mentor_available("m1")
    _post(
        ledger.Entry(
            "seed", "manual", [ledger.Line("x", debit_paise=1000), ledger.Line(available, credit_paise=1000)]
        )
    )
    _post(ledger.withdrawal_entry("w1", mentor_id="m1", amount_paise=600, refs={}), (available,))
    _post(ledger.withdrawal_entry("w2", mentor_id="m1", amount_paise=400, refs={}), (available,))

    _post(ledger.payout_settled_entry("p1", mentor_id="m1", amount_paise=600, paid=True, refs={}))
    _post(ledger.payout_settled_entry("p2", mentor_id="m1", amount_paise=400, paid=False, refs={}))

    assert ledger.balance(available) == 400
    assert ledger.balance(ledger.mentor_withdrawn("m1")) == 600
    assert ledger.balance(accounts.PAYOUTS_PAID) == 600
    assert ledger.balance(accounts.PAYOUTS_IN_TRANSIT) == 0
    assert ledger.check_books() == []


def test_a_mentors_entries_come_back_oldest_first(ctx: Context) -> None:
    _post(_move("e1", ledger.mentor_pending("m1"), 1, at="2026-11-02T00:00:00Z"))
    _post(_move("e0", ledger.mentor_pending("m1"), 1, at="2026-11-01T00:00:00Z"))
    _post(_move("e2", ledger.mentor_pending("m2"), 1, at="2026-11-01T00:00:00Z"))

    keys = [e.key for e in ledger.mentor_entries("m1")]
    november_first = [e.key for e in ledger.mentor_entries("m1", from_at="2026-11-01", to_at="2026-11-02")]

    assert keys == ["e0", "e1"]
    assert november_first == ["e0"]


def test_the_platforms_totals_spread_over_items_and_sum_on_read(ctx: Context) -> None:
    # Given many captures (each moves the platform's accounts)
    for n in range(40):
        _post(_capture(f"pay_{n}", 10_000, mentor_id=f"m{n % 3}"))

    # and a few entries moving a mentor's available balance
    for n in range(5):
        _post(_move(f"a{n}", ledger.mentor_available("m0"), 100))

    # Then the fee's and pending totals live in several items, available in one, and reads add them up
    fee_items = list(LedgerBalanceItem.query(balance_pk(accounts.PLATFORM_FEE)))
    pending_items = list(LedgerBalanceItem.query(balance_pk(ledger.mentor_pending("m0"))))
    assert len(fee_items) > 1
    assert len(pending_items) > 1
    assert ledger.balance(ledger.mentor_pending("m0")) == 14 * 8_760
    assert len(list(LedgerBalanceItem.query(balance_pk(ledger.mentor_available("m0"))))) == 1
    assert ledger.balance(ledger.mentor_available("m0")) == 500
    assert ledger.balance(accounts.PLATFORM_FEE) == 40 * 1_000
    assert ledger.balance(accounts.GATEWAY_CLEARING) == -40 * 10_000
    assert ledger.check_books() == []


@pytest.mark.parametrize("account", [accounts.GATEWAY_CLEARING, ledger.mentor_pending("m1")])
def test_only_single_item_balances_can_be_guarded(ctx: Context, account: str) -> None:
    with pytest.raises(ValueError, match="only a mentor's available or withdrawn"):
        _post(_capture(), never_negative=(account,))
