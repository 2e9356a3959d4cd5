"""Event sources of the local stack: one module per template event type, each built from the template.

The contract, kept small so adding a trigger type (WebSocket, schedules...) is adding one module:

- a module in this package exposes `create(context: TriggerContext) -> Trigger | None`: it reads its
  bindings from `context.template` (e.g. every `Type: Api` event) and returns None when the template
  declares none (a local stand-in for a service outside AWS, like the Razorpay sandbox, is always
  created);
- the returned object satisfies `Trigger`: `routes()` gives the Starlette routes the gateway mounts
  (empty for triggers with no HTTP side), `start()`/`stop()` start and stop any background work
  (pollers, timers) and must be idempotent, and `await_idle(timeout)` blocks until everything the
  trigger has seen so far is delivered (tests use it instead of sleeping);
- its name goes in `TRIGGER_MODULES` below, in the order the gateway mounts their routes; the
  stack iterates what `load_triggers` returns and never names a trigger (optional abilities, like
  `RunsSchedules`, are protocols here).

Triggers invoke functions through `context.runtime` (see `infra.local.runtime`), never directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from starlette.routing import BaseRoute

from infra.local.runtime import Runtime
from infra.local.template import Template

# The WebSocket API comes first: its routes are exact paths (`/<stage>`), while the REST API's may
# be a catch-all. The WebSocket API and the Razorpay sandbox come before the streams so that
# `LocalStack.await_idle` first waits for their messages and webhooks, then for the stream records
# they cause.
TRIGGER_MODULES = ("websocket", "rest", "razorpay", "groq", "streams", "schedule")


@dataclass(frozen=True)
class TriggerContext:
    """What a trigger may use: the template (with local refs), the runtime and local resources."""

    template: Template
    runtime: Runtime
    data_dir: Path
    dynamodb_endpoint: str
    # Where records that exhausted their retries go (the OnFailure destination, locally a file).
    dead_letter_path: Path
    poll_interval_seconds: float = 0.1
    retry_delay_seconds: float = 0.2
    # The gateway's URL and the environment the functions get (local values, .env, overrides), for
    # triggers that call back into the stack or share the functions' settings (the Razorpay sandbox).
    url: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    # API Gateway's WebSocket idle timeout (no data either way) and connection lifetime.
    websocket_idle_seconds: float = 10 * 60.0
    websocket_lifetime_seconds: float = 2 * 60 * 60.0


class Trigger(Protocol):
    name: str

    def routes(self) -> list[BaseRoute]: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def await_idle(self, timeout: float) -> None: ...


@runtime_checkable
class RunsSchedules(Protocol):
    """A trigger that can fire one of its schedules on demand (`LocalStack.run_schedule`)."""

    def run_now(self, function: str, event_name: str | None = None) -> Any: ...

    def held(self) -> AbstractContextManager[None]:
        """No scheduled run starts inside the block (`LocalStack.schedules_held`)."""
        ...


def load_triggers(context: TriggerContext) -> list[Trigger]:
    """Every trigger the template declares, in mounting order."""
    triggers: list[Trigger] = []
    for name in TRIGGER_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        trigger: Trigger | None = module.create(context)
        if trigger is not None:
            triggers.append(trigger)
    return triggers
