"""p50/p95 of paying for a held seat: POST /api/payments/create/, POST /api/payments/verify/ and the
webhook's acknowledgement (POST /api/webhooks/razorpay), end to end and the function's own duration,
next to the p50 of the raw DynamoDB calls each rests on (boto3 straight at DynamoDB Local), as ratios.

Create and verify also call Razorpay (the local stack's sandbox), which the raw figure leaves out.
Starts its own local stack (DynamoDB Local in memory, the Razorpay sandbox). Prints figures; asserts none.
Run: .venv/bin/python benchmarks/payments.py [--requests 100]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
from measure import REGION, Row, local_stack, machine, table, timed_against_raw

PRICE = 49_900


def paid_sessions(mentor_id: str, count: int) -> list[str]:
    """`count` bookable paid sessions of one seat each, written in batches."""
    from peerlearn import ids, timeutil
    from peerlearn.store.keys import OPEN, mentor_sessions_pk, session_pk
    from peerlearn.store.models import SessionItem

    starts = timeutil.to_iso(datetime.now(UTC) + timedelta(days=2))
    made = []
    with SessionItem.batch_write() as batch:
        for n in range(count):
            session_id = ids.new_id()
            batch.save(
                SessionItem(
                    session_pk(session_id),
                    "SESSION",
                    id=session_id,
                    mentor_id=mentor_id,
                    mentor_name="Mentor",
                    title=f"Paid session {n}",
                    level="beginner",
                    language="English",
                    language_key="english",
                    starts_at=starts,
                    ends_at=timeutil.plus_minutes(starts, 60),
                    duration_minutes=60,
                    timezone="Asia/Kolkata",
                    capacity=1,
                    seats_left=1,
                    price_paise=PRICE,
                    open=OPEN,
                    created_at=starts,
                    updated_at=starts,
                    gsi2pk=mentor_sessions_pk(mentor_id),
                    gsi2sk=f"{starts}#{session_id}",
                )
            )
            made.append(session_id)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    n = args.requests
    with local_stack() as (stack, dynamodb), httpx.Client(base_url=stack.url, timeout=30) as api:
        from peerlearn.accounts import service as accounts
        from peerlearn.config import Settings
        from peerlearn.context import build_context

        ctx = build_context(Settings.from_env(stack.settings_env))
        mentor = accounts.create_account(
            name="M",
            email="m@example.com",
            password="bench-words-123",
            role="mentor",
            verified=True,
            headline="Mentor",
            expertise=["Python"],
        )
        sessions = paid_sessions(mentor, n + 1)
        learners = [
            accounts.create_account(
                name=f"L{i}",
                email=f"l{i}@example.com",
                password="bench-words-123",
                role="learner",
                verified=True,
            )
            for i in range(n + 1)
        ]
        headers = [
            {"Authorization": f"Bearer {accounts.sign_in_without_password(ctx, u).access_token}"}
            for u in learners
        ]
        for i in range(n + 1):  # each learner holds the seat of their session (not timed)
            api.post(f"/api/sessions/{sessions[i]}/book", headers=headers[i]).raise_for_status()
        client = boto3.client("dynamodb", endpoint_url=dynamodb.endpoint, region_name=REGION)
        table_name = stack.table_name
        orders: list[dict[str, Any]] = [{} for _ in range(n + 1)]

        def create(i: int) -> httpx.Response:
            reply = api.post("/api/payments/create/", json={"session_id": sessions[i]}, headers=headers[i])
            if reply.status_code == 201:
                orders[i] = reply.json()
            return reply

        def raw_create(i: int) -> None:
            """GetItem of the booking (consistent), GetItem of the hold's order claim, one
            TransactWriteItems putting the claim (if absent) and the order."""
            from peerlearn.store.keys import booking_sk, session_pk

            key = {"pk": {"S": session_pk(sessions[i])}, "sk": {"S": booking_sk(learners[i])}}
            client.get_item(TableName=table_name, Key=key, ConsistentRead=True)
            claim = {"pk": {"S": f"RAW_ORDER_FOR#{i}"}, "sk": {"S": "ORDER"}}
            client.get_item(TableName=table_name, Key=claim, ConsistentRead=True)
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": table_name,
                            "Item": claim,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": table_name,
                            "Item": {"pk": {"S": f"RAW_ORDER#{i}"}, "sk": {"S": "ORDER"}},
                        }
                    },
                ]
            )

        create(n)  # warm
        create_timings, create_raw = timed_against_raw(n, create, raw_create)

        results = [stack.razorpay.pay(orders[i]["order_id"]) for i in range(n + 1)]  # Checkout (not timed)

        def verify(i: int) -> httpx.Response:
            body = {"session_id": sessions[i], **results[i]}
            return api.post("/api/payments/verify/", json=body, headers=headers[i])

        def raw_verify(i: int) -> None:
            """The settlement's one TransactWriteItems: payment put, order update, booking update, the
            ledger's entry put and its six balance updates, the maturity put."""
            items: list[dict[str, Any]] = [
                {
                    "Put": {
                        "TableName": table_name,
                        "Item": {"pk": {"S": f"RAW_PAY#{i}"}, "sk": {"S": "P"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": table_name,
                        "Item": {"pk": {"S": f"RAW_ENTRY#{i}"}, "sk": {"S": "E"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": table_name,
                        "Item": {"pk": {"S": f"RAW_MATURES#{i}"}, "sk": {"S": "M"}},
                    }
                },
                {
                    "Update": {
                        "TableName": table_name,
                        "Key": {"pk": {"S": f"RAW_ORDER#{i}"}, "sk": {"S": "ORDER"}},
                        "UpdateExpression": "SET #s = :p",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":p": {"S": "paid"}},
                    }
                },
                {
                    "Update": {
                        "TableName": table_name,
                        "Key": {"pk": {"S": f"RAW_BOOKING#{i}"}, "sk": {"S": "B"}},
                        "UpdateExpression": "SET #s = :c",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":c": {"S": "confirmed"}},
                    }
                },
            ]
            for account in range(6):
                items.append(
                    {
                        "Update": {
                            "TableName": table_name,
                            "Key": {"pk": {"S": f"RAW_BALANCE#{i}#{account}"}, "sk": {"S": "B"}},
                            "UpdateExpression": "ADD balance_paise :a",
                            "ExpressionAttributeValues": {":a": {"N": "1"}},
                        }
                    }
                )
            client.get_item(TableName=table_name, Key=items[0]["Put"]["Item"], ConsistentRead=True)
            client.transact_write_items(TransactItems=items)

        verify(n)  # warm
        verify_timings, verify_raw = timed_against_raw(n, verify, raw_verify)

        secret = stack.env["RAZORPAY_WEBHOOK_SECRET"]

        def acknowledge(i: int) -> httpx.Response:
            body = json.dumps({"entity": "event", "event": "payment.failed", "payload": {}, "created_at": i})
            signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
            hooks = {
                "X-Razorpay-Signature": signature,
                "x-razorpay-event-id": f"evt_bench{i:08d}",
                "Content-Type": "application/json",
            }
            return api.post("/api/webhooks/razorpay", content=body, headers=hooks)

        def raw_acknowledge(i: int) -> None:
            item = {"pk": {"S": f"RAW_EVENT#{i}"}, "sk": {"S": "EVENT"}, "body": {"S": "{}"}}
            client.put_item(TableName=table_name, Item=item, ConditionExpression="attribute_not_exists(pk)")

        acknowledge(n + 1)  # warm
        ack_timings, ack_raw = timed_against_raw(n, acknowledge, raw_acknowledge)

        print(machine())
        print(f"{n} requests each, sequential")
        print(
            table(
                [
                    Row(
                        "POST /api/payments/create/",
                        create_timings,
                        create_raw,
                        "2 GetItem + TransactWriteItems (2 Puts); Razorpay's order not included",
                    ),
                    Row(
                        "POST /api/payments/verify/",
                        verify_timings,
                        verify_raw,
                        "GetItem + TransactWriteItems (3 Puts, 8 Updates); Razorpay's fetch not included",
                    ),
                    Row("POST /api/webhooks/razorpay", ack_timings, ack_raw, "one conditional PutItem"),
                ]
            )
        )


if __name__ == "__main__":
    main()
