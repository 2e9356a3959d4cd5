"""The assistant's tools: read-only look-ups over live data, each with a pydantic input model.

The model's arguments are untrusted text: parsed as JSON, then validated like API input. A tool that
fails (bad arguments, an unknown name, a domain error) returns `{"error": ...}` to the model as the
tool's result, which it can correct or report; the request never fails because of it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from peerlearn.assistant import figures, lookups, periods
from peerlearn.assistant.schemas import (
    DraftEmailInput,
    FindUsersInput,
    MoneyInput,
    RefundsInput,
    SessionsAtRiskInput,
    TopMentorsInput,
)
from peerlearn.errors import DomainError
from peerlearn.shapes import Shape

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    model: type[Shape]
    run: Callable[[Any], dict[str, Any]]

    def spec(self) -> dict[str, Any]:
        """The OpenAI-compatible function declaration Groq receives."""
        schema = self.model.model_json_schema()
        schema.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": schema},
        }


def _days(args: MoneyInput | RefundsInput | TopMentorsInput) -> periods.Days:
    return periods.resolve(args.period, args.from_date, args.to_date)


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "money_between",
            "Money between two dates, as the reports show it (the ledger's entries by day): platform "
            "revenue (fees net of refunds), GMV (what learners paid), gifts, refunds and bookings "
            "confirmed. Dates are India's calendar days; give a period (e.g. last_week) or from_date "
            "and to_date.",
            MoneyInput,
            lambda a: figures.money_between(_days(a)).as_dict(),
        ),
        Tool(
            "refunds_between",
            "Refunds asked for between two dates: count and amount by status, and the newest ones.",
            RefundsInput,
            lambda a: figures.refunds_between(_days(a), a.limit),
        ),
        Tool(
            "top_mentors",
            "Mentors ranked by what learners paid them (revenue) or by bookings confirmed between two dates.",
            TopMentorsInput,
            lambda a: figures.top_mentors(_days(a), by=a.by, limit=a.limit),
        ),
        Tool(
            "find_users",
            "Find users by part of a name or email: id, name, role and a masked email (the whole email "
            "only with reveal_email for a single match).",
            FindUsersInput,
            lambda a: lookups.find_users(query=a.query, role=a.role, reveal_email=a.reveal_email),
        ),
        Tool(
            "sessions_at_risk",
            "Scheduled sessions starting within the next hours that may not happen as planned (no "
            "confirmed learners, unpaid held seats, few seats taken).",
            SessionsAtRiskInput,
            lambda a: lookups.sessions_at_risk(hours=a.hours, limit=a.limit),
        ),
        Tool(
            "draft_bulk_email",
            "Draft (never send) an email to a segment (everyone, learners, mentors) about a topic: the "
            "audience size and a subject and body to review on the Bulk email page.",
            DraftEmailInput,
            lambda a: lookups.draft_email(segment=a.segment, topic=a.topic, subject=a.subject, body=a.body),
        ),
    )
}


def specs() -> list[dict[str, Any]]:
    return [tool.spec() for tool in TOOLS.values()]


@dataclass(frozen=True)
class Outcome:
    arguments: dict[str, Any]
    result: dict[str, Any]
    summary: str


def _error(arguments: dict[str, Any], message: str) -> Outcome:
    return Outcome(arguments, {"error": message}, f"error: {message}")


def run(name: str, raw_arguments: str) -> Outcome:
    """Runs one tool call as the model wrote it; every failure is an Outcome, never an exception."""
    try:
        parsed = json.loads(raw_arguments or "{}")
    except ValueError:
        return _error({"raw": raw_arguments[:200]}, "the arguments are not JSON")
    arguments = parsed if isinstance(parsed, dict) else {"raw": parsed}
    tool = TOOLS.get(name)
    if tool is None:
        return _error(arguments, f"there is no tool {name[:60]!r}; the tools are {', '.join(TOOLS)}")
    try:
        args = tool.model.model_validate(arguments)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()[:3]
        )
        return _error(arguments, f"invalid arguments for {name}: {problems}")
    try:
        result = tool.run(args)
    except DomainError as exc:
        return _error(arguments, exc.message)
    except Exception:  # a tool must not fail the request: the model is told, the log keeps the trace
        logger.exception("assistant tool failed", extra={"tool": name})
        return _error(arguments, f"{name} failed; try again or ask differently")
    return Outcome(
        args.model_dump(mode="json", exclude_none=True), result, str(result.get("summary", "done"))
    )
