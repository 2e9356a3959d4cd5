"""/api/admin/*: platform administration. Every route checks the caller is an admin."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.accounts import service
from peerlearn.accounts.schemas import Me
from peerlearn.api import SECURED, CallerDep, ContextDep

router = Router()


@router.put("/api/admin/users/<user_id>/ban", summary="Ban a user", tags=["admin"], security=SECURED)
def ban(user_id: str, who: CallerDep, ctx: ContextDep) -> Me:
    who.require_role("admin")
    return service.set_banned(ctx, admin_id=who.user_id, user_id=user_id, banned=True)


@router.delete("/api/admin/users/<user_id>/ban", summary="Lift a ban", tags=["admin"], security=SECURED)
def unban(user_id: str, who: CallerDep, ctx: ContextDep) -> Me:
    who.require_role("admin")
    return service.set_banned(ctx, admin_id=who.user_id, user_id=user_id, banned=False)
