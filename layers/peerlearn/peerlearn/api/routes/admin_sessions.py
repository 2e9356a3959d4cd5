"""/api/admin/sessions*: the admins' view of sessions (live now, upcoming, ended, flagged), ending a
live one and resolving a flag. Served by the sessions function, which can close rooms; every route
checks the caller is an admin, and every change writes its audit entry in the same transaction."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.api import SECURED, CallerDep
from peerlearn.live import oversight
from peerlearn.live.schemas import AdminSessionOut, AdminSessionPage, EndSessionRequest, ResolveFlagRequest

router = Router()


@router.get(
    "/api/admin/sessions",
    summary="Sessions live now (with their rooms' counts), upcoming, ended or flagged for a look",
    tags=["admin"],
    security=SECURED,
)
def list_sessions(
    who: CallerDep,
    state: Literal["live", "upcoming", "ended", "flagged"] = "live",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> AdminSessionPage:
    who.require_role("admin")
    return oversight.list_sessions(state=state, limit=limit, cursor=cursor)


@router.post(
    "/api/admin/sessions/<session_id>/end",
    summary="End a live session (with a reason): room closed, everyone told and disconnected; idempotent",
    tags=["admin"],
    security=SECURED,
)
def end_session(session_id: str, body: EndSessionRequest, who: CallerDep) -> AdminSessionOut:
    who.require_role("admin")
    return oversight.end_as_admin(admin_id=who.user_id, session_id=session_id, reason=body.reason)


@router.post(
    "/api/admin/sessions/<session_id>/flags/<reason>/resolve",
    summary="Take a session's flag off the flagged list (with a note); idempotent",
    tags=["admin"],
    security=SECURED,
)
def resolve_flag(
    session_id: str,
    reason: Literal["mentor_no_show", "learner_removed", "low_rating"],
    body: ResolveFlagRequest,
    who: CallerDep,
) -> AdminSessionOut:
    who.require_role("admin")
    return oversight.resolve_flag(admin_id=who.user_id, session_id=session_id, reason=reason, note=body.note)
