"""Web push to a person's subscribed devices: the payload encrypted for each device (RFC 8291,
aes128gcm) and signed for the push service with our VAPID key (RFC 8292), through `pywebpush`.

Each device is tried on its own: a push service answering 404 or 410 means the subscription is gone
and its item is deleted; any other failure is logged (the push service's host and status, never the
endpoint, which is a capability URL, nor a key) and the other devices still get theirs.
"""

from __future__ import annotations

import json
import logging
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from peerlearn import clock
from peerlearn.context import Context
from peerlearn.notify import push_devices

if TYPE_CHECKING:
    from py_vapid import Vapid02
    from requests import Session

log = logging.getLogger(__name__)

Urgency = Literal["very-low", "low", "normal", "high"]
DEFAULT_TTL_SECONDS = 12 * 3600  # a notification older than half a day is news no longer
# Push services accept 4096 bytes of encrypted body; aes128gcm adds 86 bytes of header and
# a 17-byte tag and padding delimiter, so the plaintext stays under 3800 with room to spare.
MAX_PAYLOAD_BYTES = 3800
TIMEOUT_SECONDS = 5.0
# The VAPID JWT's lifetime: push services refuse more than 24 hours.
VAPID_LIFETIME_SECONDS = 12 * 3600
GONE = (404, 410)


# Kinds a person acts on within minutes (a session starting, a seat offered for a short while, a
# learner knocking): push services deliver "high" at once even to a phone saving its battery.
URGENT_KINDS = frozenset(
    {"session_reminder", "waitlist_offer", "waiting_room", "session_moved", "session_cancelled"}
)


def send_to_user(
    ctx: Context,
    user_id: str,
    payload: dict[str, Any],
    *,
    ttl_seconds: int | None = None,
    urgency: Urgency | None = None,
    expires_at: int | None = None,
) -> int:
    """Sends `payload` to each of the user's push subscriptions; returns how many accepted it.
    Never raises for one bad device (nor when push is not configured: then nothing is sent).

    `expires_at` (epoch seconds, the Notice's): the push services keep the message no longer than
    that (TTL), and nothing is sent once it has passed. Urgency follows the kind unless given."""
    settings = ctx.push
    if settings is None:
        return 0
    if ttl_seconds is None:
        ttl_seconds = DEFAULT_TTL_SECONDS
        if expires_at is not None:
            ttl_seconds = min(ttl_seconds, expires_at - clock.now_seconds())
            if ttl_seconds <= 0:
                return 0  # a reminder for a session that has started, an offer that lapsed
    if urgency is None:
        urgency = "high" if payload.get("kind") in URGENT_KINDS else "normal"
    devices = push_devices.devices(user_id)
    if not devices:
        return 0
    data = _encode(payload)
    vapid = _vapid(settings.private_key)
    session = _session()
    accepted = 0
    for device in devices:
        host = urlsplit(device.endpoint).hostname or "?"
        if not push_devices.endpoint_allowed(settings, device.endpoint):
            # Stored under other settings (a service since removed from the list): never POST there.
            log.warning("push: subscription %s at %s: not an allowed service", device.subscription_id, host)
            push_devices.drop(device)
            continue
        try:
            status = _post(session, vapid, settings.subject, device, data, ttl_seconds, urgency)
        except Exception as exc:  # one device's network trouble must not stop the others
            log.warning("push: sending to %s failed: %s", host, type(exc).__name__)
            continue
        if status in (200, 201, 202):
            accepted += 1
            push_devices.mark_sent(device, clock.now_seconds())
        elif status in GONE:
            log.info("push: subscription %s is gone (%s: %s); dropped", device.subscription_id, host, status)
            push_devices.drop(device)
        else:
            log.warning("push: %s answered %s for subscription %s", host, status, device.subscription_id)
    return accepted


def _encode(payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if len(data) > MAX_PAYLOAD_BYTES:  # only the body can be long: shorten it, keep the rest whole
        body = str(payload.get("body", ""))
        excess = len(data) - MAX_PAYLOAD_BYTES
        shorter = body.encode()[: max(0, len(body.encode()) - excess - 3)].decode(errors="ignore") + "…"
        data = json.dumps({**payload, "body": shorter}, ensure_ascii=False, separators=(",", ":")).encode()
    return data


def _post(
    session: Session,
    vapid: Vapid02,
    subject: str,
    device: push_devices.PushSubscriptionItem,
    data: bytes,
    ttl_seconds: int,
    urgency: Urgency,
) -> int:
    from pywebpush import WebPusher

    parts = urlsplit(device.endpoint)
    # The push service checks `exp` against its own clock, the real one: so the wall clock here,
    # not peerlearn.clock (which the local stack may have moved forward for reminders).
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + VAPID_LIFETIME_SECONDS,
        "sub": subject,
    }
    headers = {**vapid.sign(claims), "Urgency": urgency}
    subscription = {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}
    response = WebPusher(subscription, requests_session=session).send(
        data, headers, ttl=ttl_seconds, content_encoding="aes128gcm", timeout=TIMEOUT_SECONDS
    )
    return int(response.status_code)


@lru_cache(maxsize=2)
def _vapid(private_key: str) -> Vapid02:
    from py_vapid import Vapid02

    return Vapid02.from_raw(private_key.encode())


def _session() -> Session:
    import requests

    session = requests.Session()
    session.trust_env = False  # no proxy settings from the environment between us and the push service
    session.max_redirects = 0  # the allow-list was checked for the endpoint, not for where it redirects
    return session
