"""p50/p95 latency of sign-in and GET /api/me on the local stack, over N requests each: end to end,
the function's own duration (the gateway's Server-Timing), and the raw DynamoDB calls (same run).

Starts its own local stack (DynamoDB Local in memory, a throwaway data dir), creates one account,
warms the functions, then times sequential requests from one client. Prints figures; asserts none.
Run: .venv/bin/python benchmarks/api_latency.py [--requests 500]
"""

from __future__ import annotations

import argparse

import boto3
import httpx
from measure import REGION, Row, local_stack, machine, percentile, table, timed, timed_against_raw

PASSWORD = "bench-password-123"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with (
        local_stack() as (stack, dynamodb),
        httpx.Client(base_url=stack.url, timeout=30) as client,
    ):
        body = {"name": "Runner", "email": "runner@example.com", "password": PASSWORD, "role": "learner"}
        assert client.post("/api/auth/register", json=body).status_code == 201
        credentials = {"email": "runner@example.com", "password": PASSWORD}

        def login() -> httpx.Response:
            return client.post("/api/auth/login", json=credentials)

        reply = login()  # warms auth
        reply.raise_for_status()
        user_id, token = reply.json()["user"]["id"], reply.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        client.get("/api/me", headers=headers).raise_for_status()  # warms authorizer and users

        from peerlearn.accounts import passwords
        from peerlearn.store.keys import USER_PROFILE_SK, email_pk, refresh_sk, user_pk

        dynamo = boto3.client("dynamodb", endpoint_url=dynamodb.endpoint, region_name=REGION)
        user = {"pk": {"S": user_pk(user_id)}, "sk": {"S": USER_PROFILE_SK}}
        claim = {"pk": {"S": email_pk(body["email"])}, "sk": {"S": "EMAIL"}}

        def raw_login(i: int) -> None:
            dynamo.get_item(TableName=stack.table_name, Key=claim)
            dynamo.get_item(TableName=stack.table_name, Key=user)
            family = {"pk": user["pk"], "sk": {"S": refresh_sk(f"raw{i}")}, "token_hash": {"S": "x"}}
            dynamo.put_item(TableName=stack.table_name, Item=family)

        logins, raw_logins = timed_against_raw(args.requests, lambda _i: login(), raw_login)
        me, raw_me = timed_against_raw(
            args.requests,
            lambda _i: client.get("/api/me", headers=headers),
            lambda _i: dynamo.get_item(TableName=stack.table_name, Key=user),
        )
        hashed = passwords.hash_password(PASSWORD)
        scrypt = timed(min(args.requests, 50), lambda _i: passwords.verify_password(PASSWORD, hashed))

    print(f"local stack, {args.requests} sequential requests each, one client, warm functions")
    print(machine())
    login_raw = "GetItem email claim + GetItem user + PutItem refresh family (no rate-limit windows)"
    print(
        table(
            [
                Row("POST /api/auth/login", logins, raw_logins, login_raw),
                Row("GET /api/me (+authorizer)", me, raw_me, "GetItem user (the authorizer's own: auth p50)"),
            ]
        )
    )
    print(
        f"sign-in also runs one scrypt verification (32 MiB, by design the slowest step): "
        f"{percentile(scrypt, 50):.1f} ms p50 in-process."
    )


if __name__ == "__main__":
    main()
