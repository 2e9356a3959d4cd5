"""New accounts: sign-up through the API, and accounts made outside it (CLI admins, demo data).

A user is written in one transaction with the claim on its email address, so of two sign-ups of
one address exactly one wins.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError

from peerlearn import clock, ids, store, text
from peerlearn.accounts import limits, passwords
from peerlearn.accounts.profiles import search_text, to_me
from peerlearn.accounts.races import lost_race_raises
from peerlearn.accounts.schemas import Email, Me, RegisterRequest
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict
from peerlearn.store.keys import USER_PROFILE_SK, email_pk, role_gsi1pk, user_pk
from peerlearn.store.models import EmailClaimItem, UserItem

logger = logging.getLogger(__name__)

_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


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
        search_text=search_text(name, email),
        created_at=now,
        updated_at=now,
        gsi1pk=role_gsi1pk(role),
        gsi1sk=f"{now}#{user_id}",
        **profile,
    )


def _insert_user(user: UserItem) -> None:
    """Writes the user and its email claim together: of two registrations of one email, one wins."""
    claim = EmailClaimItem(email_pk(user.email), "EMAIL", user_id=user.id)
    taken = Conflict(
        "An account with this email already exists. Sign in instead.", code="email_taken", field="email"
    )
    with lost_race_raises(taken), store.transaction() as tx:
        tx.save(claim, condition=EmailClaimItem.pk.does_not_exist())
        tx.save(user, condition=UserItem.pk.does_not_exist())


def register(ctx: Context, request: RegisterRequest, *, client_ip: str) -> Me:
    """Creates a learner or mentor; the verification email is sent by the stream consumer."""
    limits.spend(
        [(limits.REGISTER_PER_CLIENT, client_ip), (limits.REGISTER_PER_EMAIL, request.email)],
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
