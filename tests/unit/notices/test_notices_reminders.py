"""Session reminders: kept with the session by the stream, sent by the sweep 24 h, 1 h and 10 min
before, once each, never for a cancelled booking, and sensibly when the job runs late."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from peerlearn import clock, jobs, timeutil
from peerlearn.bookings import cancelling, seats
from peerlearn.catalog import lifecycle, publishing
from peerlearn.catalog.lookup import get_session_item
from peerlearn.catalog.schemas import SessionUpdate
from peerlearn.context import Context
from peerlearn.notices import reminders
from peerlearn.notify import preferences
from peerlearn.notify.preferences import QuietHours
from peerlearn.store.keys import USER_PROFILE_SK, session_pk, user_pk
from peerlearn.store.models import NotificationItem, UserItem
from peerlearn.store.notices import REMIND, REMIND_PREFIX, ReminderItem
from tests.support import local_in
from tests.unit.conftest import Outbox
from tests.unit.sessions_support import CLIENT, Clock, person, publish
from tests.unit.stream_support import Stream


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def reminded(user_id: str) -> list[NotificationItem]:
    found = NotificationItem.query(user_pk(user_id), NotificationItem.sk.startswith("NOTIF#"))
    return [n for n in found if n.kind == "session_reminder"]


def address(user_id: str) -> str:
    return str(UserItem.get(user_pk(user_id), USER_PROFILE_SK).email)


def planned(session_id: str) -> list[ReminderItem]:
    return list(ReminderItem.query(session_pk(session_id), ReminderItem.sk.startswith(REMIND_PREFIX)))


def go_to(moving_clock: Clock, at: int) -> None:
    moving_clock.advance(seconds=at - clock.now_seconds())


def start_of(session_id: str) -> int:
    return timeutil.epoch(get_session_item(session_id, consistent=True).starts_at)


def test_a_scheduled_session_plans_three_reminders_on_the_due_time_index(ctx: Context) -> None:
    stream = Stream(ctx)
    session_id = publish(ctx, person("mentor"), hours=48)
    stream.flush()

    start = start_of(session_id)
    items = sorted(planned(session_id), key=lambda i: -int(i.offset_seconds))
    assert [int(i.offset_seconds) for i in items] == [86400, 3600, 600]
    assert [i.gsi1pk for i in items] == [REMIND] * 3
    assert [i.gsi1sk for i in items] == [f"{start - o:012d}#{session_id}#{o}" for o in (86400, 3600, 600)]


def test_each_reminder_reaches_the_learner_and_the_mentor_once_however_often_the_job_runs(
    ctx: Context, moving_clock: Clock
) -> None:
    mentor, learner = person("mentor"), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    start = start_of(session_id)

    sent = []
    for offset in (86400, 3600, 600):
        go_to(moving_clock, start - offset + 20)
        sent.append(jobs.sweep(ctx).reminders_sent)
        assert jobs.sweep(ctx).reminders_sent == 0  # the job ran twice
        assert reminders.send_due(ctx).reminders_sent == 0

    assert sent == [2, 2, 2]
    for who in (learner, mentor):
        titles = sorted(n.title for n in reminded(who.user_id))
        assert titles == sorted(
            f"“Python code review” starts in {t}" for t in ("24 hours", "1 hour", "10 minutes")
        )
    assert planned(session_id) == []


def test_a_moved_session_moves_its_reminders(ctx: Context, moving_clock: Clock) -> None:
    mentor, learner = person("mentor"), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    old_start = start_of(session_id)

    publishing.update_session(
        ctx,
        mentor_id=mentor.user_id,
        session_id=session_id,
        changes=SessionUpdate(starts_at_local=local_in(72 * 60), timezone="Asia/Kolkata"),
    )
    stream.flush()
    new_start = start_of(session_id)

    go_to(moving_clock, old_start - 86400 + 20)  # the old 24-hour mark: nothing due any more
    assert jobs.sweep(ctx).reminders_sent == 0
    go_to(moving_clock, new_start - 86400 + 20)
    assert jobs.sweep(ctx).reminders_sent == 2
    [note] = reminded(learner.user_id)
    assert timeutil.iso_from_epoch(new_start) in {n.starts_at for n in planned(session_id)}
    assert "24 hours" in note.title


def test_a_cancelled_booking_and_a_cancelled_session_get_no_reminders(
    ctx: Context, moving_clock: Clock
) -> None:
    mentor, stays, leaves = person("mentor"), person(), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48, capacity=2)
    other_id = publish(ctx, mentor, hours=48)
    for who in (stays, leaves):
        seats.book(booker=who, session_id=session_id, client=CLIENT)
    seats.book(booker=stays, session_id=other_id, client=CLIENT)
    cancelling.cancel_by_learner(user_id=leaves.user_id, session_id=session_id, cutoff_hours=24)
    stream.flush()

    lifecycle.cancel_session(ctx, mentor_id=mentor.user_id, session_id=other_id)
    stream.flush()
    assert planned(other_id) == []

    go_to(moving_clock, start_of(session_id) - 86400 + 20)
    jobs.sweep(ctx)
    assert len(reminded(stays.user_id)) == 1  # for the session still on, not the cancelled one
    assert reminded(leaves.user_id) == []


def test_a_booking_cancelled_after_the_stream_planned_it_is_checked_when_sending(
    ctx: Context, moving_clock: Clock
) -> None:
    mentor, learner = person("mentor"), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    cancelling.cancel_by_learner(
        user_id=learner.user_id, session_id=session_id, cutoff_hours=24
    )  # not streamed

    go_to(moving_clock, start_of(session_id) - 86400 + 20)
    report = jobs.sweep(ctx)

    assert (report.reminders_sent, reminded(learner.user_id), reminded(mentor.user_id)) == (0, [], [])


def test_a_late_job_sends_only_the_tightest_reminder_due_and_none_once_started(
    ctx: Context, moving_clock: Clock
) -> None:
    mentor, learner = person("mentor"), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    start = start_of(session_id)

    go_to(moving_clock, start - 30 * 60)  # the job didn't run since a day before: 24 h and 1 h are due
    report = jobs.sweep(ctx)

    [note] = reminded(learner.user_id)
    assert note.title == "“Python code review” starts in 30 minutes"
    assert (report.reminders_sent, report.reminders_skipped) == (2, 1)

    go_to(moving_clock, start + 60)  # and then nothing ran until after the start
    assert jobs.sweep(ctx).reminders_sent == 0
    assert len(reminded(learner.user_id)) == 1
    assert planned(session_id) == []


def test_a_booking_confirmed_after_a_reminder_was_due_skips_that_one(
    ctx: Context, moving_clock: Clock
) -> None:
    mentor, early, late = person("mentor"), person(), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48, capacity=2)
    seats.book(booker=early, session_id=session_id, client=CLIENT)
    stream.flush()
    start = start_of(session_id)

    go_to(moving_clock, start - 86400 + 600)  # the 24-hour reminder is due, the job hasn't run yet
    seats.book(booker=late, session_id=session_id, client=CLIENT)
    stream.flush()
    jobs.sweep(ctx)
    go_to(moving_clock, start - 3600 + 20)
    jobs.sweep(ctx)

    assert sorted(n.title.rsplit(" in ", 1)[1] for n in reminded(early.user_id)) == ["1 hour", "24 hours"]
    assert [n.title.rsplit(" in ", 1)[1] for n in reminded(late.user_id)] == ["1 hour"]


def test_a_replayed_schedule_change_cannot_bring_an_old_time_back(ctx: Context, moving_clock: Clock) -> None:
    mentor = person("mentor")
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48)
    stream.flush()
    publishing.update_session(
        ctx,
        mentor_id=mentor.user_id,
        session_id=session_id,
        changes=SessionUpdate(starts_at_local=local_in(72 * 60), timezone="Asia/Kolkata"),
    )
    stream.flush()

    stream.replay()  # the insert (with the old start) and the move, again

    starts = {item.starts_at for item in planned(session_id)}
    assert starts == {get_session_item(session_id, consistent=True).starts_at}


def test_a_failing_email_keeps_that_reminder_for_the_next_sweep_and_the_sweep_goes_on(
    ctx: Context, moving_clock: Clock, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor, learner = person("mentor"), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()

    def refused(*_args: object, **_kwargs: object) -> bool:
        raise RuntimeError("SES is down")

    with monkeypatch.context() as down:
        down.setattr("peerlearn.notify.mail.send_notice_email", refused)
        go_to(moving_clock, start_of(session_id) - 86400 + 20)
        report = jobs.sweep(ctx)  # does not raise: seat holds and session starts still run

    assert report.reminders_sent == 0
    assert [int(i.offset_seconds) for i in planned(session_id) if int(i.offset_seconds) == 86400] == [86400]
    assert jobs.sweep(ctx).reminders_sent == 2  # SES is back: the learner's and the mentor's
    assert len([e for e in outbox.emails(address(learner.user_id)) if "starts in" in e["subject"]]) == 1


def test_a_reminder_held_for_quiet_hours_is_not_sent_once_the_booking_is_cancelled(
    ctx: Context, moving_clock: Clock, outbox: Outbox
) -> None:
    mentor, learner = person("mentor"), person()
    stream = Stream(ctx)
    session_id = publish(ctx, mentor, hours=48)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream.flush()
    due = start_of(session_id) - 86400 + 20
    india = ZoneInfo("Asia/Kolkata")
    quiet_from = datetime.fromtimestamp(due, india).strftime("%H:%M")
    quiet_to = datetime.fromtimestamp(due + 1800, india).strftime("%H:%M")
    preferences.update(learner.user_id, quiet_hours=QuietHours(True, quiet_from, quiet_to))
    go_to(moving_clock, due)
    jobs.sweep(ctx)
    assert [e for e in outbox.emails(address(learner.user_id)) if "starts in" in e["subject"]] == []  # held

    cancelling.cancel_by_learner(user_id=learner.user_id, session_id=session_id, cutoff_hours=0)
    stream.flush()
    go_to(moving_clock, due + 1900)  # quiet hours are over
    jobs.sweep(ctx)

    assert [e for e in outbox.emails(address(learner.user_id)) if "starts in" in e["subject"]] == []
