"""/api/notifications/channel-ticket: a ticket for the caller's user channel, the WebSocket
connection that carries their notifications live (functions/signaling answers it)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.api import SECURED, CallerDep, ContextDep
from peerlearn.notify import channel
from peerlearn.notify.channel import ChannelTicketOut

router = Router()


@router.post(
    "/api/notifications/channel-ticket",
    summary="A single-use ticket to open your notification channel (60 s)",
    tags=["notifications"],
    security=SECURED,
)
def channel_ticket(who: CallerDep, ctx: ContextDep) -> Response[ChannelTicketOut]:
    ticket = channel.issue_ticket(ctx, who.user_id)
    return Response(201, content_types.APPLICATION_JSON, ticket)
