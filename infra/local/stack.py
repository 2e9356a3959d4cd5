"""The local stack: DynamoDB Local, the table, the functions and their triggers behind one gateway.

`LocalStack` wires everything from template.yaml and starts it on 127.0.0.1 (context manager, or
`start()`/`stop()`). Each function runs in its own processes (see `infra.local.runtime`) with its
template environment under the local values (see `infra.local.environment` for the layering).
The triggers are whatever `infra.local.triggers` finds in the template; the stack names none.
While the stack runs, this process has the fake credentials, region and DynamoDB endpoint in
`os.environ` too, for the stack's own code (the seed hook, create-admin).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from infra.local import dynamodb
from infra.local.account import CREDENTIALS, REGION
from infra.local.dynamodb import DynamoDBLocal, ensure_table
from infra.local.edge import Edge, load_response_policies
from infra.local.environment import (
    local_environment,
    local_refs,
    process_environment,
    read_env_file,
    with_groq,
)
from infra.local.frames import ApiGatewayFrames
from infra.local.gateway import DevResources, create_app
from infra.local.runtime import Runtime
from infra.local.template import ROOT, TEMPLATE_PATH, Template
from infra.local.triggers import RunsSchedules, Trigger, TriggerContext, load_triggers

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = ROOT / ".local"
DEFAULT_PORT = 3000
LOCAL_TABLE_NAME = "peerlearn-local"
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 15.0


# ---------------------------------------------------------------------- the stack
class LocalStack:
    """Everything template.yaml describes, on 127.0.0.1. `with LocalStack(port=0) as stack: stack.url`.

    `dynamodb_endpoint` reuses a running DynamoDB (tests share one per session); otherwise DynamoDB
    Local starts with data under `<data_dir>/dynamodb` (`persist_dynamodb=False`: in memory).
    `websocket_idle_seconds` and `websocket_lifetime_seconds` stand for API Gateway's WebSocket idle
    timeout (10 minutes without data either way) and connection lifetime (2 hours).
    """

    def __init__(
        self,
        *,
        data_dir: Path = DEFAULT_DATA_DIR,
        port: int = DEFAULT_PORT,
        template_path: Path = TEMPLATE_PATH,
        table_name: str = LOCAL_TABLE_NAME,
        dynamodb_endpoint: str | None = None,
        persist_dynamodb: bool = True,
        env_file: Path | None = ROOT / ".env",
        overrides: Mapping[str, str] | None = None,
        web_dist: Path = ROOT / "web" / "dist",
        dead_letter_path: Path | None = None,
        poll_interval_seconds: float = 0.1,
        retry_delay_seconds: float = 0.2,
        max_concurrency: int = 8,
        access_log: bool = False,
        websocket_idle_seconds: float = 10 * 60.0,
        websocket_lifetime_seconds: float = 2 * 60 * 60.0,
    ) -> None:
        self.data_dir = data_dir
        self.port = port
        self.template_path = template_path
        self.table_name = table_name
        self.persist_dynamodb = persist_dynamodb
        self.env_file = env_file
        self.overrides = dict(overrides or {})
        self.web_dist = web_dist
        self.dead_letter_path = dead_letter_path or data_dir / "dead-letters.jsonl"
        self.poll_interval_seconds = poll_interval_seconds
        self.retry_delay_seconds = retry_delay_seconds
        self.max_concurrency = max_concurrency
        self.access_log = access_log
        self.websocket_idle_seconds = websocket_idle_seconds
        self.websocket_lifetime_seconds = websocket_lifetime_seconds
        self.dynamodb_endpoint = dynamodb_endpoint or ""
        self.timings: dict[str, float] = {}
        # Set by start():
        self.url = ""
        self.env: dict[str, str] = {}
        self.template: Template | None = None
        self.runtime: Runtime | None = None
        self.triggers: list[Trigger] = []
        self._dynamodb: DynamoDBLocal | None = None
        self._server: uvicorn.Server | None = None
        self._server_thread: threading.Thread | None = None
        self._exit = contextlib.ExitStack()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalStack:
        started = time.perf_counter()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.timings["total"] = time.perf_counter() - started
        return self

    def _start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        listener = self._exit.enter_context(_listen(self.port))
        self.port = listener.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"

        if not self.dynamodb_endpoint:
            step = time.perf_counter()
            stop_orphaned_dynamodb(self.data_dir)
            self._dynamodb = DynamoDBLocal(self.data_dir / "dynamodb" if self.persist_dynamodb else None)
            self._exit.enter_context(self._dynamodb)
            self.dynamodb_endpoint = self._dynamodb.endpoint
            self.timings["dynamodb"] = time.perf_counter() - step

        template = Template.load(self.template_path)
        template.refs = local_refs(template, self.table_name, self.url)
        self.template = template
        step = time.perf_counter()
        ensure_table(dynamodb.client("dynamodb", self.dynamodb_endpoint), template)
        self.timings["table"] = time.perf_counter() - step

        self.env = with_groq(
            {
                **local_environment(self.data_dir, self.url, self.table_name, self.dynamodb_endpoint),
                **(read_env_file(self.env_file) if self.env_file else {}),
                **self.overrides,
            },
            self.url,
        )
        # Functions run in their own processes with their own environment; code of the stack itself
        # (the seed, the upload check) talks to DynamoDB Local with the same fake credentials.
        self._exit.enter_context(
            process_environment(
                {
                    **CREDENTIALS,
                    "AWS_DEFAULT_REGION": REGION,
                    "AWS_REGION": REGION,
                    "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
                    "AWS_EC2_METADATA_DISABLED": "true",
                }
            )
        )
        functions = template.functions()
        for spec in functions.values():  # the gateway itself uses the layer (upload signatures)
            for layer in spec.layers:
                if str(layer) not in sys.path:
                    sys.path.insert(0, str(layer))
        self.runtime = Runtime(functions, self.env, max_concurrency=self.max_concurrency)
        self._exit.callback(self.runtime.close)
        self.triggers = load_triggers(
            TriggerContext(
                template=template,
                runtime=self.runtime,
                data_dir=self.data_dir,
                dynamodb_endpoint=self.dynamodb_endpoint,
                dead_letter_path=self.dead_letter_path,
                poll_interval_seconds=self.poll_interval_seconds,
                retry_delay_seconds=self.retry_delay_seconds,
                url=self.url,
                env=self.env,
                websocket_idle_seconds=self.websocket_idle_seconds,
                websocket_lifetime_seconds=self.websocket_lifetime_seconds,
            )
        )
        resources = DevResources(
            web_dist=self.web_dist,
            outbox_dir=Path(self.env["OUTBOX_DIR"]),
            uploads_dir=self.data_dir / "uploads",
            upload_secret=self.env["JWT_SECRET"],
        )
        edge = Edge(self.env["ORIGIN_SECRET"], load_response_policies(template, self.url))
        self._serve(create_app(self.triggers, resources, edge), listener)
        for trigger in self.triggers:
            trigger.start()
            self._exit.callback(trigger.stop)
        self._write_state()

    def _serve(self, app: Any, listener: socket.socket) -> None:
        config = uvicorn.Config(
            app,
            log_level="info" if self.access_log else "warning",
            access_log=self.access_log,
            ws=ApiGatewayFrames,  # API Gateway's frame and message limits (1009)
            ws_ping_interval=None,  # API Gateway sends no pings of its own
            # nor offers permessage-deflate: frames on the wire are what its 32 KB limit counts
            ws_per_message_deflate=False,
        )
        config.lifespan = "off"
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name="gateway", daemon=True
        )
        thread.start()
        self._server, self._server_thread = server, thread
        self._exit.callback(self._stop_server)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the gateway stopped while starting (see the log above)")
            if time.monotonic() > deadline:
                raise TimeoutError("the gateway did not start")
            time.sleep(0.01)

    def _stop_server(self) -> None:
        if self._server is not None and self._server_thread is not None:
            self._server.should_exit = True
            self._server_thread.join(10)
        self._server = self._server_thread = None

    def stop(self) -> None:
        """Stops whatever this stack started, in reverse order. Safe to call twice."""
        self._exit.close()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ for tests and tools
    def await_idle(self, timeout: float = 10.0) -> None:
        """Blocks until every trigger has delivered what it has seen (stream records...)."""
        deadline = time.monotonic() + timeout
        for trigger in self.triggers:
            trigger.await_idle(max(0.0, deadline - time.monotonic()))

    def invoke(self, function: str, event: Any) -> Any:
        """Invokes a function directly (like `aws lambda invoke`), with its local environment."""
        if self.runtime is None:
            raise RuntimeError("the stack is not started")
        return self.runtime.invoke(function, event)

    def run_schedule(self, function: str, event_name: str | None = None) -> Any:
        """Fires a schedule of `function` now and returns the function's result (FunctionError if it fails).

        The function gets the event its rule or schedule sends; `event_name` may be left out when the
        function has one schedule.
        """
        for trigger in self.triggers:
            if isinstance(trigger, RunsSchedules):
                return trigger.run_now(function, event_name)
        raise LookupError("the template declares no Schedule or ScheduleV2 event")

    @contextlib.contextmanager
    def schedules_held(self) -> Iterator[None]:
        """No scheduled run starts inside the block; each that fell due fires once after it (the
        demo seed writes the past, which the every-minute sweep would act on half-written)."""
        with contextlib.ExitStack() as held:
            for trigger in self.triggers:
                if isinstance(trigger, RunsSchedules):
                    held.enter_context(trigger.held())
            yield

    def advance_clock(self, seconds: int) -> dict[str, Any]:
        """Moves the functions' clock `seconds` forward and runs the every-minute sweep once, as
        `POST /_dev/clock` does; returns {"offset_seconds", "now", "sweep"}."""
        for trigger in self.triggers:
            stack_clock = getattr(trigger, "stack_clock", None)
            if stack_clock is not None:
                result: dict[str, Any] = stack_clock.advance(seconds)
                return result
        raise LookupError("the template declares no every-minute sweep to run")

    @property
    def razorpay(self) -> Any:
        """The Razorpay sandbox (`infra.local.triggers.razorpay.sandbox.Sandbox`), for tests."""
        for trigger in self.triggers:
            if trigger.name == "razorpay":
                return getattr(trigger, "sandbox")  # noqa: B009  (the stack imports no trigger)
        raise RuntimeError("the stack is not started")

    @property
    def groq(self) -> Any:
        """The Groq stand-in (`infra.local.triggers.groq.standin.GroqStandIn`), for tests; None when
        a real GROQ_API_KEY is set."""
        for trigger in self.triggers:
            if trigger.name == "groq":
                return getattr(trigger, "standin")  # noqa: B009  (the stack imports no trigger)
        return None

    def warm(self, concurrency: int | None = None) -> list[threading.Thread]:
        """Starts one execution environment of every function in the background, in template order,
        `concurrency` (default: one per CPU) at a time; returns the threads doing it.

        All at once, eight interpreters importing on two cores all finish late; a few at a time,
        the first functions answer early. A request for a function not warmed yet starts its own.
        """
        runtime = self.runtime
        if runtime is None:
            raise RuntimeError("the stack is not started")
        waiting = list(runtime.functions)
        lock = threading.Lock()

        def warm_next() -> None:
            while True:
                with lock:
                    if not waiting:
                        return
                    name = waiting.pop(0)
                try:
                    runtime.warm(name)
                except Exception as exc:
                    log.error("%s cannot start: %s", name, exc)  # its output above says why

        workers = max(1, concurrency or os.cpu_count() or 2)
        threads = [threading.Thread(target=warm_next, name="warm", daemon=True) for _ in range(workers)]
        for thread in threads:
            thread.start()
        return threads

    @property
    def settings_env(self) -> dict[str, str]:
        """What a function sees minus its own variables: Globals plus the local values."""
        if self.template is None:
            raise RuntimeError("the stack is not started")
        return {**self.template.global_environment(), **self.env}

    # ------------------------------------------------------------------ the state file
    def _state_path(self) -> Path:
        return self.data_dir / "run" / "stack.json"

    def _write_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "url": self.url,
            "dynamodb_endpoint": self.dynamodb_endpoint,
            "dynamodb_pid": self._dynamodb.pid if self._dynamodb else None,
            "table_name": self.table_name,
        }
        path = self._state_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(state, indent=1))
        self._exit.callback(path.unlink, missing_ok=True)


def running_stack(data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, Any] | None:
    """The state of a stack running on this data dir in another process, if any."""
    path = data_dir / "run" / "stack.json"
    if not path.is_file():
        return None
    state: dict[str, Any] = json.loads(path.read_text())
    return state if _alive(int(state["pid"])) else None


def stop_orphaned_dynamodb(data_dir: Path) -> None:
    """A stack killed without cleanup leaves its DynamoDB Local holding the data file: stop it."""
    path = data_dir / "run" / "stack.json"
    if not path.is_file():
        return
    state = json.loads(path.read_text())
    if _alive(int(state["pid"])):
        raise RuntimeError(f"a local stack (pid {state['pid']}) already runs on {data_dir} at {state['url']}")
    orphan = state.get("dynamodb_pid")
    if orphan and _alive(orphan) and "DynamoDBLocal" in _command_line(orphan):
        log.warning("stopping DynamoDB Local (pid %s) left behind by a previous run", orphan)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(orphan, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while _alive(orphan) and time.monotonic() < deadline:
            time.sleep(0.05)
    path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process nobody has reaped yet is a zombie: gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@contextlib.contextmanager
def _listen(port: int) -> Iterator[socket.socket]:
    # proto must say TCP: asyncio only disables Nagle on accepted sockets that say so (a 40 ms
    # delayed-ACK stall on every keep-alive request otherwise).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as exc:
        listener.close()
        raise OSError(f"port {port} on {HOST} is taken ({exc.strerror}): pass another with --port") from exc
    listener.listen(128)
    try:
        yield listener
    finally:
        listener.close()
