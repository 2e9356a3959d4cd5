"""The mentor's dashboard on hand-made data (moto): earnings equal to the ledger and to the earnings
page, upcoming sessions with holds and waitlists, performance over 90 days, ratings by month and
recent reviews to reply to; and who may call the route."""

from __future__ import annotations

import pytest

from peerlearn import clock, ledger
from peerlearn.context import Context
from peerlearn.dashboards import mentor
from peerlearn.ledger.accounts import mentor_available, mentor_pending, mentor_withdrawn
from peerlearn.payouts import earnings
from peerlearn.store.keys import STATS_SK, user_pk
from peerlearn.store.models import BaseItem, MentorStatsItem
from tests.dashboards_support import MENTOR, NOW, booking, days, payment, review, session, waiting
from tests.payouts_support import seed_available
from tests.support import call, load_function, rest_event

L1, L2, L3, L4, L5 = (f"01JDQ4Z3N0R1C5X8H2P7M9L00{n}" for n in range(1, 6))


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now_seconds", lambda: NOW)


@pytest.fixture
def teaching(ctx: Context, fixed_now: None) -> None:
    # Upcoming: one with a seat left (two confirmed, one paying now), one full with three waiting,
    # one cancelled (not shown).
    open_one = session("U1", days(1), capacity=4, seats_left=1)
    full = session("U2", days(2), capacity=2, seats_left=0, early_join_minutes=5)
    cancelled = session("U3", days(3), status="cancelled")
    booking(open_one, L1, status="confirmed")
    booking(open_one, L2, status="confirmed")
    booking(open_one, L3, status="held", hold_expires_at=NOW + 300)
    booking(full, L1, status="confirmed")
    booking(full, L2, status="confirmed")
    for learner_id in (L3, L4, L5):
        waiting(full, learner_id)
    booking(cancelled, L4, status="cancelled")
    # Performance: two completed sessions in the last 90 days, one older (left out).
    first = session("C1", days(-20), capacity=4, status="completed")
    second = session("C2", days(-10), capacity=2, status="completed")
    old = session("C0", days(-120), capacity=10, status="completed")
    booking(first, L1, status="completed")
    booking(first, L2, status="completed")
    booking(first, L3, status="no_show")
    booking(first, L4, status="cancelled")
    booking(second, L1, status="completed")
    booking(second, L2, status="completed")
    booking(old, L5, status="completed")
    # Money: two captures (one partly refunded) and matured earnings.
    payment("pay_a", first, 50_000, days(-21), learner_id=L1)
    payment("pay_b", second, 80_000, days(-11), learner_id=L2, refunded_paise=30_000)
    seed_available(MENTOR, 20_000)
    # Ratings: the stream-kept totals, and the reviews themselves.
    review(first, L1, 5, "2026-10-10T10:00:00Z")
    review(first, L2, 3, "2026-10-12T10:00:00Z", reply="Thanks, I'll slow down.")
    review(second, L1, 5, "2026-11-20T10:00:00Z")
    MentorStatsItem(
        user_pk(MENTOR), STATS_SK, rating_sum=13, rating_count=3, rating_3=1, rating_5=2, sessions_taught=3
    ).save()


def test_earnings_equal_the_ledger_and_the_earnings_page(teaching: None) -> None:
    board = mentor.mentor_dashboard(MENTOR)
    page = earnings.earnings(MENTOR, min_withdrawal_paise=50_000)

    shares = ledger.split(50_000).mentor_share_paise + ledger.split(80_000).mentor_share_paise
    refunded_share = ledger.prorate(ledger.split(80_000), 30_000).mentor_share_paise
    assert board.earnings.pending_paise == shares - refunded_share == ledger.balance(mentor_pending(MENTOR))
    assert board.earnings.available_paise == 20_000 == ledger.balance(mentor_available(MENTOR))
    assert board.earnings.withdrawn_paise == 0 == ledger.balance(mentor_withdrawn(MENTOR))
    assert (board.earnings.pending_paise, board.earnings.available_paise) == (
        page.pending_paise,
        page.available_paise,
    )
    assert board.earnings.by_week == page.by_week
    # Each share in the week it was paid (net of its refund); the matured seed in this week.
    weeks = {w.week_start: w.earned_paise for w in board.earnings.by_week if w.earned_paise}
    assert weeks == {
        "2026-11-02": ledger.split(50_000).mentor_share_paise,
        "2026-11-09": ledger.split(80_000).mentor_share_paise - refunded_share,
        "2026-11-23": 20_000,
    }


def test_upcoming_sessions_show_bookings_holds_and_waitlists(teaching: None) -> None:
    board = mentor.mentor_dashboard(MENTOR)

    assert [(s.session_id, s.confirmed, s.held, s.waitlisted, s.seats_left) for s in board.upcoming] == [
        ("U1", 2, 1, 0, 1),
        ("U2", 2, 0, 3, 0),
    ]
    assert board.upcoming[1].room_opens_at == days(2 - 5 / 1440)
    assert (board.demand.held, board.demand.waitlisted, board.demand.full_sessions) == (1, 3, 1)


def test_performance_over_the_last_90_days(teaching: None) -> None:
    board = mentor.mentor_dashboard(MENTOR)
    done = board.performance

    assert done.sessions_completed == 2
    assert (done.seats_offered, done.seats_filled) == (6, 5)
    assert done.fill_rate_percent == 83
    assert (done.attended, done.no_shows, done.no_show_rate_percent) == (4, 1, 20)
    assert (done.learners, done.repeat_learners) == (3, 2)


def test_ratings_distribution_average_by_month_and_recent_reviews_to_reply_to(teaching: None) -> None:
    board = mentor.mentor_dashboard(MENTOR)
    ratings = board.ratings

    assert ratings.summary.rating_distribution == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 2}
    assert ratings.summary.rating_average == 4.33
    assert [(m.month, m.average, m.count) for m in ratings.by_month] == [
        ("2026-10", 4.0, 2),
        ("2026-11", 5.0, 1),
    ]
    assert [(r.session_id, r.rating, r.replied) for r in ratings.recent] == [
        ("C2", 5, False),
        ("C1", 3, True),
        ("C1", 5, False),
    ]
    assert ratings.recent[0].reply_href.startswith("/my/sessions")


def test_a_new_mentor_gets_zeros_not_errors(ctx: Context, fixed_now: None) -> None:
    board = mentor.mentor_dashboard(MENTOR)

    assert board.upcoming == board.ratings.recent == board.ratings.by_month == []
    assert board.performance.fill_rate_percent is None
    assert board.performance.no_show_rate_percent is None
    assert board.earnings.pending_paise == board.earnings.available_paise == 0
    assert len(board.earnings.by_week) == 12


def test_the_dashboard_reads_without_a_scan(teaching: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a Scan on a request path")

    monkeypatch.setattr(BaseItem, "scan", classmethod(refuse))
    assert mentor.mentor_dashboard(MENTOR).performance.sessions_completed == 2


def test_only_mentors_get_a_mentor_dashboard(teaching: None) -> None:
    fn = load_function("dashboards")

    def status(role: str) -> int:
        return call(
            fn, rest_event("GET", "/api/mentor/dashboard", identity={"user_id": MENTOR, "role": role})
        ).status

    assert status("mentor") == 200
    assert status("learner") == 403
    assert status("admin") == 403
