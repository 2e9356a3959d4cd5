"""What the Groq stand-in says: tools picked deterministically from keywords of the last user
message, and, once their results are in the conversation, an answer that quotes their summaries.

It is no language model: a fixed rule set good enough to drive the real loop (tool call -> execution
-> answer) with the real `groq` SDK locally and in tests, without a key or a network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

INDIA = ZoneInfo("Asia/Kolkata")

REFUSAL = "I can't do that: I only read figures and draft emails. Please use the admin site for any change."
HELP = (
    "I can tell you revenue, GMV and refunds between dates, find a user, list top mentors, spot "
    "sessions at risk of a no-show and draft a bulk email. What would you like to know?"
)
_ACT = re.compile(
    r"^\s*(?:(?:please|can you|could you|would you)\s+)*"
    r"(?:delete|remove|ban|unban|block|suspend|deactivate|send|refund|cancel|approve|reject|pay|promote|demote)\b"
)
_DATE = r"(\d{4}-\d{2}-\d{2})"


@dataclass
class Turn:
    """Either text or tool calls (name, arguments) for the model's next message."""

    text: str | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def today_from(messages: list[dict[str, Any]]) -> date:
    """Today as the system prompt states it ("Today is 2026-11-30"), else India's date by this clock."""
    for message in messages:
        if message.get("role") == "system":
            found = re.search(r"Today is (\d{4}-\d{2}-\d{2})", str(message.get("content") or ""))
            if found:
                return date.fromisoformat(found.group(1))
    return datetime.now(INDIA).date()


def _when(text: str, today: date, default: str) -> dict[str, Any]:
    """from/to dates for a phrase ("last week" -> last Monday..Sunday in India), or as written."""
    explicit = re.search(rf"{_DATE}\D+{_DATE}", text)
    if explicit:  # passed as written: the tool validates them (a bad date is the tool's to refuse)
        return {"from_date": explicit.group(1), "to_date": explicit.group(2)}
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    spans = {
        "last week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this week": (monday, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "today": (today, today),
        "last month": ((first - timedelta(days=1)).replace(day=1), first - timedelta(days=1)),
        "this month": (first, today),
    }
    days = re.search(r"last (\d{1,3}) days", text)
    if days:
        span = (today - timedelta(days=int(days.group(1)) - 1), today)
    else:
        span = (
            next((s for phrase, s in spans.items() if phrase in text), None)
            or {
                "last_7_days": (today - timedelta(days=6), today),
                "last_30_days": (today - timedelta(days=29), today),
            }[default]
        )
    return {"from_date": span[0].isoformat(), "to_date": span[1].isoformat()}


def _who(text: str, original: str) -> str:
    email = re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", original)
    if email:
        return email.group(0)
    quoted = re.search(r"[\"“']([^\"”']{2,100})[\"”']", original)
    if quoted:
        return quoted.group(1)
    named = re.search(r"(?:find|look up|who is|user|named|called)\s+([A-Za-z][\w .'-]{1,60})", original, re.I)
    return (named.group(1) if named else original).strip(" ?.!")[:100]


def _segment(text: str) -> str:
    if "mentor" in text:
        return "mentors"
    if "learner" in text or "student" in text:
        return "learners"
    return "everyone"


def decide(messages: list[dict[str, Any]]) -> Turn:
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=None)
    if last_user is None:
        return Turn(text=HELP)
    after = messages[last_user + 1 :]
    if any(m.get("role") == "tool" for m in after):
        return Turn(text=answer_from(after))
    original = str(messages[last_user].get("content") or "")
    text = original.lower()
    today = today_from(messages)
    if _ACT.search(text) and "draft" not in text:
        return Turn(text=REFUSAL)
    if "draft" in text or "announcement" in text:
        return Turn(calls=[("draft_bulk_email", {"segment": _segment(text), "topic": original[:500]})])
    if re.search(r"\b(top|best|highest)\b.*\bmentors?\b", text):
        by = "bookings" if "booking" in text else "revenue"
        return Turn(calls=[("top_mentors", {**_when(text, today, "last_30_days"), "by": by})])
    if re.search(r"no.?show|at risk|risky", text):
        hours = re.search(r"(\d{1,3}) hours", text)
        return Turn(calls=[("sessions_at_risk", {"hours": int(hours.group(1)) if hours else 48})])
    if "refund" in text:
        return Turn(calls=[("refunds_between", _when(text, today, "last_30_days"))])
    if re.search(r"revenue|gmv|money|made|earn|sales|income|turnover|bookings|gifts", text):
        return Turn(calls=[("money_between", _when(text, today, "last_7_days"))])
    if re.search(r"\b(find|look up|lookup|who is|search)\b|@", text):
        return Turn(calls=[("find_users", {"query": _who(text, original), "reveal_email": "email" in text})])
    return Turn(text=HELP)


def answer_from(after: list[dict[str, Any]]) -> str:
    """Quotes each tool result's summary (or its error), then names the tools."""
    names: dict[str, str] = {}
    for message in after:
        for call in message.get("tool_calls") or []:
            names[str(call.get("id"))] = str((call.get("function") or {}).get("name"))
    lines, used = [], []
    for message in after:
        if message.get("role") != "tool":
            continue
        name = names.get(str(message.get("tool_call_id")), "a tool")
        used.append(name)
        try:
            result = json.loads(str(message.get("content") or "{}"))
        except ValueError:
            result = {"error": "its result was not JSON"}
        if isinstance(result, dict) and result.get("error"):
            lines.append(f"The {name} tool couldn't answer: {result['error']}")
        elif isinstance(result, dict) and result.get("summary"):
            lines.append(str(result["summary"]))
        else:
            lines.append(f"{name} returned: {json.dumps(result)[:500]}")
    tools = ", ".join(dict.fromkeys(used))
    return " ".join(lines) + f"\n\nTools used: {tools}."
