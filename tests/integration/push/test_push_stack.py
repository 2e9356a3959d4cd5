"""Web push on the local stack: a device subscribed through the REST API with a subscription of the
stack's push-service stand-in, then the sender (pywebpush) posting to it over HTTP: the stand-in
decrypts what it receives with the subscription's private key and checks the VAPID JWT, so what the
person would read is compared with what was sent; a 410 or a 404 from it removes that device."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.config import PushSettings, Settings
from peerlearn.context import Context, build_context
from peerlearn.notify import push_devices, webpush
from tests.support import stack_for

PASSWORD = "mango-monsoon-42"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("push"),
        "push",
        overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    """This process as a function delivering notifications: bound to the stack, with its VAPID key."""
    context = build_context(Settings.from_env(stack.settings_env))
    return dataclasses.replace(context, push=PushSettings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


def person(ctx: Context) -> tuple[str, dict[str, str]]:
    email = f"learner-{uuid.uuid4().hex[:10]}@example.com"
    user_id = accounts.create_account(
        name="Push Learner", email=email, password=PASSWORD, role="learner", verified=True
    )
    token = accounts.sign_in_without_password(ctx, user_id).access_token
    return user_id, {"Authorization": f"Bearer {token}"}


def new_device(api: httpx.Client, headers: dict[str, str], device: str) -> tuple[dict[str, Any], str]:
    """A subscription of the stand-in (as a browser's PushManager makes one), subscribed through the API."""
    sub = api.post("/_dev/push/subscriptions").json()
    created = api.post(
        "/api/notifications/push/subscriptions",
        json={"endpoint": sub["endpoint"], "keys": sub["keys"], "device": device},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return sub, created.json()["id"]


def messages(api: httpx.Client, sub: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = api.get(f"/_dev/push/subscriptions/{sub['id']}/messages").json()
    return answer


def test_the_stand_in_decrypts_exactly_what_was_sent_and_the_vapid_claims_check_out(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    user_id, headers = person(ctx)
    key = api.get("/api/notifications/push/key", headers=headers).json()["public_key"]
    sub, _ = new_device(api, headers, "Chrome on Android")
    payload = {
        "id": "01JNOTIF",
        "kind": "session_moved",
        "title": "Your session moved",
        "body": "“Rust for Pythonistas” is now on 3 Dec at 18:30 IST — ₹499 paid, nothing to do.",
        "link": "/sessions/01JSESSION",
        "tag": "session:01JSESSION",
    }

    assert webpush.send_to_user(ctx, user_id, payload, ttl_seconds=900, urgency="high") == 1

    answer = messages(api, sub)
    assert answer["rejected"] == []
    [message] = answer["messages"]
    assert message["json"] == payload
    assert message["ttl"] == 900
    assert message["urgency"] == "high"
    assert message["claims"]["aud"] == stack.url
    assert message["claims"]["sub"].startswith("mailto:")
    assert message["claims"]["k"] == key  # signed with the key browsers subscribe with


@pytest.mark.parametrize(("how", "status"), [("gone", 410), ("forgotten", 404)])
def test_a_device_the_push_service_no_longer_knows_is_removed_and_the_others_still_get_theirs(
    ctx: Context, api: httpx.Client, how: str, status: int
) -> None:
    user_id, headers = person(ctx)
    stale, stale_id = new_device(api, headers, "Old phone")
    fresh, fresh_id = new_device(api, headers, "Laptop")
    if how == "gone":
        assert api.post(f"/_dev/push/subscriptions/{stale['id']}/gone").status_code == 204
    else:
        assert api.delete(f"/_dev/push/subscriptions/{stale['id']}").status_code == 204
    assert api.post(stale["endpoint"], content=b"", headers={"TTL": "0"}).status_code == status

    sent = webpush.send_to_user(ctx, user_id, {"id": "n", "kind": "announcement", "title": "Hi", "body": "x"})

    assert sent == 1
    assert {d.subscription_id for d in push_devices.devices(user_id)} == {fresh_id}
    assert len(messages(api, fresh)["messages"]) == 1
    assert stale_id != fresh_id


def test_a_subscription_outside_the_allowed_push_services_is_refused(ctx: Context, api: httpx.Client) -> None:
    _, headers = person(ctx)
    sub = api.post("/_dev/push/subscriptions").json()
    for endpoint in (
        "http://169.254.169.254/latest/meta-data/",
        sub["endpoint"].replace("/_dev/push/send", "/api"),
    ):
        refused = api.post(
            "/api/notifications/push/subscriptions",
            json={"endpoint": endpoint, "keys": sub["keys"]},
            headers=headers,
        )
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["field"] == "endpoint"


def test_unsubscribing_through_the_api_stops_the_pushes(ctx: Context, api: httpx.Client) -> None:
    user_id, headers = person(ctx)
    sub, sub_id = new_device(api, headers, "Tablet")

    assert api.delete(f"/api/notifications/push/subscriptions/{sub_id}", headers=headers).status_code == 204

    assert (
        webpush.send_to_user(ctx, user_id, {"id": "n", "kind": "announcement", "title": "Hi", "body": "x"})
        == 0
    )
    assert messages(api, sub)["messages"] == []
