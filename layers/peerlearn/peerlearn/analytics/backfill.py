"""Rebuilds every rollup from the table: the one Scan analytics allows (a job or the CLI, never a
request). Each item's facts are the stream's (peerlearn.analytics.facts, the same function), summed in
memory and written whole, so the result is exactly what the stream kept: the test compares them.

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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer

from peerlearn.analytics.dimensions import SessionFacets, dimensions_of
from peerlearn.analytics.facts import Fact, active_fact_from_id, facts_of
from peerlearn.store.analytics import COUNTED_ON_REQUEST, METRICS, FactItem, RollupItem
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


def scan_images() -> Iterator[dict[str, Any]]:
    """Every item of the bound table, as the stream's images show them (numbers as Decimal)."""
    meta = BaseItem.Meta
    client = boto3.client("dynamodb", region_name=meta.region, endpoint_url=meta.host)
    deserializer = TypeDeserializer()
    for page in client.get_paginator("scan").paginate(TableName=meta.table_name, ConsistentRead=True):
        for raw in page["Items"]:
            yield {name: deserializer.deserialize(value) for name, value in raw.items()}


def computed(images: list[dict[str, Any]]) -> tuple[dict[Key, Counters], dict[str, Fact]]:
    """The rollups the items support (without the request-counted metrics) and the facts behind them."""
    sessions: dict[str, SessionFacets] = {}
    payments: dict[str, str] = {}
    facts: dict[str, Fact] = {}
    for image in images:
        entity = image.get("entity")
        if entity == "SESSION":
            tags = tuple(dict.fromkeys(str(t) for t in image.get("tag_keys") or []))
            language = image.get("language_key")
            sessions[str(image["id"])] = SessionFacets(tags, str(language) if language else None)
        elif entity == "PAYMENT":
            payments[str(image["payment_id"])] = str(image["session_id"])
        elif entity == "FACT":
            active = active_fact_from_id(str(image["fact_id"]))
            if active is not None:
                facts[active.id] = active
        for fact in facts_of(image):
            facts[fact.id] = fact
    totals: dict[Key, Counters] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for fact in facts.values():
        for dimension, value in dimensions_of(fact, session=sessions.get, payment_session=payments.get):
            counters = totals[(dimension, fact.day, value)]
            for metric, delta in fact.deltas.items():
                counters[metric] += delta
    return dict(totals), facts


def kept(images: list[dict[str, Any]]) -> dict[Key, Counters]:
    """The rollup items as they are now."""
    return {
        (str(i["dimension"]), str(i["day"]), str(i["value"])): {m: int(i.get(m, 0)) for m in METRICS}
        for i in images
        if i.get("entity") == "ROLLUP"
    }


def nonzero(rollups: dict[Key, Counters]) -> dict[Key, Counters]:
    """Rollups without their zero counters and items (the stream leaves a 0 where a retraction went)."""
    out = {key: {m: n for m, n in counters.items() if n} for key, counters in rollups.items()}
    return {key: counters for key, counters in out.items() if counters}


def snapshot() -> dict[Key, Counters]:
    """The rollups in the table now, zeros left out (tests and the CLI compare with it)."""
    return nonzero(kept(list(scan_images())))


def backfill() -> BackfillReport:
    images = list(scan_images())
    totals, facts = computed(images)
    before = kept(images)
    for key, counters in before.items():  # what GET routes counted: not in any item, kept as it is
        carried = {metric: counters[metric] for metric in COUNTED_ON_REQUEST if counters[metric]}
        if carried:
            totals.setdefault(key, dict.fromkeys(METRICS, 0)).update(carried)
    wanted = nonzero(totals)
    report = BackfillReport(items_scanned=len(images), facts=len(facts))
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
