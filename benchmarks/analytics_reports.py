"""p50/p95 of the admins' report calls in-process (peerlearn.analytics.reports, as the admin function
runs them, JSON and CSV) on one year of synthetic rollups (100k bookings' worth spread over mentors,
tags and languages; daily items and, for tag, mentor and language, monthly ones as the stream keeps
them), next to the p50 of the raw Queries each rests on (boto3 straight at DynamoDB Local, paged the
same way, the same key conditions), as ratios; and the same for today's figures (one GetItem).

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
    from peerlearn.store.analytics import rollup_periods

    rng = random.Random(11)
    tags = [f"tag{n:02d}" for n in range(40)]
    languages = ["english", "hindi", "tamil", "telugu", "bengali", "marathi"]
    totals: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ in range(bookings):
        day = (end - timedelta(days=rng.randrange(days))).isoformat()
        price = rng.choice([0, 19_900, 49_900, 99_900])
        fee = price // 10
        cancelled = rng.random() < 0.08
        pairs = [("all", "all"), ("mentor", f"m{rng.randrange(mentors):04d}")]
        pairs += [("tag", t) for t in rng.sample(tags, 2)] + [("language", rng.choice(languages))]
        # the day's items, and the month's for tag, mentor and language (as the stream keeps them)
        keys = [(kept, period, value) for dim, value in pairs for kept, period in rollup_periods(dim, day)]
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


def raw_between(client: Any, table_name: str, pk: str, low: str, high: str) -> None:
    """One of a report's Queries with boto3, every page read: `pk`, sort keys from `low` to `high`."""
    pages = client.get_paginator("query").paginate(
        TableName=table_name,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues={":pk": {"S": pk}, ":a": {"S": f"{low}#"}, ":b": {"S": f"{high}#\uffff"}},
    )
    for _page in pages:
        pass


def reads_of(query: Any) -> list[tuple[str, str, str]]:
    """The (pk, first, last) Queries a report makes, caught as reports._read is called."""
    from peerlearn.analytics import reports

    seen: list[tuple[str, str, str]] = []
    original = reports._read

    def spy(pk: str, first: str, last: str, metrics: list[str]) -> Any:
        seen.append((pk, first, last))
        return original(pk, first, last, metrics)

    reports._read = spy  # type: ignore[assignment]
    try:
        reports.report(query)
    finally:
        reports._read = original  # type: ignore[assignment]
    return seen


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
        started = time.perf_counter()
        totals = synthetic_rollups(args.bookings, args.mentors, 365, end)
        write(totals)
        print(
            f"{len(totals)} rollup items ({args.bookings} bookings over 365 days) written in "
            f"{time.perf_counter() - started:.0f} s"
        )

        metrics = "gmv_paise,platform_revenue_paise,refunds_paise,bookings,cancellations"
        rows = []
        for dimension in ("day", "month", "tag", "language", "mentor"):
            days = 365  # by tag, mentor or language too: whole months come from the monthly items
            first = end - timedelta(days=days - 1)
            query = reports.parse_query(
                metrics=metrics, dimension=dimension, from_date=first.isoformat(), to_date=end.isoformat()
            )
            reports.report(query)  # warm
            as_json = timed(args.requests, lambda _i, q=query: reports.report(q).model_dump_json())
            as_csv = timed(args.requests, lambda _i, q=query: reports.to_csv(reports.report(q)))
            read = reads_of(query)  # the report's own Queries (the whole months and the days around)

            def raw(_i: int, read: list[tuple[str, str, str]] = read) -> Any:
                for pk, low, high in read:
                    raw_between(client, table_name, pk, low, high)

            raw_ms = timed(args.requests, raw)
            items = sum(
                1
                for key in totals
                for pk, low, high in read
                if rollup_pk(key[0]) == pk and low <= key[1] <= high
            )
            what = (
                "Query " + " + ".join(f"{pk} {low}..{high}" for pk, low, high in read) + f" ({items} items)"
            )
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
