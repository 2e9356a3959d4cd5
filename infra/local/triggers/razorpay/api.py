"""The sandbox's HTTP side under `/_razorpay`: the REST API the SDK calls (`/v1/...`, Basic auth
with the local key id and secret, JSON bodies, Razorpay's error shape) and Checkout's files.

Unknown paths answer as Razorpay does (400 "The requested URL was not found on the server.");
the `fail_api_calls` switch makes the next calls answer 500 SERVER_ERROR (the SDK's ServerError).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from infra.local import anypath  # noqa: F401  (registers {name:anypath} before routes compile)
from infra.local.triggers.razorpay.books import RazorpayError
from infra.local.triggers.razorpay.sandbox import Sandbox

PREFIX = "/_razorpay"
STATIC = Path(__file__).parent / "static"

Handler = Callable[[Sandbox, "Call"], Any]


class Call:
    """One API request: path parameters, JSON body, query and headers."""

    def __init__(
        self, params: tuple[str, ...], body: dict[str, Any], query: dict[str, str], headers: Any
    ) -> None:
        self.params = params
        self.body = body
        self.query = query
        self.headers = headers


def _created(entity_and_new: tuple[dict[str, Any], bool]) -> tuple[dict[str, Any], int]:
    entity, new = entity_and_new
    return entity, 201 if new else 200


# (method, path under /v1, handler) -> the handler's answer (an entity, or (entity, status)).
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("POST", re.compile(r"/orders"), lambda s, c: s.payments.create_order(c.body)),
    ("GET", re.compile(r"/orders/([^/]+)"), lambda s, c: s.payments.fetch_order(c.params[0])),
    ("GET", re.compile(r"/orders/([^/]+)/payments"), lambda s, c: s.payments.order_payments(c.params[0])),
    ("GET", re.compile(r"/payments/([^/]+)"), lambda s, c: s.payments.fetch_payment(c.params[0])),
    ("POST", re.compile(r"/payments/([^/]+)/capture"), lambda s, c: s.payments.capture(c.params[0], c.body)),
    (
        "POST",
        re.compile(r"/payments/([^/]+)/refund"),
        lambda s, c: s.payments.refund(c.params[0], c.body, c.headers.get("x-refund-idempotency")),
    ),
    ("GET", re.compile(r"/payments/([^/]+)/refunds"), lambda s, c: s.payments.payment_refunds(c.params[0])),
    ("GET", re.compile(r"/refunds/([^/]+)"), lambda s, c: s.payments.fetch_refund(c.params[0])),
    ("POST", re.compile(r"/contacts"), lambda s, c: _created(s.payouts.create_contact(c.body))),
    ("GET", re.compile(r"/contacts/([^/]+)"), lambda s, c: s.payouts.fetch_contact(c.params[0])),
    ("POST", re.compile(r"/fund_accounts"), lambda s, c: _created(s.payouts.create_fund_account(c.body))),
    ("GET", re.compile(r"/fund_accounts/([^/]+)"), lambda s, c: s.payouts.fetch_fund_account(c.params[0])),
    (
        "POST",
        re.compile(r"/payouts"),
        lambda s, c: s.payouts.create_payout(c.body, c.headers.get("x-payout-idempotency")),
    ),
    ("GET", re.compile(r"/payouts/([^/]+)"), lambda s, c: s.payouts.fetch_payout(c.params[0])),
    ("GET", re.compile(r"/settlements/recon/combined"), lambda s, c: s.recon(c.query)),
]


class Api:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        return [
            Route(
                f"{PREFIX}/v1/{{path:anypath}}", self.v1, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]
            ),
            Route(f"{PREFIX}/checkout.js", self.asset("checkout.js", "text/javascript")),
            Route(f"{PREFIX}/checkout.css", self.asset("checkout.css", "text/css")),
            Route(f"{PREFIX}/checkout/pay", self.checkout_pay, methods=["POST"]),
            Route(f"{PREFIX}/checkout/order", self.checkout_order),
        ]

    async def v1(self, request: Request) -> Response:
        try:
            self._authenticate(request.headers.get("authorization", ""))
            if self.sandbox.switches.fail_api_calls > 0:
                self.sandbox.switches.fail_api_calls -= 1
                raise RazorpayError("The server encountered an error.", status=500, code="SERVER_ERROR")
            handler, params = self._match(request.method, "/" + request.path_params["path"].rstrip("/"))
            body = await _json_body(request)
            answer = handler(self.sandbox, Call(params, body, dict(request.query_params), request.headers))
        except RazorpayError as error:
            return JSONResponse(error.body(), status_code=error.status)
        entity, status = answer if isinstance(answer, tuple) else (answer, 200)
        return JSONResponse(entity, status_code=status)

    def _authenticate(self, header: str) -> None:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise RazorpayError("Please provide your api key for authentication purposes.", status=401)
        try:
            key_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise RazorpayError("The api key provided is invalid", status=401) from None
        keys = self.sandbox.keys
        if not (hmac.compare_digest(key_id, keys.key_id) and hmac.compare_digest(secret, keys.key_secret)):
            raise RazorpayError("The api key provided is invalid", status=401)

    @staticmethod
    def _match(method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
        for route_method, pattern, handler in ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler, match.groups()
        raise RazorpayError("The requested URL was not found on the server.")

    @staticmethod
    def asset(name: str, media_type: str) -> Callable[[Request], Any]:
        async def serve(request: Request) -> Response:
            return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})

        return serve

    async def checkout_pay(self, request: Request) -> Response:
        """What the Checkout stand-in calls (the real one calls api.razorpay.com with the public key)."""
        try:
            body = await _json_body(request)
            if not hmac.compare_digest(str(body.get("key", "")), self.sandbox.keys.key_id):
                raise RazorpayError("The api key provided is invalid", status=401, field="key")
            answer = self.sandbox.pay(
                str(body.get("order_id", "")), str(body.get("method")), str(body.get("outcome"))
            )
        except RazorpayError as error:
            return JSONResponse(error.body(), status_code=error.status)
        return JSONResponse(answer)

    async def checkout_order(self, request: Request) -> Response:
        """The amount and currency Checkout shows when `options.amount` is left out (public key)."""
        try:
            if not hmac.compare_digest(request.query_params.get("key", ""), self.sandbox.keys.key_id):
                raise RazorpayError("The api key provided is invalid", status=401, field="key")
            order = self.sandbox.payments.fetch_order(request.query_params.get("order_id", ""))
        except RazorpayError as error:
            return JSONResponse(error.body(), status_code=error.status)
        return JSONResponse({k: order[k] for k in ("id", "amount", "currency", "status")})


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RazorpayError("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise RazorpayError("The request body must be a JSON object.")
    return body
