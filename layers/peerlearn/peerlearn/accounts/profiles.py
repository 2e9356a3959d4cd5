"""Profiles: the signed-in user's own view and edits, public profiles, avatar uploads."""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ids, store
from peerlearn.accounts.schemas import AvatarUploadResponse, Me, PublicProfile, UpdateMeRequest
from peerlearn.adapters.objects import avatar_url
from peerlearn.context import Context
from peerlearn.errors import BadRequest, NotFound
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem

logger = logging.getLogger(__name__)

_AVATAR_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def avatar_prefix(user_id: str) -> str:
    # Under media/ because CloudFront serves the uploads bucket's media/ prefix at /media/.
    return f"media/avatars/{user_id}/"


def distinct_tags(tags: list[str]) -> list[str]:
    """`tags` without repeats, first spelling and order kept; "python" repeats "Python", as the web's tag
    input and interest chips treat them."""
    kept: dict[str, str] = {}
    for tag in tags:
        kept.setdefault(tag.casefold(), tag)
    return list(kept.values())


def search_text(name: str, email: str) -> str:
    """What the admins' search matches: name and email, lower-cased (DynamoDB's contains is exact)."""
    return f"{name.lower()} {email.lower()}"


def to_public(user: UserItem, media_base_url: str) -> PublicProfile:
    return PublicProfile(
        id=user.id,
        name=user.name,
        role=user.role,
        headline=user.headline,
        bio=user.bio,
        skills=list(user.skills or []),
        interests=list(user.interests or []),
        languages=list(user.languages or []),
        expertise=list(user.expertise or []),
        avatar_url=avatar_url(user.avatar_key, media_base_url),
        created_at=user.created_at,
    )


def to_me(user: UserItem, media_base_url: str) -> Me:
    return Me(
        **to_public(user, media_base_url).model_dump(),
        email=user.email,
        email_verified=bool(user.email_verified),
        timezone=user.timezone,
    )


def _get(user_id: str) -> UserItem:
    try:
        return UserItem.get(user_pk(user_id), USER_PROFILE_SK)
    except DoesNotExist as exc:
        raise NotFound("No such user.") from exc


def get_me(ctx: Context, *, user_id: str) -> Me:
    return to_me(_get(user_id), ctx.settings.media_base_url)


def get_public_profile(ctx: Context, *, user_id: str) -> PublicProfile:
    if not ids.is_id(user_id):
        raise NotFound("No such user.")
    user = _get(user_id)
    if user.banned:
        raise NotFound("No such user.")
    return to_public(user, ctx.settings.media_base_url)


def update_me(ctx: Context, *, user_id: str, changes: UpdateMeRequest) -> Me:
    sent = changes.model_dump(exclude_unset=True)
    if not sent:
        raise BadRequest("Nothing to change: send at least one field.")
    if sent.get("name", "") is None:
        raise BadRequest("Your name can't be empty.", field="name")
    if sent.get("timezone", "") is None:
        raise BadRequest("Choose a time zone.", field="timezone")
    key = sent.get("avatar_key")
    if key is not None and not (key.startswith(avatar_prefix(user_id)) and ".." not in key):
        raise BadRequest("Upload the picture with /api/me/avatar first.", field="avatar_key")

    actions: list[Any] = [UserItem.updated_at.set(clock.iso(clock.now_seconds()))]
    for field, value in sent.items():
        attribute = getattr(UserItem, field)
        if isinstance(value, list):
            value = distinct_tags(value)
        actions.append(attribute.remove() if value in (None, "") else attribute.set(value))
    if sent.get("name"):
        actions.append(UserItem.search_text.set(search_text(sent["name"], _get(user_id).email)))
    user = UserItem(user_pk(user_id), USER_PROFILE_SK)
    with store.failed_condition_raises(NotFound("No such user.")):
        user.update(actions=actions, condition=UserItem.pk.exists())  # the item as it is now
    logger.info("profile updated", extra={"user_id": user_id, "fields": sorted(sent)})
    return to_me(user, ctx.settings.media_base_url)


def create_avatar_upload(
    ctx: Context, *, user_id: str, content_type: str, size_bytes: int
) -> AvatarUploadResponse:
    key = f"{avatar_prefix(user_id)}{ids.new_id()}.{_AVATAR_EXTENSIONS[content_type]}"
    url = ctx.objects.presign_put(key, content_type, size_bytes)
    return AvatarUploadResponse(upload_url=url, headers={"Content-Type": content_type}, avatar_key=key)
