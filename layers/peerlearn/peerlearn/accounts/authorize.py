"""Who is calling: checks an access token against the user record (ban and sign-out-everywhere)."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from peerlearn.accounts import tokens
from peerlearn.errors import Forbidden, Unauthorized
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem


@dataclass(frozen=True)
class Identity:
    user_id: str
    role: str
    email_verified: bool


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Sign in to continue.")
    return token.strip()


def authorize(jwt_secret: str, access_token: str) -> Identity:
    """Unauthorized for a bad, expired or revoked token; Forbidden for a banned user."""
    claims = tokens.read_access_token(jwt_secret, access_token)
    try:
        user = UserItem.get(user_pk(claims.user_id), USER_PROFILE_SK)
    except DoesNotExist as exc:
        raise Unauthorized("Sign in to continue.") from exc
    if user.banned:  # checked first: a banned user gets 403 whatever the state of the token
        raise Forbidden("This account has been suspended.", code="account_suspended")
    if claims.issued_at < int(user.sessions_valid_after or 0):
        raise Unauthorized("Your session has ended. Sign in again.", code="session_ended")
    return Identity(user_id=user.id, role=user.role, email_verified=bool(user.email_verified))
