"""What CloudFront does in front of the API and the site, played by the local gateway.

Every request gets the secret origin header (`X-PeerLearn-Origin`, which the REST functions require)
and `CloudFront-Viewer-Address: <ip>:<port>` of the real socket peer; copies a client sent are
dropped first, as CloudFront overwrites them.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

ORIGIN_HEADER = "X-PeerLearn-Origin"
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"


@dataclass(frozen=True)
class Edge:
    origin_secret: str


class EdgeMiddleware:
    """ASGI middleware: CloudFront's origin request headers in."""

    def __init__(self, app: ASGIApp, edge: Edge) -> None:
        self.app = app
        self.edge = edge
        self._replaced = {ORIGIN_HEADER.lower().encode(), VIEWER_ADDRESS_HEADER.lower().encode()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer_host, peer_port = scope.get("client") or ("127.0.0.1", 0)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in self._replaced]
        headers.append((ORIGIN_HEADER.lower().encode(), self.edge.origin_secret.encode("latin-1")))
        headers.append((VIEWER_ADDRESS_HEADER.lower().encode(), f"{peer_host}:{peer_port}".encode("latin-1")))
        await self.app({**scope, "headers": headers}, receive, send)
