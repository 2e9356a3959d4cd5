"""Who is calling: checks an access token against the user and its sign-in, read together.

One TransactGetItems (strongly consistent, allowed by GetItem permission) reads the user and the
token's refresh family, so a ban, a password change or a sign-out is seen at once, in one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactGetError
from pynamodb.transactions import TransactGet

from peerlearn.accounts import tokens
from peerlearn.errors import Forbidden, Unauthorized
from peerlearn.store.keys import USER_PROFILE_SK, refresh_sk, user_pk
from peerlearn.store.models import RefreshFamilyItem, UserItem


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


def _read_together(user_id: str, sign_in_id: str) -> tuple[UserItem | None, RefreshFamilyItem | None]:
    connection = UserItem._get_connection().connection  # the bound table's connection
    with TransactGet(connection=connection) as read:
        user_future = read.get(UserItem, user_pk(user_id), USER_PROFILE_SK)
        family_future = read.get(RefreshFamilyItem, user_pk(user_id), refresh_sk(sign_in_id))
    found: list[Any] = []
    for future in (user_future, family_future):
        try:
            found.append(future.get())
        except DoesNotExist:
            found.append(None)
    return found[0], found[1]


def _read_user_and_sign_in(user_id: str, sign_in_id: str) -> tuple[UserItem, RefreshFamilyItem | None]:
    try:
        user, family = _read_together(user_id, sign_in_id)
    except TransactGetError:
        # Cancelled by a transaction writing the user at this moment (a reset, a sign-up): read the
        # two items one by one instead, each strongly consistent, rather than fail the request.
        user = _get_or_none(UserItem, user_pk(user_id), USER_PROFILE_SK)
        family = _get_or_none(RefreshFamilyItem, user_pk(user_id), refresh_sk(sign_in_id))
    if user is None:
        raise Unauthorized("Sign in to continue.")
    return user, family


def _get_or_none(model: Any, pk: str, sk: str) -> Any:
    try:
        return model.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None


def authorize(jwt_secret: str, access_token: str) -> Identity:
    """Unauthorized for a bad, expired or revoked token; Forbidden for a banned or deactivated user."""
    claims = tokens.read_access_token(jwt_secret, access_token)
    user, sign_in = _read_user_and_sign_in(claims.user_id, claims.sign_in_id)
    if user.banned:  # checked first: a banned user gets 403 whatever the state of the token
        raise Forbidden("This account has been suspended.", code="account_suspended")
    if user.deactivated:  # as a ban, but the person is told what happened to their account
        raise Forbidden("This account has been deactivated.", code="account_deactivated")
    if claims.version != user.token_version or sign_in is None or sign_in.revoked:
        raise Unauthorized("You've been signed out. Sign in again.", code="signed_out")
    return Identity(user_id=user.id, role=user.role, email_verified=bool(user.email_verified))
