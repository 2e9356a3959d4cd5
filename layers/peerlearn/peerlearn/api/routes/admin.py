"""/api/admin/*: platform administration. Every route checks the caller is an admin; every change
writes its audit entry (peerlearn.audit) in the same transaction."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn import audit
from peerlearn.accounts import admin
from peerlearn.accounts.schemas import (
    AdminProfileChanges,
    AdminUser,
    AdminUserPage,
    BanRequest,
    ReasonRequest,
    RoleChangeRequest,
    VerifyRequest,
)
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


@router.patch(
    "/api/admin/users/<user_id>",
    summary="Edit someone's profile (the profile's own fields and checks; an optional reason)",
    tags=["admin"],
    security=SECURED,
)
def update_user(user_id: str, body: AdminProfileChanges, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.update_profile(
        media_base_url=ctx.settings.media_base_url, admin_id=who.user_id, user_id=user_id, changes=body
    )


@router.post(
    "/api/admin/users/<user_id>/deactivate",
    summary="Deactivate an account (with a reason): sign-in refused, every sign-in ended",
    tags=["admin"],
    security=SECURED,
)
def deactivate(user_id: str, body: ReasonRequest, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.deactivate(
        media_base_url=ctx.settings.media_base_url, admin_id=who.user_id, user_id=user_id, reason=body.reason
    )


@router.post(
    "/api/admin/users/<user_id>/activate",
    summary="Activate a deactivated account again (with a reason)",
    tags=["admin"],
    security=SECURED,
)
def activate(user_id: str, body: ReasonRequest, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.activate(
        media_base_url=ctx.settings.media_base_url, admin_id=who.user_id, user_id=user_id, reason=body.reason
    )


@router.post(
    "/api/admin/users/<user_id>/verify",
    summary="Mark someone's email address verified",
    tags=["admin"],
    security=SECURED,
)
def verify(user_id: str, body: VerifyRequest, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.verify_email(
        media_base_url=ctx.settings.media_base_url, admin_id=who.user_id, user_id=user_id, reason=body.reason
    )


@router.put(
    "/api/admin/users/<user_id>/role",
    summary="Change a role, learner <-> mentor (with a reason); admins are made by the operator only",
    tags=["admin"],
    security=SECURED,
)
def change_role(user_id: str, body: RoleChangeRequest, who: CallerDep, ctx: ContextDep) -> AdminUser:
    who.require_role("admin")
    return admin.change_role(
        media_base_url=ctx.settings.media_base_url,
        admin_id=who.user_id,
        user_id=user_id,
        role=body.role,
        reason=body.reason,
    )


@router.get(
    "/api/admin/audit",
    summary="The audit log, newest first: by target, by admin, or all (read-only)",
    tags=["admin"],
    security=SECURED,
)
def list_audit(
    who: CallerDep,
    target: Annotated[str | None, Query(min_length=1, max_length=64, description="A target's id")] = None,
    actor: Annotated[str | None, Query(min_length=1, max_length=64, description="An admin's id")] = None,
    action: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z_]{1,32}\.[a-z_]{1,32}$",
            description="One action, e.g. user.ban: matches among each page's entries (a page may have none)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> audit.AuditPage:
    who.require_role("admin")
    return audit.list_entries(target=target, actor=actor, action=action, limit=limit, cursor=cursor)
