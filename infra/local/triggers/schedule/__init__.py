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

Expressions are parsed in `expressions`, the template's schedules read in `schedules`; this module
runs them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.routing import BaseRoute

from infra.local.background import BackgroundLoop
from infra.local.runtime import FunctionError, Runtime, Throttled
from infra.local.triggers import TriggerContext
from infra.local.triggers.schedule.devclock import SWEEP_EVENT, SWEEP_FUNCTION, StackClock
from infra.local.triggers.schedule.devclock import routes as clock_routes
from infra.local.triggers.schedule.schedules import Schedule, find_schedule, load_schedules

log = logging.getLogger(__name__)


# The loop re-reads the wall clock at least this often: a sleep measured on the monotonic clock
# does not advance while the machine is suspended, nor follow a change of the system time.
MAX_NAP_SECONDS = 30.0
# While runs are held, the loop looks this often whether they have been let go.
HELD_NAP_SECONDS = 0.2


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
        self._holds = 0
        self._progress = threading.Condition()
        self._loop = BackgroundLoop("schedules", self._fire_due)
        self.stack_clock = StackClock(runtime, lambda: self.run_now(SWEEP_FUNCTION, SWEEP_EVENT))

    def routes(self) -> list[BaseRoute]:
        if any(s.function == SWEEP_FUNCTION and s.event_name == SWEEP_EVENT for s in self.schedules):
            return clock_routes(self.stack_clock)  # /_dev/clock: move the functions' time forward
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
            while self._in_flight or (self._loop.running and not self._holds and self._due(self.clock.now())):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"scheduled runs still going after {timeout} s")
                self._progress.wait(min(remaining, 0.05))

    # ------------------------------------------------------------------ for tests and tools
    @contextmanager
    def held(self) -> Iterator[None]:
        """No run starts inside the block; each one that fell due meanwhile fires once after it.

        For scripts that write the past through the domain functions (the demo seed): the every-minute
        sweep would otherwise start a session published "two days ago" before its learners book it.
        """
        with self._progress:
            self._holds += 1
        try:
            yield
        finally:
            with self._progress:
                self._holds -= 1

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
            if self._holds:
                return HELD_NAP_SECONDS
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
