"""POST /api/webhooks/razorpay: no authorizer; the signature over the raw body is the check.

Answers within Razorpay's 5 s: verify, store once by event id, 200. Processing runs on the stream.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.payments import webhooks
from peerlearn.payments.schemas import WebhookAck

router = Router()


@router.post(
    "/api/webhooks/razorpay",
    summary="Razorpay's webhooks (signed; stored once by event id)",
    tags=["webhooks"],
)
def razorpay_webhook() -> WebhookAck:
    event = router.current_event
    raw = event.decoded_body or ""  # base64-decoded when API Gateway flags it: the signed bytes, as text
    stored = webhooks.receive(
        raw_body=raw,
        signature=event.headers.get("x-razorpay-signature"),
        event_id=event.headers.get("x-razorpay-event-id"),
        secret=router.context["webhook_secret"],
    )
    return WebhookAck(status="stored" if stored else "duplicate")
