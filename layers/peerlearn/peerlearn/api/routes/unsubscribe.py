"""/api/notifications/unsubscribe: one-click unsubscribe from one category of email (RFC 8058).

Public: the signed token in the query is the authentication (no sign-in: mail clients POST it from
their servers, and people open the link on devices where they aren't signed in). Limited per client.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn import ratelimit
from peerlearn.api import MAY_BE_MISSING, ClientDep, ContextDep
from peerlearn.errors import TooManyRequests
from peerlearn.notify import unsubscribe
from peerlearn.shapes import Shape

router = Router()

# Generous: one person clicking through a few emails, or a mail provider's one-click POSTs arriving
# from a shared address, stay well under it; a script guessing tokens does not.
CALLS_PER_CLIENT = ratelimit.Limit("unsubscribe-client", max_hits=60, window_seconds=600)

Token = Annotated[str, Query(min_length=1, max_length=200, description="The token from the email's link")]


class SubscriptionOut(Shape):
    category: str
    label: str
    email: str  # masked: a@… is enough to recognise, not to harvest
    subscribed: bool


class UnsubscribedOut(Shape):
    category: str
    unsubscribed: bool


def _limit(client: str) -> None:
    wait = ratelimit.acquire(CALLS_PER_CLIENT, client)
    if wait:
        raise TooManyRequests(
            "Too many unsubscribe requests. Please wait a moment.", retry_after_seconds=wait
        )


@router.get(
    "/api/notifications/unsubscribe",
    summary="What an unsubscribe link would turn off",
    description="No sign-in: the token is the authentication. 60 calls per 10 minutes per client.",
    tags=["notifications"],
    responses=MAY_BE_MISSING,
)
def describe(token: Token, ctx: ContextDep, client: ClientDep) -> SubscriptionOut:
    _limit(client)
    found = unsubscribe.describe(ctx.settings.jwt_secret, token)
    return SubscriptionOut(
        category=found.category.name,
        label=found.category.label,
        email=found.email,
        subscribed=found.subscribed,
    )


@router.post(
    "/api/notifications/unsubscribe",
    summary="Stop one category of email (one-click, RFC 8058)",
    description="No sign-in: the token is the authentication. Mail clients send the form body "
    "`List-Unsubscribe=One-Click`; the web page sends JSON; the body is not needed. Idempotent.",
    tags=["notifications"],
    responses=MAY_BE_MISSING,
)
def unsubscribe_one_click(token: Token, ctx: ContextDep, client: ClientDep) -> UnsubscribedOut:
    _limit(client)
    category = unsubscribe.unsubscribe(ctx.settings.jwt_secret, token)
    return UnsubscribedOut(category=category.name, unsubscribed=True)
