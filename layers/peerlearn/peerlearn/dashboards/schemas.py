"""Shapes of the dashboard routes. Money in integer paise, durations in whole minutes, months as
"YYYY-MM" and weeks as their Monday ("YYYY-MM-DD"), both in India's calendar (Asia/Kolkata)."""

from __future__ import annotations

from peerlearn.accounts.schemas import MentorStats
from peerlearn.bookings.schemas import BookingStatus
from peerlearn.payouts.schemas import WeekEarnings
from peerlearn.shapes import Shape


# ---------------------------------------------------------------- the learner's
class UpcomingBooking(Shape):
    booking_id: str
    session_id: str
    title: str
    mentor_id: str
    mentor_name: str
    starts_at: str
    ends_at: str
    status: BookingStatus
    # When the room lets people in (the start less the session's early-join minutes), as the join
    # route decides it: the page opens its Join button then.
    room_opens_at: str
    session_status: str
    hold_expires_at: str | None


class PastBooking(Shape):
    session_id: str
    title: str
    mentor_name: str
    starts_at: str
    status: BookingStatus
    minutes: int
    tags: list[str]
    rating_given: int | None


class TagMinutes(Shape):
    tag: str
    minutes: int
    sessions: int


class MonthSpending(Shape):
    month: str
    sessions_paise: int
    gifts_paise: int
    total_paise: int


class SpendingTotals(Shape):
    sessions_paise: int
    gifts_paise: int
    refunded_paise: int
    total_paise: int


class RatingGiven(Shape):
    session_id: str
    title: str
    mentor_name: str
    rating: int
    text: str | None
    created_at: str


class ReceiptLink(Shape):
    payment_id: str
    description: str
    purpose: str
    amount_paise: int
    refunded_paise: int
    captured_at: str
    receipt_number: str | None
    href: str


class LearnerDashboard(Shape):
    generated_at: str
    months: int  # how far back history, hours and spending reach
    upcoming: list[UpcomingBooking]
    history: list[PastBooking]
    learned_minutes: int
    sessions_attended: int
    minutes_by_tag: list[TagMinutes]
    spending_by_month: list[MonthSpending]
    spending: SpendingTotals
    ratings_given: list[RatingGiven]
    receipts: list[ReceiptLink]


# ---------------------------------------------------------------- the mentor's
class MentorEarnings(Shape):
    pending_paise: int
    available_paise: int
    withdrawn_paise: int
    in_transit_paise: int
    by_week: list[WeekEarnings]


class MentorUpcoming(Shape):
    session_id: str
    title: str
    starts_at: str
    ends_at: str
    room_opens_at: str
    status: str
    capacity: int
    confirmed: int
    held: int  # seats held by learners who are paying now: booking requests in flight
    waitlisted: int
    seats_left: int


class DemandTotals(Shape):
    held: int
    waitlisted: int
    full_sessions: int


class MonthRating(Shape):
    month: str
    average: float
    count: int


class RecentReview(Shape):
    session_id: str
    title: str
    learner_name: str
    rating: int
    text: str | None
    created_at: str
    replied: bool
    reply_href: str


class MentorRatings(Shape):
    summary: MentorStats
    by_month: list[MonthRating]
    recent: list[RecentReview]


class MentorPerformance(Shape):
    days: int
    sessions_completed: int
    seats_offered: int
    seats_filled: int
    fill_rate_percent: int | None
    attended: int
    no_shows: int
    no_show_rate_percent: int | None
    learners: int
    repeat_learners: int


class MentorDashboard(Shape):
    generated_at: str
    earnings: MentorEarnings
    upcoming: list[MentorUpcoming]
    demand: DemandTotals
    ratings: MentorRatings
    performance: MentorPerformance
