"""The events API Gateway sends for a WebSocket API: CONNECT (and its REQUEST authorizer's), MESSAGE
and DISCONNECT, built from what the gateway knows of a connection. No I/O here.
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from infra.local.account import execute_api_arn
from infra.local.authorizers import AuthorizationRequest
from infra.local.triggers.rest.proxy import canonical_header
from infra.local.triggers.websocket.api import CONNECT, DISCONNECT, WebSocketApi


def new_id() -> str:
    """An id shaped like API Gateway's connection and request ids (`L0SM9cOFvHcCIhw=`)."""
    return base64.urlsafe_b64encode(os.urandom(11)).decode("ascii")


@dataclass
class ConnectionInfo:
    """What API Gateway keeps of a connection and repeats in every event of it."""

    api: WebSocketApi
    connection_id: str
    headers: list[tuple[str, str]]  # as received, names in any case
    query_string: str
    source_ip: str
    connected_at: float = field(default_factory=time.time)  # epoch seconds
    authorizer: dict[str, Any] | None = None  # requestContext.authorizer, once allowed

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[-1] if values else None

    @property
    def domain_name(self) -> str:
        return self.header("host") or "127.0.0.1"

    @property
    def user_agent(self) -> str | None:
        return self.header("user-agent")


def request_context(
    info: ConnectionInfo, route_key: str, event_type: str, *, request_id: str | None = None
) -> dict[str, Any]:
    now = time.time()
    request_id = request_id or new_id()
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "messageDirection": "IN",
        "stage": info.api.stage,
        "connectedAt": int(info.connected_at * 1000),
        "requestTimeEpoch": int(now * 1000),
        "identity": {"userAgent": info.user_agent, "sourceIp": info.source_ip},
        "requestId": request_id,
        "domainName": info.domain_name,
        "connectionId": info.connection_id,
        "apiId": info.api.api_id,
    }
    if info.authorizer is not None:
        context["authorizer"] = dict(info.authorizer)
    return context


def _multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


def _request_parts(info: ConnectionInfo) -> dict[str, Any]:
    headers, multi_headers = _multi([(canonical_header(k), v) for k, v in info.headers])
    query, multi_query = _multi(parse_qsl(info.query_string, keep_blank_values=True))
    return {
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
    }


def connect_event(info: ConnectionInfo, request_id: str) -> dict[str, Any]:
    """The `$connect` route's event (with `requestContext.authorizer` when an authorizer allowed it)."""
    return {
        **_request_parts(info),
        "requestContext": request_context(info, CONNECT, "CONNECT", request_id=request_id),
        "isBase64Encoded": False,
    }


def authorization_request(info: ConnectionInfo, request_id: str) -> AuthorizationRequest:
    """What the `$connect` REQUEST authorizer sees: the handshake's headers and query string."""
    parts = _request_parts(info)
    return AuthorizationRequest(
        method_arn=execute_api_arn(info.api.api_id, info.api.stage, CONNECT, ""),
        headers=parts["headers"] or {},
        query=parts["queryStringParameters"] or {},
        request_fields={
            **parts,
            "stageVariables": None,
            "requestContext": request_context(info, CONNECT, "CONNECT", request_id=request_id),
        },
    )


def message_event(info: ConnectionInfo, route_key: str, data: str | bytes) -> dict[str, Any]:
    """A MESSAGE event: text frames as they are, binary ones base64-encoded."""
    context = request_context(info, route_key, "MESSAGE")
    context["messageId"] = new_id()
    if isinstance(data, bytes):
        return {
            "requestContext": context,
            "body": base64.b64encode(data).decode("ascii"),
            "isBase64Encoded": True,
        }
    return {"requestContext": context, "body": data, "isBase64Encoded": False}


def disconnect_event(info: ConnectionInfo, status_code: int, reason: str) -> dict[str, Any]:
    """The `$disconnect` event: API Gateway sends only a few headers of its own, not the client's."""
    headers = {
        "Host": info.domain_name,
        "x-api-key": "",
        "X-Forwarded-For": "",
        "x-restapi": "",
    }
    context = request_context(info, DISCONNECT, "DISCONNECT")
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    return {
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }
