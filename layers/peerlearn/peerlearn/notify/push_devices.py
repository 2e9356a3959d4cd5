"""A person's push devices: subscribing one (validated: the endpoint is a URL our functions will POST
to, so only known push services are accepted), unsubscribing, listing them for the sender.

At most MAX_DEVICES per person: subscribing one more replaces the one used least recently (a phone
that was reset never unsubscribes, and would otherwise hold a place for ever).
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, StringConstraints

from peerlearn import clock
from peerlearn.config import PushSettings
from peerlearn.encoding import b64url_decode
from peerlearn.errors import BadRequest
from peerlearn.shapes import Shape
from peerlearn.store.keys import user_pk
from peerlearn.store.push import PUSH_SUB_PREFIX, PushSubscriptionItem, push_sub_sk
from peerlearn.text import SingleLine
from peerlearn.timeutil import iso_from_epoch

MAX_DEVICES = 10
MAX_ENDPOINT_LENGTH = 1024  # FCM's are ~200 characters, Apple's and Mozilla's longer; none near this
SUBSCRIPTION_ID = re.compile(r"^[0-9a-f]{32}$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class PushKeys(Shape):
    model_config = ConfigDict(extra="forbid")

    p256dh: Annotated[str, StringConstraints(min_length=80, max_length=100)]
    auth: Annotated[str, StringConstraints(min_length=16, max_length=32)]


class PushSubscriptionIn(Shape):
    """What `PushSubscription.toJSON()` gives (endpoint, keys), plus a label for the device."""

    model_config = ConfigDict(extra="ignore")  # toJSON() also carries expirationTime

    endpoint: Annotated[str, StringConstraints(min_length=12, max_length=MAX_ENDPOINT_LENGTH)]
    keys: PushKeys
    device: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60), SingleLine] = ""


class PushSubscriptionOut(Shape):
    id: str
    device: str
    created_at: str = Field(description="ISO 8601, UTC")


class PushKeyOut(Shape):
    public_key: str = Field(description="The VAPID public key: base64url of the uncompressed P-256 point")


def subscription_id(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()[:32]


def endpoint_allowed(settings: PushSettings, endpoint: str) -> bool:
    """https on a known push service's host (exact, or under a `*.` suffix), default port, no
    credentials; or, locally, the stack's push-service stand-in under /_dev/push/."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or not host or parts.fragment:
        return False
    local = settings.dev_origin is not None and f"{parts.scheme}://{parts.netloc}" == settings.dev_origin
    if local and parts.path.startswith("/_dev/push/"):
        return True
    if parts.scheme != "https" or port not in (None, 443):
        return False
    for allowed in settings.service_hosts:
        if allowed.startswith("*."):
            if host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
                return True
        elif host == allowed:
            return True
    return False


def _base64url(value: str, field: str) -> bytes:
    if not _BASE64URL.match(value):
        raise BadRequest("must be base64url", field=field)
    try:
        return b64url_decode(value)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("must be base64url", field=field) from exc


def _check_keys(keys: PushKeys) -> None:
    point = _base64url(keys.p256dh, "keys.p256dh")
    if len(point) != 65 or point[0] != 4:
        raise BadRequest("must be an uncompressed P-256 public key (65 bytes)", field="keys.p256dh")
    from cryptography.hazmat.primitives.asymmetric import ec

    try:  # a point off the curve would only fail later, at every send
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise BadRequest("is not a point on P-256", field="keys.p256dh") from exc
    if len(_base64url(keys.auth, "keys.auth")) != 16:
        raise BadRequest("must be a 16-byte auth secret", field="keys.auth")


def devices(user_id: str) -> list[PushSubscriptionItem]:
    return list(
        PushSubscriptionItem.query(
            user_pk(user_id), PushSubscriptionItem.sk.startswith(PUSH_SUB_PREFIX), limit=MAX_DEVICES * 2
        )
    )


def subscribe(settings: PushSettings, user_id: str, request: PushSubscriptionIn) -> PushSubscriptionOut:
    if not endpoint_allowed(settings, request.endpoint):
        raise BadRequest("must be an https URL of a known push service", field="endpoint")
    _check_keys(request.keys)
    sub_id = subscription_id(request.endpoint)
    now = clock.now_seconds()
    others = [item for item in devices(user_id) if item.subscription_id != sub_id]
    others.sort(key=lambda item: max(item.last_sent_at or 0, item.created_at))
    for stale in others[: max(0, len(others) - (MAX_DEVICES - 1))]:
        stale.delete()
    item = PushSubscriptionItem(
        user_pk(user_id),
        push_sub_sk(sub_id),
        subscription_id=sub_id,
        user_id=user_id,
        endpoint=request.endpoint,
        p256dh=request.keys.p256dh.rstrip("="),
        auth=request.keys.auth.rstrip("="),
        device=request.device,
        created_at=now,
    )
    item.save()
    return PushSubscriptionOut(id=sub_id, device=request.device, created_at=iso_from_epoch(now))


def unsubscribe(user_id: str, sub_id: str) -> None:
    """Idempotent: a device the push service already dropped (410) is gone here too."""
    if not SUBSCRIPTION_ID.match(sub_id):
        raise BadRequest("not a push subscription id", field="id")
    PushSubscriptionItem(user_pk(user_id), push_sub_sk(sub_id)).delete()


def drop(item: PushSubscriptionItem) -> None:
    """Forget a device the push service says is gone; only if it still is the same subscription."""
    from pynamodb.exceptions import DeleteError

    with contextlib.suppress(DeleteError):  # re-subscribed meanwhile, or already gone
        item.delete(condition=PushSubscriptionItem.endpoint == item.endpoint)


def mark_sent(item: PushSubscriptionItem, at: int) -> None:
    from pynamodb.exceptions import UpdateError

    with contextlib.suppress(UpdateError):  # unsubscribed while we were sending: nothing to note
        item.update(
            actions=[PushSubscriptionItem.last_sent_at.set(at)],
            condition=PushSubscriptionItem.endpoint == item.endpoint,
        )
