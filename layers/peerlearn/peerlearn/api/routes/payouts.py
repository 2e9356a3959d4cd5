"""/api/me/payout-account|earnings|withdrawals and /api/admin/withdrawals: mentor payouts.

The payouts function alone serves these (only it may open sealed bank details). Mentors' routes check
the mentor role, admins' the admin role; each calls one peerlearn.payouts function.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.request import Request

from peerlearn.api import MAY_BE_MISSING, SECURED, Caller, CallerDep
from peerlearn.errors import Forbidden
from peerlearn.payouts import approval, bank, earnings, withdrawals
from peerlearn.payouts.schemas import (
    EarningsOut,
    PayoutAccountOut,
    PayoutAccountRequest,
    RejectRequest,
    WithdrawalOut,
    WithdrawalPage,
    WithdrawalRequest,
    WithdrawalStatus,
)
from peerlearn.payouts.wiring import Payouts

router = Router()


def current_payouts(request: Request) -> Payouts:
    """What the payouts function built at cold start (`app.append_context(payouts=...)`)."""
    payouts = request.context.get("payouts")
    if not isinstance(payouts, Payouts):
        raise RuntimeError("the handler did not append the Payouts")
    return payouts


PayoutsDep = Annotated[Payouts, Depends(current_payouts)]


def require_verified_mentor(who: Caller) -> None:
    """Money moves only for mentors whose email we know reaches them (they hear of every change)."""
    who.require_role("mentor")
    if not who.email_verified:
        raise Forbidden("Verify your email before setting up payouts.", code="email_not_verified")


Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=512)]


@router.get(
    "/api/me/payout-account",
    summary="Your payout account, masked",
    tags=["payouts"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def get_payout_account(who: CallerDep) -> PayoutAccountOut:
    who.require_role("mentor")
    return bank.get_account(who.user_id)


@router.put(
    "/api/me/payout-account",
    summary="Set where your payouts go (legal name, PAN, bank account, IFSC)",
    tags=["payouts"],
    security=SECURED,
)
def set_payout_account(body: PayoutAccountRequest, who: CallerDep, payouts: PayoutsDep) -> PayoutAccountOut:
    require_verified_mentor(who)
    return bank.set_account(payouts, mentor_id=who.user_id, details=body)


@router.get(
    "/api/me/earnings",
    summary="Your earnings: pending, available, withdrawn, and by week",
    tags=["payouts"],
    security=SECURED,
)
def get_earnings(who: CallerDep, payouts: PayoutsDep) -> EarningsOut:
    who.require_role("mentor")
    return earnings.earnings(who.user_id, min_withdrawal_paise=payouts.settings.min_withdrawal_paise)


@router.post(
    "/api/me/withdrawals",
    summary="Withdraw available money to your bank account",
    tags=["payouts"],
    security=SECURED,
)
def withdraw(body: WithdrawalRequest, who: CallerDep, payouts: PayoutsDep) -> Response[WithdrawalOut]:
    require_verified_mentor(who)
    made = approval.withdraw(payouts, mentor_id=who.user_id, amount_paise=body.amount_paise)
    return Response(201, content_types.APPLICATION_JSON, made)


@router.get(
    "/api/me/withdrawals", summary="Your withdrawals, newest first", tags=["payouts"], security=SECURED
)
def my_withdrawals(who: CallerDep, limit: Limit = 20, cursor: Cursor = None) -> WithdrawalPage:
    who.require_role("mentor")
    return withdrawals.list_mine(who.user_id, limit=limit, cursor=cursor)


@router.get(
    "/api/admin/withdrawals",
    summary="Withdrawals by status, oldest first (default: waiting for a decision)",
    tags=["admin"],
    security=SECURED,
)
def list_withdrawals(
    who: CallerDep, status: WithdrawalStatus = "requested", limit: Limit = 20, cursor: Cursor = None
) -> WithdrawalPage:
    who.require_role("admin")
    return withdrawals.list_by_status(status, limit=limit, cursor=cursor)


@router.post(
    "/api/admin/withdrawals/<withdrawal_id>/approve",
    summary="Approve a withdrawal and pay it out (again: retries a payout Razorpay didn't take)",
    tags=["admin"],
    security=SECURED,
)
def approve_withdrawal(withdrawal_id: str, who: CallerDep, payouts: PayoutsDep) -> WithdrawalOut:
    who.require_role("admin")
    return approval.approve(payouts, withdrawal_id=withdrawal_id, admin_id=who.user_id)


@router.post(
    "/api/admin/withdrawals/<withdrawal_id>/reject",
    summary="Reject a withdrawal with a reason; the money goes back to available",
    tags=["admin"],
    security=SECURED,
)
def reject_withdrawal(withdrawal_id: str, body: RejectRequest, who: CallerDep) -> WithdrawalOut:
    who.require_role("admin")
    return approval.reject(withdrawal_id=withdrawal_id, admin_id=who.user_id, reason=body.reason)
