"""New accounts: sign-up through the API, and accounts made outside it (CLI admins, demo data).

A user is written in one transaction with the claim on its email address, so of two sign-ups of
one address exactly one wins.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import clock, ids, store, text
from peerlearn.accounts import limits, passwords
from peerlearn.accounts.profiles import distinct_tags, search_text, to_me
from peerlearn.accounts.schemas import Email, Me, RegisterRequest
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict
from peerlearn.store.keys import USER_PROFILE_SK, email_pk, email_skeleton_pk, role_gsi1pk, user_pk
from peerlearn.store.models import EmailClaimItem, UserItem

logger = logging.getLogger(__name__)

# Built on first use like the models (peerlearn.shapes): it loads email-validator, ~15 ms.
_EMAIL: TypeAdapter[str] = TypeAdapter(Email, config=ConfigDict(defer_build=True))
_LOST = ("ConditionalCheckFailed", "TransactionConflict")


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


def _taken() -> Conflict:
    return Conflict(
        "An account with this email already exists. Sign in instead.", code="email_taken", field="email"
    )


def _lookalike() -> Conflict:
    return Conflict(
        "An account already exists with an address that looks the same as this one (some letters "
        "look alike but are different characters). Sign in with that address, or use another one.",
        code="email_lookalike",
        field="email",
    )


def _skeleton_claim_pk(email: str) -> str:
    from peerlearn.accounts import confusables  # the table loads on the first sign-up only

    return email_skeleton_pk(confusables.skeleton(email))


def _refuse_taken_or_lookalike(email: str) -> None:
    """Answers a look-alike with 409 before any other complaint about the address (such as mixed
    scripts); the transaction in `_insert_user` still decides races."""
    try:
        EmailClaimItem.get(_skeleton_claim_pk(email), "EMAIL")
    except DoesNotExist:
        return
    try:
        EmailClaimItem.get(email_pk(email), "EMAIL")
    except DoesNotExist:
        raise _lookalike() from None
    raise _taken()


def _insert_user(user: UserItem) -> None:
    """Writes the user with the claims on its email address and on that address's look-alike
    skeleton, in one transaction: of two sign-ups of one address (or of two look-alikes), one wins."""
    claims = [
        EmailClaimItem(email_pk(user.email), "EMAIL", user_id=user.id),
        EmailClaimItem(_skeleton_claim_pk(user.email), "EMAIL", user_id=user.id),
    ]
    try:
        with store.transaction() as tx:
            for claim in claims:
                tx.save(claim, condition=EmailClaimItem.pk.does_not_exist())
            tx.save(user, condition=UserItem.pk.does_not_exist())
    except TransactWriteError as exc:
        # Which claim was refused (or is being written by a concurrent sign-up) tells the answer.
        refused = [reason is not None and reason.code in _LOST for reason in exc.cancellation_reasons or []]
        if refused[:1] == [True]:
            raise _taken() from exc
        if refused[1:2] == [True]:
            raise _lookalike() from exc
        raise


def _check_one_script(email: str) -> None:
    from peerlearn.accounts import confusables

    scripts = confusables.mixed_scripts(email.rsplit("@", 1)[0])
    if scripts:
        names = " and ".join(sorted(script.title() for script in scripts))
        raise BadRequest(
            f"Use letters of one alphabet before the @: this address mixes {names} letters.",
            code="mixed_script_email",
            field="email",
        )


def register(ctx: Context, request: RegisterRequest, *, client_ip: str) -> Me:
    """Creates a learner or mentor; the verification email is sent by the stream consumer."""
    limits.spend(
        [(limits.REGISTER_PER_CLIENT, client_ip), (limits.REGISTER_PER_EMAIL, request.email)],
        "Too many sign-ups.",
        "too_many_requests",
        clock.now_seconds(),
    )
    _refuse_taken_or_lookalike(request.email)
    _check_one_script(request.email)
    passwords.check_strength(request.password, email=request.email)
    if request.role == "mentor":
        if not request.headline:
            raise BadRequest("Mentors need a headline: one line about what you teach.", field="headline")
        if not request.expertise:
            raise BadRequest("Mentors need at least one area of expertise.", field="expertise")
    if request.role != "learner" and request.interests:
        raise BadRequest(
            "Interests at sign-up are for learners; mentors add theirs to the profile.", field="interests"
        )
    # Repeated tags are dropped whatever their case, order kept (as a profile update does).
    profile = (
        {"headline": request.headline, "expertise": distinct_tags(request.expertise)}
        if request.role == "mentor"
        else {"interests": distinct_tags(request.interests)}
    )
    user = _new_user(
        name=request.name,
        email=request.email,
        password=request.password,
        role=request.role,
        verified=False,
        **profile,
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
    _refuse_taken_or_lookalike(email)
    _check_one_script(email)
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


def claim_lookalike_skeletons() -> tuple[int, list[tuple[str, str]]]:
    """One-off for accounts created before skeleton claims existed (a job or the CLI, never a
    request: it scans). Returns how many claims it wrote and the pairs of user ids that already
    look alike, for an admin to review; it changes neither account of such a pair."""
    written, clashes = 0, []
    for user in UserItem.scan():
        claim = EmailClaimItem(_skeleton_claim_pk(user.email), "EMAIL", user_id=user.id)
        try:
            with store.failed_condition_raises(LookupError()):
                claim.save(condition=EmailClaimItem.pk.does_not_exist())
            written += 1
        except LookupError:
            holder = EmailClaimItem.get(claim.pk, "EMAIL").user_id
            if holder != user.id:
                clashes.append((holder, user.id))
                logger.warning("look-alike accounts", extra={"user_id": user.id, "other_user_id": holder})
    return written, clashes
