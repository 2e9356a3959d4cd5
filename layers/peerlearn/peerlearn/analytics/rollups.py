"""The stream's side of the rollups: each new fact moves its day's counters under every dimension (and
its month's under tag, mentor and language), in one transaction with the fact's marker (put only if
absent).

Why a marker per fact rather than per stream record: a fact has one id whoever sees it (a record, its
redelivery, a later record of the same item, the backfill), so a replayed batch, a record delivered
twice and a backfill run over a live stream all count it once. Why not deltas from the images alone:
the same record delivered twice carries the same delta, and only a marker can tell the second from
the first. A retraction (a completed booking later marked a no-show) is a fact of its own with its
own marker.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from pynamodb.exceptions import TransactWriteError

from peerlearn import store
from peerlearn.analytics.dimensions import dimensions_of
from peerlearn.analytics.facts import Fact, changes
from peerlearn.store.analytics import FactItem, RollupItem, rollup_periods
from peerlearn.store.keys import FACT_SK, fact_pk, rollup_pk, rollup_sk

logger = logging.getLogger(__name__)

CONFLICT_RETRIES = 5  # two shards' records moving the same day's `all` item at once
CONFLICT_PAUSE_SECONDS = 0.02  # the longest first pause between tries; doubled each time, jittered


def on_change(event: str, old: dict[str, Any], new: dict[str, Any]) -> int:
    """Counts what one stream record (INSERT/MODIFY/REMOVE with its images) adds; returns how many
    facts it counted (0 for a replay). A removed item's history stays counted: nothing is retracted."""
    if event == "REMOVE":
        return 0
    return sum(count(fact) for fact in changes(old, new))


def count(fact: Fact, pairs: list[tuple[str, str]] | None = None) -> int:
    """Counts `fact` once: 1 when it moved the counters, 0 when its marker was there already."""
    if not any(fact.deltas.values()):
        return 0
    pairs = pairs if pairs is not None else dimensions_of(fact)
    for attempt in range(CONFLICT_RETRIES):
        try:
            with store.transaction() as tx:
                tx.save(
                    FactItem(fact_pk(fact.id), FACT_SK, fact_id=fact.id, day=fact.day),
                    condition=FactItem.pk.does_not_exist(),
                )
                for dimension, value in pairs:
                    for kept_as, period in rollup_periods(dimension, fact.day):  # the day, and its month
                        tx.update(
                            RollupItem(rollup_pk(kept_as), rollup_sk(period, value)),
                            actions=update_actions(kept_as, period, value, fact.deltas),
                        )
            return 1
        except TransactWriteError as exc:
            if store.transaction_conflicted(exc) and attempt + 1 < CONFLICT_RETRIES:
                # jittered, so two writers that met do not meet again on the next try
                time.sleep(random.uniform(0, CONFLICT_PAUSE_SECONDS * 2**attempt))  # noqa: S311
                continue
            if store.condition_failed(exc):
                logger.debug("fact counted already", extra={"fact": fact.id})
                return 0
            raise
    return 0  # pragma: no cover - the loop returns or raises


def update_actions(dimension: str, day: str, value: str, deltas: dict[str, int]) -> list[Any]:
    return RollupItem.upsert_actions(
        [
            RollupItem.dimension.set(dimension),
            RollupItem.day.set(day),
            RollupItem.value.set(value),
            *(getattr(RollupItem, metric).add(delta) for metric, delta in deltas.items() if delta),
        ]
    )
