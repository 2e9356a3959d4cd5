"""Sending one notice through email or push, the two channels that can wait for quiet hours to end
(in-app records are written by inbox.record and never wait)."""

from __future__ import annotations

from typing import Any

from peerlearn.context import Context
from peerlearn.notify import mail, webpush
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem


def recipient(user_id: str) -> UserItem | None:
    """The person to notify; None when they are gone, deleted their account, are banned or were
    deactivated (a banned or deactivated person hears nothing; a deleted account has no one to hear)."""
    try:
        user = UserItem.get(user_pk(user_id), USER_PROFILE_SK)
    except UserItem.DoesNotExist:
        return None
    return None if user.banned or user.deactivated or user.deleted_at else user


def push_payload(notice: Notice, notification_id: str | None, tag: str) -> dict[str, Any]:
    return {
        "id": notification_id or tag,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "link": notice.link or "/notifications",
        "tag": tag,
    }


def send(
    ctx: Context, notice: Notice, channel: str, user: UserItem, *, tag: str, notification_id: str | None
) -> None:
    """Sends on `channel` ("email" or "push"); raises when the channel failed (the caller retries)."""
    if channel == "email":
        mail.send_notice_email(ctx, notice, user)
    elif channel == "push":
        webpush.send_to_user(
            ctx, notice.user_id, push_payload(notice, notification_id, tag), expires_at=notice.expires_at
        )
    else:
        raise ValueError(f"{channel} is not sent by notify.sending")
