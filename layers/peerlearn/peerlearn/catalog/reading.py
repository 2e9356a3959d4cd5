"""Sessions as the API shows them: one batch read of the mentors' cards for a page, and a mentor's
own upcoming or past sessions. Lists read items as DynamoDB sends them, card attributes only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peerlearn import timeutil
from peerlearn.adapters.objects import avatar_url
from peerlearn.catalog.lookup import get_session_item
from peerlearn.catalog.schemas import MentorCard, SessionOut, SessionPage
from peerlearn.context import Context
from peerlearn.store import paging
from peerlearn.store.keys import STATS_SK, USER_PROFILE_SK, mentor_sessions_pk, user_pk
from peerlearn.store.models import BaseItem, SessionItem

# What a session card shows. A page reads only these (the search copies, the rating histogram and the
# bookkeeping stay in the table): building pynamodb models of whole items cost more than the Query.
SESSION_CARD_ATTRIBUTES = [
    "id",
    "mentor_id",
    "title",
    "description",
    "tags",
    "level",
    "language",
    "starts_at",
    "ends_at",
    "duration_minutes",
    "timezone",
    "capacity",
    "seats_left",
    "price_paise",
    "early_join_minutes",
    "status",
    "rating_sum",
    "rating_count",
    "booked_count",
    "created_at",
]
MENTOR_CARD_ATTRIBUTES = [
    "pk",
    "sk",
    "name",
    "headline",
    "avatar_key",
    "rating_sum",
    "rating_count",
    "sessions_taught",
]

Stored = dict[str, dict[str, Any]]  # an item as DynamoDB sends it: {"title": {"S": "..."}, ...}


def _text(item: Stored, name: str, default: str = "") -> str:
    value = item.get(name)
    return default if value is None or "NULL" in value else str(value["S"])


def _optional_text(item: Stored, name: str) -> str | None:
    value = item.get(name)
    return None if value is None or "NULL" in value else str(value["S"])


def _int(item: Stored, name: str, default: int = 0) -> int:
    value = item.get(name)
    return default if value is None or "NULL" in value else int(value["N"])


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def mentor_cards(ctx: Context, mentor_ids: Iterable[str]) -> dict[str, MentorCard]:
    """One BatchGetItem (more only for keys DynamoDB leaves unprocessed) for every mentor's profile
    and rating stats on a page."""
    unique = sorted(set(mentor_ids))
    if not unique:
        return {}
    table = BaseItem._get_connection()
    keys: list[Any] = [{"pk": user_pk(m), "sk": sk} for sk in (USER_PROFILE_SK, STATS_SK) for m in unique]
    found: dict[tuple[str, str], Stored] = {}
    while keys:
        answer = table.batch_get_item(keys, attributes_to_get=MENTOR_CARD_ATTRIBUTES)
        for item in answer["Responses"].get(table.table_name, []):
            found[item["pk"]["S"], item["sk"]["S"]] = item
        keys = answer.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
    cards = {}
    for mentor_id in unique:
        user = found.get((user_pk(mentor_id), USER_PROFILE_SK))
        stat = found.get((user_pk(mentor_id), STATS_SK))
        count = _int(stat, "rating_count") if stat else 0
        cards[mentor_id] = MentorCard(
            id=mentor_id,
            name=_text(user, "name") if user else "Former mentor",
            headline=_optional_text(user, "headline") if user else None,
            avatar_url=avatar_url(_optional_text(user, "avatar_key"), ctx.settings.media_base_url)
            if user
            else None,
            rating_average=_average(_int(stat, "rating_sum"), count) if stat else None,
            rating_count=count,
            sessions_taught=_int(stat, "sessions_taught") if stat else 0,
        )
    return cards


def to_out(item: Stored, card: MentorCard) -> SessionOut:
    """A session card from its stored attributes; defaults are the model's (SessionItem)."""
    return SessionOut(
        id=item["id"]["S"],
        mentor=card,
        title=item["title"]["S"],
        description=_text(item, "description"),
        tags=[tag["S"] for tag in item["tags"]["L"]] if "tags" in item else [],
        level=item["level"]["S"],
        language=item["language"]["S"],
        starts_at=item["starts_at"]["S"],
        ends_at=item["ends_at"]["S"],
        duration_minutes=_int(item, "duration_minutes"),
        timezone=item["timezone"]["S"],
        capacity=_int(item, "capacity"),
        seats_left=_int(item, "seats_left"),
        price_paise=_int(item, "price_paise"),
        early_join_minutes=_int(item, "early_join_minutes", 10),
        status=_text(item, "status", "scheduled"),
        rating_average=_average(_int(item, "rating_sum"), _int(item, "rating_count")),
        rating_count=_int(item, "rating_count"),
        booked_count=_int(item, "booked_count"),
        created_at=item["created_at"]["S"],
    )


def stored_outs(ctx: Context, items: list[Stored]) -> list[SessionOut]:
    cards = mentor_cards(ctx, (i["mentor_id"]["S"] for i in items))
    return [to_out(i, cards[i["mentor_id"]["S"]]) for i in items]


def outs(ctx: Context, items: list[SessionItem]) -> list[SessionOut]:
    return stored_outs(ctx, [item.serialize() for item in items])


def get_session(ctx: Context, session_id: str) -> SessionOut:
    return outs(ctx, [get_session_item(session_id)])[0]


def mentor_sessions(
    ctx: Context, *, mentor_id: str, when: str, limit: int, cursor: str | None
) -> SessionPage:
    """Upcoming: starts after now, soonest first. Past: started before now, newest first."""
    items, next_cursor = paging.timeline_page(
        SessionItem.by_mentor,
        mentor_sessions_pk(mentor_id),
        SessionItem.gsi2sk,
        when=when,
        now_iso=timeutil.now_iso(),
        limit=limit,
        cursor=cursor,
    )
    return SessionPage(items=outs(ctx, items), next_cursor=next_cursor)
