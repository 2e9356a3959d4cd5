"""Schedules of the local stack: expressions, next run times, the events sent, and the background loop."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.local.runtime import FunctionError
from infra.local.template import Template
from infra.local.triggers.schedule import Clock, ScheduleTrigger
from infra.local.triggers.schedule.expressions import Cron, Rate, parse_expression
from infra.local.triggers.schedule.schedules import Schedule, find_schedule, load_schedules
from tests.support import wait_until


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def cron(text: str, timezone: str = "UTC") -> Cron:
    expression = parse_expression(text, ZoneInfo(timezone))
    assert isinstance(expression, Cron)
    return expression


# ---------------------------------------------------------------------- rate
@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(15 minutes)", timedelta(minutes=15)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(2 hours)", timedelta(hours=2)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(7 days)", timedelta(days=7)),
    ],
)
def test_a_rate_is_a_period(text: str, period: timedelta) -> None:
    assert parse_expression(text) == Rate(text, period)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("rate(1 minutes)", "rate(1 minute) for one"),
        ("rate(5 minute)", "rate(5 minutes) for more"),
        ("rate(0 minutes)", "positive"),
        ("rate(2 weeks)", "expected rate("),
        ("rate(-1 minute)", "expected rate("),
        ("every 5 minutes", "not a rate(...) or cron(...)"),
        ("at(2026-05-01T10:00:00)", "not run locally"),
    ],
)
def test_a_wrong_rate_is_refused_with_the_reason(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        parse_expression(text)


def test_a_rate_runs_one_period_after_the_start_and_every_period_after() -> None:
    rate = Rate("rate(5 minutes)", timedelta(minutes=5))
    started = utc("2026-05-01T10:00:07")

    assert rate.next_after(started, started) == utc("2026-05-01T10:05:07")
    assert rate.next_after(utc("2026-05-01T10:05:07"), started) == utc("2026-05-01T10:10:07")
    assert rate.next_after(utc("2026-05-01T10:17:00"), started) == utc("2026-05-01T10:20:07")


# ---------------------------------------------------------------------- cron fields
@pytest.mark.parametrize(
    ("text", "field", "values"),
    [
        ("cron(* 0 1 * ? *)", "minutes", tuple(range(60))),
        ("cron(0/15 0 1 * ? *)", "minutes", (0, 15, 30, 45)),
        ("cron(*/20 0 1 * ? *)", "minutes", (0, 20, 40)),
        ("cron(5/25 0 1 * ? *)", "minutes", (5, 30, 55)),
        ("cron(10-30/10 0 1 * ? *)", "minutes", (10, 20, 30)),
        ("cron(55,5,10 0 1 * ? *)", "minutes", (5, 10, 55)),
        ("cron(0 8-11,20 1 * ? *)", "hours", (8, 9, 10, 11, 20)),
        ("cron(0 0 1,15 * ? *)", "days", (1, 15)),
        ("cron(0 0 1 jan,JUL ? *)", "months", (1, 7)),
        ("cron(0 0 1 MAR-MAY ? *)", "months", (3, 4, 5)),
        ("cron(0 0 ? * MON-FRI *)", "weekdays", (2, 3, 4, 5, 6)),
        ("cron(0 0 ? * 1,7 *)", "weekdays", (1, 7)),
        ("cron(0 0 ? * SUN *)", "days", ()),
        ("cron(0 0 1 * ? 2027-2029)", "years", (2027, 2028, 2029)),
    ],
)
def test_cron_fields_take_lists_ranges_steps_and_names(
    text: str, field: str, values: tuple[int, ...]
) -> None:
    assert getattr(cron(text), field) == values


@pytest.mark.parametrize("part", ["L", "6L", "L-2", "15W", "LW"])
def test_last_and_weekday_days_are_refused(part: str) -> None:
    where = f"cron(0 0 {part} * ? *)" if "W" in part or "-" in part else f"cron(0 0 ? * {part} *)"
    with pytest.raises(ValueError, match="L, W and # are not supported locally"):
        parse_expression(where)


def test_the_nth_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="L, W and # are not supported locally"):
        parse_expression("cron(0 10 ? * 6#3 *)")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("cron(0 12 * * ?)", "expected 6 fields"),
        ("cron(0 12 * * * *)", "exactly one of day-of-month and day-of-week must be ?"),
        ("cron(0 12 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?"),
        ("cron(? 12 * * ? *)", "only allowed in day-of-month or day-of-week"),
        ("cron(60 12 * * ? *)", "minutes 60 is outside 0-59"),
        ("cron(0 12 0 * ? *)", "day-of-month 0 is outside 1-31"),
        ("cron(0 12 ? * 8 *)", "day-of-week 8 is outside 1-7"),
        ("cron(0 12 * * ? 2200)", "year 2200 is outside 1970-2199"),
        ("cron(30-10 12 * * ? *)", "runs backwards"),
        ("cron(*/0 12 * * ? *)", "must be at least 1"),
        ("cron(0 12 * FOO ? *)", "not a number or a name"),
        ("cron(0 12 * * ? * )x", "not a rate"),
    ],
)
def test_a_wrong_cron_is_refused_with_the_reason(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        parse_expression(text)


# ---------------------------------------------------------------------- cron times (UTC)
@pytest.mark.parametrize(
    ("text", "after", "expected"),
    [
        ("cron(0/5 * * * ? *)", "2026-05-01T12:03:10", "2026-05-01T12:05:00"),
        ("cron(0/5 * * * ? *)", "2026-05-01T12:05:00", "2026-05-01T12:10:00"),  # strictly after
        ("cron(0/5 * * * ? *)", "2026-05-01T23:59:00", "2026-05-02T00:00:00"),
        ("cron(15 10 * * ? *)", "2026-05-01T10:15:30", "2026-05-02T10:15:00"),
        ("cron(0 9 ? * MON-FRI *)", "2026-05-01T10:00:00", "2026-05-04T09:00:00"),  # Friday -> Monday
        ("cron(0 8 ? * 1 *)", "2026-05-01T10:00:00", "2026-05-03T08:00:00"),  # 1 is Sunday
        ("cron(0 0 1 * ? *)", "2026-01-31T12:00:00", "2026-02-01T00:00:00"),
        ("cron(0 0 31 * ? *)", "2026-04-01T00:00:00", "2026-05-31T00:00:00"),  # April has no 31st
        ("cron(30 23 31 12 ? *)", "2026-12-31T23:30:00", "2027-12-31T23:30:00"),
        ("cron(0 12 29 2 ? *)", "2026-03-01T00:00:00", "2028-02-29T12:00:00"),  # the next leap year
        ("cron(0 6 1 1 ? 2027,2030)", "2027-06-01T00:00:00", "2030-01-01T06:00:00"),
    ],
)
def test_the_next_cron_time_in_utc(text: str, after: str, expected: str) -> None:
    assert cron(text).next_after(utc(after)) == utc(expected)


def test_a_cron_whose_years_are_over_never_runs_again() -> None:
    assert cron("cron(0 0 1 1 ? 2027)").next_after(utc("2027-01-01T00:00:00")) is None
    assert cron("cron(0 0 31 2 ? *)").next_after(utc("2026-01-01T00:00:00")) is None  # no 31 February


@given(
    minutes=st.sets(st.integers(0, 59), min_size=1),
    hours=st.sets(st.integers(0, 23), min_size=1),
    after=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
)
def test_the_next_cron_time_is_the_first_matching_minute(
    minutes: set[int], hours: set[int], after: datetime
) -> None:
    text = f"cron({','.join(map(str, minutes))} {','.join(map(str, hours))} * * ? *)"

    found = cron(text).next_after(after)

    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while not (moment.minute in minutes and moment.hour in hours):
        moment += timedelta(minutes=1)
    assert found == moment


# ---------------------------------------------------------------------- cron times in a time zone
def test_a_cron_runs_at_wall_clock_time_in_its_zone() -> None:
    nightly = cron("cron(30 2 * * ? *)", "Asia/Kolkata")  # 02:30 IST is 21:00 UTC the day before

    assert nightly.next_after(utc("2026-05-01T00:00:00")) == utc("2026-05-01T21:00:00")
    assert nightly.next_after(utc("2026-05-01T21:00:00")) == utc("2026-05-02T21:00:00")


def test_a_time_that_summer_time_skips_does_not_run() -> None:
    # New York moved from 02:00 EST to 03:00 EDT on 8 March 2026: there was no 02:30 that day.
    daily = cron("cron(30 2 * * ? *)", "America/New_York")

    assert daily.next_after(utc("2026-03-07T12:00:00")) == utc("2026-03-09T06:30:00")


def test_a_time_that_winter_time_repeats_runs_once() -> None:
    # New York went from 02:00 EDT back to 01:00 EST on 1 November 2026: 01:30 came twice.
    daily = cron("cron(30 1 * * ? *)", "America/New_York")

    first = daily.next_after(utc("2026-11-01T00:00:00"))

    assert first == utc("2026-11-01T05:30:00")  # 01:30 EDT
    assert daily.next_after(first) == utc("2026-11-02T06:30:00")  # not 01:30 EST the same night


# ---------------------------------------------------------------------- the template's schedules
def template(events: dict[str, Any]) -> Template:
    function = {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "t/", "Handler": "app.h"}}
    function["Properties"]["Events"] = events
    return Template(raw={"Resources": {"TickFunction": function}})


def test_schedules_are_read_with_their_names_arns_and_state() -> None:
    schedules = load_schedules(
        template(
            {
                "Minutely": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}},
                "Named": {
                    "Type": "Schedule",
                    "Properties": {"Schedule": "cron(0 * * * ? *)", "Name": "hourly", "Enabled": False},
                },
                "Nightly": {
                    "Type": "ScheduleV2",
                    "Properties": {
                        "ScheduleExpression": "cron(30 2 * * ? *)",
                        "ScheduleExpressionTimezone": "Asia/Kolkata",
                        "State": "DISABLED",
                    },
                },
                "Sweep": {
                    "Type": "ScheduleV2",
                    "Properties": {"ScheduleExpression": "rate(5 minutes)", "GroupName": "jobs"},
                },
                "Api": {"Type": "Api", "Properties": {"Path": "/x", "Method": "get"}},
            }
        )
    )

    by_event = {s.event_name: s for s in schedules}
    assert sorted(by_event) == ["Minutely", "Named", "Nightly", "Sweep"]
    assert (
        by_event["Minutely"].arn
        == "arn:aws:events:ap-south-1:000000000000:rule/peerlearn-local-TickFunctionMinutely"
    )
    assert (by_event["Minutely"].enabled, by_event["Named"].enabled) == (True, False)
    assert by_event["Named"].arn.endswith(":rule/hourly")
    assert (
        by_event["Nightly"].arn
        == "arn:aws:scheduler:ap-south-1:000000000000:schedule/default/TickFunctionNightly"
    )
    assert by_event["Nightly"].enabled is False
    assert by_event["Nightly"].expression == cron("cron(30 2 * * ? *)", "Asia/Kolkata")
    assert by_event["Sweep"].arn.endswith(":schedule/jobs/TickFunctionSweep")


@pytest.mark.parametrize(
    ("event", "complaint"),
    [
        ({"Type": "Schedule", "Properties": {"Schedule": "rate(1 minutes)"}}, "TickFunction.Tick: rate"),
        ({"Type": "Schedule", "Properties": {}}, "TickFunction.Tick: Schedule is required"),
        (
            {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "cron(0 0 L * ? *)"}},
            "TickFunction.Tick: .*not supported locally",
        ),
        (
            {
                "Type": "ScheduleV2",
                "Properties": {
                    "ScheduleExpression": "rate(1 day)",
                    "ScheduleExpressionTimezone": "Mars/Olympus",
                },
            },
            "unknown ScheduleExpressionTimezone 'Mars/Olympus'",
        ),
        (
            {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)", "Input": "{job: 1}"}},
            "Input is not valid JSON",
        ),
        (
            {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)", "Input": {"job": 1}}},
            "Input must be a JSON string",
        ),
    ],
)
def test_a_schedule_that_cannot_run_names_its_event(event: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        load_schedules(template({"Tick": event}))


def test_a_schedule_is_found_by_function_and_event_name() -> None:
    schedules = load_schedules(
        template(
            {
                "A": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}},
                "B": {"Type": "Schedule", "Properties": {"Schedule": "rate(2 days)"}},
            }
        )
    )

    assert find_schedule(schedules, "TickFunction", "B").event_name == "B"
    with pytest.raises(LookupError, match=r"several schedules \(A, B\)"):
        find_schedule(schedules, "TickFunction")
    with pytest.raises(LookupError, match=r"no schedule TickFunction\.C"):
        find_schedule(schedules, "TickFunction", "C")
    assert find_schedule(schedules[:1], "TickFunction").event_name == "A"


# ---------------------------------------------------------------------- events
def schedule(kind: Literal["Schedule", "ScheduleV2"] = "Schedule", payload: str | None = None) -> Schedule:
    arn = (
        "arn:aws:events:ap-south-1:000000000000:rule/tick"
        if kind == "Schedule"
        else "arn:aws:scheduler:ap-south-1:000000000000:schedule/default/tick"
    )
    every_minute = Rate("rate(1 minute)", timedelta(minutes=1))
    return Schedule("TickFunction", "Tick", kind, every_minute, "tick", arn, payload)


def test_a_rule_sends_eventbridges_scheduled_event() -> None:
    event = schedule().event(utc("2026-05-01T10:05:00.250000"))

    assert event == {
        "version": "0",
        "id": event["id"],
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "2026-05-01T10:05:00Z",
        "region": "ap-south-1",
        "resources": ["arn:aws:events:ap-south-1:000000000000:rule/tick"],
        "detail": {},
    }
    assert uuid.UUID(event["id"])
    assert schedule().event(utc("2026-05-01T10:05:00"))["id"] != event["id"]


def test_a_rule_with_input_sends_exactly_the_input() -> None:
    assert schedule(payload='{"job": "reminders", "limit": 5}').event(utc("2026-05-01T10:05:00")) == {
        "job": "reminders",
        "limit": 5,
    }


def test_a_scheduler_schedule_without_input_sends_schedulers_default_notification() -> None:
    event = schedule("ScheduleV2").event(datetime(2026, 5, 1, 2, 30, tzinfo=ZoneInfo("Asia/Kolkata")))

    assert event["source"] == "aws.scheduler"
    assert event["detail-type"] == "Scheduled Event"
    assert event["detail"] == "{}"  # a string, as Scheduler sends it
    assert event["time"] == "2026-04-30T21:00:00Z"
    assert event["resources"] == ["arn:aws:scheduler:ap-south-1:000000000000:schedule/default/tick"]


def test_a_scheduler_schedules_input_gets_its_context_attributes() -> None:
    payload = (
        '{"arn": "<aws.scheduler.schedule-arn>", "at": "<aws.scheduler.scheduled-time>",'
        ' "run": "<aws.scheduler.execution-id>", "attempt": "<aws.scheduler.attempt-number>"}'
    )

    event = schedule("ScheduleV2", payload).event(utc("2026-05-01T10:05:00"))

    assert event["arn"] == "arn:aws:scheduler:ap-south-1:000000000000:schedule/default/tick"
    assert event["at"] == "2026-05-01T10:05:00Z"
    assert len(event["run"]) == 16
    assert event["attempt"] == "1"


# ---------------------------------------------------------------------- the background loop
class Runtime:
    """A stand-in runtime: records invocations with the clock's time; can fail or hold them."""

    def __init__(self, clock: Clock, fail_first: int = 0) -> None:
        self.clock = clock
        self.fail_first = fail_first
        self.calls: list[tuple[str, Any, datetime]] = []
        self.release = threading.Event()
        self.release.set()
        self._lock = threading.Lock()

    def invoke(self, function: str, event: Any) -> Any:
        with self._lock:
            self.calls.append((function, event, self.clock.now()))
            failing = len(self.calls) <= self.fail_first
        self.release.wait(5)
        if failing:
            raise FunctionError("RuntimeError", "boom")
        return {"ok": True}


@pytest.fixture
def clock() -> Clock:
    return Clock(scale=600)  # a minute passes in 0.1 s


def trigger_with(runtime: Runtime, clock: Clock, *schedules: Schedule) -> ScheduleTrigger:
    return ScheduleTrigger(schedules or [schedule()], runtime, clock)  # type: ignore[arg-type]


def test_the_loop_fires_a_rate_on_time_every_period(clock: Clock) -> None:
    runtime = Runtime(clock)
    trigger = trigger_with(runtime, clock)

    trigger.start()
    try:
        wait_until(lambda: len(runtime.calls) >= 3, what="three runs")
    finally:
        trigger.stop()

    started = trigger.started_at
    assert started is not None
    due = [utc(event["time"].removesuffix("Z")) for _, event, _ in runtime.calls]
    assert due[0] == started + timedelta(minutes=1)
    assert all((at - started) % timedelta(minutes=1) == timedelta(0) for at in due)
    assert due == sorted(set(due))
    # Never early; how late is measured in real seconds by the integration test (a period here is 0.1 s).
    assert all(invoked_at >= at for at, (_, _, invoked_at) in zip(due, runtime.calls, strict=True))


def test_a_failing_run_is_logged_and_the_schedule_goes_on(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = Runtime(clock, fail_first=1)
    trigger = trigger_with(runtime, clock)

    with caplog.at_level(logging.ERROR, logger="infra.local.triggers.schedule"):
        trigger.start()
        try:
            wait_until(lambda: len(runtime.calls) >= 2, what="a run after the failure")
            trigger.await_idle(5)
        finally:
            trigger.stop()

    assert "TickFunction failed on schedule Tick: RuntimeError: boom" in caplog.text


def test_held_runs_wait_for_the_block_to_end_then_fire_once(clock: Clock) -> None:
    runtime = Runtime(clock)
    trigger = trigger_with(runtime, clock)

    trigger.start()
    try:
        with trigger.held():
            # Several periods (0.1 s each) pass inside the block
            until = clock.now() + timedelta(minutes=5)
            wait_until(lambda: clock.now() >= until, what="five minutes on the fast clock")
            trigger.await_idle(1)  # a held run is not waited for
            assert runtime.calls == []
        wait_until(lambda: runtime.calls, what="the held run")
        trigger.await_idle(5)
    finally:
        trigger.stop()

    # The run that fell due fired after the block, once, with the time it was due
    first = runtime.calls[0]
    assert first[2] >= until
    assert utc(first[1]["time"].removesuffix("Z")) < until
    times = [event["time"] for _, event, _ in runtime.calls]
    assert len(times) == len(set(times))


def test_a_disabled_schedule_only_runs_when_asked(clock: Clock) -> None:
    runtime = Runtime(clock)
    disabled = dataclasses.replace(schedule(), enabled=False)
    trigger = trigger_with(runtime, clock, disabled)

    trigger.start()
    try:
        assert trigger.next_fire_times() == {}
        assert trigger.run_now("TickFunction") == {"ok": True}
    finally:
        trigger.stop()

    assert [function for function, _, _ in runtime.calls] == ["TickFunction"]


def test_await_idle_waits_for_a_run_in_progress(clock: Clock) -> None:
    runtime = Runtime(clock)
    runtime.release.clear()
    trigger = trigger_with(runtime, clock)
    trigger.start()
    try:
        wait_until(lambda: runtime.calls, what="a run to begin")

        with pytest.raises(TimeoutError):
            trigger.await_idle(0.05)
        runtime.release.set()
        trigger.await_idle(5)
    finally:
        trigger.stop()


def test_start_and_stop_can_be_repeated(clock: Clock) -> None:
    trigger = trigger_with(Runtime(clock), clock)

    trigger.start()
    first = trigger.next_fire_times()
    trigger.start()
    assert trigger.next_fire_times() == first
    trigger.stop()
    trigger.stop()
