"""Each metric's delta from the images the stream carries (pure: no table): bookings, cancellations,
no-shows, completed minutes, money from the ledger's own lines, sign-ups, active users, funnel steps;
India's calendar day; retractions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from peerlearn.analytics.facts import changes, facts_of, india_day
from peerlearn.ledger import capture_entry, refund_entry, split
from peerlearn.ledger.accounts import PLATFORM_FEE


def booking(**fields: Any) -> dict[str, Any]:
    return {
        "entity": "BOOKING",
        "id": "bk1",
        "session_id": "s1",
        "mentor_id": "m1",
        "learner_id": "l1",
        "status": "held",
        "created_at": "2026-11-29T10:00:00Z",
        "session_starts_at": "2026-12-01T13:00:00Z",
        "session_ends_at": "2026-12-01T14:30:00Z",
        **fields,
    }


def deltas(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {fact.id: {**fact.deltas, "day": fact.day} for fact in changes(old, new)}  # type: ignore[dict-item]


def entry_image(entry: Any, at: str) -> dict[str, Any]:
    """A journal entry as the stream shows it (numbers as Decimal)."""
    return {
        "entity": "LEDGER_ENTRY",
        "key": entry.key,
        "kind": entry.kind,
        "at": at,
        "refs": dict(entry.refs),
        "lines": [
            {
                "account": li.account,
                "debit_paise": Decimal(li.debit_paise),
                "credit_paise": Decimal(li.credit_paise),
            }
            for li in entry.lines
        ],
    }


def test_india_day_is_the_calendar_day_in_kolkata_not_utc() -> None:
    assert india_day("2026-11-30T18:29:59Z") == "2026-11-30"
    assert india_day("2026-11-30T18:30:00Z") == "2026-12-01"  # midnight in India
    assert india_day("2026-11-30T18:30:00.123456Z") == "2026-12-01"


def test_a_hold_is_a_funnel_booking_and_confirming_it_is_a_booking_and_a_payment() -> None:
    held = booking()
    confirmed = booking(status="confirmed", confirmed_at="2026-11-29T10:05:00Z")

    assert deltas({}, held) == {"booked#bk1": {"funnel_bookings": 1, "day": "2026-11-29"}}
    assert deltas(held, confirmed) == {
        "confirmed#bk1": {"bookings": 1, "funnel_payments": 1, "day": "2026-11-29"}
    }
    assert deltas(confirmed, confirmed) == {}  # a MODIFY that changes nothing counted adds nothing


def test_cancelling_a_confirmed_seat_counts_a_cancellation_on_its_day_but_an_expired_hold_does_not() -> None:
    confirmed = booking(status="confirmed", confirmed_at="2026-11-29T10:05:00Z")
    cancelled = {**confirmed, "status": "cancelled", "cancelled_at": "2026-11-30T20:00:00Z"}
    expired = booking(status="expired")

    assert deltas(confirmed, cancelled) == {"cancelled#bk1": {"cancellations": 1, "day": "2026-12-01"}}
    assert deltas(booking(), expired) == {}
    assert deltas(booking(), booking(status="cancelled", cancelled_at="2026-11-29T10:01:00Z")) == {}


def test_a_completed_seat_counts_its_minutes_and_attendance_and_a_later_no_show_takes_them_back() -> None:
    confirmed = booking(status="confirmed", confirmed_at="2026-11-29T10:05:00Z")
    completed = {**confirmed, "status": "completed"}
    no_show = {**confirmed, "status": "no_show"}

    assert deltas(confirmed, completed) == {
        "completed#bk1": {"completed_minutes": 90, "funnel_attended": 1, "day": "2026-12-01"}
    }
    assert deltas(completed, no_show) == {
        "no_show#bk1": {"no_shows": 1, "day": "2026-12-01"},
        "completed#bk1~retracted": {"completed_minutes": -90, "funnel_attended": -1, "day": "2026-12-01"},
    }


def test_a_new_booking_put_over_an_old_ones_item_never_takes_back_the_old_ones_history() -> None:
    old = booking(
        status="cancelled", confirmed_at="2026-11-29T10:05:00Z", cancelled_at="2026-11-29T11:00:00Z"
    )
    new = booking(id="bk2", created_at="2026-11-29T12:00:00Z")
    assert deltas(old, new) == {"booked#bk2": {"funnel_bookings": 1, "day": "2026-11-29"}}


def test_money_comes_from_the_ledger_entrys_own_lines() -> None:
    parts = split(49_900)
    capture = capture_entry(
        "capture#pay_1",
        kind="booking_capture",
        payment_id="pay_1",
        amount_paise=49_900,
        mentor_id="m1",
        split=parts,
        refs={"session_id": "s1"},
    )
    gift = capture_entry(
        "capture#pay_2",
        kind="gift_capture",
        payment_id="pay_2",
        amount_paise=10_000,
        mentor_id="m1",
        split=split(10_000),
        refs={"session_id": "s1"},
    )
    refund = refund_entry(
        "refund#rfnd_1",
        refund_id="rfnd_1",
        payment_id="pay_1",
        amount_paise=20_000,
        mentor_id="m1",
        original=parts,
        refs={},
    )
    fee_of = {e.key: e.net_paise().get(PLATFORM_FEE, 0) for e in (capture, gift, refund)}

    [captured] = facts_of(entry_image(capture, "2026-11-29T10:05:00.5Z"))
    [gifted] = facts_of(entry_image(gift, "2026-11-29T10:06:00Z"))
    [refunded] = facts_of(entry_image(refund, "2026-11-29T19:00:00Z"))

    assert captured.deltas == {"gmv_paise": 49_900, "platform_revenue_paise": fee_of["capture#pay_1"]}
    assert (captured.session_id, captured.mentor_id, captured.day) == ("s1", "m1", "2026-11-29")
    assert gifted.deltas == {
        "gmv_paise": 10_000,
        "gifts_paise": 10_000,
        "platform_revenue_paise": fee_of["capture#pay_2"],
    }
    assert refunded.deltas["refunds_paise"] == 20_000
    assert refunded.deltas["platform_revenue_paise"] == fee_of["refund#rfnd_1"] < 0
    assert (refunded.payment_id, refunded.day) == ("pay_1", "2026-11-30")
    assert fee_of["capture#pay_1"] > 0


def test_other_journal_entries_and_other_items_count_nothing() -> None:
    image = {"entity": "LEDGER_ENTRY", "key": "maturity#x", "kind": "maturity", "at": "2026-11-29T10:00:00Z"}
    assert facts_of(image) == []
    assert facts_of({"entity": "SESSION", "id": "s1"}) == []
    assert facts_of({}) == []


def test_a_sign_up_counts_once_and_each_day_a_user_signs_in_they_are_active_once() -> None:
    user = {"entity": "USER", "id": "u1", "created_at": "2026-11-29T10:00:00Z"}
    signed_in = {**user, "last_signed_in_at": "2026-11-29T11:00:00Z"}
    next_day = {**user, "last_signed_in_at": "2026-11-30T20:00:00Z"}

    assert deltas({}, user) == {
        "signup#u1": {"signups": 1, "day": "2026-11-29"},
        "active#2026-11-29#u1": {"active_users": 1, "day": "2026-11-29"},
    }
    assert deltas(user, signed_in) == {}  # active that day already
    # the next day's sign-in is new; the earlier day is never taken back
    assert deltas(signed_in, next_day) == {"active#2026-12-01#u1": {"active_users": 1, "day": "2026-12-01"}}
