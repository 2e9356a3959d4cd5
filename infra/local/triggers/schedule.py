"""Schedules for every `Type: Schedule` (an EventBridge rule) and `Type: ScheduleV2` (EventBridge
Scheduler) event of the template: one background thread fires each at its wall-clock times and
invokes the function asynchronously, with the event the cloud would send.

- `rate(N minute|minutes|hour|hours|day|days)`: the first run is one period after the stack starts,
  then every period, as in the cloud. `cron(minutes hours day-of-month month day-of-week year)` takes
  `*`, `?`, lists, ranges and `/` steps, with day-of-week 1-7 = SUN-SAT; `L`, `W`, `#` and `at(...)`
  are refused at start with an error naming the event. Rules run in UTC; a ScheduleV2 cron runs in
  its `ScheduleExpressionTimezone`, skipping a time that DST removes and running a repeated one once.
- A rule sends EventBridge's "Scheduled Event", or exactly its `Input` JSON when set. A ScheduleV2
  sends its `Input` (with `<aws.scheduler.*>` context attributes filled in) or else Scheduler's
  default notification: the same envelope with `"source": "aws.scheduler"` and `"detail": "{}"` (a
  string, as Scheduler sends it).
- A failed invocation is logged with the function's name and not retried (Lambda would retry an
  asynchronous invocation twice). A wake-up missed by more than a period (a suspended laptop) fires
  once, not once per missed period. `FlexibleTimeWindow`, `StartDate`/`EndDate`, retry policies
  and dead-letter queues are not applied locally.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.routing import BaseRoute

from infra.local.account import ACCOUNT_ID, REGION, rule_arn, schedule_arn
from infra.local.background import BackgroundLoop
from infra.local.runtime import FunctionError, Runtime, Throttled
from infra.local.template import Template
from infra.local.triggers import TriggerContext

log = logging.getLogger(__name__)

# The loop re-reads the wall clock at least this often: a sleep measured on the monotonic clock
# does not advance while the machine is suspended, nor follow a change of the system time.
MAX_NAP_SECONDS = 30.0


# ---------------------------------------------------------------------- expressions
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


# ---------------------------------------------------------------------- the template's schedules
@dataclass(frozen=True)
class Schedule:
    """One `Schedule` or `ScheduleV2` event: which function runs when, and with what event."""

    function: str
    event_name: str
    kind: Literal["Schedule", "ScheduleV2"]
    expression: Rate | Cron
    name: str  # the rule's or the schedule's name
    arn: str
    input: str | None = None  # JSON text, sent instead of the default event
    enabled: bool = True

    @property
    def key(self) -> str:
        return f"{self.function}.{self.event_name}"

    def event(self, scheduled_at: datetime) -> Any:
        """What the cloud hands the function for the run due at `scheduled_at`."""
        time_text = scheduled_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.input is not None:
            payload = (
                self.input if self.kind == "Schedule" else _with_context(self.input, self.arn, time_text)
            )
            return json.loads(payload)
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events" if self.kind == "Schedule" else "aws.scheduler",
            "account": ACCOUNT_ID,
            "time": time_text,
            "region": REGION,
            "resources": [self.arn],
            "detail": {} if self.kind == "Schedule" else "{}",
        }


def _with_context(payload: str, arn: str, time_text: str) -> str:
    """Scheduler's context attributes, filled into a target's Input."""
    return (
        payload.replace("<aws.scheduler.schedule-arn>", arn)
        .replace("<aws.scheduler.scheduled-time>", time_text)
        .replace("<aws.scheduler.execution-id>", uuid.uuid4().hex[:16])
        .replace("<aws.scheduler.attempt-number>", "1")
    )


def load_schedules(template: Template) -> list[Schedule]:
    """Every schedule of the template; ValueError names the event that cannot run locally."""
    stack_name = str(template.resolve({"Ref": "AWS::StackName"}))
    schedules = []
    for kind in ("Schedule", "ScheduleV2"):
        for spec, event_name, props in template.events_of_type(kind):
            try:
                if kind == "Schedule":
                    schedules.append(_rule(spec.logical_id, event_name, props, stack_name))
                else:
                    schedules.append(_scheduler_schedule(spec.logical_id, event_name, props))
            except (KeyError, ValueError) as exc:
                message = f"{exc.args[0]} is required" if isinstance(exc, KeyError) else str(exc)
                raise ValueError(f"{spec.logical_id}.{event_name}: {message}") from None
    return schedules


def _rule(function: str, event_name: str, props: dict[str, Any], stack_name: str) -> Schedule:
    # CloudFormation names an unnamed rule <stack>-<logical id>-<random suffix>; locally no suffix.
    name = str(props.get("Name") or f"{stack_name}-{function}{event_name}")
    return Schedule(
        function=function,
        event_name=event_name,
        kind="Schedule",
        expression=parse_expression(str(props["Schedule"])),
        name=name,
        arn=rule_arn(name),
        input=_input(props),
        enabled=str(props.get("Enabled", True)).lower() != "false"
        and str(props.get("State", "ENABLED")).upper() != "DISABLED",
    )


def _scheduler_schedule(function: str, event_name: str, props: dict[str, Any]) -> Schedule:
    zone_name = str(props.get("ScheduleExpressionTimezone", "UTC"))
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown ScheduleExpressionTimezone {zone_name!r}") from None
    name = str(props.get("Name") or f"{function}{event_name}")  # SAM's default schedule name
    group = str(props.get("GroupName", "default"))
    return Schedule(
        function=function,
        event_name=event_name,
        kind="ScheduleV2",
        expression=parse_expression(str(props["ScheduleExpression"]), zone),
        name=name,
        arn=schedule_arn(group, name),
        input=_input(props),
        enabled=str(props.get("State", "ENABLED")).upper() != "DISABLED",
    )


def _input(props: dict[str, Any]) -> str | None:
    if "Input" not in props:
        return None
    payload = props["Input"]
    if not isinstance(payload, str):
        raise ValueError('Input must be a JSON string (e.g. Input: \'{"job": "reminders"}\')')
    try:
        json.loads(_with_context(payload, "arn", "time"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"Input is not valid JSON: {exc}") from None
    return payload


def find_schedule(schedules: Sequence[Schedule], function: str, event_name: str | None = None) -> Schedule:
    """The schedule `function.event_name`; the event name may be left out when there is one."""
    mine = [s for s in schedules if s.function == function]
    if event_name is not None:
        mine = [s for s in mine if s.event_name == event_name]
    if len(mine) == 1:
        return mine[0]
    known = ", ".join(s.key for s in schedules) or "none"
    if not mine:
        wanted = function if event_name is None else f"{function}.{event_name}"
        raise LookupError(f"no schedule {wanted} in the template (schedules: {known})")
    names = ", ".join(s.event_name for s in mine)
    raise LookupError(f"{function} has several schedules ({names}): name one")


# ---------------------------------------------------------------------- running them
class Clock:
    """UTC wall-clock time. `scale` > 1 runs it that many times faster from its creation (tests)."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._origin = datetime.now(UTC)
        self._origin_monotonic = time.monotonic()

    def now(self) -> datetime:
        if self.scale == 1.0:
            return datetime.now(UTC)
        elapsed = (time.monotonic() - self._origin_monotonic) * self.scale
        return self._origin + timedelta(seconds=elapsed)

    def seconds_until(self, moment: datetime) -> float:
        """Real seconds until the clock shows `moment`."""
        return max(0.0, (moment - self.now()).total_seconds() / self.scale)


class ScheduleTrigger:
    """Fires the template's enabled schedules on one background thread."""

    name = "schedule"

    def __init__(self, schedules: Sequence[Schedule], runtime: Runtime, clock: Clock | None = None) -> None:
        self.schedules = list(schedules)
        self.runtime = runtime
        self.clock = clock or Clock()
        self.started_at: datetime | None = None
        self._next: dict[str, datetime | None] = {}
        self._in_flight = 0
        self._progress = threading.Condition()
        self._loop = BackgroundLoop("schedules", self._fire_due)

    def routes(self) -> list[BaseRoute]:
        return []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._loop.running:
            return
        started_at = self.clock.now().replace(microsecond=0)
        with self._progress:
            self.started_at = started_at
            self._next = {
                s.key: s.expression.next_after(started_at, started_at) for s in self.schedules if s.enabled
            }
        self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._loop.stop(timeout)
        try:  # let running invocations finish before the runtime closes
            self.await_idle(timeout)
        except TimeoutError:
            log.warning("stopping with scheduled runs still going after %s s", timeout)

    def await_idle(self, timeout: float) -> None:
        """Blocks until no run is due and every fired run has returned."""
        deadline = time.monotonic() + timeout
        with self._progress:
            while self._in_flight or (self._loop.running and self._due(self.clock.now())):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"scheduled runs still going after {timeout} s")
                self._progress.wait(min(remaining, 0.05))

    # ------------------------------------------------------------------ for tests and tools
    def next_fire_times(self) -> dict[str, datetime | None]:
        """When each enabled schedule runs next (UTC), by `Function.Event`."""
        with self._progress:
            return dict(self._next)

    def run_now(self, function: str, event_name: str | None = None) -> Any:
        """Runs one schedule of `function` now, synchronously, with the event it would get."""
        schedule = find_schedule(self.schedules, function, event_name)
        return self.runtime.invoke(schedule.function, schedule.event(self.clock.now()))

    # ------------------------------------------------------------------ the loop
    def _due(self, now: datetime) -> list[tuple[Schedule, datetime]]:
        """The schedules whose next run has come, with the time it was due."""
        return [(s, at) for s in self.schedules if (at := self._next.get(s.key)) is not None and at <= now]

    def _fire_due(self) -> float | None:
        """Starts every run that is due; the pause until the next one (None: none is planned)."""
        now = self.clock.now()
        with self._progress:
            due = self._due(now)
            for schedule, _ in due:
                self._next[schedule.key] = schedule.expression.next_after(now, self.started_at or now)
            self._in_flight += len(due)
            upcoming = [at for at in self._next.values() if at is not None]
        for schedule, scheduled_at in due:
            # Asynchronous, as EventBridge invokes: a slow run does not hold up the others.
            threading.Thread(
                target=self._deliver,
                args=(schedule, scheduled_at),
                name=f"schedule-{schedule.key}",
                daemon=True,
            ).start()
        return min(self.clock.seconds_until(min(upcoming)), MAX_NAP_SECONDS) if upcoming else None

    def _deliver(self, schedule: Schedule, scheduled_at: datetime) -> None:
        try:
            self.runtime.invoke(schedule.function, schedule.event(scheduled_at))
        except FunctionError as exc:  # its traceback is in the function's own output
            log.error(
                "%s failed on schedule %s: %s: %s",
                schedule.function,
                schedule.event_name,
                exc.error_type,
                exc,
            )
        except Throttled:
            log.error(
                "%s: schedule %s throttled: every environment is busy", schedule.function, schedule.event_name
            )
        except Exception:
            log.exception("%s: schedule %s could not be delivered", schedule.function, schedule.event_name)
        finally:
            with self._progress:
                self._in_flight -= 1
                self._progress.notify_all()


def create(context: TriggerContext) -> ScheduleTrigger | None:
    schedules = load_schedules(context.template)
    return ScheduleTrigger(schedules, context.runtime) if schedules else None
