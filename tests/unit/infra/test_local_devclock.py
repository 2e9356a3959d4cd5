"""`/_dev/clock`: the stack's clock moves forward only, within bounds, runs the sweep, and says why not."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from infra.local.triggers.schedule.devclock import StackClock, routes


class FakeRuntime:
    clock_offset_seconds = 0


def client() -> tuple[TestClient, FakeRuntime, list[int]]:
    runtime = FakeRuntime()
    sweeps: list[int] = []

    def sweep() -> dict[str, Any]:
        sweeps.append(runtime.clock_offset_seconds)
        return {"reminders_sent": 0}

    clock = StackClock(runtime, sweep)  # type: ignore[arg-type]
    return TestClient(Starlette(routes=routes(clock))), runtime, sweeps


def test_advancing_moves_the_offset_and_runs_the_sweep_after_it() -> None:
    http, runtime, sweeps = client()

    moved = http.post("/_dev/clock", json={"advance_seconds": 3600})
    again = http.post("/_dev/clock", json={"advance_seconds": 60})

    assert moved.status_code == 200
    assert moved.json()["offset_seconds"] == 3600
    assert moved.json()["sweep"] == {"reminders_sent": 0}
    assert again.json()["offset_seconds"] == runtime.clock_offset_seconds == 3660
    assert sweeps == [3600, 3660]  # each sweep ran on the moved clock
    shown = http.get("/_dev/clock").json()
    assert shown["offset_seconds"] == 3660
    assert shown["now"].endswith("Z")


def test_the_clock_never_goes_back_nor_jumps_beyond_sixty_days() -> None:
    http, runtime, sweeps = client()
    bodies: list[Any] = [
        {"advance_seconds": 0},
        {"advance_seconds": -1},
        {"advance_seconds": 60 * 86400 + 1},
        {"advance_seconds": 1.5},
        {"advance_seconds": True},
        {"advance_seconds": "60"},
        {},
        [],
    ]
    for body in bodies:
        answer = http.post("/_dev/clock", json=body)
        assert answer.status_code == 400, body
        assert set(answer.json()["error"]) == {"code", "message"}
    assert http.post("/_dev/clock", content=b"{nope").status_code == 400
    assert (runtime.clock_offset_seconds, sweeps) == (0, [])
