"""Accounts end to end through the local stack: gateway, authorizer, DynamoDB Local, stream poller."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.config import Settings
from peerlearn.context import build_context
from tests.support import client_from, stack_for, wait_until

pytestmark = pytest.mark.integration

PASSWORD = "mango-monsoon-42"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(dynamodb_endpoint, tmp_path_factory.mktemp("stack"), "accounts") as running:
        yield running


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        yield client


def outbox(api: httpx.Client, to: str) -> list[dict[str, Any]]:
    reply = api.get("/_dev/outbox.json", params={"to": to})
    assert reply.status_code == 200
    emails: list[dict[str, Any]] = reply.json()
    return emails


def emailed_token(api: httpx.Client, to: str, marker: str) -> str:
    def find() -> str | None:
        for email in outbox(api, to):
            for word in email["text"].split():
                if marker in word:
                    return word.split("token=", 1)[1]
        return None

    token: str = wait_until(find, timeout=10, what=f"an email to {to} with {marker}")
    return token


def register(api: httpx.Client, email: str, **extra: Any) -> dict[str, Any]:
    body = {"name": "Asha Rao", "email": email, "password": PASSWORD, "role": "learner", **extra}
    reply = api.post("/api/auth/register/", json=body)
    assert reply.status_code == 201, reply.text
    user: dict[str, Any] = reply.json()["user"]
    return user


def login(api: httpx.Client, email: str, password: str = PASSWORD, ip: str | None = None) -> httpx.Response:
    body = {"email": email, "password": password}
    if ip is None:
        return api.post("/api/auth/login/", json=body)
    # The gateway takes the client address from the socket peer, as CloudFront does: another
    # loopback address (192.0.2.77 -> 127.0.2.77) is another client.
    with client_from(str(api.base_url), "127." + ip.split(".", 1)[1], timeout=30) as client:
        reply: httpx.Response = client.post("/api/auth/login/", json=body)
        return reply


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_stream_consumer_emails_a_verification_link_that_verifies_once(
    stack: LocalStack, api: httpx.Client
) -> None:
    user = register(api, "verify@example.com")
    assert user["email_verified"] is False

    token = emailed_token(api, "verify@example.com", "/verify-email?token=")
    first = api.post("/api/auth/verify-email/", json={"token": token})
    again = api.post("/api/auth/verify-email", json={"token": token})

    assert first.status_code == 200
    assert first.json()["user"]["email_verified"] is True
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "token_used"
    stack.await_idle()
    assert len(outbox(api, "verify@example.com")) == 1


def test_two_registrations_of_one_email_at_once_one_wins(stack: LocalStack, api: httpx.Client) -> None:
    results: list[int] = []
    barrier = threading.Barrier(2)

    def attempt(name: str) -> None:
        with httpx.Client(base_url=stack.url, timeout=30) as client:
            barrier.wait()
            body = {"name": name, "email": "race@example.com", "password": PASSWORD, "role": "learner"}
            results.append(client.post("/api/auth/register", json=body).status_code)

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [201, 409]
    # The winner can sign in; there is exactly one account behind the email.
    assert login(api, "race@example.com").status_code == 200


def refresh_with(api: httpx.Client, token: str) -> httpx.Response:
    api.cookies.clear()  # only the token given, not what the jar kept
    return api.post("/api/auth/refresh", headers={"Cookie": f"pl_refresh={token}"})


def test_refresh_rotates_and_reuse_of_a_rotated_token_ends_the_sign_in(api: httpx.Client) -> None:
    register(api, "rotate@example.com")
    first = login(api, "rotate@example.com")
    assert "refresh_token" not in first.json()
    first_token = first.cookies["pl_refresh"]

    rotated = refresh_with(api, first_token)
    assert rotated.status_code == 200
    again = refresh_with(api, rotated.cookies["pl_refresh"])
    assert again.status_code == 200
    newest = again.cookies["pl_refresh"]

    # Two rotations old: past the grace the token just rotated out has (signins.refresh), at once.
    reuse = refresh_with(api, first_token)
    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "token_reused"
    assert refresh_with(api, newest).status_code == 401
    # Reuse ends the family's access tokens too, not only its refresh token.
    assert api.get("/api/me", headers=bearer(rotated.json()["access_token"])).status_code == 401


def test_a_refresh_whose_response_was_lost_can_be_retried_with_the_old_cookie(api: httpx.Client) -> None:
    """A page reloaded mid-refresh never stores the rotated cookie; its next page sends the old one."""
    register(api, "lost@example.com")
    first_token = login(api, "lost@example.com").cookies["pl_refresh"]
    assert refresh_with(api, first_token).status_code == 200  # response "lost"

    retried = refresh_with(api, first_token)

    assert retried.status_code == 200
    assert api.get("/api/me", headers=bearer(retried.json()["access_token"])).status_code == 200
    assert refresh_with(api, retried.cookies["pl_refresh"]).status_code == 200


def test_the_refresh_cookie_alone_keeps_a_browser_signed_in(stack: LocalStack) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as browser:
        register(browser, "cookie@example.com")
        assert login(browser, "cookie@example.com").status_code == 200
        refreshed = browser.post("/api/auth/refresh", json={})
        assert refreshed.status_code == 200
        me = browser.get("/api/me", headers=bearer(refreshed.json()["access_token"]))
        assert me.json()["email"] == "cookie@example.com"
        assert browser.post("/api/auth/logout/", json={}).status_code == 200
        assert browser.post("/api/auth/refresh", json={}).status_code == 401


def test_strangers_guessing_slow_down_new_devices_but_not_the_owners_known_one(stack: LocalStack) -> None:
    with (
        httpx.Client(base_url=stack.url, timeout=30) as owner,
        httpx.Client(base_url=stack.url, timeout=30) as stranger,
    ):
        register(owner, "known@example.com")
        assert login(owner, "known@example.com").status_code == 200  # leaves the device cookie
        assert "pl_device" in owner.cookies
        for _ in range(5):
            assert login(stranger, "known@example.com", "wrong-password-1").status_code == 401

        slowed = login(stranger, "known@example.com")
        assert slowed.status_code == 429
        assert int(slowed.headers["Retry-After"]) == slowed.json()["error"]["retry_after_seconds"] > 0
        assert slowed.json()["error"]["code"] == "too_many_attempts"
        assert login(owner, "known@example.com").status_code == 200


def test_a_banned_user_gets_403_on_every_call_and_cannot_sign_in(
    stack: LocalStack, api: httpx.Client
) -> None:
    from peerlearn.accounts import service

    build_context(Settings.from_env(stack.settings_env))  # bind this process to the stack's table
    user = register(api, "banned@example.com")
    token = login(api, "banned@example.com").json()["access_token"]
    assert api.get("/api/me", headers=bearer(token)).status_code == 200
    service.create_admin(email="boss@example.com", name="Boss", password="lead-the-team-77")
    admin_token = login(api, "boss@example.com", "lead-the-team-77").json()["access_token"]

    ban = api.put(f"/api/admin/users/{user['id']}/ban", json={"reason": "Spam"}, headers=bearer(admin_token))

    assert ban.status_code == 200
    assert ban.json()["ban_reason"] == "Spam"
    found = api.get("/api/admin/users", params={"q": "banned@"}, headers=bearer(admin_token))
    assert [u["id"] for u in found.json()["items"]] == [user["id"]]
    denied = api.get("/api/me", headers=bearer(token))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "account_suspended"  # the web app signs the tab out
    assert login(api, "banned@example.com").status_code == 403
    assert api.get(f"/api/users/{user['id']}").status_code == 404


def test_only_admins_reach_admin_routes(api: httpx.Client) -> None:
    user = register(api, "curious@example.com")
    token = login(api, "curious@example.com").json()["access_token"]
    ban = api.put(f"/api/admin/users/{user['id']}/ban", json={"reason": "Spam"}, headers=bearer(token))
    assert ban.status_code == 403
    assert api.get("/api/admin/users", headers=bearer(token)).status_code == 403


def test_protected_routes_need_a_valid_token(api: httpx.Client) -> None:
    assert api.get("/api/me").status_code == 401
    assert api.get("/api/me", headers=bearer("not-a-jwt")).status_code == 401
    assert api.get("/api/me").json()["error"]["code"] == "unauthorized"


def test_password_reset_by_email_link(api: httpx.Client) -> None:
    register(api, "forgetful@example.com")
    assert api.post("/api/auth/password-reset/", json={"email": "forgetful@example.com"}).status_code == 202
    token = emailed_token(api, "forgetful@example.com", "/reset-password?token=")

    reply = api.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "new-secret-words-9"}
    )

    assert reply.status_code == 200
    assert login(api, "forgetful@example.com").status_code == 401
    assert login(api, "forgetful@example.com", "new-secret-words-9").status_code == 200


def test_profile_edit_and_avatar_upload_round_trip(
    stack: LocalStack, api: httpx.Client, tmp_path: Path
) -> None:
    user = register(api, "profile@example.com")
    token = login(api, "profile@example.com").json()["access_token"]
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

    upload = api.post(
        "/api/me/avatar", json={"content_type": "image/png", "size_bytes": len(png)}, headers=bearer(token)
    )
    assert upload.status_code == 200
    target = upload.json()
    put = httpx.put(target["upload_url"], content=png, headers=target["headers"])
    assert put.status_code in (200, 201, 204)
    saved = api.patch(
        "/api/me", json={"avatar_key": target["avatar_key"], "headline": "Learning Go"}, headers=bearer(token)
    )

    assert saved.status_code == 200
    assert saved.json()["headline"] == "Learning Go"
    picture = httpx.get(saved.json()["avatar_url"])
    assert picture.status_code == 200
    assert picture.content == png
    public = api.get(f"/api/users/{user['id']}").json()
    assert public["avatar_url"] == saved.json()["avatar_url"]
    assert "email" not in public


def test_a_tampered_upload_signature_is_refused(api: httpx.Client) -> None:
    register(api, "tamper@example.com")
    token = login(api, "tamper@example.com").json()["access_token"]
    target = api.post(
        "/api/me/avatar", json={"content_type": "image/png", "size_bytes": 10}, headers=bearer(token)
    ).json()
    forged = target["upload_url"].replace("signature=", "signature=0")
    assert httpx.put(forged, content=b"x" * 10, headers=target["headers"]).status_code == 403
