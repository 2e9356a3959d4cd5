"""The HTTP side of the Groq stand-in: `POST /_groq/openai/v1/chat/completions` as Groq's
OpenAI-compatible API speaks it (JSON, or SSE chunks ending in `data: [DONE]`; tool_calls with ids;
usage, in `x_groq` on the last chunk as Groq sends it), Bearer-key auth (401 with Groq's error
body), and on demand a 429 or 5xx with the retry headers the SDK reads (`retry-after`,
`retry-after-ms`, `x-ratelimit-*`), so the SDK's retries can be exercised.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from infra.local.triggers.groq.brain import Turn, decide

PREFIX = "/_groq/openai/v1"
CHUNK_WORDS = 3  # words per streamed content chunk


def _error(
    status: int, message: str, kind: str, code: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"error": {"message": message, "type": kind, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


@dataclass
class _Failure:
    status: int
    retry_after_seconds: float


class GroqStandIn:
    """Answers as Groq would. `fail_next` makes the next calls fail (tests of retries and errors);
    `requests` keeps the bodies received (tests check what was sent to the model)."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()

    def fail_next(self, status: int = 429, times: int = 1, retry_after_seconds: float = 0.05) -> None:
        with self._lock:
            self._failures += [_Failure(status, retry_after_seconds)] * times

    def routes(self) -> list[BaseRoute]:
        return [
            Route(f"{PREFIX}/chat/completions", self.completions, methods=["POST"]),
            Route(f"{PREFIX}/models", self.models, methods=["GET"]),
        ]

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return secrets.compare_digest(given.encode(), f"Bearer {self.api_key}".encode())

    async def models(self, request: Request) -> Response:
        if not self._authorised(request):
            return _error(401, "Invalid API Key", "invalid_request_error", "invalid_api_key")
        model = {"id": "llama-3.3-70b-versatile", "object": "model", "created": 0, "owned_by": "stand-in"}
        return JSONResponse({"object": "list", "data": [model]})

    async def completions(self, request: Request) -> Response:
        if not self._authorised(request):
            return _error(401, "Invalid API Key", "invalid_request_error", "invalid_api_key")
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return self._failed(failure)
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, "The request body is not JSON.", "invalid_request_error", "invalid_json")
        problem = _invalid(body)
        if problem:
            return _error(400, problem, "invalid_request_error", "invalid_request")
        self.requests.append(body)
        turn = decide(body["messages"])
        if body.get("stream"):
            return StreamingResponse(_chunks(body, turn), media_type="text/event-stream")
        return JSONResponse(_completion(body, turn))

    def _failed(self, failure: _Failure) -> Response:
        wait = failure.retry_after_seconds
        headers = {
            "retry-after": str(max(0, round(wait))),
            "retry-after-ms": str(int(wait * 1000)),
            "x-ratelimit-limit-requests": "30",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": f"{wait:.2f}s",
        }
        if failure.status == 429:
            message = "Rate limit reached for model: requests per minute (stand-in). Please try again later."
            return _error(429, message, "requests", "rate_limit_exceeded", headers)
        return _error(
            failure.status,
            "The service is unavailable (stand-in).",
            "internal_server_error",
            "unavailable",
            headers,
        )


def _invalid(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The request body must be an object."
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "'model' is required."
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array."
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in (
            "system",
            "user",
            "assistant",
            "tool",
        ):
            return "each message needs a role: system, user, assistant or tool."
        if message["role"] == "tool" and not message.get("tool_call_id"):
            return "a tool message needs tool_call_id."
    return None


def _usage(body: dict[str, Any], turn: Turn) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content") or "")) for m in body["messages"]) // 4 + 1
    completion = len(turn.text or json.dumps(turn.calls)) // 4 + 1
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _tool_calls(turn: Turn) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{secrets.token_hex(8)}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)},
        }
        for name, arguments in turn.calls
    ]


def _completion(body: dict[str, Any], turn: Turn) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": turn.text}
    if turn.calls:
        message["tool_calls"] = _tool_calls(turn)
    return {
        "id": f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_standin",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if turn.calls else "stop",
            }
        ],
        "usage": _usage(body, turn),
        "x_groq": {"id": f"req_{secrets.token_hex(12)}"},
    }


async def _chunks(body: dict[str, Any], turn: Turn) -> AsyncIterator[bytes]:
    base = {
        "id": f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_standin",
    }

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return f"data: {json.dumps({**base, 'choices': [choice], **extra})}\n\n".encode()

    yield event({"role": "assistant", "content": ""}, x_groq={"id": f"req_{secrets.token_hex(12)}"})
    if turn.calls:
        for index, call in enumerate(_tool_calls(turn)):
            yield event({"tool_calls": [{"index": index, **call}]})
    else:
        words = (turn.text or "").split(" ")
        for start in range(0, len(words), CHUNK_WORDS):
            piece = " ".join(words[start : start + CHUNK_WORDS])
            yield event({"content": piece if start == 0 else " " + piece})
    finish = "tool_calls" if turn.calls else "stop"
    yield event({}, finish, x_groq={"id": base["id"], "usage": _usage(body, turn)})
    yield b"data: [DONE]\n\n"
