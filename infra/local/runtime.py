"""The local Lambda runtime: each function runs in execution environments, as it does in Lambda.

An execution environment (`infra.local.execution`) is a Python process (`worker.py`) started with
exactly the function's environment and PYTHONPATH (its code, then its layers). It imports the handler once
(the cold start: settings, loggers and resolvers are built there) and then runs one invocation at
a time. Separate processes matter: module-level state of the handler *and of the layer* (routers,
table binding, logger set-up, Powertools' cold-start flag) belongs to one environment, never shared.

A function gets a pool of environments that grows on demand up to `max_concurrency`; idle ones
are reused. A request that finds the pool full waits up to the function timeout, then is throttled
(waiting for an environment that is still starting does not count).
An invocation that outlives the function's Timeout is stopped and its environment discarded, as
are environments whose process dies. Invocations and results cross the process boundary as JSON,
as they do in Lambda.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.local.account import REGION, function_arn
from infra.local.background import BackgroundLoop
from infra.local.execution import ExecutionEnvironment
from infra.local.template import FunctionSpec

log = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENCY = 8
INIT_TIMEOUT_SECONDS = 10.0  # Lambda's limit for the init phase


class Throttled(RuntimeError):
    """Every execution environment of the function stayed busy (Lambda's TooManyRequestsException)."""


class FunctionError(Exception):
    """The function failed: it raised, timed out, crashed or could not start. `str()` is its message."""

    def __init__(
        self,
        error_type: str,
        message: str,
        stack_trace: list[str] | None = None,
        duration_ms: float | None = None,
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace or []
        self.duration_ms = duration_ms  # of the invocation, when it started (not for init failures)


@dataclass(frozen=True)
class Timed:
    """A handler's result and how long the invocation took in its environment (what Lambda bills)."""

    result: Any
    duration_ms: float


@dataclass(frozen=True)
class ColdStart:
    function: str
    import_seconds: float  # the handler module's import, inside the environment
    init_seconds: float  # from starting the process to ready (interpreter + import)


class _Pool:
    def __init__(self, spec: FunctionSpec, max_size: int) -> None:
        self.spec = spec
        self.max_size = max_size
        self.created = 0
        self.starting = 0
        self.idle: deque[ExecutionEnvironment] = deque()
        self.busy: set[ExecutionEnvironment] = set()
        self.available = threading.Condition()


class Runtime:
    """Runs the template's functions: `Runtime(functions, overrides).invoke("AuthFunction", event)`."""

    def __init__(
        self,
        functions: Mapping[str, FunctionSpec],
        env_overrides: Mapping[str, str] | None = None,
        *,
        function_name_prefix: str = "peerlearn-local",
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        queue_timeout_seconds: float | None = None,
        idle_timeout_seconds: float = 600.0,
        reap_interval_seconds: float = 30.0,
        python: str = sys.executable,
    ) -> None:
        self.functions = dict(functions)
        self.env_overrides = dict(env_overrides or {})
        self.function_name_prefix = function_name_prefix
        self.queue_timeout_seconds = queue_timeout_seconds
        self.idle_timeout_seconds = idle_timeout_seconds
        self.reap_interval_seconds = reap_interval_seconds
        self.python = python
        self.cold_starts: list[ColdStart] = []
        self.invocations: Counter[str] = Counter()  # started invocations, by function
        # How far the stack's clock is ahead of the wall clock (POST /_dev/clock). Sent with every
        # invocation: the worker sets PEERLEARN_CLOCK_OFFSET_SECONDS, which peerlearn.clock adds.
        self.clock_offset_seconds = 0
        self._pools = {name: _Pool(spec, max_concurrency) for name, spec in self.functions.items()}
        self._lock = threading.Lock()
        self._counter = 0
        self._closed = threading.Event()
        self._reaper = BackgroundLoop("reap-environments", self._reap_step)

    # ------------------------------------------------------------------ names and environment
    def function_name(self, logical_id: str) -> str:
        return f"{self.function_name_prefix}-{logical_id}"

    def function_arn(self, logical_id: str) -> str:
        return function_arn(self.function_name(logical_id))

    def environment(self, logical_id: str) -> dict[str, str]:
        """The process environment of the function: Lambda's own variables, the template's, the overrides."""
        spec = self.functions[logical_id]
        name = self.function_name(logical_id)
        return {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - as good as any when unset
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "PYTHONPATH": os.pathsep.join([str(spec.code_dir), *(str(layer) for layer in spec.layers)]),
            "PYTHONUNBUFFERED": "1",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "_HANDLER": f"{spec.module}.{spec.handler}",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # No shared config files in Lambda: the developer's ~/.aws must not leak in.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            **spec.environment,
            **self.env_overrides,
        }

    # ------------------------------------------------------------------ invoking
    def invoke(self, logical_id: str, event: Any) -> Any:
        """Runs one invocation and returns the handler's result; failures raise FunctionError."""
        return self.invoke_timed(logical_id, event).result

    def invoke_timed(self, logical_id: str, event: Any) -> Timed:
        """`invoke`, with the invocation's duration: from handing over the event to the answer,
        without waiting for an environment or its cold start."""
        pool = self._pools[logical_id]
        environment = self._acquire(pool)
        with self._lock:
            self.invocations[logical_id] += 1
        spec = pool.spec
        request_id = str(uuid.uuid4())
        context = {
            "function_name": self.function_name(logical_id),
            "function_version": "$LATEST",
            "invoked_function_arn": self.function_arn(logical_id),
            "memory_limit_in_mb": spec.memory_mb,
            "aws_request_id": request_id,
            "log_group_name": f"/aws/lambda/{self.function_name(logical_id)}",
            "log_stream_name": environment.log_stream_name,
            "deadline_ms": int(time.time() * 1000) + spec.timeout_seconds * 1000,
        }
        started = time.perf_counter()
        try:
            environment.send(
                {"event": event, "context": context, "clock_offset_seconds": self.clock_offset_seconds}
            )
            answer = environment.receive(timeout=spec.timeout_seconds + 0.5)
        except (OSError, EOFError) as exc:
            self._discard(pool, environment)
            message = f"RequestId: {request_id} Error: Runtime exited"
            log.error("%s: %s", logical_id, message)
            raise FunctionError("Runtime.ExitError", message, duration_ms=_since(started)) from exc
        duration_ms = _since(started)
        if answer is None:
            self._discard(pool, environment)
            message = f"{request_id} Task timed out after {spec.timeout_seconds:.2f} seconds"
            log.error("%s: %s", logical_id, message)
            raise FunctionError("Sandbox.Timedout", message, duration_ms=duration_ms)
        self._release(pool, environment)
        if "error" in answer:
            failure = answer["error"]
            raise FunctionError(
                failure["errorType"], failure["errorMessage"], failure.get("stackTrace"), duration_ms
            )
        return Timed(answer["result"], duration_ms)

    def warm(self, logical_id: str) -> None:
        """Starts one execution environment now, so the first request does not pay the cold start."""
        pool = self._pools[logical_id]
        with pool.available:
            if pool.idle or pool.created:
                return
            pool.created += 1
            pool.starting += 1  # a request arriving meanwhile waits for this one (see _acquire)
        try:
            environment = self._start(pool)
        except BaseException:
            with pool.available:
                pool.created -= 1
                pool.starting -= 1
                pool.available.notify_all()
            raise
        environment.idle_since = time.monotonic()
        with pool.available:  # one step, so no request sees neither a starting nor an idle one
            pool.starting -= 1
            pool.idle.append(environment)
            pool.available.notify_all()

    def environments(self, logical_id: str) -> int:
        """How many execution environments the function has (busy or idle)."""
        return self._pools[logical_id].created

    def close(self) -> None:
        """Stops every environment (busy ones are killed)."""
        self._closed.set()
        self._reaper.stop()
        for pool in self._pools.values():
            with pool.available:
                environments = [*pool.idle, *pool.busy]
                pool.idle.clear()
                pool.busy.clear()
                pool.created = 0
                pool.available.notify_all()
            for environment in environments:
                environment.stop()

    # ------------------------------------------------------------------ the pool
    def _acquire(self, pool: _Pool) -> ExecutionEnvironment:
        if self._closed.is_set():
            raise RuntimeError("the runtime is closed")
        wait = (
            self.queue_timeout_seconds
            if self.queue_timeout_seconds is not None
            else pool.spec.timeout_seconds
        )
        deadline = time.monotonic() + wait
        with pool.available:
            while not pool.idle:
                # One cold start at a time per function: on a laptop's few cores, a burst that started
                # many interpreters at once would starve them all past the init timeout. Requests wait
                # for whichever environment frees first (Lambda scales out on separate machines).
                if pool.created < pool.max_size and pool.starting == 0:
                    pool.created += 1
                    pool.starting += 1
                    break
                if pool.starting:
                    # An environment is on its way and its start has its own limit: waiting for it
                    # is not a throttle (under load a cold start can outlast the function timeout).
                    pool.available.wait()
                    if self._closed.is_set():
                        raise RuntimeError("the runtime is closed")
                    continue
                if not pool.available.wait(timeout=deadline - time.monotonic()):
                    raise Throttled(f"{pool.spec.logical_id}: all {pool.max_size} environments are busy")
            else:
                environment = pool.idle.pop()  # the most recently used: the others can age out
                pool.busy.add(environment)
                return environment
        try:
            environment = self._start(pool)
        except BaseException:
            with pool.available:
                pool.created -= 1
                pool.starting -= 1
                pool.available.notify_all()
            raise
        with pool.available:
            pool.starting -= 1
            pool.busy.add(environment)
            pool.available.notify_all()
        return environment

    def _release(self, pool: _Pool, environment: ExecutionEnvironment) -> None:
        environment.idle_since = time.monotonic()
        with pool.available:
            pool.busy.discard(environment)
            pool.idle.append(environment)
            pool.available.notify()

    def reap_idle(self) -> int:
        """Stops environments idle for longer than `idle_timeout_seconds`, keeping one per function.

        Lambda reclaims idle environments too; locally it bounds memory after a burst of traffic.
        """
        horizon = time.monotonic() - self.idle_timeout_seconds
        stale: list[ExecutionEnvironment] = []
        for pool in self._pools.values():
            with pool.available:
                while len(pool.idle) > 1 and pool.idle[0].idle_since < horizon:  # oldest first
                    stale.append(pool.idle.popleft())
                    pool.created -= 1
        for environment in stale:
            environment.stop()
        return len(stale)

    def _reap_step(self) -> float:
        self.reap_idle()
        return self.reap_interval_seconds

    def _discard(self, pool: _Pool, environment: ExecutionEnvironment) -> None:
        with pool.available:
            pool.busy.discard(environment)
            pool.created -= 1
            pool.available.notify()
        environment.process.kill()
        environment.stop()

    def _start(self, pool: _Pool) -> ExecutionEnvironment:
        """A new execution environment: the process is started and the handler imported (cold start)."""
        spec = pool.spec
        with self._lock:
            self._counter += 1
            number = self._counter
            if not self._closed.is_set():
                self._reaper.start()  # once: starting a started loop does nothing
        started = time.perf_counter()
        environment = ExecutionEnvironment.spawn(
            number,
            self.python,
            f"{spec.module}.{spec.handler}",
            self.environment(spec.logical_id),
            spec.code_dir,
        )
        try:
            ready = environment.receive(timeout=max(INIT_TIMEOUT_SECONDS, spec.timeout_seconds))
        except EOFError:
            ready = None
        if ready is None or "init_error" in ready:
            environment.process.kill()
            environment.stop()
            failure = (ready or {}).get("init_error") or {}
            raise FunctionError(
                failure.get("errorType", "Runtime.ExitError"),
                failure.get("errorMessage", f"{spec.logical_id} did not start (see its output above)"),
                failure.get("stackTrace"),
            )
        init_seconds = time.perf_counter() - started
        self.cold_starts.append(ColdStart(spec.logical_id, float(ready["import_seconds"]), init_seconds))
        log.info(
            "%s cold start (environment %d): %.0f ms (import %.0f ms)",
            spec.logical_id,
            number,
            init_seconds * 1000,
            ready["import_seconds"] * 1000,
        )
        return environment


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
