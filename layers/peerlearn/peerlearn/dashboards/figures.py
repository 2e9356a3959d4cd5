"""Pure arithmetic of the dashboards over items already read: no storage here, so each figure can be
checked against hand-made data with a known answer."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from peerlearn.dashboards.schemas import MonthRating, MonthSpending, SpendingTotals, TagMinutes
from peerlearn.store.models import BookingItem, PaymentItem, ReviewItem, SessionItem

# The market's calendar, as the earnings by week use it: a payment at 23:30 IST on the 31st belongs
# to that month, not to the next as it would in UTC.
ZONE = ZoneInfo("Asia/Kolkata")


def month_of(iso: str) -> str:
    """ "YYYY-MM" of a UTC ISO instant, in India's calendar."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZONE).strftime("%Y-%m")


def last_months(now: int, months: int) -> list[str]:
    """The last `months` calendar months ending with the current one, oldest first."""
    day = datetime.fromtimestamp(now, tz=UTC).astimezone(ZONE).replace(day=1)
    found: list[str] = []
    for _ in range(months):
        found.append(day.strftime("%Y-%m"))
        day = (day - timedelta(days=1)).replace(day=1)
    return found[::-1]


def months_ago_iso(now: int, months: int) -> str:
    """UTC ISO start of the first of the `last_months(now, months)` (India's midnight)."""
    first = last_months(now, months)[0]
    start = datetime.strptime(f"{first}-01", "%Y-%m-%d").replace(tzinfo=ZONE)
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def net_paid_paise(payment: PaymentItem) -> int:
    """What the learner is out of pocket for one payment: captured less what Razorpay refunded."""
    return int(payment.amount_paise) - int(payment.refunded_paise)


def spending(
    payments: Iterable[PaymentItem], months: list[str]
) -> tuple[list[MonthSpending], SpendingTotals]:
    """Spending per month (every month of `months` present) and in total, sessions vs gifts, net of
    refunds. A refund counts in its payment's month: the chart answers "what did that month's
    learning cost me"."""
    per_month = {m: {"booking": 0, "gift": 0} for m in months}
    totals = {"booking": 0, "gift": 0}
    refunded = 0
    for payment in payments:
        kind = "gift" if payment.purpose == "gift" else "booking"
        net = net_paid_paise(payment)
        refunded += int(payment.refunded_paise)
        month = month_of(payment.captured_at)
        if month in per_month:
            per_month[month][kind] += net
            totals[kind] += net
    rows = [
        MonthSpending(
            month=m,
            sessions_paise=v["booking"],
            gifts_paise=v["gift"],
            total_paise=v["booking"] + v["gift"],
        )
        for m, v in per_month.items()
    ]
    return rows, SpendingTotals(
        sessions_paise=totals["booking"],
        gifts_paise=totals["gift"],
        refunded_paise=refunded,
        total_paise=totals["booking"] + totals["gift"],
    )


def minutes_by_tag(
    bookings: Iterable[BookingItem], sessions: dict[str, SessionItem]
) -> tuple[list[TagMinutes], int, int]:
    """Minutes learned per tag (a session with two tags counts for both), the minutes learned in all
    (each session once) and the sessions attended. Learned = the booking completed (the learner was
    there when the session ended: no-shows and cancellations teach nothing)."""
    minutes: Counter[str] = Counter()
    count: Counter[str] = Counter()
    names: dict[str, str] = {}
    total = attended = 0
    for booking in bookings:
        session = sessions.get(booking.session_id)
        if booking.status != "completed" or session is None:
            continue
        length = int(session.duration_minutes)
        total += length
        attended += 1
        for tag in dict.fromkeys(str(t).strip() for t in session.tags if str(t).strip()):
            key = tag.lower()
            names.setdefault(key, tag)
            minutes[key] += length
            count[key] += 1
    rows = [TagMinutes(tag=names[k], minutes=m, sessions=count[k]) for k, m in minutes.items()]
    rows.sort(key=lambda r: (-r.minutes, r.tag.lower()))
    return rows, total, attended


def ratings_by_month(reviews: Iterable[ReviewItem], months: list[str]) -> list[MonthRating]:
    """The average rating of the reviews written each month (months with none left out: an average
    of nothing is not zero)."""
    sums: dict[str, list[int]] = defaultdict(list)
    for review in reviews:
        month = month_of(review.created_at)
        if month in months:
            sums[month].append(int(review.rating))
    return [
        MonthRating(month=m, average=round(sum(sums[m]) / len(sums[m]), 2), count=len(sums[m]))
        for m in months
        if sums[m]
    ]


def percent(part: int, whole: int) -> int | None:
    """A whole percentage, rounded half up; None when there is nothing to divide."""
    return (part * 200 + whole) // (2 * whole) if whole else None
