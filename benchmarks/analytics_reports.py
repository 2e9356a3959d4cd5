"""p50/p95 of the admins' report calls in-process (peerlearn.analytics.reports, as the admin function
runs them, JSON and CSV) on one year of synthetic rollups (100k bookings' worth spread over mentors,
tags and languages), next to the p50 of the raw Queries each rests on (boto3 straight at DynamoDB
Local, paged the same way), as ratios; and the same for today's figures (one GetItem).

Starts its own DynamoDB Local (in memory). Prints figures; asserts none.
Run: .venv/bin/python benchmarks/analytics_reports.py [--bookings 100000] [--mentors 200] [--requests 30]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import boto3
from measure import CREDENTIALS, REGION, DynamoDBLocal, Row, Timings, machine, table, timed


def synthetic_rollups(
    bookings: int, mentors: int, days: int, end: date
) -> dict[tuple[str, str, str], dict[str, int]]:
    """Counters as the stream would keep them for `bookings` confirmed seats over `days` days."""
    rng = random.Random(11)
    tags = [f"tag{n:02d}" for n in range(40)]
    languages = ["english", "hindi", "tamil", "telugu", "bengali", "marathi"]
    totals: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ in range(bookings):
        day = (end - timedelta(days=rng.randrange(days))).isoformat()
        price = rng.choice([0, 19_900, 49_900, 99_900])
        fee = price // 10
        cancelled = rng.random() < 0.08
        keys = [("all", day, "all"), ("mentor", day, f"m{rng.randrange(mentors):04d}")]
        keys += [("tag", day, t) for t in rng.sample(tags, 2)] + [("language", day, rng.choice(languages))]
        for key in keys:
            counters = totals[key]
            counters["bookings"] += 1
            counters["funnel_bookings"] += 1
            counters["funnel_payments"] += 1
            counters["gmv_paise"] += price
            counters["platform_revenue_paise"] += fee
            if cancelled:
                counters["cancellations"] += 1
                counters["refunds_paise"] += price
                counters["platform_revenue_paise"] -= fee
            else:
                counters["completed_minutes"] += 60
                counters["funnel_attended"] += 1
    return totals


def write(totals: dict[tuple[str, str, str], dict[str, int]]) -> None:
    from peerlearn.store.analytics import RollupItem
    from peerlearn.store.keys import rollup_pk, rollup_sk

    with RollupItem.batch_write() as batch:
        for (dimension, day, value), counters in totals.items():
            item = RollupItem(
                rollup_pk(dimension), rollup_sk(day, value), dimension=dimension, day=day, value=value
            )
            for metric, count in counters.items():
                setattr(item, metric, count)
            batch.save(item)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    os.environ.update({**CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})

    from infra.local.template import Template
    from peerlearn import store
    from peerlearn.analytics import reports
    from peerlearn.store.keys import rollup_pk

    with DynamoDBLocal() as dynamodb:
        table_name = "analytics-bench"
        definition = Template.load(refs={"Table": table_name}).table_definition()
        client = boto3.client("dynamodb", endpoint_url=dynamodb.endpoint, region_name=REGION)
        client.create_table(**definition)
        store.bind(table_name=table_name, region=REGION, host=dynamodb.endpoint)
        end = date.fromisoformat(reports.today_in_india())
        start = end - timedelta(days=364)
        started = time.perf_counter()
        totals = synthetic_rollups(args.bookings, args.mentors, 365, end)
        write(totals)
        print(
            f"{len(totals)} rollup items ({args.bookings} bookings over 365 days) written in "
            f"{time.perf_counter() - started:.0f} s"
        )

        def raw_query(dimension: str, start: date = start) -> None:
            pages = client.get_paginator("query").paginate(
                TableName=table_name,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
                ExpressionAttributeValues={
                    ":pk": {"S": rollup_pk(dimension)},
                    ":a": {"S": f"{start.isoformat()}#"},
                    ":b": {"S": f"{end.isoformat()}#\uffff"},
                },
            )
            for _page in pages:
                pass

        metrics = "gmv_paise,platform_revenue_paise,refunds_paise,bookings,cancellations"
        rows = []
        for dimension in ("day", "month", "tag", "language", "mentor"):
            # by a value dimension a report covers a quarter at most (reports.MAX_VALUE_DAYS)
            days = 365 if dimension in reports.TIME_DIMENSIONS else reports.MAX_VALUE_DAYS
            first = end - timedelta(days=days - 1)
            query = reports.parse_query(
                metrics=metrics, dimension=dimension, from_date=first.isoformat(), to_date=end.isoformat()
            )
            reports.report(query)  # warm
            as_json = timed(args.requests, lambda _i, q=query: reports.report(q).model_dump_json())
            as_csv = timed(args.requests, lambda _i, q=query: reports.to_csv(reports.report(q)))
            stored = "all" if dimension in reports.TIME_DIMENSIONS else dimension

            def raw(_i: int, stored: str = stored, first: date = first) -> Any:
                raw_query("all", first)
                if stored != "all":
                    raw_query(stored, first)

            raw_ms = timed(args.requests, raw)
            items = sum(1 for key in totals if key[0] in {"all", stored} and key[1] >= first.isoformat())
            queried = "ROLLUP#all" if stored == "all" else f"ROLLUP#all + ROLLUP#{stored}"
            what = f"Query {queried}, {days} days ({items} items)"
            rows.append(Row(f"report by {dimension} (JSON)", Timings(e2e=as_json), raw_ms, what))
            rows.append(Row(f"report by {dimension} (CSV)", Timings(e2e=as_csv), raw_ms, what))
            print(table(rows[-2:]).splitlines()[1:3], flush=True)  # as it goes: a slow machine shows progress
        today = timed(args.requests * 5, lambda _i: reports.today())
        from peerlearn.store.keys import rollup_sk

        key = {"pk": {"S": rollup_pk("all")}, "sk": {"S": rollup_sk(end.isoformat(), "all")}}
        raw_today = timed(args.requests * 5, lambda _i: client.get_item(TableName=table_name, Key=key))
        rows.append(Row("stats today", Timings(e2e=today), raw_today, "GetItem ROLLUP#all <today>#all"))

    print(
        f"in-process, {args.requests} sequential calls each (stats today: {args.requests * 5}),"
        " DynamoDB Local"
    )
    print(machine())
    print(table(rows))
    print("(e2e here = the domain call in this process: no gateway, no function; fn and auth are n/a)")


if __name__ == "__main__":
    main()
