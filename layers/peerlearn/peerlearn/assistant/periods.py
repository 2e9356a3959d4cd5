"""Dates the assistant's tools work in: India's calendar days (Asia/Kolkata), turned into the UTC
ISO bounds the table's sort keys use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peerlearn import clock, timeutil

INDIA = ZoneInfo("Asia/Kolkata")


def today() -> date:
    return datetime.fromtimestamp(clock.now_seconds(), tz=INDIA).date()


@dataclass(frozen=True)
class Days:
    """India's calendar days `first`..`last`, both included."""

    first: date
    last: date

    @property
    def start_iso(self) -> str:
        """UTC ISO of the first day's midnight in India."""
        return timeutil.to_iso(datetime.combine(self.first, time(), tzinfo=INDIA).astimezone(UTC))

    @property
    def end_iso(self) -> str:
        """UTC ISO of the midnight after the last day: the bound is exclusive."""
        after = self.last + timedelta(days=1)
        return timeutil.to_iso(datetime.combine(after, time(), tzinfo=INDIA).astimezone(UTC))

    def as_dict(self) -> dict[str, str]:
        return {"from_date": self.first.isoformat(), "to_date": self.last.isoformat()}


def named(period: str, on: date | None = None) -> Days:
    """A named period as of `on` (today in India). Weeks run Monday to Sunday."""
    day = on or today()
    monday = day - timedelta(days=day.weekday())
    first_of_month = day.replace(day=1)
    if period == "today":
        return Days(day, day)
    if period == "yesterday":
        return Days(day - timedelta(days=1), day - timedelta(days=1))
    if period == "this_week":
        return Days(monday, day)
    if period == "last_week":
        return Days(monday - timedelta(days=7), monday - timedelta(days=1))
    if period == "this_month":
        return Days(first_of_month, day)
    if period == "last_month":
        last = first_of_month - timedelta(days=1)
        return Days(last.replace(day=1), last)
    if period == "last_7_days":
        return Days(day - timedelta(days=6), day)
    if period == "last_30_days":
        return Days(day - timedelta(days=29), day)
    raise ValueError(f"unknown period {period!r}")


def resolve(period: str | None, from_date: date | None, to_date: date | None) -> Days:
    """Explicit dates win over a period (the input model has checked one of them is given)."""
    if from_date is not None and to_date is not None:
        return Days(from_date, to_date)
    assert period is not None
    return named(period)
