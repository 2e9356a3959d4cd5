"""The admins' live platform statistics over their user channel: an admin's `subscribe` is answered
with the figures at once (people online, rooms live, today's bookings and money from the rollups),
anyone else is refused; the stream's batches and channels opening push fresh figures to subscribed
admins only, throttled; a demoted admin or a gone tab stops getting them."""

from __future__ import annotations

import copy
import json
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from peerlearn import events
from peerlearn.bookings import seats
from peerlearn.catalog import lifecycle
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.live import dispatch
from peerlearn.notify import channel, platform_stats
from peerlearn.store.analytics import india_today
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem
from tests.support import LambdaContextStub, load_event, load_function
from tests.unit.rooms_support import Wire
from tests.unit.sessions_support import CLIENT, Booker, Clock, person, publish
from tests.unit.stream_support import Stream


@pytest.fixture
def functions(ctx: Context) -> dict[str, ModuleType]:
    """The signaling and streams functions, cold-started before the wire records their pushes."""
    return {"signaling": load_function("signaling"), "streams": load_function("streams")}


@pytest.fixture
def wire(functions: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch) -> Wire:
    return Wire(monkeypatch)


@pytest.fixture
def clock(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def admin(ctx: Context) -> Booker:
    return person("admin")


def open_channel(ctx: Context, who: Booker, connection_id: str) -> str:
    user_id = channel.redeem_ticket(channel.issue_ticket(ctx, who.user_id).ticket)
    channel.connect(user_id, connection_id)
    return connection_id


def send(connection_id: str, **message: Any) -> None:
    dispatch.handle(connection_id, json.dumps(message))


def updates(wire: Wire, connection_id: str) -> list[dict[str, Any]]:
    return [m for m in wire.sent[connection_id] if m["type"] == "stats.update"]


def confirmed_free_booking(ctx: Context) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor, hours=48)
    seats.book(booker=person("learner"), session_id=session_id, client=CLIENT)


# ---------------------------------------------------------------- subscribing
def test_an_admin_who_subscribes_gets_the_figures_at_once(ctx: Context, admin: Booker, wire: Wire) -> None:
    # Given two people with PeerLearn open (the admin in two tabs), a live room and a booking today
    open_channel(ctx, admin, "admin-tab=")
    open_channel(ctx, admin, "admin-tab-2=")
    open_channel(ctx, person("learner"), "learner-tab=")
    mentor = person("mentor")
    live = publish(ctx, mentor, hours=0.25)
    lifecycle.start(get_session_item(live))
    stream = Stream(ctx)
    confirmed_free_booking(ctx)
    stream.flush()  # the rollups count the booking

    # When
    send("admin-tab=", action="subscribe", topic="stats", ref="s1")

    # Then
    [update] = updates(wire, "admin-tab=")
    assert update["ref"] == "s1"
    assert update["day"] == india_today()
    assert update["active_users_now"] == 2
    assert update["rooms_live"] == 1
    assert update["bookings_today"] == 1
    assert update["gmv_today_paise"] == 0
    assert update["platform_revenue_today_paise"] == 0
    assert [s.connection_id for s in platform_stats.subscribers()] == ["admin-tab="]


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_a_learner_or_mentor_is_refused_the_statistics(ctx: Context, wire: Wire, role: str) -> None:
    tab = open_channel(ctx, person(role), "tab=")
    send(tab, action="subscribe", topic="stats", ref="s1")
    [refusal] = wire.sent[tab]
    assert (refusal["type"], refusal["code"], refusal["ref"]) == ("error", "forbidden", "s1")
    assert platform_stats.subscribers() == []


def test_an_unknown_topic_is_a_bad_message(ctx: Context, admin: Booker, wire: Wire) -> None:
    tab = open_channel(ctx, admin, "tab=")
    send(tab, action="subscribe", topic="everything")
    [refusal] = wire.sent[tab]
    assert (refusal["code"], refusal["message"]) == ("bad_message", "topic: the only topic is 'stats'.")
    assert platform_stats.subscribers() == []


def test_unsubscribing_stops_the_pushes(ctx: Context, admin: Booker, wire: Wire) -> None:
    tab = open_channel(ctx, admin, "tab=")
    send(tab, action="subscribe", topic="stats")
    send(tab, action="unsubscribe", topic="stats")
    assert platform_stats.subscribers() == []
    assert platform_stats.push() == 0


def test_a_subscription_lapses_unless_renewed(ctx: Context, admin: Booker, wire: Wire, clock: Clock) -> None:
    tab = open_channel(ctx, admin, "tab=")
    send(tab, action="subscribe", topic="stats")
    clock.advance(seconds=platform_stats.SUBSCRIPTION_SECONDS - 10)
    send(tab, action="subscribe", topic="stats")  # the page renews it
    clock.advance(seconds=platform_stats.SUBSCRIPTION_SECONDS - 10)
    assert len(platform_stats.subscribers()) == 1
    clock.advance(seconds=20)
    assert platform_stats.subscribers() == []


# ---------------------------------------------------------------- pushes
def test_a_stream_batch_that_moves_a_figure_pushes_to_subscribed_admins_only(
    ctx: Context, functions: dict[str, ModuleType], admin: Booker, wire: Wire, clock: Clock
) -> None:
    # Given an admin watching, another admin's tab not subscribed, and a learner's tab
    watching = open_channel(ctx, admin, "admin-tab=")
    idle = open_channel(ctx, person("admin"), "idle-admin-tab=")
    learner_tab = open_channel(ctx, person("learner"), "learner-tab=")
    send(watching, action="subscribe", topic="stats")
    stream = Stream(ctx)
    clock.advance(seconds=platform_stats.THROTTLE_SECONDS + 1)

    # When a booking is confirmed and the stream's batch is handled by the streams function
    confirmed_free_booking(ctx)
    streams = functions["streams"]
    records = stream._records()
    streams.lambda_handler({"Records": [r.raw_event for r in records]}, LambdaContextStub())

    # Then the watching admin got fresh figures; nobody else got any
    assert [u["bookings_today"] for u in updates(wire, watching)] == [0, 1]
    assert wire.sent[idle] == []
    assert wire.sent[learner_tab] == []


def test_pushes_are_throttled_to_one_every_few_seconds(
    ctx: Context, admin: Booker, wire: Wire, clock: Clock
) -> None:
    tab = open_channel(ctx, admin, "tab=")
    send(tab, action="subscribe", topic="stats")
    assert platform_stats.push() == 1
    assert platform_stats.push() == 0  # within the pause
    clock.advance(seconds=platform_stats.THROTTLE_SECONDS - 1)
    assert platform_stats.push() == 0
    clock.advance(seconds=1)
    assert platform_stats.push() == 1
    assert len(updates(wire, tab)) == 3  # the subscribe's answer and two pushes


def test_a_batch_that_moves_no_figure_pushes_nothing(
    ctx: Context, admin: Booker, wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = open_channel(ctx, admin, "tab=")
    send(tab, action="subscribe", topic="stats")
    calls: list[int] = []
    monkeypatch.setattr(platform_stats, "push", lambda: calls.append(1) or 0)
    review = {"entity": "REVIEW", "rating": 5}
    assert not platform_stats.moves_a_figure("MODIFY", review, {**review, "rating": 4})
    booking = {"entity": "BOOKING", "status": "confirmed", "confirmed_at": "x", "reminded": False}
    assert not platform_stats.moves_a_figure("MODIFY", booking, {**booking, "reminded": True})
    assert platform_stats.moves_a_figure("MODIFY", booking, {**booking, "status": "cancelled"})
    assert platform_stats.moves_a_figure("INSERT", {}, {"entity": "LEDGER_ENTRY"})
    # someone's first visit of the day (a sign-in or the day's first refresh) moves active users
    assert platform_stats.moves_a_figure("INSERT", {}, {"entity": "ACTIVE_DAY"})
    session = {"entity": "SESSION", "status": "scheduled"}
    assert platform_stats.moves_a_figure("MODIFY", session, {**session, "status": "live"})
    # And through the stream's batch: a review's rating moves no figure, a cancelled booking does
    events.after_batch([record("MODIFY", review, {**review, "rating": 4})])
    assert calls == []
    cancelled = record("MODIFY", booking, {**booking, "status": "cancelled"})
    events.after_batch([record("MODIFY", review, {**review, "rating": 4}), cancelled])
    assert calls == [1]


def record(event: str, old: dict[str, Any], new: dict[str, Any]) -> DynamoDBRecord:
    """A stream record with both images, typed as DynamoDB writes them."""

    def typed(value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"BOOL": value}
        return {"N": str(value)} if isinstance(value, int) else {"S": value}

    def image(values: dict[str, Any]) -> dict[str, Any]:
        return {name: typed(value) for name, value in values.items()}

    data = {"Keys": {"pk": {"S": "K"}, "sk": {"S": "K"}}, "OldImage": image(old), "NewImage": image(new)}
    return DynamoDBRecord({"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": data})


def test_someone_opening_the_app_pushes_a_new_count_online(
    ctx: Context, functions: dict[str, ModuleType], admin: Booker, wire: Wire, clock: Clock
) -> None:
    # Given an admin watching the figures
    signaling = functions["signaling"]
    tab = open_channel(ctx, admin, "admin-tab=")
    send(tab, action="subscribe", topic="stats")
    clock.advance(seconds=platform_stats.THROTTLE_SECONDS + 1)
    # When a learner's tab opens its channel (the signaling function's `$connect`)
    learner = person("learner")
    event = copy.deepcopy(load_event("signaling/connect.json"))
    event["requestContext"]["connectionId"] = "learner-tab="
    event["requestContext"]["authorizer"] = {
        "principalId": learner.user_id,
        "user_id": learner.user_id,
        "role": "learner",
        "channel": "user",
    }
    assert signaling.lambda_handler(event, LambdaContextStub()) == {"statusCode": 200}
    # Then the admin sees one more person online
    assert [u["active_users_now"] for u in updates(wire, tab)] == [1, 2]


def test_a_demoted_admin_gets_no_more_figures(ctx: Context, admin: Booker, wire: Wire) -> None:
    tab = open_channel(ctx, admin, "tab=")
    send(tab, action="subscribe", topic="stats")
    user = UserItem.get(user_pk(admin.user_id), USER_PROFILE_SK)
    user.update(actions=[UserItem.role.set("learner")])
    assert platform_stats.push() == 0
    assert platform_stats.subscribers() == []
    assert len(updates(wire, tab)) == 1  # only the subscribe's answer


def test_a_gone_tab_is_dropped_and_the_others_still_get_theirs(
    ctx: Context, admin: Booker, wire: Wire
) -> None:
    gone = open_channel(ctx, admin, "tab-1=")
    kept = open_channel(ctx, person("admin"), "tab-2=")
    send(gone, action="subscribe", topic="stats")
    send(kept, action="subscribe", topic="stats")
    wire.gone.add(gone)
    assert platform_stats.push() == 1
    assert [s.connection_id for s in platform_stats.subscribers()] == [kept]


def test_a_failing_push_never_fails_the_stream_batch(
    ctx: Context, admin: Booker, wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> int:
        raise RuntimeError("the table is having a bad day")

    monkeypatch.setattr(platform_stats, "push", broken)
    platform_stats.nudge()  # logs, does not raise


def test_people_online_counts_people_not_tabs_and_ignores_expired_connections(
    ctx: Context, admin: Booker, clock: Clock
) -> None:
    learner = person("learner")
    open_channel(ctx, learner, "a=")
    open_channel(ctx, learner, "b=")
    open_channel(ctx, admin, "c=")
    assert platform_stats.people_online(platform_stats.clock.now_seconds()) == 2
    channel.forget(admin.user_id, "c=")
    assert platform_stats.people_online(platform_stats.clock.now_seconds()) == 1
    clock.advance(seconds=channel.CONNECTION_TTL_SECONDS + 1)  # `$disconnect` never came
    assert platform_stats.people_online(platform_stats.clock.now_seconds()) == 0
