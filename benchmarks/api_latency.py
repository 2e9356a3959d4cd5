"""p50/p95 latency of sign-in and GET /api/me on the local stack, over N requests each.

Starts its own local stack (DynamoDB Local in memory, a throwaway data dir), creates one account,
warms the functions, then times sequential requests from one client. Prints figures; asserts none.
Run: .venv/bin/python benchmarks/api_latency.py [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "peerlearn")]

from infra.local.dynamodb import CREDENTIALS, REGION, DynamoDBLocal  # noqa: E402
from infra.local.stack import LocalStack  # noqa: E402

PASSWORD = "bench-password-123"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(n: int, call: callable) -> list[float]:  # type: ignore[valid-type]
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
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
        httpx.Client(base_url=stack.url, timeout=30) as client,
    ):
        body = {"name": "Runner", "email": "runner@example.com", "password": PASSWORD, "role": "learner"}
        assert client.post("/api/auth/register", json=body).status_code == 201
        credentials = {"email": "runner@example.com", "password": PASSWORD}

        def login() -> str:
            reply = client.post("/api/auth/login", json=credentials)
            reply.raise_for_status()
            token: str = reply.json()["access_token"]
            return token

        token = login()  # warms auth
        headers = {"Authorization": f"Bearer {token}"}
        client.get("/api/me", headers=headers).raise_for_status()  # warms authorizer and users

        logins = timed(args.requests, login)
        me = timed(args.requests, lambda: client.get("/api/me", headers=headers).raise_for_status())

    print(f"local stack, {args.requests} sequential requests each, one client, warm functions")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'endpoint':<28}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    for name, samples in (("POST /api/auth/login", logins), ("GET /api/me (+authorizer)", me)):
        p50, p95, mean = percentile(samples, 50), percentile(samples, 95), statistics.fmean(samples)
        print(f"{name:<28}{p50:>9.1f}{p95:>9.1f}{mean:>9.1f}")
    print("sign-in includes one scrypt verification (32 MiB, by design the slowest step).")


if __name__ == "__main__":
    main()
