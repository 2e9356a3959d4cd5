"""Reading payment records: orders, payments, refunds by their keys, and their public shapes."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from peerlearn.payments.schemas import PaymentOut, RefundOut
from peerlearn.store.keys import ORDER_SK, PAYMENT_SK, order_for_pk, order_pk, payment_pk, refund_sk
from peerlearn.store.models import OrderItem, OrderRefItem, PaymentItem, RefundItem


def get_order(order_id: str) -> OrderItem | None:
    try:
        return OrderItem.get(order_pk(order_id), ORDER_SK, consistent_read=True)
    except DoesNotExist:
        return None


def order_for(reference: str) -> OrderItem | None:
    """The order made for a booking hold or a gift, if one was."""
    try:
        ref = OrderRefItem.get(order_for_pk(reference), ORDER_SK, consistent_read=True)
    except DoesNotExist:
        return None
    return get_order(ref.order_id)


def get_payment(payment_id: str) -> PaymentItem | None:
    try:
        return PaymentItem.get(payment_pk(payment_id), PAYMENT_SK, consistent_read=True)
    except DoesNotExist:
        return None


def get_refund(payment_id: str, refund_key: str) -> RefundItem | None:
    try:
        return RefundItem.get(payment_pk(payment_id), refund_sk(refund_key), consistent_read=True)
    except DoesNotExist:
        return None


def refunds_of(payment_id: str) -> list[RefundItem]:
    return list(RefundItem.query(payment_pk(payment_id), RefundItem.sk.startswith("REFUND#")))


def payment_out(item: PaymentItem) -> PaymentOut:
    return PaymentOut(
        payment_id=item.payment_id,
        order_id=item.order_id,
        purpose=item.purpose,
        session_id=item.session_id,
        session_title=item.session_title,
        amount_paise=int(item.amount_paise),
        currency=item.currency,
        method=item.method,
        outcome=item.outcome,
        status=item.status,
        refunded_paise=int(item.refunded_paise),
        captured_at=item.captured_at,
        receipt_number=item.receipt_number,
    )


def refund_out(item: RefundItem) -> RefundOut:
    return RefundOut(
        refund_key=item.refund_key,
        payment_id=item.payment_id,
        refund_id=item.refund_id,
        amount_paise=int(item.amount_paise),
        kind=item.kind,
        reason=item.reason,
        status=item.status,
        attempts=int(item.attempts),
        last_error=item.last_error,
        credit_note_number=item.credit_note_number,
        created_at=item.created_at,
    )
