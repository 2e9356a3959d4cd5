"""Device cookies (OWASP "slow down online guessing attacks with device cookies").

A successful sign-in leaves the browser an HMAC-signed `{user id, nonce}` cookie. A later sign-in
that presents it for the same account is judged by the device's own small failure budget instead of
the account's, so strangers guessing a password cannot slow down the owner's own devices.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from peerlearn import ids
from peerlearn.encoding import b64url_encode

COOKIE_NAME = "pl_device"
COOKIE_MAX_AGE_SECONDS = 180 * 24 * 3600
_VERSION = "d1"


@dataclass(frozen=True)
class DeviceCookie:
    user_id: str
    nonce: str


def _key(secret: str) -> bytes:
    # Derived, not the JWT secret itself: a device cookie can never be read as any other token.
    return hmac.new(secret.encode(), b"peerlearn device cookie", hashlib.sha256).digest()


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(_key(secret), payload.encode(), hashlib.sha256).digest()
    return b64url_encode(digest)


def issue(secret: str, user_id: str) -> str:
    payload = f"{_VERSION}.{user_id}.{secrets.token_urlsafe(16)}"
    return f"{payload}.{_signature(secret, payload)}"


def read(secret: str, value: str | None) -> DeviceCookie | None:
    """The cookie's contents when its signature holds, else None (a bad cookie is no cookie)."""
    parts = (value or "").split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not ids.is_id(parts[1]) or not parts[2]:
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _signature(secret, payload)):
        return None
    return DeviceCookie(user_id=parts[1], nonce=parts[2])
