"""Live platform statistics for admins over their user channel (the WebSocket API): people online
now, rooms live, and today's bookings, GMV, platform revenue and active users (India's day).

An admin's page sends `{"action": "subscribe", "topic": "stats"}` on its user channel and gets a
`stats.update` at once; it renews the subscription every 20-30 s (each renewal answers with a fresh
figure). Changes that move a figure (the stream's batches; channels opening and closing) push a
`stats.update` to every subscribed connection, at most once every THROTTLE_SECONDS: a change that
falls inside the pause waits for the next push or the page's next renewal. Only admins: checked on
subscribe and again, per person, before each push (a demoted or banned admin stops receiving it).

| pattern | key condition | index |
|---|---|---|
| the subscribed connections | pk = STATS_SUBSCRIBERS (ttl > now) | table |
| the throttle | UpdateItem STATS_PUSH / LATEST if pushed_at <= now - pause | table |
| people online now | gsi1pk = CHANNELS_OPEN (ttl > now), user ids read | gsi1 |
| rooms live | gsi1pk = LIVE (status = live), COUNT | gsi1 |
| today's figures | GetItem ROLLUP#all / <today>#all | table |
| is the subscriber an admin | GetItem USER#<id> / PROFILE | table |
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from peerlearn import clock, store, timeutil
from peerlearn.adapters import websocket
from peerlearn.errors import Forbidden
from peerlearn.store.analytics import ALL, RollupItem, india_today
from peerlearn.store.keys import (
    LATEST,
    LIVE,
    OPEN_CHANNELS,
    STATS_PUSH,
    STATS_SUBSCRIBERS,
    USER_PROFILE_SK,
    rollup_pk,
    rollup_sk,
    stats_subscriber_sk,
    user_pk,
)
from peerlearn.store.models import ChannelConnectionItem, SessionItem, UserItem
from peerlearn.store.stats import StatsPushItem, StatsSubscriberItem

logger = logging.getLogger(__name__)

TOPIC = "stats"
THROTTLE_SECONDS = 3  # at most one push every few seconds, however busy the platform
# A subscription lives this long unless the page renews it (it does every 20 s): a closed tab whose
# `$disconnect` never came stops costing pushes soon.
SUBSCRIPTION_SECONDS = 120

# What moves a figure, by the stream's record: entity -> the attributes whose change matters.
_WATCHED: dict[str, tuple[str, ...]] = {
    "BOOKING": ("status", "confirmed_at"),
    "SESSION": ("status",),
}


def snapshot() -> dict[str, Any]:
    """The `stats.update` message: every figure read now (two Queries and one GetItem)."""
    now = clock.now_seconds()
    day = india_today()
    try:
        today = RollupItem.get(rollup_pk(ALL), rollup_sk(day, ALL)).counters()
    except DoesNotExist:
        today = {}
    return {
        "type": "stats.update",
        "day": day,
        "as_of": timeutil.iso_from_epoch(now),
        "active_users_now": people_online(now),
        "rooms_live": rooms_live(),
        "bookings_today": today.get("bookings", 0),
        "gmv_today_paise": today.get("gmv_paise", 0),
        "platform_revenue_today_paise": today.get("platform_revenue_paise", 0),
        "active_users_today": today.get("active_users", 0),
    }


def people_online(now: int) -> int:
    """Distinct people with an open user channel (a signed-in tab); a connection whose `$disconnect`
    never came counts until its ttl, as it would still receive pushes until then."""
    users = {
        item.user_id
        for item in ChannelConnectionItem.by_open.query(
            OPEN_CHANNELS,
            filter_condition=ChannelConnectionItem.ttl > now,
            attributes_to_get=["entity", "user_id", "ttl"],
        )
    }
    return len(users)


def rooms_live() -> int:
    """Sessions whose room is open now (the sessions index the completion job reads)."""
    return int(SessionItem.by_live.count(LIVE, filter_condition=SessionItem.status == "live"))


def _is_admin(user_id: str) -> bool:
    try:
        user = UserItem.get(user_pk(user_id), USER_PROFILE_SK, consistent_read=True)
    except DoesNotExist:
        return False
    return user.role == "admin" and not (user.banned or user.deactivated or user.deleted_at)


def subscribe(connection_id: str, user_id: str) -> dict[str, Any]:
    """Registers (or renews) the connection for live statistics; answers with the figures now.
    Forbidden unless its person is an admin."""
    if not _is_admin(user_id):
        raise Forbidden("Live statistics are for admins.", code="forbidden")
    now = clock.now_seconds()
    StatsSubscriberItem(
        STATS_SUBSCRIBERS,
        stats_subscriber_sk(connection_id),
        connection_id=connection_id,
        user_id=user_id,
        subscribed_at=now,
        ttl=now + SUBSCRIPTION_SECONDS,
    ).save()
    return snapshot()


def unsubscribe(connection_id: str) -> dict[str, Any]:
    StatsSubscriberItem(STATS_SUBSCRIBERS, stats_subscriber_sk(connection_id)).delete()
    return {"type": "stats.unsubscribed"}


def subscribers(now: int | None = None) -> list[StatsSubscriberItem]:
    now = clock.now_seconds() if now is None else now
    return list(
        StatsSubscriberItem.query(
            STATS_SUBSCRIBERS, filter_condition=StatsSubscriberItem.ttl > now, consistent_read=True
        )
    )


def _take_turn(now: int) -> bool:
    """The throttle: True for the one caller that may push now (a conditional write decides)."""
    item = StatsPushItem(STATS_PUSH, LATEST)
    try:
        item.update(
            actions=StatsPushItem.upsert_actions([StatsPushItem.pushed_at.set(now)]),
            condition=StatsPushItem.pushed_at.does_not_exist()
            | (StatsPushItem.pushed_at <= now - THROTTLE_SECONDS),
        )
    except UpdateError as exc:
        if store.condition_failed(exc):
            return False
        raise
    return True


def push() -> int:
    """Pushes the figures to every subscribed admin connection, unless one went out within the
    throttle's pause or nobody is subscribed; returns how many connections got it."""
    now = clock.now_seconds()
    watching = subscribers(now)
    if not watching or not _take_turn(now):
        return 0
    data = json.dumps(snapshot(), separators=(",", ":")).encode()
    admins: dict[str, bool] = {}
    delivered = 0
    for subscriber in watching:
        if subscriber.user_id not in admins:
            admins[subscriber.user_id] = _is_admin(subscriber.user_id)
        if not admins[subscriber.user_id]:
            subscriber.delete()  # no longer an admin: no more figures
            continue
        try:
            sent = websocket.post(subscriber.connection_id, data)
        except Exception:  # a throttle or a timeout on one tab: the others still get theirs
            logger.warning("stats push failed", exc_info=True)
            continue
        if sent:
            delivered += 1
        else:
            subscriber.delete()  # that tab is gone
    return delivered


def nudge() -> None:
    """A figure may have moved: push if it is time. Never raises: statistics must not fail the
    stream batch or the socket event that moved them."""
    try:
        push()
    except Exception:
        logger.warning("live statistics push failed", exc_info=True)


def moves_a_figure(event: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a stream record changes one of the figures (a journal entry, a booking confirmed or
    cancelled, a room opening or closing, someone signing up or in)."""
    entity = new.get("entity") or old.get("entity")
    if entity == "LEDGER_ENTRY":
        return event == "INSERT"
    if entity in ("USER", "ACTIVE_DAY") and event == "INSERT":  # a sign-up; someone's first visit today
        return True
    watched = _WATCHED.get(str(entity))
    return watched is not None and any(old.get(name) != new.get(name) for name in watched)
