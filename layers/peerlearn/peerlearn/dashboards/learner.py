"""A learner's dashboard: upcoming bookings (with when each room opens), history, minutes learned by
tag, spending by month (sessions vs gifts, net of refunds: the payment records the receipts and the
ledger's captures are made from), ratings given and receipts. Reads: one Query of the learner's
bookings, one of their payments, then batch reads of those bookings' sessions and reviews
(`dashboards.reading` has the table)."""

from __future__ import annotations

from peerlearn import clock, timeutil
from peerlearn.bookings.states import LIVE_STATES, hold_expired
from peerlearn.dashboards import figures, reading
from peerlearn.dashboards.schemas import (
    LearnerDashboard,
    PastBooking,
    RatingGiven,
    ReceiptLink,
    UpcomingBooking,
)
from peerlearn.store.keys import learner_bookings_pk, payer_pk
from peerlearn.store.models import BookingItem, PaymentItem, ReviewItem, SessionItem

MONTHS = 12  # history, minutes and spending reach back this far
HISTORY_SHOWN = 10
RECEIPTS_SHOWN = 10
UPCOMING_SHOWN = 20
DEFAULT_EARLY_JOIN_MINUTES = 10


def room_opens_at(starts_at: str, session: SessionItem | None) -> str:
    """When the join route starts letting people in (bookings.room.join: start - early join)."""
    early = int(session.early_join_minutes) if session is not None else DEFAULT_EARLY_JOIN_MINUTES
    return timeutil.iso_from_epoch(timeutil.epoch(starts_at) - early * 60)


def learner_dashboard(learner_id: str) -> LearnerDashboard:
    now = clock.now_seconds()
    now_iso = timeutil.iso_from_epoch(now)
    months = figures.last_months(now, MONTHS)
    since = figures.months_ago_iso(now, MONTHS)

    bookings = list(
        BookingItem.by_learner.query(learner_bookings_pk(learner_id), BookingItem.gsi2sk >= since)
    )
    payments = list(PaymentItem.by_payer.query(payer_pk(learner_id), PaymentItem.gsi2sk >= since))
    sessions = reading.sessions_by_id(b.session_id for b in bookings)

    upcoming = [
        b
        for b in bookings
        if b.status in LIVE_STATES and b.session_ends_at > now_iso and not hold_expired(b, now)
    ]
    upcoming.sort(key=lambda b: (b.session_starts_at, b.session_id))
    past = [b for b in bookings if b.session_starts_at <= now_iso and b.status not in LIVE_STATES]
    past.sort(key=lambda b: (b.session_starts_at, b.session_id), reverse=True)
    attended = [b for b in past if b.status == "completed"]
    reviews = reading.reviews_by(learner_id, (b.session_id for b in attended))

    by_tag, learned, count = figures.minutes_by_tag(bookings, sessions)
    by_month, totals = figures.spending(payments, months)
    payments.sort(key=lambda p: (p.captured_at, p.payment_id), reverse=True)
    return LearnerDashboard(
        generated_at=now_iso,
        months=MONTHS,
        upcoming=[_upcoming(b, sessions.get(b.session_id)) for b in upcoming[:UPCOMING_SHOWN]],
        history=[_past(b, sessions.get(b.session_id), reviews) for b in past[:HISTORY_SHOWN]],
        learned_minutes=learned,
        sessions_attended=count,
        minutes_by_tag=by_tag,
        spending_by_month=by_month,
        spending=totals,
        ratings_given=[
            RatingGiven(
                session_id=r.session_id,
                title=r.session_title,
                mentor_name=sessions[r.session_id].mentor_name if r.session_id in sessions else "",
                rating=int(r.rating),
                text=r.text,
                created_at=r.created_at,
            )
            for r in sorted(reviews.values(), key=lambda r: r.created_at, reverse=True)
        ],
        receipts=[_receipt(p) for p in payments[:RECEIPTS_SHOWN]],
    )


def _upcoming(booking: BookingItem, session: SessionItem | None) -> UpcomingBooking:
    held = booking.status == "held" and booking.hold_expires_at is not None
    return UpcomingBooking(
        booking_id=booking.id,
        session_id=booking.session_id,
        title=booking.session_title,
        mentor_id=booking.mentor_id,
        mentor_name=booking.mentor_name,
        starts_at=booking.session_starts_at,
        ends_at=booking.session_ends_at,
        status=booking.status,
        room_opens_at=room_opens_at(booking.session_starts_at, session),
        session_status=session.status if session is not None else "scheduled",
        hold_expires_at=timeutil.iso_from_epoch(int(booking.hold_expires_at or 0)) if held else None,
    )


def _past(booking: BookingItem, session: SessionItem | None, reviews: dict[str, ReviewItem]) -> PastBooking:
    review = reviews.get(booking.session_id)
    return PastBooking(
        session_id=booking.session_id,
        title=booking.session_title,
        mentor_name=booking.mentor_name,
        starts_at=booking.session_starts_at,
        status=booking.status,
        minutes=int(session.duration_minutes) if session is not None else 0,
        tags=list(session.tags) if session is not None else [],
        rating_given=int(review.rating) if review is not None else None,
    )


def _receipt(payment: PaymentItem) -> ReceiptLink:
    what = "Gift" if payment.purpose == "gift" else "Session"
    return ReceiptLink(
        payment_id=payment.payment_id,
        description=f"{what}: {payment.session_title}" if payment.session_title else what,
        purpose=payment.purpose,
        amount_paise=int(payment.amount_paise),
        refunded_paise=int(payment.refunded_paise),
        captured_at=payment.captured_at,
        receipt_number=payment.receipt_number,
        href=f"/my/payments/{payment.payment_id}/receipt",
    )
