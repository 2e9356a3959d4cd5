"""/api/admin/broadcasts: admins announce something (or send a bulk email) to a segment of people,
preview it, test it on themselves, and watch it go out. Admins only; the stream does the sending
(peerlearn.notices.broadcasts)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.api import MAY_BE_MISSING, SECURED, CallerDep, ContextDep
from peerlearn.notices import broadcasts
from peerlearn.notices.schemas import (
    BroadcastCreate,
    BroadcastDraft,
    BroadcastOut,
    BroadcastPage,
    BroadcastPreview,
    BroadcastTestSent,
    TemplateList,
)

router = Router()


@router.post(
    "/api/admin/broadcasts",
    summary="Queue a broadcast (202: sending starts at once; idempotent by request_id)",
    tags=["admin"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def create_broadcast(body: BroadcastCreate, who: CallerDep) -> Response[BroadcastOut]:
    who.require_role("admin")
    out = broadcasts.create(admin_id=who.user_id, request=body)
    return Response(202, content_types.APPLICATION_JSON, out)


@router.get(
    "/api/admin/broadcasts", summary="Past broadcasts, newest first", tags=["admin"], security=SECURED
)
def list_broadcasts(
    who: CallerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> BroadcastPage:
    who.require_role("admin")
    return broadcasts.list_broadcasts(limit=limit, cursor=cursor)


@router.get(
    "/api/admin/broadcasts/<broadcast_id>",
    summary="One broadcast and its progress",
    tags=["admin"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def get_broadcast(broadcast_id: str, who: CallerDep) -> BroadcastOut:
    who.require_role("admin")
    return broadcasts.get_broadcast(broadcast_id)


@router.post(
    "/api/admin/broadcasts/preview",
    summary="The email one sample recipient would get, and the audience's size (nothing is sent)",
    tags=["admin"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def preview_broadcast(body: BroadcastDraft, who: CallerDep, ctx: ContextDep) -> BroadcastPreview:
    who.require_role("admin")
    return broadcasts.preview(ctx, admin_id=who.user_id, request=body)


@router.post(
    "/api/admin/broadcasts/test",
    summary="Email the broadcast to the admin only (a few per ten minutes)",
    tags=["admin"],
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def test_broadcast(body: BroadcastDraft, who: CallerDep, ctx: ContextDep) -> BroadcastTestSent:
    who.require_role("admin")
    return broadcasts.send_test(ctx, admin_id=who.user_id, request=body)


@router.get(
    "/api/admin/broadcasts/templates",
    summary="The named templates a broadcast can use",
    tags=["admin"],
    security=SECURED,
)
def list_templates(who: CallerDep) -> TemplateList:
    who.require_role("admin")
    return broadcasts.list_templates()
