"""p50/p95 of GET /api/sessions/ (first page, with filters) over 5,000 sessions, and of booking: end to
end, and the function's own duration (the gateway's Server-Timing), next to the p50 of the raw
DynamoDB calls each rests on (boto3 straight at DynamoDB Local, same run), as ratios.

Starts its own local stack (DynamoDB Local in memory). Prints figures; asserts none.
Run: .venv/bin/python benchmarks/discovery_and_booking.py [--sessions 5000] [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
from measure import REGION, Row, local_stack, machine, table, timed_against_raw

TAGS = ["Python", "Rust", "Go", "SQL", "System design", "UX design", "Figma", "AWS", "Interviews", "Career"]
LANGUAGES = ["English", "Hindi", "Tamil", "Bengali"]
LEVELS = ["beginner", "intermediate", "advanced"]


def fill(mentor_ids: list[str], count: int) -> list[str]:
    """Writes `count` bookable sessions in batches (as the catalog would have published them)."""
    from peerlearn import ids, timeutil
    from peerlearn.store.keys import OPEN, mentor_sessions_pk, session_pk
    from peerlearn.store.models import SessionItem

    rng = random.Random(7)
    now = datetime.now(UTC)
    session_ids = []
    with SessionItem.batch_write() as batch:
        for n in range(count):
            session_id = ids.new_id()
            starts = timeutil.to_iso(now + timedelta(hours=2 + rng.randrange(24 * 60)))
            tags = rng.sample(TAGS, 2)
            mentor = mentor_ids[n % len(mentor_ids)]
            language = rng.choice(LANGUAGES)
            price = 0 if rng.random() < 0.3 else rng.randrange(49, 2000) * 100
            capacity = rng.randrange(1, 9)
            batch.save(
                SessionItem(
                    session_pk(session_id),
                    "SESSION",
                    id=session_id,
                    mentor_id=mentor,
                    mentor_name="Mentor",
                    title=f"{tags[0]} session {n}",
                    description=f"Learn {tags[0]} and {tags[1]} live.",
                    tags=tags,
                    tag_keys=[t.lower() for t in tags],
                    search_text=f"{tags[0]} session {n} {tags[1]}".lower(),
                    level=rng.choice(LEVELS),
                    language=language,
                    language_key=language.lower(),
                    starts_at=starts,
                    ends_at=timeutil.plus_minutes(starts, 60),
                    duration_minutes=60,
                    timezone="Asia/Kolkata",
                    capacity=capacity,
                    seats_left=capacity,
                    booked_count=0,
                    price_paise=price,
                    open=OPEN,
                    mentor_rating=rng.randrange(300, 500),
                    created_at=starts,
                    updated_at=starts,
                    gsi2pk=mentor_sessions_pk(mentor),
                    gsi2sk=f"{starts}#{session_id}",
                )
            )
            session_ids.append(session_id)
    return session_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with (
        local_stack() as (stack, dynamodb),
        httpx.Client(base_url=stack.url, timeout=30) as api,
    ):
        from peerlearn.accounts import service as accounts
        from peerlearn.config import Settings
        from peerlearn.context import build_context

        ctx = build_context(Settings.from_env(stack.settings_env))
        extra = {"headline": "Mentor", "expertise": ["Python"]}
        mentors = [
            accounts.create_account(
                name=f"M{i}",
                email=f"m{i}@example.com",
                password="bench-words-123",
                role="mentor",
                verified=True,
                **extra,
            )
            for i in range(20)
        ]
        started = time.perf_counter()
        session_ids = fill(mentors, args.sessions)
        print(f"wrote {len(session_ids)} sessions in {time.perf_counter() - started:.1f} s")
        learners = [
            accounts.create_account(
                name=f"L{i}",
                email=f"l{i}@example.com",
                password="bench-words-123",
                role="learner",
                verified=True,
            )
            for i in range(args.requests)
        ]
        tokens = [accounts.sign_in_without_password(ctx, u).access_token for u in learners]
        client = boto3.client("dynamodb", endpoint_url=dynamodb.endpoint, region_name=REGION)
        table_name = stack.table_name
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        views = {
            "soonest, no filter": {},
            "tag=python": {"tag": "Python"},
            "free, by price": {"free": "true", "sort": "price"},
            "hindi, advanced": {"language": "Hindi", "level": "advanced"},
        }
        raw_queries = {
            "soonest, no filter": {
                "IndexName": "open_by_start",
                "KeyConditionExpression": "#o = :o AND starts_at > :n",
                "ExpressionAttributeNames": {"#o": "open"},
                "ExpressionAttributeValues": {":o": {"S": "OPEN"}, ":n": {"S": now}},
            },
            "tag=python": {
                "IndexName": "open_by_start",
                "KeyConditionExpression": "#o = :o AND starts_at > :n",
                "FilterExpression": "contains(tag_keys, :t)",
                "ExpressionAttributeNames": {"#o": "open"},
                "ExpressionAttributeValues": {":o": {"S": "OPEN"}, ":n": {"S": now}, ":t": {"S": "python"}},
            },
            "free, by price": {
                "IndexName": "open_by_price",
                "KeyConditionExpression": "#o = :o AND price_paise BETWEEN :z AND :z",
                "ExpressionAttributeNames": {"#o": "open"},
                "ExpressionAttributeValues": {":o": {"S": "OPEN"}, ":z": {"N": "0"}},
            },
            "hindi, advanced": {
                "IndexName": "open_by_start",
                "KeyConditionExpression": "#o = :o AND starts_at > :n",
                "FilterExpression": "language_key = :l AND #lv = :v",
                "ExpressionAttributeNames": {"#o": "open", "#lv": "level"},
                "ExpressionAttributeValues": {
                    ":o": {"S": "OPEN"},
                    ":n": {"S": now},
                    ":l": {"S": "hindi"},
                    ":v": {"S": "advanced"},
                },
            },
        }

        def projection(names: list[str]) -> dict[str, Any]:
            """Only `names` of each item, as the API reads them (placeholders: some are reserved words)."""
            return {
                "ProjectionExpression": ", ".join(f"#p{n}" for n in range(len(names))),
                "ExpressionAttributeNames": {f"#p{n}": name for n, name in enumerate(names)},
            }

        def raw_page(params: dict[str, Any]) -> None:
            """What a discovery page rests on: Query pages of 12 on the sort's index until 12 match (or
            the end), then one BatchGetItem of the profile and stats items of the page's mentors; each
            reading the attributes the API reads (the cards', and the keys that make the cursor)."""
            from peerlearn.catalog.reading import MENTOR_CARD_ATTRIBUTES, SESSION_CARD_ATTRIBUTES
            from peerlearn.store.keys import STATS_SK, USER_PROFILE_SK, user_pk

            index_keys = {"open_by_start": "starts_at", "open_by_price": "price_paise"}
            keys = ["pk", "sk", "open", index_keys[params["IndexName"]]]
            read = projection(list(dict.fromkeys([*keys, *SESSION_CARD_ATTRIBUTES])))
            names = {**params["ExpressionAttributeNames"], **read["ExpressionAttributeNames"]}
            items: list[dict[str, Any]] = []
            start = None
            while len(items) < 12:
                page = client.query(
                    TableName=table_name,
                    Limit=12,
                    **{**params, "ExpressionAttributeNames": names},
                    ProjectionExpression=read["ProjectionExpression"],
                    **({"ExclusiveStartKey": start} if start else {}),
                )
                items += page["Items"]
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
            mentors = sorted({item["mentor_id"]["S"] for item in items[:12]})
            cards = [
                {"pk": {"S": user_pk(m)}, "sk": {"S": sk}}
                for sk in (USER_PROFILE_SK, STATS_SK)
                for m in mentors
            ]
            request: dict[str, Any] = {table_name: {"Keys": cards, **projection(MENTOR_CARD_ATTRIBUTES)}}
            while request:  # as the API does, until DynamoDB has answered every key
                request = client.batch_get_item(RequestItems=request).get("UnprocessedKeys") or {}

        rows = []
        for name, query in views.items():
            api.get("/api/sessions/", params=query).raise_for_status()  # warm
            api_timings, raw_ms = timed_against_raw(
                args.requests,
                lambda _i, q=query: api.get("/api/sessions/", params=q),
                lambda _i, n=name: raw_page(raw_queries[n]),
            )
            raw_is = (
                "Query pages (Limit 12) on the sort's index until 12 match + one BatchGetItem of those"
                " sessions' mentors' profile and stats items, both projected to what the API reads"
                " (the cards' attributes and the keys)"
            )
            rows.append(Row(f"GET /api/sessions ({name})", api_timings, raw_ms, raw_is))

        api.post(f"/api/sessions/{session_ids[-1]}/book", headers={"Authorization": f"Bearer {tokens[-1]}"})

        # Booking is limited per client address (200 per 10 minutes): each hundred bookings come
        # from their own loopback address, as that many learners would.
        booking_clients: dict[int, httpx.Client] = {}

        def booking_client(i: int) -> httpx.Client:
            group = i // 100
            if group not in booking_clients:
                transport = httpx.HTTPTransport(local_address=f"127.0.2.{1 + group}")
                booking_clients[group] = httpx.Client(base_url=stack.url, timeout=30, transport=transport)
            return booking_clients[group]

        def book(i: int) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[i]}"}
            return booking_client(i).post(f"/api/sessions/{session_ids[i]}/book", headers=headers)

        def counter(scope: str, subject: str) -> dict[str, Any]:
            """One quota counter of the booking transaction (peerlearn.quotas.count)."""
            from peerlearn.store.keys import rate_pk

            return {
                "Update": {
                    "TableName": table_name,
                    "Key": {"pk": {"S": rate_pk(scope, subject)}, "sk": {"S": "0"}},
                    "UpdateExpression": "ADD hits :one SET #t = :ttl",
                    "ConditionExpression": "attribute_not_exists(hits) OR hits < :max",
                    "ExpressionAttributeNames": {"#t": "ttl"},
                    "ExpressionAttributeValues": {
                        ":one": {"N": "1"},
                        ":ttl": {"N": "0"},
                        ":max": {"N": "1000000"},
                    },
                }
            }

        def raw_book(i: int) -> None:
            """What a booking rests on: a consistent read of the session, then one transaction that
            takes the seat, puts the booking and counts the quotas (account, client; a paid hold
            also counts the learner's holds of that seat)."""
            from peerlearn.store.keys import booking_sk, session_pk

            key = {"pk": {"S": session_pk(session_ids[-2 - i])}, "sk": {"S": "SESSION"}}
            booking = {"pk": key["pk"], "sk": {"S": booking_sk(f"raw{i}")}}
            session = client.get_item(TableName=table_name, Key=key, ConsistentRead=True)["Item"]
            quotas = [counter("raw-account", learners[i]), counter("raw-client", "127.0.0.1")]
            if session["price_paise"]["N"] != "0":
                quotas.append(counter("raw-holds", f"{session_ids[-2 - i]}#{learners[i]}"))
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": table_name,
                            "Key": key,
                            "UpdateExpression": "ADD seats_left :m, booked_count :p",
                            "ConditionExpression": "seats_left > :z",
                            "ExpressionAttributeValues": {
                                ":m": {"N": "-1"},
                                ":p": {"N": "1"},
                                ":z": {"N": "0"},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": table_name,
                            "Item": booking,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    *quotas,
                ]
            )

        book_timings, raw_book_ms = timed_against_raw(args.requests - 1, book, raw_book)
        for open_client in booking_clients.values():
            open_client.close()
        raw_is = (
            "GetItem session (consistent) + TransactWriteItems (seat Update + booking Put"
            " + 2 quota counters, 3 for a paid hold)"
        )
        rows.append(Row("POST /api/sessions/{id}/book", book_timings, raw_book_ms, raw_is))

    print(
        f"{args.sessions} sessions, {args.requests} sequential requests per row, warm functions, local stack"
    )
    print(machine())
    print(table(rows))
    print("goal: fn/raw <= 1.5 for discovery and booking (issue 6).")


if __name__ == "__main__":
    main()
