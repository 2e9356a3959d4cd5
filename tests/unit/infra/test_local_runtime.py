"""The local Lambda runtime: execution environments as processes with the function's environment."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infra.local.runtime import FunctionError, Runtime, Throttled
from infra.local.template import FunctionSpec
from tests.support import wait_until

HANDLER = """
import os
import time
from pathlib import Path

GREETING = os.environ["GREETING"]  # read at import: the cold start
INVOCATIONS = []


def wait_for(path, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def handler(event, context):
    INVOCATIONS.append(1)
    if "arrive" in event:  # a barrier between concurrent invocations, through the file system
        Path(event["arrive"], str(os.getpid())).touch()
        deadline = time.monotonic() + 5
        while len(list(Path(event["arrive"]).iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    if "release" in event:
        wait_for(event["release"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("exit"):
        os._exit(3)
    if event.get("fail"):
        raise ValueError("failed on purpose")
    if event.get("unserialisable"):
        return {"when": object()}
    return {
        "greeting": GREETING,
        "pid": os.getpid(),
        "invocations_here": len(INVOCATIONS),
        "leak": os.environ.get("LEAK_FROM_PARENT"),
        "tz": os.environ.get("TZ"),
        "function": context.function_name,
        "arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "clock_offset": os.environ.get("PEERLEARN_CLOCK_OFFSET_SECONDS"),
    }
"""


@pytest.fixture
def spec(tmp_path: Path) -> FunctionSpec:
    (tmp_path / "hello").mkdir()
    (tmp_path / "hello" / "app.py").write_text(HANDLER)
    return FunctionSpec(
        logical_id="HelloFunction",
        code_dir=tmp_path / "hello",
        module="app",
        handler="handler",
        layers=(),
        environment={"GREETING": "namaste"},
        timeout_seconds=1,
        memory_mb=128,
        events={},
    )


@pytest.fixture
def runtimes() -> Iterator[list[Runtime]]:
    made: list[Runtime] = []
    yield made
    for runtime in made:
        runtime.close()


def make(
    runtimes: list[Runtime], spec: FunctionSpec, overrides: dict[str, str] | None = None, **options: object
) -> Runtime:
    runtime = Runtime({"HelloFunction": spec}, overrides, **options)  # type: ignore[arg-type]
    runtimes.append(runtime)
    return runtime


def test_the_function_sees_its_environment_and_nothing_of_the_callers(
    spec: FunctionSpec, runtimes: list[Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAK_FROM_PARENT", "oops")

    result = make(runtimes, spec).invoke("HelloFunction", {})

    assert result["greeting"] == "namaste"
    assert result["leak"] is None
    assert result["tz"] == "UTC"
    assert "GREETING" not in os.environ


def test_local_overrides_win_over_the_template(spec: FunctionSpec, runtimes: list[Runtime]) -> None:
    assert (
        make(runtimes, spec, {"GREETING": "vanakkam"}).invoke("HelloFunction", {})["greeting"] == "vanakkam"
    )


def test_a_warm_environment_follows_the_stacks_clock_offset_per_invocation(
    spec: FunctionSpec, runtimes: list[Runtime]
) -> None:
    runtime = make(runtimes, spec)
    first = runtime.invoke("HelloFunction", {})
    runtime.clock_offset_seconds = 86400
    moved = runtime.invoke("HelloFunction", {})

    assert first["pid"] == moved["pid"]  # the same warm environment
    assert (first["clock_offset"], moved["clock_offset"]) == ("0", "86400")


def test_the_context_looks_like_lambdas(spec: FunctionSpec, runtimes: list[Runtime]) -> None:
    runtime = make(runtimes, spec)

    first = runtime.invoke("HelloFunction", {})
    second = runtime.invoke("HelloFunction", {})

    assert first["function"] == "peerlearn-local-HelloFunction"
    assert first["arn"] == "arn:aws:lambda:ap-south-1:000000000000:function:peerlearn-local-HelloFunction"
    assert 500 < first["remaining_ms"] <= 1000
    assert first["request_id"] != second["request_id"]


def test_the_measured_duration_is_the_invocation_without_the_cold_start(
    spec: FunctionSpec, runtimes: list[Runtime]
) -> None:
    runtime = make(runtimes, spec)

    started = time.perf_counter()
    timed = runtime.invoke_timed("HelloFunction", {"sleep": 0.05})
    wall_ms = (time.perf_counter() - started) * 1000

    assert timed.result["greeting"] == "namaste"
    assert timed.duration_ms >= 50
    assert timed.duration_ms + runtime.cold_starts[0].init_seconds * 1000 <= wall_ms


def test_a_failed_invocation_carries_its_duration(spec: FunctionSpec, runtimes: list[Runtime]) -> None:
    with pytest.raises(FunctionError) as failure:
        make(runtimes, spec).invoke_timed("HelloFunction", {"fail": True})

    assert failure.value.duration_ms is not None
    assert failure.value.duration_ms >= 0


def test_a_request_during_warm_up_waits_for_the_warming_environment(
    spec: FunctionSpec, runtimes: list[Runtime]
) -> None:
    # Given a function whose import takes a while, being warmed up
    (spec.code_dir / "app.py").write_text("import time\ntime.sleep(0.3)\n" + HANDLER)
    runtime = make(runtimes, spec)
    warming = threading.Thread(target=runtime.warm, args=("HelloFunction",))
    warming.start()
    wait_until(lambda: runtime.environments("HelloFunction") == 1, what="the warm-up to begin")

    # When a request arrives before it is ready
    result = runtime.invoke("HelloFunction", {})
    warming.join(5)

    # Then it ran in the warmed environment: one cold start, not two on a busy machine
    assert result["greeting"] == "namaste"
    assert runtime.environments("HelloFunction") == 1
    assert len(runtime.cold_starts) == 1


def test_waiting_for_a_slow_cold_start_is_not_a_throttle(spec: FunctionSpec, runtimes: list[Runtime]) -> None:
    # Given a warm-up that outlasts how long a request may queue (a busy machine at start-up)
    (spec.code_dir / "app.py").write_text("import time\ntime.sleep(0.5)\n" + HANDLER)
    runtime = make(runtimes, spec, queue_timeout_seconds=0.1)
    warming = threading.Thread(target=runtime.warm, args=("HelloFunction",))
    warming.start()
    wait_until(lambda: runtime.environments("HelloFunction") == 1, what="the warm-up to begin")

    # When a request arrives, then it waits for that environment instead of being throttled
    assert runtime.invoke("HelloFunction", {})["greeting"] == "namaste"
    warming.join(5)


def test_an_idle_environment_is_reused_and_keeps_its_state(
    spec: FunctionSpec, runtimes: list[Runtime]
) -> None:
    runtime = make(runtimes, spec)

    results = [runtime.invoke("HelloFunction", {}) for _ in range(3)]

    assert len({r["pid"] for r in results}) == 1
    assert [r["invocations_here"] for r in results] == [1, 2, 3]
    assert runtime.environments("HelloFunction") == 1
    assert len(runtime.cold_starts) == 1
    assert runtime.cold_starts[0].import_seconds < runtime.cold_starts[0].init_seconds
    assert runtime.invocations["HelloFunction"] == 3


def test_concurrent_invocations_get_their_own_environments(
    spec: FunctionSpec, runtimes: list[Runtime], tmp_path: Path
) -> None:
    runtime = make(runtimes, spec)
    (tmp_path / "arrived").mkdir()

    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda _: runtime.invoke("HelloFunction", {"arrive": str(tmp_path / "arrived")}), [1, 2])
        )

    assert results[0]["pid"] != results[1]["pid"]
    assert runtime.environments("HelloFunction") == 2


def test_a_full_pool_throttles(spec: FunctionSpec, runtimes: list[Runtime], tmp_path: Path) -> None:
    runtime = make(runtimes, spec, max_concurrency=1, queue_timeout_seconds=0.1)
    release = tmp_path / "release"
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(runtime.invoke, "HelloFunction", {"release": str(release)})
        try:
            wait_until(lambda: runtime.invocations["HelloFunction"] == 1)  # it holds the only environment
            with pytest.raises(Throttled):
                runtime.invoke("HelloFunction", {})
        finally:
            release.touch()
        busy.result()


def test_the_handlers_exception_reaches_the_caller_and_the_environment_survives(
    spec: FunctionSpec, runtimes: list[Runtime]
) -> None:
    runtime = make(runtimes, spec, max_concurrency=1)

    with pytest.raises(FunctionError, match="on purpose") as failure:
        runtime.invoke("HelloFunction", {"fail": True})

    assert failure.value.error_type == "ValueError"
    assert failure.value.stack_trace
    assert runtime.invoke("HelloFunction", {})["invocations_here"] == 2


def test_an_invocation_over_the_timeout_is_stopped_and_its_environment_replaced(
    spec: FunctionSpec, runtimes: list[Runtime]
) -> None:
    runtime = make(runtimes, spec)

    with pytest.raises(FunctionError, match=r"Task timed out after 1\.00 seconds") as failure:
        runtime.invoke("HelloFunction", {"sleep": 3})

    assert failure.value.error_type == "Sandbox.Timedout"
    assert runtime.environments("HelloFunction") == 0
    assert runtime.invoke("HelloFunction", {})["invocations_here"] == 1


def test_a_crashed_environment_is_replaced(spec: FunctionSpec, runtimes: list[Runtime]) -> None:
    runtime = make(runtimes, spec)

    with pytest.raises(FunctionError) as failure:
        runtime.invoke("HelloFunction", {"exit": True})

    assert failure.value.error_type == "Runtime.ExitError"
    assert runtime.invoke("HelloFunction", {})["greeting"] == "namaste"


def test_a_result_that_is_not_json_is_a_marshal_error(spec: FunctionSpec, runtimes: list[Runtime]) -> None:
    with pytest.raises(FunctionError) as failure:
        make(runtimes, spec).invoke("HelloFunction", {"unserialisable": True})

    assert failure.value.error_type == "Runtime.MarshalError"


def test_an_import_error_fails_the_invocation_and_frees_the_slot(
    spec: FunctionSpec, runtimes: list[Runtime]
) -> None:
    (spec.code_dir / "app.py").write_text("raise ImportError('broken')\n")
    runtime = make(runtimes, spec, max_concurrency=1)

    for _ in range(2):
        with pytest.raises(FunctionError, match="broken") as failure:
            runtime.invoke("HelloFunction", {})
        assert failure.value.error_type == "Runtime.ImportModuleError"

    assert runtime.environments("HelloFunction") == 0


def test_close_stops_every_environment(spec: FunctionSpec, runtimes: list[Runtime]) -> None:
    runtime = make(runtimes, spec)
    pid = runtime.invoke("HelloFunction", {})["pid"]

    runtime.close()

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert threading.active_count() >= 1


def test_idle_environments_are_reaped_down_to_one(
    spec: FunctionSpec, runtimes: list[Runtime], tmp_path: Path
) -> None:
    runtime = make(runtimes, spec, idle_timeout_seconds=0.0, reap_interval_seconds=3600.0)
    (tmp_path / "arrived").mkdir()
    with ThreadPoolExecutor(2) as pool:
        list(
            pool.map(lambda _: runtime.invoke("HelloFunction", {"arrive": str(tmp_path / "arrived")}), [1, 2])
        )

    assert runtime.reap_idle() == 1
    assert runtime.environments("HelloFunction") == 1
    assert runtime.invoke("HelloFunction", {})["greeting"] == "namaste"
