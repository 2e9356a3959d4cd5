"""Refunds (policy, cancellations from the stream, admins, webhooks, retries), gifts and the payments job."""

from __future__ import annotations

from typing import Any

import pytest

from peerlearn import clock as clock_
from peerlearn import events, jobs, ledger, reactions, store
from peerlearn.bookings import cancelling, seats
from peerlearn.bookings.states import get_booking
from peerlearn.catalog import lifecycle
from peerlearn.context import Context
from peerlearn.errors import Conflict, Forbidden
from peerlearn.ledger.accounts import GATEWAY_CLEARING, PLATFORM_FEE, mentor_available, mentor_pending
from peerlearn.payments import admin, gateway, gifts, orders, refunds, webhooks
from peerlearn.payments.records import get_payment, refunds_of
from peerlearn.payments.schemas import (
    AdminRefundRequest,
    BookingOrderRequest,
    BookingVerifyRequest,
    GiftRequest,
    GiftVerifyRequest,
)
from peerlearn.store.keys import EVENT_SK, booking_sk, gift_sk, razorpay_event_pk, session_pk
from peerlearn.store.models import BookingItem, GiftItem, RazorpayEventItem
from tests.payments_support import RAZORPAY_ENV, WEBHOOK_SECRET, FakeRazorpay, stream_record, webhook
from tests.unit.sessions_support import CLIENT, Clock, person, publish

PRICE = 49_900
LATER = 4_000_000_000  # epoch seconds (2096): every earning is due by then


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def deliver(ctx: Context, name: str, **entities: dict[str, Any]) -> None:
    body, headers = webhook(name, **entities)
    event_id = headers["x-razorpay-event-id"]
    webhooks.receive(
        raw_body=body, signature=headers["X-Razorpay-Signature"], event_id=event_id, secret=WEBHOOK_SECRET
    )
    events.handle_record(ctx, stream_record(new=RazorpayEventItem.get(razorpay_event_pk(event_id), EVENT_SK)))


def paid_booking(ctx: Context, fake: FakeRazorpay, *, hours: float = 48) -> tuple[seats.Booker, str, str]:
    """A confirmed, paid booking: (learner, session id, payment id)."""
    session_id = publish(ctx, person("mentor"), price_paise=PRICE, hours=hours)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    result = fake.pay(order.order_id)
    request = BookingVerifyRequest(session_id=session_id, **result)
    assert orders.verify_booking(ctx, learner_id=learner.user_id, request=request).status == "confirmed"
    return learner, session_id, result["razorpay_payment_id"]


def cancel_through_the_stream(ctx: Context, session_id: str, learner_id: str, do: Any) -> None:
    before = BookingItem.get(session_pk(session_id), booking_sk(learner_id))
    do()
    after = BookingItem.get(session_pk(session_id), booking_sk(learner_id), consistent_read=True)
    record = stream_record(new=after, old=before)
    events.handle_record(ctx, record)
    events.handle_record(ctx, record)  # redelivered


def refund_ids(fake: FakeRazorpay) -> list[str]:
    return list(fake.refunds)


# ---------------------------------------------------------------- refunds by the policy
def test_a_mentor_cancelling_a_paid_booking_refunds_it_once_and_the_refund_settles_once(
    ctx: Context, fake: FakeRazorpay
) -> None:
    learner, session_id, payment_id = paid_booking(ctx, fake)
    mentor_id = get_payment(payment_id).mentor_id  # type: ignore[union-attr]
    share = get_payment(payment_id).mentor_share_paise  # type: ignore[union-attr]
    assert ledger.balance(mentor_pending(mentor_id)) == share

    cancel_through_the_stream(
        ctx,
        session_id,
        learner.user_id,
        lambda: cancelling.cancel_by_mentor(
            mentor_id=mentor_id, session_id=session_id, learner_id=learner.user_id
        ),
    )

    [refund] = refunds_of(payment_id)
    assert (refund.kind, refund.amount_paise, refund.status) == ("policy", PRICE, "pending")
    assert len(fake.refunds) == 1
    [rfnd] = refund_ids(fake)
    # created, processed twice, created again late: one refund entry, the capture reversed exactly
    deliver(ctx, "refund.created", refund=fake.refunds[rfnd])
    deliver(ctx, "refund.processed", refund=fake.settle_refund(rfnd))
    deliver(ctx, "refund.processed", refund=fake.settle_refund(rfnd))
    deliver(ctx, "refund.created", refund=fake.refunds[rfnd] | {"status": "pending"})

    [refund] = refunds_of(payment_id)
    assert refund.status == "processed"
    assert refund.credit_note_number
    assert refund.credit_note_number.startswith("PLCN/")
    assert ledger.entry(f"refund#{rfnd}") is not None
    assert ledger.balance(GATEWAY_CLEARING) == 0
    assert ledger.balance(PLATFORM_FEE) == 0
    assert ledger.balance(mentor_pending(mentor_id)) == 0
    assert get_payment(payment_id).status == "refunded"  # type: ignore[union-attr]
    # the earning no longer matures
    assert ledger.mature_due(LATER) == 0


def test_a_learner_cancelling_before_the_cut_off_is_refunded_in_full(
    ctx: Context, fake: FakeRazorpay
) -> None:
    learner, session_id, payment_id = paid_booking(ctx, fake)
    cancel_through_the_stream(
        ctx,
        session_id,
        learner.user_id,
        lambda: cancelling.cancel_by_learner(user_id=learner.user_id, session_id=session_id, cutoff_hours=24),
    )
    [refund] = refunds_of(payment_id)
    assert refund.amount_paise == PRICE
    assert refund.reason == "Cancelled by the learner before the cut-off"


def test_a_cancelled_session_refunds_every_paid_booking(ctx: Context, fake: FakeRazorpay) -> None:
    learner, session_id, payment_id = paid_booking(ctx, fake)
    mentor_id = get_payment(payment_id).mentor_id  # type: ignore[union-attr]

    def cancel() -> None:
        # the mentor cancels; the stream's session reaction cancels the bookings
        cancelled = lifecycle.cancel_session(ctx, mentor_id=mentor_id, session_id=session_id)
        reactions.on_session_changed(
            {"status": "scheduled"}, {"status": "cancelled", "id": session_id, "title": cancelled.title}
        )

    cancel_through_the_stream(ctx, session_id, learner.user_id, cancel)
    assert [r.kind for r in refunds_of(payment_id)] == ["policy"]
    assert refunds_of(payment_id)[0].reason == "Session cancelled by the mentor"


def test_cancelling_a_booking_an_admin_already_refunded_in_full_refunds_nothing_more(
    ctx: Context, fake: FakeRazorpay
) -> None:
    learner, session_id, payment_id = paid_booking(ctx, fake)
    mentor_id = get_payment(payment_id).mentor_id  # type: ignore[union-attr]
    admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="Goodwill", request_id="t-20"),
    )

    cancel_through_the_stream(  # the stream's reaction must not fail (it would be retried for ever)
        ctx,
        session_id,
        learner.user_id,
        lambda: cancelling.cancel_by_mentor(
            mentor_id=mentor_id, session_id=session_id, learner_id=learner.user_id
        ),
    )

    assert [r.kind for r in refunds_of(payment_id)] == ["admin"]
    assert len(fake.refunds) == 1


# ---------------------------------------------------------------- admins
def test_admin_refunds_partly_then_the_rest_never_more_and_each_request_once(
    ctx: Context, fake: FakeRazorpay
) -> None:
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    mentor_id = get_payment(payment_id).mentor_id  # type: ignore[union-attr]
    part = AdminRefundRequest(amount_paise=20_000, reason="Audio failed", request_id="ticket-1")

    first = admin.refund(ctx, admin_id="admin1", payment_id=payment_id, request=part)
    again = admin.refund(ctx, admin_id="admin1", payment_id=payment_id, request=part)
    with pytest.raises(Conflict) as too_much:
        admin.refund(
            ctx,
            admin_id="admin1",
            payment_id=payment_id,
            request=AdminRefundRequest(amount_paise=PRICE, reason="All of it", request_id="ticket-2"),
        )
    rest = admin.refund(
        ctx,
        admin_id="admin1",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="The rest", request_id="ticket-3"),
    )

    assert first.refund_key == again.refund_key
    assert too_much.value.code == "refund_too_large"
    assert rest.amount_paise == PRICE - 20_000
    assert len(fake.refunds) == 2
    for rfnd in refund_ids(fake):
        deliver(ctx, "refund.processed", refund=fake.settle_refund(rfnd))
    assert get_payment(payment_id).status == "refunded"  # type: ignore[union-attr]
    assert ledger.balance(GATEWAY_CLEARING) == 0
    assert ledger.balance(mentor_pending(mentor_id)) == 0
    assert ledger.mature_due(LATER) == 0  # nothing left to mature


def test_a_partial_refund_leaves_the_rest_of_the_share_to_mature(ctx: Context, fake: FakeRazorpay) -> None:
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    payment = get_payment(payment_id)
    assert payment is not None
    made = admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(amount_paise=10_000, reason="Late start", request_id="ticket-9"),
    )
    deliver(ctx, "refund.processed", refund=fake.settle_refund(str(made.refund_id)))

    assert ledger.mature_due(LATER) == 1
    pending, available = (
        ledger.balance(mentor_pending(payment.mentor_id)),
        ledger.balance(mentor_available(payment.mentor_id)),
    )
    assert pending == 0
    assert 0 < available < payment.mentor_share_paise


def test_a_refund_after_the_share_matured_comes_out_of_available(ctx: Context, fake: FakeRazorpay) -> None:
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    payment = get_payment(payment_id)
    assert payment is not None
    assert ledger.mature_due(LATER) == 1
    made = admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="Dispute", request_id="t-10"),
    )
    deliver(ctx, "refund.processed", refund=fake.settle_refund(str(made.refund_id)))

    assert ledger.balance(mentor_available(payment.mentor_id)) == 0
    assert ledger.balance(mentor_pending(payment.mentor_id)) == 0


def test_a_refund_of_matured_earnings_already_withdrawn_never_takes_available_below_zero(
    ctx: Context, fake: FakeRazorpay
) -> None:
    # Given the share matured and the mentor withdrew all but 1,000 paise of it
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    payment = get_payment(payment_id)
    assert payment is not None
    mentor_id, share = payment.mentor_id, int(payment.mentor_share_paise)
    assert ledger.mature_due(LATER) == 1
    with store.transaction() as tx:
        withdrawn = ledger.withdrawal_entry(
            "withdrawal#w1", mentor_id=mentor_id, amount_paise=share - 1_000, refs={}
        )
        ledger.post(tx, withdrawn, never_negative=[mentor_available(mentor_id)])

    # When an admin refunds the payment in full
    made = admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="Dispute", request_id="t-11"),
    )
    deliver(ctx, "refund.processed", refund=fake.settle_refund(str(made.refund_id)))

    # Then the learner is refunded, the mentor's 1,000 paise go back, the platform bears the rest
    assert refunds_of(payment_id)[0].status == "processed"
    assert ledger.balance(mentor_available(mentor_id)) == 0
    assert ledger.balance(ledger.REFUND_SHORTFALL) == -(share - 1_000)
    assert ledger.balance(GATEWAY_CLEARING) == 0
    assert ledger.check_books() == []


def test_a_refund_whose_webhook_never_comes_is_settled_by_the_job_asking_razorpay(
    ctx: Context, fake: FakeRazorpay
) -> None:
    # Given a refund Razorpay accepted, then processed, and its webhook lost for good
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    made = admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="Dispute", request_id="t-30"),
    )
    assert made.status == "pending"
    fake.settle_refund(str(made.refund_id))
    now = clock_.now_seconds()

    # When the job runs: too early (the webhook may still come), then an hour later
    assert refunds.check_pending(ctx, now) == 0
    assert refunds.check_pending(ctx, now + refunds.PENDING_CHECK_SECONDS + 1) == 1

    # Then it is settled once, in the books, and no longer checked
    [refund] = refunds_of(payment_id)
    assert refund.status == "processed"
    assert ledger.entry(f"refund#{made.refund_id}") is not None
    assert refunds.check_pending(ctx, now + 2 * refunds.PENDING_CHECK_SECONDS) == 0
    assert ledger.balance(GATEWAY_CLEARING) == 0


# ---------------------------------------------------------------- Razorpay down, refunds failing
def test_a_refund_razorpay_could_not_take_is_retried_by_the_job(ctx: Context, fake: FakeRazorpay) -> None:
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    fake.down = True
    made = admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="Dispute", request_id="t-11"),
    )
    assert made.status == "requested"
    assert [r.refund_key for r in admin.refund_list(due_only=True, limit=10, cursor=None).items] == [
        made.refund_key
    ]

    fake.down = False
    report = jobs.payments(ctx)

    assert report.refunds_sent == 1
    [refund] = refunds_of(payment_id)
    assert refund.status == "pending"
    assert admin.refund_list(due_only=True, limit=10, cursor=None).items == []
    assert len(fake.refunds) == 1


def test_a_failed_refund_is_retried_with_a_new_key_and_an_old_failure_cannot_undo_it(
    ctx: Context, fake: FakeRazorpay
) -> None:
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    made = admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="Dispute", request_id="t-12"),
    )
    first = str(made.refund_id)
    fake.payments[payment_id]["amount_refunded"] = 0  # Razorpay gives a failed refund's money back
    deliver(ctx, "refund.failed", refund=fake.settle_refund(first, "failed"))
    assert refunds_of(payment_id)[0].status == "failed"

    jobs.payments(ctx)
    [retried] = refunds_of(payment_id)
    assert retried.status == "pending"
    assert retried.refund_id != first
    deliver(ctx, "refund.failed", refund=fake.refunds[first])  # the old attempt's failure, redelivered
    assert refunds_of(payment_id)[0].status == "pending"
    deliver(ctx, "refund.processed", refund=fake.settle_refund(str(retried.refund_id)))
    assert refunds_of(payment_id)[0].status == "processed"
    assert ledger.balance(GATEWAY_CLEARING) == 0


# ---------------------------------------------------------------- the job recovers missed webhooks
def test_the_job_recovers_a_capture_whose_webhook_never_came(
    ctx: Context, fake: FakeRazorpay, clock: Clock
) -> None:
    session_id = publish(ctx, person("mentor"), price_paise=PRICE)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    fake.pay(order.order_id)  # the tab closed, the webhook lost

    assert jobs.payments(ctx).payments_recovered == 0  # too young: probably still in Checkout
    clock.advance(minutes=3)
    report = jobs.payments(ctx)
    again = jobs.payments(ctx)

    assert report.payments_recovered == 1
    assert again.orders_checked == 0
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "confirmed"


# ---------------------------------------------------------------- gifts
def live_session_with(ctx: Context, fake: FakeRazorpay, clock: Clock) -> tuple[seats.Booker, str]:
    learner, session_id, _payment = paid_booking(ctx, fake, hours=1)
    clock.advance(minutes=62)
    from peerlearn.catalog.lookup import get_session_item

    lifecycle.start(get_session_item(session_id, consistent=True))
    return learner, session_id


def test_a_confirmed_learner_gifts_during_the_live_session_and_the_mentor_is_credited(
    ctx: Context, fake: FakeRazorpay, clock: Clock
) -> None:
    learner, session_id = live_session_with(ctx, fake, clock)
    order = gifts.create_gift_order(
        ctx,
        learner_id=learner.user_id,
        request=GiftRequest(session_id=session_id, amount_paise=10_000, message="Thanks!"),
    )
    result = fake.pay(order.order_id)
    deliver(ctx, "payment.captured", payment=fake.payments[result["razorpay_payment_id"]])
    answer = gifts.verify_gift(
        ctx, learner_id=learner.user_id, request=GiftVerifyRequest(gift_id=order.reference, **result)
    )

    assert answer.status == "confirmed"
    gift = GiftItem.get(session_pk(session_id), gift_sk(order.reference))
    assert (gift.status, gift.amount_paise, gift.message) == ("paid", 10_000, "Thanks!")
    entry = ledger.entry(f"capture#{result['razorpay_payment_id']}")
    assert entry is not None
    assert entry.kind == "gift_capture"


def test_a_gift_in_a_room_opened_early_carries_the_learners_name_for_the_announcement(
    ctx: Context, fake: FakeRazorpay, clock: Clock
) -> None:
    # Given a learner who booked through the API (the booking carries no name) and a room the
    # mentor opened 20 minutes before the booked start.
    session_id = publish(ctx, person("mentor"), price_paise=PRICE, hours=1)
    learner = person(name="Asha Iyer")
    seats.book(
        booker=seats.Booker(learner.user_id, None, "learner", True), session_id=session_id, client=CLIENT
    )
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    paid = fake.pay(order.order_id)
    orders.verify_booking(
        ctx, learner_id=learner.user_id, request=BookingVerifyRequest(session_id=session_id, **paid)
    )
    clock.advance(minutes=42)
    from peerlearn.catalog.lookup import get_session_item

    lifecycle.start(get_session_item(session_id, consistent=True))

    # When they send a gift before the booked start.
    gift_order = gifts.create_gift_order(
        ctx, learner_id=learner.user_id, request=GiftRequest(session_id=session_id, amount_paise=5_000)
    )

    # Then it is accepted, under the name the room will announce.
    gift = GiftItem.get(session_pk(session_id), gift_sk(gift_order.reference))
    assert gift.learner_name == "Asha Iyer"


def test_nobody_else_gifts_and_not_outside_the_live_window(
    ctx: Context, fake: FakeRazorpay, clock: Clock
) -> None:
    learner, session_id, _payment = paid_booking(ctx, fake, hours=1)
    with pytest.raises(Conflict):  # not live yet
        gifts.create_gift_order(
            ctx, learner_id=learner.user_id, request=GiftRequest(session_id=session_id, amount_paise=5_000)
        )
    clock.advance(minutes=62)
    from peerlearn.catalog.lookup import get_session_item

    lifecycle.start(get_session_item(session_id, consistent=True))
    with pytest.raises(Forbidden):
        gifts.create_gift_order(
            ctx, learner_id=person().user_id, request=GiftRequest(session_id=session_id, amount_paise=5_000)
        )
    with pytest.raises(ValueError, match="greater than or equal to 1000"):
        GiftRequest(session_id=session_id, amount_paise=999)


def test_the_jobs_function_runs_the_payments_job(ctx: Context, fake: FakeRazorpay) -> None:
    from tests.support import LambdaContextStub, load_function

    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    fake.down = True
    admin.refund(
        ctx,
        admin_id="a",
        payment_id=payment_id,
        request=AdminRefundRequest(reason="Dispute", request_id="t-13"),
    )
    fake.down = False

    report = load_function("jobs").lambda_handler({"job": "payments"}, LambdaContextStub())

    assert report["refunds_sent"] == 1
    with pytest.raises(ValueError, match="unknown job"):
        load_function("jobs").lambda_handler({"job": "nope"}, LambdaContextStub())


# ---------------------------------------------------------------- the nightly reconciliation
def test_the_nightly_reconciliation_reports_clean_books_and_logs_each_break(
    ctx: Context, fake: FakeRazorpay, caplog: pytest.LogCaptureFixture
) -> None:
    from peerlearn.store.money import LedgerBalanceItem

    _learner, _session_id, payment_id = paid_booking(ctx, fake)

    clean = jobs.reconcile(ctx)

    assert (clean.ok, clean.breaks) == (True, [])
    assert clean.checked[0] == "books"

    # A total nudged outside any entry (what a bug or a hand edit would do) is found and logged
    mentor_id = get_payment(payment_id).mentor_id  # type: ignore[union-attr]
    [total] = [item for item in LedgerBalanceItem.scan() if item.account == mentor_pending(mentor_id)]
    total.update(actions=[LedgerBalanceItem.balance_paise.add(1), LedgerBalanceItem.credits_paise.add(1)])

    broken = jobs.reconcile(ctx)

    assert not broken.ok
    assert [b.kind for b in broken.breaks] == ["balance_mismatch"]
    errors = [
        r for r in caplog.records if r.levelname == "ERROR" and r.getMessage() == "reconciliation break"
    ]
    assert len(errors) == 1
    kept = admin.latest_reconciliation()  # what the admins' page reads (one GetItem)
    assert (kept.ok, [b.kind for b in kept.breaks]) == (False, ["balance_mismatch"])
    assert kept.ran_at is not None


def test_before_the_first_reconciliation_admins_read_that_none_has_run(ctx: Context) -> None:
    report = admin.latest_reconciliation()

    assert (report.ok, report.ran_at, report.checked) == (False, None, [])


# ---------------------------------------------------------------- crashes between steps
def test_a_crash_after_settling_and_before_numbering_is_finished_by_the_retry(
    ctx: Context, fake: FakeRazorpay, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the invocations die after their transactions, before the document numbers
    real = ledger.document_number

    def died(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("the invocation timed out")

    session_id = publish(ctx, person("mentor"), price_paise=PRICE, hours=48)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    verify = BookingVerifyRequest(session_id=session_id, **fake.pay(order.order_id))
    monkeypatch.setattr(ledger, "document_number", died)
    with pytest.raises(RuntimeError):
        orders.verify_booking(ctx, learner_id=learner.user_id, request=verify)
    payment_id = verify.razorpay_payment_id
    admin.refund(
        ctx,
        admin_id="admin1",
        payment_id=payment_id,
        request=AdminRefundRequest(amount_paise=10_000, reason="Audio failed", request_id="ticket-9"),
    )
    [rfnd] = refund_ids(fake)
    processed = fake.settle_refund(rfnd)
    with pytest.raises(RuntimeError):
        deliver(ctx, "refund.processed", refund=processed)
    monkeypatch.setattr(ledger, "document_number", real)

    # When verify is retried and the webhook redelivered
    orders.verify_booking(ctx, learner_id=learner.user_id, request=verify)
    deliver(ctx, "refund.processed", refund=processed)

    # Then the payment has its receipt number and the refund its credit note, once
    payment = get_payment(payment_id)
    assert payment is not None
    assert payment.receipt_number == real("receipt", payment_id, 0)
    [refund] = refunds_of(payment_id)
    assert refund.status == "processed"
    assert refund.credit_note_number == real("credit_note", refund.refund_key, 0)
    assert ledger.check_books() == []


# ---------------------------------------------------------------- a mentor who didn't come
def test_a_mentor_no_show_refunds_every_paid_seat_in_full_once(
    ctx: Context, fake: FakeRazorpay, clock: Clock
) -> None:
    from peerlearn.payments import noshow

    # Given two paid learners of one session, one of whom an admin already refunded in full
    mentor = person("mentor")
    session_id = publish(ctx, mentor, price_paise=PRICE, hours=2, capacity=4)
    paid = []
    for _ in range(2):
        learner = person()
        seats.book(booker=learner, session_id=session_id, client=CLIENT)
        order = orders.create_booking_order(
            ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
        )
        request = BookingVerifyRequest(session_id=session_id, **fake.pay(order.order_id))
        orders.verify_booking(ctx, learner_id=learner.user_id, request=request)
        paid.append(request.razorpay_payment_id)
    admin.refund(
        ctx,
        admin_id="admin-1",
        payment_id=paid[1],
        request=AdminRefundRequest(reason="Asked by phone", request_id="ticket-1"),
    )

    # When it is too early, it is refused; once the session is under way the mentor is declared absent
    with pytest.raises(Conflict) as early:
        noshow.refund_mentor_no_show(ctx, admin_id="admin-1", session_id=session_id, reason="Never joined")
    assert early.value.code == "session_not_started"
    clock.advance(hours=2, minutes=20)
    first = noshow.refund_mentor_no_show(
        ctx, admin_id="admin-1", session_id=session_id, reason="Never joined"
    )
    again = noshow.refund_mentor_no_show(
        ctx, admin_id="admin-1", session_id=session_id, reason="Never joined"
    )

    # Then the learner not yet refunded gets everything back, once; the mentor's pending share goes
    assert [(r.payment_id, r.amount_paise, r.kind) for r in first.refunds] == [(paid[0], PRICE, "policy")]
    assert [r.refund_key for r in again.refunds] == [r.refund_key for r in first.refunds]
    assert len(fake.refunds) == 2  # the admin's and this one: nothing twice
    assert ledger.balance(mentor_pending(mentor.user_id)) > 0  # until Razorpay says processed
    clock.advance(days=4)
    with pytest.raises(Conflict) as late:
        noshow.refund_mentor_no_show(ctx, admin_id="admin-1", session_id=session_id, reason="Never joined")
    assert late.value.code == "dispute_window_closed"
