"""A Groq stand-in in the local stack, mounted at `/_groq/openai/v1/chat/completions` when no real
GROQ_API_KEY is set: it speaks Groq's OpenAI-compatible protocol (JSON and SSE streaming, tool
calls with ids, usage, 401/429 errors with the retry headers the SDK reads), so the admin function's
real `groq` SDK talks to it unchanged (GROQ_BASE_URL points there).

It is not a language model: it picks tools from keywords of the last user message and answers by
quoting the tools' results (`brain`). With GROQ_API_KEY in `.env` it is not created and the
functions talk to Groq itself.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from infra.local.environment import LOCAL_GROQ_API_KEY
from infra.local.triggers import TriggerContext
from infra.local.triggers.groq.standin import GroqStandIn


class GroqTrigger:
    name = "groq"

    def __init__(self, standin: GroqStandIn) -> None:
        self.standin = standin

    def routes(self) -> list[BaseRoute]:
        return self.standin.routes()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def await_idle(self, timeout: float) -> None:
        pass


def create(context: TriggerContext) -> GroqTrigger | None:
    if context.env.get("GROQ_API_KEY", LOCAL_GROQ_API_KEY) != LOCAL_GROQ_API_KEY:
        return None  # a real key: the functions talk to Groq
    return GroqTrigger(GroqStandIn(LOCAL_GROQ_API_KEY))
