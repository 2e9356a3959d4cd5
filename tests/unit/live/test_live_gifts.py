"""A paid gift is announced to the room once, whatever the stream redelivers."""

from __future__ import annotations

import copy

import pytest

from infra.local.filtering import parse_filters, passes
from infra.local.template import Template
from peerlearn import events
from peerlearn.catalog import lifecycle
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.store.keys import gift_sk, session_pk
from peerlearn.store.models import GiftItem
from tests.payments_support import stream_record
from tests.support import LambdaContextStub, load_event, load_function
from tests.unit.live.money_support import PRICE, fake_razorpay, paid_gift, paid_seat
from tests.unit.live.room_media_support import Broadcasts
from tests.unit.rooms_support import make_room
from tests.unit.sessions_support import Clock, person, publish


def test_a_paid_gift_is_announced_once_under_a_replayed_stream_batch(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a live session and a learner's gift that was just paid
    fake = fake_razorpay(monkeypatch)
    clock = Clock(monkeypatch)
    room = Broadcasts(monkeypatch)
    session_id = publish(ctx, person("mentor"), price_paise=PRICE, hours=1, capacity=3)
    learner, _ = paid_seat(ctx, fake, session_id)
    clock.advance(minutes=62)
    lifecycle.start(get_session_item(session_id, consistent=True))
    pending, paid = paid_gift(ctx, fake, session_id, learner, "Thank you!")

    # When the stream delivers the change to paid, the batch is retried, and the announcement's own
    # change (announced_at set) comes through too
    batch = [stream_record(new=paid, old=pending), stream_record(new=paid, old=pending)]
    for record in batch + batch:
        events.handle_record(ctx, record)
    announced = GiftItem.get(session_pk(session_id), gift_sk(paid.gift_id), consistent_read=True)
    events.handle_record(ctx, stream_record(new=announced, old=paid))

    # Then the room heard of it exactly once, with who, how much and the message
    assert announced.announced_at is not None
    assert room.sent == [
        (
            session_id,
            {
                "type": "gift",
                "gift": {
                    "id": paid.gift_id,
                    "from_name": learner.name,
                    "amount_paise": 10_000,
                    "message": "Thank you!",
                    "paid_at": paid.paid_at,
                },
            },
        )
    ]


def test_a_pending_gift_is_not_announced(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_razorpay(monkeypatch)
    clock = Clock(monkeypatch)
    room = Broadcasts(monkeypatch)
    session_id = publish(ctx, person("mentor"), price_paise=PRICE, hours=1, capacity=3)
    learner, _ = paid_seat(ctx, fake, session_id)
    clock.advance(minutes=62)
    lifecycle.start(get_session_item(session_id, consistent=True))
    pending, _paid = paid_gift(ctx, fake, session_id, learner, "Hi")

    events.handle_record(ctx, stream_record(new=pending, old=pending))

    assert room.sent == []


def test_the_streams_function_lets_a_paid_gift_through_its_filter_and_announces_it_once(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the gift of the sample event, paid, in the table
    event = load_event("streams/gift-paid.json")
    [record] = event["Records"]
    image = record["dynamodb"]["NewImage"]
    GiftItem(
        image["pk"]["S"],
        image["sk"]["S"],
        gift_id=image["gift_id"]["S"],
        session_id=image["session_id"]["S"],
        learner_id=image["learner_id"]["S"],
        learner_name=image["learner_name"]["S"],
        mentor_id=image["mentor_id"]["S"],
        amount_paise=10_000,
        message=image["message"]["S"],
        status="paid",
        created_at=image["created_at"]["S"],
        paid_at=image["paid_at"]["S"],
    ).save()
    room = Broadcasts(monkeypatch)
    streams = load_function("streams")
    [source] = [
        e for e in Template.load().functions()["StreamsFunction"].events.values() if e["Type"] == "DynamoDB"
    ]
    filters = parse_filters(source["Properties"]["FilterCriteria"])

    # When the batch arrives with the record twice, and is delivered again
    event["Records"].append(copy.deepcopy(record))
    answers = [streams.lambda_handler(event, LambdaContextStub()) for _ in range(2)]

    # Then it passed the template's filter (a still-pending gift does not) and was announced once
    assert passes(filters, record)
    pending = copy.deepcopy(record)
    pending["dynamodb"]["NewImage"]["status"]["S"] = "pending"
    assert not passes(filters, pending)
    assert answers == [{"batchItemFailures": []}] * 2
    assert [message["gift"]["from_name"] for _, message in room.sent] == ["Asha Rao"]


def test_the_admitted_participants_connections_get_the_gift_once_and_the_waiting_room_does_not(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a live room: the mentor and an admitted learner connected, another learner waiting
    fake = fake_razorpay(monkeypatch)
    clock = Clock(monkeypatch)
    room = make_room(ctx, monkeypatch, learners=2)
    mentor, admitted, waiting = room.everyone_in()
    clock.advance(minutes=16)
    lifecycle.start(get_session_item(room.session_id, consistent=True))
    room.wire.clear()

    # When the admitted learner's gift is paid and the stream delivers it twice
    pending, paid = paid_gift(ctx, fake, room.session_id, room.learners[0], "For the great review")
    record = stream_record(new=paid, old=pending)
    events.handle_record(ctx, record)
    events.handle_record(ctx, record)

    # Then each admitted connection got one gift message, through the management API
    for connection_id in (mentor, admitted):
        assert room.wire.types(connection_id).count("gift") == 1
        gift = room.wire.last(connection_id, "gift")["gift"]
        assert (gift["id"], gift["amount_paise"], gift["message"]) == (
            paid.gift_id,
            10_000,
            "For the great review",
        )
    assert "gift" not in room.wire.types(waiting)
