"""One Lambda execution environment: a Python process that imports a handler once, then runs invocations.

Started by `infra.local.runtime` as `python -P worker.py <module.handler> <request fd> <response fd>`
with exactly the function's environment and PYTHONPATH (its code folder, then its layers), like
/var/task and /opt/python in Lambda. Messages on both pipes are 4-byte big-endian lengths followed
by JSON. Standard library only, and nothing from this repository, so the function sees no more
than it would in Lambda. Output goes to the inherited stdout/stderr (the console is CloudWatch).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import struct
import sys
import time
import traceback
from typing import IO, Any

_LENGTH = struct.Struct(">I")
# The local stack's clock offset (peerlearn.clock reads it on every call); set per invocation, so a
# warm environment follows the stack's clock as it moves.
CLOCK_OFFSET_VARIABLE = "PEERLEARN_CLOCK_OFFSET_SECONDS"


class LambdaContext:
    """What Lambda passes as `context`, with the attributes Powertools reads."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.function_name: str = fields["function_name"]
        self.function_version: str = fields["function_version"]
        self.invoked_function_arn: str = fields["invoked_function_arn"]
        self.memory_limit_in_mb: int = fields["memory_limit_in_mb"]
        self.aws_request_id: str = fields["aws_request_id"]
        self.log_group_name: str = fields["log_group_name"]
        self.log_stream_name: str = fields["log_stream_name"]
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline_ms: int = fields["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def send(out: IO[bytes], message: dict[str, Any]) -> None:
    payload = json.dumps(message).encode()
    out.write(_LENGTH.pack(len(payload)) + payload)
    out.flush()


def receive(source: IO[bytes]) -> dict[str, Any] | None:
    header = source.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None  # the runtime closed the pipe: this environment is shut down
    (length,) = _LENGTH.unpack(header)
    message: dict[str, Any] = json.loads(source.read(length))
    return message


def main() -> int:
    handler_path, request_fd, response_fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the gateway, which stops us
    requests = os.fdopen(request_fd, "rb")
    responses = os.fdopen(response_fd, "wb")

    module_name, _, handler_name = handler_path.rpartition(".")
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), handler_name)
    except BaseException as exc:  # what Lambda reports as Runtime.ImportModuleError / init errors
        traceback.print_exc()
        send(responses, {"init_error": error(exc, "Runtime.ImportModuleError")})
        return 1
    send(responses, {"ready": True, "import_seconds": time.perf_counter() - started})

    while (message := receive(requests)) is not None:
        os.environ[CLOCK_OFFSET_VARIABLE] = str(int(message.get("clock_offset_seconds") or 0))
        try:
            result = handler(message["event"], LambdaContext(message["context"]))
        except BaseException as exc:
            print(f"[ERROR] {type(exc).__name__}: {exc}", file=sys.stderr)
            traceback.print_exc()
            send(responses, {"error": error(exc)})
            if isinstance(exc, SystemExit | KeyboardInterrupt):
                return 1
            continue
        try:
            send(responses, {"result": result})
        except (TypeError, ValueError) as exc:
            send(responses, {"error": error(exc, "Runtime.MarshalError")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
