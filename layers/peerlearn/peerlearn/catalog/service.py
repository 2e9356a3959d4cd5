"""Sessions: what mentors publish, edit and cancel, and the lifecycle scheduled -> live -> completed.

State changes are conditional writes; an invalid transition is a Conflict naming the current state.
Reactions that touch many items (cancelling bookings, notifying learners of a new time) run in the
stream consumer (peerlearn.catalog.events), so a request stays one or two writes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ids, store, timeutil
from peerlearn.accounts.profiles import avatar_url
from peerlearn.catalog.schemas import (
    MIN_PRICE_PAISE,
    MentorCard,
    SessionCreate,
    SessionOut,
    SessionPage,
    SessionUpdate,
)
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, Forbidden, NotFound
from peerlearn.store import paging
from peerlearn.store.keys import (
    LIVE,
    OPEN,
    SESSION_SK,
    STATS_SK,
    USER_PROFILE_SK,
    mentor_sessions_pk,
    session_pk,
    user_pk,
)
from peerlearn.store.models import BaseItem, MentorStatsItem, SessionItem, UserItem

logger = logging.getLogger(__name__)

MIN_LEAD_MINUTES = 10
MAX_AHEAD_DAYS = 365
# A live session is completed by the jobs function this long after its planned end.
COMPLETION_GRACE_MINUTES = 30


def now_iso() -> str:
    return timeutil.iso_from_epoch(clock.now_seconds())


# ---------------------------------------------------------------- reading
def get_session_item(session_id: str, *, consistent: bool = False) -> SessionItem:
    if not ids.is_id(session_id):
        raise NotFound("No such session.")
    try:
        return SessionItem.get(session_pk(session_id), SESSION_SK, consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such session.") from exc


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


# ---------------------------------------------------------------- publishing
def _search_text(title: str, description: str, tags: list[str]) -> str:
    return " ".join([title, description, *tags]).lower()


def _check_price(price_paise: int) -> None:
    if 0 < price_paise < MIN_PRICE_PAISE:
        raise BadRequest(
            "A paid session costs at least ₹49 (4900 paise); use 0 for free.", field="price_paise"
        )


def _check_start(starts_at: str) -> None:
    now = clock.now_seconds()
    start = timeutil.epoch(starts_at)
    if start < now + MIN_LEAD_MINUTES * 60:
        raise BadRequest(
            f"Pick a start at least {MIN_LEAD_MINUTES} minutes from now.", field="starts_at_local"
        )
    if start > now + MAX_AHEAD_DAYS * 86400:
        raise BadRequest("Sessions can be scheduled up to a year ahead.", field="starts_at_local")


def require_publisher(user_id: str, role: str, email_verified: bool) -> None:
    if role != "mentor":
        raise Forbidden("Only mentors can publish sessions.")
    if not email_verified:
        raise Forbidden("Verify your email before publishing sessions.", code="email_not_verified")


def create_session(ctx: Context, *, mentor_id: str, request: SessionCreate) -> SessionOut:
    _check_price(request.price_paise)
    starts_at = timeutil.local_to_utc_iso(request.starts_at_local, request.timezone)
    _check_start(starts_at)
    try:
        mentor = UserItem.get(user_pk(mentor_id), USER_PROFILE_SK)
    except DoesNotExist as exc:
        raise Forbidden("Only mentors can publish sessions.") from exc
    session_id = ids.new_id()
    now = now_iso()
    tags = list(dict.fromkeys(request.tags))
    item = SessionItem(
        session_pk(session_id),
        SESSION_SK,
        id=session_id,
        mentor_id=mentor_id,
        mentor_name=mentor.name,
        title=request.title,
        description=request.description,
        tags=tags,
        tag_keys=[t.lower() for t in tags],
        search_text=_search_text(request.title, request.description, tags),
        level=request.level,
        language=request.language,
        language_key=request.language.lower(),
        starts_at=starts_at,
        ends_at=timeutil.plus_minutes(starts_at, request.duration_minutes),
        duration_minutes=request.duration_minutes,
        timezone=request.timezone,
        capacity=request.capacity,
        seats_left=request.capacity,
        booked_count=0,
        price_paise=request.price_paise,
        early_join_minutes=request.early_join_minutes,
        status="scheduled",
        open=OPEN,
        mentor_rating=_mentor_rating_score(mentor_id),
        created_at=now,
        updated_at=now,
        gsi2pk=mentor_sessions_pk(mentor_id),
        gsi2sk=f"{starts_at}#{session_id}",
    )
    item.save(condition=SessionItem.pk.does_not_exist())
    logger.info("session published", extra={"session_id": session_id, "mentor_id": mentor_id})
    return get_session(ctx, session_id)


def _mentor_rating_score(mentor_id: str) -> int:
    try:
        stats = MentorStatsItem.get(user_pk(mentor_id), STATS_SK)
    except DoesNotExist:
        return 0
    count = int(stats.rating_count)
    return round(int(stats.rating_sum) * 100 / count) if count else 0


def _owned(session_id: str, mentor_id: str) -> SessionItem:
    item = get_session_item(session_id, consistent=True)
    if item.mentor_id != mentor_id:
        raise Forbidden("Only the session's mentor can change it.")
    return item


def _invalid_transition(item: SessionItem, doing: str) -> Conflict:
    return Conflict(f"This session is {item.status}, so it can't be {doing}.", code="invalid_transition")


def update_session(ctx: Context, *, mentor_id: str, session_id: str, changes: SessionUpdate) -> SessionOut:
    item = _owned(session_id, mentor_id)
    sent = changes.model_dump(exclude_unset=True)
    if not sent:
        raise BadRequest("Nothing to change: send at least one field.")
    for required in ("title", "tags", "level", "language", "duration_minutes", "capacity", "price_paise"):
        if required in sent and sent[required] is None:
            raise BadRequest(f"{required} can't be empty.", field=required)
    if item.status != "scheduled":
        raise _invalid_transition(item, "edited")

    actions: list[Any] = [SessionItem.updated_at.set(now_iso())]
    condition: Any = (SessionItem.status == "scheduled") & SessionItem.pk.exists()
    booked = int(item.booked_count)

    if "price_paise" in sent and sent["price_paise"] != item.price_paise:
        _check_price(sent["price_paise"])
        if booked:
            raise Conflict(
                "The price can't change once people have booked.", code="price_locked", field="price_paise"
            )
        actions.append(SessionItem.price_paise.set(sent["price_paise"]))
        condition &= SessionItem.booked_count == 0
    if "capacity" in sent and sent["capacity"] != item.capacity:
        capacity = sent["capacity"]
        if capacity < booked:
            raise Conflict(
                f"{booked} people have booked: capacity can't go below that.",
                code="capacity_below_booked",
                field="capacity",
            )
        actions += [
            SessionItem.capacity.set(capacity),
            SessionItem.seats_left.set(capacity - SessionItem.booked_count),
        ]
        condition &= SessionItem.booked_count <= capacity

    starts_at, duration = item.starts_at, int(item.duration_minutes)
    if "starts_at_local" in sent or "timezone" in sent:
        if not sent.get("starts_at_local") or not sent.get("timezone"):
            raise BadRequest(
                "Send both starts_at_local and timezone to move a session.", field="starts_at_local"
            )
        starts_at = timeutil.local_to_utc_iso(sent["starts_at_local"], sent["timezone"])
        _check_start(starts_at)
        actions += [
            SessionItem.starts_at.set(starts_at),
            SessionItem.timezone.set(sent["timezone"]),
            SessionItem.gsi2sk.set(f"{starts_at}#{item.id}"),
        ]
    if "duration_minutes" in sent:
        duration = sent["duration_minutes"]
        actions.append(SessionItem.duration_minutes.set(duration))
    if starts_at != item.starts_at or duration != item.duration_minutes:
        actions.append(SessionItem.ends_at.set(timeutil.plus_minutes(starts_at, duration)))

    for field in ("level", "early_join_minutes"):
        if field in sent:
            actions.append(getattr(SessionItem, field).set(sent[field]))
    if "language" in sent:
        actions += [
            SessionItem.language.set(sent["language"]),
            SessionItem.language_key.set(sent["language"].lower()),
        ]
    if {"title", "description", "tags"} & sent.keys():
        title = sent.get("title", item.title)
        description = sent.get("description", item.description) or ""
        tags = list(dict.fromkeys(sent.get("tags") or item.tags))
        actions += [
            SessionItem.title.set(title),
            SessionItem.description.set(description),
            SessionItem.tags.set(tags),
            SessionItem.tag_keys.set([t.lower() for t in tags]),
            SessionItem.search_text.set(_search_text(title, description, tags)),
        ]
    with store.failed_condition_raises(
        Conflict("Someone booked meanwhile; reload and try again.", code="changed_meanwhile")
    ):
        item.update(actions=actions, condition=condition)
    logger.info("session updated", extra={"session_id": session_id, "fields": sorted(sent)})
    return get_session(ctx, session_id)


# ---------------------------------------------------------------- lifecycle
def _transition(item: SessionItem, *, allowed_from: set[str], doing: str, actions: list[Any]) -> SessionItem:
    """One conditional write; a state that moved on since `item` was read is a Conflict too."""
    if item.status not in allowed_from:
        raise _invalid_transition(item, doing)
    with store.failed_condition_raises(
        Conflict(f"This session changed meanwhile, so it can't be {doing}; reload.", code="changed_meanwhile")
    ):
        item.update(
            actions=[*actions, SessionItem.updated_at.set(now_iso())],
            condition=SessionItem.status.is_in(*allowed_from),
        )
    return item


def start(item: SessionItem) -> SessionItem:
    """scheduled -> live: closes booking and lists the session for the completion job."""
    return _transition(
        item,
        allowed_from={"scheduled"},
        doing="started",
        actions=[
            SessionItem.status.set("live"),
            SessionItem.open.remove(),
            SessionItem.started_at.set(now_iso()),
            SessionItem.gsi1pk.set(LIVE),
            SessionItem.gsi1sk.set(f"{item.ends_at}#{item.id}"),
        ],
    )


def complete(item: SessionItem) -> SessionItem:
    """live -> completed: bookings are completed by the stream consumer."""
    return _transition(
        item,
        allowed_from={"live"},
        doing="ended",
        actions=[
            SessionItem.status.set("completed"),
            SessionItem.completed_at.set(now_iso()),
            SessionItem.gsi1pk.remove(),
            SessionItem.gsi1sk.remove(),
        ],
    )


def start_session(ctx: Context, *, mentor_id: str, session_id: str) -> SessionOut:
    item = _owned(session_id, mentor_id)
    opens_at = timeutil.epoch(item.starts_at) - int(item.early_join_minutes) * 60
    if item.status == "scheduled" and clock.now_seconds() < opens_at:
        raise Conflict(
            f"The session can be started from {timeutil.iso_from_epoch(opens_at)}.", code="too_early"
        )
    start(item)
    logger.info("session started", extra={"session_id": session_id})
    return get_session(ctx, session_id)


def end_session(ctx: Context, *, mentor_id: str, session_id: str) -> SessionOut:
    item = _owned(session_id, mentor_id)
    complete(item)
    logger.info("session completed", extra={"session_id": session_id})
    return get_session(ctx, session_id)


def cancel_session(ctx: Context, *, mentor_id: str, session_id: str) -> SessionOut:
    """scheduled -> cancelled; the stream consumer then cancels every booking and tells the learners."""
    item = _owned(session_id, mentor_id)
    _transition(
        item,
        allowed_from={"scheduled"},
        doing="cancelled",
        actions=[
            SessionItem.status.set("cancelled"),
            SessionItem.open.remove(),
            SessionItem.cancelled_at.set(now_iso()),
        ],
    )
    logger.info("session cancelled", extra={"session_id": session_id})
    return get_session(ctx, session_id)


# ---------------------------------------------------------------- a mentor's own lists
def mentor_sessions(
    ctx: Context, *, mentor_id: str, when: str, limit: int, cursor: str | None
) -> SessionPage:
    """Upcoming: starts after now, soonest first. Past: started before now, newest first."""
    key, ascending = paging.upcoming_or_past(SessionItem.gsi2sk, when, now_iso())

    def run(start: dict[str, Any] | None) -> Any:
        return SessionItem.by_mentor.query(
            mentor_sessions_pk(mentor_id),
            key,
            scan_index_forward=ascending,
            limit=limit,
            last_evaluated_key=start,
        )

    items, next_cursor = paging.page(run, cursor)
    return SessionPage(items=outs(ctx, items), next_cursor=next_cursor)
