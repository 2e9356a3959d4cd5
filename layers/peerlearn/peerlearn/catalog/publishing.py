"""Publishing and editing sessions: checks on price and start, one conditional write each.

Edits that touch bookings (a new time, a new title) reach them through the stream
(peerlearn.reactions), so a request stays one write.
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import clock, ids, quotas, store, timeutil
from peerlearn.catalog.lifecycle import invalid_transition, owned
from peerlearn.catalog.reading import get_session
from peerlearn.catalog.schemas import MIN_PRICE_PAISE, SessionCreate, SessionOut, SessionUpdate
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, Forbidden
from peerlearn.ratelimit import Limit
from peerlearn.store.keys import (
    OPEN,
    SESSION_SK,
    STATS_SK,
    USER_PROFILE_SK,
    mentor_sessions_pk,
    session_pk,
    user_pk,
)
from peerlearn.store.models import MentorStatsItem, SessionItem, UserItem

logger = logging.getLogger(__name__)

MIN_LEAD_MINUTES = 10
MAX_AHEAD_DAYS = 365
SESSIONS_PER_MENTOR = Limit("publish-mentor", max_hits=20, window_seconds=3600)
SESSIONS_PER_CLIENT = Limit("publish-client", max_hits=60, window_seconds=3600)


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


def create_session(ctx: Context, *, mentor_id: str, request: SessionCreate, client: str) -> SessionOut:
    """Publishes a session: one transaction writes it and counts the mentor's and the client's quotas."""
    _check_price(request.price_paise)
    starts_at = timeutil.local_to_utc_iso(request.starts_at_local, request.timezone)
    _check_start(starts_at)
    try:
        mentor = UserItem.get(user_pk(mentor_id), USER_PROFILE_SK)
    except DoesNotExist as exc:
        raise Forbidden("Only mentors can publish sessions.") from exc
    session_id = ids.new_id()
    now = timeutil.now_iso()
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
    now_seconds = clock.now_seconds()
    counted = [(SESSIONS_PER_MENTOR, mentor_id), (SESSIONS_PER_CLIENT, client)]
    try:
        with store.transaction() as tx:
            tx.save(item, condition=SessionItem.pk.does_not_exist())
            for quota in counted:
                quotas.count(tx, quota, now_seconds)
    except TransactWriteError as exc:
        full = quotas.exhausted(exc, counted, first_index=1)
        if full is None:
            raise
        raise quotas.refusal(
            full, now_seconds, "That's a lot of new sessions in a short time.", "too_many_sessions"
        ) from exc
    logger.info("session published", extra={"session_id": session_id, "mentor_id": mentor_id})
    return get_session(ctx, session_id)


def _mentor_rating_score(mentor_id: str) -> int:
    try:
        stats = MentorStatsItem.get(user_pk(mentor_id), STATS_SK)
    except DoesNotExist:
        return 0
    count = int(stats.rating_count)
    return round(int(stats.rating_sum) * 100 / count) if count else 0


def update_session(ctx: Context, *, mentor_id: str, session_id: str, changes: SessionUpdate) -> SessionOut:
    item = owned(session_id, mentor_id)
    sent = changes.model_dump(exclude_unset=True)
    if not sent:
        raise BadRequest("Nothing to change: send at least one field.")
    for required in ("title", "tags", "level", "language", "duration_minutes", "capacity", "price_paise"):
        if required in sent and sent[required] is None:
            raise BadRequest(f"{required} can't be empty.", field=required)
    if item.status != "scheduled":
        raise invalid_transition(item, "edited")

    actions: list[Any] = [SessionItem.updated_at.set(timeutil.now_iso())]
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
