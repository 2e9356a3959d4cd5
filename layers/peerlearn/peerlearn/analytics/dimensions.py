"""The dimensions a fact is counted under: `all` always, the mentor, and the session's tags and
language (looked up by the stream with a GetItem; handed in by the backfill from its Scan)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from peerlearn.analytics.facts import Fact
from peerlearn.store.analytics import ALL
from peerlearn.store.keys import PAYMENT_SK, SESSION_SK, payment_pk, session_pk
from peerlearn.store.models import PaymentItem, SessionItem

DIMENSIONS = ("all", "tag", "mentor", "language")


@dataclass(frozen=True)
class SessionFacets:
    tags: tuple[str, ...]
    language: str | None


SessionLookup = Callable[[str], SessionFacets | None]
PaymentLookup = Callable[[str], str | None]  # payment id -> its session id


def session_from_table(session_id: str) -> SessionFacets | None:
    try:
        item = SessionItem.get(session_pk(session_id), SESSION_SK)
    except DoesNotExist:
        return None
    return facets_of(item)


def facets_of(item: SessionItem) -> SessionFacets:
    tags = tuple(dict.fromkeys(str(t) for t in (item.tag_keys or [])))
    return SessionFacets(tags=tags, language=str(item.language_key) if item.language_key else None)


def payment_session_from_table(payment_id: str) -> str | None:
    try:
        return str(PaymentItem.get(payment_pk(payment_id), PAYMENT_SK).session_id)
    except DoesNotExist:
        return None


def dimensions_of(
    fact: Fact,
    *,
    session: SessionLookup = session_from_table,
    payment_session: PaymentLookup = payment_session_from_table,
) -> list[tuple[str, str]]:
    """(dimension, value) pairs the fact moves, `("all", "all")` first."""
    pairs = [(ALL, ALL)]
    if fact.mentor_id:
        pairs.append(("mentor", fact.mentor_id))
    session_id = fact.session_id
    if session_id is None and fact.payment_id is not None:
        session_id = payment_session(fact.payment_id)
    facets = session(session_id) if session_id else None
    if facets is not None:
        pairs += [("tag", tag) for tag in facets.tags]
        if facets.language:
            pairs.append(("language", facets.language))
    return pairs
