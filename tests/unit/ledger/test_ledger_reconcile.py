"""Reconciliation on moto: clean books report nothing; each kind of break is found and named."""

from __future__ import annotations

from typing import Any

from peerlearn import ledger, store
from peerlearn.context import Context
from peerlearn.ledger.journal import Line
from peerlearn.store.keys import balance_pk, balance_sk
from peerlearn.store.models import LedgerBalanceItem


def _post(entry: ledger.Entry) -> None:
    with store.transaction() as tx:
        ledger.post(tx, entry)


def _capture(payment_id: str, amount_paise: int, kind: str = "booking_capture") -> ledger.Entry:
    return ledger.capture_entry(
        f"capture#{payment_id}",
        kind=kind,
        payment_id=payment_id,
        amount_paise=amount_paise,
        mentor_id="m1",
        split=ledger.split(amount_paise),
        refs={},
    )


def _refund(refund_id: str, payment_id: str, amount_paise: int, captured_paise: int) -> ledger.Entry:
    return ledger.refund_entry(
        f"refund#{refund_id}",
        refund_id=refund_id,
        payment_id=payment_id,
        amount_paise=amount_paise,
        mentor_id="m1",
        original=ledger.split(captured_paise),
        refs={},
    )


def _row(kind: str, entity_id: str, amount_paise: int) -> dict[str, Any]:
    """A recon report row as Razorpay lists it (the fields reconcile reads, and a few it ignores)."""
    return {
        "entity_id": entity_id,
        "type": kind,
        "amount": amount_paise,
        "currency": "INR",
        "fee": 0,
        "tax": 0,
    }


def _kinds(breaks: list[ledger.Break]) -> list[str]:
    return sorted(b.kind for b in breaks)


def test_clean_books_report_nothing(ctx: Context) -> None:
    _post(_capture("pay_A", 100_000))
    _post(_capture("pay_G", 5_000, kind="gift_capture"))
    _post(_refund("rfnd_A", "pay_A", 30_000, 100_000))
    rows = [
        _row("payment", "pay_A", 100_000),
        _row("payment", "pay_G", 5_000),
        _row("refund", "rfnd_A", 30_000),
    ]

    assert ledger.check_books() == []
    assert ledger.reconcile([*rows, _row("settlement", "setl_1", 75_000)]) == []


def test_a_total_that_drifted_from_its_lines_is_a_break(ctx: Context) -> None:
    _post(_capture("pay_A", 100_000))
    # a paisa added to one of the fee's total items (any shard), by no entry
    drift = [
        LedgerBalanceItem.account.set(ledger.PLATFORM_FEE),
        LedgerBalanceItem.balance_paise.add(1),
        LedgerBalanceItem.credits_paise.add(1),
    ]
    for shard in (3, 4):
        LedgerBalanceItem(balance_pk(ledger.PLATFORM_FEE), balance_sk(shard)).update(
            actions=LedgerBalanceItem.upsert_actions(drift)
        )

    breaks = ledger.check_books()

    assert _kinds(breaks) == ["balance_mismatch"]
    assert ledger.PLATFORM_FEE in breaks[0].detail
    assert ledger.balance(ledger.PLATFORM_FEE) == 10_002


def test_an_unbalanced_entry_and_a_negative_mentor_balance_are_breaks(ctx: Context) -> None:
    lopsided = ledger.Entry("bad", "manual", [Line("a", debit_paise=5), Line("b", credit_paise=4)], {})
    overdrawn = ledger.withdrawal_entry("w1", mentor_id="m1", amount_paise=10, refs={})
    _post(overdrawn)  # posted without never_negative: the check still sees it

    breaks = ledger.check_books([lopsided, overdrawn])

    assert "unbalanced_entry" in _kinds(breaks)
    assert any(b.kind == "negative_balance" and ledger.mentor_available("m1") in b.detail for b in breaks)


def test_a_payment_without_its_capture_and_a_capture_without_its_payment(ctx: Context) -> None:
    _post(_capture("pay_A", 100_000))

    breaks = ledger.reconcile([_row("payment", "pay_B", 100_000)])

    assert _kinds(breaks) == ["capture_not_in_report", "payment_without_entry"]


def test_an_amount_that_differs_from_razorpays_is_a_break(ctx: Context) -> None:
    _post(_capture("pay_A", 100_000))

    breaks = ledger.reconcile([_row("payment", "pay_A", 99_000)])

    assert _kinds(breaks) == ["captured_total_mismatch", "payment_amount_mismatch"]


def test_a_payment_captured_twice_under_two_keys_is_a_break(ctx: Context) -> None:
    _post(_capture("pay_A", 100_000))
    again = _capture("pay_A", 100_000)
    _post(ledger.Entry("capture-again#pay_A", again.kind, again.lines, again.refs))

    breaks = ledger.reconcile([_row("payment", "pay_A", 100_000)])

    assert "payment_with_several_entries" in _kinds(breaks)
    assert "captured_total_mismatch" in _kinds(breaks)


def test_a_refund_missing_from_the_journal_is_a_break(ctx: Context) -> None:
    _post(_capture("pay_A", 100_000))

    breaks = ledger.reconcile([_row("payment", "pay_A", 100_000), _row("refund", "rfnd_X", 100)])

    assert _kinds(breaks) == ["refund_without_entry"]


def test_a_booked_gateway_fee_must_match_razorpays(ctx: Context) -> None:
    _post(_capture("pay_A", 100_000))
    _post(_capture("pay_B", 100_000))
    _post(ledger.gateway_fee_entry("fee#pay_A", payment_id="pay_A", fee_paise=2_360, refs={}))
    _post(ledger.gateway_fee_entry("fee#pay_B", payment_id="pay_B", fee_paise=2_000, refs={}))
    rows = [
        {**_row("payment", "pay_A", 100_000), "fee": 2_360, "tax": 360},
        {**_row("payment", "pay_B", 100_000), "fee": 2_360, "tax": 360},
    ]

    breaks = ledger.reconcile(rows)

    assert _kinds(breaks) == ["gateway_fee_mismatch"]
    assert "pay_B" in breaks[0].detail
    assert ledger.balance(ledger.GATEWAY_FEE) == -4_360  # an expense: debit-side, negative credit-normal
