"""People's data: download it (/api/me/export), delete the account (DELETE /api/me), and the admins'
list of these requests (/api/admin/data-requests) with the step a waiting deletion needs from them."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.api import SECURED, CallerDep, ContextDep
from peerlearn.rights import deletion, export, requests
from peerlearn.rights.schemas import (
    AccountDeleted,
    AdminDeleteAccountRequest,
    DataRequestOut,
    DataRequestPage,
    DeleteAccountRequest,
)

router = Router()


@router.get(
    "/api/me/export",
    summary="Download everything we hold about you (JSON; a few times an hour)",
    tags=["users"],
    security=SECURED,
)
def export_me(who: CallerDep) -> Response[dict[str, Any]]:
    filename, document = export.export(who.user_id)
    # The JSON object it is, so the API document declares an object (not a string).
    return Response(
        200,
        "application/json",
        json.loads(document),
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.delete(
    "/api/me",
    summary="Delete your account (your password, and confirm: DELETE)",
    tags=["users"],
    security=SECURED,
)
def delete_me(body: DeleteAccountRequest, who: CallerDep, ctx: ContextDep) -> AccountDeleted:
    return deletion.delete_account(ctx, user_id=who.user_id, password=body.password)


@router.get(
    "/api/admin/data-requests",
    summary="People's data requests (exports, deletions), newest first",
    tags=["admin"],
    security=SECURED,
)
def list_data_requests(
    who: CallerDep,
    status: Literal["waiting_admin", "completed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DataRequestPage:
    who.require_role("admin")
    return requests.list_requests(status=status, limit=limit)


@router.post(
    "/api/admin/data-requests/<request_id>/complete",
    summary="Complete a deletion that waited for an admin (its withdrawals paid)",
    tags=["admin"],
    security=SECURED,
)
def complete_data_request(request_id: str, who: CallerDep, ctx: ContextDep) -> DataRequestOut:
    who.require_role("admin")
    return requests.to_out(deletion.complete(ctx, admin_id=who.user_id, request_id=request_id))


@router.post(
    "/api/admin/users/<user_id>/delete",
    summary="Delete an account for its owner (who can't sign in to do it): audited, with a reason",
    tags=["admin"],
    security=SECURED,
)
def delete_for_person(
    user_id: str, body: AdminDeleteAccountRequest, who: CallerDep, ctx: ContextDep
) -> AccountDeleted:
    who.require_role("admin")
    return deletion.delete_for_person(ctx, admin_id=who.user_id, user_id=user_id, reason=body.reason)
