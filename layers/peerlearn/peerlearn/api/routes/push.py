"""/api/notifications/push/*: the VAPID public key browsers subscribe with, and a person's push
devices (subscribe this browser, unsubscribe it)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.api import SECURED, CallerDep, ContextDep
from peerlearn.config import PushSettings
from peerlearn.context import Context
from peerlearn.errors import Unavailable
from peerlearn.notify import push_devices
from peerlearn.notify.push_devices import PushKeyOut, PushSubscriptionIn, PushSubscriptionOut

router = Router()


def _push(ctx: Context) -> PushSettings:
    if ctx.push is None:
        raise Unavailable("Push notifications are not set up here.", code="push_unavailable")
    return ctx.push


@router.get(
    "/api/notifications/push/key",
    summary="The VAPID public key (applicationServerKey) to subscribe a browser with",
    tags=["notifications"],
    security=SECURED,
)
def push_key(who: CallerDep, ctx: ContextDep) -> PushKeyOut:
    return PushKeyOut(public_key=_push(ctx).public_key)


@router.post(
    "/api/notifications/push/subscriptions",
    summary="Subscribe this browser to push notifications (its PushSubscription; a known push service only)",
    tags=["notifications"],
    security=SECURED,
)
def subscribe(body: PushSubscriptionIn, who: CallerDep, ctx: ContextDep) -> Response[PushSubscriptionOut]:
    created = push_devices.subscribe(_push(ctx), who.user_id, body)
    return Response(201, content_types.APPLICATION_JSON, created)


@router.delete(
    "/api/notifications/push/subscriptions/<subscription_id>",
    summary="Stop push notifications to one of your devices (idempotent)",
    tags=["notifications"],
    security=SECURED,
    responses={204: {"description": "Unsubscribed (or it already was)."}},
)
def unsubscribe(subscription_id: str, who: CallerDep) -> Response[str]:
    push_devices.unsubscribe(who.user_id, subscription_id)
    return Response(204, content_types.TEXT_PLAIN, "")
