"""Delivering a notice: each channel once (a replay sends nothing twice), preferences honoured,
quiet hours in the person's timezone hold email and push (never in-app), the sweep releases them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from peerlearn import clock, jobs
from peerlearn.context import Context
from peerlearn.notify import deliver as delivering
from peerlearn.notify import held, inbox, preferences
from peerlearn.notify.deliver import deliver
from peerlearn.notify.notice import Notice
from peerlearn.notify.preferences import QuietHours
from peerlearn.store.keys import user_pk
from peerlearn.store.models import NotificationItem
from tests.support import user_item
from tests.unit.conftest import Outbox

USER = "01JDQ4Z3N0R1C5X8H2P7M9LRNR"


class Recorder:
    """Stands in for the push sender and the live channel, counting what they were given."""

    def __init__(self) -> None:
        self.pushes: list[dict[str, Any]] = []
        self.live: list[dict[str, Any]] = []
        self.fail_push = False

    def send_to_user(self, _ctx: Context, user_id: str, payload: dict[str, Any], **_options: Any) -> int:
        if self.fail_push:
            raise RuntimeError("push service down")
        self.pushes.append({"user_id": user_id, **payload})
        return 1

    def push_to_user(self, user_id: str, message: dict[str, Any]) -> int:
        self.live.append({"user_id": user_id, **message})
        return 1


@pytest.fixture
def sent(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr("peerlearn.notify.webpush.send_to_user", recorder.send_to_user)
    monkeypatch.setattr("peerlearn.notify.live.push_to_user", recorder.push_to_user)
    return recorder


@pytest.fixture
def person(ctx: Context) -> str:
    user = user_item(USER)
    user.email = "learner@example.com"
    user.timezone = "Asia/Kolkata"
    user.save()
    return USER


def moved(dedupe_key: str = "session-1:moved:2026-12-01T10:00Z", **kw: Any) -> Notice:
    return Notice(
        user_id=USER,
        kind="session_moved",
        title="Your session moved",
        body="Intro to Python now starts at 3:30 pm on 1 Dec.",
        dedupe_key=dedupe_key,
        link="/sessions/S1",
        **kw,
    )


def records() -> list[NotificationItem]:
    return list(NotificationItem.query(user_pk(USER), NotificationItem.sk.startswith("NOTIF#")))


def at_local(text: str, zone: str = "Asia/Kolkata") -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp())


def shift_to(moment: int) -> Any:
    return clock.shifted(moment - clock.now_seconds())


def test_a_notice_reaches_every_channel_once(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    assert deliver(ctx, moved()) is True

    [record] = records()
    assert record.title == "Your session moved"
    assert record.category == "bookings"
    assert not record.read
    assert len(outbox.emails("learner@example.com")) == 1
    assert [p["title"] for p in sent.pushes] == ["Your session moved"]
    assert sent.pushes[0]["link"] == "/sessions/S1"
    [live] = sent.live
    assert live["type"] == "notification"
    assert live["unread"] == 1
    assert live["notification"]["id"] == record.sk.removeprefix("NOTIF#")
    assert live["notification"]["read"] is False


def test_a_replayed_notice_records_emails_and_pushes_nothing_twice(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    assert deliver(ctx, moved()) is True
    assert deliver(ctx, moved()) is False

    assert len(records()) == 1
    assert len(outbox.emails()) == 1
    assert len(sent.pushes) == 1
    assert len(sent.live) == 1
    assert inbox.unread(USER) == 1


def test_a_different_dedupe_key_is_a_different_notice(ctx: Context, person: str, sent: Recorder) -> None:
    deliver(ctx, moved("a"))
    deliver(ctx, moved("b"))
    assert len(records()) == 2
    assert inbox.unread(USER) == 2


def test_a_failed_push_is_retried_alone_by_the_replay(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    sent.fail_push = True
    with pytest.raises(RuntimeError):
        deliver(ctx, moved())
    sent.fail_push = False

    assert deliver(ctx, moved()) is True  # the stream retries the batch

    assert len(records()) == 1
    assert len(outbox.emails()) == 1
    assert len(sent.pushes) == 1


def test_a_channel_turned_off_is_not_used(ctx: Context, person: str, sent: Recorder, outbox: Outbox) -> None:
    preferences.set_channel(USER, "bookings", "email", False)
    preferences.set_channel(USER, "bookings", "push", False)

    deliver(ctx, moved())

    assert len(records()) == 1
    assert outbox.emails() == []
    assert sent.pushes == []


def test_defaults_leave_a_channel_off_until_turned_on(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    waiting = Notice(USER, "waiting_room", "Asha is waiting", "Admit her", dedupe_key="k1")
    deliver(ctx, waiting)
    assert outbox.emails() == []  # the waiting room category is in-app + push by default
    assert len(sent.pushes) == 1

    preferences.set_channel(USER, "room", "email", True)
    deliver(ctx, Notice(USER, "waiting_room", "Ravi is waiting", "Admit him", dedupe_key="k2"))
    assert len(outbox.emails()) == 1


def test_in_app_turned_off_writes_no_record_but_still_emails(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    preferences.set_channel(USER, "bookings", "in_app", False)
    assert deliver(ctx, moved()) is True
    assert records() == []
    assert sent.live == []
    assert len(outbox.emails()) == 1


def test_account_channels_cannot_be_turned_off(ctx: Context, person: str) -> None:
    from peerlearn.errors import BadRequest

    with pytest.raises(BadRequest) as caught:
        preferences.set_channel(USER, "payments", "email", False)
    assert caught.value.code == "channel_locked"
    preferences.set_channel(USER, "payments", "push", False)  # push is theirs to turn off
    prefs = preferences.get(USER)
    assert prefs.allows("payments", "email")
    assert prefs.allows("payments", "in_app")
    assert not prefs.allows("payments", "push")


def test_banned_or_missing_people_hear_nothing(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    assert deliver(ctx, Notice("01JDQ4Z3N0R1C5X8H2P7M9NONE", "session_moved", "t", "b", "k")) is False
    user = user_item(USER)
    user.banned = True
    user.save()
    assert deliver(ctx, moved()) is False
    assert records() == []
    assert outbox.emails() == []
    assert sent.pushes == []


@pytest.mark.parametrize("gone", ["deactivated", "deleted_at"])
def test_deactivated_or_deleted_people_hear_nothing(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox, gone: str
) -> None:
    user = user_item(USER)
    setattr(user, gone, True if gone == "deactivated" else "2026-11-30T00:00:00Z")
    user.save()

    assert deliver(ctx, moved()) is False
    assert records() == []
    assert outbox.emails() == []
    assert sent.pushes == []


# ---------------------------------------------------------------- quiet hours
@pytest.mark.parametrize(
    ("local", "start", "end", "quiet_until"),
    [
        ("2026-12-01T23:30", "22:00", "07:00", "2026-12-02T07:00"),  # before midnight: ends tomorrow
        ("2026-12-02T06:59", "22:00", "07:00", "2026-12-02T07:00"),  # after midnight: ends today
        ("2026-12-02T07:00", "22:00", "07:00", None),
        ("2026-12-01T21:59", "22:00", "07:00", None),
        ("2026-12-01T13:15", "13:00", "14:00", "2026-12-01T14:00"),  # a window within one day
        ("2026-12-01T14:00", "13:00", "14:00", None),
    ],
)
def test_quiet_hours_cross_midnight_in_the_persons_timezone(
    local: str, start: str, end: str, quiet_until: str | None
) -> None:
    quiet = QuietHours(True, start, end)
    for zone in ("Asia/Kolkata", "America/New_York"):
        expected = at_local(quiet_until, zone) if quiet_until else None
        assert quiet.ends_after(at_local(local, zone), zone) == expected
    assert QuietHours(False, start, end).ends_after(at_local(local), "Asia/Kolkata") is None


def test_quiet_hours_hold_email_and_push_but_not_in_app(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    preferences.update(USER, quiet_hours=QuietHours(True, "22:00", "07:00"))
    night = at_local("2026-12-01T23:30")
    morning = at_local("2026-12-02T07:00")

    with shift_to(night):
        assert deliver(ctx, moved()) is True
        assert deliver(ctx, moved()) is False  # a replay holds nothing twice
    assert len(records()) == 1
    assert len(sent.live) == 1
    assert outbox.emails() == []
    assert sent.pushes == []

    assert held.release_due(ctx, morning - 60) == 0  # still quiet
    assert jobs.sweep(ctx, morning).held_notices_sent == 2
    assert held.release_due(ctx, morning + 60) == 0  # sent once

    assert len(outbox.emails()) == 1
    [push] = sent.pushes
    assert push["id"] == records()[0].sk.removeprefix("NOTIF#")


def test_quiet_hours_follow_the_persons_timezone(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    preferences.update(USER, quiet_hours=QuietHours(True, "22:00", "07:00"))
    user = user_item(USER)
    user.email = "learner@example.com"
    user.timezone = "America/New_York"
    user.save()

    with shift_to(at_local("2026-12-01T23:30", "Asia/Kolkata")):  # 13:00 in New York: not quiet
        deliver(ctx, moved())
    assert len(outbox.emails()) == 1


def test_a_held_notice_past_its_expiry_is_dropped(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    preferences.update(USER, quiet_hours=QuietHours(True, "22:00", "07:00"))
    night = at_local("2026-12-01T23:30")
    with shift_to(night):
        deliver(ctx, moved(expires_at=night + 3600))  # a reminder for a session at 00:30

    assert held.release_due(ctx, at_local("2026-12-02T07:00")) == 0
    assert held.release_due(ctx, at_local("2026-12-02T08:00")) == 0
    assert outbox.emails() == []
    assert sent.pushes == []
    assert len(records()) == 1  # the record still tells what happened


def test_a_held_channel_turned_off_meanwhile_is_not_sent(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    preferences.update(USER, quiet_hours=QuietHours(True, "22:00", "07:00"))
    with shift_to(at_local("2026-12-01T23:30")):
        deliver(ctx, moved())
    preferences.set_channel(USER, "bookings", "push", False)

    assert held.release_due(ctx, at_local("2026-12-02T07:00")) == 1
    assert len(outbox.emails()) == 1
    assert sent.pushes == []


def test_a_held_send_that_fails_is_kept_for_the_next_sweep(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    preferences.set_channel(USER, "bookings", "email", False)
    preferences.update(USER, quiet_hours=QuietHours(True, "22:00", "07:00"))
    with shift_to(at_local("2026-12-01T23:30")):
        deliver(ctx, moved())
    morning = at_local("2026-12-02T07:00")

    sent.fail_push = True
    assert held.release_due(ctx, morning) == 0
    sent.fail_push = False
    assert held.release_due(ctx, morning + 60) == 1
    assert len(sent.pushes) == 1


def test_an_expired_notice_is_recorded_but_not_emailed(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    deliver(ctx, moved(expires_at=clock.now_seconds() - 1))
    assert len(records()) == 1
    assert outbox.emails() == []
    assert sent.pushes == []


def test_a_live_push_failure_does_not_fail_delivery(
    ctx: Context, person: str, sent: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_user_id: str, _message: dict[str, Any]) -> int:
        raise RuntimeError("gone")

    monkeypatch.setattr(delivering.live, "push_to_user", broken)
    assert deliver(ctx, moved()) is True
    assert len(records()) == 1
    assert len(sent.pushes) == 1


def test_a_sweep_sends_at_most_its_share_and_the_next_sends_the_rest(
    ctx: Context, person: str, sent: Recorder, outbox: Outbox
) -> None:
    preferences.set_channel(USER, "bookings", "push", False)
    preferences.update(USER, quiet_hours=QuietHours(True, "22:00", "07:00"))
    with shift_to(at_local("2026-12-01T23:30")):
        for n in range(3):
            deliver(ctx, moved(f"k{n}"))
    morning = at_local("2026-12-02T07:00")

    assert held.release_due(ctx, morning, limit=2) == 2
    assert held.release_due(ctx, morning + 60, limit=2) == 1
    assert len(outbox.emails()) == 3
