"""Groq's chat completions (OpenAI-compatible) for the admin assistant: the only module that imports
the `groq` SDK. One streamed completion per call: text deltas go to a callback as they arrive, tool
calls are assembled from their deltas (by index) and returned whole.

Locally GROQ_BASE_URL points the SDK at the stack's stand-in (infra.local.triggers.groq), which
speaks the same protocol, so this code runs unchanged against both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from peerlearn.config import AssistantSettings

if TYPE_CHECKING:
    import httpx
    from groq import Groq

logger = logging.getLogger(__name__)

# API Gateway gives a REST call 29 s: a few model turns and their tools must fit in it. No SDK
# retries: on a 429 it would wait Groq's retry-after (up to 60 s), past the function's 28 s; the admin
# gets a 429 with Retry-After instead, and a 5xx or a timeout is a 503 at once.
REQUEST_TIMEOUT_SECONDS = 8.0
MAX_RETRIES = 0
MAX_COMPLETION_TOKENS = 1024


class ModelUnavailable(Exception):
    """Groq could not answer (down, timed out, refused our key): nothing was done."""


class ModelBusy(Exception):
    """Groq's rate limit: try again after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"rate limited for {retry_after_seconds}s")
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text as the model wrote it: maybe not JSON, maybe not valid input


@dataclass
class Reply:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    total_tokens: int | None = None


class GroqChat:
    """A chat model on Groq (or the local stand-in). `http_client` is for tests (an in-process transport)."""

    def __init__(self, settings: AssistantSettings, http_client: httpx.Client | None = None) -> None:
        self.settings = settings
        self._http_client = http_client
        self._client: Groq | None = None

    def _groq(self) -> Groq:
        if self._client is None:
            from groq import Groq  # imported on the first question, not at the admin function's cold start

            self._client = Groq(
                api_key=self.settings.api_key,
                base_url=self.settings.base_url,
                timeout=REQUEST_TIMEOUT_SECONDS,
                max_retries=MAX_RETRIES,
                http_client=self._http_client,
            )
        return self._client

    def complete(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], on_text: Callable[[str], None]
    ) -> Reply:
        """One streamed completion with `tools` offered (tool_choice auto)."""
        import groq

        try:
            stream = self._groq().chat.completions.create(
                model=self.settings.model,
                messages=cast(Any, messages),
                tools=cast(Any, tools),
                tool_choice="auto",
                temperature=0.2,
                max_completion_tokens=MAX_COMPLETION_TOKENS,
                stream=True,
            )
            return _read(stream, on_text)
        except groq.RateLimitError as exc:
            raise ModelBusy(_retry_after(exc.response.headers)) from exc
        except (groq.APIStatusError, groq.APIConnectionError, groq.APIResponseValidationError) as exc:
            # Never the message body in the log: it may quote the prompt.
            logger.warning("groq call failed", extra={"error": type(exc).__name__})
            raise ModelUnavailable(type(exc).__name__) from exc
        except groq.APIError as exc:  # an error event inside the stream
            logger.warning("groq stream failed", extra={"error": type(exc).__name__})
            raise ModelUnavailable(type(exc).__name__) from exc


def _read(stream: Any, on_text: Callable[[str], None]) -> Reply:
    reply = Reply()
    calls: dict[int, dict[str, str]] = {}
    for chunk in stream:
        x_groq = getattr(chunk, "x_groq", None)
        usage = chunk.usage or (x_groq.usage if x_groq is not None else None)
        if usage is not None:
            reply.total_tokens = usage.total_tokens
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                reply.content += delta.content
                on_text(delta.content)
            for part in delta.tool_calls or []:
                call = calls.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
                call["id"] = part.id or call["id"]
                if part.function is not None:
                    call["name"] += part.function.name or ""
                    call["arguments"] += part.function.arguments or ""
            if choice.finish_reason:
                reply.finish_reason = choice.finish_reason
    reply.tool_calls = [
        ToolCall(id=c["id"] or f"call_{i}", name=c["name"], arguments=c["arguments"] or "{}")
        for i, c in sorted(calls.items())
    ]
    return reply


def _retry_after(headers: Any) -> int:
    """Seconds from Groq's retry-after-ms / retry-after headers (the ones the SDK itself reads)."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name) if headers is not None else None
        try:
            seconds = float(value) * scale if value is not None else None
        except ValueError:
            seconds = None
        if seconds is not None and seconds >= 0:
            return max(1, int(-(-seconds // 1)))
    return 10
