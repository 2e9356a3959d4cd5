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
- a function error or a malformed response is a 502 `{"message": "Internal server error"}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from infra.local.account import ACCOUNT_ID, api_id, execute_api_arn
from infra.local.authorizers import AuthorizationRequest, Authorizer, authorize
from infra.local.runtime import FunctionError, Runtime, Throttled
from infra.local.template import Template
from infra.local.triggers import TriggerContext

log = logging.getLogger(__name__)

IMPLICIT_API = "ServerlessRestApi"
_TEXT_TYPES = re.compile(r"^(text/|application/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded))")
_RESPONSE_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


# ---------------------------------------------------------------------- the API's shape
@dataclass(frozen=True)
class Cors:
    allow_origin: str
    allow_headers: str | None = None
    allow_methods: str | None = None
    max_age: str | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Endpoint:
    """One method on one resource path, served by one function."""

    function: str
    event_name: str
    method: str  # upper case, or ANY
    resource: str  # "/api/users/{id}"
    authorizer: Authorizer | None
    pattern: re.Pattern[str] = field(compare=False, repr=False)
    specificity: tuple[int, ...] = field(compare=False, repr=False)

    @classmethod
    def build(
        cls, function: str, event_name: str, method: str, resource: str, authorizer: Authorizer | None
    ) -> Endpoint:
        pattern, specificity = compile_resource(resource)
        return cls(function, event_name, method.upper(), resource, authorizer, pattern, specificity)


@dataclass
class RestApi:
    logical_id: str
    api_id: str
    stage: str
    endpoints: list[Endpoint] = field(default_factory=list)
    cors: Cors | None = None
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)

    def match(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint API Gateway would pick for this request, with its path parameters."""
        candidates = []
        for endpoint in self.endpoints:
            if endpoint.method not in (method, "ANY"):
                continue
            params = match_resource(endpoint.pattern, path)
            if params is not None:
                candidates.append((endpoint.specificity, endpoint.method == "ANY", endpoint, params))
        if not candidates:
            return None
        _, _, endpoint, params = min(candidates, key=lambda c: (c[0], c[1]))
        return endpoint, params

    def methods_at(self, path: str) -> list[str]:
        return sorted({e.method for e in self.endpoints if match_resource(e.pattern, path) is not None})

    def gateway_response(self, response_type: str, message: str | None, request_id: str) -> GatewayResponse:
        """The answer for a gateway error, from `GatewayResponses` or API Gateway's defaults."""
        default_status, default_body = _DEFAULT_GATEWAY_RESPONSES[response_type]
        family = "DEFAULT_5XX" if default_status >= 500 else "DEFAULT_4XX"
        configured = self.gateway_responses.get(response_type) or self.gateway_responses.get(family)
        if configured is None:
            return GatewayResponse(default_status, default_body)
        status = configured.status if response_type in self.gateway_responses else default_status
        body = (
            configured.body.replace("$context.error.messageString", json.dumps(message))
            .replace("$context.error.message", message or "")
            .replace("$context.error.responseType", response_type)
            .replace("$context.requestId", request_id)
        )
        return GatewayResponse(status, body or default_body, configured.headers)


_DEFAULT_GATEWAY_RESPONSES = {
    "UNAUTHORIZED": (401, '{"message":"Unauthorized"}'),
    "ACCESS_DENIED": (403, '{"Message":"User is not authorized to access this resource"}'),
    "MISSING_AUTHENTICATION_TOKEN": (403, '{"message":"Missing Authentication Token"}'),
    "THROTTLED": (429, '{"message":"Too Many Requests"}'),
    "REQUEST_TOO_LARGE": (413, '{"message":"Request Too Long"}'),
    "AUTHORIZER_FAILURE": (500, '{"message":null}'),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, '{"message":null}'),
}


def load_apis(template: Template) -> dict[str, RestApi]:
    """Every REST API of the template with the endpoints its functions' `Api` events declare."""
    apis: dict[str, RestApi] = {}
    raw_apis = dict(template.resources_of_type("AWS::Serverless::Api"))
    for spec in template.functions().values():
        for event_name, event in spec.events.items():
            if event.get("Type") != "Api":
                continue
            raw_props = event.get("Properties", {})
            ref = raw_props.get("RestApiId", {"Ref": IMPLICIT_API})
            api_logical_id = ref["Ref"] if isinstance(ref, dict) and "Ref" in ref else str(ref)
            if api_logical_id not in apis:
                apis[api_logical_id] = _load_api(template, api_logical_id, raw_apis.get(api_logical_id))
            api = apis[api_logical_id]
            props = template.resolve(raw_props)
            authorizer = _event_authorizer(template, raw_apis.get(api_logical_id), props)
            api.endpoints.append(
                Endpoint.build(spec.logical_id, event_name, props["Method"], props["Path"], authorizer)
            )
    return apis


def _load_api(template: Template, logical_id: str, resource: dict[str, Any] | None) -> RestApi:
    props = template.resolve((resource or {}).get("Properties", {}))
    return RestApi(
        logical_id=logical_id,
        api_id=api_id(logical_id),
        stage=str(props.get("StageName", "Prod")),
        cors=_cors(props.get("Cors")),
        gateway_responses={
            name: _gateway_response(name, spec)
            for name, spec in (props.get("GatewayResponses") or {}).items()
        },
    )


def _unquote(value: Any) -> str:
    """SAM wants CORS values as quoted literals ("'*'"); the header carries what is inside."""
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def _cors(spec: Any) -> Cors | None:
    if not spec:
        return None
    if isinstance(spec, str):
        return Cors(allow_origin=_unquote(spec))
    return Cors(
        allow_origin=_unquote(spec["AllowOrigin"]),
        allow_headers=_unquote(spec["AllowHeaders"]) if "AllowHeaders" in spec else None,
        allow_methods=_unquote(spec["AllowMethods"]) if "AllowMethods" in spec else None,
        max_age=_unquote(spec["MaxAge"]) if "MaxAge" in spec else None,
        allow_credentials=bool(spec.get("AllowCredentials", False)),
    )


def _gateway_response(name: str, spec: Mapping[str, Any]) -> GatewayResponse:
    templates = spec.get("ResponseTemplates") or {}
    body = templates.get("application/json") or next(iter(templates.values()), "")
    headers = tuple(
        (header, _unquote(value))
        for header, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()
    )
    default_status = _DEFAULT_GATEWAY_RESPONSES.get(name, (400 if "4XX" in name else 500, ""))[0]
    return GatewayResponse(int(spec.get("StatusCode", default_status)), body, headers)


def _event_authorizer(
    template: Template, api_resource: dict[str, Any] | None, event_props: Mapping[str, Any]
) -> Authorizer | None:
    auth = template.resolve((api_resource or {}).get("Properties", {}).get("Auth") or {})
    name = (event_props.get("Auth") or {}).get("Authorizer") or auth.get("DefaultAuthorizer")
    if not name or name == "NONE" or name == "AWS_IAM":
        return None
    spec = auth["Authorizers"][name]
    raw_arn = (api_resource or {})["Properties"]["Auth"]["Authorizers"][name]["FunctionArn"]
    if not (isinstance(raw_arn, dict) and "Fn::GetAtt" in raw_arn):
        raise ValueError(f"authorizer {name}: FunctionArn must be !GetAtt <Function>.Arn to run locally")
    identity = spec.get("Identity") or {}
    payload_type = spec.get("FunctionPayloadType", "TOKEN")
    headers = identity.get("Headers") or (
        [] if payload_type == "REQUEST" else [identity.get("Header", "Authorization")]
    )
    return Authorizer(
        name=name,
        function=raw_arn["Fn::GetAtt"][0],
        payload_type=payload_type,
        identity_headers=tuple(headers),
        identity_query_strings=tuple(identity.get("QueryStrings") or ()),
        reauthorize_every_seconds=int(identity.get("ReauthorizeEvery", 300)),
    )


# ---------------------------------------------------------------------- paths
def compile_resource(resource: str) -> tuple[re.Pattern[str], tuple[int, ...]]:
    """A regex for a resource path and its specificity (literal 0 < {param} 1 < {greedy+} 2)."""
    parts, specificity = [], []
    for segment in resource.strip("/").split("/") if resource.strip("/") else []:
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(f"(?P<{_group(segment[1:-2])}>.+)")
            specificity.append(2)
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append(f"(?P<{_group(segment[1:-1])}>[^/]+)")
            specificity.append(1)
        else:
            parts.append(re.escape(segment))
            specificity.append(0)
    return re.compile("/" + "/".join(parts)), tuple(specificity)


def _group(name: str) -> str:
    # Regex group names must be identifiers; path parameter names may hold "-" or ".".
    return "p_" + "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in name)


def _param_name(group: str) -> str:
    return re.sub(r"_([0-9a-f]+)_", lambda m: chr(int(m.group(1), 16)), group.removeprefix("p_"))


def match_resource(pattern: re.Pattern[str], path: str) -> dict[str, str] | None:
    """Path parameters when `path` matches, ignoring one trailing slash as API Gateway REST does."""
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    found = pattern.fullmatch(path)
    if found is None:
        return None
    return {_param_name(name): value for name, value in found.groupdict().items()}


# ---------------------------------------------------------------------- events
@dataclass(frozen=True)
class HttpRequest:
    """What the gateway received, independent of the web framework."""

    method: str
    path: str  # decoded, as the client sent it
    headers: list[tuple[str, str]]
    query_string: str = ""
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    received_at: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[-1] if values else None


def canonical_header(name: str) -> str:
    """Header names as HTTP/1.1 clients usually send them (ASGI hands them over lowercased)."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _headers(request: HttpRequest) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    multi: dict[str, list[str]] = {}
    for name, value in request.headers:
        multi.setdefault(canonical_header(name), []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


def _query(request: HttpRequest) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.query_string, keep_blank_values=True):
        multi.setdefault(name, []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


def _body(request: HttpRequest) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    content_type = (request.header("content-type") or "").lower()
    if _TEXT_TYPES.match(content_type) or not content_type:
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode("ascii"), True


def method_arn(api: RestApi, method: str, path: str) -> str:
    return execute_api_arn(api.api_id, api.stage, method, path)


def request_context(api: RestApi, endpoint: Endpoint, request: HttpRequest) -> dict[str, Any]:
    received = time.gmtime(request.received_at)
    return {
        "accountId": ACCOUNT_ID,
        "apiId": api.api_id,
        "domainName": request.header("host") or "127.0.0.1",
        "domainPrefix": (request.header("host") or "127.0.0.1").split(".")[0],
        "extendedRequestId": request.request_id,
        "httpMethod": request.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": request.header("user-agent"),
            "userArn": None,
        },
        "path": f"/{api.stage}{request.path}",
        "protocol": "HTTP/1.1",
        "requestId": request.request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", received),
        "requestTimeEpoch": int(request.received_at * 1000),
        "resourceId": hashlib.sha256(endpoint.resource.encode()).hexdigest()[:6],
        "resourcePath": endpoint.resource,
        "stage": api.stage,
    }


def proxy_event(
    api: RestApi, endpoint: Endpoint, params: dict[str, str], request: HttpRequest
) -> dict[str, Any]:
    """The Lambda proxy integration event (payload format 1.0), without `requestContext.authorizer`."""
    headers, multi_headers = _headers(request)
    query, multi_query = _query(request)
    body, is_base64 = _body(request)
    return {
        "resource": endpoint.resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": request_context(api, endpoint, request),
        "body": body,
        "isBase64Encoded": is_base64,
    }


def authorization_request(api: RestApi, proxy: Mapping[str, Any]) -> AuthorizationRequest:
    """What the authorizer sees of the request in `proxy`: everything but the body."""
    fields = (
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext",
    )
    return AuthorizationRequest(
        method_arn=method_arn(api, proxy["httpMethod"], proxy["path"]),
        headers=proxy["headers"] or {},
        query=proxy["queryStringParameters"] or {},
        request_fields={name: proxy[name] for name in fields},
    )


# ---------------------------------------------------------------------- responses
class MalformedResponse(ValueError):
    """The function's answer is not a proxy integration response (API Gateway says 502)."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def map_response(result: Any) -> HttpResponse:
    """The HTTP response API Gateway builds from a proxy integration result."""
    if not isinstance(result, Mapping):
        raise MalformedResponse(f"the function returned a {type(result).__name__}, not an object")
    unknown = set(result) - _RESPONSE_KEYS
    if unknown:
        raise MalformedResponse(f"unexpected keys in the response: {sorted(unknown)}")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool):
        raise MalformedResponse(f"statusCode must be an integer, not {status!r}")

    merged: dict[str, list[str]] = {}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        merged[name] = [str(v) for v in (values if isinstance(values, list) else [values])]
    for name, value in (result.get("headers") or {}).items():
        if str(value) not in merged.setdefault(name, []):
            merged[name].append(str(value))
    if not any(name.lower() == "content-type" for name in merged):
        merged["Content-Type"] = ["application/json"]

    body = result.get("body")
    if body is None:
        content = b""
    elif result.get("isBase64Encoded"):
        try:
            content = base64.b64decode(str(body), validate=True)
        except binascii.Error as exc:
            raise MalformedResponse("isBase64Encoded is set but the body is not base64") from exc
    else:
        content = str(body).encode("utf-8")
    return HttpResponse(status, [(k, v) for k, values in merged.items() for v in values], content)


# ---------------------------------------------------------------------- the trigger
class RestTrigger:
    """Serves every REST API of the template under the path prefixes its endpoints declare."""

    name = "rest"

    def __init__(self, apis: Mapping[str, RestApi], runtime: Runtime) -> None:
        self.apis = dict(apis)
        self.runtime = runtime

    def routes(self) -> list[BaseRoute]:
        prefixes = sorted({_prefix(e.resource) for api in self.apis.values() for e in api.endpoints})
        if "" in prefixes:  # an endpoint at the root or under a variable: everything is the API's
            return [Route("/{path:path}", self.handle, methods=_ALL_METHODS)]
        routes: list[BaseRoute] = []
        for prefix in prefixes:
            routes.append(Route(prefix, self.handle, methods=_ALL_METHODS))
            routes.append(Route(prefix + "/{path:path}", self.handle, methods=_ALL_METHODS))
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
