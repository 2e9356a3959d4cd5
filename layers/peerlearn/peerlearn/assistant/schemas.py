"""The assistant's request and answer, and each tool's input: validated like any API input (the
model's tool arguments are untrusted text until these accept them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from peerlearn.shapes import Shape

MAX_MESSAGES = 20
MAX_MESSAGE_CHARS = 4000
MAX_RANGE_DAYS = 366


class ChatMessage(Shape):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS)]


class AssistantRequest(Shape):
    model_config = ConfigDict(extra="forbid")

    messages: Annotated[list[ChatMessage], Field(min_length=1, max_length=MAX_MESSAGES)]
    # The browser's id for this question: the streamed `assistant.delta` messages carry it.
    request_id: Annotated[str | None, Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,40}$")] = None

    @model_validator(mode="after")
    def _ends_with_a_question(self) -> AssistantRequest:
        if self.messages[-1].role != "user":
            raise ValueError("the last message must be the user's")
        return self


class ToolUse(Shape):
    name: str
    arguments: dict[str, Any]
    result_summary: str
    # The whole-number figures the tool returned (paise, counts), as it returned them: what the answer
    # quotes, for a page to show beside it.
    figures: dict[str, int] = Field(default_factory=dict)


class AssistantAnswer(Shape):
    request_id: str
    answer: str
    tools_used: list[ToolUse]
    refused: bool = False


# ---------------------------------------------------------------- tool inputs
Period = Literal[
    "today", "yesterday", "this_week", "last_week", "this_month", "last_month", "last_7_days", "last_30_days"
]


class _DatesInput(Shape):
    """Either a named period or both dates (India's calendar days, inclusive)."""

    model_config = ConfigDict(extra="forbid")

    period: Period | None = None
    from_date: date | None = None
    to_date: date | None = None

    @model_validator(mode="after")
    def _one_way_of_saying_when(self) -> _DatesInput:
        if self.period is None and (self.from_date is None or self.to_date is None):
            raise ValueError("give a period, or both from_date and to_date (YYYY-MM-DD)")
        if self.from_date is not None and self.to_date is not None:
            if self.from_date > self.to_date:
                raise ValueError("from_date is after to_date")
            if (self.to_date - self.from_date).days >= MAX_RANGE_DAYS:
                raise ValueError(f"a range is at most {MAX_RANGE_DAYS} days")
        return self


class MoneyInput(_DatesInput):
    pass


class RefundsInput(_DatesInput):
    limit: Annotated[int, Field(ge=1, le=20)] = 10


class TopMentorsInput(_DatesInput):
    by: Literal["revenue", "bookings"] = "revenue"
    limit: Annotated[int, Field(ge=1, le=10)] = 5


class FindUsersInput(Shape):
    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, Field(min_length=2, max_length=100)]
    role: Literal["learner", "mentor", "admin"] | None = None
    # Only when the question is about one person: an email is shown whole for a single match.
    reveal_email: bool = False


class SessionsAtRiskInput(Shape):
    model_config = ConfigDict(extra="forbid")

    hours: Annotated[int, Field(ge=1, le=168)] = 48
    limit: Annotated[int, Field(ge=1, le=20)] = 10


class DraftEmailInput(Shape):
    model_config = ConfigDict(extra="forbid")

    segment: Literal["everyone", "learners", "mentors"]
    topic: Annotated[str, Field(min_length=3, max_length=500)]
    subject: Annotated[str | None, Field(default=None, max_length=120)] = None
    body: Annotated[str | None, Field(default=None, max_length=4000)] = None
