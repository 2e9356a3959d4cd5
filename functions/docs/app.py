"""Docs function: one OpenAPI document for every route of every function, and its Swagger page."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from peerlearn.api import make_resolver
from peerlearn.api.routes import admin, auth, sessions, users

logger = Logger()
app = make_resolver([auth.router, users.router, sessions.router, admin.router])
_OPENAPI = {
    "title": "PeerLearn API",
    "version": "1.0.0",
    "description": "Live, paid, peer-to-peer mentorship. Errors are JSON: "
    '{"error": {"code", "message", "field"}}.',
    "security_schemes": {
        "bearerAuth": HTTPBearer(bearerFormat="JWT", description="Access token from /api/auth/login")
    },
}
app.enable_swagger(path="/api/docs", **_OPENAPI)  # type: ignore[arg-type]


@app.get("/api/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, app.get_openapi_json_schema(**_OPENAPI))  # type: ignore[arg-type]


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
