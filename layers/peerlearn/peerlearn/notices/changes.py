"""What a change to the table tells people: one stream record's old and new images in, the notices
out (peerlearn.notices.on_change delivers them).

Every notice's dedupe key comes from the change itself (ids, versions, the new start time), never
from the clock or a random id: a replayed record yields the same keys, and delivery writes each
(user, kind, key) once. Texts give times in the recipient's own time zone.

| change (entity, images)                              | kind                      | to            |
|------------------------------------------------------|---------------------------|---------------|
| BOOKING -> confirmed                                  | booking_confirmed         | learner, mentor |
| BOOKING INSERT held, offered from the waitlist       | waitlist_offer            | learner       |
| BOOKING held -> expired, offered from the waitlist   | waitlist_offer_expired    | learner       |
| BOOKING live -> cancelled (session / mentor)          | session_cancelled         | learner       |
| SESSION starts_at changed while scheduled            | session_moved             | live bookings' learners |
| PAYMENT receipt_number appears (a booking or a gift) | payment_receipt           | learner       |
| REFUND accepted by Razorpay / failed                 | refund_issued / refund_failed | learner   |
| ROOM_PEER -> waiting (a learner knocks)              | waiting_room              | mentor        |
| REVIEW INSERT / reply_at changed                     | review_new / review_reply | mentor / learner |
| GIFT -> paid                                         | gift_received             | mentor        |
| WITHDRAWAL requested -> approved, -> paid, failed, rejected | withdrawal_*       | mentor        |
| PAYOUT_ACCOUNT set or changed                        | payout_account_changed    | mentor        |
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import timeutil
from peerlearn.bookings.states import LIVE_STATES
from peerlearn.notices.wording import Recipients, rupees
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import BOOKING_PREFIX, PAYMENT_SK, SESSION_SK, payment_pk, session_pk
from peerlearn.store.models import BookingItem, PaymentItem, SessionItem

Image = dict[str, Any]


def _text(image: Image, name: str, default: str = "") -> str:
    value = image.get(name)
    return default if value is None else str(value)


def _session(session_id: str) -> SessionItem | None:
    try:
        return SessionItem.get(session_pk(session_id), SESSION_SK)
    except DoesNotExist:
        return None


def _payment(payment_id: str) -> PaymentItem | None:
    try:
        return PaymentItem.get(payment_pk(payment_id), PAYMENT_SK)
    except DoesNotExist:
        return None


# ---------------------------------------------------------------- bookings
def _booking(old: Image, new: Image, people: Recipients) -> list[Notice]:
    if not new:
        return []
    booking_id, session_id = _text(new, "id"), _text(new, "session_id")
    title, starts_at = _text(new, "session_title"), _text(new, "session_starts_at")
    learner, mentor = _text(new, "learner_id"), _text(new, "mentor_id")
    link = f"/sessions/{session_id}"
    was, now = old.get("status"), new.get("status")
    data = {"session_id": session_id, "booking_id": booking_id, "starts_at": starts_at}
    notices: list[Notice] = []
    if now == "confirmed" and was != "confirmed":
        notices.append(
            Notice(
                learner,
                "booking_confirmed",
                f"You're booked for “{title}”",
                f"Your seat is confirmed. It starts {people.when(learner, starts_at)}.",
                dedupe_key=f"booking#{booking_id}#confirmed",
                link=link,
                data=data,
            )
        )
        who = _text(new, "learner_name", "A learner")
        notices.append(
            Notice(
                mentor,
                "booking_confirmed",
                f"New booking for “{title}”",
                f"{who} booked a seat in your session on {people.when(mentor, starts_at)}.",
                dedupe_key=f"booking#{booking_id}#confirmed",
                link=link,
                data=data,
            )
        )
    offered = bool(new.get("offered_from_waitlist"))
    # A new booking (its id): the seat may reuse the key of this learner's earlier, cancelled one.
    fresh = old.get("id") != new.get("id")
    if offered and now == "held" and fresh and new.get("hold_expires_at") is not None:
        until = int(new["hold_expires_at"])
        notices.append(
            Notice(
                learner,
                "waitlist_offer",
                f"A seat opened in “{title}”",
                f"It's held for you until {people.when(learner, timeutil.iso_from_epoch(until))}. "
                "Confirm it from My bookings.",
                dedupe_key=f"offer#{booking_id}",
                link=link,
                expires_at=until,
                data=data,
            )
        )
    if offered and was == "held" and now == "expired":
        notices.append(
            Notice(
                learner,
                "waitlist_offer_expired",
                f"The seat in “{title}” went to the next in line",
                "The seat we held for you wasn't confirmed in time, so it was offered to the next "
                "learner waiting.",
                dedupe_key=f"offer#{booking_id}#expired",
                link=link,
                data=data,
            )
        )
    if was in LIVE_STATES and now == "cancelled":
        notices += _booking_cancelled(new, session_id, title, link, data)
    return notices


_SESSION_CANCELLED_BODY: dict[str, str] = {
    "": "The mentor cancelled this session. Any payment is refunded in full.",
    "mentor_no_show": "The mentor didn't open the room within 15 minutes of the start, so the session is "
    "cancelled. Any payment is refunded in full.",
}


def _booking_cancelled(
    new: Image, session_id: str, title: str, link: str, data: dict[str, str]
) -> list[Notice]:
    reason, learner = new.get("cancel_reason"), _text(new, "learner_id")
    if reason == "session_cancelled":
        session = _session(session_id)
        why = (session.cancel_reason if session else None) or ""
        body = _SESSION_CANCELLED_BODY.get(why, _SESSION_CANCELLED_BODY[""])
        return [
            Notice(
                learner,
                "session_cancelled",
                f"“{title}” was cancelled",
                body,
                dedupe_key=f"cancelled#{session_id}",
                link=link,
                data=data,
            )
        ]
    if reason == "mentor":
        return [
            Notice(
                learner,
                "session_cancelled",
                f"Your booking for “{title}” was cancelled by the mentor",
                "Any payment is refunded in full. Find another session on Discover.",
                dedupe_key=f"booking#{_text(new, 'id')}#cancelled",
                link=link,
                data=data,
            )
        ]
    return []  # the learner cancelled it themselves, or a hold ran out: nothing to tell


# ---------------------------------------------------------------- sessions
def _session_moved(old: Image, new: Image, people: Recipients) -> list[Notice]:
    if not (old and new) or new.get("status") != "scheduled":
        return []
    if new.get("starts_at") == old.get("starts_at"):
        return []
    session_id, title, starts_at = _text(new, "id"), _text(new, "title"), _text(new, "starts_at")
    notices = []
    for booking in BookingItem.query(
        session_pk(session_id),
        BookingItem.sk.startswith(BOOKING_PREFIX),
        filter_condition=BookingItem.status.is_in(*LIVE_STATES),
    ):
        learner = booking.learner_id
        notices.append(
            Notice(
                learner,
                "session_moved",
                f"“{title}” has a new time",
                f"It now starts {people.when(learner, starts_at)}. Can't make it? Cancel in My bookings.",
                dedupe_key=f"moved#{session_id}#{starts_at}",
                link=f"/sessions/{session_id}",
                data={"session_id": session_id, "starts_at": starts_at, "was": _text(old, "starts_at")},
            )
        )
    return notices


# ---------------------------------------------------------------- money
def _payment_receipt(old: Image, new: Image, people: Recipients) -> list[Notice]:
    if not new or not new.get("receipt_number") or old.get("receipt_number"):
        return []
    if new.get("outcome") not in ("booking_confirmed", "gift_paid"):
        return []  # refunded at once: the refund's own notices say so
    payment_id, learner = _text(new, "payment_id"), _text(new, "learner_id")
    amount = int(new.get("amount_paise") or 0)
    what = "a gift" if new.get("outcome") == "gift_paid" else f"“{_text(new, 'session_title')}”"
    paid_at = _text(new, "captured_at")
    return [
        Notice(
            learner,
            "payment_receipt",
            f"Receipt {_text(new, 'receipt_number')}: {rupees(amount)}",
            f"We received {rupees(amount)} for {what} on {people.when(learner, paid_at)}.",
            dedupe_key=f"payment#{payment_id}#receipt",
            link=f"/my/payments/{payment_id}/receipt",
            data={
                "payment_id": payment_id,
                "amount_paise": str(amount),
                "receipt_number": _text(new, "receipt_number"),
                "session_id": _text(new, "session_id"),
            },
        )
    ]


def _refund(old: Image, new: Image, people: Recipients) -> list[Notice]:
    if not new:
        return []
    issued = bool(new.get("refund_id")) and (not old.get("refund_id") or old.get("status") == "failed")
    issued = issued and new.get("status") in ("pending", "processed")
    failed = new.get("status") == "failed" and old.get("status") != "failed"
    if not (issued or failed):
        return []
    payment = _payment(_text(new, "payment_id"))
    if payment is None:
        return []
    key, amount = _text(new, "refund_key"), rupees(int(new.get("amount_paise") or 0))
    title = payment.session_title or "your session"
    data = {"payment_id": payment.payment_id, "amount_paise": str(int(new.get("amount_paise") or 0))}
    reason = _text(new, "reason").rstrip(".")
    if issued:
        return [
            Notice(
                payment.learner_id,
                "refund_issued",
                f"Refund of {amount} on its way",
                f"{amount} for “{title}” is being refunded to the way you paid ({reason}). "
                "It reaches you in 5-7 working days.",
                dedupe_key=f"refund#{key}#issued",
                link="/my/payments",
                data=data,
            )
        ]
    return [
        Notice(
            payment.learner_id,
            "refund_failed",
            f"Your refund of {amount} hit a problem",
            f"The refund of {amount} for “{title}” didn't go through at the bank. We'll retry it "
            "automatically; nothing for you to do.",
            dedupe_key=f"refund#{key}#failed",
            link="/my/payments",
            data=data,
        )
    ]


def _gift(old: Image, new: Image, people: Recipients) -> list[Notice]:
    if not new or new.get("status") != "paid" or old.get("status") == "paid":
        return []
    paise = int(new.get("amount_paise") or 0)
    amount = rupees(paise)
    who = _text(new, "learner_name", "A learner")
    message = _text(new, "message")
    return [
        Notice(
            _text(new, "mentor_id"),
            "gift_received",
            f"{who} sent you a gift of {amount}",
            f"“{message}”" if message else "A thank-you for your session. It's added to your earnings.",
            dedupe_key=f"gift#{_text(new, 'gift_id')}",
            link="/my/earnings",
            data={"session_id": _text(new, "session_id"), "amount_paise": str(paise)},
        )
    ]


_WITHDRAWAL: dict[str, tuple[str, str, str]] = {
    # new status -> (kind, title, body)
    "approved": (
        "withdrawal_approved",
        "Withdrawal approved",
        "Your withdrawal of {amount} is approved and on its way to your bank account.",
    ),
    "paid": ("withdrawal_paid", "Withdrawal paid", "{amount} has been paid to your bank account."),
    "failed": (
        "withdrawal_failed",
        "Withdrawal returned",
        "The payout of {amount} didn't go through: {reason} It's available again.",
    ),
    "rejected": (
        "withdrawal_failed",
        "Withdrawal not approved",
        "Your withdrawal of {amount} wasn't approved: {reason} It's available again.",
    ),
}


def _withdrawal(old: Image, new: Image, people: Recipients) -> list[Notice]:
    status = new.get("status") if new else None
    if status not in _WITHDRAWAL or old.get("status") == status:
        return []
    if status == "approved" and old.get("status") != "requested":
        return []  # approved on the spot (within the auto-approval limit): the mentor just asked
    kind, title, body = _WITHDRAWAL[str(status)]
    amount = rupees(int(new.get("amount_paise") or 0))
    reason = (_text(new, "reason") or "no reason given.").rstrip(".") + "."
    withdrawal_id = _text(new, "id")
    return [
        Notice(
            _text(new, "mentor_id"),
            kind,
            title,
            body.format(amount=amount, reason=reason),
            dedupe_key=f"withdrawal#{withdrawal_id}#{status}",
            link="/my/earnings",
            data={"withdrawal_id": withdrawal_id, "amount_paise": str(int(new.get("amount_paise") or 0))},
        )
    ]


def _payout_account(old: Image, new: Image, people: Recipients) -> list[Notice]:
    # Where money goes is what a stolen sign-in would change: the owner hears of every change.
    # Each setting seals the details under a new data key: its wrapped copy names this change.
    if not new or new.get("wrapped_key") == old.get("wrapped_key"):
        return []  # only Razorpay's ids filled in later: the same setting
    mentor = _text(new, "mentor_id")
    change = hashlib.sha256(_text(new, "wrapped_key").encode()).hexdigest()[:24]
    return [
        Notice(
            mentor,
            "payout_account_changed",
            "Payout account changed" if old else "Payout account set up",
            f"Payouts now go to the account ending {_text(new, 'account_last4')} ({_text(new, 'ifsc')}). "
            "If this wasn't you, change your password and tell us.",
            dedupe_key=f"payout_account#{change}",
            link="/my/earnings",
        )
    ]


# ---------------------------------------------------------------- rooms and reviews
def _waiting_room(old: Image, new: Image, people: Recipients) -> list[Notice]:
    if not new or new.get("status") != "waiting" or new.get("room_role") != "learner":
        return []
    if old.get("status") == "waiting" and old.get("knocked_at") == new.get("knocked_at"):
        return []  # still waiting: a reconnect or a presence update, not a new knock
    session_id = _text(new, "session_id")
    session = _session(session_id)
    if session is None:
        return []
    who = _text(new, "name", "A learner")
    return [
        Notice(
            session.mentor_id,
            "waiting_room",
            f"{who} is waiting to be let in",
            f"{who} is in the waiting room of “{session.title}”.",
            dedupe_key=f"waiting#{session_id}#{_text(new, 'user_id')}#{_text(new, 'knocked_at')}",
            link=f"/sessions/{session_id}/room",
            expires_at=timeutil.epoch(session.ends_at),
            data={"session_id": session_id},
        )
    ]


def _review(old: Image, new: Image, people: Recipients) -> list[Notice]:
    if not new:
        return []
    session_id, learner = _text(new, "session_id"), _text(new, "learner_id")
    title = _text(new, "session_title")
    link = f"/sessions/{session_id}"
    if not old:
        stars = int(new.get("rating") or 0)
        return [
            Notice(
                _text(new, "mentor_id"),
                "review_new",
                f"New {stars}★ review of “{title}”",
                f"{_text(new, 'learner_name', 'A learner')} wrote: “{_text(new, 'text')}”"
                if new.get("text")
                else f"{_text(new, 'learner_name', 'A learner')} rated your session {stars} out of 5.",
                dedupe_key=f"review#{session_id}#{learner}",
                link=link,
                data={"session_id": session_id, "rating": str(stars)},
            )
        ]
    if new.get("reply_at") and new.get("reply_at") != old.get("reply_at"):
        return [
            Notice(
                learner,
                "review_reply",
                f"The mentor replied to your review of “{title}”",
                f"“{_text(new, 'reply_text')}”",
                dedupe_key=f"reply#{session_id}#{learner}#{_text(new, 'reply_at')}",
                link=link,
                data={"session_id": session_id},
            )
        ]
    return []


Mapper = Callable[[Image, Image, Recipients], list[Notice]]

MAPPERS: dict[str, Mapper] = {
    "BOOKING": _booking,
    "SESSION": _session_moved,
    "PAYMENT": _payment_receipt,
    "REFUND": _refund,
    "GIFT": _gift,
    "WITHDRAWAL": _withdrawal,
    "PAYOUT_ACCOUNT": _payout_account,
    "ROOM_PEER": _waiting_room,
    "REVIEW": _review,
}


def notices_for(old: Image, new: Image) -> list[Notice]:
    """The notices one change gives (none for most changes)."""
    entity = (new or old).get("entity")
    mapper = MAPPERS.get(str(entity))
    return mapper(old, new, Recipients()) if mapper else []
