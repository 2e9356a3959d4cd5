"""Web push: subscribing devices (only known push services: the endpoint is a URL we POST to) and
sending to them through pywebpush, checked by the local push service's own decryption and VAPID
verification (in-process here; over HTTP on the local stack in the integration tests)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from peerlearn import clock
from peerlearn.config import ConfigError, PushSettings
from peerlearn.context import Context
from peerlearn.errors import BadRequest
from peerlearn.notify import push_devices, webpush
from peerlearn.notify.push_devices import PushKeys, PushSubscriptionIn
from tests.push_support import ORIGIN, InProcessPushService
from tests.support import VAPID_TEST_PRIVATE_KEY, call, load_function, rest_event

USER = "01JUSERPUSH000000000000000"
PAYLOAD = {
    "id": "n1",
    "kind": "session_moved",
    "title": "Session moved",
    "body": "Now at 18:00 IST",
    "link": "/sessions/s1",
    "tag": "session:s1",
}


@pytest.fixture
def push_ctx(ctx: Context, env: dict[str, str]) -> Context:
    settings = PushSettings.from_env({**env, "PUSH_DEV_ORIGIN": ORIGIN})
    return dataclasses.replace(ctx, push=settings)


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessPushService]:
    service = InProcessPushService()
    monkeypatch.setattr(webpush, "_session", lambda: service)
    return service


def subscribe(ctx: Context, sub: dict[str, Any], user: str = USER, device: str = "") -> str:
    assert ctx.push is not None
    request = PushSubscriptionIn(endpoint=sub["endpoint"], keys=PushKeys(**sub["keys"]), device=device)
    return push_devices.subscribe(ctx.push, user, request).id


# ---------------------------------------------------------------------- settings
def test_the_public_key_is_derived_from_the_private_one_and_never_printed(env: dict[str, str]) -> None:
    settings = PushSettings.from_env(env)

    assert len(push_devices._base64url(settings.public_key, "k")) == 65
    assert VAPID_TEST_PRIVATE_KEY not in repr(settings)
    cloud = {**env, "VAPID_PRIVATE_KEY": "", "VAPID_PRIVATE_KEY_PARAM": "/peerlearn/test/vapid"}
    asked: list[str] = []
    from_ssm = PushSettings.from_env(
        cloud, fetch_secret=lambda name: asked.append(name) or VAPID_TEST_PRIVATE_KEY
    )
    assert from_ssm.public_key == settings.public_key
    assert asked == ["/peerlearn/test/vapid"]
    with pytest.raises(ConfigError, match="VAPID_PRIVATE_KEY_PARAM"):
        PushSettings.from_env({**env, "VAPID_PRIVATE_KEY": ""})
    with pytest.raises(ConfigError, match="P-256"):
        PushSettings.from_env({**env, "VAPID_PRIVATE_KEY": "c2hvcnQ"})
    with pytest.raises(ConfigError, match="local stack"):
        PushSettings.from_env({**env, "PUSH_DEV_ORIGIN": "http://169.254.169.254"})


# ---------------------------------------------------------------------- the allow-list
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
        f"{ORIGIN}/_dev/push/send/abc123abc123",
    ],
)
def test_known_push_services_are_allowed(push_ctx: Context, endpoint: str) -> None:
    assert push_ctx.push is not None
    assert push_devices.endpoint_allowed(push_ctx.push, endpoint)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://fcm.googleapis.com:8443/fcm/send/abc",  # another port
        "https://fcm.googleapis.com.evil.example/x",  # a look-alike host
        "https://evilfcm.googleapis.com/x",  # not that host
        "https://notify.windows.com.evil.example/x",
        "https://user:pw@fcm.googleapis.com/x",  # credentials
        "https://169.254.169.254/latest/meta-data/",  # the metadata service
        "https://127.0.0.1/x",
        f"{ORIGIN}/api/auth/login",  # the stand-in's origin, but not the stand-in
        "http://127.0.0.1:9999/_dev/push/send/x",  # another local port
        "file:///etc/passwd",
    ],
)
def test_other_endpoints_are_refused_against_ssrf(push_ctx: Context, endpoint: str) -> None:
    assert push_ctx.push is not None
    assert not push_devices.endpoint_allowed(push_ctx.push, endpoint)
    with pytest.raises(BadRequest) as refused:
        subscribe(push_ctx, {"endpoint": endpoint, "keys": {"p256dh": "B" + "A" * 86, "auth": "A" * 22}})
    assert refused.value.field == "endpoint"


def test_the_stand_in_is_refused_where_no_dev_origin_is_set(ctx: Context, env: dict[str, str]) -> None:
    cloud = PushSettings.from_env(env)
    assert not push_devices.endpoint_allowed(cloud, f"{ORIGIN}/_dev/push/send/abc123abc123")


def test_keys_must_be_a_p256_point_and_a_16_byte_secret(
    push_ctx: Context, service: InProcessPushService
) -> None:
    sub = service.subscribe()
    off_curve = "BA" + "A" * 85  # 65 bytes starting 0x04, not on the curve
    for keys, field in [
        ({**sub["keys"], "p256dh": off_curve}, "keys.p256dh"),
        ({**sub["keys"], "auth": "A" * 21 + "+"}, "keys.auth"),
        ({**sub["keys"], "auth": "A" * 24}, "keys.auth"),  # 18 bytes
    ]:
        with pytest.raises(BadRequest) as refused:
            subscribe(push_ctx, {"endpoint": sub["endpoint"], "keys": keys})
        assert refused.value.field == field


# ---------------------------------------------------------------------- devices
def test_subscribing_again_replaces_and_an_eleventh_device_evicts_the_least_recent(
    push_ctx: Context, service: InProcessPushService
) -> None:
    subs = [service.subscribe() for _ in range(push_devices.MAX_DEVICES + 1)]
    ids = []
    for n, sub in enumerate(subs[:-1]):
        with clock.shifted(n):
            ids.append(subscribe(push_ctx, sub, device=f"Phone {n}"))
    with clock.shifted(push_devices.MAX_DEVICES):
        assert subscribe(push_ctx, subs[0], device="Phone 0 again") == ids[0]  # the same browser
    assert len(push_devices.devices(USER)) == push_devices.MAX_DEVICES

    with clock.shifted(push_devices.MAX_DEVICES + 1):
        newest = subscribe(push_ctx, subs[-1])

    kept = {d.subscription_id for d in push_devices.devices(USER)}
    assert kept == {*ids, newest} - {ids[1]}  # Phone 1 was the least recently seen
    assert push_devices.devices("someone-else") == []


def test_unsubscribing_is_idempotent_and_only_touches_ones_own(
    push_ctx: Context, service: InProcessPushService
) -> None:
    sub_id = subscribe(push_ctx, service.subscribe())
    push_devices.unsubscribe("someone-else", sub_id)
    assert len(push_devices.devices(USER)) == 1
    push_devices.unsubscribe(USER, sub_id)
    push_devices.unsubscribe(USER, sub_id)
    assert push_devices.devices(USER) == []
    with pytest.raises(BadRequest):
        push_devices.unsubscribe(USER, "../../PROFILE")


# ---------------------------------------------------------------------- sending
def test_each_device_gets_the_payload_encrypted_for_it_with_vapid_ttl_and_urgency(
    push_ctx: Context, service: InProcessPushService
) -> None:
    phone, laptop = service.subscribe(), service.subscribe()
    subscribe(push_ctx, phone)
    subscribe(push_ctx, laptop)

    sent = webpush.send_to_user(push_ctx, USER, PAYLOAD, ttl_seconds=600, urgency="high")

    assert sent == 2
    for sub in (phone, laptop):
        [message] = service.messages(sub["id"])["messages"]
        assert message["json"] == PAYLOAD
        assert message["ttl"] == 600
        assert message["urgency"] == "high"
        assert message["claims"]["aud"] == ORIGIN
        assert message["claims"]["sub"] == "mailto:push@peerlearn.test"
        assert push_ctx.push is not None
        assert message["claims"]["k"] == push_ctx.push.public_key
    assert all(d.last_sent_at for d in push_devices.devices(USER))


@pytest.mark.parametrize("how", ["gone", "forgotten"])
def test_a_device_the_push_service_no_longer_knows_is_dropped_and_the_others_still_get_theirs(
    push_ctx: Context, service: InProcessPushService, how: str
) -> None:
    stale, fresh = service.subscribe(), service.subscribe()
    stale_id = subscribe(push_ctx, stale)
    subscribe(push_ctx, fresh)
    if how == "gone":
        service.post(f"/_dev/push/subscriptions/{stale['id']}/gone")  # 410
    else:
        service.delete(f"/_dev/push/subscriptions/{stale['id']}")  # 404

    assert webpush.send_to_user(push_ctx, USER, PAYLOAD) == 1

    assert stale_id not in {d.subscription_id for d in push_devices.devices(USER)}
    assert len(service.messages(fresh["id"])["messages"]) == 1


class FlakyService:
    """A push service that answers 500 for one endpoint and fails the connection for another."""

    def __init__(self, inner: InProcessPushService, broken: str, unreachable: str) -> None:
        self.inner, self.broken, self.unreachable = inner, broken, unreachable

    def post(self, url: str, **kwargs: Any) -> Any:
        if url == self.unreachable:
            raise ConnectionError("no route to host")
        if url == self.broken:
            return type("R", (), {"status_code": 500, "text": "oops", "headers": {}})()
        return self.inner.post(url, **kwargs)


def test_other_failures_keep_the_device_log_no_key_and_dont_stop_the_rest(
    push_ctx: Context,
    service: InProcessPushService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken, unreachable, fine = service.subscribe(), service.subscribe(), service.subscribe()
    for sub in (broken, unreachable, fine):
        subscribe(push_ctx, sub)
    monkeypatch.setattr(
        webpush, "_session", lambda: FlakyService(service, broken["endpoint"], unreachable["endpoint"])
    )

    with caplog.at_level(logging.INFO):
        assert webpush.send_to_user(push_ctx, USER, PAYLOAD) == 1

    assert len(push_devices.devices(USER)) == 3
    assert len(service.messages(fine["id"])["messages"]) == 1
    logged = caplog.text
    assert "500" in logged
    assert "ConnectionError" in logged
    assert push_ctx.push is not None
    for secret in (push_ctx.push.private_key, broken["endpoint"], broken["keys"]["auth"]):
        assert secret not in logged


def test_nothing_is_sent_without_push_settings_or_devices(ctx: Context, push_ctx: Context) -> None:
    assert webpush.send_to_user(ctx, USER, PAYLOAD) == 0
    assert webpush.send_to_user(push_ctx, "nobody", PAYLOAD) == 0


def test_a_long_body_is_shortened_to_fit_a_push_message(
    push_ctx: Context, service: InProcessPushService
) -> None:
    sub = service.subscribe()
    subscribe(push_ctx, sub)

    assert webpush.send_to_user(push_ctx, USER, {**PAYLOAD, "body": "ग" * 3000}) == 1

    [message] = service.messages(sub["id"])["messages"]
    assert message["json"]["title"] == PAYLOAD["title"]
    assert message["json"]["body"].endswith("…")
    assert len(message["payload"].encode()) <= webpush.MAX_PAYLOAD_BYTES


# ---------------------------------------------------------------------- the routes
@pytest.fixture
def notifications_fn(ctx: Context, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("PUSH_DEV_ORIGIN", ORIGIN)
    return load_function("notifications")


def test_the_routes_give_the_key_subscribe_and_unsubscribe(
    notifications_fn: ModuleType, service: InProcessPushService
) -> None:
    who = {"user_id": USER}
    sub = service.subscribe()

    key = call(notifications_fn, rest_event("GET", "/api/notifications/push/key", identity=who))
    created = call(
        notifications_fn,
        rest_event(
            "POST",
            "/api/notifications/push/subscriptions",
            {**sub, "device": "Chrome on Linux"},
            identity=who,
        ),
    )
    refused = call(
        notifications_fn,
        rest_event(
            "POST",
            "/api/notifications/push/subscriptions",
            {**sub, "endpoint": "https://169.254.169.254/x"},
            identity=who,
        ),
    )
    anonymous = call(notifications_fn, rest_event("GET", "/api/notifications/push/key"))

    assert key.status == 200
    assert len(key.body["public_key"]) == 87
    assert created.status == 201
    assert created.body["device"] == "Chrome on Linux"
    assert refused.status == 400
    assert refused.body["error"]["field"] == "endpoint"
    assert anonymous.status == 401
    sub_id = created.body["id"]
    path = f"/api/notifications/push/subscriptions/{sub_id}"
    gone = call(notifications_fn, rest_event("DELETE", path, path_parameters={"id": sub_id}, identity=who))
    assert gone.status == 204
    assert push_devices.devices(USER) == []


def test_urgency_follows_the_kind_and_the_ttl_the_notices_expiry(
    push_ctx: Context, service: InProcessPushService
) -> None:
    sub = service.subscribe()
    subscribe(push_ctx, sub)
    now = clock.now_seconds()

    webpush.send_to_user(push_ctx, USER, {**PAYLOAD, "kind": "session_reminder"}, expires_at=now + 600)
    webpush.send_to_user(push_ctx, USER, {**PAYLOAD, "kind": "review_new"})
    stale = webpush.send_to_user(push_ctx, USER, {**PAYLOAD, "kind": "waitlist_offer"}, expires_at=now - 1)

    reminder, review = service.messages(sub["id"])["messages"]
    assert reminder["urgency"] == "high"
    assert 590 <= reminder["ttl"] <= 600
    assert review["urgency"] == "normal"
    assert review["ttl"] == webpush.DEFAULT_TTL_SECONDS
    assert stale == 0
