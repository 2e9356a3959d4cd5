"""One-click unsubscribe: the signed token an email's unsubscribe link carries, and what it does.

A token names one person and one category: `u1.<user id>.<category>.<signature>`. The signature is
HMAC-SHA256 under a key derived from the JWT secret for this purpose only (so no other token the
secret signs can pass for one of these). It never expires: an old email's link must keep working;
`u1` is the version, so a new scheme can replace it without accepting the old one by accident.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote

from peerlearn.config import Settings
from peerlearn.encoding import b64url_encode
from peerlearn.errors import BadRequest, NotFound
from peerlearn.notify import catalog, preferences
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem

VERSION = "u1"
_KEY_LABEL = b"peerlearn/unsubscribe-token/v1"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: str
    category: catalog.Category


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def _signature(secret: str, user_id: str, category: str) -> str:
    message = f"{VERSION}.{user_id}.{category}".encode()
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return b64url_encode(digest)


def make_token(secret: str, user_id: str, category: str) -> str:
    if category not in catalog.CATEGORIES or catalog.CATEGORIES[category].account:
        raise ValueError(f"category {category!r} has no unsubscribe")  # a bug, not input
    return f"{VERSION}.{user_id}.{category}.{_signature(secret, user_id, category)}"


def read_token(secret: str, token: str) -> Unsubscribe:
    """The person and category a token names; BadRequest for anything not made by `make_token`."""
    invalid = BadRequest(
        "This unsubscribe link isn't valid. It may have been copied incompletely.", code="invalid_token"
    )
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != VERSION:
        raise invalid
    _, user_id, category, signature = parts
    if not hmac.compare_digest(_signature(secret, user_id, category).encode(), signature.encode()):
        raise invalid
    found = catalog.CATEGORIES.get(category)
    if found is None or found.account:  # signed, so only a retired category can get here
        raise invalid
    return Unsubscribe(user_id=user_id, category=found)


def unsubscribe_url(settings: Settings, user_id: str, category: str) -> str:
    """The one-click address (RFC 8058) for the List-Unsubscribe header: POSTed by mail clients."""
    token = make_token(settings.jwt_secret, user_id, category)
    return f"{settings.web_base_url}/api/notifications/unsubscribe?token={quote(token)}"


def unsubscribe_page_url(settings: Settings, user_id: str, category: str) -> str:
    """The web page a person opens from the email's visible link (asks before it unsubscribes)."""
    token = make_token(settings.jwt_secret, user_id, category)
    return f"{settings.web_base_url}/unsubscribe?token={quote(token)}"


def mask_email(email: str) -> str:
    """`a•••@example.com`: enough for a person to recognise their address, not to harvest it."""
    local, at, domain = email.partition("@")
    if not at:
        return "•••"
    return f"{local[:1]}•••@{domain}"


@dataclass(frozen=True)
class Subscription:
    category: catalog.Category
    email: str  # masked
    subscribed: bool


def _user(user_id: str) -> UserItem:
    try:
        return UserItem.get(user_pk(user_id), USER_PROFILE_SK)
    except UserItem.DoesNotExist:
        raise NotFound("This unsubscribe link belongs to an account that no longer exists.") from None


def describe(secret: str, token: str) -> Subscription:
    """What the token's link would do, for the page that asks before it does it."""
    wanted = read_token(secret, token)
    user = _user(wanted.user_id)
    on = preferences.get(wanted.user_id).allows(wanted.category.name, "email")
    return Subscription(category=wanted.category, email=mask_email(user.email), subscribed=on)


def unsubscribe(secret: str, token: str) -> catalog.Category:
    """Turns off email for the token's category (idempotent: a second click changes nothing)."""
    wanted = read_token(secret, token)
    _user(wanted.user_id)
    preferences.set_channel(wanted.user_id, wanted.category.name, "email", False)
    return wanted.category
