"""p50/p95 of each dashboard API call (the learner's and the mentor's dashboards; the admins' today's
figures and reports by day, month, tag and mentor over a year) with a year of synthetic activity, next
to the p50/p95 of the raw DynamoDB calls each rests on (boto3 straight at DynamoDB Local, same key
conditions).

The year: `--bookings` bookings (100k by default) over `--mentors` mentors' sessions and 2,000 learners,
plus the two people measured: a busy learner (a booking every other day, each paid for, some gifts,
a review of most) and a busy mentor (a session a day of 10 seats, every seat booked and paid, half of
them reviewed). Other people's items are written too: a dashboard must not slow down as the table
grows, since it reads only its owner's partitions and index keys. The admins' calls read the analytics
rollups the stream would keep for those bookings (daily items, and monthly ones by tag, mentor and
language: benchmarks/analytics_reports.py's synthetic year); the report by mentor is also timed the
way it read before the monthly items (every day's item of the year), for comparison.
In process (the domain functions the routes call), DynamoDB Local in memory. Prints figures; asserts none.
Run: .venv/bin/python benchmarks/dashboards.py [--bookings 100000] [--runs 30]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from analytics_reports import raw_between, reads_of, synthetic_rollups
from analytics_reports import write as write_rollups
from measure import REGION, machine, percentile

from infra.local.dynamodb import CREDENTIALS, DynamoDBLocal
from infra.local.template import Template

TABLE = "bench-dashboards"
LEARNER = "01JBENCHLEARNER00000000000"
MENTOR = "01JBENCHMENT0R000000000000"
DAY = 86400


def seed(total_bookings: int, mentors: int, now: int) -> None:
    from peerlearn import ledger, store, timeutil
    from peerlearn.store.keys import (
        SESSION_SK,
        booking_sk,
        learner_bookings_pk,
        mentor_reviews_pk,
        mentor_sessions_pk,
        payer_pk,
        payment_pk,
        review_sk,
        session_pk,
    )
    from peerlearn.store.models import BaseItem, BookingItem, PaymentItem, ReviewItem, SessionItem

    rng = random.Random(11)
    stamp = timeutil.iso_from_epoch(now - 366 * DAY)
    tags = ["Python", "Rust", "SQL", "Design", "Career", "Go", "Data", "Cloud"]

    def a_session(sid: str, mentor_id: str, starts: int, status: str) -> SessionItem:
        starts_at = timeutil.iso_from_epoch(starts)
        return SessionItem(
            session_pk(sid), SESSION_SK, id=sid, mentor_id=mentor_id, mentor_name="Mentor",
            title=f"Session {sid}", tags=rng.sample(tags, 2), level="beginner", language="English",
            language_key="english", starts_at=starts_at, ends_at=timeutil.plus_minutes(starts_at, 60),
            duration_minutes=60, timezone="Asia/Kolkata", capacity=10, seats_left=0, price_paise=49_900,
            status=status, created_at=stamp, updated_at=stamp, gsi2pk=mentor_sessions_pk(mentor_id),
            gsi2sk=f"{starts_at}#{sid}",
        )  # fmt: skip

    def a_booking(s: SessionItem, learner_id: str, status: str) -> BookingItem:
        return BookingItem(
            session_pk(s.id), booking_sk(learner_id), id=f"{s.id}{learner_id[-6:]}", session_id=s.id,
            learner_id=learner_id, mentor_id=s.mentor_id, mentor_name=s.mentor_name, session_title=s.title,
            session_starts_at=s.starts_at, session_ends_at=s.ends_at, status=status, price_paise=49_900,
            created_at=stamp, updated_at=stamp, gsi2pk=learner_bookings_pk(learner_id),
            gsi2sk=f"{s.starts_at}#{s.id}",
        )  # fmt: skip

    def a_payment(pid: str, s: SessionItem, learner_id: str, amount: int, at: int, purpose: str) -> Any:
        parts = ledger.split(amount)
        captured_at = timeutil.iso_from_epoch(at)
        item = PaymentItem(
            payment_pk(pid), "PAYMENT", payment_id=pid, order_id=f"order_{pid}", purpose=purpose,
            reference=s.id, session_id=s.id, session_title=s.title, learner_id=learner_id,
            mentor_id=s.mentor_id, amount_paise=amount, outcome="booking_confirmed",
            platform_fee_paise=parts.platform_fee_paise, gst_paise=parts.gst_paise, tcs_paise=parts.tcs_paise,
            tds_paise=parts.tds_paise, mentor_share_paise=parts.mentor_share_paise, captured_at=captured_at,
            gsi1pk="PAYMENTS", gsi1sk=f"{captured_at}#{pid}", gsi2pk=payer_pk(learner_id),
            gsi2sk=f"{captured_at}#{pid}",
        )  # fmt: skip
        entry = ledger.capture_entry(
            f"capture#{pid}", kind="capture", payment_id=pid, amount_paise=amount, mentor_id=s.mentor_id,
            split=parts, refs={"session_id": s.id},
        )  # fmt: skip
        return item, dataclasses.replace(entry, at=captured_at)

    def a_review(s: SessionItem, learner_id: str, rating: int) -> ReviewItem:
        created_at = timeutil.plus_minutes(s.ends_at, 30)
        return ReviewItem(
            session_pk(s.id), review_sk(learner_id), session_id=s.id, session_title=s.title,
            mentor_id=s.mentor_id, learner_id=learner_id, learner_name="Learner", rating=rating,
            text="Good.", created_at=created_at, gsi2pk=mentor_reviews_pk(s.mentor_id),
            gsi2sk=f"{created_at}#{s.id}#{learner_id}",
        )  # fmt: skip

    items: list[BaseItem] = []
    entries: list[Any] = []
    learners = [f"01JBENCHL{n:017d}" for n in range(2000)]
    # The busy mentor: a session a day for a year, 10 seats each, and a week ahead of them.
    for day in range(-365, 8):
        starts = now + day * DAY + 3600
        s = a_session(f"BM{day + 400:05d}", MENTOR, starts, "completed" if day < 0 else "scheduled")
        items.append(s)
        seated = rng.sample(learners, 10)
        if day < 0:  # who came, as the stream keeps it on a completed session (dashboards.attendance)
            s.attendance_kept, s.attended_ids, s.no_show_ids = True, set(seated[:9]), {seated[9]}
        for seat, learner_id in enumerate(seated):
            status = ("no_show" if seat == 9 else "completed") if day < 0 else "confirmed"
            items.append(a_booking(s, learner_id, status))
            if day < 0 and day >= -84:  # the captures the earnings weeks read; older ones matured
                pid = f"pay_bm{day + 400:05d}{seat}"
                payment, entry = a_payment(pid, s, learner_id, 49_900, starts - DAY, "booking")
                items.append(payment)
                entries.append(entry)
            if day < 0 and seat % 2 == 0:
                items.append(a_review(s, learner_id, rng.choice([3, 4, 4, 5, 5, 5])))
    # The busy learner: a booking every other day with the other mentors, each paid; gifts now and then.
    for n, day in enumerate(range(-364, 6, 2)):
        starts = now + day * DAY + 7200
        s = a_session(
            f"BL{n:05d}", f"01JBENCHM{n % mentors:017d}", starts, "completed" if day < 0 else "scheduled"
        )
        items += [s, a_booking(s, LEARNER, "completed" if day < 0 else "confirmed")]
        payment, entry = a_payment(f"pay_bl{n:05d}", s, LEARNER, 49_900, starts - DAY, "booking")
        items.append(payment)
        entries.append(entry)
        if n % 10 == 0:
            payment, entry = a_payment(f"pay_blg{n:05d}", s, LEARNER, 10_000, starts + 1800, "gift")
            items.append(payment)
            entries.append(entry)
        if day < 0 and n % 3:
            items.append(a_review(s, LEARNER, 5))
    # Everyone else: the rest of the year's bookings over the other mentors' sessions.
    written = sum(isinstance(i, BookingItem) for i in items)
    n = 0
    while written < total_bookings:
        starts = now + rng.randint(-365, 7) * DAY
        s = a_session(f"OT{n:06d}", f"01JBENCHM{n % mentors:017d}", starts, "completed")
        items.append(s)
        for learner_id in rng.sample(learners, 10):
            items.append(a_booking(s, learner_id, "completed"))
        written += 10
        n += 1
    started = time.perf_counter()
    with BaseItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    for entry in entries:
        with store.transaction() as tx:
            ledger.post(tx, entry)
    took = time.perf_counter() - started
    print(
        f"seeded {len(items):,} items ({written:,} bookings), {len(entries):,} ledger entries in {took:.0f} s"
    )


def raw_calls(client: Any, now: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """The DynamoDB calls each dashboard makes, with boto3: the same key conditions, no item parsing."""
    from peerlearn import timeutil
    from peerlearn.dashboards.figures import months_ago_iso

    def query_all(**kwargs: Any) -> list[dict[str, Any]]:
        found, start = [], None
        while True:
            page = client.query(TableName=TABLE, **kwargs, **({"ExclusiveStartKey": start} if start else {}))
            found += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    def by_gsi2(pk: str, since: str, **extra: Any) -> list[dict[str, Any]]:
        return query_all(
            IndexName="gsi2", KeyConditionExpression="gsi2pk = :p AND gsi2sk >= :s",
            ExpressionAttributeValues={":p": {"S": pk}, ":s": {"S": since}}, **extra,
        )  # fmt: skip

    def batch_get(keys: list[tuple[str, str]]) -> None:
        for i in range(0, len(keys), 100):
            chunk = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys[i : i + 100]]
            client.batch_get_item(RequestItems={TABLE: {"Keys": chunk}})

    def partition(pk: str, prefix: str) -> None:
        query_all(
            KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
            ExpressionAttributeValues={":p": {"S": pk}, ":b": {"S": prefix}},
        )

    year = months_ago_iso(now, 12)

    def learner() -> None:
        bookings = by_gsi2(f"LEARNER#{LEARNER}", year)
        by_gsi2(f"PAYER#{LEARNER}", year)
        sessions = [b["session_id"]["S"] for b in bookings]
        batch_get([(f"SESSION#{s}", "SESSION") for s in sessions])
        batch_get(
            [
                (f"SESSION#{b['session_id']['S']}", f"REVIEW#{LEARNER}")
                for b in bookings
                if b["status"]["S"] == "completed"
            ]
        )

    def mentor_money() -> None:
        for account in ("mentor_pending#", "mentor_available#", "mentor_withdrawn#"):
            query_all(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": f"BALANCE#{account}{MENTOR}"}},
                ConsistentRead=True,
            )
        query_all(
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p",
            ExpressionAttributeValues={":p": {"S": f"MENTOR_WITHDRAWALS#{MENTOR}"}},
        )
        by_gsi2(f"MENTOR_LEDGER#{MENTOR}", timeutil.iso_from_epoch(now - 84 * DAY))

    def mentor_upcoming() -> None:
        upcoming = by_gsi2(f"MENTOR#{MENTOR}", timeutil.iso_from_epoch(now - DAY), Limit=10)
        with ThreadPoolExecutor(8) as pool:  # as peerlearn.dashboards.reading does
            list(pool.map(lambda s: partition(s["pk"]["S"], "BOOKING#"), upcoming))
            list(pool.map(lambda s: partition(s["pk"]["S"], "WAITLIST#"), upcoming))

    def mentor_performance() -> None:
        since, until = timeutil.iso_from_epoch(now - 90 * DAY), timeutil.iso_from_epoch(now)
        done = query_all(
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":p": {"S": f"MENTOR#{MENTOR}"},
                ":a": {"S": since},
                ":b": {"S": until},
            },
            ScanIndexForward=False,
        )
        assert all("attendance_kept" in s for s in done[:60])  # no booking partitions to read

    def mentor_ratings() -> None:
        by_gsi2(  # the months' averages: each review's rating and date
            f"MENTOR_REVIEWS#{MENTOR}",
            year,
            ProjectionExpression="pk, sk, entity, rating, created_at",
        )
        client.query(  # the five shown whole
            TableName=TABLE, IndexName="gsi2", KeyConditionExpression="gsi2pk = :p AND gsi2sk >= :s",
            ExpressionAttributeValues={":p": {"S": f"MENTOR_REVIEWS#{MENTOR}"}, ":s": {"S": year}},
            ScanIndexForward=False, Limit=5,
        )  # fmt: skip
        client.get_item(TableName=TABLE, Key={"pk": {"S": f"USER#{MENTOR}"}, "sk": {"S": "STATS"}})

    def mentor() -> None:  # the four parts side by side, as peerlearn.dashboards.mentor reads them
        with ThreadPoolExecutor(4) as pool:
            for part in [
                pool.submit(f) for f in (mentor_money, mentor_upcoming, mentor_performance, mentor_ratings)
            ]:
                part.result()

    return learner, mentor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ.update({**CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})

    from datetime import date, timedelta

    from peerlearn import clock, store
    from peerlearn.analytics import reports
    from peerlearn.dashboards import learner, mentor
    from peerlearn.store.keys import rollup_pk, rollup_sk

    with DynamoDBLocal() as dynamodb:
        client = boto3.client("dynamodb", region_name=REGION, endpoint_url=dynamodb.endpoint)
        client.create_table(**Template.load(refs={"Table": TABLE}).table_definition())
        store.bind(table_name=TABLE, region=REGION, host=dynamodb.endpoint)
        now = clock.now_seconds()
        seed(args.bookings, args.mentors, now)
        end = date.fromisoformat(reports.today_in_india())
        rollups = synthetic_rollups(args.bookings, args.mentors, 365, end)
        write_rollups(rollups)
        print(f"{len(rollups):,} rollup items written (daily, and monthly by tag, mentor, language)")
        raw_learner, raw_mentor = raw_calls(client, now)
        first = (end - timedelta(days=364)).isoformat()
        metrics = "gmv_paise,platform_revenue_paise,refunds_paise,gifts_paise,bookings"

        def report(dimension: str) -> tuple[Callable[[], None], Callable[[], None]]:
            query = reports.parse_query(
                metrics=metrics, dimension=dimension, from_date=first, to_date=end.isoformat()
            )
            read = reads_of(query)

            def raw() -> None:
                for pk, low, high in read:
                    raw_between(client, TABLE, pk, low, high)

            return lambda: reports.report(query).model_dump_json(), raw

        by_mentor = reports.parse_query(
            metrics=metrics, dimension="mentor", from_date=first, to_date=end.isoformat()
        )

        def daily_by_mentor() -> None:  # the report by mentor as it read before the monthly items
            months = reports._value_rollups
            reports._value_rollups = reports._rollups  # type: ignore[assignment]
            try:
                reports.report(by_mentor).model_dump_json()
            finally:
                reports._value_rollups = months  # type: ignore[assignment]

        def raw_daily_by_mentor() -> None:
            raw_between(client, TABLE, rollup_pk("all"), first, end.isoformat())
            raw_between(client, TABLE, rollup_pk("mentor"), first, end.isoformat())

        today_key = {"pk": {"S": rollup_pk("all")}, "sk": {"S": rollup_sk(end.isoformat(), "all")}}
        calls: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
            ("learner dashboard", lambda: learner.learner_dashboard(LEARNER), raw_learner),
            ("mentor dashboard", lambda: mentor.mentor_dashboard(MENTOR), raw_mentor),
            (
                "admin stats today",
                reports.today,
                lambda: client.get_item(TableName=TABLE, Key=today_key),
            ),
        ]
        for dimension in ("day", "month", "tag", "mentor"):
            call, raw = report(dimension)
            calls.append((f"admin report by {dimension}", call, raw))
        calls.append(("  by mentor, days only", daily_by_mentor, raw_daily_by_mentor))
        rows = []
        for name, call, raw in calls:
            call()
            raw()  # warm
            ms, raw_ms = [], []
            # the days-only read takes seconds a call: a few runs show it
            for _ in range(min(args.runs, 3) if "days only" in name else args.runs):
                start = time.perf_counter()
                call()
                ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                raw()
                raw_ms.append((time.perf_counter() - start) * 1000)
            rows.append((name, ms, raw_ms))
    print(machine())
    print(f"{args.runs} runs each, sequential, in process against DynamoDB Local (in memory)")
    print(f"{'call':<26}{'p50':>9}{'p95':>9}{'raw p50':>9}{'raw p95':>9}{'p50/raw':>9}")
    for name, ms, raw_ms in rows:
        p50, raw50 = percentile(ms, 50), percentile(raw_ms, 50)
        p95, raw95 = percentile(ms, 95), percentile(raw_ms, 95)
        print(f"{name:<26}{p50:>9.1f}{p95:>9.1f}{raw50:>9.1f}{raw95:>9.1f}{p50 / raw50:>9.2f}")
    print("ms. raw = boto3, same key conditions (Query pages, BatchGetItem in 100s, 8 partitions at once).")
    print(f"Admin reports: {first} to {end} ({metrics}); by tag and mentor, whole months from the monthly")
    print("items and the days around them from the daily ones; 'days only' = every day's item, as before.")


if __name__ == "__main__":
    main()
