"""What every benchmark shares: percentiles, timing loops (end to end, and the function's own duration
from the local gateway's `Server-Timing`), the table of figures, a throwaway local stack, the machine.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "peerlearn")]

from infra.local.dynamodb import CREDENTIALS, REGION, DynamoDBLocal  # noqa: E402
from infra.local.stack import LocalStack  # noqa: E402


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(n: int, call: Callable[[int], Any]) -> list[float]:
    """Milliseconds of each of `n` sequential calls of `call(i)`."""
    samples = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def server_timing(header: str | None) -> dict[str, float]:
    """`fn;dur=12.3, auth;dur=4.5` -> {"fn": 12.3, "auth": 4.5} (metrics without a duration are left out)."""
    found: dict[str, float] = {}
    for metric in (header or "").split(","):
        name, *params = (part.strip() for part in metric.split(";"))
        for param in params:
            key, _, value = param.partition("=")
            if name and key.strip().lower() == "dur":
                with contextlib.suppress(ValueError):
                    found[name] = float(value.strip().strip('"'))
    return found


@dataclass
class Timings:
    """Per request: end to end at the client, and what the gateway says the function (and the
    authorizer) took, as Lambda would bill it; empty lists when the gateway sent no Server-Timing."""

    e2e: list[float] = field(default_factory=list)
    fn: list[float] = field(default_factory=list)
    auth: list[float] = field(default_factory=list)


def timed_requests(n: int, call: Callable[[int], httpx.Response]) -> Timings:
    """Times `n` sequential requests `call(i)`; a response that is not a success stops the run."""
    return timed_against_raw(n, call)[0]


def timed_against_raw(
    n: int, call: Callable[[int], httpx.Response], raw: Callable[[int], Any] | None = None
) -> tuple[Timings, list[float]]:
    """Times `n` requests `call(i)`, each followed by `raw(i)` (the DynamoDB calls it rests on), so a
    busy machine slows both alike; returns the requests' timings and the raw calls' milliseconds."""
    timings, raw_ms = Timings(), []
    for i in range(n):
        start = time.perf_counter()
        reply = call(i)
        timings.e2e.append((time.perf_counter() - start) * 1000)
        if reply.is_error:
            request = reply.request
            raise RuntimeError(f"{request.method} {request.url.path}: {reply.status_code} {reply.text}")
        durations = server_timing(reply.headers.get("server-timing"))
        if "fn" in durations:
            timings.fn.append(durations["fn"])
        if "auth" in durations:
            timings.auth.append(durations["auth"])
        if raw is not None:
            start = time.perf_counter()
            raw(i)
            raw_ms.append((time.perf_counter() - start) * 1000)
    return timings, raw_ms


@dataclass
class Row:
    call: str
    timings: Timings
    raw: list[float] | None = None  # the DynamoDB calls the request rests on, boto3 straight at them
    raw_is: str = ""  # what exactly `raw` runs


def _ms(samples: Sequence[float], p: float) -> str:
    return f"{percentile(list(samples), p):.1f}" if samples else "n/a"


def _ratio(samples: Sequence[float], raw: Sequence[float] | None) -> str:
    if not samples or not raw:
        return "n/a"
    return f"{percentile(list(samples), 50) / percentile(list(raw), 50):.2f}"


def table(rows: Sequence[Row]) -> str:
    """One line per call: end to end p50/p95, the function's own p50/p95 (`fn`), the authorizer's p50,
    the raw DynamoDB calls' p50 and the ratios of the p50s to it; then what each raw figure runs."""
    width = max(len(row.call) for row in rows) + 2
    columns = ["e2e p50", "e2e p95", "fn p50", "fn p95", "auth p50", "raw p50", "fn/raw", "e2e/raw"]
    lines = [f"{'call':<{width}}" + "".join(f"{c:>9}" for c in columns)]
    for row in rows:
        t = row.timings
        cells = [_ms(t.e2e, 50), _ms(t.e2e, 95), _ms(t.fn, 50), _ms(t.fn, 95), _ms(t.auth, 50)]
        cells += [_ms(row.raw or [], 50), _ratio(t.fn, row.raw), _ratio(t.e2e, row.raw)]
        lines.append(f"{row.call:<{width}}" + "".join(f"{c:>9}" for c in cells))
    lines.append("ms; fn = the function's own duration (Server-Timing fn;dur, what Lambda bills), auth = the")
    lines.append(
        "authorizer's; n/a = the gateway sent no Server-Timing. raw = boto3 straight at DynamoDB Local:"
    )
    calls_of: dict[str, list[str]] = {}  # rows that run the same raw calls are named together
    for row in rows:
        if row.raw_is:
            calls_of.setdefault(row.raw_is, []).append(row.call)
    lines.extend(f"  {'; '.join(calls)}: {raw_is}" for raw_is, calls in calls_of.items())
    return "\n".join(lines)


def machine() -> str:
    return f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


@contextlib.contextmanager
def local_stack() -> Iterator[tuple[LocalStack, DynamoDBLocal]]:
    """DynamoDB Local in memory and the local stack in a temporary folder, quiet logs."""
    os.environ.update({**CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})
    with (
        tempfile.TemporaryDirectory() as data_dir,
        DynamoDBLocal() as dynamodb,
        LocalStack(
            data_dir=Path(data_dir),
            port=0,
            dynamodb_endpoint=dynamodb.endpoint,
            env_file=None,
            overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"},
        ) as stack,
    ):
        yield stack, dynamodb
