"""Schedules on the local stack: fired on demand through `run_schedule`, and on time by the loop."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.local.stack import LocalStack
from infra.local.triggers.schedule import Clock, ScheduleTrigger
from infra.local.triggers.schedule.schedules import find_schedule, load_schedules
from tests.support import stack_for, wait_until

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent / "fixtures"
RULE_ARN = "arn:aws:events:ap-south-1:000000000000:rule/peerlearn-local-TickerFunctionEveryMinute"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    data_dir = tmp_path_factory.mktemp("local")
    with stack_for(
        dynamodb_endpoint,
        data_dir,
        "infra-schedule",
        template_path=FIXTURES / "template.yaml",
        overrides={"TICKER_LOG": str(data_dir / "ticker.jsonl")},
    ) as running:
        yield running


def ticks(stack: LocalStack) -> list[dict[str, Any]]:
    log = Path(stack.env["TICKER_LOG"])
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def schedule_trigger(stack: LocalStack) -> ScheduleTrigger:
    (trigger,) = [t for t in stack.triggers if isinstance(t, ScheduleTrigger)]
    return trigger


def test_a_rate_schedule_fired_now_delivers_the_scheduled_event(stack: LocalStack) -> None:
    before = len(ticks(stack))

    event = stack.run_schedule("TickerFunction", "EveryMinute")

    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == [RULE_ARN]
    assert event["detail"] == {}
    sent_at = datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - sent_at) < timedelta(seconds=10)
    assert [tick["event"] for tick in ticks(stack)[before:]] == [event]  # the function got exactly that


def test_a_scheduler_schedule_fired_now_gets_its_input(stack: LocalStack) -> None:
    event = stack.run_schedule("TickerFunction", "Nightly")

    assert event.keys() == {"job", "due"}
    assert event["job"] == "nightly"
    assert event["due"].endswith("Z")


def test_a_function_with_several_schedules_needs_the_event_name(stack: LocalStack) -> None:
    with pytest.raises(LookupError, match="several schedules"):
        stack.run_schedule("TickerFunction")


def test_the_stack_plans_each_enabled_schedule(stack: LocalStack) -> None:
    trigger = schedule_trigger(stack)
    planned = trigger.next_fire_times()

    assert trigger.started_at is not None
    assert planned["TickerFunction.EveryMinute"] == trigger.started_at + timedelta(minutes=1)
    nightly = planned["TickerFunction.Nightly"]
    assert nightly is not None
    assert (nightly.hour, nightly.minute) == (21, 0)  # 02:30 in Asia/Kolkata
    assert "TickerFunction.Paused" not in planned  # Enabled: false


def test_the_background_loop_fires_a_rate_schedule_on_time(stack: LocalStack) -> None:
    # Given the stack's EveryMinute schedule on a clock 120 times faster (a minute is 0.5 s)
    assert stack.template is not None
    assert stack.runtime is not None
    every_minute = find_schedule(load_schedules(stack.template), "TickerFunction", "EveryMinute")
    clock = Clock(scale=120)
    trigger = ScheduleTrigger([every_minute], stack.runtime, clock)
    stack.runtime.warm("TickerFunction")
    before = len(ticks(stack))

    def two_runs() -> list[dict[str, Any]] | None:
        runs = ticks(stack)[before:]
        return runs[:2] if len(runs) >= 2 else None

    # When it runs for two periods
    trigger.start()
    try:
        assert trigger.started_at is not None
        first = trigger.started_at + timedelta(minutes=1)
        first_due_at = time.time() + clock.seconds_until(first)
        fired = wait_until(two_runs, what="two scheduled runs")
    finally:
        trigger.stop()

    # Then each run was sent one minute apart, and the first one reached the function on time
    assert [tick["event"]["time"] for tick in fired] == [
        f"{at:%Y-%m-%dT%H:%M:%SZ}" for at in (first, first + timedelta(minutes=1))
    ]
    lateness_seconds = fired[0]["received_at"] - first_due_at
    assert -0.05 < lateness_seconds < 0.4  # real seconds: never early, within a period (0.5 s)
