"""The stream keeps each session's popularity and each learner's taste between model builds: once
per change however often a record is delivered, trending ordered by decayed popularity and holding
only bookable sessions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from peerlearn.bookings import cancelling, seats
from peerlearn.catalog import lifecycle
from peerlearn.context import Context
from peerlearn.recommend import signals, trending
from peerlearn.recommend.weights import rating_weight
from peerlearn.store.keys import session_pk
from peerlearn.store.recommend import FRESH, POPULARITY_SK, TRENDING, PopularityItem
from tests.support import ROOT
from tests.unit.sessions_support import CLIENT, person, publish
from tests.unit.stream_support import Stream


def popularity(session_id: str) -> PopularityItem:
    return PopularityItem.get(session_pk(session_id), POPULARITY_SK, consistent_read=True)


def trending_ids() -> list[str]:
    return [i.session_id for i in PopularityItem.trending.query(TRENDING, scan_index_forward=False)]


def fresh_ids(since: str | None = None) -> list[str]:
    condition = None if since is None else PopularityItem.gsi2sk > since
    return [i.session_id for i in PopularityItem.fresh.query(FRESH, condition)]


def test_the_stream_keeps_a_bookable_sessions_tags_and_when_it_was_published_however_often_replayed(
    ctx: Context,
) -> None:
    mentor = person("mentor")
    stream = Stream(ctx)
    before = publish(ctx, mentor)
    built_at = signals.timeutil.iso_from_epoch(signals.clock.now_seconds() + 2)  # a build after it

    with signals.clock.shifted(5):
        session_id = publish(ctx, mentor, tags=["Rust", "Systems"], hours=21 * 24)
    stream.flush()
    first = popularity(session_id)
    stream.replay()
    stream.replay()

    again = popularity(session_id)
    assert list(again.tags) == ["Rust", "Systems"]
    assert again.gsi2sk == first.gsi2sk
    assert str(again.gsi2sk).endswith(f"#{session_id}")
    assert int(again.version) == int(first.version) == 1  # a replay writes nothing
    assert again.gsi1pk is None  # nothing counted yet: not trending
    assert set(fresh_ids()) == {before, session_id}
    assert fresh_ids(built_at) == [session_id]  # published since the build: one Query


def test_a_session_that_fills_up_or_is_cancelled_leaves_the_fresh_index_and_a_freed_seat_brings_it_back(
    ctx: Context,
) -> None:
    mentor, learner = person("mentor"), person()
    stream = Stream(ctx)
    full, cancelled = publish(ctx, mentor, capacity=1), publish(ctx, mentor, capacity=3)
    stream.flush()
    assert set(fresh_ids()) == {full, cancelled}

    seats.book(booker=learner, session_id=full, client=CLIENT)
    lifecycle.cancel_session(ctx, mentor_id=mentor.user_id, session_id=cancelled)
    stream.flush()
    stream.replay()
    assert fresh_ids() == []
    assert popularity(full).gsi2sk is None

    cancelling.cancel_by_learner(user_id=learner.user_id, session_id=full, cutoff_hours=0)
    stream.flush()
    assert fresh_ids() == [full]


def test_a_confirmed_booking_counts_once_in_popularity_and_taste_however_often_replayed(ctx: Context) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, capacity=3)
    stream = Stream(ctx)

    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    first = popularity(session_id)
    stream.replay()
    stream.replay()

    again = popularity(session_id)
    assert int(again.bookings) == 1
    assert again.trend_log2 == first.trend_log2
    assert again.gsi1pk == TRENDING
    history, booked = signals.taste_of(learner.user_id)
    assert booked == {session_id}
    assert [(s, w) for s, w, _ in history] == [(session_id, 1.0)]


def test_trending_orders_bookable_sessions_by_their_bookings(ctx: Context) -> None:
    mentor = person("mentor")
    quiet, busy = publish(ctx, mentor, capacity=5), publish(ctx, mentor, capacity=5)
    learners = [person() for _ in range(3)]
    stream = Stream(ctx)

    seats.book(booker=learners[0], session_id=quiet, client=CLIENT)
    for learner in learners[1:]:
        seats.book(booker=learner, session_id=busy, client=CLIENT)
    stream.flush()

    assert trending_ids() == [busy, quiet]
    assert trending.trend_at(
        float(popularity(busy).trend_log2), signals.clock.now_seconds()
    ) == pytest.approx(2.0, rel=0.01)


def test_a_cancelled_session_leaves_trending_and_a_learners_cancellation_is_taken_back(ctx: Context) -> None:
    mentor, stays, leaves = person("mentor"), person(), person()
    session_id, other = publish(ctx, mentor, capacity=3), publish(ctx, mentor, capacity=3)
    stream = Stream(ctx)
    seats.book(booker=stays, session_id=session_id, client=CLIENT)
    seats.book(booker=leaves, session_id=session_id, client=CLIENT)
    seats.book(booker=leaves, session_id=other, client=CLIENT)
    stream.flush()

    cancelling.cancel_by_learner(user_id=leaves.user_id, session_id=session_id, cutoff_hours=0)
    stream.flush()
    stream.replay()

    assert int(popularity(session_id).bookings) == 1
    assert signals.taste_of(leaves.user_id)[1] == {other}
    assert set(trending_ids()) == {session_id, other}

    lifecycle.cancel_session(ctx, mentor_id=mentor.user_id, session_id=other)
    stream.flush()
    assert trending_ids() == [session_id]


def _review(rating: int, version: int = 1) -> dict[str, object]:
    return {
        "entity": "REVIEW",
        "session_id": "S1",
        "learner_id": "L1",
        "mentor_id": "M1",
        "rating": rating,
        "version": version,
        "created_at": "2026-11-20T10:00:00Z",
        "edited_at": "2026-11-21T10:00:00Z" if version > 1 else None,
    }


def test_a_rating_adds_its_weight_to_the_learners_history_once_and_an_edit_only_the_difference(
    ctx: Context,
) -> None:
    first, edited = _review(5), _review(2, version=2)

    assert signals.on_review_changed("INSERT", {}, first) is True
    assert signals.on_review_changed("INSERT", {}, first) is False  # redelivered
    assert signals.on_review_changed("MODIFY", first, edited) is True
    assert signals.on_review_changed("MODIFY", first, edited) is False

    history, _ = signals.taste_of("L1")
    assert sum(w for _, w, _ in history) == pytest.approx(rating_weight(2))
    counted = popularity("S1")
    assert (int(counted.ratings), int(counted.rating_sum)) == (1, 2)


def test_a_view_counts_once_a_day(ctx: Context) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor)
    day = 1_796_000_000

    assert signals.add_view("L1", session_id, now=day) is True
    assert signals.add_view("L1", session_id, now=day + 60) is False
    assert signals.add_view("L2", session_id, now=day + 60) is True
    assert signals.add_view("L1", session_id, now=day + 86400) is True
    assert int(popularity(session_id).views) == 3
    assert popularity(session_id).gsi1pk is None  # a view never ADDS a session to the index (S7)


def test_a_full_session_leaves_trending_and_a_freed_seat_brings_it_back(ctx: Context) -> None:
    mentor, stays, leaves = person("mentor"), person(), person()
    session_id = publish(ctx, mentor, capacity=2)
    stream = Stream(ctx)

    seats.book(booker=stays, session_id=session_id, client=CLIENT)
    seats.book(booker=leaves, session_id=session_id, client=CLIENT)
    stream.flush()
    assert session_id not in trending_ids()  # its last seat is taken

    cancelling.cancel_by_learner(user_id=leaves.user_id, session_id=session_id, cutoff_hours=0)
    stream.flush()
    assert session_id in trending_ids()  # a seat again (and one booking's trend)


def test_a_view_read_stale_never_puts_a_started_session_back_on_trending(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, capacity=3)
    stream = Stream(ctx)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    assert session_id in trending_ids()

    # Given a view that reads the session as still bookable (stale)...
    monkeypatch.setattr(signals, "_bookable", lambda _session_id: True)
    # ...when the session starts (off the index) and then the view lands
    lifecycle.start(lifecycle.owned(session_id, mentor.user_id))
    stream.flush()
    assert signals.add_view("L9", session_id) is True

    # then it stays off
    assert session_id not in trending_ids()
    assert int(popularity(session_id).views) == 1


def test_an_undone_booking_leaves_no_trend_behind() -> None:
    at = 1_796_000_000
    once = signals.add_log2(None, 1.0, at)
    assert signals.add_log2(once, -1.0, at) is None


def test_the_stream_consumer_does_not_load_numpy() -> None:
    # The streams function's cold start: numpy belongs to the recommendations and build functions.
    code = "import sys; import peerlearn.events; print('numpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "layers" / "peerlearn")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
