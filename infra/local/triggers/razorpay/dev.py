"""The sandbox's dev pages: `/_dev/razorpay` (HTML) and `/_dev/razorpay.json` list everything it
holds and every webhook delivery with its attempts; `POST /_dev/razorpay/pay` pays an order as
Checkout would; `POST /_dev/razorpay/switches` changes switches; `POST
/_dev/razorpay/deliveries/{id}/resend` sends a delivery's event again. POSTs take JSON (scripts
and tests answer JSON) or a form (the page's buttons, answered with a redirect back to the page).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from infra.local.triggers.razorpay.books import RazorpayError
from infra.local.triggers.razorpay.sandbox import Sandbox

PAGE = "/_dev/razorpay"

_STYLE = """body{font:14px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:14px 24px}header a{color:#9cc3ff}h1{font-size:18px;margin:0}
main{max-width:1200px;margin:16px auto;padding:0 16px}section{background:#fff;border:1px solid #dde1e8;
border-radius:8px;margin-bottom:16px;padding:12px 16px;overflow-x:auto}h2{font-size:16px;margin:4px 0 8px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-top:1px solid #eef0f4;
vertical-align:top}code,pre{font-size:12px}pre{white-space:pre-wrap;word-break:break-all;margin:0}
.delivered{color:#15703a}.failed{color:#b42318}.pending{color:#915f00}form{display:inline}"""


class DevPages:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PAGE, self.page),
            Route(f"{PAGE}.json", self.json),
            Route(f"{PAGE}/pay", self.pay, methods=["POST"]),
            Route(f"{PAGE}/switches", self.switches, methods=["GET", "POST"]),
            Route(f"{PAGE}/deliveries/{{delivery_id}}/resend", self.resend, methods=["POST"]),
        ]

    async def json(self, request: Request) -> Response:
        return JSONResponse(self.sandbox.snapshot())

    async def pay(self, request: Request) -> Response:
        values, is_form = await _values(request)
        try:
            answer = self.sandbox.pay(
                str(values.get("order_id", "")),
                str(values.get("method", "upi")),
                str(values.get("outcome", "success")),
            )
        except RazorpayError as error:
            return JSONResponse(error.body(), status_code=error.status)
        return RedirectResponse(PAGE, status_code=303) if is_form else JSONResponse(answer)

    async def switches(self, request: Request) -> Response:
        if request.method == "POST":
            values, is_form = await _values(request)
            try:
                self.sandbox.switches.update(values)
            except ValueError as error:
                return JSONResponse({"error": {"code": "BAD_REQUEST_ERROR", "description": str(error)}}, 400)
            if is_form:
                return RedirectResponse(PAGE, status_code=303)
        return JSONResponse(self.sandbox.switches.as_dict())

    async def resend(self, request: Request) -> Response:
        _, is_form = await _values(request)
        try:
            delivery = self.sandbox.webhooks.resend(request.path_params["delivery_id"])
        except RazorpayError as error:
            return JSONResponse(error.body(), status_code=error.status)
        return RedirectResponse(PAGE, status_code=303) if is_form else JSONResponse(delivery)

    async def page(self, request: Request) -> Response:
        state = self.sandbox.snapshot()
        sections = [
            _table(
                "Orders",
                state["orders"],
                ("id", "amount", "status", "attempts", "receipt", "created_at"),
                extra=lambda order: "" if order["status"] == "paid" else _pay_form(order["id"]),
            ),
            _table(
                "Payments",
                state["payments"],
                ("id", "order_id", "amount", "method", "status", "amount_refunded", "fee", "error_reason"),
            ),
            _table("Refunds", state["refunds"], ("id", "payment_id", "amount", "status", "created_at")),
            _table("Contacts", state["contacts"], ("id", "name", "type", "reference_id")),
            _table("Fund accounts", state["fund_accounts"], ("id", "contact_id", "bank_account")),
            _table(
                "Payouts",
                state["payouts"],
                ("id", "fund_account_id", "amount", "status", "utr", "failure_reason"),
            ),
            _deliveries(state["deliveries"]),
            _switches(state["switches"]),
        ]
        nav = '<a href="/_dev">Dev index</a> &middot; <a href="/_dev/razorpay.json">JSON</a>'
        document = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Razorpay sandbox</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{_STYLE}</style></head><body><header><h1>Razorpay sandbox</h1>{nav}</header>"
            f"<main>{''.join(sections)}</main></body></html>"
        )
        return HTMLResponse(document)


async def _values(request: Request) -> tuple[dict[str, Any], bool]:
    """The POST's fields and whether it came from a form."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {k: v for k, v in parse_qsl(raw.decode("utf-8", "replace")) if v != ""}, True
    try:
        values = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        values = None
    return (values if isinstance(values, dict) else {}), False


def _cell(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 1_000_000_000:
        value = datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return html.escape("" if value is None else str(value))


def _table(
    title: str,
    rows: list[dict[str, Any]],
    columns: tuple[str, ...],
    extra: Callable[[dict[str, Any]], str] | None = None,
) -> str:
    if not rows:
        return f"<section><h2>{title} (0)</h2><p>None yet.</p></section>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns) + ("<th></th>" if extra else "")
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns)
        + (f"<td>{extra(row)}</td>" if extra else "")
        + "</tr>"
        for row in rows
    )
    return f"<section><h2>{title} ({len(rows)})</h2><table><tr>{head}</tr>{body}</table></section>"


def _pay_form(order_id: str) -> str:
    """Pays an order from the page, as Checkout would (POST /_dev/razorpay/pay)."""
    methods = "".join(f'<option value="{m}">{m}</option>' for m in ("upi", "card", "netbanking"))
    outcomes = "".join(
        f'<button type="submit" name="outcome" value="{o}">{o}</button> '
        for o in ("success", "failure", "late")
    )
    hidden = f'<input type="hidden" name="order_id" value="{html.escape(order_id)}">'
    select = f'<select name="method" aria-label="method">{methods}</select>'
    return f'<form method="post" action="{PAGE}/pay">{hidden}{select} {outcomes}</form>'


def _deliveries(deliveries: list[dict[str, Any]]) -> str:
    rows = []
    for d in deliveries:
        attempts = "<br>".join(
            f"{_cell(int(a['at']))}: {_cell(a['status'] or a['error'])} ({a['duration_ms']} ms)"
            for a in d["attempts"]
        )
        resend = (
            f'<form method="post" action="{PAGE}/deliveries/{html.escape(d["id"])}/resend">'
            '<button type="submit">Resend</button></form>'
        )
        body = f"<details><summary>body</summary><pre>{_cell(d['body'])}</pre></details>"
        event = f"{_cell(d['event'])}<br><code>{_cell(d['event_id'])}</code>{body}"
        status = f'<td class="{_cell(d["status"])}">{_cell(d["status"])}</td>'
        rows.append(
            f"<tr><td>{_cell(d['id'])}</td><td>{event}</td>{status}"
            f"<td>{attempts or '-'}</td><td>{resend}</td></tr>"
        )
    head = "<tr><th>delivery</th><th>event</th><th>status</th><th>attempts</th><th></th></tr>"
    table = f"<table>{head}{''.join(rows)}</table>" if rows else "<p>None yet.</p>"
    return f"<section><h2>Webhook deliveries ({len(deliveries)})</h2>{table}</section>"


def _switches(switches: dict[str, Any]) -> str:
    fields = "".join(
        f'<label>{html.escape(name)} <input name="{html.escape(name)}" value="{_cell(value)}" size="10">'
        "</label> "
        for name, value in switches.items()
    )
    form = f'<form method="post" action="{PAGE}/switches">{fields}<button type="submit">Set</button></form>'
    return f"<section><h2>Switches</h2>{form}</section>"
