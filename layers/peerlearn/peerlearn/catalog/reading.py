"""Sessions as the API shows them: one batch read of the mentors' cards for a page, and a mentor's
own upcoming or past sessions."""

from __future__ import annotations

from collections.abc import Iterable

from peerlearn import timeutil
from peerlearn.accounts.profiles import avatar_url
from peerlearn.catalog.lookup import get_session_item
from peerlearn.catalog.schemas import MentorCard, SessionOut, SessionPage
from peerlearn.context import Context
from peerlearn.store import paging
from peerlearn.store.keys import STATS_SK, USER_PROFILE_SK, mentor_sessions_pk, user_pk
from peerlearn.store.models import BaseItem, MentorStatsItem, SessionItem, UserItem


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def mentor_cards(ctx: Context, mentor_ids: Iterable[str]) -> dict[str, MentorCard]:
    """One BatchGetItem for every mentor's profile and rating stats on a page."""
    unique = sorted(set(mentor_ids))
    if not unique:
        return {}
    keys = [(user_pk(m), USER_PROFILE_SK) for m in unique] + [(user_pk(m), STATS_SK) for m in unique]
    users: dict[str, UserItem] = {}
    stats: dict[str, MentorStatsItem] = {}
    for item in BaseItem.batch_get(keys):
        if isinstance(item, UserItem):
            users[item.id] = item
        elif isinstance(item, MentorStatsItem):
            stats[item.pk.removeprefix("USER#")] = item
    cards = {}
    for mentor_id in unique:
        user = users.get(mentor_id)
        stat = stats.get(mentor_id)
        count = int(stat.rating_count) if stat else 0
        cards[mentor_id] = MentorCard(
            id=mentor_id,
            name=user.name if user else "Former mentor",
            headline=user.headline if user else None,
            avatar_url=avatar_url(user.avatar_key, ctx.settings.media_base_url) if user else None,
            rating_average=_average(int(stat.rating_sum), count) if stat else None,
            rating_count=count,
            sessions_taught=int(stat.sessions_taught) if stat else 0,
        )
    return cards


def to_out(item: SessionItem, card: MentorCard) -> SessionOut:
    return SessionOut(
        id=item.id,
        mentor=card,
        title=item.title,
        description=item.description,
        tags=list(item.tags),
        level=item.level,
        language=item.language,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        duration_minutes=int(item.duration_minutes),
        timezone=item.timezone,
        capacity=int(item.capacity),
        seats_left=int(item.seats_left),
        price_paise=int(item.price_paise),
        early_join_minutes=int(item.early_join_minutes),
        status=item.status,
        rating_average=_average(int(item.rating_sum), int(item.rating_count)),
        rating_count=int(item.rating_count),
        booked_count=int(item.booked_count),
        created_at=item.created_at,
    )


def outs(ctx: Context, items: list[SessionItem]) -> list[SessionOut]:
    cards = mentor_cards(ctx, (i.mentor_id for i in items))
    return [to_out(i, cards[i.mentor_id]) for i in items]


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
