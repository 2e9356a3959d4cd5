"""p50/p95 of the recommendations routes through the local stack: end to end, the function's own
duration (the gateway's Server-Timing), and the raw DynamoDB calls each rests on (same run).

Starts its own local stack (DynamoDB Local in memory, a throwaway data dir), seeds the demo data with
its community (infra/local/seed.py), runs the build function once (as `make dev` does), signs in a
demo learner and a demo mentor, warms the function, then times sequential requests from one client.
Prints figures; asserts none. Run: .venv/bin/python benchmarks/recommend_stack.py [--requests 300]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import boto3
import httpx
from measure import REGION, Row, local_stack, machine, table, timed_against_raw

LEARNER = "asha@peerlearn.example"
MENTOR = "vikram@peerlearn.example"
CANDIDATES = 20  # a page of 10 reads max(2 * limit, 20) candidates live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    started = time.perf_counter()
    with (
        local_stack() as (stack, dynamodb),
        httpx.Client(base_url=stack.url, timeout=60) as client,
    ):
        from infra.local.seed import seed_stack
        from infra.local.seed_data import DEMO_PASSWORD

        seed_stack(stack)
        seeded = time.perf_counter()
        build = stack.run_schedule("RecommendBuildFunction")

        def sign_in(email: str) -> tuple[str, dict[str, str]]:
            reply = client.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
            reply.raise_for_status()
            return reply.json()["user"]["id"], {"Authorization": f"Bearer {reply.json()['access_token']}"}

        learner_id, as_learner = sign_in(LEARNER)
        mentor_id, as_mentor = sign_in(MENTOR)
        base = "/api/recommendations"
        trending = client.get(f"{base}/trending", params={"limit": 10})
        trending.raise_for_status()
        picked = [item["session"]["id"] for item in trending.json()["items"]]
        if not picked:
            raise RuntimeError("trending is empty after the seed and the build: nothing to measure")
        session_id = picked[0]
        calls = {
            "GET sessions (for you)": lambda _i: client.get(f"{base}/sessions", headers=as_learner),
            "GET trending (visitor)": lambda _i: client.get(f"{base}/trending"),
            "GET sessions/{id}/similar": lambda _i: client.get(f"{base}/sessions/{session_id}/similar"),
            "GET mentors": lambda _i: client.get(f"{base}/mentors", headers=as_learner),
            "GET demand (mentor)": lambda _i: client.get(f"{base}/demand", headers=as_mentor),
        }
        for call in calls.values():  # warm each route (and the authorizer) before timing
            for _ in range(3):
                call(0).raise_for_status()

        from peerlearn.store.keys import (
            SESSION_SK,
            USER_PROFILE_SK,
            learner_bookings_pk,
            mentor_sessions_pk,
            session_pk,
            user_pk,
        )
        from peerlearn.store.recommend import TASTE_SK, TRENDING

        dynamo = boto3.client("dynamodb", endpoint_url=dynamodb.endpoint, region_name=REGION)
        name = stack.table_name
        ids = [
            i["session"]["id"] for i in client.get(f"{base}/trending", params={"limit": 50}).json()["items"]
        ]
        candidates = (ids * CANDIDATES)[:CANDIDATES]

        def key(pk: str, sk: str) -> dict[str, Any]:
            return {"pk": {"S": pk}, "sk": {"S": sk}}

        def batch_sessions(session_ids: list[str]) -> None:
            keys = [key(session_pk(s), SESSION_SK) for s in dict.fromkeys(session_ids)]
            dynamo.batch_get_item(RequestItems={name: {"Keys": keys}})

        def learner_reads() -> None:
            dynamo.get_item(TableName=name, Key=key(user_pk(learner_id), USER_PROFILE_SK))
            dynamo.get_item(TableName=name, Key=key(user_pk(learner_id), TASTE_SK))
            dynamo.query(
                TableName=name,
                IndexName="gsi2",
                KeyConditionExpression="gsi2pk = :p AND gsi2sk >= :now",
                ExpressionAttributeValues={
                    ":p": {"S": learner_bookings_pk(learner_id)},
                    ":now": {"S": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                },
            )

        def raw_for_you(_i: int) -> None:
            learner_reads()
            batch_sessions(candidates)

        def raw_trending(_i: int) -> None:
            dynamo.query(
                TableName=name,
                IndexName="gsi1",
                KeyConditionExpression="gsi1pk = :p",
                ExpressionAttributeValues={":p": {"S": TRENDING}},
                ScanIndexForward=False,
                Limit=100,
            )
            batch_sessions(ids)

        def raw_similar(_i: int) -> None:
            dynamo.get_item(TableName=name, Key=key(session_pk(session_id), SESSION_SK))
            batch_sessions(candidates)

        def raw_mentors(_i: int) -> None:
            learner_reads()
            mentors = {i["session"]["mentor"]["id"] for i in trending.json()["items"]}
            dynamo.batch_get_item(
                RequestItems={name: {"Keys": [key(user_pk(m), USER_PROFILE_SK) for m in mentors]}}
            )

        def raw_demand(_i: int) -> None:
            dynamo.get_item(TableName=name, Key=key(user_pk(mentor_id), USER_PROFILE_SK))
            dynamo.query(
                TableName=name,
                IndexName="gsi2",
                KeyConditionExpression="gsi2pk = :p",
                ExpressionAttributeValues={":p": {"S": mentor_sessions_pk(mentor_id)}},
                ScanIndexForward=False,
                Limit=50,
            )

        raws = {
            "GET sessions (for you)": (
                raw_for_you,
                "GetItem profile + GetItem taste + Query upcoming seats "
                f"+ BatchGetItem {CANDIDATES} sessions",
            ),
            "GET trending (visitor)": (
                raw_trending,
                f"Query TRENDING (100) + BatchGetItem {len(ids)} sessions",
            ),
            "GET sessions/{id}/similar": (
                raw_similar,
                f"GetItem session + BatchGetItem {CANDIDATES} sessions",
            ),
            "GET mentors": (raw_mentors, "the learner's 3 reads + BatchGetItem of the mentors' profiles"),
            "GET demand (mentor)": (raw_demand, "GetItem profile + Query the mentor's sessions (50)"),
        }
        rows = []
        for label, call in calls.items():
            raw, raw_is = raws[label]
            timings, raw_ms = timed_against_raw(args.requests, call, raw)
            rows.append(Row(label, timings, raw_ms, raw_is))

    print(
        f"local stack, demo data with its community seeded in {seeded - started:.0f} s, one build "
        f"({build['bytes']:,} bytes), {args.requests} sequential requests each, one client, warm functions"
    )
    print(machine())
    print(table(rows))


if __name__ == "__main__":
    main()
