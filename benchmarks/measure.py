"""What every benchmark shares: percentiles, a timing loop, a throwaway local stack, the machine line."""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
