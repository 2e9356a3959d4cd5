"""The WebSocket API's `@connections` management endpoint (boto3 `apigatewaymanagementapi`): push a
message to one connection, or close it. A connection that is gone (410 GoneException) is reported as
such, never raised: what to clean up is the caller's business (peerlearn.live.sockets).
"""

from __future__ import annotations

from typing import Any

_endpoint: str | None = None
_region: str | None = None
_client: Any = None


def bind(*, endpoint: str, region: str) -> None:
    """Where the management endpoint is (once per cold start; the client is made on first use)."""
    global _endpoint, _region, _client
    if (endpoint, region) != (_endpoint, _region):
        _endpoint, _region, _client = endpoint, region, None


def _connections() -> Any:
    global _client
    if _client is None:
        if _endpoint is None:
            raise RuntimeError("peerlearn.adapters.websocket.bind() was not called")
        import boto3
        from botocore.config import Config

        # A push is on the path of every message: fail fast rather than hold the sender's invocation.
        config = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})
        _client = boto3.client(
            "apigatewaymanagementapi", endpoint_url=_endpoint, region_name=_region, config=config
        )
    return _client


def _gone(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code == "GoneException" or status == 410


def post(connection_id: str, data: bytes) -> bool:
    """Sends one message; False when the connection is gone."""
    from botocore.exceptions import ClientError

    try:
        _connections().post_to_connection(ConnectionId=connection_id, Data=data)
    except ClientError as exc:
        if _gone(exc):
            return False
        raise
    return True


def close(connection_id: str) -> bool:
    """Closes a connection (API Gateway then sends `$disconnect`); False when it was already gone."""
    from botocore.exceptions import ClientError

    try:
        _connections().delete_connection(ConnectionId=connection_id)
    except ClientError as exc:
        if _gone(exc):
            return False
        raise
    return True
