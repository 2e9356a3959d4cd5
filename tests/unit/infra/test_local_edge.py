"""The gateway as CloudFront: the origin header and viewer address it adds, the headers it answers with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from infra.local.edge import Edge
from infra.local.gateway import DevResources, create_app

SECRET = "origin-secret-for-the-edge-tests-0123456789"


class EchoTrigger:
    """A REST stand-in answering with the headers the function would get."""

    name = "echo"

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/echo", self.echo, methods=["GET"])]

    async def echo(self, request: Request) -> Response:
        return JSONResponse([[k.decode(), v.decode()] for k, v in request.scope["headers"]])

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def await_idle(self, timeout: float) -> None: ...


def call(
    app: Any,
    path: str,
    headers: dict[str, str] | None = None,
    peer: tuple[str, int] = ("198.51.100.7", 50123),
) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000") as client:
            return await client.get(path, headers=headers)

    return anyio.run(send)


@pytest.fixture
def resources(tmp_path: Path) -> DevResources:
    return DevResources(
        web_dist=tmp_path / "dist",
        outbox_dir=tmp_path / "outbox",
        uploads_dir=tmp_path / "uploads",
        upload_secret="unused",
    )


def received(reply: httpx.Response, name: str) -> list[str]:
    return [value for key, value in reply.json() if key == name.lower()]


def test_the_function_gets_the_origin_secret_and_not_a_client_sent_one(resources: DevResources) -> None:
    app = create_app([EchoTrigger()], resources, Edge(origin_secret=SECRET))

    reply = call(app, "/api/echo", {"X-PeerLearn-Origin": "guessed"})

    assert received(reply, "X-PeerLearn-Origin") == [SECRET]


def test_the_viewer_address_is_the_socket_peer_and_a_client_sent_one_never_passes(
    resources: DevResources,
) -> None:
    app = create_app([EchoTrigger()], resources, Edge(origin_secret=SECRET))

    reply = call(
        app, "/api/echo", {"CloudFront-Viewer-Address": "203.0.113.66:1234"}, peer=("198.51.100.7", 50123)
    )

    assert received(reply, "CloudFront-Viewer-Address") == ["198.51.100.7:50123"]
