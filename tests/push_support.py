"""The local push service in-process (no server, no network), for the unit tests of the sender and
of the stand-in itself: a requests-like session whose POSTs reach the ASGI app directly."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
from starlette.applications import Starlette

from infra.local.pushservice import routes

ORIGIN = "http://127.0.0.1:3000"


class InProcessPushService:
    def __init__(self) -> None:
        self.app = Starlette(routes=routes())

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
                return await client.request(method, url, **kwargs)

        return anyio.run(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """As requests' Session.post, which pywebpush calls: data= is the body, timeout= ignored."""
        kwargs.pop("timeout", None)
        if "data" in kwargs:
            kwargs["content"] = kwargs.pop("data")
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def subscribe(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.post("/_dev/push/subscriptions").json()
        return answer

    def messages(self, sub_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.get(f"/_dev/push/subscriptions/{sub_id}/messages").json()
        return answer
