"""The entries each money movement posts: pure builders, posted by callers in their own transaction.
Zero parts make no line (a line always moves money); every entry balances by construction."""

from __future__ import annotations

from peerlearn.ledger.accounts import (
    GATEWAY_CLEARING,
    GATEWAY_FEE,
    GST_PAYABLE,
    PAYOUTS_IN_TRANSIT,
    PAYOUTS_PAID,
    PLATFORM_FEE,
    TCS_PAYABLE,
    TDS_PAYABLE,
    WITHDRAWN_MEMO,
    mentor_available,
    mentor_pending,
    mentor_withdrawn,
)
from peerlearn.ledger.journal import Entry, Line
from peerlearn.ledger.split import Split, prorate


def _positive(amount_paise: int) -> int:
    if amount_paise <= 0:
        raise ValueError("a movement's amount_paise must be above zero")
    return amount_paise


def _credits(parts: list[tuple[str, int]]) -> list[Line]:
    return [Line(account, credit_paise=paise) for account, paise in parts if paise > 0]


def _debits(parts: list[tuple[str, int]]) -> list[Line]:
    return [Line(account, debit_paise=paise) for account, paise in parts if paise > 0]


def _split_parts(mentor_account: str, parts: Split) -> list[tuple[str, int]]:
    return [
        (mentor_account, parts.mentor_share_paise),
        (PLATFORM_FEE, parts.platform_fee_paise),
        (GST_PAYABLE, parts.gst_paise),
        (TCS_PAYABLE, parts.tcs_paise),
        (TDS_PAYABLE, parts.tds_paise),
    ]


def capture_entry(
    key: str,
    *,
    kind: str,
    payment_id: str,
    amount_paise: int,
    mentor_id: str,
    split: Split,
    refs: dict[str, str],
) -> Entry:
    """A captured payment (booking or gift): Dr gateway clearing; Cr the mentor's pending share, the
    fee, GST on it, TCS and TDS."""
    if split.amount_paise != _positive(amount_paise):
        raise ValueError("the split is of another amount")
    lines = [Line(GATEWAY_CLEARING, debit_paise=amount_paise)]
    lines += _credits(_split_parts(mentor_pending(mentor_id), split))
    return Entry(key, kind, lines, {**refs, "payment_id": payment_id, "mentor_id": mentor_id})


def refund_entry(
    key: str,
    *,
    refund_id: str,
    payment_id: str,
    amount_paise: int,
    mentor_id: str,
    original: Split,
    refs: dict[str, str],
    refunded_before_paise: int = 0,
    matured: bool = False,
) -> Entry:
    """A refund reverses the capture pro rata (`split.prorate`); Cr gateway clearing. Give the paise
    of the payment refunded by earlier refunds, so a series of partial refunds reverses each part
    at most once in total (a full refund, in one or many, reverses the capture exactly). The mentor's
    part comes out of pending, or out of available when `matured`."""
    _positive(amount_paise)
    if refunded_before_paise < 0 or refunded_before_paise + amount_paise > original.amount_paise:
        raise ValueError("refunds would exceed the captured amount")
    after = prorate(original, refunded_before_paise + amount_paise).parts_paise()
    before = prorate(original, refunded_before_paise).parts_paise()
    fee, gst, tcs, tds, mentor = (a - b for a, b in zip(after, before, strict=True))
    mentor_account = mentor_available(mentor_id) if matured else mentor_pending(mentor_id)
    reversed_parts = Split(amount_paise, fee, gst, tcs, tds, mentor)
    lines = _debits(_split_parts(mentor_account, reversed_parts))
    lines.append(Line(GATEWAY_CLEARING, credit_paise=amount_paise))
    refs = {**refs, "refund_id": refund_id, "payment_id": payment_id, "mentor_id": mentor_id}
    return Entry(key, "refund", lines, refs)


def gateway_fee_entry(key: str, *, payment_id: str, fee_paise: int, refs: dict[str, str]) -> Entry:
    """Razorpay's fee on a payment (GST included, as its `fee` field), kept out of what it settles:
    Dr gateway fee expense; Cr gateway clearing. The platform bears it, not the mentor."""
    lines = [
        Line(GATEWAY_FEE, debit_paise=_positive(fee_paise)),
        Line(GATEWAY_CLEARING, credit_paise=fee_paise),
    ]
    return Entry(key, "gateway_fee", lines, {**refs, "payment_id": payment_id})


def maturity_entry(key: str, *, mentor_id: str, amount_paise: int, refs: dict[str, str]) -> Entry:
    """The dispute window passed: pending -> available."""
    lines = [
        Line(mentor_pending(mentor_id), debit_paise=_positive(amount_paise)),
        Line(mentor_available(mentor_id), credit_paise=amount_paise),
    ]
    return Entry(key, "maturity", lines, {**refs, "mentor_id": mentor_id})


def withdrawal_entry(key: str, *, mentor_id: str, amount_paise: int, refs: dict[str, str]) -> Entry:
    """A withdrawal: available -> payouts in transit. Post it with
    `never_negative=[mentor_available(mentor_id)]` so concurrent withdrawals can't overdraw."""
    lines = [
        Line(mentor_available(mentor_id), debit_paise=_positive(amount_paise)),
        Line(PAYOUTS_IN_TRANSIT, credit_paise=amount_paise),
    ]
    return Entry(key, "withdrawal", lines, {**refs, "mentor_id": mentor_id})


def payout_settled_entry(
    key: str, *, mentor_id: str, amount_paise: int, paid: bool, refs: dict[str, str]
) -> Entry:
    """A payout's end. Paid: in transit -> payouts paid, and the mentor's withdrawn tally grows (its
    memo pair). Failed or reversed: in transit -> back to the mentor's available balance."""
    _positive(amount_paise)
    lines = [Line(PAYOUTS_IN_TRANSIT, debit_paise=amount_paise)]
    if paid:
        lines += [
            Line(PAYOUTS_PAID, credit_paise=amount_paise),
            Line(WITHDRAWN_MEMO, debit_paise=amount_paise),
            Line(mentor_withdrawn(mentor_id), credit_paise=amount_paise),
        ]
    else:
        lines.append(Line(mentor_available(mentor_id), credit_paise=amount_paise))
    kind = "payout_paid" if paid else "payout_failed"
    return Entry(key, kind, lines, {**refs, "mentor_id": mentor_id})
