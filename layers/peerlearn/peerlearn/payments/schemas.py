"""Shapes of the payment routes (requests validated at the edge, answers with OpenAPI examples).

Money is integer paise everywhere. Nothing here ever carries a secret: the key id is public.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from peerlearn.shapes import Shape
from peerlearn.text import SingleLine

GIFT_MIN_PAISE = 1_000  # ₹10
GIFT_MAX_PAISE = 500_000  # ₹5,000
GIFT_PRESETS_PAISE = (5_000, 10_000, 20_000)

_ID = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_]+$")
_ORDER = {
    "razorpay_order_id": "order_NkV8Sx2r4qQm1T",
    "razorpay_payment_id": "pay_NkV9aF3tL0pQ2Z",
    "razorpay_signature": "9f1c0c3e4b8d6a2f7e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918070",
}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    listed: list[Any] = list(examples)
    return ConfigDict(json_schema_extra={"examples": listed})


class BookingOrderRequest(Shape):
    """The session whose held seat you are paying for (the amount is the server's, never the browser's)."""

    model_config = _examples({"session_id": "01JDQ7R4M2X9V8K3T6N5P0A1B2"})
    session_id: str = _ID


class Prefill(Shape):
    name: str | None = None
    email: str | None = None


class OrderOut(Shape):
    """What Checkout needs: the order, the public key id and where checkout.js is loaded from."""

    model_config = _examples(
        {
            "order_id": "order_NkV8Sx2r4qQm1T",
            "amount_paise": 49900,
            "currency": "INR",
            "key_id": "rzp_test_1DP5mmOlF5G5ag",
            "checkout_url": "https://checkout.razorpay.com/v1/checkout.js",
            "name": "PeerLearn",
            "description": "Python code review",
            "reference": "01JDQ7S0B4W3C2D1E0F9G8H7J6",
            "expires_at": "2026-11-29T12:10:00Z",
            "prefill": {"name": None, "email": None},
        }
    )
    order_id: str
    amount_paise: int
    currency: str
    key_id: str
    checkout_url: str
    name: str
    description: str
    reference: str = Field(description="The booking id (one order per seat hold) or the gift id.")
    expires_at: str | None = Field(default=None, description="When the seat hold runs out (bookings).")
    prefill: Prefill


class CheckoutResult(Shape):
    """What Checkout's success handler received."""

    razorpay_order_id: str = _ID
    razorpay_payment_id: str = _ID
    razorpay_signature: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]+$")


class BookingVerifyRequest(CheckoutResult):
    model_config = _examples({"session_id": "01JDQ7R4M2X9V8K3T6N5P0A1B2", **_ORDER})
    session_id: str = _ID


class GiftVerifyRequest(CheckoutResult):
    model_config = _examples({"gift_id": "01JDQ7S0B4W3C2D1E0F9G8H7J6", **_ORDER})
    gift_id: str = _ID


Outcome = Literal["booking_confirmed", "gift_paid", "refund_no_seat", "refund_duplicate"]


_PAYMENT_EXAMPLE: dict[str, Any] = {
    "payment_id": "pay_NkV9aF3tL0pQ2Z",
    "order_id": "order_NkV8Sx2r4qQm1T",
    "purpose": "booking",
    "session_id": "01JDQ7R4M2X9V8K3T6N5P0A1B2",
    "session_title": "Python code review",
    "amount_paise": 49900,
    "currency": "INR",
    "method": "upi",
    "outcome": "booking_confirmed",
    "status": "captured",
    "refunded_paise": 0,
    "captured_at": "2026-11-29T12:03:10Z",
    "receipt_number": "PL/2627/000123",
}


class PaymentOut(Shape):
    model_config = _examples(_PAYMENT_EXAMPLE)
    payment_id: str
    order_id: str
    purpose: Literal["booking", "gift"]
    session_id: str
    session_title: str
    amount_paise: int
    currency: str
    method: str | None
    outcome: Outcome
    status: Literal["captured", "partially_refunded", "refunded"]
    refunded_paise: int
    captured_at: str
    receipt_number: str | None


class VerifyOut(Shape):
    """`confirmed`: paid and done; `processing`: Razorpay has not captured it yet (the webhook will
    finish it; poll the booking); `refunding`: the money came too late for a seat and goes back."""

    model_config = _examples(
        {"status": "confirmed", "message": "Payment received: your seat is confirmed.", "payment": None}
    )
    status: Literal["confirmed", "processing", "refunding"]
    message: str
    payment: PaymentOut | None


class PaymentPage(Shape):
    model_config = _examples({"items": [_PAYMENT_EXAMPLE], "next_cursor": None})
    items: list[PaymentOut]
    next_cursor: str | None


class RefundPolicyOut(Shape):
    """The refund policy of one session, shown before paying and on each booking."""

    model_config = _examples(
        {
            "session_id": "01JDQ7R4M2X9V8K3T6N5P0A1B2",
            "price_paise": 49900,
            "cutoff_hours": 24,
            "full_refund_until": "2026-12-01T13:00:00Z",
            "rules": [
                "Cancel up to 24 hours before the start: full refund.",
                "After that: no refund (the booking can't be cancelled).",
                "The mentor cancels the session or your booking: full refund.",
            ],
        }
    )
    session_id: str
    price_paise: int
    cutoff_hours: int
    full_refund_until: str
    rules: list[str]


class GiftRequest(Shape):
    model_config = _examples(
        {"session_id": "01JDQ7R4M2X9V8K3T6N5P0A1B2", "amount_paise": 10000, "message": "Thank you!"}
    )
    session_id: str = _ID
    amount_paise: int = Field(
        ge=GIFT_MIN_PAISE,
        le=GIFT_MAX_PAISE,
        description="₹50, ₹100 or ₹200 (5000, 10000, 20000), or any amount from ₹10 to ₹5,000.",
    )
    message: str | None = Field(default=None, max_length=140)

    @field_validator("amount_paise", mode="before")
    @classmethod
    def _whole_paise(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number of paise")
        return value


class RefundOut(Shape):
    model_config = _examples(
        {
            "refund_key": "cancel-01JDQ7S0B4W3C2D1E0F9G8H7J6",
            "payment_id": "pay_NkV9aF3tL0pQ2Z",
            "refund_id": "rfnd_NkVb1c2d3e4f5G",
            "amount_paise": 49900,
            "kind": "policy",
            "reason": "Cancelled by the learner before the cut-off",
            "status": "pending",
            "attempts": 1,
            "last_error": None,
            "credit_note_number": None,
            "created_at": "2026-11-29T12:20:00Z",
        }
    )
    refund_key: str
    payment_id: str
    refund_id: str | None
    amount_paise: int
    kind: str
    reason: str
    status: Literal["requested", "pending", "processed", "failed"]
    attempts: int
    last_error: str | None
    credit_note_number: str | None
    created_at: str


class RefundPage(Shape):
    model_config = _examples({"items": [], "next_cursor": None})
    items: list[RefundOut]
    next_cursor: str | None


class AdminRefundRequest(Shape):
    model_config = _examples(
        {"amount_paise": 20000, "reason": "Audio failed for half the session", "request_id": "ticket-4411"}
    )
    amount_paise: int | None = Field(default=None, ge=100, description="Omit for the whole remainder.")
    reason: str = Field(min_length=3, max_length=300)
    request_id: str = Field(
        min_length=4,
        max_length=26,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Yours, unique per refund: sending the same request again refunds once.",
    )


class PaymentDetail(Shape):
    model_config = _examples(
        {
            "payment": _PAYMENT_EXAMPLE,
            "learner_id": "01JDQ7R4M2X9V8K3T6N5P0A1B3",
            "mentor_id": "01JDQ7R4M2X9V8K3T6N5P0A1B4",
            "split": {
                "platform_fee_paise": 4990,
                "gst_paise": 898,
                "tcs_paise": 250,
                "tds_paise": 50,
                "mentor_share_paise": 43712,
            },
            "refunds": [],
        }
    )
    payment: PaymentOut
    learner_id: str
    mentor_id: str
    split: dict[str, int]
    refunds: list[RefundOut]


class ReceiptLine(Shape):
    label: str
    amount_paise: int


class ReceiptOut(Shape):
    """A receipt with the platform fee's GST shown; refunds listed with their credit-note numbers."""

    model_config = _examples(
        {
            "number": "PL/2627/000123",
            "issued_at": "2026-11-29T12:03:10Z",
            "payment_id": "pay_NkV9aF3tL0pQ2Z",
            "description": "Python code review (session booking)",
            "amount_paise": 49900,
            "currency": "INR",
            "method": "upi",
            "lines": [
                {"label": "Mentor's share (after TCS and TDS withheld)", "amount_paise": 40727},
                {"label": "TCS withheld (0.5%)", "amount_paise": 204},
                {"label": "TDS withheld (0.1%)", "amount_paise": 50},
                {"label": "PeerLearn platform fee", "amount_paise": 4990},
                {"label": "GST on the platform fee (18%)", "amount_paise": 898},
            ],
            "credit_notes": [],
        }
    )
    number: str
    issued_at: str
    payment_id: str
    description: str
    amount_paise: int
    currency: str
    method: str | None
    lines: list[ReceiptLine]
    credit_notes: list[RefundOut]


class RevenueOut(Shape):
    model_config = _examples(
        {
            "platform_fee_paise": 4990,
            "gst_payable_paise": 898,
            "tcs_payable_paise": 204,
            "tds_payable_paise": 50,
            "gateway_clearing_paise": 49900,
        }
    )
    platform_fee_paise: int
    gst_payable_paise: int
    tcs_payable_paise: int
    tds_payable_paise: int
    gateway_clearing_paise: int = Field(description="Captured minus refunded, not yet settled to the bank.")


class BreakOut(Shape):
    kind: str
    detail: str


class ReconciliationOut(Shape):
    """The last reconciliation (nightly): `ran_at` null when it has never run (then `ok` is false)."""

    model_config = _examples(
        {"ok": True, "checked": ["books", "razorpay 2026-11"], "breaks": [], "ran_at": "2026-11-29T00:30:02Z"}
    )
    ok: bool
    checked: list[str]
    breaks: list[BreakOut]
    ran_at: str | None = None


class WebhookAck(Shape):
    """`duplicate`: this event id was stored before (Razorpay delivers at least once)."""

    model_config = _examples({"status": "stored"})
    status: Literal["stored", "duplicate"]


class MentorNoShowRequest(Shape):
    model_config = _examples({"reason": "The mentor never joined; three learners waited 20 minutes"})
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300), SingleLine]


class MentorNoShowOut(Shape):
    """The refunds of the session's paid seats (each once: asking again returns the same ones)."""

    model_config = _examples(
        {
            "session_id": "01JDQ7RZ6M2K8N4P0Q2S4T6V8X",
            "refunds": [
                {
                    "refund_key": "mentor-no-show-01JDQ7S0B4W3C2D1E0F9G8H7J6",
                    "payment_id": "pay_NkV9aF3tL0pQ2Z",
                    "refund_id": "rfnd_NkVb1c2d3e4f5G",
                    "amount_paise": 49900,
                    "kind": "policy",
                    "reason": "The mentor didn't come: the mentor never joined",
                    "status": "pending",
                    "attempts": 1,
                    "last_error": None,
                    "credit_note_number": None,
                    "created_at": "2026-12-01T11:05:00Z",
                }
            ],
        }
    )
    session_id: str
    refunds: list[RefundOut]
