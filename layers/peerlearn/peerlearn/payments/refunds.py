"""Refunds: the policy, asking Razorpay (once per idempotency key), and settling by its webhooks.

A refund is a RefundItem under its payment, keyed by our idempotency key (`cancel-<booking id>`,
`noseat-<payment id>`, `admin-<request id>`...): asking twice refunds once. The ledger's refund entry
is posted when Razorpay says `processed` (not when asked): a refund that fails moves no money, so the
books never carry one that didn't happen. The mentor's share stops maturing when the refund is asked
for (the maturity is cancelled, or rescheduled smaller for a partial refund, in the same transaction).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from pynamodb.exceptions import TransactWriteError

from peerlearn import audit, clock, ledger, store, timeutil
from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable
from peerlearn.context import Context
from peerlearn.errors import Conflict
from peerlearn.ledger.accounts import mentor_available, mentor_pending
from peerlearn.payments import gateway
from peerlearn.payments.records import get_payment, get_refund
from peerlearn.store.audit import AuditItem
from peerlearn.store.keys import REFUNDS_DUE, REFUNDS_PENDING, payment_pk, refund_sk
from peerlearn.store.models import PaymentItem, RefundItem

logger = logging.getLogger(__name__)

REFUNDS = "REFUNDS"
_ATTEMPTS = 4
MAX_SENDS = 6  # then a failed refund waits for an admin
PENDING_CHECK_SECONDS = 3600  # webhooks come within minutes; a pending refund is asked about hourly


def split_of(payment: PaymentItem) -> ledger.Split:
    return ledger.Split(
        amount_paise=int(payment.amount_paise),
        platform_fee_paise=int(payment.platform_fee_paise),
        gst_paise=int(payment.gst_paise),
        tcs_paise=int(payment.tcs_paise),
        tds_paise=int(payment.tds_paise),
        mentor_share_paise=int(payment.mentor_share_paise),
    )


def _refund_entry(payment: PaymentItem, refund: RefundItem, refund_id: str) -> ledger.Entry:
    return ledger.refund_entry(
        f"refund#{refund_id}",
        refund_id=refund_id,
        payment_id=payment.payment_id,
        amount_paise=int(refund.amount_paise),
        mentor_id=payment.mentor_id,
        original=split_of(payment),
        refs={"refund_key": refund.refund_key, "kind": refund.kind},
        refunded_before_paise=int(payment.refunded_paise),
        matured=bool(refund.from_available),
        # Matured and withdrawn meanwhile: what isn't there any more is the platform's to bear.
        available_paise=ledger.balance(mentor_available(payment.mentor_id))
        if refund.from_available
        else None,
    )


def _mentor_part(payment: PaymentItem, amount_paise: int) -> int:
    """The mentor's part of a refund of `amount_paise` after those asked for before (pro rata, as the
    ledger will reverse it; refunds processed in another order may differ by rounding paise)."""
    probe = ledger.refund_entry(
        "probe",
        refund_id="probe",
        payment_id=payment.payment_id,
        amount_paise=amount_paise,
        mentor_id=payment.mentor_id,
        original=split_of(payment),
        refs={},
        refunded_before_paise=int(payment.refund_requested_paise),
    )
    pending = mentor_pending(payment.mentor_id)
    return sum(line.debit_paise for line in probe.lines if line.account == pending)


def new_refund_item(
    payment_id: str, *, key: str, amount_paise: int, kind: str, reason: str, by: str, mentor_part_paise: int
) -> RefundItem:
    now = timeutil.now_iso()
    return RefundItem(
        payment_pk(payment_id),
        refund_sk(key),
        refund_key=key,
        payment_id=payment_id,
        gateway_key=key,
        amount_paise=amount_paise,
        kind=kind,
        reason=reason,
        requested_by=by,
        mentor_part_paise=mentor_part_paise,
        created_at=now,
        updated_at=now,
        gsi1pk=REFUNDS_DUE,
        gsi1sk=f"{now}#{key}",
        gsi2pk=REFUNDS,
        gsi2sk=f"{now}#{key}",
    )


def request_refund(
    ctx: Context,
    payment_id: str,
    *,
    key: str,
    amount_paise: int | None,
    kind: str,
    reason: str,
    by: str = "system",
) -> RefundItem:
    """Records the refund (idempotent by `key`) and asks Razorpay; `amount_paise=None` is the rest.

    Never more than was paid: the payment's requested total is raised on condition it stays within
    the amount, in the same transaction as the refund item.
    """
    for _attempt in range(_ATTEMPTS):
        existing = get_refund(payment_id, key)
        if existing is not None:
            return send(ctx, existing) if existing.status == "requested" else existing
        payment = get_payment(payment_id)
        if payment is None:
            raise Conflict("There is no such payment to refund.", code="no_payment")
        left = int(payment.amount_paise) - int(payment.refund_requested_paise)
        amount = left if amount_paise is None else amount_paise
        if amount <= 0 or amount > left:
            raise Conflict(
                f"At most {left} paise of this payment can still be refunded.", code="refund_too_large"
            )
        part = _mentor_part(payment, amount)
        refund = new_refund_item(
            payment_id, key=key, amount_paise=amount, kind=kind, reason=reason, by=by, mentor_part_paise=part
        )
        try:
            with store.transaction() as tx:
                _take_back_maturity(tx, payment, refund, amount)  # first: it says where the part comes from
                tx.save(refund, condition=RefundItem.pk.does_not_exist())
                if by != "system":  # an admin's decision (a refund, a mentor's no-show): audited with it
                    audit.record(tx, _admin_refund_entry(payment, refund, amount))
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                continue  # a concurrent refund or maturity change: read again
            raise
        logger.info(
            "refund requested", extra={"payment_id": payment_id, "kind": kind, "amount_paise": amount}
        )
        return send(ctx, refund)
    raise Conflict("This payment is changing right now; please try again.", code="busy")


def _admin_refund_entry(payment: PaymentItem, refund: RefundItem, amount: int) -> AuditItem:
    requested = int(payment.refund_requested_paise)
    return audit.entry(
        at=str(refund.created_at),
        actor_id=str(refund.requested_by),
        action="payment.refund",
        target_type="payment",
        target_id=str(payment.payment_id),
        reason=refund.reason,
        before={"refund_requested_paise": requested},
        after={
            "refund_requested_paise": requested + amount,
            "refund_paise": amount,
            "kind": refund.kind,
            "refund_key": refund.refund_key,
        },
    )


def refund_the_rest_once(
    ctx: Context, payment_id: str, *, key: str, kind: str, reason: str, by: str = "system"
) -> RefundItem | None:
    """What is left of a payment refunded under `key`, once; None when nothing is owed (refunded in
    full already under other keys, by an admin say), so a stream retry or a second call never fails
    on it with `refund_too_large`."""
    payment = get_payment(payment_id)
    left = 0 if payment is None else int(payment.amount_paise) - int(payment.refund_requested_paise)
    if left <= 0 and get_refund(payment_id, key) is None:
        return None
    return request_refund(ctx, payment_id, key=key, amount_paise=None, kind=kind, reason=reason, by=by)


def _take_back_maturity(tx: Any, payment: PaymentItem, refund: RefundItem, amount: int) -> None:
    """The payment's refund total raised, and the mentor's share still to mature made smaller by the
    refund's part (cancelled when nothing is left). If the share matured already, the part comes out
    of available instead; if it matures meanwhile, the ledger's condition cancels this transaction
    and the caller reads again."""
    actions: list[Any] = [PaymentItem.refund_requested_paise.add(amount), PaymentItem.refund_count.add(1)]
    condition = PaymentItem.refund_requested_paise == int(payment.refund_requested_paise)
    key = payment.maturity_key
    if key is not None and ledger.entry(ledger.maturity_key(key)) is not None:
        refund.from_available = True
    elif key is not None:
        part = min(int(refund.mentor_part_paise), int(payment.maturity_paise))
        if part >= int(payment.maturity_paise):
            ledger.cancel_maturity(tx, key)
        elif part > 0:
            ledger.reduce_maturity(tx, key, part)
        actions.append(PaymentItem.maturity_paise.set(int(payment.maturity_paise) - part))
    tx.update(payment, actions=actions, condition=condition)


def send(ctx: Context, refund: RefundItem) -> RefundItem:
    """Asks Razorpay for a recorded refund (again: the same gateway key returns the same refund).
    Unreachable -> left due for the job; refused -> failed, listed for admins."""
    if refund.status not in ("requested", "failed"):
        return refund
    used = refund.gateway_key
    notes = {"refund_key": refund.refund_key, "payment_id": refund.payment_id}
    try:
        answer = gateway.of(ctx).refund(
            refund.payment_id, amount_paise=int(refund.amount_paise), idempotency_key=used, notes=notes
        )
    except GatewayUnavailable:
        _note_attempt(refund, used, "Razorpay could not be reached", failed=False)
        return refund
    except GatewayRefused as exc:
        logger.error(
            "refund refused", extra={"payment_id": refund.payment_id, "refund_key": refund.refund_key}
        )
        _note_attempt(refund, used, str(exc)[:300], failed=True)
        return refund
    return on_gateway_refund(refund, answer)


def _note_attempt(refund: RefundItem, used: str, error: str, *, failed: bool) -> None:
    actions: list[Any] = [
        RefundItem.attempts.add(1),
        RefundItem.last_error.set(error),
        RefundItem.updated_at.set(timeutil.now_iso()),
    ]
    if failed:
        actions += [
            RefundItem.status.set("failed"),
            RefundItem.gateway_key.set(f"{refund.refund_key}-{int(refund.attempts) + 1}"),
        ]
    with suppress(LookupError), store.failed_condition_raises(LookupError()):
        refund.update(actions=actions, condition=RefundItem.gateway_key == used)


def on_gateway_refund(refund: RefundItem, answer: dict[str, Any]) -> RefundItem:
    """Razorpay's refund object, from our request or a webhook: moves our refund forward only."""
    status = str(answer.get("status", "pending"))
    refund_id = str(answer["id"])
    if status == "processed":
        settle_processed(refund, refund_id)
    elif status == "failed":
        mark_failed(refund, refund_id, str(answer.get("error_description") or "Razorpay reported a failure"))
    else:
        try:
            with store.failed_condition_raises(LookupError()):
                refund.update(
                    actions=[
                        RefundItem.status.set("pending"),
                        RefundItem.refund_id.set(refund_id),
                        RefundItem.attempts.add(1),
                        RefundItem.updated_at.set(timeutil.now_iso()),
                        RefundItem.gsi1pk.set(REFUNDS_PENDING),
                        RefundItem.gsi1sk.set(_pending_sk(clock.now_seconds(), refund.refund_key)),
                    ],
                    condition=RefundItem.status.is_in("requested", "failed")
                    & (
                        RefundItem.refund_id.does_not_exist()
                        | (RefundItem.refund_id == refund_id)
                        | (RefundItem.status == "failed")
                    ),
                )
        except LookupError:
            pass  # already pending, processed or failed with this id: forward only
    return get_refund(refund.payment_id, refund.refund_key) or refund


def settle_processed(refund: RefundItem, refund_id: str) -> bool:
    """pending -> processed with the ledger's refund entry and the payment's refunded total, in one
    transaction; False when it was settled before (a duplicate or late webhook)."""
    for _attempt in range(_ATTEMPTS):
        current = get_refund(refund.payment_id, refund.refund_key)
        payment = get_payment(refund.payment_id)
        if current is not None and current.status == "processed":
            _number_credit_note(current)  # a crash may have come between settling and its number
            return False
        if current is None or payment is None:
            return False
        refunded = int(payment.refunded_paise) + int(current.amount_paise)
        status = "refunded" if refunded >= int(payment.amount_paise) else "partially_refunded"
        try:
            with store.transaction() as tx:
                tx.update(
                    current,
                    actions=[
                        RefundItem.status.set("processed"),
                        RefundItem.refund_id.set(refund_id),
                        RefundItem.last_error.remove(),
                        RefundItem.updated_at.set(timeutil.now_iso()),
                        RefundItem.gsi1pk.remove(),
                        RefundItem.gsi1sk.remove(),
                    ],
                    condition=RefundItem.status.is_in("requested", "pending", "failed"),
                )
                tx.update(
                    payment,
                    actions=[PaymentItem.refunded_paise.set(refunded), PaymentItem.status.set(status)],
                    condition=PaymentItem.refunded_paise == int(payment.refunded_paise),
                )
                # never below zero: a withdrawal between the balance read and this write cancels
                # the transaction, and the next attempt reads the balance again
                ledger.post(
                    tx,
                    _refund_entry(payment, current, refund_id),
                    never_negative=[mentor_available(payment.mentor_id)],
                )
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                continue
            raise
        _number_credit_note(current)
        logger.info(
            "refund processed", extra={"payment_id": refund.payment_id, "refund_key": refund.refund_key}
        )
        return True
    raise RuntimeError("refund settlement kept conflicting")  # the stream retries the record


def _number_credit_note(refund: RefundItem) -> None:
    """The refund's credit-note number, once (the ledger gives a refund key the same number)."""
    if refund.credit_note_number:
        return
    number = ledger.document_number("credit_note", refund.refund_key, clock.now_seconds())
    refund.update(actions=[RefundItem.credit_note_number.set(number)])


def mark_failed(refund: RefundItem, refund_id: str, reason: str) -> None:
    """Razorpay failed this refund: due again (the job retries with a new gateway key), shown to admins."""
    current = get_refund(refund.payment_id, refund.refund_key)
    if current is None:
        return
    try:
        with store.failed_condition_raises(LookupError()):
            current.update(
                actions=[
                    RefundItem.status.set("failed"),
                    RefundItem.last_error.set(reason[:300]),
                    RefundItem.gateway_key.set(f"{current.refund_key}-{int(current.attempts) + 1}"),
                    RefundItem.updated_at.set(timeutil.now_iso()),
                    RefundItem.gsi1pk.set(REFUNDS_DUE),
                    RefundItem.gsi1sk.set(f"{current.created_at}#{current.refund_key}"),
                ],
                condition=RefundItem.status.is_in("requested", "pending")
                & (RefundItem.refund_id.does_not_exist() | (RefundItem.refund_id == refund_id)),
            )
    except LookupError:
        return  # processed, already failed, or a failure of an earlier attempt: forward only
    logger.warning("refund failed", extra={"payment_id": refund.payment_id, "refund_key": refund.refund_key})


def on_refund_event(event_name: str, entity: dict[str, Any]) -> None:
    """refund.created | processed | failed webhooks, in any order and any number of times."""
    notes = entity.get("notes") if isinstance(entity.get("notes"), dict) else {}
    key = str((notes or {}).get("refund_key", ""))
    refund = get_refund(str(entity.get("payment_id", "")), key) if key else None
    if refund is None:
        logger.warning("refund event for no refund of ours", extra={"refund_id": entity.get("id")})
        return
    on_gateway_refund(refund, entity)
    logger.info("refund event", extra={"event": event_name, "refund_key": key})


def _pending_sk(checked_at: int, refund_key: str) -> str:
    return f"{checked_at:012d}#{refund_key}"


def check_pending(ctx: Context, now: int, limit: int = 50) -> int:
    """The job: refunds left pending longer than their webhook should take are asked about, so a
    refund.processed / refund.failed that never arrives (Razorpay gives up after a day of retries)
    can't keep a refund out of the books for good. Each is asked at most every PENDING_CHECK_SECONDS."""
    checked = 0
    overdue = RefundItem.due_refunds.query(
        REFUNDS_PENDING, RefundItem.gsi1sk < _pending_sk(now - PENDING_CHECK_SECONDS, ""), limit=limit
    )
    for refund in overdue:
        if refund.status != "pending" or refund.refund_id is None:
            continue
        try:
            answer = gateway.of(ctx).fetch_refund(refund.refund_id)
        except (GatewayRefused, GatewayUnavailable):
            logger.warning("pending refund not checked", extra={"refund_key": refund.refund_key})
            continue
        checked += 1
        if on_gateway_refund(refund, answer).status == "pending":
            with suppress(LookupError), store.failed_condition_raises(LookupError()):
                refund.update(
                    actions=[RefundItem.gsi1sk.set(_pending_sk(now, refund.refund_key))],
                    condition=RefundItem.status == "pending",
                )
    return checked


def retry_due(ctx: Context, limit: int = 50) -> int:
    """The job: refunds never accepted by Razorpay (it was down) or failed, asked for again."""
    sent = 0
    for refund in RefundItem.due_refunds.query(REFUNDS_DUE, limit=limit):
        if refund.status in ("requested", "failed") and int(refund.attempts) < MAX_SENDS:
            send(ctx, refund)
            sent += 1
    return sent
