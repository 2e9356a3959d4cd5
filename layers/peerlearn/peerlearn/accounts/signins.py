"""Signing in and out: passwords checked behind the guessing guard, refresh families, access tokens.

A sign-in is one refresh family (`REFRESH#<id>` under the user): its rotating refresh token lives
in an HttpOnly cookie, and every access token it issues names it (`sid`), so ending the family
ends them all. Not to be confused with a session, which is a mentor's offering.
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.update import Action

from peerlearn import clock, ids, ratelimit, store, timeutil
from peerlearn.accounts import devices, guard, limits, passwords, tokens
from peerlearn.accounts.lookups import find_user_by_email, get_user
from peerlearn.accounts.profiles import to_me
from peerlearn.accounts.schemas import Me
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Forbidden, Unauthorized
from peerlearn.notify import channel
from peerlearn.store import analytics as analytics_store
from peerlearn.store.keys import REFRESH_PREFIX, USER_PROFILE_SK, refresh_sk, user_pk
from peerlearn.store.models import RefreshFamilyItem, UserItem

logger = logging.getLogger(__name__)

_SIGNED_OUT = "You've been signed out. Sign in again."
_REUSED = "You were signed out for your safety. Sign in again."


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    refresh_token: str
    expires_in: int
    user: Me
    first_sign_in: bool = False
    device_cookie: str | None = None  # set on every successful sign-in with a password


def _access_token(ctx: Context, user: UserItem, family_id: str, now: int) -> str:
    return tokens.issue_access_token(
        ctx.settings.jwt_secret,
        user_id=user.id,
        role=user.role,
        version=int(user.token_version or 0),
        sign_in_id=family_id,
        now=now,
    )


def _start_sign_in(ctx: Context, user: UserItem) -> SignedIn:
    now = clock.now_seconds()
    refresh = tokens.new_refresh_token(user.id, ids.new_id())
    RefreshFamilyItem(
        user_pk(user.id),
        refresh_sk(refresh.family_id),
        user_id=user.id,
        family_id=refresh.family_id,
        token_hash=refresh.hash,
        created_at=clock.iso(now),
        rotated_at=clock.iso(now),
        expires_at=now + tokens.REFRESH_TTL_SECONDS,
        ttl=now + tokens.REFRESH_TTL_SECONDS,
    ).save()
    return SignedIn(
        access_token=_access_token(ctx, user, refresh.family_id, now),
        refresh_token=refresh.value,
        expires_in=tokens.ACCESS_TTL_SECONDS,
        user=to_me(user, ctx.settings.media_base_url),
    )


def sign_in_without_password(ctx: Context, user_id: str) -> SignedIn:
    """A real sign-in (refresh family and all) for tools and tests that act as a known user."""
    return _start_sign_in(ctx, get_user(user_id, consistent=True))


def _admit(
    ctx: Context, email: str, user: UserItem | None, device_cookie: str | None, now: int
) -> tuple[guard.Delay, str]:
    """Which budget this attempt spends, already counted: a known device's own, else the account's."""
    device = devices.read(ctx.settings.jwt_secret, device_cookie)
    known = device is not None and user is not None and device.user_id == user.id
    if device is not None and known and guard.admit(limits.DEVICE_DELAY, device.nonce, now) == 0:
        return limits.DEVICE_DELAY, device.nonce
    wait = guard.admit(limits.ACCOUNT_DELAY, email, now)
    if wait:
        raise limits.too_many("Too many sign-in attempts for this account.", wait, "too_many_attempts", now)
    return limits.ACCOUNT_DELAY, email


DEACTIVATED = "This account has been deactivated. Contact support to have it activated again."


def login(
    ctx: Context, *, email: str, password: str, client_ip: str, device_cookie: str | None = None
) -> SignedIn:
    """The attempt is counted (client, then device or account) before the password is checked."""
    now = clock.now_seconds()
    limits.spend(
        [(limits.LOGIN_PER_CLIENT, client_ip)], "Too many sign-in attempts.", "too_many_attempts", now
    )
    user = find_user_by_email(email)
    budget, subject = _admit(ctx, email, user, device_cookie, now)
    valid = passwords.verify_password(password, user.password_hash if user else passwords.DUMMY_HASH)
    if user is None or not valid:
        logger.info("sign-in failed", extra={"known_account": user is not None, "budget": budget.scope})
        raise Unauthorized("The email or password is incorrect.", code="invalid_credentials")
    if user.banned:
        raise Forbidden("This account has been suspended. Contact support.", code="account_suspended")
    if user.deactivated:
        raise Forbidden(DEACTIVATED, code="account_deactivated")
    guard.forget(budget, subject)
    ratelimit.release(limits.LOGIN_PER_CLIENT, client_ip, now)  # the per-client limit counts failures
    # Counted atomically: of two first sign-ins at once, exactly one is the first.
    user.update(actions=[UserItem.sign_in_count.add(1), UserItem.last_signed_in_at.set(clock.iso(now))])
    analytics_store.mark_active(user.id, now)
    logger.info("signed in", extra={"user_id": user.id})
    return dataclasses.replace(
        _start_sign_in(ctx, user),
        first_sign_in=user.sign_in_count == 1,
        device_cookie=devices.issue(ctx.settings.jwt_secret, user.id),
    )


# How long the token a rotation replaced may be presented again. Rotation is a write the client can
# lose: the server rotates, then the response (and its Set-Cookie) is dropped because the page that
# asked was navigated away (a reload, a link, a second reload: Chromium cancels the fetch), so the
# browser still holds the old token and its next page presents it. Ending the sign-in for that signs
# people out for pressing reload. See `refresh` for why a few seconds keep reuse detection intact.
REFRESH_REUSE_GRACE_SECONDS = 10
_ROTATE_ATTEMPTS = 3


def refresh(ctx: Context, *, refresh_token: str) -> SignedIn:
    """Rotates the refresh token. Presenting an already-rotated token ends its whole sign-in, except
    the token the latest rotation replaced, presented again within REFRESH_REUSE_GRACE_SECONDS of that
    rotation: that is a client that lost the rotation's response, and it gets a new rotation.

    Why the grace keeps reuse detection strong:
    - Only the single previous token qualifies, only for 10 s after a real rotation (a grace rotation
      does not move the window), only while the family is live. Anything older, or later, or a token
      from before the previous one, ends the sign-in at once, as before.
    - A grace rotation replaces the current token, so if the earlier response was *not* lost (someone
      replayed a copied token inside the window) the party holding that response now holds a token
      that is neither current nor previous: its next refresh is reuse and ends the sign-in, the
      attacker's side included. A fork is still detected at the other party's next refresh, the same
      as when a thief uses a stolen token before its owner does; the grace only adds those 10 s.
    - The access tokens issued meanwhile end with the family (they name it), as for any reuse.
    """
    presented = tokens.parse_refresh_token(refresh_token)
    for attempt in range(_ROTATE_ATTEMPTS):
        try:
            # After a lost race, read what the winner wrote (DynamoDB reads are eventually consistent).
            family = RefreshFamilyItem.get(
                user_pk(presented.user_id), refresh_sk(presented.family_id), consistent_read=attempt > 0
            )
        except DoesNotExist as exc:
            raise Unauthorized(_SIGNED_OUT, code="signed_out") from exc
        now = clock.now_seconds()
        if family.revoked or family.expires_at < now:
            raise Unauthorized(_SIGNED_OUT, code="signed_out")
        current = hmac.compare_digest(family.token_hash, presented.hash)
        just_rotated = (
            not current
            and family.previous_hash is not None
            and hmac.compare_digest(family.previous_hash, presented.hash)
            and now <= int(family.previous_until or 0)
        )
        if not current and not just_rotated:
            _end_family(family, reason="reuse")
            logger.warning("refresh token reuse: sign-in ended", extra={"user_id": family.user_id})
            raise Unauthorized(_REUSED, code="token_reused")
        user = get_user(presented.user_id, consistent=True)  # the token version of this very moment
        if user.banned:
            raise Forbidden("This account has been suspended. Contact support.", code="account_suspended")
        if user.deactivated:
            raise Forbidden(DEACTIVATED, code="account_deactivated")
        rotated = tokens.new_refresh_token(user.id, family.family_id)
        actions: list[Action]
        if current:
            # A real rotation: the presented token becomes the one that may come back for a moment.
            actions = [
                RefreshFamilyItem.token_hash.set(rotated.hash),
                RefreshFamilyItem.previous_hash.set(presented.hash),
                RefreshFamilyItem.previous_until.set(now + REFRESH_REUSE_GRACE_SECONDS),
                RefreshFamilyItem.rotated_at.set(clock.iso(now)),
            ]
            condition = RefreshFamilyItem.token_hash == presented.hash
        else:
            # The lost rotation's token is replaced; the window stays where the real rotation put it.
            logger.info("refresh token presented again within the grace: rotated", extra={"user_id": user.id})
            actions = [
                RefreshFamilyItem.token_hash.set(rotated.hash),
                RefreshFamilyItem.rotated_at.set(clock.iso(now)),
            ]
            condition = (RefreshFamilyItem.token_hash == family.token_hash) & (
                RefreshFamilyItem.previous_hash == presented.hash
            )
        try:
            family.update(actions=actions, condition=condition & (RefreshFamilyItem.revoked == False))  # noqa: E712
        except UpdateError as exc:
            if not store.condition_failed(exc):
                raise
            continue  # another request rotated first: read again and judge against what it wrote
        _active_today(user, now)
        return SignedIn(
            access_token=_access_token(ctx, user, family.family_id, now),
            refresh_token=rotated.value,
            expires_in=tokens.ACCESS_TTL_SECONDS,
            user=to_me(user, ctx.settings.media_base_url),
        )
    # Rotated under us every time: more concurrent use of one token than a browser makes.
    _end_family(family, reason="reuse")
    logger.warning("refresh token reuse: sign-in ended", extra={"user_id": family.user_id})
    raise Unauthorized(_REUSED, code="token_reused")


def _active_today(user: UserItem, now: int) -> None:
    """Someone kept signed in by their refresh token is active too: the first refresh of an India day
    moves `last_signed_in_at` (the admins' "inactive for N days" reads it) and marks the day active
    for the rollups. Later refreshes that day write nothing."""
    last = user.last_signed_in_at
    today = analytics_store.india_day_of(now)
    if last and analytics_store.india_day_of(timeutil.epoch(last)) == today:
        return
    try:
        user.update(actions=[UserItem.last_signed_in_at.set(clock.iso(now))], condition=UserItem.pk.exists())
    except UpdateError:
        logger.warning("the day's first refresh was not recorded", extra={"user_id": user.id}, exc_info=True)
        return
    analytics_store.mark_active(user.id, now)


def logout(ctx: Context, *, refresh_token: str | None = None, access_token: str | None = None) -> None:
    """Ends the sign-in the refresh token (cookie) or the access token belongs to, and with it every
    access token of that sign-in. Unknown or already-ended sign-ins are fine."""
    if refresh_token:
        try:
            presented = tokens.parse_refresh_token(refresh_token)
            family = RefreshFamilyItem.get(user_pk(presented.user_id), refresh_sk(presented.family_id))
        except (Unauthorized, DoesNotExist):
            family = None
        if family is not None and hmac.compare_digest(family.token_hash, presented.hash):
            _end_family(family, reason="logout")
    if access_token:
        try:
            # An expired token still names its sign-in; its signature proves it is ours to end.
            claims = tokens.read_access_token(ctx.settings.jwt_secret, access_token, verify_expiry=False)
            family = RefreshFamilyItem.get(user_pk(claims.user_id), refresh_sk(claims.sign_in_id))
        except (Unauthorized, DoesNotExist):
            return
        _end_family(family, reason="logout")


def _end_family(family: RefreshFamilyItem, *, reason: str) -> None:
    family.update(actions=[RefreshFamilyItem.revoked.set(True), RefreshFamilyItem.revoked_reason.set(reason)])


def end_refresh_families(user_id: str, *, reason: str) -> int:
    """Ends every sign-in's refresh token and closes the person's open notification channels (a tab
    still signed in reconnects with a new ticket; one signed out can't); callers bump the token
    version to end access tokens."""
    ended = 0
    for family in RefreshFamilyItem.query(user_pk(user_id), RefreshFamilyItem.sk.startswith(REFRESH_PREFIX)):
        if not family.revoked:
            _end_family(family, reason=reason)
            ended += 1
    channel.close_all(user_id)
    return ended


def end_all_sign_ins(user_id: str, *, reason: str) -> int:
    """Refuses every access token issued so far (a new token version) and ends every refresh family."""
    UserItem(user_pk(user_id), USER_PROFILE_SK).update(
        actions=[UserItem.token_version.add(1)], condition=UserItem.pk.exists()
    )
    return end_refresh_families(user_id, reason=reason)


def change_password(ctx: Context, *, user_id: str, current_password: str, new_password: str) -> SignedIn:
    """Changes the password, signs out every other device and returns a fresh sign-in for this one."""
    user = get_user(user_id)
    now = clock.now_seconds()
    wait = guard.admit(limits.CHANGE_PASSWORD_DELAY, user_id, now)
    if wait:
        raise limits.too_many("Too many attempts.", wait, "too_many_attempts", now)
    if not passwords.verify_password(current_password, user.password_hash):
        raise BadRequest(
            "Your current password is not right.", code="invalid_credentials", field="current_password"
        )
    guard.forget(limits.CHANGE_PASSWORD_DELAY, user_id)
    passwords.check_strength(new_password, email=user.email, field="new_password")
    user.update(
        actions=[
            UserItem.password_hash.set(passwords.hash_password(new_password)),
            UserItem.updated_at.set(clock.iso(now)),
            UserItem.token_version.add(1),  # with the new password, in one write: no gap
        ]
    )
    end_refresh_families(user_id, reason="password-change")
    logger.info("password changed", extra={"user_id": user_id})
    return _start_sign_in(ctx, get_user(user_id, consistent=True))
