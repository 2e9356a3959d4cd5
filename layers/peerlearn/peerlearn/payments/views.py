"""What learners read: their payment history, a payment's receipt, a session's refund policy."""

from __future__ import annotations

from typing import Any

from peerlearn import clock, ledger, timeutil
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import NotFound
from peerlearn.payments.records import get_payment, payment_out, refund_out, refunds_of
from peerlearn.payments.schemas import PaymentPage, ReceiptLine, ReceiptOut, RefundPolicyOut
from peerlearn.store.keys import payer_pk
from peerlearn.store.models import PaymentItem
from peerlearn.store.paging import page


def history(*, user_id: str, limit: int, cursor: str | None) -> PaymentPage:
    """The caller's payments, newest first."""

    def run(start: dict[str, Any] | None) -> object:
        return PaymentItem.by_payer.query(
            payer_pk(user_id), scan_index_forward=False, limit=limit, last_evaluated_key=start
        )

    items, next_cursor = page(run, cursor)
    return PaymentPage(items=[payment_out(item) for item in items], next_cursor=next_cursor)


def receipt(*, user_id: str, role: str, payment_id: str) -> ReceiptOut:
    """The payer's (or an admin's) receipt; numbered on first sight if the settlement didn't get to it."""
    item = get_payment(payment_id) if len(payment_id) <= 40 else None
    if item is None or (item.learner_id != user_id and role != "admin"):
        raise NotFound("No such payment.")
    number = item.receipt_number or ledger.document_number("receipt", item.payment_id, clock.now_seconds())
    if item.receipt_number is None:
        item.update(actions=[PaymentItem.receipt_number.set(number)])
    what = "gift to the mentor" if item.purpose == "gift" else "session booking"
    lines = [
        ReceiptLine(
            label="Mentor's share (after TCS and TDS withheld)", amount_paise=int(item.mentor_share_paise)
        ),
        ReceiptLine(label="TCS withheld (0.5%)", amount_paise=int(item.tcs_paise)),
        ReceiptLine(label="TDS withheld (0.1%)", amount_paise=int(item.tds_paise)),
        ReceiptLine(label="PeerLearn platform fee", amount_paise=int(item.platform_fee_paise)),
        ReceiptLine(label="GST on the platform fee (18%)", amount_paise=int(item.gst_paise)),
    ]
    notes = [refund_out(r) for r in refunds_of(item.payment_id) if r.status == "processed"]
    return ReceiptOut(
        number=number,
        issued_at=item.captured_at,
        payment_id=item.payment_id,
        description=f"{item.session_title} ({what})",
        amount_paise=int(item.amount_paise),
        currency=item.currency,
        method=item.method,
        lines=lines,
        credit_notes=notes,
    )


def policy(*, session_id: str, cutoff_hours: int) -> RefundPolicyOut:
    """Learner cancels before the cut-off: full refund; after: none (it can't be cancelled then);
    the mentor cancels the session or the booking: full refund."""
    session = get_session_item(session_id)
    until = timeutil.iso_from_epoch(timeutil.epoch(session.starts_at) - cutoff_hours * 3600)
    return RefundPolicyOut(
        session_id=session.id,
        price_paise=int(session.price_paise),
        cutoff_hours=cutoff_hours,
        full_refund_until=until,
        rules=[
            f"Cancel up to {cutoff_hours} hours before the start: full refund.",
            "After that: no refund (the booking can't be cancelled).",
            "The mentor cancels the session or your booking: full refund.",
            "A payment that arrives after your seat hold ran out, with no seat left: full refund.",
        ],
    )
