"""The local stack's one HTTP front door: what CloudFront, API Gateway and S3 do in the cloud.

Triggers mount their routes (the REST API under the paths the template declares); the built web app
is served from `web/dist/` with the SPA rewrite of the template's CloudFront function (the admin
site's paths, `/admin` and `/admin/...`, get `web/dist/admin/index.html`); `/media/...`
serves uploaded objects; and dev-only pages stand in for cloud services: `/_dev/outbox` (emails the
functions sent), `PUT /_dev/uploads/{key}` (the presigned S3 upload, signed by the layer) and
`/_dev/push/` (a push service: subscriptions, VAPID checks, decrypted messages).
CloudFront's own part (origin header, viewer address, response headers) is `infra.local.edge`.
"""

from __future__ import annotations

import html
import importlib
import json
import mimetypes
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from infra.local import anypath  # noqa: F401  (registers {name:anypath} before routes compile)
from infra.local.edge import Edge, EdgeMiddleware
from infra.local.pushservice import routes as push_service_routes
from infra.local.triggers import Trigger
from infra.local.uploads import routes as object_routes

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the largest the layer signs (chat files)
_SITE_METHODS = ["GET", "HEAD"]


@dataclass(frozen=True)
class DevResources:
    """Local stand-ins for cloud storage the gateway serves."""

    web_dist: Path
    outbox_dir: Path
    uploads_dir: Path
    upload_secret: str  # the key the layer signs local upload URLs with


def create_app(triggers: Sequence[Trigger], resources: DevResources, edge: Edge | None = None) -> Starlette:
    """The gateway's app; with `edge`, requests and responses pass through CloudFront's part first."""
    pages = _DevPages(resources)
    routes: list[BaseRoute] = [
        *object_routes(resources.uploads_dir, resources.upload_secret),  # multipart, signed GETs
        *push_service_routes(),  # web push's stand-in for FCM/autopush (infra.local.pushservice)
        Route("/_dev", pages.index),
        Route("/_dev/outbox", pages.outbox),
        Route("/_dev/outbox.json", pages.outbox_json),
        Route("/_dev/uploads/{key:anypath}", pages.upload, methods=["PUT"]),
        Route("/media/{path:anypath}", pages.media, methods=_SITE_METHODS),
    ]
    for trigger in triggers:
        routes += trigger.routes()
    routes.append(Route("/{path:anypath}", pages.site, methods=_SITE_METHODS))
    middleware = [Middleware(EdgeMiddleware, edge=edge)] if edge is not None else []
    return Starlette(routes=routes, middleware=middleware)


# ---------------------------------------------------------------------- the outbox
def read_outbox(outbox_dir: Path, to: str | None = None) -> list[dict[str, Any]]:
    """Emails in the outbox, newest first, optionally only those sent to one address."""
    emails = []
    for path in outbox_dir.glob("*.json") if outbox_dir.is_dir() else []:
        try:
            email = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue  # being written right now, or not an email
        if not isinstance(email, dict):
            continue
        recipients = email.get("to")
        recipients = [recipients] if isinstance(recipients, str) else list(recipients or [])
        if to and to.lower() not in (r.lower() for r in recipients):
            continue
        emails.append((str(email.get("sent_at", "")), path.stat().st_mtime, email))
    emails.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [email for _, _, email in emails]


_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }}
header {{ background: #1d2330; color: #fff; padding: 14px 24px; display: flex; gap: 16px;
  align-items: baseline; }}
header h1 {{ font-size: 18px; margin: 0; }} header a {{ color: #9cc3ff; }}
main {{ max-width: 960px; margin: 24px auto; padding: 0 16px; }}
article {{ background: #fff; border: 1px solid #dde1e8; border-radius: 8px; margin-bottom: 16px;
  padding: 16px; }}
article h2 {{ font-size: 16px; margin: 0 0 6px; }}
.meta {{ color: #5b6475; font-size: 13px; margin-bottom: 10px; }}
iframe {{ width: 100%; height: 360px; border: 1px solid #dde1e8; border-radius: 6px; background: #fff; }}
pre {{ white-space: pre-wrap; word-break: break-word; background: #f6f7f9; padding: 12px;
  border-radius: 6px; }}
details summary {{ cursor: pointer; color: #5b6475; font-size: 13px; }}
.empty {{ color: #5b6475; }}
</style></head>
<body><header><h1>{title}</h1>{nav}</header><main>{body}</main></body></html>
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    nav = '<a href="/_dev/outbox">Outbox</a> <a href="/api/docs">API docs</a> <a href="/">Site</a>'
    return HTMLResponse(_PAGE.format(title=html.escape(title), nav=nav, body=body), status_code=status)


def _linkify(text: str) -> str:
    return _URL.sub(
        lambda m: f'<a href="{m.group(0)}" target="_blank" rel="noopener">{m.group(0)}</a>', html.escape(text)
    )


def _headers_html(headers: Any) -> str:
    """The email's extra headers; a one-click List-Unsubscribe (RFC 8058) becomes the button a mail
    client would show: it POSTs `List-Unsubscribe=One-Click` to the header's URL."""
    if not isinstance(headers, dict) or not headers:
        return ""
    rows = "".join(
        f"<div><code>{html.escape(str(name))}: {html.escape(str(value))}</code></div>"
        for name, value in headers.items()
    )
    target = str(headers.get("List-Unsubscribe", "")).strip()
    one_click = headers.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    if one_click and target.startswith("<http") and target.endswith(">"):
        rows += (
            f'<form method="post" action="{html.escape(target[1:-1], quote=True)}" target="_blank">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe (one-click, as a mail client does)</button></form>'
        )
    return f'<div class="meta headers">{rows}</div>'


def _email_html(email: dict[str, Any]) -> str:
    recipients = email.get("to")
    to = ", ".join([recipients] if isinstance(recipients, str) else list(recipients or []))
    parts = [
        f'<article id="{html.escape(str(email.get("id", "")))}">',
        f"<h2>{html.escape(str(email.get('subject', '(no subject)')))}</h2>",
        f'<div class="meta">to {html.escape(to)} &middot; {html.escape(str(email.get("sent_at", "")))}</div>',
        _headers_html(email.get("headers")),
    ]
    if email.get("html"):
        # Links open in a new tab; scripts in the email never run.
        document = '<base target="_blank">' + str(email["html"])
        sandbox = "allow-popups allow-popups-to-escape-sandbox"
        parts.append(f'<iframe sandbox="{sandbox}" srcdoc="{html.escape(document)}"></iframe>')
        if email.get("text"):
            parts.append(
                f"<details><summary>Plain text</summary><pre>{_linkify(str(email['text']))}</pre></details>"
            )
    else:
        parts.append(f"<pre>{_linkify(str(email.get('text', '')))}</pre>")
    parts.append("</article>")
    return "".join(parts)


# ---------------------------------------------------------------------- handlers
class _DevPages:
    def __init__(self, resources: DevResources) -> None:
        self.resources = resources

    async def index(self, request: Request) -> Response:
        links = [
            ("/_dev/outbox", "Outbox: emails the functions sent"),
            ("/_dev/outbox.json", "Outbox as JSON (?to=address)"),
            ("/_dev/push/subscriptions", "Push service stand-in: its subscriptions (POST makes one)"),
            ("/_dev/razorpay", "Razorpay sandbox: orders, payments, refunds, payouts, webhook deliveries"),
            ("/_dev/clock", "Stack clock: POST {advance_seconds: N} moves it on, runs the sweep"),
            ("/api/docs", "API docs"),
        ]
        items = "".join(f'<li><a href="{href}">{html.escape(label)}</a></li>' for href, label in links)
        return _page("PeerLearn local", f"<article><ul>{items}</ul></article>")

    async def outbox(self, request: Request) -> Response:
        to = request.query_params.get("to")
        emails = read_outbox(self.resources.outbox_dir, to)
        if not emails:
            where = html.escape(str(self.resources.outbox_dir))
            body = f'<p class="empty">No emails yet. Emails the functions send appear here ({where}).</p>'
        else:
            body = "".join(_email_html(email) for email in emails)
        return _page(f"Outbox ({len(emails)})", body)

    async def outbox_json(self, request: Request) -> Response:
        return JSONResponse(read_outbox(self.resources.outbox_dir, request.query_params.get("to")))

    async def upload(self, request: Request) -> Response:
        key = request.path_params["key"]
        target = _inside(self.resources.uploads_dir, key)
        if target is None:
            return JSONResponse({"message": "invalid key"}, status_code=400)
        content_type = request.headers.get("content-type", "application/octet-stream")
        try:
            expires = int(request.query_params.get("expires", ""))
        except ValueError:
            return _forbidden("missing or malformed expires")
        signature = request.query_params.get("signature", "")
        try:
            verify = _verifier()
        except (ImportError, AttributeError):
            message = "peerlearn.adapters.objects.verify_local_upload is not available"
            return JSONResponse({"message": message}, status_code=501)
        valid = verify(
            secret=self.resources.upload_secret,
            key=key,
            content_type=content_type,
            expires=expires,
            signature=signature,
        )
        if expires < time.time() or not valid:
            return _forbidden("the upload URL is invalid or expired")
        if int(request.headers.get("content-length") or 0) > MAX_UPLOAD_BYTES:
            return _too_large()
        content = bytearray()
        async for chunk in request.stream():
            content += chunk
            if len(content) > MAX_UPLOAD_BYTES:
                return _too_large()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(content))
        meta = _meta_path(self.resources.uploads_dir, key)
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"content_type": content_type}))
        return Response(status_code=200, headers={"ETag": f'"{len(content):x}-{int(time.time()):x}"'})

    async def media(self, request: Request) -> Response:
        key = "media/" + request.path_params["path"]
        target = _inside(self.resources.uploads_dir, key)
        if target is None or not target.is_file():
            return Response(b"Not Found", status_code=404, media_type="text/plain")
        meta = _meta_path(self.resources.uploads_dir, key)
        content_type = json.loads(meta.read_text())["content_type"] if meta.is_file() else None
        content_type = content_type or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return FileResponse(target, media_type=content_type)

    async def site(self, request: Request) -> Response:
        path = request.path_params["path"]
        if path.split("/")[0] in ("api", "_dev"):
            return JSONResponse({"message": "Not Found"}, status_code=404)
        dist = self.resources.web_dist
        index = dist / "index.html"
        if not index.is_file():
            return _page(
                "The web app is not built", _NOT_BUILT.format(dist=html.escape(str(dist))), status=503
            )
        target = _inside(dist, path) if path else None
        if target is not None and target.is_file():
            return FileResponse(target)
        if "." in path.rsplit("/", 1)[-1]:
            return Response(b"Not Found", status_code=404, media_type="text/plain")
        # CloudFront's SPA rewrite: app routes (no file extension) get the app shell, the admin
        # site's (/admin, /admin/...) the admin site's shell.
        if path == "admin" or path.startswith("admin/"):
            index = dist / "admin" / "index.html"
            if not index.is_file():
                return Response(b"Not Found", status_code=404, media_type="text/plain")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


_NOT_BUILT = """<article><p><strong>{dist}</strong> has no <code>index.html</code> yet.</p>
<p>Build the web app, then reload this page: <code>npm --prefix web ci && npm --prefix web run build</code>
(or <code>make web</code>).</p>
<p>The API is running meanwhile: <a href="/api/docs">/api/docs</a>, and the
<a href="/_dev/outbox">outbox</a>.</p></article>"""


def _inside(root: Path, relative: str) -> Path | None:
    """root/relative when it stays inside root (no `..`, no absolute paths), else None."""
    if not relative or "\\" in relative or relative.startswith("/"):
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts) or parts[0] == ".meta":
        return None
    return root.joinpath(*parts)


def _meta_path(uploads_dir: Path, key: str) -> Path:
    return uploads_dir / ".meta" / f"{key}.json"


class _UploadVerifier(Protocol):
    def __call__(self, *, secret: str, key: str, content_type: str, expires: int, signature: str) -> bool: ...


def _verifier() -> _UploadVerifier:
    module = importlib.import_module("peerlearn.adapters.objects")
    return cast(_UploadVerifier, module.verify_local_upload)


def _forbidden(message: str) -> Response:
    return JSONResponse({"message": message}, status_code=403)


def _too_large() -> Response:
    return JSONResponse(
        {"message": f"uploads are limited to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"}, status_code=413
    )
