"""The stack's clock, moved forward for tests and demos: `GET /_dev/clock` -> {"offset_seconds", "now"};
`POST /_dev/clock` {"advance_seconds": N} moves it N seconds ahead (never back: reminders sent and
holds expired can't be unsent), then runs the every-minute sweep once and returns its result too.

Only the functions see the moved time (the runtime passes the offset with each invocation and
peerlearn.clock adds it); the gateway, the stream poller and the schedules keep the wall clock.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from infra.local.runtime import FunctionError, Runtime

MIN_ADVANCE_SECONDS = 1
MAX_ADVANCE_SECONDS = 60 * 86400  # a bound on one step, so a typo can't move the stack into next year
SWEEP_FUNCTION, SWEEP_EVENT = "JobsFunction", "EveryMinute"


class ClockRefused(ValueError):
    pass


def _iso(epoch_seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


class StackClock:
    """The offset lives on the runtime (it sends it with each invocation); this moves it."""

    def __init__(self, runtime: Runtime, run_sweep: Any) -> None:
        self.runtime = runtime
        self.run_sweep = run_sweep  # () -> the sweep's result
        self._lock = threading.Lock()

    def state(self) -> dict[str, Any]:
        offset = self.runtime.clock_offset_seconds
        return {"offset_seconds": offset, "now": _iso(int(time.time()) + offset)}

    def advance(self, seconds: Any) -> dict[str, Any]:
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise ClockRefused("advance_seconds must be a whole number of seconds")
        if not MIN_ADVANCE_SECONDS <= seconds <= MAX_ADVANCE_SECONDS:
            raise ClockRefused(
                f"advance_seconds must be between {MIN_ADVANCE_SECONDS} and {MAX_ADVANCE_SECONDS} "
                "(the clock only moves forward, at most 60 days at a time)"
            )
        with self._lock:  # two advances at once add up, neither is lost
            self.runtime.clock_offset_seconds += seconds
        return {**self.state(), "sweep": self.run_sweep()}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def routes(clock: StackClock) -> list[BaseRoute]:
    async def show(request: Request) -> Response:
        return JSONResponse(clock.state())

    async def advance(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return _error(400, "invalid_json", 'The body must be JSON: {"advance_seconds": N}')
        if not isinstance(body, dict) or "advance_seconds" not in body:
            return _error(400, "missing_field", 'Send {"advance_seconds": N}')
        try:
            result = await _in_thread(clock.advance, body["advance_seconds"])
        except ClockRefused as exc:
            return _error(400, "invalid_advance", str(exc))
        except FunctionError as exc:
            return _error(502, "sweep_failed", f"the clock moved, but the sweep failed: {exc}")
        return JSONResponse(result)

    return [
        Route("/_dev/clock", show, methods=["GET"]),
        Route("/_dev/clock", advance, methods=["POST"]),
    ]


async def _in_thread(function: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)
