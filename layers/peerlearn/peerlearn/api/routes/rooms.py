"""/api/sessions/{id}/room-ticket, /api/sessions/{id}/room/chat, /api/sessions/{id}/room/participants,
/api/rtc/ice-servers: entering a live room, and its mentor watching who is in it (the room itself
speaks over the WebSocket API, functions/signaling)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.api import SECURED, CallerDep, ContextDep
from peerlearn.catalog.lookup import get_session_item
from peerlearn.live import access, chat, ice, oversight, tickets
from peerlearn.live.schemas import ChatPage, IceServersOut, RoomParticipantsOut, TicketOut

router = Router()


@router.post(
    "/api/sessions/<session_id>/room-ticket",
    summary="A single-use ticket to connect to the session's room (60 s)",
    tags=["rooms"],
    security=SECURED,
)
def room_ticket(session_id: str, who: CallerDep, ctx: ContextDep) -> Response[TicketOut]:
    ticket = tickets.issue_ticket(ctx, user_id=who.user_id, user_role=who.role, session_id=session_id)
    return Response(201, content_types.APPLICATION_JSON, ticket)


@router.get(
    "/api/rtc/ice-servers",
    summary="ICE servers and time-limited TURN credentials for the rooms",
    tags=["rooms"],
    security=SECURED,
)
def ice_servers(who: CallerDep, ctx: ContextDep) -> IceServersOut:
    if ctx.turn is None:
        raise RuntimeError("this function was built without TURN settings")
    return ice.ice_servers(ctx.turn, who.user_id)


@router.get(
    "/api/sessions/<session_id>/room/chat",
    summary="The room's chat, oldest first (participants)",
    tags=["rooms"],
    security=SECURED,
)
def room_chat(
    session_id: str,
    who: CallerDep,
    after: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> ChatPage:
    access.room_role(get_session_item(session_id), who.user_id, who.role, past=True)
    return chat.history(session_id, after=after, limit=limit)


@router.get(
    "/api/sessions/<session_id>/room/participants",
    summary="Who is in the room, who was and for how long (the session's mentor and admins)",
    tags=["rooms"],
    security=SECURED,
)
def room_participants(session_id: str, who: CallerDep) -> RoomParticipantsOut:
    return oversight.room_participants(user_id=who.user_id, role=who.role, session_id=session_id)
