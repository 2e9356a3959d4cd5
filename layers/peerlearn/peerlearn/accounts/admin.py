"""Administration of accounts: find people (by role index, newest first), look at one, and change
them: ban / unban, deactivate / activate, edit the profile, verify the email, change the role. Each
change and its audit entry (peerlearn.audit) are one transaction, conditioned on the user being as
read (`updated_at`), so the entry's fields, before and after are exactly what changed. The entry
names every changed field but keeps values only of states, times and roles, never personal data (a
name, a bio): the log can't be edited, so it must hold nothing an erasure would have to remove.

Access patterns:

| pattern                          | key condition                                              | index |
|----------------------------------|------------------------------------------------------------|-------|
| all users newest first           | gsi1pk = ROLE#<role> per role, merged by gsi1sk            | gsi1  |
| one role newest first            | gsi1pk = ROLE#<role>                                       | gsi1  |
| one user (read before a change)  | pk = USER#<id>, sk = PROFILE (consistent)                  | table |
| a mentor's upcoming sessions     | gsi2pk = MENTOR#<id>, gsi2sk > now, filter live/scheduled  | gsi2  |

Never a Scan. The users cursor is the sort key of the last user shown, so one cursor works across
the merged roles.

Who may be changed: never yourself (use /api/me); never another admin's access (ban, deactivate,
role): one stolen admin token must not lock the other admins out. Making or unmaking an admin is
refused through the API altogether: admin rights are granted by the operator command
(`python -m infra.local create-admin`, or its cloud twin), which needs deploy access, so a stolen
admin token can't mint more admins or hide itself by demoting the others.
"""

from __future__ import annotations

import heapq
import logging
from typing import Any

from peerlearn import audit, clock, store
from peerlearn.accounts import signins
from peerlearn.accounts.lookups import get_user
from peerlearn.accounts.profiles import distinct_tags, search_text
from peerlearn.accounts.schemas import AdminProfileChanges, AdminUser, AdminUserPage
from peerlearn.adapters.objects import avatar_url
from peerlearn.errors import BadRequest, Conflict, Forbidden
from peerlearn.store.keys import mentor_sessions_pk, role_gsi1pk
from peerlearn.store.models import SessionItem, UserItem
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
        deactivated=bool(user.deactivated),
        deactivation_reason=user.deactivation_reason if user.deactivated else None,
        deleted=bool(user.deleted_at),
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


# ---------------------------------------------------------------- changes, each with its audit entry
_TARGET_TYPE = "user"


def _read_target(admin_id: str, user_id: str, *, yourself: str, admins: str | None) -> UserItem:
    """The user as it is now (strongly consistent: the audit's `before`). `admins`: the message when
    the action may not touch another admin (None: it may)."""
    if admin_id == user_id:
        raise BadRequest(yourself, code="invalid_target")
    user = get_user(user_id, consistent=True)
    if user.deleted_at:  # erased at the person's request: an edit would put personal data back
        raise Conflict("This account was deleted at its owner's request.", code="account_deleted")
    if admins is not None and user.role == "admin":
        raise Forbidden(admins, code="admin_target")
    return user


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


# The fields whose values an audit entry keeps: states, times, roles and admins' ids. Everything else a
# change touches (name, headline, bio, tags, timezone, the reasons copied onto the user) is personal
# data: the entry names the field and keeps no value, since no one may edit the log to erase it when
# the person deletes their account. The entry's own `reason` is kept: admins write it without personal
# data (the README and the admin site say so).
_LOGGED_VALUES = frozenset(
    {
        "banned",
        "banned_at",
        "banned_by",
        "unbanned_at",
        "unbanned_by",
        "deactivated",
        "deactivated_at",
        "deactivated_by",
        "email_verified",
        "role",
    }
)


def _logged(values: dict[str, Any]) -> dict[str, Any] | None:
    kept = {field: value for field, value in values.items() if field in _LOGGED_VALUES}
    return kept or None


def _change(
    user: UserItem,
    *,
    admin_id: str,
    action: str,
    reason: str | None,
    after: dict[str, Any],
    extra_actions: list[Any] | None = None,
    condition: Any = None,
    now: str,
) -> None:
    """Sets `after` on the user and writes the audit entry in one transaction, only if the user is
    still as read (same `updated_at`); `user` is then updated in memory to match."""
    before = {field: _plain(getattr(user, field)) for field in after if field in _LOGGED_VALUES}
    actions: list[Any] = [UserItem.updated_at.set(now), *(extra_actions or [])]
    for field, value in after.items():
        attribute = getattr(UserItem, field)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    unchanged = UserItem.updated_at == user.updated_at
    entry = audit.entry(
        at=now,
        actor_id=admin_id,
        action=action,
        target_type=_TARGET_TYPE,
        target_id=user.id,
        reason=reason,
        before=_logged(before),
        after=_logged(after),
        fields=sorted(after),
    )
    with (
        store.failed_condition_raises(
            Conflict("The account changed meanwhile; reload it and try again.", code="changed_meanwhile")
        ),
        store.transaction() as tx,
    ):
        tx.update(user, actions, condition=unchanged & condition if condition is not None else unchanged)
        audit.record(tx, entry)
    for field, value in after.items():
        setattr(user, field, value)
    user.updated_at = now


def ban(*, media_base_url: str, admin_id: str, user_id: str, reason: str) -> AdminUser:
    """Bans the user, records why, when and by whom, and ends every sign-in (tokens included)."""
    user = _read_target(
        admin_id,
        user_id,
        yourself="You can't ban yourself.",
        admins="Admins can't be banned through the API.",
    )
    now = clock.iso(clock.now_seconds())
    _change(
        user,
        admin_id=admin_id,
        action="user.ban",
        reason=reason,
        after={"banned": True, "ban_reason": reason, "banned_at": now, "banned_by": admin_id},
        extra_actions=[UserItem.token_version.add(1)],  # every access token dies with the ban, exactly
        now=now,
    )
    signins.end_refresh_families(user_id, reason="banned")
    logger.info("user banned", extra={"user_id": user_id, "admin_id": admin_id})
    return to_admin_user(user, media_base_url)


def unban(*, media_base_url: str, admin_id: str, user_id: str, reason: str) -> AdminUser:
    user = _read_target(
        admin_id,
        user_id,
        yourself="You can't unban yourself.",
        admins="Admins can't be banned through the API.",
    )
    now = clock.iso(clock.now_seconds())
    _change(
        user,
        admin_id=admin_id,
        action="user.unban",
        reason=reason,
        after={
            "banned": False,
            "ban_reason": None,
            "banned_at": None,
            "banned_by": None,
            "unban_reason": reason,
            "unbanned_at": now,
            "unbanned_by": admin_id,
        },
        now=now,
    )
    logger.info("user unbanned", extra={"user_id": user_id, "admin_id": admin_id})
    return to_admin_user(user, media_base_url)


def deactivate(*, media_base_url: str, admin_id: str, user_id: str, reason: str) -> AdminUser:
    """Like a ban (sign-in refused, every token ended) but the person is told their account is
    deactivated, not suspended: for closed or dormant accounts rather than misconduct."""
    user = _read_target(
        admin_id,
        user_id,
        yourself="You can't deactivate yourself.",
        admins="Admins can't be deactivated through the API.",
    )
    if user.deactivated:
        raise Conflict("The account is already deactivated.", code="already_deactivated")
    now = clock.iso(clock.now_seconds())
    _change(
        user,
        admin_id=admin_id,
        action="user.deactivate",
        reason=reason,
        after={
            "deactivated": True,
            "deactivation_reason": reason,
            "deactivated_at": now,
            "deactivated_by": admin_id,
        },
        extra_actions=[UserItem.token_version.add(1)],  # as a ban: every access token ends at once
        now=now,
    )
    signins.end_refresh_families(user_id, reason="deactivated")
    logger.info("user deactivated", extra={"user_id": user_id, "admin_id": admin_id})
    return to_admin_user(user, media_base_url)


def activate(*, media_base_url: str, admin_id: str, user_id: str, reason: str) -> AdminUser:
    user = _read_target(
        admin_id,
        user_id,
        yourself="You can't activate yourself.",
        admins="Admins can't be deactivated through the API.",
    )
    if not user.deactivated:
        raise Conflict("The account is already active.", code="already_active")
    now = clock.iso(clock.now_seconds())
    _change(
        user,
        admin_id=admin_id,
        action="user.activate",
        reason=reason,
        after={
            "deactivated": False,
            "deactivation_reason": None,
            "deactivated_at": None,
            "deactivated_by": None,
        },
        now=now,
    )
    logger.info("user activated", extra={"user_id": user_id, "admin_id": admin_id})
    return to_admin_user(user, media_base_url)


def verify_email(*, media_base_url: str, admin_id: str, user_id: str, reason: str | None) -> AdminUser:
    user = _read_target(admin_id, user_id, yourself="You can't verify your own email here.", admins=None)
    if user.email_verified:
        raise Conflict("The email is already verified.", code="already_verified")
    now = clock.iso(clock.now_seconds())
    _change(
        user,
        admin_id=admin_id,
        action="user.verify_email",
        reason=reason,
        after={"email_verified": True},
        now=now,
    )
    logger.info("email verified by an admin", extra={"user_id": user_id, "admin_id": admin_id})
    return to_admin_user(user, media_base_url)


def update_profile(
    *, media_base_url: str, admin_id: str, user_id: str, changes: AdminProfileChanges
) -> AdminUser:
    """The fields sent, as the person's own edit would set them (tags without repeats; `null` or ""
    clears); a new name also renews the admins' search text."""
    sent = changes.model_dump(exclude_unset=True)
    reason = sent.pop("reason", None)
    if not sent:
        raise BadRequest("Nothing to change: send at least one field.")
    for required in ("name", "timezone"):
        if required in sent and sent[required] is None:
            raise BadRequest(f"The {required} can't be empty.", field=required)
    user = _read_target(admin_id, user_id, yourself="Edit your own profile with /api/me.", admins=None)
    after: dict[str, Any] = {}
    for field, value in sent.items():
        after[field] = distinct_tags(value) if isinstance(value, list) else (value or None)
    after = {field: value for field, value in after.items() if value != _plain(getattr(user, field))}
    if not after:
        raise Conflict("Nothing changed: the profile already reads so.", code="no_change")
    extra = [UserItem.search_text.set(search_text(after["name"], user.email))] if "name" in after else []
    now = clock.iso(clock.now_seconds())
    _change(
        user,
        admin_id=admin_id,
        action="user.update",
        reason=reason,
        after=after,
        extra_actions=extra,
        now=now,
    )
    logger.info(
        "profile edited by an admin",
        extra={"user_id": user_id, "admin_id": admin_id, "fields": sorted(after)},
    )
    return to_admin_user(user, media_base_url)


def _has_upcoming_sessions(mentor_id: str, now: str) -> bool:
    upcoming = SessionItem.by_mentor.query(
        mentor_sessions_pk(mentor_id),
        SessionItem.gsi2sk > now,
        filter_condition=SessionItem.status.is_in("scheduled", "live"),
        limit=1,
    )
    return next(iter(upcoming), None) is not None


def change_role(*, media_base_url: str, admin_id: str, user_id: str, role: str, reason: str) -> AdminUser:
    """Learner <-> mentor. A mentor with sessions still to teach stays one until they are cancelled
    (their learners would otherwise hold bookings with no mentor to teach them)."""
    if role == "admin":
        raise Forbidden(
            "Admins are made with the operator command, not through the API.", code="admin_role_refused"
        )
    user = _read_target(
        admin_id,
        user_id,
        yourself="You can't change your own role.",
        admins="An admin's role can't be changed through the API.",
    )
    if user.role == role:
        raise Conflict(f"The account is already a {role}.", code="no_change")
    now = clock.iso(clock.now_seconds())
    if user.role == "mentor" and _has_upcoming_sessions(user_id, now):
        raise Conflict(
            "This mentor has upcoming sessions; cancel them before making them a learner.",
            code="has_upcoming_sessions",
        )
    _change(
        user,
        admin_id=admin_id,
        action="user.role_change",
        reason=reason,
        after={"role": role},
        extra_actions=[UserItem.gsi1pk.set(role_gsi1pk(role))],  # the role index follows the role
        condition=UserItem.role == user.role,
        now=now,
    )
    logger.info("role changed", extra={"user_id": user_id, "admin_id": admin_id, "role": role})
    return to_admin_user(user, media_base_url)
