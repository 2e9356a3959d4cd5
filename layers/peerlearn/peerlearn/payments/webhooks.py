"""Razorpay's webhooks: `receive` answers within Razorpay's 5 s (check the signature over the raw body,
store the event once by its event id, nothing else); `process` runs later, from the table's stream.

The signature is hex(HMAC-SHA256(webhook secret, raw body)), compared in constant time: exactly what
`razorpay.Utility.verify_webhook_signature` computes (a unit test holds them equal), done here so the
webhooks function needs only the webhook secret, not the SDK or the key secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from peerlearn import clock, store, timeutil
from peerlearn.errors import BadRequest
from peerlearn.store.keys import EVENT_SK, razorpay_event_pk
from peerlearn.store.models import OrderItem, RazorpayEventItem

if TYPE_CHECKING:
    from peerlearn.context import Context

logger = logging.getLogger(__name__)

KEEP_DAYS = 90  # Razorpay retries for 24 h; kept longer for the admins' audit
MAX_BODY_CHARS = 350_000  # DynamoDB items are at most 400 KB


def signature_valid(raw_body: str, signature: str, secret: str) -> bool:
    expected = hmac.new(secret.encode(), raw_body.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def receive(*, raw_body: str, signature: str | None, event_id: str | None, secret: str) -> bool:
    """Stores a signed event once; True when it is new. Forged, unsigned or malformed -> 400, nothing
    written."""
    if not signature or not signature_valid(raw_body, signature, secret):
        raise BadRequest("The webhook signature is missing or not valid.", code="invalid_signature")
    try:
        event = json.loads(raw_body)
    except ValueError as exc:
        raise BadRequest("The webhook body is not JSON.", code="invalid_json") from exc
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        raise BadRequest("The webhook body is not a Razorpay event.", code="invalid_event")
    if not event_id or len(event_id) > 100 or len(raw_body) > MAX_BODY_CHARS:
        raise BadRequest("The webhook has no event id.", code="invalid_event")
    now = clock.now_seconds()
    item = RazorpayEventItem(
        razorpay_event_pk(event_id),
        EVENT_SK,
        event_id=event_id,
        event=event["event"][:100],
        body=raw_body,
        received_at=timeutil.iso_from_epoch(now),
        ttl=now + KEEP_DAYS * 86400,
    )
    try:
        with store.failed_condition_raises(LookupError()):
            item.save(condition=RazorpayEventItem.pk.does_not_exist())
    except LookupError:
        logger.info("webhook event already stored", extra={"event_id": event_id})
        return False
    logger.info("webhook event stored", extra={"event_id": event_id, "event": item.event})
    return True


def _entity(event: dict[str, Any], name: str) -> dict[str, Any] | None:
    holder = (event.get("payload") or {}).get(name) or {}
    entity = holder.get("entity") if isinstance(holder, dict) else None
    return entity if isinstance(entity, dict) else None


def process(ctx: Context, event: dict[str, Any]) -> None:
    """One stored event, on the stream; any number of times, in any order (each step is forward-only)."""
    # Imported here: the webhooks function imports this module for `receive` and must start fast.
    from peerlearn.adapters.razorpay import GatewayRefused
    from peerlearn.payments import gateway, refunds
    from peerlearn.payments.settle import settle_payment

    name = str(event.get("event", ""))
    payment = _entity(event, "payment")
    if name in ("payment.captured", "order.paid") and payment is not None:
        settle_payment(ctx, payment)
    elif name == "payment.authorized" and payment is not None:
        # Captured automatically a moment later; if that capture's event is lost, this fetch finds it.
        try:
            fresh = gateway.of(ctx).fetch_payment(str(payment["id"]))
        except GatewayRefused:  # not a payment Razorpay knows (unavailable raises: the stream retries)
            logger.warning("authorized payment unknown to Razorpay", extra={"payment_id": payment.get("id")})
            return
        settle_payment(ctx, fresh)
    elif name == "payment.failed" and payment is not None:
        _note_failure(payment)
    elif name.startswith("refund.") and (refund := _entity(event, "refund")) is not None:
        refunds.on_refund_event(name, refund)
    else:
        logger.info("webhook event ignored", extra={"event": name})


def _note_failure(payment: dict[str, Any]) -> None:
    """Why the last attempt failed, on the order (the page shows it with a retry); never backwards."""
    from peerlearn.payments.records import get_order

    order = get_order(str(payment.get("order_id") or ""))
    if order is None or order.status == "paid":
        return
    reason = str(payment.get("error_description") or payment.get("error_reason") or "The payment failed.")
    try:
        with store.failed_condition_raises(LookupError()):
            order.update(
                actions=[OrderItem.last_error.set(reason[:300])], condition=OrderItem.status != "paid"
            )
    except LookupError:
        pass  # paid meanwhile (a retry succeeded): the old failure no longer matters
