"""The `@connections` management API (what boto3's `apigatewaymanagementapi` client calls with
`endpoint_url=<gateway>/<stage>`): POST sends the body to the client as one message (refused with
LimitExceededException when the client reads nothing), GET describes the connection, DELETE closes
it. Answers and errors are shaped so botocore parses them as it parses API Gateway's
(`x-amzn-ErrorType` names the exception). Requests are not signature-checked locally.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from infra.local.triggers.websocket.connections import ClientBusy, Registry

MAX_PAYLOAD_BYTES = 128 * 1024  # API Gateway's message payload limit applies to posts too
DELETED = (1000, "")  # what the client sees when the backend deletes its connection


def _error(status: int, error_type: str, message: str | None) -> Response:
    return JSONResponse({"message": message}, status_code=status, headers={"x-amzn-ErrorType": error_type})


def gone() -> Response:
    return _error(410, "GoneException", None)


def _iso(epoch_seconds: float) -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds))
        + f".{int(epoch_seconds * 1000) % 1000:03d}Z"
    )


class Management:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    async def handle(self, request: Request) -> Response:
        connection = self.registry.open(request.path_params["connection_id"])
        if request.method == "POST":
            body = await request.body()
            if len(body) > MAX_PAYLOAD_BYTES:
                return _error(413, "PayloadTooLargeException", "Request Too Long")
            if connection is None:
                return gone()
            try:
                data: str | bytes = body.decode("utf-8")
            except UnicodeDecodeError:
                data = body
            try:
                sent = await connection.send(data)
            except ClientBusy:
                return _error(429, "LimitExceededException", None)
            return Response(status_code=200) if sent else gone()
        if connection is None:
            return gone()
        if request.method == "DELETE":
            await connection.close(*DELETED)
            return Response(status_code=204)
        info = connection.info
        described: dict[str, Any] = {
            "connectedAt": _iso(info.connected_at),
            "identity": {"sourceIp": info.source_ip, "userAgent": info.user_agent},
            "lastActiveAt": _iso(connection.last_active_at),
        }
        return JSONResponse(described)
