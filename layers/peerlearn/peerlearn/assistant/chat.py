"""The assistant's loop: the admin's question -> Groq with the tools offered -> the tools it asks
for, run here on live data -> their results back -> an answer that quotes them and names the tools.

Text streams to the admin's open tabs over their user channel as `assistant.delta` messages
(`request_id`, `sequence`, `text`: REST API Gateway can't stream a Lambda's response), as Groq's
streamed completion (`stream=True`) writes it, with the request id the browser chose; an
`assistant.done` follows with the answer, the tools used and the figures they returned. The whole
answer is also the REST response. Requests to act (delete, ban, send...) are refused before any
model call: the tools only read and draft.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

from peerlearn import ratelimit
from peerlearn.adapters.groq import ModelBusy, ModelUnavailable, Reply
from peerlearn.assistant import periods, tools
from peerlearn.assistant.schemas import AssistantAnswer, AssistantRequest, ToolUse
from peerlearn.errors import TooManyRequests, Unavailable

# Each question costs money at Groq: per admin, at most this many in the window.
QUESTIONS_PER_ADMIN = ratelimit.Limit("assistant", max_hits=30, window_seconds=3600)
MAX_ROUNDS = 4  # model turns per question (tool calls, then the answer)
MAX_CALLS_PER_ROUND = 4
# No round starts after this much of the question's time: the last one (the model's timeout plus its
# tools) still ends within the admin function's 28 s and API Gateway's 29 s, so the admin gets what
# the tools found rather than a 504.
START_ROUNDS_WITHIN_SECONDS = 16.0
FLUSH_CHARS = 48  # stream in pieces of about this size: a WebSocket post per token costs too much

# An imperative to change something, at the start of any sentence: the assistant has no tool that acts,
# and says so. "Can you ...", "I want you to ...", "Assistant, ..." and "go ahead and ..." are the
# same request; a noun ("how many refunds") is not one.
_ACTION = re.compile(
    r"(?:^|[.!?;\n])\s*(?:(?:please|pls|kindly|now|ok|okay|hey|so|then|and|also|assistant|peerlearn)[\s,:]+)*"
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    r"|(?:i|we)\s*(?:want|need|would\s+like|'d\s+like)\s+you\s+to\s+|go\s+ahead\s+and\s+|just\s+)?"
    r"(?:delete|remove|erase|ban|unban|block|suspend|deactivate|disable|send|email|refund|cancel|approve|reject"
    r"|pay|payout|promote|demote|change|edit|reset|verify|unverify|wipe|drop)\b",
    re.IGNORECASE,
)
_DRAFT = re.compile(r"\bdraft\b", re.IGNORECASE)

REFUSAL = (
    "I can't do that: I can only look things up (figures, users, mentors, sessions at risk, refunds) "
    "and draft emails for you to review. To change anything (ban, delete, refund, send), use the admin "
    "site, where each action is checked and recorded."
)


class ChatModel(Protocol):
    def complete(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], on_text: Callable[[str], None]
    ) -> Reply: ...


Push = Callable[[str, dict[str, Any]], int]


def asks_to_act(text: str) -> bool:
    """Whether the message tells the assistant to change something (a draft is not an action)."""
    return bool(_ACTION.search(text)) and not _DRAFT.search(text)


def system_prompt() -> str:
    today = periods.today()
    return (
        "You are PeerLearn's admin assistant. PeerLearn is a marketplace for live paid mentorship in "
        f"India. Today is {today.isoformat()} ({today.strftime('%A')}) in Asia/Kolkata; dates are "
        "India's calendar days and weeks run Monday to Sunday. Answer only from the tools' results: "
        "quote their figures exactly (amounts are paise in the results: write rupees, ₹1 = 100 paise) "
        "and never invent one. Say which tools you used. You can only read and draft: if asked to "
        "delete, ban, refund, send or change anything, refuse and point to the admin site. Share no "
        "more personal data than the question needs; keep emails masked unless asked about one person."
    )


class _Stream:
    """Sends text to the admin's tabs in pieces; a closed tab or a failed post never fails the answer."""

    def __init__(self, push: Push | None, admin_id: str, request_id: str) -> None:
        self.push, self.admin_id, self.request_id = push, admin_id, request_id
        self.pending = ""
        self.sequence = 0

    def write(self, text: str) -> None:
        self.pending += text
        if len(self.pending) >= FLUSH_CHARS:
            self.flush()

    def flush(self) -> None:
        if self.pending and self.push is not None:
            self.push(
                self.admin_id,
                {
                    "type": "assistant.delta",
                    "request_id": self.request_id,
                    "sequence": self.sequence,
                    "text": self.pending,
                },
            )
            self.sequence += 1
        self.pending = ""

    def done(self, answer: AssistantAnswer) -> None:
        self.flush()
        if self.push is not None:
            self.push(
                self.admin_id,
                {
                    "type": "assistant.done",
                    "request_id": self.request_id,
                    "answer": answer.answer,
                    "refused": answer.refused,
                    "tools": [t.name for t in answer.tools_used],
                    "tools_used": [
                        {"name": t.name, "result_summary": t.result_summary, "figures": t.figures}
                        for t in answer.tools_used
                    ],
                },
            )


def _call_message(reply: Reply) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": reply.content or None,
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in reply.tool_calls[:MAX_CALLS_PER_ROUND]
        ],
    }


def _figures(result: dict[str, Any]) -> dict[str, int]:
    """A tool result's whole-number figures (paise, counts): never its text or its lists."""
    return {
        str(name): value
        for name, value in result.items()
        if isinstance(value, int) and not isinstance(value, bool)
    }


def _naming_tools(answer: str, used: list[ToolUse]) -> str:
    names = list(dict.fromkeys(u.name for u in used))
    if not names or all(name in answer for name in names):
        return answer
    return f"{answer.rstrip()}\n\nTools used: {', '.join(names)}."


def ask(
    model: ChatModel, *, admin_id: str, request: AssistantRequest, push: Push | None = None
) -> AssistantAnswer:
    """Answers the last user message of `request` (the earlier ones are the conversation so far)."""
    wait = ratelimit.acquire(QUESTIONS_PER_ADMIN, admin_id)
    if wait:
        raise TooManyRequests(
            "You've asked the assistant a lot this hour; wait a little.", retry_after_seconds=wait
        )
    request_id = request.request_id or secrets.token_urlsafe(9)
    stream = _Stream(push, admin_id, request_id)
    if asks_to_act(request.messages[-1].content):
        stream.write(REFUSAL)
        refused = AssistantAnswer(request_id=request_id, answer=REFUSAL, tools_used=[], refused=True)
        stream.done(refused)
        return refused

    messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt()}]
    messages += [{"role": m.role, "content": m.content} for m in request.messages]
    used: list[ToolUse] = []
    answer: str | None = None
    started = time.monotonic()
    for round_number in range(MAX_ROUNDS):
        if round_number and time.monotonic() - started > START_ROUNDS_WITHIN_SECONDS:
            break
        try:
            reply = model.complete(messages, tools.specs(), stream.write)
        except ModelBusy as exc:
            raise TooManyRequests(
                "The assistant's model is busy; try again shortly.",
                retry_after_seconds=exc.retry_after_seconds,
                code="assistant_busy",
            ) from exc
        except ModelUnavailable as exc:
            raise Unavailable("The assistant can't reach its model right now; try again shortly.") from exc
        if not reply.tool_calls:
            answer = reply.content
            break
        messages.append(_call_message(reply))
        for call in reply.tool_calls[:MAX_CALLS_PER_ROUND]:
            outcome = tools.run(call.name, call.arguments)
            used.append(
                ToolUse(
                    name=call.name[:60],
                    arguments=outcome.arguments,
                    result_summary=outcome.summary,
                    figures=_figures(outcome.result),
                )
            )
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": json.dumps(outcome.result, default=str)}
            )
    if answer is None:  # out of rounds or of time: what the tools found is the answer
        answer = "I couldn't finish that in a few steps. Here is what the tools found: " + " ".join(
            u.result_summary for u in used
        )
    answer = _naming_tools(answer.strip() or "I have no answer to that.", used)
    result = AssistantAnswer(request_id=request_id, answer=answer, tools_used=used)
    stream.done(result)
    return result
