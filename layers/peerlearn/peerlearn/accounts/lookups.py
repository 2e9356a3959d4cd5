"""Finding a user: by id, or by the email address they sign in with (through its claim item)."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from peerlearn.errors import NotFound
from peerlearn.store.keys import USER_PROFILE_SK, email_pk, user_pk
from peerlearn.store.models import EmailClaimItem, UserItem


def get_user(user_id: str, *, consistent: bool = False) -> UserItem:
    try:
        return UserItem.get(user_pk(user_id), USER_PROFILE_SK, consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such user.") from exc


def find_user_by_email(email: str) -> UserItem | None:
    try:
        claim = EmailClaimItem.get(email_pk(email), "EMAIL")
    except DoesNotExist:
        return None
    try:
        return UserItem.get(user_pk(claim.user_id), USER_PROFILE_SK)
    except DoesNotExist:
        return None
