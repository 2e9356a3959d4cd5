"""API Gateway REST (proxy integration, payload 1.0) for every `Type: Api` event of the template.

Routing, the Lambda authorizer, CORS preflight, gateway responses and the response mapping follow
API Gateway's documented behaviour, so a handler that works here works behind the real API:

- routes match method + path template (`{id}`, greedy `{proxy+}`); literal segments win over
  parameters, parameters over greedy ones, an exact method over ANY; one trailing slash is ignored;
- the RestApi's `Auth.DefaultAuthorizer` applies unless the event says `Auth: {Authorizer: NONE}`.
  REQUEST and TOKEN authorizers run before the function; the returned policy is evaluated against
  the method ARN (the request's real path). Locally decisions are never cached: in the cloud they
  are, per identity source, for `ReauthorizeEvery` seconds (300 by default);
- 401/403/429/5xx answers from the gateway use the RestApi's `GatewayResponses` when declared;
- `Access-Control-Allow-Origin` from the RestApi's `Cors` is added to every answer when the
  function did not set it (in the cloud only preflight comes from `Cors`; the function's own
  responses must carry the header, which Powertools' CORSConfig does);
- a function error or a malformed response is a 502 `{"message": "Internal server error"}`;
- every answer says in `Server-Timing` how long the function (`fn`) and the authorizer (`auth`) ran.

The API's shape and routing are in `api`, the event and response mapping in `proxy`, and the
authorizer runner, shared with other APIs, in `infra.local.authorizers`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from infra.local import anypath  # noqa: F401  (registers {name:anypath} before routes compile)
from infra.local.authorizers import Authorizer, authorize
from infra.local.runtime import FunctionError, Runtime, Throttled
from infra.local.triggers import TriggerContext
from infra.local.triggers.rest.api import Cors, RestApi, load_apis
from infra.local.triggers.rest.proxy import (
    HttpRequest,
    HttpResponse,
    MalformedResponse,
    authorization_request,
    map_response,
    proxy_event,
)

log = logging.getLogger(__name__)

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class RestTrigger:
    """Serves every REST API of the template under the path prefixes its endpoints declare."""

    name = "rest"

    def __init__(self, apis: Mapping[str, RestApi], runtime: Runtime) -> None:
        self.apis = dict(apis)
        self.runtime = runtime

    def routes(self) -> list[BaseRoute]:
        prefixes = sorted({_prefix(e.resource) for api in self.apis.values() for e in api.endpoints})
        if "" in prefixes:  # an endpoint at the root or under a variable: everything is the API's
            return [Route("/{path:anypath}", self.handle, methods=_ALL_METHODS)]
        routes: list[BaseRoute] = []
        for prefix in prefixes:
            routes.append(Route(prefix, self.handle, methods=_ALL_METHODS))
            routes.append(Route(prefix + "/{path:anypath}", self.handle, methods=_ALL_METHODS))
        return routes

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def await_idle(self, timeout: float) -> None:
        pass

    async def handle(self, request: Request) -> Response:
        http = HttpRequest(
            method=request.method,
            path=request.scope["path"],
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]],
            query_string=request.scope.get("query_string", b"").decode("latin-1"),
            body=await request.body(),
            source_ip=request.client.host if request.client else "127.0.0.1",
        )
        api = next(iter(self.apis.values())) if len(self.apis) == 1 else self._api_for(http)
        answer = await self.serve(api, http)
        response = Response(content=answer.body, status_code=answer.status)
        response.raw_headers = [(b"content-length", str(len(answer.body)).encode())] + [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers
        ]
        return response

    def _api_for(self, request: HttpRequest) -> RestApi:
        for api in self.apis.values():
            if api.methods_at(request.path):
                return api
        return next(iter(self.apis.values()))

    async def serve(self, api: RestApi, request: HttpRequest) -> HttpResponse:
        """One request through API Gateway: match, preflight, authorize, invoke, map, add CORS.

        `Server-Timing` tells the function's and the authorizer's invocation times (what Lambda
        bills), so a client can tell the product's cost from the local gateway's.
        """
        timings: dict[str, float] = {}
        answer = await self._serve(api, request, timings)
        if timings:
            answer.headers.append(("Server-Timing", server_timing(timings)))
        if api.cors and not any(name.lower() == "access-control-allow-origin" for name, _ in answer.headers):
            answer.headers.append(("Access-Control-Allow-Origin", api.cors.allow_origin))
        answer.headers.append(("x-amzn-RequestId", request.request_id))
        return answer

    async def _serve(self, api: RestApi, request: HttpRequest, timings: dict[str, float]) -> HttpResponse:
        matched = api.match(request.method, request.path)
        if request.method == "OPTIONS" and api.cors and matched is None and api.methods_at(request.path):
            return _preflight(api.cors, api.methods_at(request.path))
        if matched is None:
            return self._gateway(api, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", request)
        endpoint, params = matched
        event = proxy_event(api, endpoint, params, request)

        if endpoint.authorizer is not None:
            denied = await self._authorize(api, endpoint.authorizer, request, event, timings)
            if denied is not None:
                return denied

        try:
            timed = await run_in_threadpool(self.runtime.invoke_timed, endpoint.function, event)
        except Throttled:
            return self._gateway(api, "THROTTLED", "Too Many Requests", request)
        except FunctionError as exc:  # its traceback is in the function's own output
            if exc.duration_ms is not None:
                timings["fn"] = exc.duration_ms
            log.error(
                "%s failed on %s %s: %s: %s",
                endpoint.function,
                request.method,
                request.path,
                exc.error_type,
                exc,
            )
            return _internal_error(502)
        timings["fn"] = timed.duration_ms
        try:
            return map_response(timed.result)
        except MalformedResponse as exc:
            log.error("%s: malformed Lambda proxy response: %s", endpoint.function, exc)
            return _internal_error(502)

    async def _authorize(
        self,
        api: RestApi,
        authorizer: Authorizer,
        request: HttpRequest,
        event: dict[str, Any],
        timings: dict[str, float],
    ) -> HttpResponse | None:
        """None when the request may proceed (and `event` then carries the authorizer context)."""
        decision = await run_in_threadpool(
            authorize, self.runtime, authorizer, authorization_request(api, event)
        )
        if decision.duration_ms is not None:
            timings["auth"] = decision.duration_ms
        if decision.allowed:
            event["requestContext"]["authorizer"] = decision.context
            return None
        response_type, message = _REFUSALS[decision.outcome]
        return self._gateway(api, response_type, message, request)

    def _gateway(
        self, api: RestApi, response_type: str, message: str | None, request: HttpRequest
    ) -> HttpResponse:
        answer = api.gateway_response(response_type, message, request.request_id)
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", _error_type(response_type))]
        return HttpResponse(answer.status, [*headers, *answer.headers], answer.body.encode("utf-8"))


# How API Gateway answers an authorizer's other outcomes: gateway response type and message.
_REFUSALS: dict[str, tuple[str, str | None]] = {
    "deny": ("ACCESS_DENIED", "User is not authorized to access this resource with an explicit deny"),
    "implicit-deny": ("ACCESS_DENIED", "User is not authorized to access this resource"),
    "unauthorized": ("UNAUTHORIZED", "Unauthorized"),
    "throttled": ("THROTTLED", "Too Many Requests"),
    "failed": ("AUTHORIZER_FAILURE", None),
    "misconfigured": ("AUTHORIZER_CONFIGURATION_ERROR", None),
}


def server_timing(timings: Mapping[str, float]) -> str:
    """`fn;dur=12.5, auth;dur=4.3`: the function first, then the authorizer when it ran."""
    return ", ".join(f"{name};dur={timings[name]:.1f}" for name in ("fn", "auth") if name in timings)


def _prefix(resource: str) -> str:
    first = resource.strip("/").split("/")[0]
    return "" if not first or first.startswith("{") else f"/{first}"


def _error_type(response_type: str) -> str:
    return {
        "UNAUTHORIZED": "UnauthorizedException",
        "ACCESS_DENIED": "AccessDeniedException",
        "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
        "THROTTLED": "TooManyRequestsException",
    }.get(response_type, "AuthorizerConfigurationException")


def _internal_error(status: int) -> HttpResponse:
    return HttpResponse(
        status, [("Content-Type", "application/json")], b'{"message": "Internal server error"}'
    )


def _preflight(cors: Cors, methods: Iterable[str]) -> HttpResponse:
    allow_methods = cors.allow_methods or ",".join(sorted({*methods, "OPTIONS"} - {"ANY"}))
    headers = [("Content-Type", "application/json"), ("Access-Control-Allow-Origin", cors.allow_origin)]
    headers.append(("Access-Control-Allow-Methods", allow_methods))
    if cors.allow_headers:
        headers.append(("Access-Control-Allow-Headers", cors.allow_headers))
    if cors.max_age:
        headers.append(("Access-Control-Max-Age", cors.max_age))
    if cors.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return HttpResponse(200, headers, b"")


def create(context: TriggerContext) -> RestTrigger | None:
    apis = load_apis(context.template)
    return RestTrigger(apis, context.runtime) if apis else None
