"""A ranking turned into pages of live sessions: the opaque cursor (a position in the ranking), the
candidates read live (one BatchGetItem per chunk), those no longer bookable (started, cancelled, full)
or the viewer's own dropped, and the page refilled from further down, so a page is always `limit` live
sessions while the ranking lasts."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from peerlearn import clock
from peerlearn.catalog import reading
from peerlearn.catalog.bookable import is_bookable
from peerlearn.context import Context
from peerlearn.encoding import b64url_decode, b64url_encode
from peerlearn.errors import BadRequest
from peerlearn.recommend.artefacts import ModelCache
from peerlearn.recommend.model import Reason
from peerlearn.recommend.schemas import ReasonOut, SessionPickOut
from peerlearn.recommend.stored import Stored
from peerlearn.store.keys import SESSION_SK, session_pk
from peerlearn.store.models import BaseItem

logger = logging.getLogger(__name__)

RANK_DEPTH = 200  # how far down a ranking the pages go


@dataclass(frozen=True)
class Ranked:
    item_id: str
    score: float
    reason: Reason


def encode_cursor(position: int) -> str:
    return b64url_encode(json.dumps({"p": position}).encode())


def decode_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    try:
        position = json.loads(b64url_decode(cursor))["p"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest("The cursor is not valid; start again without it.", field="cursor") from exc
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= RANK_DEPTH:
        raise BadRequest("The cursor is not valid; start again without it.", field="cursor")
    return position


_LIVE_ATTRIBUTES = [*reading.SESSION_CARD_ATTRIBUTES, "open"]


def live_items(session_ids: Iterable[str]) -> dict[str, Stored]:
    """The sessions' stored cards, by id (missing ones absent): BatchGetItem, 100 keys at a time."""
    table = BaseItem._get_connection()
    unique = list(dict.fromkeys(session_ids))
    found: dict[str, Stored] = {}
    for start in range(0, len(unique), 100):
        keys: list[Any] = [{"pk": session_pk(s), "sk": SESSION_SK} for s in unique[start : start + 100]]
        while keys:
            answer = table.batch_get_item(keys, attributes_to_get=_LIVE_ATTRIBUTES)
            for item in answer["Responses"].get(table.table_name, []):
                found[item["id"]["S"]] = item
            keys = answer.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
    return found


def is_live(item: Stored, now_iso: str) -> bool:
    """Bookable now: scheduled, open, a seat left, not started."""
    return is_bookable(
        item.get("status", {}).get("S", "scheduled"),
        "S" in item.get("open", {}),
        int(item.get("seats_left", {}).get("N", "0")),
        item["starts_at"]["S"],
        now_iso,
    )


def mentor_of(item: Stored) -> str:
    return str(item["mentor_id"]["S"])


def picks(ctx: Context, chosen: list[tuple[Ranked, Stored]]) -> list[SessionPickOut]:
    outs = reading.stored_outs(ctx, [item for _, item in chosen])
    return [
        SessionPickOut(
            session=out,
            reason=ReasonOut(kind=ranked.reason.kind, text=ranked.reason.text),
            score=round(float(ranked.score), 6),
        )
        for (ranked, _), out in zip(chosen, outs, strict=True)
    ]


def page_of(
    ctx: Context,
    ranking: list[Ranked],
    position: int,
    limit: int,
    now_iso: str,
    viewer: str | None = None,
) -> tuple[list[SessionPickOut], str | None]:
    """`limit` live sessions from `position` down the ranking (none the viewer teaches), and where
    the next page starts."""
    chosen: list[tuple[Ranked, Stored]] = []
    chunk = max(2 * limit, 20)
    while len(chosen) < limit and position < len(ranking):
        candidates = ranking[position : position + chunk]
        items = live_items(c.item_id for c in candidates)
        for candidate in candidates:
            position += 1
            item = items.get(candidate.item_id)
            if item is not None and is_live(item, now_iso) and mentor_of(item) != viewer:
                chosen.append((candidate, item))
                if len(chosen) == limit:
                    break
    more = position < min(len(ranking), RANK_DEPTH)
    return picks(ctx, chosen), encode_cursor(position) if more and chosen else None


PERSONAL = frozenset({"interest", "similar", "co_booked", "mentor"})  # reasons about the learner


def interleave(ranking: list[Ranked], extra: list[Ranked], *, every: int) -> list[Ranked]:
    """`extra` (sessions on the learner's interests the build has not seen) placed one in every
    `every` places of `ranking` (from the `every`th on) while its picks are personal, and all that are
    left before its first pick that is only popular or new: an interest outranks popularity, as the
    model ranks it."""
    merged: list[Ranked] = []
    waiting = list(extra)
    for item in ranking:
        if waiting and item.reason.kind not in PERSONAL:
            merged += waiting
            waiting = []
        elif waiting and len(merged) % every == every - 1:
            merged.append(waiting.pop(0))
        merged.append(item)
    return merged + waiting


T = TypeVar("T")


def guarded(what: str, compute: Callable[[], T], fallback: T) -> T:
    """The model's answer, or `fallback` if the model fails: logged as an error, never a 5xx (the
    answers without a model are still true, only less personal)."""
    try:
        return compute()
    except Exception:
        logger.exception("the recommendations model failed; answering without it", extra={"answer": what})
        return fallback


def built_at(cache: ModelCache) -> str | None:
    return clock.iso(cache.built_at) if cache.built_at is not None else None
