"""Deleting an account: what the person booked or teaches is cancelled through the ordinary paths
(the stream refunds each confirmed booking, so the ledger records it), their personal data is erased
or anonymised, and nobody can sign in as them again; the email address is free for a new sign-up.

What stays, and why: the profile item, erased (name "Deleted user", email a non-routable hash), so the
ids in ledger entries, payments, receipts and bookings still resolve, as tax and payment law require
us to keep those records, now tied to no name. A mentor's payout account (bank details) stays while a
withdrawal is still being paid: the request waits for an admin, who completes it once it settles.

Order matters: names are anonymised before anything is cancelled, so the notices the stream sends
about the cancellations already say "Deleted user". Access: Queries on the person's partition and
their gsi2 lists (LEARNER#, MENTOR#), Queries on their sessions' partitions; never a Scan.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, store, timeutil
from peerlearn.accounts import confusables, guard, limits, passwords, signins
from peerlearn.accounts.lookups import get_user
from peerlearn.bookings.cancelling import cancel_for_closed_account
from peerlearn.bookings.states import LIVE_STATES
from peerlearn.catalog import lifecycle
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, Forbidden, NotFound
from peerlearn.notify import inbox
from peerlearn.rights import requests
from peerlearn.rights.schemas import AccountDeleted
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import (
    BOOKING_PREFIX,
    GIFT_PREFIX,
    PAYOUT_ACCOUNT_SK,
    USER_PROFILE_SK,
    email_pk,
    email_skeleton_pk,
    learner_bookings_pk,
    mentor_sessions_pk,
    mentor_withdrawals_gsi2pk,
    notification_sk,
    rate_pk,
    review_sk,
    room_pk,
    session_pk,
    user_pk,
    waitlist_sk,
)
from peerlearn.store.models import (
    BookingItem,
    ChatMessageItem,
    EmailClaimItem,
    GiftItem,
    NotificationItem,
    PayoutAccountItem,
    RateWindowItem,
    ReviewItem,
    SessionItem,
    UserItem,
    WaitlistItem,
    WithdrawalItem,
)
from peerlearn.store.rights import DataRequestItem

NOTIFICATION_PREFIX = notification_sk("")

logger = logging.getLogger(__name__)

DELETED_NAME = "Deleted user"
IN_PROGRESS = "under way (if it stays here, it stopped half-way: completing it finishes it)"
PENDING_WITHDRAWAL = ("requested", "approved", "processing")
# As a password change: five free wrong passwords, then growing waits (no brute force through here).
DELETE_DELAY = guard.Delay(
    "delete-account",
    free_failures=5,
    first_delay_seconds=30,
    max_delay_seconds=15 * 60,
    forget_after_seconds=86400,
)


def erased_email(user_id: str) -> str:
    """Unique per account (the field stays unique-looking) and deliverable nowhere: `.invalid` is
    reserved (RFC 2606), and the hash of the id says nothing about the address that was."""
    return f"deleted-{hashlib.sha256(user_id.encode()).hexdigest()[:24]}@deleted.invalid"


def pending_withdrawals(user_id: str) -> list[WithdrawalItem]:
    return [
        w
        for w in WithdrawalItem.by_mentor.query(mentor_withdrawals_gsi2pk(user_id))
        if w.status in PENDING_WITHDRAWAL
    ]


def _check(user: UserItem, password: str, now: int) -> None:
    if user.deleted_at:
        raise NotFound("No such user.")
    if user.role == "admin":
        raise Forbidden("An admin account is closed by another admin, not deleted from the profile.")
    wait = guard.admit(DELETE_DELAY, user.id, now)
    if wait:
        raise limits.too_many("Too many attempts.", wait, "too_many_attempts", now)
    if not passwords.verify_password(password, user.password_hash):
        raise BadRequest("Your password is not right.", code="invalid_credentials", field="password")
    guard.forget(DELETE_DELAY, user.id)


def _erase_profile(user: UserItem, now: int) -> None:
    """The profile erased and the address's claims given up, in one transaction: the address can sign
    up again the moment this returns, and never while the old account still answers to it."""
    actions: list[Any] = [
        UserItem.name.set(DELETED_NAME),
        UserItem.email.set(erased_email(user.id)),
        UserItem.email_verified.set(False),
        # Not a hash of anything: no password verifies against it (passwords.verify_password).
        UserItem.password_hash.set(f"deleted${secrets.token_hex(16)}"),
        UserItem.token_version.add(1),  # every access token dies with the account, exactly
        UserItem.deleted_at.set(clock.iso(now)),
        UserItem.updated_at.set(clock.iso(now)),
        UserItem.headline.remove(),
        UserItem.bio.remove(),
        UserItem.avatar_key.remove(),
        UserItem.search_text.remove(),
        UserItem.last_signed_in_at.remove(),
        UserItem.skills.set([]),
        UserItem.interests.set([]),
        UserItem.languages.set([]),
        UserItem.expertise.set([]),
    ]
    claims = []
    for claim_pk in (email_pk(user.email), email_skeleton_pk(confusables.skeleton(user.email))):
        try:
            claim = EmailClaimItem.get(claim_pk, "EMAIL", consistent_read=True)
        except DoesNotExist:
            continue
        if claim.user_id == user.id:  # an older account's look-alike claim is theirs, not ours to free
            claims.append(claim)
    changed = Conflict("Your account changed meanwhile; try again.")
    with store.failed_condition_raises(changed), store.transaction() as tx:
        tx.update(user, actions=actions, condition=UserItem.deleted_at.does_not_exist())
        for claim in claims:
            tx.delete(claim, condition=EmailClaimItem.user_id == user.id)


def _forget_address(email: str) -> None:
    """The counters keyed by the address itself (sign-in attempts, sign-ups and resets per address):
    they would otherwise keep the address in the table until their windows expire."""
    guard.forget(limits.ACCOUNT_DELAY, email)
    for limit in (limits.REGISTER_PER_EMAIL, limits.RESET_PER_ACCOUNT):
        for window in RateWindowItem.query(rate_pk(limit.scope, email)):
            window.delete()


def _rename(item: BaseItem, attribute: Any) -> None:
    try:
        with store.failed_condition_raises(LookupError()):
            item.update(actions=[attribute.set(DELETED_NAME)], condition=BaseItem.pk.exists())
    except LookupError:
        pass  # no such item (no review of that session), or gone meanwhile: nothing to rename


def _anonymise_as_learner(user_id: str, bookings: list[BookingItem]) -> None:
    for booking in bookings:
        if booking.learner_name:
            _rename(booking, BookingItem.learner_name)
        review = ReviewItem(session_pk(booking.session_id), review_sk(user_id))
        _rename(review, ReviewItem.learner_name)


def _anonymise_as_mentor(sessions: list[SessionItem], *, told_since: str) -> set[str]:
    """Their name on their sessions and those sessions' bookings; returns the learners of the sessions
    since `told_since`, whose notifications may still name them (notifications last KEEP_DAYS)."""
    told: set[str] = set()
    for session in sessions:
        _rename(session, SessionItem.mentor_name)
        for booking in BookingItem.query(session_pk(session.id), BookingItem.sk.startswith(BOOKING_PREFIX)):
            _rename(booking, BookingItem.mentor_name)
            if session.starts_at >= told_since:
                told.add(booking.learner_id)
    return told


def _anonymise_in_sessions(user_id: str, session_ids: set[str]) -> None:
    """Their name where the sessions they booked or taught copied it: gifts, a waitlist place, and the
    rooms' chat, participants and attendance (a Query on each room's partition, filtered to them)."""
    for session_id in sorted(session_ids):
        gifts = GiftItem.query(
            session_pk(session_id),
            GiftItem.sk.startswith(GIFT_PREFIX),
            filter_condition=GiftItem.learner_id == user_id,
        )
        for gift in gifts:
            if gift.learner_name:
                _rename(gift, GiftItem.learner_name)
        _rename(WaitlistItem(session_pk(session_id), waitlist_sk(user_id)), WaitlistItem.learner_name)
        for item in BaseItem.query(room_pk(session_id), filter_condition=ChatMessageItem.user_id == user_id):
            named = getattr(type(item), "name", None)
            if named is not None and getattr(item, "name", None):
                _rename(item, named)


def _scrub_notifications(recipient_ids: set[str], name: str) -> None:
    """Their name in what others were told about them ("<name> booked a seat", "<name> cancelled",
    a gift, a reply): a Query on each recipient's notifications, filtered to those that name them,
    eight recipients at a time (a mentor's quarter of learners is hundreds of Queries)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda recipient_id: _scrub_one(recipient_id, name), sorted(recipient_ids)))


def _scrub_one(recipient_id: str, name: str) -> None:
    named = NotificationItem.query(
        user_pk(recipient_id),
        NotificationItem.sk.startswith(NOTIFICATION_PREFIX),
        filter_condition=NotificationItem.title.contains(name) | NotificationItem.body.contains(name),
    )
    for notification in named:
        notification.update(
            actions=[
                NotificationItem.title.set(notification.title.replace(name, DELETED_NAME)),
                NotificationItem.body.set(notification.body.replace(name, DELETED_NAME)),
            ],
            condition=NotificationItem.pk.exists(),
        )


def _cancel_future_bookings(bookings: list[BookingItem], now_iso: str) -> int:
    cancelled = 0
    for booking in bookings:
        if booking.status in LIVE_STATES and booking.session_starts_at > now_iso:
            try:
                cancel_for_closed_account(booking)
                cancelled += 1
            except Conflict:  # the hold expired meanwhile: nothing to cancel
                logger.info(
                    "booking moved on before its cancellation", extra={"session_id": booking.session_id}
                )
    return cancelled


def _cancel_future_sessions(ctx: Context, user_id: str, sessions: list[SessionItem], now_iso: str) -> int:
    cancelled = 0
    for session in sessions:
        if session.status == "scheduled" and session.starts_at > now_iso:
            try:  # the stream then cancels every booking and refunds each learner (catalog.lifecycle)
                lifecycle.cancel_session(ctx, mentor_id=user_id, session_id=session.id)
                cancelled += 1
            except Conflict:
                logger.info("session moved on before its cancellation", extra={"session_id": session.id})
    return cancelled


def _delete_own_items(user_id: str, *, keep_payout_account: bool) -> int:
    """Everything else in the person's partition: notifications, their counter and preferences, push
    devices, sign-ins (ended first), open channels, recommendation history."""
    kept = {USER_PROFILE_SK, *([PAYOUT_ACCOUNT_SK] if keep_payout_account else [])}
    deleted = 0
    for item in BaseItem.query(user_pk(user_id)):
        if item.sk not in kept:
            item.delete()
            deleted += 1
    return deleted


class Done(NamedTuple):
    bookings_cancelled: int
    sessions_cancelled: int
    summary: str  # what was done, in numbers (no personal data): the request's record


def _finish(ctx: Context, user_id: str, *, name: str | None, keep_payout_account: bool) -> Done:
    """Every step after the erasure; each is idempotent (a cancelled booking is not cancelled again,
    a renamed item renamed again changes nothing), so an admin can run them again after a crash.
    """
    now_iso = timeutil.iso_from_epoch(clock.now_seconds())
    bookings = list(BookingItem.by_learner.query(learner_bookings_pk(user_id)))
    sessions = list(SessionItem.by_mentor.query(mentor_sessions_pk(user_id)))
    told_since = timeutil.iso_from_epoch(clock.now_seconds() - inbox.KEEP_DAYS * 86400)
    _anonymise_as_learner(user_id, bookings)
    learners_taught = _anonymise_as_mentor(sessions, told_since=told_since)
    _anonymise_in_sessions(user_id, {b.session_id for b in bookings} | {s.id for s in sessions})
    if name:  # their mentors (told of their bookings) and their learners (told of their sessions)
        _scrub_notifications({b.mentor_id for b in bookings} | learners_taught, name)
    bookings_cancelled = _cancel_future_bookings(bookings, now_iso)
    sessions_cancelled = _cancel_future_sessions(ctx, user_id, sessions, now_iso)
    items_deleted = _delete_own_items(user_id, keep_payout_account=keep_payout_account)
    summary = (
        f"{bookings_cancelled} booking(s) and {sessions_cancelled} session(s) cancelled, "
        f"{items_deleted} item(s) deleted, "
        f"{len(bookings)} booking(s) and {len(sessions)} session(s) anonymised"
    )
    return Done(bookings_cancelled, sessions_cancelled, summary)


def delete_account(ctx: Context, *, user_id: str, password: str) -> AccountDeleted:
    """The request is recorded first, as waiting for an admin: if the function dies half-way the
    admins see it and finish it (`complete` runs the idempotent steps again). It completes itself
    at the end unless a withdrawal is still being paid."""
    now = clock.now_seconds()
    user = get_user(user_id, consistent=True)
    _check(user, password, now)
    request = requests.record(user_id, "deletion", status="waiting_admin", waiting_for=IN_PROGRESS)
    return _delete(ctx, user, request, by="self", now=now)


def delete_for_person(ctx: Context, *, admin_id: str, user_id: str, reason: str) -> AccountDeleted:
    """An admin deletes an account at its owner's request (by email, say: a banned or deactivated
    person can't sign in to do it). The same steps as the person's own deletion; the request is
    recorded with an audit entry naming the admin and the reason, and completed by them."""
    if admin_id == user_id:
        raise BadRequest("Close your own admin account through another admin.", code="invalid_target")
    user = get_user(user_id, consistent=True)
    if user.deleted_at:
        raise Conflict("This account was deleted already.", code="account_deleted")
    if user.role == "admin":
        raise Forbidden(
            "Admins' accounts are closed by the operator, not through the API.", code="admin_target"
        )
    request = requests.record(
        user_id, "deletion", status="waiting_admin", waiting_for=IN_PROGRESS, admin_id=admin_id, reason=reason
    )
    return _delete(ctx, user, request, by=admin_id, now=clock.now_seconds())


def _delete(ctx: Context, user: UserItem, request: DataRequestItem, *, by: str, now: int) -> AccountDeleted:
    user_id = user.id
    name, email = user.name, user.email  # before the erasure: what others' notifications call them
    _erase_profile(user, now)
    _forget_address(email)
    signins.end_refresh_families(user_id, reason="account-deleted")
    waiting = pending_withdrawals(user_id)
    done = _finish(ctx, user_id, name=name, keep_payout_account=bool(waiting))
    if waiting:
        requests.still_waiting(
            request,
            summary=done.summary,
            waiting_for=f"{len(waiting)} withdrawal(s) being paid; "
            "the payout account is erased once they settle",
        )
        message = (
            "Your account is deleted. Your bank details are erased once your last withdrawal is paid."
            if by == "self"
            else "The account is deleted. Its bank details are erased once its last withdrawal is paid."
        )
    else:
        requests.mark_completed(request, by=by, summary=done.summary)
        message = "Your account is deleted." if by == "self" else "The account is deleted."
    logger.info(
        "account deleted", extra={"user_id": user_id, "request_id": request.id, "by_admin": by != "self"}
    )
    return AccountDeleted(
        request=requests.to_out(request),
        bookings_cancelled=done.bookings_cancelled,
        sessions_cancelled=done.sessions_cancelled,
        message=message,
    )


def complete(ctx: Context, *, admin_id: str, request_id: str) -> DataRequestItem:
    """An admin finishes a deletion that waited: refused while a withdrawal is still being paid; then
    the steps run again (a deletion cut short is finished) and the payout account (the bank details,
    the last personal data) is erased."""
    item = requests.get(request_id)
    if item.status != "waiting_admin":
        raise Conflict("This request is already completed.", code="already_completed")
    if item.kind != "deletion":
        raise Conflict("Only a deletion can wait for an admin.", code="invalid_transition")
    still = pending_withdrawals(item.user_id)
    if still:
        raise Conflict(
            f"{len(still)} withdrawal(s) of this person are still being paid; settle them first.",
            code="withdrawals_pending",
        )
    done = _finish(ctx, item.user_id, name=None, keep_payout_account=False)
    with contextlib.suppress(DoesNotExist):
        PayoutAccountItem.get(user_pk(item.user_id), PAYOUT_ACCOUNT_SK).delete()
    return requests.mark_completed(item, by=admin_id, summary=f"{done.summary}; payout account erased")
