"""Docs function: one OpenAPI document for every route of every function, and its Swagger page.

The page and its scripts are files (no inline script), so the site's CSP holds on /api/docs too.
The document is built on the first request for it: the page and its files need none of the
routers, their models and their domain code (two thirds of this function's cold start otherwise).
"""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from functools import cache
    from pathlib import Path
    from typing import Any

    import aws_lambda_powertools.event_handler as event_handler
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.event_handler import Response, content_types
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn.api import make_resolver
    from peerlearn.api.edge import refusal
    from peerlearn.config import origin_secret_from_env

    HERE = Path(__file__).parent
    # The Swagger UI build Powertools ships (offline); found by path, as importing its package loads
    # Powertools' OpenAPI models, which only the document needs.
    SWAGGER_UI = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"
    ASSETS = {
        "swagger-ui-bundle.js": (SWAGGER_UI / "swagger-ui-bundle.min.js", "text/javascript; charset=utf-8"),
        "swagger-ui.css": (SWAGGER_UI / "swagger-ui.min.css", "text/css; charset=utf-8"),
        "swagger-init.js": (HERE / "swagger-init.js", "text/javascript; charset=utf-8"),
    }

    logger = Logger()
    origin_secret = origin_secret_from_env()  # the docs are behind CloudFront like every route
    # Only the docs' own routes, which read no input; the API's routers are loaded by _document().
    app = make_resolver(validation=False)


@cache
def _file(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _document() -> str:
    """The OpenAPI document of every REST function's routes (the same for the process's lifetime)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    from peerlearn.api.routes import (
        admin,
        admin_sessions,
        assistant,
        auth,
        broadcasts,
        channel,
        dashboards,
        notifications,
        payments,
        payouts,
        push,
        recommendations,
        recordings,
        reports,
        rights,
        rooms,
        sessions,
        unsubscribe,
        users,
        webhooks,
    )

    routers = [auth.router, users.router, sessions.router, rooms.router, recordings.router]
    routers += [admin.router, admin_sessions.router, assistant.router, reports.router]
    notifying = [notifications.router, channel.router, push.router, unsubscribe.router, broadcasts.router]
    api = make_resolver(
        [
            *routers,
            payments.router,
            webhooks.router,
            payouts.router,
            *notifying,
            recommendations.router,
            rights.router,
            dashboards.router,
        ]
    )
    return api.get_openapi_json_schema(
        title="PeerLearn API",
        version="1.0.0",
        description="Live, paid, peer-to-peer mentorship. Errors are JSON: "
        '{"error": {"code", "message", "field"}}.',
        security_schemes={
            "bearerAuth": HTTPBearer(bearerFormat="JWT", description="Access token from /api/auth/login")
        },
    )


@app.get("/api/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, _document())


@app.get("/api/docs", include_in_schema=False)
def swagger_page() -> Response[str]:
    return Response(200, "text/html; charset=utf-8", _file(HERE / "swagger.html"))


def _asset(name: str) -> Response[str]:
    path, content_type = ASSETS[name]
    # Versioned by the deploy, not by name: a day's cache is a fair trade for a reference page.
    return Response(200, content_type, _file(path), headers={"Cache-Control": "public, max-age=86400"})


@app.get("/api/docs/swagger-ui-bundle.js", include_in_schema=False)
def swagger_bundle() -> Response[str]:
    return _asset("swagger-ui-bundle.js")


@app.get("/api/docs/swagger-ui.css", include_in_schema=False)
def swagger_css() -> Response[str]:
    return _asset("swagger-ui.css")


@app.get("/api/docs/swagger-init.js", include_in_schema=False)
def swagger_init() -> Response[str]:
    return _asset("swagger-init.js")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refusal(event, origin_secret) or app.resolve(event, context)
