"""The local Groq stand-in speaks Groq's protocol to the real `groq` SDK (in-process transport): JSON
and streamed completions with tool calls and usage, Groq's error bodies and retry headers; it picks
tools from keywords deterministically. And the assistant's tools validate the model's arguments."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import groq
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from infra.local.environment import LOCAL_GROQ_API_KEY, with_groq
from infra.local.triggers.groq.brain import REFUSAL, decide
from infra.local.triggers.groq.standin import GroqStandIn
from peerlearn.adapters.groq import GroqChat, ModelBusy, ModelUnavailable
from peerlearn.assistant import lookups, periods, tools
from peerlearn.config import AssistantSettings
from peerlearn.context import Context
from tests.unit.sessions_support import person

SYSTEM = {"role": "system", "content": "You are an assistant. Today is 2026-11-30 (Monday) in Asia/Kolkata."}


def sdk(standin: GroqStandIn, key: str = LOCAL_GROQ_API_KEY) -> groq.Groq:
    http = TestClient(Starlette(routes=standin.routes()), base_url="http://standin.test")
    return groq.Groq(api_key=key, base_url="http://standin.test/_groq", http_client=http, max_retries=1)


def user(text: str) -> list[dict[str, Any]]:
    return [SYSTEM, {"role": "user", "content": text}]


def test_a_json_completion_carries_tool_calls_with_ids_and_usage() -> None:
    client = sdk(GroqStandIn(LOCAL_GROQ_API_KEY))

    completion = client.chat.completions.create(
        model="llama-3.3-70b-versatile", messages=user("How much revenue did we make last week?")
    )

    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert call.id.startswith("call_")
    assert call.function.name == "money_between"
    # last week in India as of Monday 2026-11-30: Monday 23rd to Sunday 29th
    assert json.loads(call.function.arguments) == {"from_date": "2026-11-23", "to_date": "2026-11-29"}
    assert completion.usage is not None
    assert completion.usage.total_tokens > 0


def test_a_streamed_completion_ends_with_usage_and_done_and_the_text_adds_up() -> None:
    client = sdk(GroqStandIn(LOCAL_GROQ_API_KEY))

    chunks = list(client.chat.completions.create(model="m", messages=user("hello"), stream=True))

    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 3
    assert text.startswith("I can tell you revenue")
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].x_groq is not None
    assert chunks[-1].x_groq.usage is not None


def test_the_adapter_assembles_streamed_tool_calls_and_streams_text() -> None:
    standin = GroqStandIn(LOCAL_GROQ_API_KEY)
    http = TestClient(Starlette(routes=standin.routes()), base_url="http://standin.test")
    chat = GroqChat(AssistantSettings(LOCAL_GROQ_API_KEY, "m", "http://standin.test/_groq"), http_client=http)
    pieces: list[str] = []

    called = chat.complete(user("Who are the top mentors this month?"), tools.specs(), pieces.append)
    answered = chat.complete(
        [
            *user("Who are the top mentors this month?"),
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": called.tool_calls[0].id,
                        "type": "function",
                        "function": {"name": "top_mentors", "arguments": "{}"},
                    }
                ],
            },
            {
                "role": "tool",
                "tool_call_id": called.tool_calls[0].id,
                "content": json.dumps({"summary": "Asha: ₹10.00"}),
            },
        ],
        tools.specs(),
        pieces.append,
    )

    [call] = called.tool_calls
    assert call.name == "top_mentors"
    assert json.loads(call.arguments)["from_date"] == "2026-11-01"
    assert "Asha: ₹10.00" in answered.content
    assert "top_mentors" in answered.content
    assert "".join(pieces) == answered.content


def test_a_wrong_key_is_groqs_401_and_the_adapter_reports_it_unavailable() -> None:
    standin = GroqStandIn(LOCAL_GROQ_API_KEY)
    with pytest.raises(groq.AuthenticationError) as raised:
        sdk(standin, key="gsk_wrong").chat.completions.create(model="m", messages=user("hi"))
    assert raised.value.body == {
        "error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}
    }

    http = TestClient(Starlette(routes=standin.routes()), base_url="http://standin.test")
    chat = GroqChat(AssistantSettings("gsk_wrong", "m", "http://standin.test/_groq"), http_client=http)
    with pytest.raises(ModelUnavailable):
        chat.complete(user("hi"), [], lambda _: None)


def test_a_429_carries_the_retry_headers_the_sdk_reads() -> None:
    standin = GroqStandIn(LOCAL_GROQ_API_KEY)
    standin.fail_next(429, times=2, retry_after_seconds=3)
    client = sdk(standin).with_options(max_retries=0)

    with pytest.raises(groq.RateLimitError) as raised:
        client.chat.completions.create(model="m", messages=user("hi"))

    headers = raised.value.response.headers
    assert (headers["retry-after"], headers["retry-after-ms"]) == ("3", "3000")
    assert headers["x-ratelimit-remaining-requests"] == "0"
    http = TestClient(Starlette(routes=standin.routes()), base_url="http://standin.test")
    chat = GroqChat(AssistantSettings(LOCAL_GROQ_API_KEY, "m", "http://standin.test/_groq"), http_client=http)
    chat._client = chat._groq().with_options(max_retries=0)  # no retry: the adapter sees the 429
    with pytest.raises(ModelBusy) as busy:
        chat.complete(user("hi"), [], lambda _: None)
    assert busy.value.retry_after_seconds == 3


def test_a_malformed_request_is_a_400_in_groqs_shape() -> None:
    with pytest.raises(groq.BadRequestError):
        sdk(GroqStandIn(LOCAL_GROQ_API_KEY)).chat.completions.create(model="m", messages=[])


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("how much revenue did we make last week?", "money_between"),
        ("refunds this month", "refunds_between"),
        ("top mentors by bookings", "top_mentors"),
        ("which sessions are at risk of a no-show in the next 24 hours?", "sessions_at_risk"),
        ("find user 'Asha Rao'", "find_users"),
        ("draft an announcement to mentors about payouts", "draft_bulk_email"),
    ],
)
def test_the_stand_in_picks_tools_from_keywords(text: str, tool: str) -> None:
    turn = decide(user(text))

    assert [name for name, _ in turn.calls] == [tool]


@pytest.mark.parametrize(
    "text", ["delete user X", "Please ban asha@example.com", "can you refund payment pay_1"]
)
def test_the_stand_in_refuses_to_act(text: str) -> None:
    assert decide(user(text)).text == REFUSAL


def test_the_local_stack_uses_the_stand_in_only_without_a_real_key() -> None:
    assert with_groq({}, "http://127.0.0.1:3000") == {
        "GROQ_API_KEY": LOCAL_GROQ_API_KEY,
        "GROQ_BASE_URL": "http://127.0.0.1:3000/_groq",
    }
    assert with_groq({"GROQ_API_KEY": "gsk_real"}, "http://127.0.0.1:3000") == {"GROQ_API_KEY": "gsk_real"}


# ---------------------------------------------------------------- the tools' input and privacy
@pytest.mark.parametrize(
    ("name", "arguments", "error"),
    [
        ("money_between", "not json", "not JSON"),
        ("delete_user", "{}", "there is no tool"),
        ("money_between", '{"period": "forever"}', "invalid arguments for money_between: period"),
        (
            "money_between",
            '{"from_date": "2026-03-01", "to_date": "2026-01-01"}',
            "from_date is after to_date",
        ),
        ("money_between", '{"from_date": "2020-01-01", "to_date": "2026-01-01"}', "at most 366 days"),
        ("find_users", '{"query": "a"}', "invalid arguments for find_users: query"),
        ("sessions_at_risk", '{"hours": 100000}', "hours"),
        ("draft_bulk_email", '{"segment": "everyone", "topic": "hi", "send": true}', "send"),
    ],
)
def test_bad_tool_arguments_become_an_error_result_not_an_exception(
    name: str, arguments: str, error: str
) -> None:
    outcome = tools.run(name, arguments)

    assert error in outcome.result["error"]
    assert outcome.summary.startswith("error: ")


def test_find_users_masks_emails_unless_one_person_is_asked_for_by_name(ctx: Context) -> None:
    person("learner", name="Asha Rao")
    person("learner", name="Asha Menon")

    both = tools.run("find_users", json.dumps({"query": "asha", "reveal_email": True}))
    one = tools.run("find_users", json.dumps({"query": "asha rao", "reveal_email": True}))
    one_masked = tools.run("find_users", json.dumps({"query": "asha rao"}))

    assert [u["email"] for u in both.result["users"]] == [
        lookups.mask_email(u["email"]) for u in both.result["users"]
    ]
    assert all("•••@example.com" in u["email"] for u in both.result["users"])
    [found] = one.result["users"]
    assert found["email"].endswith("@example.com")
    assert "•••" not in found["email"]
    assert "•••" in one_masked.result["users"][0]["email"]
    assert "password_hash" not in json.dumps(both.result)


def test_named_periods_are_indias_calendar_days() -> None:
    monday = date(2026, 11, 30)

    assert periods.named("last_week", monday) == periods.Days(date(2026, 11, 23), date(2026, 11, 29))
    assert periods.named("last_month", monday) == periods.Days(date(2026, 10, 1), date(2026, 10, 31))
    # India's midnight is 18:30 UTC the day before
    assert periods.named("today", monday).start_iso == "2026-11-29T18:30:00Z"
    assert periods.named("today", monday).end_iso == "2026-11-30T18:30:00Z"
