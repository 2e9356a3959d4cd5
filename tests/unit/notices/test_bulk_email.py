"""Admins' bulk email: segments (tag, inactive, session, roles) without the banned, deactivated or
deleted; named templates filled per person and escaped; preview and test send; email only; people's
own unsubscribes; failures counted, and a crash mid-page replayed without a second email to anyone."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from peerlearn import clock, ids
from peerlearn.bookings import seats
from peerlearn.context import Context
from peerlearn.errors import BadRequest
from peerlearn.notices import broadcasts, templates
from peerlearn.notices.schemas import BroadcastCreate
from peerlearn.notify import preferences
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import NotificationItem, UserItem
from tests.support import call, rest_event
from tests.unit.conftest import Outbox
from tests.unit.notices.conftest import at_rate
from tests.unit.sessions_support import CLIENT, Booker, person, publish
from tests.unit.stream_support import Stream

DAY = 86_400


def someone(role: str = "learner", name: str | None = None, **attributes: Any) -> Booker:
    """A person, with stored attributes set straight on their profile item (interests, banned...)."""
    made = person(role, name=name)
    if attributes:
        item = UserItem.get(user_pk(made.user_id), USER_PROFILE_SK)
        item.update(actions=[getattr(UserItem, key).set(value) for key, value in attributes.items()])
    return made


def request(**fields: Any) -> BroadcastCreate:
    return BroadcastCreate(
        **{
            "title": "Hello",
            "body": "News from PeerLearn.",
            "channels": "email",
            "request_id": ids.new_id(),
            **fields,
        }
    )


def send(admin_id: str, **fields: Any) -> str:
    return broadcasts.create(admin_id=admin_id, request=request(**fields)).id


def bulk(outbox: Outbox, who: Booker, subject_has: str = "") -> list[dict[str, Any]]:
    """The emails `who` got whose subject has `subject_has`."""
    return [e for e in outbox.emails(email_of(who)) if subject_has in e["subject"]]


def email_of(who: Booker) -> str:
    return str(UserItem.get(user_pk(who.user_id), USER_PROFILE_SK).email)


def post(admin_fn: ModuleType, path: str, body: Any, who: str, role: str = "admin") -> Any:
    return call(admin_fn, rest_event("POST", path, body, identity={"user_id": who, "role": role}))


# ---------------------------------------------------------------- creating
def test_the_same_request_posted_twice_makes_one_broadcast_and_emails_each_person_once(
    ctx: Context, admin_fn: ModuleType, admin_id: str, outbox: Outbox
) -> None:
    # A POST that timed out after the commit is sent again, or the button is pressed twice.
    learners = [someone() for _ in range(3)]
    stream = Stream(ctx)
    body = {"audience": "learners", "title": "Twice", "body": "x", "channels": "email"}
    body["request_id"] = "compose-1"

    first = post(admin_fn, "/api/admin/broadcasts", body, admin_id)
    again = post(admin_fn, "/api/admin/broadcasts", body, admin_id)
    stream.flush(rounds=20)
    other = post(admin_fn, "/api/admin/broadcasts", {**body, "request_id": "compose-2"}, admin_id)

    assert first.status == again.status == other.status == 202
    assert again.body["id"] == first.body["id"] != other.body["id"]
    listed = broadcasts.list_broadcasts(limit=10, cursor=None).items
    assert sorted(item.id for item in listed) == sorted([first.body["id"], other.body["id"]])
    for who in learners:
        assert len(bulk(outbox, who, "Twice")) == 1


def test_two_of_the_same_request_at_once_make_one_broadcast(
    admin_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the first one's write lands between the second's look and its write
    first = broadcasts.create(admin_id=admin_id, request=request(audience="learners", request_id="same-one"))
    made, looks = broadcasts._made, []

    def late_look(broadcast_id: str) -> Any:
        looks.append(broadcast_id)
        return None if len(looks) == 1 else made(broadcast_id)

    monkeypatch.setattr(broadcasts, "_made", late_look)

    again = broadcasts.create(admin_id=admin_id, request=request(audience="learners", request_id="same-one"))

    # Then its failed condition answers the first one
    assert len(looks) == 2
    assert again.id == first.id
    assert [item.id for item in broadcasts.list_broadcasts(limit=10, cursor=None).items] == [first.id]


# ---------------------------------------------------------------- segments
def test_a_tag_segment_reaches_the_interested_and_skips_the_banned_deactivated_and_deleted(
    ctx: Context, admin_id: str, outbox: Outbox
) -> None:
    keen = [someone(interests=["Rust", "Go"]) for _ in range(3)]
    mentor = someone("mentor", interests=["Rust"])
    other = someone(interests=["Python"])
    banned = someone(interests=["Rust"], banned=True)
    deactivated = someone(interests=["Rust"], deactivated=True)
    deleted = someone(interests=["Rust"], deleted_at="2026-11-01T00:00:00Z")
    stream = Stream(at_rate(ctx, 2))

    broadcast_id = send(admin_id, audience="tag", tag="Rust", template="new_sessions", title="Ferris says hi")
    stream.flush(rounds=20)

    out = broadcasts.get_broadcast(broadcast_id)
    assert (out.status, out.recipients, out.sent, out.failed) == ("done", 4, 4, 0)
    for who in [*keen, mentor]:
        [email] = bulk(outbox, who, "Ferris")
        assert email["subject"] == "New in Rust: Ferris says hi"
        assert "interested in Rust" in email["text"]
    for who in (other, banned, deactivated, deleted):
        assert bulk(outbox, who, "Ferris") == []


def test_an_inactive_segment_is_the_people_not_signed_in_for_n_days(
    ctx: Context, admin_id: str, outbox: Outbox
) -> None:
    now = clock.now_seconds()
    long_gone = someone(last_signed_in_at=clock.iso(now - 40 * DAY))
    never_since_sign_up = someone(created_at=clock.iso(now - 60 * DAY))
    recent = someone(last_signed_in_at=clock.iso(now - 2 * DAY))
    new = someone()  # signed up today, never signed in: not inactive yet
    stream = Stream(ctx)

    broadcast_id = send(
        admin_id, audience="inactive", inactive_days=30, template="we_miss_you", title="come back"
    )
    stream.flush()

    assert broadcasts.get_broadcast(broadcast_id).recipients == 2
    assert [e["subject"] for e in bulk(outbox, long_gone, "come back")] == [
        f"{long_gone_first(long_gone)}, come back"
    ]
    assert len(bulk(outbox, never_since_sign_up, "come back")) == 1
    assert bulk(outbox, recent, "come back") == bulk(outbox, new, "come back") == []


def long_gone_first(who: Booker) -> str:
    return who.name.split()[0]


def test_a_session_segment_skips_a_banned_attendee_and_fills_in_the_session(
    ctx: Context, admin_id: str, outbox: Outbox
) -> None:
    mentor, booked, banned = person("mentor"), person(), person()
    session_id = publish(ctx, mentor, capacity=2)
    seats.book(booker=booked, session_id=session_id, client=CLIENT)
    seats.book(booker=banned, session_id=session_id, client=CLIENT)
    item = UserItem.get(user_pk(banned.user_id), USER_PROFILE_SK)
    item.update(actions=[UserItem.banned.set(True)])
    stream = Stream(ctx)
    stream.skip()

    broadcast_id = send(
        admin_id, audience="session", session_id=session_id, template="session_note", title="Moved rooms"
    )
    stream.flush()

    out = broadcasts.get_broadcast(broadcast_id)
    assert (out.recipients, out.sent) == (1, 1)
    [email] = bulk(outbox, booked, "Moved rooms")
    assert email["subject"] == "Python code review: Moved rooms"
    assert bulk(outbox, banned, "Moved rooms") == []


# ---------------------------------------------------------------- templates
def test_templates_fill_once_per_person_and_the_html_escapes_what_people_typed(
    ctx: Context, admin_id: str, outbox: Outbox
) -> None:
    sneaky = someone(name="<b>Eve</b> {{body}}")
    stream = Stream(ctx)

    send(admin_id, audience="learners", title="Hi {{first_name}}", body="Dear {{name}}, welcome.")
    stream.flush()

    [email] = bulk(outbox, sneaky, "Hi")
    assert email["subject"] == "Hi <b>Eve</b>"  # plain text: a subject shows what was typed
    assert "Dear <b>Eve</b> {{body}}, welcome." in email["text"]  # a value is never filled again
    assert "&lt;b&gt;Eve&lt;/b&gt; {{body}}, welcome." in email["html"]
    assert "<b>Eve</b>" not in email["html"]


def test_a_field_the_audience_cannot_fill_is_refused_naming_where(admin_id: str) -> None:
    for fields, where in (
        ({"audience": "learners", "template": "new_sessions"}, "template"),
        ({"audience": "learners", "title": "Hi {{tag}}"}, "title"),
        ({"audience": "learners", "body": "Hi {{nickname}}"}, "body"),
        ({"audience": "learners", "body": "{{body}}"}, "body"),
    ):
        with pytest.raises(BadRequest) as refused:
            broadcasts.create(admin_id=admin_id, request=request(**fields))
        assert refused.value.field == where, fields
    assert templates.render(
        "announcement", title="{{first_name}}!", body="x", name="Asha Rao", audience_values={}
    ) == ("Asha!", "x")


# ---------------------------------------------------------------- the API: preview, test, 403s, 400s
def test_preview_shows_one_recipients_email_and_the_audience_size_and_sends_nothing(
    ctx: Context, admin_fn: ModuleType, admin_id: str, outbox: Outbox
) -> None:
    first = someone(interests=["Rust"], name="Asha Rao")
    someone(interests=["Rust"])
    someone(interests=["Rust"], banned=True)
    learner = person()
    body = {
        "audience": "tag",
        "tag": "Rust",
        "template": "new_sessions",
        "title": "Hi {{first_name}}",
        "body": "See you.",
    }

    shown = post(admin_fn, "/api/admin/broadcasts/preview", body, admin_id)
    refused = post(admin_fn, "/api/admin/broadcasts/preview", body, learner.user_id, role="learner")
    bad = post(admin_fn, "/api/admin/broadcasts/preview", {**body, "tag": None}, admin_id)
    empty = post(admin_fn, "/api/admin/broadcasts/preview", {**body, "tag": "Cobol"}, admin_id)

    assert shown.status == 200
    assert shown.body["audience_size"] == 2
    assert shown.body["recipient"] == {"id": first.user_id, "name": "Asha Rao"}  # the first learner
    assert shown.body["subject"] == "New in Rust: Hi Asha"
    assert "interested in Rust" in shown.body["text"]
    assert "<p>" in shown.body["html"]
    # Asha's own unsubscribe links are hers: the admin's preview shows where they go, not them
    for version in (shown.body["text"], shown.body["html"]):
        assert "/unsubscribe" not in version
        assert broadcasts.UNSUBSCRIBE_SHOWN in version
    assert refused.status == 403
    assert bad.status == 400
    assert "error" in bad.body
    assert (empty.status, empty.body["audience_size"], empty.body["recipient"]["id"]) == (200, 0, admin_id)
    assert outbox.emails() == []


def test_a_test_send_emails_the_admin_only_and_is_rate_limited(
    ctx: Context, admin_fn: ModuleType, admin_id: str, outbox: Outbox
) -> None:
    learners = [person() for _ in range(2)]
    body = {"audience": "learners", "title": "Hi {{first_name}}", "body": "Testing.", "channels": "email"}

    sent = [post(admin_fn, "/api/admin/broadcasts/test", body, admin_id) for _ in range(5)]
    sixth = post(admin_fn, "/api/admin/broadcasts/test", body, admin_id)
    refused = post(admin_fn, "/api/admin/broadcasts/test", body, learners[0].user_id, role="learner")

    assert [r.status for r in sent] == [200] * 5
    assert sent[0].body == {"to": "root@example.com", "subject": "[Test] Hi Root"}
    assert sixth.status == 429
    assert refused.status == 403
    assert {e["to"] for e in outbox.emails()} == {"root@example.com"}
    assert len(outbox.emails()) == 5


def test_templates_are_listed_with_the_fields_they_need(admin_fn: ModuleType, admin_id: str) -> None:
    listed = call(
        admin_fn,
        rest_event("GET", "/api/admin/broadcasts/templates", identity={"user_id": admin_id, "role": "admin"}),
    )
    assert listed.status == 200
    by_name = {t["name"]: t for t in listed.body["items"]}
    assert by_name["new_sessions"]["fields"] == ["tag"]
    assert by_name["announcement"]["fields"] == []


# ---------------------------------------------------------------- sending: email only, unsubscribes
def test_email_only_writes_no_in_app_record_and_an_unsubscribed_person_gets_no_email(
    ctx: Context, admin_id: str, outbox: Outbox
) -> None:
    reader, unsubscribed = person(), person()
    preferences.set_channel(unsubscribed.user_id, "announcements", "email", False)
    stream = Stream(ctx)

    broadcast_id = send(admin_id, audience="learners", title="Only by email")
    stream.flush()

    out = broadcasts.get_broadcast(broadcast_id)
    assert (out.status, out.sent, out.channels) == ("done", 2, "email")  # handled: their choice kept
    assert len(bulk(outbox, reader, "Only by email")) == 1
    assert bulk(outbox, unsubscribed, "Only by email") == []
    records = NotificationItem.query(user_pk(reader.user_id), NotificationItem.sk.startswith("NOTIF#"))
    assert [n for n in records if n.kind == "broadcast"] == []


# ---------------------------------------------------------------- failures and crashes
class FunctionTimedOut(BaseException):
    """What the Lambda runtime does to a function at its timeout: nothing in it can catch it."""


def test_a_send_killed_mid_page_resumes_on_replay_without_emailing_anyone_twice(
    ctx: Context, admin_id: str, outbox: Outbox, monkeypatch: pytest.MonkeyPatch, no_pauses: list[float]
) -> None:
    learners = [person() for _ in range(7)]
    monkeypatch.setattr(broadcasts, "PAGE_SECONDS", 1)
    stream = Stream(at_rate(ctx, 5))  # pages of five
    broadcast_id = send(admin_id, audience="learners", title="Once only")
    real_sleep = broadcasts._sleep
    calls = {"n": 0}

    def dies_on_the_third_pause(seconds: float) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # a pause comes before each email but the first: three out, then the timeout
            raise FunctionTimedOut
        real_sleep(seconds)

    monkeypatch.setattr(broadcasts, "_sleep", dies_on_the_third_pause)
    with pytest.raises(FunctionTimedOut):
        stream.flush()
    assert len(outbox.emails()) == 3
    assert broadcasts.get_broadcast(broadcast_id).sent == 0  # nothing counted for a page not finished

    stream.replay()  # Lambda retries the record

    out = broadcasts.get_broadcast(broadcast_id)
    assert (out.status, out.sent, out.recipients) == ("done", 7, 7)
    assert [len(bulk(outbox, who, "Once only")) for who in learners] == [1] * 7


def test_a_recipient_that_keeps_failing_is_counted_as_failed_and_the_rest_go_out(
    ctx: Context,
    admin_id: str,
    outbox: Outbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    learners = [person() for _ in range(4)]
    doomed = email_of(learners[1])
    real_send = ctx.email.send
    tries = {"n": 0}

    def send_or_fail(message: Any) -> None:
        if message.to == doomed:
            tries["n"] += 1
            raise RuntimeError(f"Email address is not verified: {doomed}")  # as SES words it
        real_send(message)

    monkeypatch.setattr(ctx.email, "send", send_or_fail)
    stream = Stream(ctx)

    broadcast_id = send(admin_id, audience="learners", title="Mostly out")
    stream.flush(rounds=20)

    out = broadcasts.get_broadcast(broadcast_id)
    assert (out.status, out.sent, out.failed, out.recipients) == ("done", 3, 1, 4)
    assert tries["n"] == broadcasts.MAX_PAGE_ATTEMPTS
    assert [len(bulk(outbox, who, "Mostly out")) for who in learners] == [1, 0, 1, 1]
    # The failures are logged by the person's id and the error's class, never their address
    failures = [r for r in caplog.records if r.getMessage() == "delivering a broadcast failed"]
    assert len(failures) == broadcasts.MAX_PAGE_ATTEMPTS
    assert {(r.__dict__["user_id"], r.__dict__["error"]) for r in failures} == {
        (learners[1].user_id, "RuntimeError")
    }
    assert not any(r.exc_info for r in failures)
    assert doomed not in caplog.text
