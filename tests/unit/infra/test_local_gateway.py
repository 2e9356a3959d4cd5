"""The gateway's own pages: the email outbox, local uploads and media, and the web app with SPA routes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from infra.local.gateway import MAX_UPLOAD_BYTES, DevResources, _inside, create_app
from peerlearn.adapters.objects import sign_local_upload

SECRET = "gateway-test-secret-that-is-long-enough-0123456789"


@pytest.fixture
def resources(tmp_path: Path) -> DevResources:
    return DevResources(
        web_dist=tmp_path / "dist",
        outbox_dir=tmp_path / "outbox",
        uploads_dir=tmp_path / "uploads",
        upload_secret=SECRET,
    )


class Client:
    """Calls the ASGI app in-process (no server, no network), one request at a time."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000") as client:
                return await client.request(method, url, **kwargs)

        return anyio.run(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)


@pytest.fixture
def client(resources: DevResources) -> Client:
    return Client(create_app([], resources))


def write_email(outbox: Path, email_id: str, to: str, sent_at: str, **extra: Any) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    email = {
        "id": email_id,
        "to": to,
        "subject": f"Subject {email_id}",
        "text": "",
        "html": "",
        "sent_at": sent_at,
    }
    (outbox / f"{email_id}.json").write_text(json.dumps({**email, **extra}))


# ---------------------------------------------------------------------- outbox
def test_the_outbox_lists_emails_newest_first_and_filters_by_recipient(
    client: Client, resources: DevResources
) -> None:
    write_email(resources.outbox_dir, "e1", "asha@example.com", "2026-11-24T10:00:00Z")
    write_email(resources.outbox_dir, "e2", "ravi@example.com", "2026-11-24T11:00:00Z")
    write_email(resources.outbox_dir, "e3", "Asha@example.com", "2026-11-24T12:00:00Z")

    everything = client.get("/_dev/outbox.json").json()
    for_asha = client.get("/_dev/outbox.json", params={"to": "asha@example.com"}).json()

    assert [e["id"] for e in everything] == ["e3", "e2", "e1"]
    assert [e["id"] for e in for_asha] == ["e3", "e1"]


def test_the_outbox_page_sandboxes_html_and_links_plain_text(client: Client, resources: DevResources) -> None:
    write_email(
        resources.outbox_dir,
        "e1",
        "asha@example.com",
        "2026-11-24T10:00:00Z",
        html='<p>Hi <a href="http://x/verify?token=1&amp;a=2">verify</a></p><script>alert(1)</script>',
    )
    write_email(
        resources.outbox_dir, "e2", "ravi@example.com", "2026-11-24T11:00:00Z", text="Go to http://x/r?t=1."
    )

    page = client.get("/_dev/outbox").text

    assert '<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="' in page
    assert "<script>alert(1)</script>" not in page  # only inside srcdoc, escaped
    assert '<a href="http://x/r?t=1" target="_blank" rel="noopener">http://x/r?t=1</a>.' in page
    assert "<link" not in page  # self-contained: no external assets
    assert "<script src" not in page


def test_the_outbox_keeps_and_shows_headers_with_a_one_click_unsubscribe_button(
    client: Client, resources: DevResources
) -> None:
    headers = {
        "List-Unsubscribe": "<http://x/api/notifications/unsubscribe?token=u1.A.gifts.s&x=<b>>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    write_email(resources.outbox_dir, "e1", "asha@example.com", "2026-11-24T10:00:00Z", headers=headers)
    write_email(resources.outbox_dir, "e2", "ravi@example.com", "2026-11-24T11:00:00Z")  # an account email

    (kept,) = client.get("/_dev/outbox.json", params={"to": "asha@example.com"}).json()
    page = client.get("/_dev/outbox").text

    assert kept["headers"] == headers
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in page
    assert (
        '<form method="post" action="http://x/api/notifications/unsubscribe?token=u1.A.gifts.s&amp;x=&lt;b&gt;"'
        in page
    )
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in page
    assert page.count("<form") == 1  # the account email has no headers and no button


def test_an_empty_outbox_says_so(client: Client) -> None:
    assert "No emails yet" in client.get("/_dev/outbox").text
    assert client.get("/_dev/outbox.json").json() == []


# ---------------------------------------------------------------------- uploads and media
def upload_url(key: str, content_type: str, expires: int | None = None) -> str:
    expires = expires or int(time.time()) + 60
    signature = sign_local_upload(SECRET, key, content_type, expires)
    return f"/_dev/uploads/{key}?expires={expires}&signature={signature}"


def test_a_signed_upload_is_stored_and_served_as_media(client: Client, resources: DevResources) -> None:
    key = "media/avatars/u1/a1.png"

    stored = client.put(
        upload_url(key, "image/png"), content=b"\x89PNG", headers={"Content-Type": "image/png"}
    )
    served = client.get("/media/avatars/u1/a1.png")

    assert stored.status_code == 200
    assert (resources.uploads_dir / key).read_bytes() == b"\x89PNG"
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == b"\x89PNG"


def test_a_bad_signature_or_another_content_type_is_refused(client: Client) -> None:
    key = "media/avatars/u1/a1.png"
    url = upload_url(key, "image/png")

    assert client.put(url, content=b"x", headers={"Content-Type": "image/jpeg"}).status_code == 403
    assert (
        client.put(url[:-4] + "0000", content=b"x", headers={"Content-Type": "image/png"}).status_code == 403
    )


def test_an_expired_upload_url_is_refused(client: Client) -> None:
    url = upload_url("media/a.png", "image/png", expires=int(time.time()) - 1)

    assert client.put(url, content=b"x", headers={"Content-Type": "image/png"}).status_code == 403


def test_uploads_over_5_mb_are_refused(client: Client) -> None:
    url = upload_url("media/big.png", "image/png")

    reply = client.put(url, content=b"x" * (MAX_UPLOAD_BYTES + 1), headers={"Content-Type": "image/png"})

    assert reply.status_code == 413


def test_keys_cannot_leave_the_uploads_folder(tmp_path: Path) -> None:
    assert _inside(tmp_path, "media/a.png") == tmp_path / "media" / "a.png"
    for key in ("../x", "media/../../x", "/etc/passwd", "media//a", ".meta/x.json", "a\\b", ""):
        assert _inside(tmp_path, key) is None


def test_missing_media_is_a_404(client: Client) -> None:
    assert client.get("/media/nothing.png").status_code == 404


# ---------------------------------------------------------------------- the web app
def test_app_routes_get_the_app_shell_and_files_are_served(client: Client, resources: DevResources) -> None:
    resources.web_dist.mkdir()
    (resources.web_dist / "index.html").write_text("<html>shell</html>")
    (resources.web_dist / "assets").mkdir()
    (resources.web_dist / "assets" / "app.js").write_text("console.log(1)")

    assert client.get("/").text == "<html>shell</html>"
    assert client.get("/sessions/42").text == "<html>shell</html>"
    assert client.get("/assets/app.js").text == "console.log(1)"
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/api/not-a-route").status_code == 404
    assert client.get("/_dev/nothing").status_code == 404


def test_admin_routes_get_the_admin_shell_and_its_files(client: Client, resources: DevResources) -> None:
    admin = resources.web_dist / "admin"
    (admin / "assets").mkdir(parents=True)
    (resources.web_dist / "index.html").write_text("<html>app</html>")
    (admin / "index.html").write_text("<html>admin</html>")
    (admin / "assets" / "admin.js").write_text("console.log(2)")

    for path in ("/admin", "/admin/", "/admin/users", "/admin/users/01ABC?tab=audit"):
        reply = client.get(path)
        assert reply.text == "<html>admin</html>", path
        assert reply.headers["cache-control"] == "no-cache"
    assert client.get("/admin/assets/admin.js").text == "console.log(2)"
    assert client.get("/admin/assets/missing.js").status_code == 404
    assert client.get("/administrators").text == "<html>app</html>"  # only /admin and /admin/...


def test_without_a_build_the_site_says_how_to_build_it(client: Client) -> None:
    reply = client.get("/")

    assert reply.status_code == 503
    assert "Build the web app" in reply.text
