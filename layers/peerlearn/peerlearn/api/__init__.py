"""The HTTP edge shared by every REST function: resolver setup, error mapping, the caller's identity.

Domain errors become `{"error": {"code", "message", "field"}}` here and nowhere else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import DependencyResolutionError, Depends
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import ValidationError

from peerlearn import clock
from peerlearn.context import Context
from peerlearn.errors import DomainError, Forbidden, TooManyRequests, Unauthorized

if TYPE_CHECKING:  # the models cost a third of a cold start; only the docs function builds them
    from aws_lambda_powertools.event_handler.openapi.models import OpenAPI

logger = logging.getLogger(__name__)


def error_response(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> Response[Any]:
    body = {"error": {"code": code, "message": message, "field": field, **extra}}
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _validation_message(error: dict[str, Any]) -> tuple[str | None, str]:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(p for p in loc if not p.isdigit()) or None
    kind = error.get("type", "")
    if kind == "missing":
        return field, f"{field or 'A field'} is required."
    if kind == "extra_forbidden":
        return field, f"Unknown field: {field}."
    if kind in ("json_invalid", "model_attributes_type", "dict_type") and not field:
        return None, "The request body must be a JSON object."
    message = str(error.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    return field, f"{field}: {message}" if field else message


def install_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(DomainError)
    def domain_error(exc: DomainError) -> Response[Any]:
        if isinstance(exc, TooManyRequests):
            # Both forms: seconds for programs (and Retry-After), a moment for people ("try at 4:23").
            retry_at = exc.retry_at or clock.iso(clock.now_seconds() + exc.retry_after_seconds)
            response = error_response(
                exc.status,
                exc.code,
                exc.message,
                exc.field,
                retry_after_seconds=exc.retry_after_seconds,
                retry_at=retry_at,
            )
            response.headers["Retry-After"] = str(exc.retry_after_seconds)
            return response
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @app.exception_handler(DependencyResolutionError)
    def dependency_failed(exc: DependencyResolutionError) -> Response[Any]:
        # Powertools wraps whatever a dependency raises: a domain error there (no caller) is still one.
        if isinstance(exc.__cause__, DomainError):
            return domain_error(exc.__cause__)
        return unexpected(exc)

    @app.exception_handler([RequestValidationError, ValidationError])
    def invalid_request(exc: RequestValidationError | ValidationError) -> Response[Any]:
        # Powertools validates a request before the route runs: on an admin route, someone who isn't an
        # admin hears 403 whatever they sent, never what the body should have been.
        if _admins_only(app.current_event):
            return error_response(403, "forbidden", "You are not allowed to do this.")
        errors = list(exc.errors())
        field, message = _validation_message(errors[0]) if errors else (None, "The request is not valid.")
        return error_response(400, "invalid_request", message, field)

    @app.not_found
    def not_found(_exc: Exception) -> Response[Any]:
        return error_response(404, "not_found", "There is no such endpoint.")

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response[Any]:
        logger.error("unhandled error", exc_info=exc)
        return error_response(500, "internal", "Something went wrong on our side. Please try again.")


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver whose OpenAPI document declares every error answer (api.openapi)."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPI:
        from peerlearn.api.openapi import declare_answers  # only the docs function needs it

        return declare_answers(super().get_openapi_schema(**kwargs))


def make_resolver(routers: Sequence[Router] = (), *, validation: bool = True) -> APIGatewayRestResolver:
    """`validation=False` only for routes that read no input (it loads pydantic and builds models)."""
    app = Resolver(enable_validation=validation)
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app


# The scheme itself (an OpenAPI model) is declared by the docs function: importing Powertools' OpenAPI
# models costs a third of a function's cold start, and only the document needs them.
SECURED: list[dict[str, list[str]]] = [{"bearerAuth": []}]
# The 404 a route can answer though its path names no id: it looks up an id from its body or query,
# or the caller's own record that may not exist yet. (Routes with an id in the path get it anyway.)
MAY_BE_MISSING: dict[int, Any] = {404: {"description": "Nothing with that id (or nothing set up yet)."}}


# ---------------------------------------------------------------- who is calling
@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str
    email_verified: bool

    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden("You are not allowed to do this.")


def client_address(event: APIGatewayProxyEvent) -> str:
    """The viewer's address as CloudFront reports it (`CloudFront-Viewer-Address: ip:port`).

    Trusted because the edge admits only requests carrying the origin secret, which CloudFront
    adds (and which overwrites any viewer-sent CloudFront-* header). Nothing else stands in:
    sourceIp is a CloudFront edge server shared by many viewers, X-Forwarded-For is the client's
    to write. Without the header (never behind CloudFront's AllViewerExceptHostHeader policy) the
    caller is "unknown": all such callers share one per-client allowance, which fails safe (a
    limit too tight) instead of open (a limit anyone can sidestep).
    """
    viewer = event.headers.get("cloudfront-viewer-address")
    if viewer and ":" in viewer:
        return viewer.rsplit(":", 1)[0].strip("[]") or "unknown"
    return "unknown"


def _admins_only(event: APIGatewayProxyEvent) -> bool:
    """An /api/admin route called by anyone but an admin (the authorizer's context names the role)."""
    if not (event.resource or event.path or "").startswith("/api/admin"):
        return False
    context = event.request_context.authorizer
    return not context or context.get("role") != "admin"


# ---------------------------------------------------------------- what a route may declare
# A route says what it uses in its signature: `who: CallerDep, ctx: ContextDep`.
def current_caller(request: Request) -> Caller:
    """The signed-in caller (401 when the authorizer passed none: a public route asked for one)."""
    context = cast(APIGatewayProxyEvent, request.resolved_event).request_context.authorizer
    user_id = context.get("user_id") if context else None
    if not user_id:
        raise Unauthorized("Sign in to continue.")
    return Caller(
        user_id=str(user_id),
        role=str(context.get("role", "")),
        email_verified=str(context.get("email_verified", "false")).lower() == "true",
    )


def current_context(request: Request) -> Context:
    """The cold-start Context the handler appended (`app.append_context(ctx=...)`)."""
    ctx = request.context.get("ctx")
    if not isinstance(ctx, Context):
        raise RuntimeError("the handler did not append the Context")
    return ctx


def current_client(request: Request) -> str:
    """The viewer's address, for per-client limits (see `client_address`)."""
    return client_address(cast(APIGatewayProxyEvent, request.resolved_event))


CallerDep = Annotated[Caller, Depends(current_caller)]
ContextDep = Annotated[Context, Depends(current_context)]
ClientDep = Annotated[str, Depends(current_client)]
