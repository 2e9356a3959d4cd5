"""Schedule expressions: `rate(...)` and `cron(...)` as EventBridge reads them, and when each runs next
(a cron in its time zone, across DST switches). `L`, `W`, `#` and `at(...)` are refused.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo


@dataclass(frozen=True)
class Rate:
    """`rate(5 minutes)`: every period, counted from when the schedule started."""

    text: str
    period: timedelta

    def next_after(self, moment: datetime, started_at: datetime) -> datetime:
        periods = max(1, (moment - started_at) // self.period + 1)
        return started_at + periods * self.period


@dataclass(frozen=True)
class Cron:
    """`cron(0/5 8-17 ? * MON-FRI *)` in a time zone: the values each field allows, ascending."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: tuple[int, ...]  # empty for `?`
    months: tuple[int, ...]
    weekdays: tuple[int, ...]  # 1 = Sunday ... 7 = Saturday; empty for `?`
    years: tuple[int, ...]
    timezone: tzinfo = UTC

    def next_after(self, moment: datetime, started_at: datetime | None = None) -> datetime | None:
        """The first matching minute after `moment` (UTC), or None when the years run out.

        `started_at` is there to match `Rate.next_after`: a cron's times do not depend on it.
        """
        for wall_time in self._wall_times_after(moment.astimezone(self.timezone).replace(tzinfo=None)):
            local = wall_time.replace(tzinfo=self.timezone)  # fold 0: the first of a repeated hour
            if local.astimezone(UTC).astimezone(self.timezone).replace(tzinfo=None) != wall_time:
                continue  # a time the switch to summer time skips
            if local > moment:  # the second pass of a repeated hour is not after the first
                return local.astimezone(UTC)
        return None

    def _wall_times_after(self, start: datetime) -> Iterator[datetime]:
        for year in (y for y in self.years if y >= start.year):
            for month in (m for m in self.months if (year, m) >= (start.year, start.month)):
                for day in range(1, calendar.monthrange(year, month)[1] + 1):
                    if date(year, month, day) < start.date() or not self._day_matches(year, month, day):
                        continue
                    for hour in self.hours:
                        for minute in self.minutes:
                            candidate = datetime(year, month, day, hour, minute)
                            if candidate > start:
                                yield candidate

    def _day_matches(self, year: int, month: int, day: int) -> bool:
        if not self.weekdays:
            return day in self.days
        return date(year, month, day).isoweekday() % 7 + 1 in self.weekdays


@dataclass(frozen=True)
class _CronField:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # the names of low, low + 1, ...


_CRON_FIELDS = (
    _CronField("minutes", 0, 59),
    _CronField("hours", 0, 23),
    _CronField("day-of-month", 1, 31),
    _CronField("month", 1, 12, tuple("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())),
    _CronField("day-of-week", 1, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
    _CronField("year", 1970, 2199),
)
_CRON_PART = re.compile(r"(?:(?P<any>\*)|(?P<first>\w+)(?:-(?P<last>\w+))?)(?:/(?P<step>\d+))?")
_UNSUPPORTED_PART = re.compile(r".*#.*|\d*L|LW|\d+W|L-\d+", re.IGNORECASE)
_RATE_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


def parse_expression(text: str, timezone: tzinfo = UTC) -> Rate | Cron:
    """A `rate(...)` or `cron(...)` schedule expression; ValueError says what is wrong."""
    found = re.fullmatch(r"\s*(\w+)\((.*)\)\s*", text)
    kind, body = (found.group(1), found.group(2).strip()) if found else ("", "")
    if kind == "rate":
        return _parse_rate(text, body)
    if kind == "cron":
        return _parse_cron(text, body, timezone)
    if kind == "at":
        raise ValueError(f"{text}: one-time at() schedules are not run locally")
    raise ValueError(f"{text!r} is not a rate(...) or cron(...) expression")


def _parse_rate(text: str, body: str) -> Rate:
    found = re.fullmatch(r"(\d+)\s+(minute|hour|day)(s?)", body)
    if found is None:
        raise ValueError(f"{text}: expected rate(<number> minute(s)|hour(s)|day(s))")
    value, unit, plural = int(found.group(1)), found.group(2), found.group(3)
    if value < 1:
        raise ValueError(f"{text}: the value must be a positive whole number")
    if (value == 1) == bool(plural):  # AWS refuses `rate(1 minutes)` and `rate(5 minute)`
        raise ValueError(f"{text}: write rate(1 {unit}) for one, rate({value} {unit}s) for more")
    return Rate(text, value * _RATE_UNITS[unit])


def _parse_cron(text: str, body: str, timezone: tzinfo) -> Cron:
    fields = body.split()
    if len(fields) != len(_CRON_FIELDS):
        raise ValueError(
            f"{text}: expected 6 fields (minutes hours day-of-month month day-of-week year),"
            f" got {len(fields)}"
        )
    minutes, hours, days, months, weekdays, years = (
        _parse_cron_field(text, value, spec) for value, spec in zip(fields, _CRON_FIELDS, strict=True)
    )
    if bool(days) == bool(weekdays):
        raise ValueError(f"{text}: exactly one of day-of-month and day-of-week must be ?")
    return Cron(text, minutes, hours, days, months, weekdays, years, timezone)


def _parse_cron_field(text: str, value: str, spec: _CronField) -> tuple[int, ...]:
    """The values a field allows, ascending; none for `?` (the other day field decides)."""
    if value == "?":
        if spec.name not in ("day-of-month", "day-of-week"):
            raise ValueError(f"{text}: ? is only allowed in day-of-month or day-of-week")
        return ()
    allowed: set[int] = set()
    for part in value.split(","):
        if _UNSUPPORTED_PART.fullmatch(part):
            raise ValueError(f"{text}: {spec.name} {part!r}: L, W and # are not supported locally")
        found = _CRON_PART.fullmatch(part)
        if found is None:
            raise ValueError(f"{text}: {spec.name} {part!r} is not *, a value, a range or a step")
        if found.group("any"):
            first, last = spec.low, spec.high
        else:
            first = _cron_value(text, found.group("first"), spec)
            last = _cron_value(text, found.group("last"), spec) if found.group("last") else first
            if found.group("step") and not found.group("last"):
                last = spec.high  # `0/5`: from 0 to the end, every 5
        if first > last:
            raise ValueError(f"{text}: {spec.name} range {part!r} runs backwards")
        step = int(found.group("step") or 1)
        if step < 1:
            raise ValueError(f"{text}: {spec.name} step {part!r} must be at least 1")
        allowed.update(range(first, last + 1, step))
    return tuple(sorted(allowed))


def _cron_value(text: str, token: str, spec: _CronField) -> int:
    if token.isdigit():
        number = int(token)
    elif token.upper() in (name.upper() for name in spec.names):
        number = spec.low + [name.upper() for name in spec.names].index(token.upper())
    else:
        raise ValueError(f"{text}: {spec.name} {token!r} is not a number or a name")
    if not spec.low <= number <= spec.high:
        raise ValueError(f"{text}: {spec.name} {number} is outside {spec.low}-{spec.high}")
    return number
