"""One Lambda execution environment seen from the runtime: the worker process (`worker.py`) and the
two pipes to it, with length-prefixed JSON messages both ways and deadlines on every read.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import struct
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

WORKER = Path(__file__).with_name("worker.py")
_LENGTH = struct.Struct(">I")


class ExecutionEnvironment:
    """One worker process and the two pipes to it."""

    @classmethod
    def spawn(
        cls, number: int, python: str, handler: str, env: Mapping[str, str], cwd: Path
    ) -> ExecutionEnvironment:
        """Starts the worker for `handler` ("module.function"); it then imports it (the cold start)."""
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        try:
            process = subprocess.Popen(  # noqa: S603 - our worker, our arguments
                [python, "-P", str(WORKER), handler, str(request_read), str(response_write)],
                env=dict(env),
                cwd=cwd,
                pass_fds=(request_read, response_write),
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            for descriptor in (request_read, request_write, response_read, response_write):
                os.close(descriptor)
            raise
        os.close(request_read)
        os.close(response_write)
        return cls(number, process, os.fdopen(request_write, "wb"), os.fdopen(response_read, "rb"))

    def __init__(
        self, number: int, process: subprocess.Popen[bytes], requests: IO[bytes], responses: IO[bytes]
    ):
        self.number = number
        self.process = process
        self.requests = requests
        self.responses = responses
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.idle_since = time.monotonic()

    def send(self, message: Mapping[str, Any]) -> None:
        payload = json.dumps(message).encode()
        self.requests.write(_LENGTH.pack(len(payload)) + payload)
        self.requests.flush()

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None when the deadline passed; EOFError when the process ended."""
        deadline = time.monotonic() + timeout
        header = self._read(_LENGTH.size, deadline)
        if header is None:
            return None
        body = self._read(_LENGTH.unpack(header)[0], deadline)
        if body is None:
            return None
        message: dict[str, Any] = json.loads(body)
        return message

    def _read(self, size: int, deadline: float) -> bytes | None:
        data = b""
        descriptor = self.responses.fileno()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([descriptor], [], [], remaining)[0]:
                return None
            chunk = os.read(descriptor, size - len(data))
            if not chunk:
                raise EOFError("the environment's process exited")
            data += chunk
        return data

    def stop(self) -> None:
        for pipe in (self.requests, self.responses):
            with contextlib.suppress(OSError):
                pipe.close()
        try:
            self.process.wait(timeout=2)  # it exits when its request pipe closes
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
