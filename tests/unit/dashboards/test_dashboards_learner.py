"""The learner's dashboard on hand-made data (moto): what is coming up and when its room opens, the
history, minutes learned by tag, spending by month in India's calendar (equal to the ledger), the
ratings given and the receipts; and who may call the route."""

from __future__ import annotations

from types import ModuleType

import pytest

from peerlearn import clock
from peerlearn.context import Context
from peerlearn.dashboards import learner
from peerlearn.dashboards.schemas import LearnerDashboard
from peerlearn.ledger.accounts import GATEWAY_CLEARING
from peerlearn.ledger.journal import from_item
from peerlearn.store.models import BaseItem, LedgerEntryItem
from tests.dashboards_support import LEARNER, MENTOR, NOW, booking, days, payment, review, session
from tests.support import call, load_function, rest_event


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now_seconds", lambda: NOW)


@pytest.fixture
def activity(ctx: Context, fixed_now: None) -> None:
    """Two sessions attended, one missed, two seats coming up, one lapsed hold; three payments."""
    python_sql = session("S1", "2026-10-05T04:30:00Z", minutes=60, tags=("Python", "SQL"), status="completed")
    python = session("S2", "2026-11-10T12:00:00Z", minutes=90, tags=("Python",), status="completed")
    design = session("S3", "2026-11-12T12:00:00Z", minutes=45, tags=("Design",), status="completed")
    soon = session("S4", days(2), early_join_minutes=15)
    lapsed = session("S5", days(3))
    paying = session("S6", days(4))
    booking(python_sql, status="completed")
    booking(python, status="completed")
    booking(design, status="no_show")
    booking(soon, status="confirmed")
    booking(lapsed, status="held", hold_expires_at=NOW - 60)
    booking(paying, status="held", hold_expires_at=NOW + 300)
    # 20:00 UTC on 4 October is 01:30 on the 5th in India: October either way.
    payment("pay_1", python_sql, 50_000, "2026-10-04T20:00:00Z")
    # 19:00 UTC on 31 October is 00:30 on 1 November in India: November's.
    payment("pay_2", python_sql, 10_000, "2026-10-31T19:00:00Z", purpose="gift")
    payment("pay_3", python, 80_000, "2026-11-09T08:00:00Z", refunded_paise=30_000)
    review(python_sql, LEARNER, 5, "2026-10-06T10:00:00Z")


def test_upcoming_bookings_carry_when_the_room_opens_and_lapsed_holds_are_left_out(activity: None) -> None:
    board = learner.learner_dashboard(LEARNER)

    assert [(b.session_id, b.status) for b in board.upcoming] == [("S4", "confirmed"), ("S6", "held")]
    soon = board.upcoming[0]
    assert soon.starts_at == days(2)
    assert soon.room_opens_at == days(2 - 15 / 1440)  # the session's 15 early-join minutes
    assert board.upcoming[1].hold_expires_at is not None


def test_history_and_minutes_learned_count_only_attended_sessions(activity: None) -> None:
    board = learner.learner_dashboard(LEARNER)

    assert [(h.session_id, h.status, h.rating_given) for h in board.history] == [
        ("S3", "no_show", None),
        ("S2", "completed", None),
        ("S1", "completed", 5),
    ]
    assert board.learned_minutes == 150
    assert board.sessions_attended == 2
    assert [(t.tag, t.minutes, t.sessions) for t in board.minutes_by_tag] == [
        ("Python", 150, 2),
        ("SQL", 60, 1),
    ]


def test_spending_by_month_splits_sessions_from_gifts_in_india_time_net_of_refunds(activity: None) -> None:
    board = learner.learner_dashboard(LEARNER)

    months = {m.month: m for m in board.spending_by_month}
    assert len(board.spending_by_month) == 12
    assert board.spending_by_month[-1].month == "2026-11"
    assert (months["2026-10"].sessions_paise, months["2026-10"].gifts_paise) == (50_000, 0)
    assert (months["2026-11"].sessions_paise, months["2026-11"].gifts_paise) == (50_000, 10_000)
    assert months["2026-09"].total_paise == 0
    assert board.spending.sessions_paise == 100_000
    assert board.spending.gifts_paise == 10_000
    assert board.spending.refunded_paise == 30_000
    assert board.spending.total_paise == sum(m.total_paise for m in board.spending_by_month) == 110_000


def test_spending_equals_what_the_ledger_took_through_the_gateway(activity: None) -> None:
    board = learner.learner_dashboard(LEARNER)

    # Every capture debits gateway clearing and every refund credits it: the learner's net outlay.
    mine = {r.payment_id for r in board.receipts}
    entries = [from_item(item) for item in LedgerEntryItem.scan()]  # a test may scan; the route doesn't
    ledger_paise = -sum(
        e.net_paise().get(GATEWAY_CLEARING, 0) for e in entries if e.refs.get("payment_id") in mine
    )
    assert board.spending.total_paise == ledger_paise


def test_ratings_given_and_receipts_newest_first_with_links(activity: None) -> None:
    board = learner.learner_dashboard(LEARNER)

    assert [(r.session_id, r.rating, r.mentor_name) for r in board.ratings_given] == [("S1", 5, "Meera Nair")]
    assert [(r.payment_id, r.purpose) for r in board.receipts] == [
        ("pay_3", "booking"),
        ("pay_2", "gift"),
        ("pay_1", "booking"),
    ]
    assert board.receipts[0].href == "/my/payments/pay_3/receipt"
    assert board.receipts[0].refunded_paise == 30_000


def test_a_newcomer_gets_an_empty_dashboard_with_every_month_at_zero(ctx: Context, fixed_now: None) -> None:
    board = learner.learner_dashboard(LEARNER)

    assert board.upcoming == board.history == board.receipts == board.minutes_by_tag == []
    assert [m.total_paise for m in board.spending_by_month] == [0] * 12
    assert board.learned_minutes == 0


def test_the_dashboard_reads_without_a_scan(activity: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a Scan on a request path")

    monkeypatch.setattr(BaseItem, "scan", classmethod(refuse))
    assert learner.learner_dashboard(LEARNER).sessions_attended == 2


def test_the_route_answers_learners_and_refuses_admins(activity: None) -> None:
    fn: ModuleType = load_function("dashboards")

    mine = call(fn, rest_event("GET", "/api/me/dashboard", identity={"user_id": LEARNER, "role": "learner"}))
    admin = call(fn, rest_event("GET", "/api/me/dashboard", identity={"user_id": MENTOR, "role": "admin"}))
    nobody = call(fn, rest_event("GET", "/api/me/dashboard"))

    assert mine.status == 200
    assert LearnerDashboard.model_validate(mine.body).spending.total_paise == 110_000
    assert admin.status == 403
    assert admin.body["error"]["code"]
    assert nobody.status == 401
