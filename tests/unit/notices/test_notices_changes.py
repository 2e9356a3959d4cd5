"""Every kind of notice of issue 9, written by the stream consumer from the change itself: who hears
what, in their own time zone, once however often the stream delivers the change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from peerlearn import events, jobs
from peerlearn.bookings import cancelling, seats, waitlist
from peerlearn.catalog import lifecycle, publishing
from peerlearn.catalog.lookup import get_session_item
from peerlearn.catalog.schemas import SessionUpdate
from peerlearn.context import Context
from peerlearn.feedback import service as feedback
from peerlearn.feedback.schemas import ReplyCreate, ReviewCreate
from peerlearn.notices import changes
from peerlearn.notices.wording import local_time
from peerlearn.notify import mail
from peerlearn.notify.catalog import KINDS
from peerlearn.notify.deliver import DeliveryFailed
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import USER_PROFILE_SK, payment_pk, refund_sk, room_pk, user_pk
from peerlearn.store.models import (
    NotificationItem,
    ParticipantItem,
    PaymentItem,
    RefundItem,
    UserItem,
    WithdrawalItem,
)
from tests.payments_support import FakeRazorpay, stream_record
from tests.stream_records import stream_filters
from tests.support import local_in
from tests.unit.conftest import Outbox
from tests.unit.live.money_support import fake_razorpay, paid_gift, paid_seat
from tests.unit.sessions_support import CLIENT, Clock, person, publish
from tests.unit.stream_support import Stream


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    return fake_razorpay(monkeypatch)


def told(user_id: str) -> list[NotificationItem]:
    return list(NotificationItem.query(user_pk(user_id), NotificationItem.sk.startswith("NOTIF#")))


def kinds(user_id: str) -> list[str]:
    return sorted(n.kind for n in told(user_id))


def living_in(user_id: str, timezone: str) -> None:
    UserItem(user_pk(user_id), USER_PROFILE_SK).update(actions=[UserItem.timezone.set(timezone)])


def test_every_kind_a_change_gives_is_in_the_catalog() -> None:
    source = Path(changes.__file__).read_text(encoding="utf-8")
    used = {kind for kind in KINDS if f'"{kind}"' in source}
    assert used >= set(KINDS) - {"session_reminder", "broadcast"}  # those two: reminders.py, broadcasts.py


# ---------------------------------------------------------------- bookings and sessions
def test_a_confirmed_booking_tells_the_learner_and_the_mentor_in_their_own_time_zones(ctx: Context) -> None:
    mentor, learner = person("mentor"), person(name="Asha Rao")
    living_in(learner.user_id, "America/New_York")
    session_id = publish(ctx, mentor, capacity=2)
    stream = Stream(ctx)

    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    stream.replay()

    [mine], [theirs] = told(learner.user_id), told(mentor.user_id)
    assert (mine.kind, theirs.kind) == ("booking_confirmed", "booking_confirmed")
    starts_at = get_session_item(session_id).starts_at
    assert local_time(starts_at, "America/New_York") in mine.body
    assert local_time(starts_at, "Asia/Kolkata") in theirs.body
    assert "Asha Rao" in theirs.body
    assert mine.link == f"/sessions/{session_id}"


def test_a_booking_is_told_even_when_its_analytics_keep_failing(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor, learner = person("mentor"), person(name="Asha Rao")
    session_id = publish(ctx, mentor, capacity=2)
    stream = Stream(ctx)

    def busy(*_args: object) -> int:
        raise RuntimeError("the day's counters are busy")

    monkeypatch.setattr(events.analytics, "on_change", busy)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    with pytest.raises(RuntimeError):
        stream.flush()  # the record fails and would be retried...

    # ...but the notices went out first
    assert [n.kind for n in told(learner.user_id)] == ["booking_confirmed"]


def test_a_waitlist_offer_and_its_lapse_are_told_and_the_seat_moves_on(
    ctx: Context, moving_clock: Clock
) -> None:
    holder, first, second = person(), person(), person()
    session_id = publish(ctx, person("mentor"), hours=72)
    seats.book(booker=holder, session_id=session_id, client=CLIENT)
    waitlist.join_waitlist(booker=first, session_id=session_id)
    waitlist.join_waitlist(booker=second, session_id=session_id)
    stream = Stream(ctx)

    cancelling.cancel_by_learner(user_id=holder.user_id, session_id=session_id, cutoff_hours=24)
    stream.flush()
    assert kinds(first.user_id) == ["waitlist_offer"]

    moving_clock.advance(hours=3)  # the offer lapses unanswered
    jobs.sweep(ctx)
    stream.flush()
    stream.replay()

    assert kinds(first.user_id) == ["waitlist_offer", "waitlist_offer_expired"]
    assert kinds(second.user_id) == ["waitlist_offer"]
    assert kinds(holder.user_id) == []  # they cancelled it themselves


def test_a_learner_who_cancels_hears_nothing_but_the_mentor_cancelling_tells_them(ctx: Context) -> None:
    mentor, learner, other = person("mentor"), person(), person()
    session_id = publish(ctx, mentor, capacity=2)
    for who in (learner, other):
        seats.book(booker=who, session_id=session_id, client=CLIENT)
    stream = Stream(ctx)

    cancelling.cancel_by_learner(user_id=learner.user_id, session_id=session_id, cutoff_hours=24)
    cancelling.cancel_by_mentor(mentor_id=mentor.user_id, session_id=session_id, learner_id=other.user_id)
    stream.flush()

    assert kinds(learner.user_id) == []
    assert kinds(other.user_id) == ["session_cancelled"]


# ---------------------------------------------------------------- money
def test_a_paid_booking_gives_a_receipt_and_a_gift_tells_the_mentor(ctx: Context, fake: FakeRazorpay) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor, price_paise=49_900, hours=1)
    stream = Stream(ctx)

    learner, payment_id = paid_seat(ctx, fake, session_id)
    stream.flush()
    lifecycle.start(get_session_item(session_id, consistent=True))
    pending, paid = paid_gift(ctx, fake, session_id, learner, "Thank you!")
    stream.flush()  # the payment (a tap folds the gift's two writes into one insert: sent below)
    for _ in range(2):
        events.handle_record(ctx, stream_record(new=paid, old=pending))
    stream.replay()

    receipts = [n for n in told(learner.user_id) if n.kind == "payment_receipt"]
    assert len(receipts) == 2  # the seat and the gift
    seat = next(n for n in receipts if n.link == f"/my/payments/{payment_id}/receipt")
    assert "₹499.00" in seat.title
    [gift] = [n for n in told(mentor.user_id) if n.kind == "gift_received"]
    assert "₹100.00" in gift.title
    assert "Thank you!" in gift.body


def _payment(learner_id: str) -> PaymentItem:
    return PaymentItem(
        payment_pk("pay_1"),
        "PAYMENT",
        payment_id="pay_1",
        order_id="order_1",
        purpose="booking",
        reference="b1",
        session_id="s1",
        session_title="Python code review",
        learner_id=learner_id,
        mentor_id="m1",
        amount_paise=49_900,
        outcome="booking_confirmed",
        platform_fee_paise=0,
        gst_paise=0,
        tcs_paise=0,
        tds_paise=0,
        mentor_share_paise=0,
        captured_at="2027-01-05T10:00:00Z",
        gsi1pk="PAYMENTS",
        gsi1sk="x",
        gsi2pk="PAYER#x",
        gsi2sk="x",
    )


def _refund(**fields: Any) -> RefundItem:
    base: dict[str, Any] = {
        "refund_key": "cancel-b1",
        "payment_id": "pay_1",
        "amount_paise": 49_900,
        "kind": "policy",
        "reason": "Session cancelled by the mentor",
        "status": "requested",
        "gateway_key": "cancel-b1",
        "created_at": "2027-01-05T10:00:00Z",
        "updated_at": "2027-01-05T10:00:00Z",
        "gsi2pk": "REFUNDS",
        "gsi2sk": "x",
    }
    return RefundItem(payment_pk("pay_1"), refund_sk("cancel-b1"), **{**base, **fields})


def test_a_refund_is_told_when_razorpay_takes_it_and_again_if_it_fails_once(ctx: Context) -> None:
    learner = person()
    _payment(learner.user_id).save()
    requested = _refund()
    pending = _refund(status="pending", refund_id="rfnd_1")
    failed = _refund(status="failed", refund_id="rfnd_1", last_error="bank down")
    retried = _refund(status="pending", refund_id="rfnd_2")

    for old, new in [(None, requested), (requested, pending), (pending, failed), (failed, retried)] * 2:
        events.handle_record(ctx, stream_record(new=new, old=old))

    assert kinds(learner.user_id) == ["refund_failed", "refund_issued"]
    issued = next(n for n in told(learner.user_id) if n.kind == "refund_issued")
    assert "₹499.00" in issued.title
    assert "Session cancelled by the mentor" in issued.body


def _withdrawal(status: str, **fields: Any) -> WithdrawalItem:
    return WithdrawalItem(
        "WITHDRAWAL#w1",
        "WITHDRAWAL",
        id="w1",
        mentor_id=fields.pop("mentor_id"),
        amount_paise=100_000,
        status=status,
        requested_at="2027-01-05T10:00:00Z",
        updated_at="2027-01-05T10:00:00Z",
        gsi1pk=f"WITHDRAWALS#{status}",
        gsi1sk="x",
        gsi2pk="x",
        gsi2sk="x",
        **fields,
    )


def test_withdrawals_tell_approved_paid_and_failed_but_not_an_approval_on_the_spot(ctx: Context) -> None:
    mentor = person("mentor").user_id
    steps = [
        (None, _withdrawal("approved", mentor_id=mentor, auto_approved=True)),  # auto: no news
        (_withdrawal("approved", mentor_id=mentor), _withdrawal("processing", mentor_id=mentor)),
        (_withdrawal("processing", mentor_id=mentor), _withdrawal("paid", mentor_id=mentor)),
    ]
    for old, new in steps * 2:
        events.handle_record(ctx, stream_record(new=new, old=old))
    assert kinds(mentor) == ["withdrawal_paid"]

    other = person("mentor").user_id
    for old, new in [
        (_withdrawal("requested", mentor_id=other), _withdrawal("approved", mentor_id=other)),
        (
            _withdrawal("processing", mentor_id=other),
            _withdrawal("failed", mentor_id=other, reason="Account closed"),
        ),
    ]:
        events.handle_record(ctx, stream_record(new=new, old=old))
    assert kinds(other) == ["withdrawal_approved", "withdrawal_failed"]
    failed = next(n for n in told(other) if n.kind == "withdrawal_failed")
    assert "Account closed." in failed.body
    assert "₹1,000.00" in failed.body


# ---------------------------------------------------------------- rooms and reviews
def _peer(session_id: str, learner_id: str, status: str, knocked_at: str | None) -> ParticipantItem:
    return ParticipantItem(
        room_pk(session_id),
        f"PEER#{learner_id}",
        session_id=session_id,
        user_id=learner_id,
        name="Asha Rao",
        room_role="learner",
        status=status,
        knocked_at=knocked_at,
        first_joined_at="2027-01-05T10:00:00Z",
        last_seen_at="2027-01-05T10:00:00Z",
    )


def test_a_learner_knocking_tells_the_mentor_once_per_knock(ctx: Context) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, hours=0.5)
    first = _peer(session_id, learner.user_id, "waiting", "2027-01-05T10:00:00Z")
    seen = _peer(session_id, learner.user_id, "waiting", "2027-01-05T10:00:00Z")
    seen.audio = True  # a presence update while still waiting
    admitted = _peer(session_id, learner.user_id, "admitted", "2027-01-05T10:00:00Z")
    again = _peer(session_id, learner.user_id, "waiting", "2027-01-05T10:05:00Z")

    for old, new in [(None, first), (first, seen), (seen, admitted), (admitted, again)] * 2:
        events.handle_record(ctx, stream_record(new=new, old=old))

    knocks = told(mentor.user_id)
    assert [n.kind for n in knocks] == ["waiting_room", "waiting_room"]
    assert all("Asha Rao" in n.title for n in knocks)
    filters = stream_filters()
    from infra.local.filtering import passes

    assert passes(filters, stream_record(new=again, old=admitted).raw_event)
    assert not passes(filters, stream_record(new=admitted, old=seen).raw_event)


def test_a_review_tells_the_mentor_and_a_reply_tells_the_learner(ctx: Context, moving_clock: Clock) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, hours=1)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream = Stream(ctx)
    moving_clock.advance(hours=3)
    jobs.sweep(ctx)  # started
    stream.flush()
    jobs.sweep(ctx)  # completed, and its bookings with it
    stream.flush()

    feedback.create_review(
        user_id=learner.user_id,
        name=learner.name,
        session_id=session_id,
        request=ReviewCreate(rating=5, text="Superb"),
    )
    stream.flush()
    feedback.reply(
        mentor_id=mentor.user_id,
        session_id=session_id,
        learner_id=learner.user_id,
        request=ReplyCreate(text="Thanks!"),
    )
    stream.flush()
    stream.replay()

    [review] = [n for n in told(mentor.user_id) if n.kind.startswith("review")]
    assert (review.kind, "Superb" in review.body) == ("review_new", True)
    [reply] = [n for n in told(learner.user_id) if n.kind.startswith("review")]
    assert (reply.kind, "Thanks!" in reply.body) == ("review_reply", True)


def test_the_stream_filter_lets_through_what_notices_need_and_not_room_chatter() -> None:
    from infra.local.filtering import passes

    filters = stream_filters()

    def record(event: str, entity: str, **fields: str) -> dict[str, Any]:
        image = {"entity": {"S": entity}, **{k: {"S": v} for k, v in fields.items()}}
        return {"eventName": event, "dynamodb": {"NewImage": image}}

    for entity in ("BOOKING", "SESSION", "PAYMENT", "REFUND", "WITHDRAWAL", "PAYOUT_ACCOUNT", "BROADCAST"):
        assert passes(filters, record("INSERT", entity))
        assert passes(filters, record("MODIFY", entity))
    assert passes(filters, record("MODIFY", "GIFT", status="paid"))
    assert passes(filters, record("INSERT", "ROOM_PEER", status="waiting"))
    assert not passes(filters, record("MODIFY", "ROOM_PEER", status="admitted"))
    assert not passes(filters, record("INSERT", "NOTIFICATION"))
    assert not passes(filters, record("INSERT", "REMIND"))


def test_a_learner_who_cancelled_before_is_still_told_of_a_waitlist_offer(ctx: Context) -> None:
    holder, returning = person(), person()
    session_id = publish(ctx, person("mentor"), hours=72)
    seats.book(booker=returning, session_id=session_id, client=CLIENT)
    cancelling.cancel_by_learner(user_id=returning.user_id, session_id=session_id, cutoff_hours=24)
    seats.book(booker=holder, session_id=session_id, client=CLIENT)
    waitlist.join_waitlist(booker=returning, session_id=session_id)
    stream = Stream(ctx)

    cancelling.cancel_by_learner(user_id=holder.user_id, session_id=session_id, cutoff_hours=24)
    stream.flush()  # the offer overwrites the returning learner's cancelled booking: a MODIFY

    assert [k for k in kinds(returning.user_id) if k.startswith("waitlist")] == ["waitlist_offer"]


def test_one_learners_failing_email_does_not_silence_the_others_and_the_retry_sends_only_theirs(
    ctx: Context, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor, learners = person("mentor"), [person(), person(), person()]
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48, capacity=3)
    for learner in learners:
        seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    real_send = mail.send_notice_email
    failed: list[str] = []

    def first_fails(ctx_: Context, notice: Notice, user: UserItem) -> bool:
        if not failed and notice.kind == "session_moved":
            failed.append(user.email)
            raise RuntimeError("SES is down for this one")
        return real_send(ctx_, notice, user)

    monkeypatch.setattr("peerlearn.notify.mail.send_notice_email", first_fails)
    publishing.update_session(
        ctx,
        mentor_id=mentor.user_id,
        session_id=session_id,
        changes=SessionUpdate(starts_at_local=local_in(72 * 60), timezone="Asia/Kolkata"),
    )
    with pytest.raises(DeliveryFailed):  # the record is retried...
        stream.flush()
    assert all("session_moved" in kinds(learner.user_id) for learner in learners)  # ...but all were told
    stream.replay()  # Lambda's retry

    moved = [e["to"] for e in outbox.emails() if "new time" in e["subject"]]
    assert len(moved) == 3  # each learner once, the one whose email failed too
    assert len(set(moved)) == 3
    assert failed[0] in moved
