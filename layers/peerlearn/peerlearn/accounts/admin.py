"""Administration of accounts: find people (by role index, newest first), look at one, ban and unban.

Access patterns: all users newest first -> one Query per role on gsi1 (`ROLE#<role>`, sort key
`<created_at>#<id>`) merged by sort key; one role -> that Query alone. Never a Scan. The cursor is
the sort key of the last user shown, so one cursor works across the merged roles.
"""

from __future__ import annotations

import heapq
import logging
from typing import Any

from peerlearn import clock, store
from peerlearn.accounts import signins
from peerlearn.accounts.lookups import get_user
from peerlearn.accounts.schemas import AdminUser, AdminUserPage
from peerlearn.adapters.objects import avatar_url
from peerlearn.errors import BadRequest, Forbidden, NotFound
from peerlearn.store.keys import role_gsi1pk
from peerlearn.store.models import UserItem
from peerlearn.store.paging import decode_cursor, encode_cursor

logger = logging.getLogger(__name__)

ROLES = ("learner", "mentor", "admin")


def to_admin_user(user: UserItem, media_base_url: str) -> AdminUser:
    return AdminUser(
        id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        email_verified=bool(user.email_verified),
        banned=bool(user.banned),
        ban_reason=user.ban_reason if user.banned else None,
        banned_at=user.banned_at if user.banned else None,
        created_at=user.created_at,
        avatar_url=avatar_url(user.avatar_key, media_base_url),
        headline=user.headline,
    )


def _position(cursor: str | None) -> str | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    before = key.get("before", {}).get("S")
    if not isinstance(before, str) or "#" not in before:
        raise BadRequest("The cursor is not valid; start from the first page.", field="cursor")
    return before


def _matches(q: str) -> Any:
    needle = q.strip().lower()
    # Users created before search_text existed still match on their email (stored lower-cased).
    return UserItem.search_text.contains(needle) | UserItem.email.contains(needle) | UserItem.name.contains(q)


def list_users(
    *, media_base_url: str, q: str | None, role: str | None, limit: int, cursor: str | None
) -> AdminUserPage:
    before = _position(cursor)
    per_role = []
    for each in [role] if role else ROLES:
        query = UserItem.by_role.query(
            role_gsi1pk(each),
            UserItem.gsi1sk < before if before else None,
            filter_condition=_matches(q) if q and q.strip() else None,
            scan_index_forward=False,
            limit=limit + 1,  # one more than shown tells whether there is a next page
        )
        per_role.append(list(query))
    merged = list(heapq.merge(*per_role, key=lambda user: user.gsi1sk, reverse=True))
    shown = merged[:limit]
    more = len(merged) > limit
    return AdminUserPage(
        items=[to_admin_user(user, media_base_url) for user in shown],
        next_cursor=encode_cursor({"before": {"S": shown[-1].gsi1sk}}) if more and shown else None,
    )


def view_user(*, media_base_url: str, user_id: str) -> AdminUser:
    return to_admin_user(get_user(user_id, consistent=True), media_base_url)


def _target(admin_id: str, user_id: str) -> UserItem:
    if admin_id == user_id:
        raise BadRequest("You can't ban yourself.", code="invalid_target")
    user = get_user(user_id)
    if user.role == "admin":
        raise Forbidden("Admins can't be banned through the API.")
    return user


def ban(*, media_base_url: str, admin_id: str, user_id: str, reason: str) -> AdminUser:
    """Bans the user, records why, when and by whom, and ends every sign-in (tokens included)."""
    user = _target(admin_id, user_id)
    now = clock.iso(clock.now_seconds())
    with store.failed_condition_raises(NotFound("No such user.")):
        user.update(
            actions=[
                UserItem.banned.set(True),
                UserItem.ban_reason.set(reason),
                UserItem.banned_at.set(now),
                UserItem.banned_by.set(admin_id),
                UserItem.updated_at.set(now),
                UserItem.token_version.add(1),  # every access token dies with the ban, exactly
            ],
            condition=UserItem.pk.exists(),
        )
    signins.end_refresh_families(user_id, reason="banned")
    logger.info("user banned", extra={"user_id": user_id, "admin_id": admin_id})
    return to_admin_user(user, media_base_url)


def unban(*, media_base_url: str, admin_id: str, user_id: str, reason: str) -> AdminUser:
    user = _target(admin_id, user_id)
    now = clock.iso(clock.now_seconds())
    with store.failed_condition_raises(NotFound("No such user.")):
        user.update(
            actions=[
                UserItem.banned.set(False),
                UserItem.ban_reason.remove(),
                UserItem.banned_at.remove(),
                UserItem.banned_by.remove(),
                UserItem.unban_reason.set(reason),
                UserItem.unbanned_at.set(now),
                UserItem.unbanned_by.set(admin_id),
                UserItem.updated_at.set(now),
            ],
            condition=UserItem.pk.exists(),
        )
    logger.info("user unbanned", extra={"user_id": user_id, "admin_id": admin_id})
    return to_admin_user(user, media_base_url)
