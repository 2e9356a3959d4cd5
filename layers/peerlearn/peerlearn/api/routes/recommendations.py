"""/api/recommendations/*: sessions for the signed-in learner, trending, similar sessions, mentors
for a learner, what learners want (mentors), and the view beacon. The model is the function's
cache (appended to each request as `models`); peerlearn.recommend.serving does the rest."""

from __future__ import annotations

import logging
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.request import Request
from botocore.exceptions import ClientError

from peerlearn.accounts.authorize import authorize, bearer_token
from peerlearn.api import MAY_BE_MISSING, SECURED, CallerDep, ContextDep, current_context
from peerlearn.errors import DomainError
from peerlearn.recommend import serving
from peerlearn.recommend.artefacts import ModelCache
from peerlearn.recommend.schemas import DemandPage, MentorPicksPage, SessionPicksPage, ViewIn, ViewOut

logger = logging.getLogger(__name__)
router = Router()
TAGS = ["recommendations"]

Limit = Annotated[int, Query(ge=1, le=50, description="Items per page (1-50).")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page.")]
SessionId = Annotated[str, Path(min_length=1, max_length=64)]


def current_models(request: Request) -> ModelCache:
    """The function's model cache (the handler appends it with the Context)."""
    models = request.context.get("models")
    if not isinstance(models, ModelCache):
        raise RuntimeError("the handler did not append the model cache")
    return models


ModelsDep = Annotated[ModelCache, Depends(current_models)]


def optional_viewer(request: Request) -> str | None:
    """Who is looking at a public list, when their request carries a valid access token (the
    authorizer does not run on public routes); anyone else, a bad or an old token too, is a visitor."""
    header = request.headers.get("authorization") or request.headers.get("Authorization")
    if not header:
        return None
    try:
        return authorize(current_context(request).settings.jwt_secret, bearer_token(header)).user_id
    except DomainError:
        return None
    except ClientError:
        # the token could not be checked (a throttled read): a public list still answers, as to a visitor
        logger.warning(
            "could not check a public list's bearer token; answering as to a visitor", exc_info=True
        )
        return None


ViewerDep = Annotated[str | None, Depends(optional_viewer)]


@router.get(
    "/api/recommendations/sessions",
    summary="Sessions picked for you, each with its reason",
    tags=TAGS,
    security=SECURED,
)
def sessions_for_you(
    who: CallerDep, ctx: ContextDep, models: ModelsDep, limit: Limit = 10, cursor: Cursor = None
) -> SessionPicksPage:
    return serving.for_you(ctx, models, who.user_id, limit=limit, cursor=cursor)


@router.get(
    "/api/recommendations/trending",
    summary="Sessions popular now (bookable; signed in: without your own bookings)",
    tags=TAGS,
)
def trending(
    ctx: ContextDep, models: ModelsDep, viewer: ViewerDep, limit: Limit = 10, cursor: Cursor = None
) -> SessionPicksPage:
    return serving.trending_page(ctx, models, limit=limit, cursor=cursor, viewer=viewer)


@router.get(
    "/api/recommendations/sessions/<session_id>/similar",
    summary="Sessions like this one (signed in: without your own bookings)",
    tags=TAGS,
)
def similar_sessions(
    session_id: SessionId,
    ctx: ContextDep,
    models: ModelsDep,
    viewer: ViewerDep,
    limit: Limit = 10,
    cursor: Cursor = None,
) -> SessionPicksPage:
    return serving.similar(ctx, models, session_id, limit=limit, cursor=cursor, viewer=viewer)


@router.get(
    "/api/recommendations/mentors",
    summary="Mentors for you, with why",
    tags=TAGS,
    security=SECURED,
)
def mentors_for_you(
    who: CallerDep, ctx: ContextDep, models: ModelsDep, limit: Limit = 10, cursor: Cursor = None
) -> MentorPicksPage:
    return serving.mentors_for(ctx, models, who.user_id, limit=limit, cursor=cursor)


@router.get(
    "/api/recommendations/demand",
    summary="What learners want of the tags you teach (mentors)",
    tags=TAGS,
    security=SECURED,
)
def demand(who: CallerDep, models: ModelsDep, limit: Limit = 10) -> DemandPage:
    return serving.demand(models, user_id=who.user_id, role=who.role, limit=limit)


@router.post(
    "/api/recommendations/views",
    summary="You looked at a session (counted once a day; 120 an hour)",
    tags=TAGS,
    security=SECURED,
    responses=MAY_BE_MISSING,
)
def view(body: ViewIn, who: CallerDep) -> ViewOut:
    return ViewOut(counted=serving.record_view(who.user_id, body.session_id))
