"""/api/payments/*, /api/gift/*, /api/admin/payments|refunds|revenue|reconciliation: money in.

Each route checks who may call it and calls one payments function. Receipts are served at
GET /api/payments/{id}/receipt (the payer or an admin); the receipt carries its number.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.api import MAY_BE_MISSING, SECURED, CallerDep, ContextDep
from peerlearn.payments import admin, gifts, noshow, orders, views
from peerlearn.payments.schemas import (
    AdminRefundRequest,
    BookingOrderRequest,
    BookingVerifyRequest,
    GiftRequest,
    GiftVerifyRequest,
    MentorNoShowOut,
    MentorNoShowRequest,
    OrderOut,
    PaymentDetail,
    PaymentPage,
    ReceiptOut,
    ReconciliationOut,
    RefundOut,
    RefundPage,
    RefundPolicyOut,
    RevenueOut,
    VerifyOut,
)

router = Router()

Limit = Annotated[int, Query(ge=1, le=50)]
Cursor = Annotated[str | None, Query(max_length=2000)]
SessionId = Annotated[str, Query(min_length=1, max_length=40)]
Learner = Annotated[str | None, Query(min_length=1, max_length=254, description="A learner's id or email")]
DayFrom = Annotated[str | None, Query(alias="from", max_length=10, description="YYYY-MM-DD (India)")]
DayTo = Annotated[str | None, Query(alias="to", max_length=10, description="YYYY-MM-DD, inclusive")]


# ---------------------------------------------------------------- paying for a held seat
@router.post(
    "/api/payments/create/",
    summary="A Razorpay order for your held seat (the same one if asked again)",
    tags=["payments"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def create_order(body: BookingOrderRequest, who: CallerDep, ctx: ContextDep) -> Response[OrderOut]:
    order = orders.create_booking_order(ctx, learner_id=who.user_id, request=body)
    return Response(201, content_types.APPLICATION_JSON, order)


@router.post(
    "/api/payments/verify/",
    summary="Checkout's result: checked with Razorpay, then the booking confirmed",
    tags=["payments"],
    security=SECURED,
)
def verify(body: BookingVerifyRequest, who: CallerDep, ctx: ContextDep) -> VerifyOut:
    return orders.verify_booking(ctx, learner_id=who.user_id, request=body)


@router.get("/api/payments/history/", summary="Your payments", tags=["payments"], security=SECURED)
def history(who: CallerDep, limit: Limit = 20, cursor: Cursor = None) -> PaymentPage:
    return views.history(user_id=who.user_id, limit=limit, cursor=cursor)


@router.get(
    "/api/payments/policy",
    summary="A session's refund policy (shown before paying)",
    tags=["payments"],
    responses=MAY_BE_MISSING,
)
def policy(session_id: SessionId, ctx: ContextDep) -> RefundPolicyOut:
    return views.policy(session_id=session_id, cutoff_hours=ctx.settings.booking_cancel_cutoff_hours)


@router.get(
    "/api/payments/<payment_id>/receipt",
    summary="A payment's receipt (the payer or an admin)",
    tags=["payments"],
    security=SECURED,
)
def receipt(payment_id: str, who: CallerDep) -> ReceiptOut:
    return views.receipt(user_id=who.user_id, role=who.role, payment_id=payment_id)


# ---------------------------------------------------------------- gifts
@router.post(
    "/api/gift/create/",
    summary="A Razorpay order for a gift in a live session",
    tags=["gifts"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def create_gift(body: GiftRequest, who: CallerDep, ctx: ContextDep) -> Response[OrderOut]:
    order = gifts.create_gift_order(ctx, learner_id=who.user_id, request=body)
    return Response(201, content_types.APPLICATION_JSON, order)


@router.post(
    "/api/gift/verify/",
    summary="Checkout's result for a gift",
    tags=["gifts"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def verify_gift(body: GiftVerifyRequest, who: CallerDep, ctx: ContextDep) -> VerifyOut:
    return gifts.verify_gift(ctx, learner_id=who.user_id, request=body)


# ---------------------------------------------------------------- admins
@router.get(
    "/api/admin/payments",
    summary="Payments, newest first; one learner's (id or email) and between two days (India) if asked",
    tags=["admin"],
    security=SECURED,
)
def admin_payments(
    who: CallerDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    learner: Learner = None,
    date_from: DayFrom = None,
    date_to: DayTo = None,
) -> PaymentPage:
    who.require_role("admin")
    return admin.payments(limit=limit, cursor=cursor, learner=learner, from_date=date_from, to_date=date_to)


@router.get(
    "/api/admin/payments/<payment_id>",
    summary="One payment, its split and refunds",
    tags=["admin"],
    security=SECURED,
)
def admin_payment(payment_id: str, who: CallerDep) -> PaymentDetail:
    who.require_role("admin")
    return admin.payment(payment_id)


@router.post(
    "/api/admin/payments/<payment_id>/refund",
    summary="Refund a payment fully or partly, with a reason (idempotent by request_id)",
    tags=["admin"],
    security=SECURED,
)
def admin_refund(
    payment_id: str, body: AdminRefundRequest, who: CallerDep, ctx: ContextDep
) -> Response[RefundOut]:
    who.require_role("admin")
    made = admin.refund(ctx, admin_id=who.user_id, payment_id=payment_id, request=body)
    return Response(202, content_types.APPLICATION_JSON, made)


@router.post(
    "/api/admin/sessions/<session_id>/mentor-no-show",
    summary="The mentor didn't come: refund every paid seat of the session in full (idempotent)",
    tags=["admin"],
    security=SECURED,
)
def admin_mentor_no_show(
    session_id: str, body: MentorNoShowRequest, who: CallerDep, ctx: ContextDep
) -> MentorNoShowOut:
    who.require_role("admin")
    return noshow.refund_mentor_no_show(ctx, admin_id=who.user_id, session_id=session_id, reason=body.reason)


@router.get(
    "/api/admin/refunds",
    summary="Refunds, newest first (due=true: not accepted yet or failed)",
    tags=["admin"],
    security=SECURED,
)
def admin_refunds(who: CallerDep, due: bool = False, limit: Limit = 20, cursor: Cursor = None) -> RefundPage:
    who.require_role("admin")
    return admin.refund_list(due_only=due, limit=limit, cursor=cursor)


@router.get("/api/admin/revenue", summary="Platform revenue and taxes held", tags=["admin"], security=SECURED)
def admin_revenue(who: CallerDep) -> RevenueOut:
    who.require_role("admin")
    return admin.revenue()


@router.get(
    "/api/admin/reconciliation",
    summary="The last nightly reconciliation: the books, and against Razorpay's settlement report",
    tags=["admin"],
    security=SECURED,
)
def admin_reconciliation(who: CallerDep) -> ReconciliationOut:
    who.require_role("admin")
    return admin.latest_reconciliation()
