"""Report shapes: what the admins' reports and today's figures return."""

from __future__ import annotations

from peerlearn.shapes import Shape


class ReportRow(Shape):
    key: str  # the day, the week's Monday, the month (YYYY-MM), or the tag/mentor/language
    values: dict[str, int]


class TermCount(Shape):
    term: str
    searches: int


class ReportOut(Shape):
    metrics: list[str]
    dimension: str
    from_date: str
    to_date: str
    rows: list[ReportRow]
    # Over the whole range from the `all` rollups: a session with two tags is in two tag rows, so
    # rows of tags may add up to more than the platform's figure; the totals never do.
    totals: dict[str, int]
    zero_result_terms: list[TermCount] = []
    # By mentor: each row's mentor id -> the mentor's name (the key stays the id, which never changes).
    labels: dict[str, str] = {}


class TodayOut(Shape):
    day: str  # India's calendar day
    bookings: int
    active_users: int
    gmv_paise: int
    platform_revenue_paise: int
