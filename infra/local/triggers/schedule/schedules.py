"""The template's schedules: every `Schedule` (EventBridge rule) and `ScheduleV2` (EventBridge
Scheduler) event, with its name, ARN and the event it sends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from infra.local.account import ACCOUNT_ID, REGION, rule_arn, schedule_arn
from infra.local.template import Template
from infra.local.triggers.schedule.expressions import Cron, Rate, parse_expression


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
