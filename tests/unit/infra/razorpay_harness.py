"""The Razorpay sandbox in-process for unit tests: the real gateway app (with CloudFront's edge) serving
the sandbox and a stand-in webhook receiver, the real `razorpay` SDK talking to it through a requests
adapter (no sockets), and webhooks delivered through the same app."""

from __future__ import annotations

import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx
import razorpay
import requests
from requests.structures import CaseInsensitiveDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from infra.local.edge import ORIGIN_HEADER, Edge
from infra.local.environment import LOCAL_RAZORPAY_KEY_ID, LOCAL_RAZORPAYX_ACCOUNT_NUMBER
from infra.local.gateway import DevResources, create_app
from infra.local.triggers.razorpay import RazorpayTrigger
from infra.local.triggers.razorpay.sandbox import Sandbox
from infra.local.triggers.razorpay.settings import WEBHOOK_PATH, Keys, Switches

HOST = "http://sandbox.test"
ORIGIN_SECRET = "origin-secret-for-the-razorpay-tests"
FAST = {"settle_seconds": 0.05, "late_seconds": 0.1, "retry_base_seconds": 0.02, "timeout_seconds": 2.0}


class Receiver:
    """A stand-in for POST /api/webhooks/razorpay: records every request, answers scripted statuses."""

    name = "receiver"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answered in turn, then 200
        self.slow_seconds = 0.0
        self._lock = threading.Lock()

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self.endpoint, methods=["POST"])]

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def await_idle(self, timeout: float) -> None: ...

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            status = self.statuses.pop(0) if self.statuses else 200
            self.received.append({"headers": dict(request.headers), "body": body, "status": status})
        if self.slow_seconds:
            time.sleep(self.slow_seconds)
        return Response(status_code=status)

    def events(self) -> list[str]:
        import json

        return [json.loads(r["body"])["event"] for r in self.received if r["status"] == 200]


class InProcess:
    """Calls the ASGI app in process (no sockets), one request per call, from any thread (each on a
    thread of its own: Playwright's sync API keeps an event loop running in the test's thread)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=HOST) as client:
                return await client.request(method, url, **kwargs)

        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(anyio.run, send).result()

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


class ASGIAdapter(requests.adapters.BaseAdapter):
    """requests -> the Starlette app, in process (what the SDK's session uses in these tests)."""

    def __init__(self, client: InProcess) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        answer = self.client.request(
            str(request.method), str(request.url), content=request.body, headers=dict(request.headers)
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None: ...


class Harness:
    def __init__(self, tmp_path: Path, **switches: Any) -> None:
        self.keys = Keys(
            key_id=LOCAL_RAZORPAY_KEY_ID,
            key_secret=secrets.token_urlsafe(36),
            webhook_secret=secrets.token_urlsafe(36),
            account_number=LOCAL_RAZORPAYX_ACCOUNT_NUMBER,
            webhook_url=HOST + WEBHOOK_PATH,
        )
        self.switches = Switches()
        self.switches.update({**FAST, **switches})
        self.state_path = tmp_path / "razorpay" / "state.json"
        self.receiver = Receiver()
        self.sandbox = Sandbox(self.keys, self.switches, state_path=self.state_path, send=self._send)
        resources = DevResources(
            tmp_path / "dist", tmp_path / "outbox", tmp_path / "uploads", "upload-secret"
        )
        app = create_app([RazorpayTrigger(self.sandbox), self.receiver], resources, Edge(ORIGIN_SECRET))
        self.http = InProcess(app)
        self.session = requests.Session()
        self.session.mount(HOST, ASGIAdapter(self.http))
        self.client = self.sdk(self.keys.key_secret)

    def sdk(self, key_secret: str) -> razorpay.Client:
        return razorpay.Client(
            session=self.session, auth=(self.keys.key_id, key_secret), base_url=HOST + "/_razorpay"
        )

    def _send(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        return self.http.post(url, content=body, headers=headers).status_code

    def __enter__(self) -> Harness:
        self.sandbox.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sandbox.stop()

    # ------------------------------------------------------------------ helpers
    def order(self, amount: int = 50_000, **extra: Any) -> dict[str, Any]:
        body = {"amount": amount, "currency": "INR", "receipt": "bk_" + secrets.token_hex(6), **extra}
        return dict(self.client.order.create(body))

    def pay(self, order_id: str, method: str = "upi", outcome: str = "success") -> dict[str, Any]:
        reply = self.http.post(
            "/_dev/razorpay/pay", json={"order_id": order_id, "method": method, "outcome": outcome}
        )
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def idle(self, timeout: float = 5.0) -> None:
        self.sandbox.await_idle(timeout)


def origin_header(received: dict[str, Any]) -> str | None:
    return received["headers"].get(ORIGIN_HEADER.lower())
