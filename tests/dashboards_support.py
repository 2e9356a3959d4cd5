"""Hand-made items for the dashboards' tests (unit and browser): sessions, bookings, payments (with the
ledger entries their confirmation posts), reviews. Written straight to the table so each figure has a
known answer, and so a browser test can have a past without moving the stack's clock."""

from __future__ import annotations

import dataclasses

from peerlearn import ledger, store, timeutil
from peerlearn.store.keys import (
    SESSION_SK,
    booking_sk,
    learner_bookings_pk,
    mentor_reviews_pk,
    mentor_sessions_pk,
    payer_pk,
    payment_pk,
    review_sk,
    session_pk,
    waitlist_sk,
)
from peerlearn.store.models import BookingItem, PaymentItem, ReviewItem, SessionItem, WaitlistItem

# Tuesday 24 November 2026, 15:30 in India.
NOW = 1_795_514_400
NOW_ISO = "2026-11-24T10:00:00Z"
MENTOR = "01JDQ4Z3N0R1C5X8H2P7M9MNTR"
LEARNER = "01JDQ4Z3N0R1C5X8H2P7M9LRNR"
STAMP = "2026-01-01T00:00:00Z"


def days(n: float, *, now: int = NOW) -> str:
    """The instant `n` days from `now` (negative: ago)."""
    return timeutil.iso_from_epoch(now + int(n * 86400))


def session(
    session_id: str,
    starts_at: str,
    *,
    minutes: int = 60,
    tags: tuple[str, ...] = ("Python",),
    capacity: int = 4,
    seats_left: int | None = None,
    status: str = "scheduled",
    early_join_minutes: int = 10,
    mentor_id: str = MENTOR,
) -> SessionItem:
    item = SessionItem(
        session_pk(session_id),
        SESSION_SK,
        id=session_id,
        mentor_id=mentor_id,
        mentor_name="Meera Nair",
        title=f"Session {session_id}",
        tags=list(tags),
        tag_keys=[t.lower() for t in tags],
        level="beginner",
        language="English",
        language_key="english",
        starts_at=starts_at,
        ends_at=timeutil.plus_minutes(starts_at, minutes),
        duration_minutes=minutes,
        timezone="Asia/Kolkata",
        capacity=capacity,
        seats_left=capacity if seats_left is None else seats_left,
        price_paise=50_000,
        early_join_minutes=early_join_minutes,
        status=status,
        created_at=STAMP,
        updated_at=STAMP,
        gsi2pk=mentor_sessions_pk(mentor_id),
        gsi2sk=f"{starts_at}#{session_id}",
    )
    item.save()
    return item


def booking(
    of: SessionItem, learner_id: str = LEARNER, *, status: str, hold_expires_at: int | None = None
) -> None:
    BookingItem(
        session_pk(of.id),
        booking_sk(learner_id),
        id=f"B{of.id}{learner_id[-4:]}",
        session_id=of.id,
        learner_id=learner_id,
        mentor_id=of.mentor_id,
        mentor_name=of.mentor_name,
        session_title=of.title,
        session_starts_at=of.starts_at,
        session_ends_at=of.ends_at,
        status=status,
        price_paise=int(of.price_paise),
        hold_expires_at=hold_expires_at,
        created_at=STAMP,
        updated_at=STAMP,
        gsi2pk=learner_bookings_pk(learner_id),
        gsi2sk=f"{of.starts_at}#{of.id}",
    ).save()


def waiting(of: SessionItem, learner_id: str) -> None:
    WaitlistItem(
        session_pk(of.id), waitlist_sk(learner_id), learner_id=learner_id, joined_at=learner_id
    ).save()


def payment(
    payment_id: str,
    of: SessionItem,
    amount_paise: int,
    captured_at: str,
    *,
    purpose: str = "booking",
    refunded_paise: int = 0,
    learner_id: str = LEARNER,
) -> None:
    """The payment item and the ledger entries its capture (and refund) posted, as the payments code
    writes them: the dashboards must agree with both."""
    parts = ledger.split(amount_paise)
    PaymentItem(
        payment_pk(payment_id),
        "PAYMENT",
        payment_id=payment_id,
        order_id=f"order_{payment_id}",
        purpose=purpose,
        reference=of.id,
        session_id=of.id,
        session_title=of.title,
        learner_id=learner_id,
        mentor_id=of.mentor_id,
        amount_paise=amount_paise,
        outcome="gift_paid" if purpose == "gift" else "booking_confirmed",
        status="partially_refunded" if refunded_paise else "captured",
        refunded_paise=refunded_paise,
        platform_fee_paise=parts.platform_fee_paise,
        gst_paise=parts.gst_paise,
        tcs_paise=parts.tcs_paise,
        tds_paise=parts.tds_paise,
        mentor_share_paise=parts.mentor_share_paise,
        captured_at=captured_at,
        gsi1pk="PAYMENTS",
        gsi1sk=f"{captured_at}#{payment_id}",
        gsi2pk=payer_pk(learner_id),
        gsi2sk=f"{captured_at}#{payment_id}",
    ).save()
    capture = ledger.capture_entry(
        f"capture#{payment_id}",
        kind="capture",
        payment_id=payment_id,
        amount_paise=amount_paise,
        mentor_id=of.mentor_id,
        split=parts,
        refs={"session_id": of.id},
    )
    entries = [dataclasses.replace(capture, at=captured_at)]
    if refunded_paise:
        refund = ledger.refund_entry(
            f"refund#{payment_id}",
            refund_id=f"rfnd_{payment_id}",
            payment_id=payment_id,
            amount_paise=refunded_paise,
            mentor_id=of.mentor_id,
            original=parts,
            refs={"session_id": of.id},
        )
        entries.append(dataclasses.replace(refund, at=captured_at))
    for entry in entries:
        with store.transaction() as tx:
            ledger.post(tx, entry)


def review(
    of: SessionItem, learner_id: str, rating: int, created_at: str, *, reply: str | None = None
) -> None:
    ReviewItem(
        session_pk(of.id),
        review_sk(learner_id),
        session_id=of.id,
        session_title=of.title,
        mentor_id=of.mentor_id,
        learner_id=learner_id,
        learner_name=f"Learner {learner_id[-4:]}",
        rating=rating,
        text="Clear and patient." if rating >= 4 else "Too fast for me.",
        created_at=created_at,
        reply_text=reply,
        reply_at=created_at if reply else None,
        gsi2pk=mentor_reviews_pk(of.mentor_id),
        gsi2sk=f"{created_at}#{of.id}#{learner_id}",
    ).save()
