"""Emailed links: verifying an address, resetting a forgotten password. Each link works once.

A link is a signed token naming a nonce; the nonce's item exists while the link is unused, and
using the link deletes it in the same transaction as the change the link makes.
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, store
from peerlearn.accounts import guard, limits, passwords, tokens
from peerlearn.accounts.lookups import find_user_by_email, get_user
from peerlearn.accounts.profiles import to_me
from peerlearn.accounts.races import lost_race_raises
from peerlearn.accounts.schemas import Me
from peerlearn.accounts.signins import end_refresh_families
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, NotFound
from peerlearn.notify import emails
from peerlearn.store.keys import USER_PROFILE_SK, one_time_token_pk, processed_pk, user_pk
from peerlearn.store.models import OneTimeTokenItem, ProcessedEventItem, UserItem

logger = logging.getLogger(__name__)


def _issue_link(ctx: Context, purpose: tokens.LinkPurpose, user_id: str) -> str:
    token, link = tokens.issue_link_token(ctx.settings.jwt_secret, purpose, user_id)
    OneTimeTokenItem(
        one_time_token_pk(link.nonce),
        "TOKEN",
        purpose=purpose,
        user_id=user_id,
        expires_at=link.expires_at,
        ttl=link.expires_at,
    ).save()
    path = "verify-email" if purpose == "verify-email" else "reset-password"
    return f"{ctx.settings.web_base_url}/{path}?token={token}"


def _consume_link(ctx: Context, purpose: tokens.LinkPurpose, token: str, user_update: list[Any]) -> str:
    """Deletes the link's record and applies `user_update` in one transaction; returns the user id."""
    link = tokens.read_link_token(ctx.settings.jwt_secret, purpose, token)
    marker = OneTimeTokenItem(one_time_token_pk(link.nonce), "TOKEN")
    user = UserItem(user_pk(link.user_id), USER_PROFILE_SK)
    used = BadRequest("This link has already been used.", code="token_used", field="token")
    with lost_race_raises(used), store.transaction() as tx:
        tx.delete(marker, condition=OneTimeTokenItem.pk.exists() & (OneTimeTokenItem.purpose == purpose))
        tx.update(user, actions=user_update, condition=UserItem.pk.exists())
    return link.user_id


def send_verification_email(ctx: Context, user: UserItem) -> None:
    link = _issue_link(ctx, "verify-email", user.id)
    ctx.email.send(emails.verification_email(to=user.email, name=user.name, link=link))


def on_user_created(ctx: Context, user_id: str) -> None:
    """Stream consumer: sends the verification email once per new user, however often it is redelivered."""
    marker = ProcessedEventItem(processed_pk("verify-email", user_id), "PROCESSED")
    try:
        marker.refresh()
        return  # already sent
    except DoesNotExist:
        pass
    try:
        user = get_user(user_id, consistent=True)
    except NotFound:
        logger.warning("created user vanished before the welcome email", extra={"user_id": user_id})
        return
    if not user.email_verified:
        send_verification_email(ctx, user)
    marker.ttl = clock.now_seconds() + 30 * 24 * 3600
    try:
        with store.failed_condition_raises(LookupError()):
            marker.save(condition=ProcessedEventItem.pk.does_not_exist())
    except LookupError:
        logger.info("verification email handled concurrently", extra={"user_id": user_id})


def resend_verification(ctx: Context, *, user_id: str) -> None:
    user = get_user(user_id)
    if user.email_verified:
        raise Conflict("Your email is already verified.", code="already_verified")
    limits.spend(
        [(limits.RESEND_PER_ACCOUNT, user_id)],
        "You've asked for several links already.",
        "too_many_requests",
        clock.now_seconds(),
    )
    send_verification_email(ctx, user)


def verify_email(ctx: Context, *, token: str) -> Me:
    now = clock.iso(clock.now_seconds())
    user_id = _consume_link(
        ctx, "verify-email", token, [UserItem.email_verified.set(True), UserItem.updated_at.set(now)]
    )
    logger.info("email verified", extra={"user_id": user_id})
    return to_me(get_user(user_id, consistent=True), ctx.settings.media_base_url)


def request_password_reset(ctx: Context, *, email: str, client_ip: str) -> None:
    """Emails a reset link if the account exists; the caller learns nothing either way."""
    limits.spend(
        [(limits.RESET_PER_CLIENT, client_ip), (limits.RESET_PER_ACCOUNT, email)],
        "Too many reset requests.",
        "too_many_requests",
        clock.now_seconds(),
    )
    user = find_user_by_email(email)
    if user is None or user.banned or user.deactivated:
        logger.info("password reset for an unknown or suspended account")
        return
    link = _issue_link(ctx, "password-reset", user.id)
    ctx.email.send(emails.password_reset_email(to=user.email, name=user.name, link=link))


def reset_password(ctx: Context, *, token: str, new_password: str) -> None:
    """Sets the new password, signs out every device, and forgets strangers' failed sign-ins."""
    link = tokens.read_link_token(ctx.settings.jwt_secret, "password-reset", token)
    user = get_user(link.user_id)
    passwords.check_strength(new_password, email=user.email, field="new_password")
    _consume_link(
        ctx,
        "password-reset",
        token,
        [
            UserItem.password_hash.set(passwords.hash_password(new_password)),
            UserItem.updated_at.set(clock.iso(clock.now_seconds())),
            UserItem.token_version.add(1),  # with the new password, in one write: no gap
        ],
    )
    end_refresh_families(user.id, reason="password-reset")
    guard.forget(limits.ACCOUNT_DELAY, user.email)  # the owner proved themselves
    logger.info("password reset", extra={"user_id": user.id})
