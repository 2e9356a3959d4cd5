"""/api/admin/*: platform administration. Every route checks the caller is an admin."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.accounts import admin
from peerlearn.accounts.schemas import AdminUser, AdminUserPage, BanRequest
from peerlearn.api import SECURED, CallerDep, ContextDep

router = Router()


@router.get(
    "/api/admin/users",
    summary="Find users: newest first, by name or email and role",
    tags=["admin"],
    security=SECURED,
)
def list_users(
    who: CallerDep,
    ctx: ContextDep,
    q: Annotated[str | None, Query(max_length=100, description="Part of a name or email")] = None,
    role: Literal["learner", "mentor", "admin"] | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> AdminUserPage:
    who.require_role("admin")
    return admin.list_users(
        media_base_url=ctx.settings.media_base_url, q=q, role=role, limit=limit, cursor=cursor
    )


@router.get("/api/admin/users/<user_id>", summary="One user", tags=["admin"], security=SECURED)
def view_user(user_id: str, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.view_user(media_base_url=ctx.settings.media_base_url, user_id=user_id)


@router.put(
    "/api/admin/users/<user_id>/ban",
    summary="Ban a user (with a reason); ends every sign-in",
    tags=["admin"],
    security=SECURED,
)
def ban(user_id: str, body: BanRequest, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.ban(
        media_base_url=ctx.settings.media_base_url, admin_id=who.user_id, user_id=user_id, reason=body.reason
    )


@router.delete(
    "/api/admin/users/<user_id>/ban", summary="Lift a ban (with a reason)", tags=["admin"], security=SECURED
)
def unban(user_id: str, body: BanRequest, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.unban(
        media_base_url=ctx.settings.media_base_url, admin_id=who.user_id, user_id=user_id, reason=body.reason
    )
