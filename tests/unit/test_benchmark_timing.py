"""The request benchmarks read the function's own duration from the gateway's `Server-Timing` header
(`fn;dur=<ms>, auth;dur=<ms>`), and say "n/a" rather than a made-up figure when it is absent."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import httpx
import pytest

from tests.support import ROOT


def _measure() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_measure", ROOT / "benchmarks" / "measure.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_measure", module)
    spec.loader.exec_module(module)
    return module


measure = _measure()


def stub_gateway(header: str | None, status: int = 200) -> httpx.Client:
    def reply(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Server-Timing": header} if header else {}, json={})

    return httpx.Client(base_url="http://gateway", transport=httpx.MockTransport(reply))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fn;dur=12.5", {"fn": 12.5}),
        ("fn;dur=12.5, auth;dur=3", {"fn": 12.5, "auth": 3.0}),
        ('fn;desc="function";dur=7.25,auth;dur="1.5"', {"fn": 7.25, "auth": 1.5}),
        ("fn, cache;desc=hit", {}),
        ("fn;dur=abc", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_server_timing_reads_each_metrics_duration(header: str | None, expected: dict[str, float]) -> None:
    assert measure.server_timing(header) == expected


def test_timed_requests_keep_the_gateways_function_and_authorizer_durations() -> None:
    with stub_gateway("fn;dur=4.5, auth;dur=1.25") as client:
        timings = measure.timed_requests(3, lambda _i: client.get("/api/me"))

    assert timings.fn == [4.5, 4.5, 4.5]
    assert timings.auth == [1.25, 1.25, 1.25]
    assert len(timings.e2e) == 3


def test_the_table_says_na_when_the_gateway_sends_no_server_timing() -> None:
    with stub_gateway(None) as client:
        timings = measure.timed_requests(2, lambda _i: client.get("/api/sessions"))
    row = measure.Row("GET /api/sessions", timings, raw=[2.0, 2.0], raw_is="one Query page")

    line = measure.table([row]).splitlines()[1].split()

    assert timings.fn == []
    assert line[-6:-1] == ["n/a", "n/a", "n/a", "2.0", "n/a"]  # fn p50, fn p95, auth, raw, fn/raw


def test_the_table_gives_the_function_to_raw_ratio_and_says_what_raw_runs() -> None:
    with stub_gateway("fn;dur=3.0") as client:
        timings = measure.timed_requests(2, lambda _i: client.get("/api/sessions"))
    row = measure.Row("GET /api/sessions", timings, raw=[2.0, 2.0], raw_is="one Query page")

    text = measure.table([row])

    assert text.splitlines()[1].split()[-2] == "1.50"
    assert "GET /api/sessions: one Query page" in text


def test_a_failed_request_stops_the_run_instead_of_timing_an_error() -> None:
    with stub_gateway("fn;dur=1", status=500) as client, pytest.raises(RuntimeError, match="500"):
        measure.timed_requests(1, lambda _i: client.get("/api/sessions"))


def test_each_request_is_followed_by_its_raw_calls_so_both_see_the_same_load() -> None:
    order: list[str] = []
    with stub_gateway("fn;dur=2") as client:

        def call(i: int) -> httpx.Response:
            order.append(f"api{i}")
            return client.get("/api/sessions")

        timings, raw_ms = measure.timed_against_raw(3, call, lambda i: order.append(f"raw{i}"))

    assert order == ["api0", "raw0", "api1", "raw1", "api2", "raw2"]
    assert len(raw_ms) == 3
    assert timings.fn == [2.0, 2.0, 2.0]
