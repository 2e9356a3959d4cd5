"""A mentor's dashboard: earnings (the ledger's balances and weeks, through the payouts code the
earnings page uses), upcoming sessions with their bookings, holds and waitlists, the ratings
overview (the stream-kept totals, averages by month, recent reviews to reply to) and performance
over the last 90 days (fill rate, no-show rate, repeat learners). Reads: Queries of the mentor's
sessions, reviews and ledger entries, and of each upcoming session's partition (`dashboards.reading`);
a completed session's attendance is on its item (`dashboards.attendance`), so the 90 days' sessions
are one Query, not one per session."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from peerlearn import clock, ledger, timeutil
from peerlearn.dashboards import figures, reading
from peerlearn.dashboards.learner import room_opens_at
from peerlearn.dashboards.schemas import (
    DemandTotals,
    MentorDashboard,
    MentorEarnings,
    MentorPerformance,
    MentorRatings,
    MentorUpcoming,
    RecentReview,
)
from peerlearn.feedback.aggregates import mentor_summary
from peerlearn.ledger.accounts import mentor_available, mentor_pending, mentor_withdrawn
from peerlearn.payouts import earnings
from peerlearn.store.keys import mentor_reviews_pk, mentor_sessions_pk
from peerlearn.store.models import ReviewItem, SessionItem

UPCOMING_SHOWN = 10
PERFORMANCE_DAYS = 90
PERFORMANCE_SESSIONS = 60  # the most recent ones inside the window: one Query each
RATING_MONTHS = 12
RECENT_REVIEWS = 5
LONGEST_SESSION_HOURS = 24  # a live session started this long ago may still be running
ATTENDED = "completed"


def mentor_earnings(mentor_id: str, *, now: int) -> MentorEarnings:
    return MentorEarnings(
        pending_paise=ledger.balance(mentor_pending(mentor_id)),
        available_paise=ledger.balance(mentor_available(mentor_id)),
        withdrawn_paise=ledger.balance(mentor_withdrawn(mentor_id)),
        in_transit_paise=earnings.in_transit_paise(mentor_id),
        by_week=earnings.by_week(mentor_id, now=now),
    )


def upcoming_sessions(mentor_id: str, *, now: int) -> list[MentorUpcoming]:
    """Sessions not yet over (live ones included), soonest first, with who holds and waits."""
    now_iso = timeutil.iso_from_epoch(now)
    since = timeutil.iso_from_epoch(now - LONGEST_SESSION_HOURS * 3600)
    sessions: list[SessionItem] = []
    for session in SessionItem.by_mentor.query(
        mentor_sessions_pk(mentor_id),
        SessionItem.gsi2sk >= since,
        filter_condition=SessionItem.status.is_in("scheduled", "live"),
    ):
        if session.ends_at <= now_iso and session.status != "live":
            continue
        sessions.append(session)
        if len(sessions) == UPCOMING_SHOWN:
            break
    bookings = reading.bookings_of_sessions(s.id for s in sessions)
    waiting = reading.waitlist_sizes(s.id for s in sessions)
    shown: list[MentorUpcoming] = []
    for session in sessions:
        statuses = Counter(b.status for b in bookings[session.id])
        shown.append(
            MentorUpcoming(
                session_id=session.id,
                title=session.title,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                room_opens_at=room_opens_at(session.starts_at, session),
                status=session.status,
                capacity=int(session.capacity),
                confirmed=statuses["confirmed"],
                held=statuses["held"],
                waitlisted=waiting[session.id],
                seats_left=int(session.seats_left),
            )
        )
    return shown


def performance(mentor_id: str, *, now: int) -> MentorPerformance:
    """Over the sessions that completed in the last PERFORMANCE_DAYS: fill rate = seats taken by
    learners who came or didn't (completed + no-show bookings) / seats offered; no-show rate =
    no-shows / those seats; repeat learners = learners with two or more of those seats."""
    since = timeutil.iso_from_epoch(now - PERFORMANCE_DAYS * 86400)
    now_iso = timeutil.iso_from_epoch(now)
    sessions = [
        s
        for s in SessionItem.by_mentor.query(
            mentor_sessions_pk(mentor_id),
            SessionItem.gsi2sk.between(since, now_iso),
            filter_condition=SessionItem.status == "completed",
            scan_index_forward=False,
        )
    ][:PERFORMANCE_SESSIONS]
    offered = attended = no_shows = 0
    learners: Counter[str] = Counter()
    # Sessions completed since the stream keeps their attendance read none of their bookings; older
    # ones are read as before (one Query each).
    unkept = reading.bookings_of_sessions(s.id for s in sessions if not s.attendance_kept)
    for session in sessions:
        offered += int(session.capacity)
        if session.attendance_kept:
            came, missed = set(session.attended_ids or ()), set(session.no_show_ids or ())
        else:
            outcomes = unkept[session.id]
            came = {b.learner_id for b in outcomes if b.status == ATTENDED}
            missed = {b.learner_id for b in outcomes if b.status == "no_show"}
        learners.update(came | missed)
        attended += len(came)
        no_shows += len(missed)
    filled = attended + no_shows
    return MentorPerformance(
        days=PERFORMANCE_DAYS,
        sessions_completed=len(sessions),
        seats_offered=offered,
        seats_filled=filled,
        fill_rate_percent=figures.percent(filled, offered),
        attended=attended,
        no_shows=no_shows,
        no_show_rate_percent=figures.percent(no_shows, filled),
        learners=len(learners),
        repeat_learners=sum(1 for n in learners.values() if n >= 2),
    )


def ratings(mentor_id: str, *, now: int) -> MentorRatings:
    months = figures.last_months(now, RATING_MONTHS)
    since = ReviewItem.gsi2sk >= figures.months_ago_iso(now, RATING_MONTHS)
    # A busy mentor has a review or more a day: the months' averages need only each one's rating and
    # date, so the year is read projected to those; the few shown whole are a Query of their own.
    rated = ReviewItem.by_mentor.query(
        mentor_reviews_pk(mentor_id), since, attributes_to_get=["pk", "sk", "entity", "rating", "created_at"]
    )
    recent = list(
        ReviewItem.by_mentor.query(
            mentor_reviews_pk(mentor_id), since, scan_index_forward=False, limit=RECENT_REVIEWS
        )
    )
    return MentorRatings(
        summary=mentor_summary(mentor_id),
        by_month=figures.ratings_by_month(rated, months),
        recent=[
            RecentReview(
                session_id=r.session_id,
                title=r.session_title,
                learner_name=r.learner_name,
                rating=int(r.rating),
                text=r.text,
                created_at=r.created_at,
                replied=r.reply_text is not None,
                reply_href="/my/sessions?when=past",
            )
            for r in recent
        ],
    )


def mentor_dashboard(mentor_id: str) -> MentorDashboard:
    """The four parts read side by side (each its own Queries): the dashboard takes about the time of
    the slowest part rather than their sum."""
    now = clock.now_seconds()
    with ThreadPoolExecutor(max_workers=4) as pool:
        money = pool.submit(mentor_earnings, mentor_id, now=now)
        coming = pool.submit(upcoming_sessions, mentor_id, now=now)
        rated = pool.submit(ratings, mentor_id, now=now)
        done = pool.submit(performance, mentor_id, now=now)
        upcoming = coming.result()
    return MentorDashboard(
        generated_at=timeutil.iso_from_epoch(now),
        earnings=money.result(),
        upcoming=upcoming,
        demand=DemandTotals(
            held=sum(s.held for s in upcoming),
            waitlisted=sum(s.waitlisted for s in upcoming),
            full_sessions=sum(1 for s in upcoming if s.seats_left == 0),
        ),
        ratings=rated.result(),
        performance=done.result(),
    )
