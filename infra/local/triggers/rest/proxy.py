"""Between HTTP and Lambda for the REST API: the proxy integration event (payload format 1.0) built
from a request, what its authorizer may see of it, and the HTTP response API Gateway builds from the
function's answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from infra.local.account import ACCOUNT_ID, execute_api_arn
from infra.local.authorizers import AuthorizationRequest
from infra.local.edge import ORIGIN_HEADER, VIEWER_ADDRESS_HEADER
from infra.local.triggers.rest.api import Endpoint, RestApi

_TEXT_TYPES = re.compile(r"^(text/|application/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded))")
_CLOUDFRONT_SPELLING = {name.lower(): name for name in (ORIGIN_HEADER, VIEWER_ADDRESS_HEADER)}
_RESPONSE_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


# ---------------------------------------------------------------------- requests
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
    """Header names as HTTP/1.1 clients usually send them (ASGI hands them over lowercased), and the
    ones CloudFront adds as it spells them."""
    known = _CLOUDFRONT_SPELLING.get(name.lower())
    return known or "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


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
