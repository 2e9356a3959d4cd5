"""p50/p95 latency of sign-in and GET /api/me on the local stack, over N requests each.

Starts its own local stack (DynamoDB Local in memory, a throwaway data dir), creates one account,
warms the functions, then times sequential requests from one client. Prints figures; asserts none.
Run: .venv/bin/python benchmarks/api_latency.py [--requests 500]
"""

from __future__ import annotations

import argparse
import statistics

import httpx
from measure import local_stack, machine, percentile, timed

PASSWORD = "bench-password-123"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with (
        local_stack() as (stack, _dynamodb),
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

        logins = timed(args.requests, lambda _i: login())
        me = timed(args.requests, lambda _i: client.get("/api/me", headers=headers).raise_for_status())

    print(f"local stack, {args.requests} sequential requests each, one client, warm functions")
    print(machine())
    print(f"{'endpoint':<28}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    for name, samples in (("POST /api/auth/login", logins), ("GET /api/me (+authorizer)", me)):
        p50, p95, mean = percentile(samples, 50), percentile(samples, 95), statistics.fmean(samples)
        print(f"{name:<28}{p50:>9.1f}{p95:>9.1f}{mean:>9.1f}")
    print("sign-in includes one scrypt verification (32 MiB, by design the slowest step).")


if __name__ == "__main__":
    main()
