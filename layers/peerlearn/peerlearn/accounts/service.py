"""Accounts: registration, sign-in, refresh-token rotation, email verification, password changes, bans."""

from __future__ import annotations

import dataclasses
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError

from peerlearn import clock, ids, ratelimit, store, text
from peerlearn.accounts import devices, guard, passwords, tokens
from peerlearn.accounts.profiles import to_me
from peerlearn.accounts.schemas import Email, Me, RegisterRequest
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized
from peerlearn.notify import emails
from peerlearn.store.keys import (
    REFRESH_PREFIX,
    USER_PROFILE_SK,
    email_pk,
    one_time_token_pk,
    processed_pk,
    refresh_sk,
    role_gsi1pk,
    user_pk,
)
from peerlearn.store.models import (
    EmailClaimItem,
    OneTimeTokenItem,
    ProcessedEventItem,
    RefreshFamilyItem,
    UserItem,
)

logger = logging.getLogger(__name__)

# Five free failures, then 30 s, 1, 2, 4, 8 and at most 15 min between attempts; forgotten after a
# quiet day. No hard lock: the owner is slowed down at worst, and not at all on a known device.
ACCOUNT_DELAY = guard.Delay(
    "login-account",
    free_failures=5,
    first_delay_seconds=30,
    max_delay_seconds=15 * 60,
    forget_after_seconds=24 * 3600,
)
# A known device's own budget: after five failures the cookie stops vouching for 15 minutes, and
# its attempts count against the account like anyone else's (a stolen cookie can't brute force).
DEVICE_DELAY = guard.Delay(
    "login-device",
    free_failures=5,
    first_delay_seconds=15 * 60,
    max_delay_seconds=15 * 60,
    forget_after_seconds=15 * 60,
)
CHANGE_PASSWORD_DELAY = guard.Delay(
    "change-password",
    free_failures=5,
    first_delay_seconds=30,
    max_delay_seconds=15 * 60,
    forget_after_seconds=24 * 3600,
)
LOGIN_PER_CLIENT = ratelimit.Limit("login-client", max_hits=20, window_seconds=15 * 60)
# Each registration sends an email: at most 20 sign-ups an hour from one client (a class on one
# campus address still fits) and 3 attempts an hour for one address (no mail-bombing a stranger).
REGISTER_PER_CLIENT = ratelimit.Limit("register-client", max_hits=20, window_seconds=3600)
REGISTER_PER_EMAIL = ratelimit.Limit("register-email", max_hits=3, window_seconds=3600)
RESET_PER_ACCOUNT = ratelimit.Limit("reset-account", max_hits=3, window_seconds=3600)
RESET_PER_CLIENT = ratelimit.Limit("reset-client", max_hits=20, window_seconds=3600)
RESEND_PER_ACCOUNT = ratelimit.Limit("resend-verification", max_hits=5, window_seconds=3600)
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    refresh_token: str
    expires_in: int
    user: Me
    first_sign_in: bool = False
    device_cookie: str | None = None  # set on every successful sign-in with a password


# ---------------------------------------------------------------- lookups
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


# ---------------------------------------------------------------- registration
def _new_user(*, name: str, email: str, password: str, role: str, verified: bool, **profile: Any) -> UserItem:
    now = clock.iso(clock.now_seconds())
    user_id = ids.new_id()
    return UserItem(
        user_pk(user_id),
        USER_PROFILE_SK,
        id=user_id,
        email=email,
        name=name,
        role=role,
        password_hash=passwords.hash_password(password),
        email_verified=verified,
        created_at=now,
        updated_at=now,
        gsi1pk=role_gsi1pk(role),
        gsi1sk=f"{now}#{user_id}",
        **profile,
    )


def _insert_user(user: UserItem) -> None:
    """Writes the user and its email claim together: of two registrations of one email, one wins."""
    claim = EmailClaimItem(email_pk(user.email), "EMAIL", user_id=user.id)
    try:
        with store.transaction() as tx:
            tx.save(claim, condition=EmailClaimItem.pk.does_not_exist())
            tx.save(user, condition=UserItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise Conflict(
                "An account with this email already exists. Sign in instead.",
                code="email_taken",
                field="email",
            ) from exc
        raise


def register(ctx: Context, request: RegisterRequest, *, client_ip: str) -> Me:
    """Creates a learner or mentor; the verification email is sent by the stream consumer."""
    _limit(
        [(REGISTER_PER_CLIENT, client_ip), (REGISTER_PER_EMAIL, request.email)],
        "Too many sign-ups.",
        "too_many_requests",
        clock.now_seconds(),
    )
    passwords.check_strength(request.password, email=request.email)
    if request.role == "mentor":
        if not request.headline:
            raise BadRequest("Mentors need a headline: one line about what you teach.", field="headline")
        if not request.expertise:
            raise BadRequest("Mentors need at least one area of expertise.", field="expertise")
    mentor_profile = (
        {"headline": request.headline, "expertise": list(dict.fromkeys(request.expertise))}
        if request.role == "mentor"
        else {}
    )
    user = _new_user(
        name=request.name,
        email=request.email,
        password=request.password,
        role=request.role,
        verified=False,
        **mentor_profile,
    )
    _insert_user(user)
    logger.info("user registered", extra={"user_id": user.id, "role": user.role})
    return to_me(user, ctx.settings.media_base_url)


def create_account(*, name: str, email: str, password: str, role: str, verified: bool, **profile: Any) -> str:
    """Creates an account outside the public API (admins from the CLI, demo data); returns its id."""
    try:
        email = _EMAIL.validate_python(email.strip())
    except ValidationError as exc:
        raise BadRequest(
            f"{email!r} is not an email address people can sign in with.", field="email"
        ) from exc
    for field, value in (("name", name), ("password", password)):
        found = text.control_character(value)
        if found:
            raise BadRequest(f"{field} must not contain control characters (found {found}).", field=field)
    passwords.check_strength(password, email=email)
    user = _new_user(name=name, email=email, password=password, role=role, verified=verified, **profile)
    _insert_user(user)
    logger.info("account created", extra={"user_id": user.id, "role": role})
    return user.id


def create_admin(*, email: str, name: str, password: str) -> str:
    """Admins are created here (CLI, seed), never through the public API."""
    return create_account(name=name, email=email, password=password, role="admin", verified=True)


# ---------------------------------------------------------------- sessions
def _start_session(ctx: Context, user: UserItem) -> SignedIn:
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


def _access_token(ctx: Context, user: UserItem, family_id: str, now: int) -> str:
    return tokens.issue_access_token(
        ctx.settings.jwt_secret,
        user_id=user.id,
        role=user.role,
        version=int(user.token_version or 0),
        sign_in_id=family_id,
        now=now,
    )


def sign_in_without_password(ctx: Context, user_id: str) -> SignedIn:
    """A real sign-in (refresh family and all) for tools and tests that act as a known user."""
    return _start_session(ctx, get_user(user_id, consistent=True))


def too_many(message: str, wait_seconds: int, code: str, now: int | None = None) -> TooManyRequests:
    """A 429 whose message names the moment to retry (UTC; the web shows `retry_at` in local time)."""
    now = clock.now_seconds() if now is None else now
    wait_seconds = max(1, wait_seconds)
    retry_at = clock.iso(now + wait_seconds)
    return TooManyRequests(
        f"{message} Try again at {retry_at[11:19]} UTC.", retry_after_seconds=wait_seconds, code=code
    )


def _limit(limits: list[tuple[ratelimit.Limit, str]], message: str, code: str, now: int) -> None:
    """Counts this request against each limit, atomically, or refuses it with the longest wait."""
    for limit, subject in limits:
        wait = ratelimit.acquire(limit, subject, now)
        if wait:
            raise too_many(message, wait, code, now)


def _admit_sign_in(
    ctx: Context, email: str, user: UserItem | None, device_cookie: str | None, now: int
) -> tuple[guard.Delay, str]:
    """Which budget this attempt spends, already counted: a known device's own, else the account's."""
    device = devices.read(ctx.settings.jwt_secret, device_cookie)
    known = device is not None and user is not None and device.user_id == user.id
    if device is not None and known and guard.admit(DEVICE_DELAY, device.nonce, now) == 0:
        return DEVICE_DELAY, device.nonce
    wait = guard.admit(ACCOUNT_DELAY, email, now)
    if wait:
        raise too_many("Too many sign-in attempts for this account.", wait, "too_many_attempts", now)
    return ACCOUNT_DELAY, email


def login(
    ctx: Context, *, email: str, password: str, client_ip: str, device_cookie: str | None = None
) -> SignedIn:
    """The attempt is counted (client, then device or account) before the password is checked."""
    now = clock.now_seconds()
    _limit([(LOGIN_PER_CLIENT, client_ip)], "Too many sign-in attempts.", "too_many_attempts", now)
    user = find_user_by_email(email)
    budget, subject = _admit_sign_in(ctx, email, user, device_cookie, now)
    valid = passwords.verify_password(password, user.password_hash if user else passwords.DUMMY_HASH)
    if user is None or not valid:
        logger.info("sign-in failed", extra={"known_account": user is not None, "budget": budget.scope})
        raise Unauthorized("The email or password is incorrect.", code="invalid_credentials")
    if user.banned:
        raise Forbidden("This account has been suspended. Contact support.", code="account_suspended")
    guard.forget(budget, subject)
    ratelimit.release(LOGIN_PER_CLIENT, client_ip, now)  # the per-client limit counts failures
    # Counted atomically: of two first sign-ins at once, exactly one is the first.
    now_iso = clock.iso(now)
    user.update(actions=[UserItem.sign_in_count.add(1), UserItem.last_signed_in_at.set(now_iso)])
    logger.info("signed in", extra={"user_id": user.id})
    signed_in = _start_session(ctx, user)
    return dataclasses.replace(
        signed_in,
        first_sign_in=user.sign_in_count == 1,
        device_cookie=devices.issue(ctx.settings.jwt_secret, user.id),
    )


def refresh(ctx: Context, *, refresh_token: str) -> SignedIn:
    """Rotates the refresh token. Presenting an already-rotated token revokes its whole family."""
    presented = tokens.parse_refresh_token(refresh_token)
    try:
        family = RefreshFamilyItem.get(user_pk(presented.user_id), refresh_sk(presented.family_id))
    except DoesNotExist as exc:
        raise Unauthorized("Your session has ended. Sign in again.", code="session_ended") from exc
    now = clock.now_seconds()
    if family.revoked or family.expires_at < now:
        raise Unauthorized("Your session has ended. Sign in again.", code="session_ended")
    if not hmac.compare_digest(family.token_hash, presented.hash):
        _revoke_family(family, reason="reuse")
        logger.warning("refresh token reuse: family revoked", extra={"user_id": family.user_id})
        raise Unauthorized("This session was ended for your safety. Sign in again.", code="token_reused")
    user = get_user(presented.user_id, consistent=True)  # the token version of this very moment
    if user.banned:
        raise Forbidden("This account has been suspended. Contact support.", code="account_suspended")
    rotated = tokens.new_refresh_token(user.id, family.family_id)
    try:
        family.update(
            actions=[
                RefreshFamilyItem.token_hash.set(rotated.hash),
                RefreshFamilyItem.rotated_at.set(clock.iso(now)),
            ],
            condition=(RefreshFamilyItem.token_hash == presented.hash) & (RefreshFamilyItem.revoked == False),  # noqa: E712
        )
    except UpdateError as exc:
        # Another request rotated this token first: the same token used twice is reuse.
        _revoke_family(family, reason="reuse")
        raise Unauthorized(
            "This session was ended for your safety. Sign in again.", code="token_reused"
        ) from exc
    return SignedIn(
        access_token=_access_token(ctx, user, family.family_id, now),
        refresh_token=rotated.value,
        expires_in=tokens.ACCESS_TTL_SECONDS,
        user=to_me(user, ctx.settings.media_base_url),
    )


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
            _revoke_family(family, reason="logout")
    if access_token:
        try:
            # An expired token still names its sign-in; its signature proves it is ours to end.
            claims = tokens.read_access_token(ctx.settings.jwt_secret, access_token, verify_expiry=False)
            family = RefreshFamilyItem.get(user_pk(claims.user_id), refresh_sk(claims.sign_in_id))
        except (Unauthorized, DoesNotExist):
            return
        _revoke_family(family, reason="logout")


def _revoke_family(family: RefreshFamilyItem, *, reason: str) -> None:
    family.update(actions=[RefreshFamilyItem.revoked.set(True), RefreshFamilyItem.revoked_reason.set(reason)])


def _revoke_families(user_id: str, *, reason: str) -> int:
    revoked = 0
    for family in RefreshFamilyItem.query(user_pk(user_id), RefreshFamilyItem.sk.startswith(REFRESH_PREFIX)):
        if not family.revoked:
            _revoke_family(family, reason=reason)
            revoked += 1
    return revoked


def revoke_all_sessions(user_id: str, *, reason: str) -> int:
    """Refuses every access token issued so far (a new token version) and ends every refresh family."""
    UserItem(user_pk(user_id), USER_PROFILE_SK).update(
        actions=[UserItem.token_version.add(1)], condition=UserItem.pk.exists()
    )
    return _revoke_families(user_id, reason=reason)


# ---------------------------------------------------------------- emailed links
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
    try:
        with store.transaction() as tx:
            tx.delete(
                marker,
                condition=OneTimeTokenItem.pk.exists() & (OneTimeTokenItem.purpose == purpose),
            )
            tx.update(user, actions=user_update, condition=UserItem.pk.exists())
    except TransactWriteError as exc:
        raise BadRequest("This link has already been used.", code="token_used", field="token") from exc
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
        marker.save(condition=ProcessedEventItem.pk.does_not_exist())
    except PutError:
        logger.info("verification email handled concurrently", extra={"user_id": user_id})


def resend_verification(ctx: Context, *, user_id: str) -> None:
    user = get_user(user_id)
    if user.email_verified:
        raise Conflict("Your email is already verified.", code="already_verified")
    _limit(
        [(RESEND_PER_ACCOUNT, user_id)],
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
    limits = [(RESET_PER_CLIENT, client_ip), (RESET_PER_ACCOUNT, email)]
    _limit(limits, "Too many reset requests.", "too_many_requests", clock.now_seconds())
    user = find_user_by_email(email)
    if user is None or user.banned:
        logger.info("password reset for an unknown or suspended account")
        return
    link = _issue_link(ctx, "password-reset", user.id)
    ctx.email.send(emails.password_reset_email(to=user.email, name=user.name, link=link))


def reset_password(ctx: Context, *, token: str, new_password: str) -> None:
    link = tokens.read_link_token(ctx.settings.jwt_secret, "password-reset", token)
    user = get_user(link.user_id)
    passwords.check_strength(new_password, email=user.email, field="new_password")
    now = clock.now_seconds()
    _consume_link(
        ctx,
        "password-reset",
        token,
        [
            UserItem.password_hash.set(passwords.hash_password(new_password)),
            UserItem.updated_at.set(clock.iso(now)),
            UserItem.token_version.add(1),  # with the new password, in one write: no gap
        ],
    )
    _revoke_families(user.id, reason="password-reset")
    guard.forget(ACCOUNT_DELAY, user.email)  # the owner proved themselves: strangers' failures go
    logger.info("password reset", extra={"user_id": user.id})


def change_password(ctx: Context, *, user_id: str, current_password: str, new_password: str) -> SignedIn:
    """Changes the password, signs out every other session and returns a fresh one for this device."""
    user = get_user(user_id)
    now = clock.now_seconds()
    wait = guard.admit(CHANGE_PASSWORD_DELAY, user_id, now)
    if wait:
        raise too_many("Too many attempts.", wait, "too_many_attempts", now)
    if not passwords.verify_password(current_password, user.password_hash):
        raise BadRequest(
            "Your current password is not right.", code="invalid_credentials", field="current_password"
        )
    guard.forget(CHANGE_PASSWORD_DELAY, user_id)
    passwords.check_strength(new_password, email=user.email, field="new_password")
    user.update(
        actions=[
            UserItem.password_hash.set(passwords.hash_password(new_password)),
            UserItem.updated_at.set(clock.iso(clock.now_seconds())),
            UserItem.token_version.add(1),  # with the new password, in one write: no gap
        ]
    )
    _revoke_families(user_id, reason="password-change")
    logger.info("password changed", extra={"user_id": user_id})
    return _start_session(ctx, get_user(user_id, consistent=True))


# ---------------------------------------------------------------- administration
def set_banned(ctx: Context, *, admin_id: str, user_id: str, banned: bool) -> Me:
    if admin_id == user_id:
        raise BadRequest("You can't ban yourself.", code="invalid_target")
    user = get_user(user_id)
    if user.role == "admin":
        raise Forbidden("Admins can't be banned through the API.")
    actions: list[Any] = [
        UserItem.banned.set(banned),
        UserItem.updated_at.set(clock.iso(clock.now_seconds())),
    ]
    if banned:
        actions.append(UserItem.token_version.add(1))
    user.update(actions=actions)
    if banned:
        _revoke_families(user_id, reason="banned")
    logger.info("ban changed", extra={"user_id": user_id, "banned": banned, "admin_id": admin_id})
    return to_me(user, ctx.settings.media_base_url)
