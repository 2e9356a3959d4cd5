"""/api/admin/*: platform administration. Every route checks the caller is an admin."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.accounts import service
from peerlearn.accounts.schemas import Me
from peerlearn.api import SECURED, caller
from peerlearn.api.routes import context_of

router = Router()


def _admin_id() -> str:
    who = caller(router)
    who.require_role("admin")
    return who.user_id


@router.put("/api/admin/users/<user_id>/ban", summary="Ban a user", tags=["admin"], security=SECURED)
def ban(user_id: str) -> Me:
    return service.set_banned(context_of(router), admin_id=_admin_id(), user_id=user_id, banned=True)


@router.delete("/api/admin/users/<user_id>/ban", summary="Lift a ban", tags=["admin"], security=SECURED)
def unban(user_id: str) -> Me:
    return service.set_banned(context_of(router), admin_id=_admin_id(), user_id=user_id, banned=False)
