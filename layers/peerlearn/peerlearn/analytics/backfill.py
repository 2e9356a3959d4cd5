"""Rebuilds every rollup from the table: the one Scan analytics allows (the backfill function or the
CLI, never a request). Each item's facts are the stream's (peerlearn.analytics.facts, the same
function), summed in memory and written whole, so the result is exactly what the stream kept: the
test compares them. The Scan is projected to the attributes facts need and folded page by page: what
stays in memory is the facts, the sessions' tags and the payments' sessions, never the items.

- Active users come from their markers (a user item keeps only the last sign-in).
- Searches, zero-result searches and session views are counted by GET routes, not kept in items: the
  backfill carries those counters over as they are.
- Every fact gets its marker (a replay after the backfill counts nothing again); stale rollup items
  (counters that no fact supports any more) are deleted. Run it while the stream is quiet (a record
  counted between the Scan and the writes would be overwritten; run it again to mend that).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer

from peerlearn.analytics.dimensions import SessionFacets, dimensions_of
from peerlearn.analytics.facts import Fact, active_fact_from_id, facts_of
from peerlearn.store.analytics import COUNTED_ON_REQUEST, METRICS, FactItem, RollupItem, rollup_periods
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import FACT_SK, fact_pk, rollup_pk, rollup_sk

logger = logging.getLogger(__name__)

Key = tuple[str, str, str]  # dimension, day, value
Counters = dict[str, int]


@dataclass
class BackfillReport:
    items_scanned: int = 0
    facts: int = 0
    rollups_written: int = 0
    rollups_removed: int = 0


# What the facts, their dimensions and the rollups are read from: the Scan brings only these, not the
# titles, descriptions, names and tokens that make most of a year's items.
PROJECTED = (
    "pk", "sk", "entity", "id", "status", "session_id", "mentor_id", "payment_id", "user_id", "fact_id",
    "created_at", "confirmed_at", "cancelled_at", "session_starts_at", "session_ends_at",
    "last_signed_in_at", "key", "kind", "at", "lines", "refs", "tag_keys", "language_key",
    "dimension", "day", "value", *METRICS,
)  # fmt: skip


def scan_images(projected: bool = True) -> Iterator[dict[str, Any]]:
    """Every item of the bound table, as the stream's images show them (numbers as Decimal), page by
    page; with `projected`, only the attributes in PROJECTED."""
    meta = BaseItem.Meta
    client = boto3.client("dynamodb", region_name=meta.region, endpoint_url=meta.host)
    deserializer = TypeDeserializer()
    options: dict[str, Any] = {"TableName": meta.table_name, "ConsistentRead": True}
    if projected:
        names = {f"#a{n}": name for n, name in enumerate(PROJECTED)}
        options |= {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    for page in client.get_paginator("scan").paginate(**options):
        for raw in page["Items"]:
            yield {name: deserializer.deserialize(value) for name, value in raw.items()}


class _Fold:
    """The images folded as they stream by: what sessions and payments say about a fact's dimensions,
    the facts, and the rollup items as they are. Nothing else of an image is kept."""

    def __init__(self) -> None:
        self.sessions: dict[str, SessionFacets] = {}
        self.payments: dict[str, str] = {}
        self.facts: dict[str, Fact] = {}
        self.kept: dict[Key, Counters] = {}
        self.items = 0

    def add(self, image: dict[str, Any]) -> None:
        self.items += 1
        entity = image.get("entity")
        if entity == "SESSION":
            tags = tuple(dict.fromkeys(str(t) for t in image.get("tag_keys") or []))
            language = image.get("language_key")
            self.sessions[str(image["id"])] = SessionFacets(tags, str(language) if language else None)
        elif entity == "PAYMENT":
            self.payments[str(image["payment_id"])] = str(image["session_id"])
        elif entity == "FACT":
            active = active_fact_from_id(str(image["fact_id"]))
            if active is not None:
                self.facts[active.id] = active
        elif entity == "ROLLUP":
            key = (str(image["dimension"]), str(image["day"]), str(image["value"]))
            self.kept[key] = {m: int(image.get(m, 0)) for m in METRICS}
        for fact in facts_of(image):
            self.facts[fact.id] = fact

    def totals(self) -> dict[Key, Counters]:
        """The rollups the facts support (without the request-counted metrics)."""
        totals: dict[Key, Counters] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
        for fact in self.facts.values():
            pairs = dimensions_of(fact, session=self.sessions.get, payment_session=self.payments.get)
            for dimension, value in pairs:
                for kept_as, period in rollup_periods(dimension, fact.day):
                    counters = totals[(kept_as, period, value)]
                    for metric, delta in fact.deltas.items():
                        counters[metric] += delta
        return dict(totals)


def computed(images: Iterable[dict[str, Any]]) -> tuple[dict[Key, Counters], dict[str, Fact]]:
    """The rollups the items support (without the request-counted metrics) and the facts behind them."""
    fold = _Fold()
    for image in images:
        fold.add(image)
    return fold.totals(), fold.facts


def kept(images: Iterable[dict[str, Any]]) -> dict[Key, Counters]:
    """The rollup items as they are now."""
    fold = _Fold()
    for image in images:
        if image.get("entity") == "ROLLUP":
            fold.add(image)
    return fold.kept


def nonzero(rollups: dict[Key, Counters]) -> dict[Key, Counters]:
    """Rollups without their zero counters and items (the stream leaves a 0 where a retraction went)."""
    out = {key: {m: n for m, n in counters.items() if n} for key, counters in rollups.items()}
    return {key: counters for key, counters in out.items() if counters}


def snapshot() -> dict[Key, Counters]:
    """The rollups in the table now, zeros left out (tests and the CLI compare with it)."""
    return nonzero(kept(scan_images()))


def backfill() -> BackfillReport:
    fold = _Fold()
    for image in scan_images():  # one pass, page by page: the table is never held in memory
        fold.add(image)
    totals, facts, before = fold.totals(), fold.facts, fold.kept
    for key, counters in before.items():  # what GET routes counted: not in any item, kept as it is
        carried = {metric: counters[metric] for metric in COUNTED_ON_REQUEST if counters[metric]}
        if carried:
            totals.setdefault(key, dict.fromkeys(METRICS, 0)).update(carried)
    wanted = nonzero(totals)
    report = BackfillReport(items_scanned=fold.items, facts=len(facts))
    with RollupItem.batch_write() as batch:
        for (dimension, day, value), counters in wanted.items():
            item = RollupItem(
                rollup_pk(dimension), rollup_sk(day, value), dimension=dimension, day=day, value=value
            )
            for metric, count in counters.items():
                setattr(item, metric, count)
            batch.save(item)
            report.rollups_written += 1
        for dimension, day, value in set(before) - set(wanted):
            batch.delete(RollupItem(rollup_pk(dimension), rollup_sk(day, value)))
            report.rollups_removed += 1
    with FactItem.batch_write() as markers:
        for fact in facts.values():
            markers.save(FactItem(fact_pk(fact.id), FACT_SK, fact_id=fact.id, day=fact.day))
    logger.info("rollups rebuilt", extra={"facts": report.facts, "rollups": report.rollups_written})
    return report
