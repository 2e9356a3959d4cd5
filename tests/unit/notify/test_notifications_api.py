"""The notifications routes through the notifications function: sign-in required, the list newest
first with cursors and the unread count, marking one or all read (other tabs told), preferences
read and changed with their inputs checked."""

from __future__ import annotations

from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import pytest

from peerlearn.context import Context
from peerlearn.notify import inbox
from tests.support import Reply, call, load_function, rest_event, user_item

ME = {"user_id": "01JDQ4Z3N0R1C5X8H2P7M9LRNR", "role": "learner"}
OTHER = {"user_id": "01JDQ4Z3N0R1C5X8H2P7M9OTHR", "role": "learner"}


@pytest.fixture
def fn(ctx: Context) -> ModuleType:
    user = user_item(ME["user_id"])
    user.timezone = "Asia/Kolkata"
    user.save()
    return load_function("notifications")


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    told: list[tuple[str, dict[str, Any]]] = []

    def push_to_user(user_id: str, message: dict[str, Any]) -> int:
        told.append((user_id, message))
        return 1

    monkeypatch.setattr("peerlearn.notify.live.push_to_user", push_to_user)
    return told


def send(fn: ModuleType, method: str, path: str, who: dict[str, str] | None = ME, body: Any = None) -> Reply:
    path, _, query = path.partition("?")
    event = rest_event(method, path, body, identity=who)
    if query:
        pairs = dict(parse_qsl(query))
        event["queryStringParameters"] = pairs
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in pairs.items()}
    return call(fn, event)


def notify(n: int, user_id: str = ME["user_id"]) -> None:
    for i in range(n):
        inbox.notify(user_id, kind="session_moved", title=f"Moved {i}", body="b", dedupe_key=f"k{i}")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/notifications/"),
        ("GET", "/api/notifications/unread"),
        ("POST", "/api/notifications/read-all"),
        ("POST", "/api/notifications/01JDQ4Z3N0R1C5X8H2P7M9T4QB/read"),
        ("GET", "/api/notifications/preferences"),
        ("PUT", "/api/notifications/preferences"),
    ],
)
def test_every_route_needs_a_signed_in_caller(fn: ModuleType, method: str, path: str) -> None:
    reply = send(fn, method, path, who=None, body={} if method == "PUT" else None)
    assert reply.status == 401
    assert reply.body["error"]["code"] == "unauthorized"


def test_the_list_is_newest_first_in_pages_with_the_unread_count(fn: ModuleType) -> None:
    notify(5)
    notify(1, OTHER["user_id"])

    first = send(fn, "GET", "/api/notifications/?limit=3")
    assert first.status == 200, first
    assert [n["title"] for n in first.body["items"]] == ["Moved 4", "Moved 3", "Moved 2"]
    assert first.body["unread"] == 5
    item = first.body["items"][0]
    assert set(item) == {"id", "kind", "category", "title", "body", "link", "created_at", "read"}
    assert item["category"] == "bookings"
    assert item["created_at"].endswith("Z")

    rest = send(fn, "GET", f"/api/notifications?limit=3&cursor={first.body['next_cursor']}")
    assert [n["title"] for n in rest.body["items"]] == ["Moved 1", "Moved 0"]
    assert send(fn, "GET", "/api/notifications/unread").body == {"unread": 5}


def test_a_bad_cursor_or_limit_is_refused(fn: ModuleType) -> None:
    assert send(fn, "GET", "/api/notifications/?cursor=not-a-cursor").status == 400
    assert send(fn, "GET", "/api/notifications/?limit=0").status == 400
    assert send(fn, "GET", "/api/notifications/?limit=500").status == 400


def test_marking_one_read_counts_down_once_and_tells_other_tabs(
    fn: ModuleType, live: list[tuple[str, dict[str, Any]]]
) -> None:
    notify(2)
    newest = send(fn, "GET", "/api/notifications/").body["items"][0]["id"]

    assert send(fn, "POST", f"/api/notifications/{newest}/read").body == {"unread": 1}
    assert send(fn, "POST", f"/api/notifications/{newest}/read").body == {"unread": 1}

    items = send(fn, "GET", "/api/notifications/").body["items"]
    assert [n["read"] for n in items] == [True, False]
    assert live[0] == (ME["user_id"], {"type": "unread", "unread": 1})


def test_someone_elses_or_a_missing_notification_is_not_found(fn: ModuleType) -> None:
    notify(1, OTHER["user_id"])
    theirs = inbox.list_page(OTHER["user_id"], limit=1, cursor=None)["items"][0]["id"]

    assert send(fn, "POST", f"/api/notifications/{theirs}/read").status == 404
    assert send(fn, "POST", "/api/notifications/nonsense/read").status == 404
    assert inbox.unread(OTHER["user_id"]) == 1


def test_mark_all_read_shows_everything_read_and_later_ones_unread(
    fn: ModuleType, live: list[tuple[str, dict[str, Any]]]
) -> None:
    notify(3)
    assert send(fn, "POST", "/api/notifications/read-all").body == {"unread": 0}
    assert live[-1] == (ME["user_id"], {"type": "unread", "unread": 0})
    inbox.notify(ME["user_id"], kind="session_moved", title="Later", body="b", dedupe_key="later")

    page = send(fn, "GET", "/api/notifications/").body
    assert page["unread"] == 1
    assert [(n["title"], n["read"]) for n in page["items"]] == [
        ("Later", False),
        ("Moved 2", True),
        ("Moved 1", True),
        ("Moved 0", True),
    ]
    older = page["items"][2]["id"]
    assert send(fn, "POST", f"/api/notifications/{older}/read").body == {"unread": 1}  # no double count


def test_preferences_start_from_the_defaults(fn: ModuleType) -> None:
    reply = send(fn, "GET", "/api/notifications/preferences")
    assert reply.status == 200
    by_name = {c["name"]: c for c in reply.body["categories"]}
    assert by_name["room"]["channels"] == {"in_app": True, "email": False, "push": True}
    assert by_name["payments"]["locked"] == ["in_app", "email"]
    assert by_name["payments"]["account"] is True
    assert by_name["bookings"]["locked"] == []
    assert reply.body["quiet_hours"] == {"enabled": False, "start": "22:00", "end": "07:00"}
    assert reply.body["timezone"] == "Asia/Kolkata"


def test_changing_preferences_keeps_what_was_not_sent(fn: ModuleType) -> None:
    first = send(
        fn,
        "PUT",
        "/api/notifications/preferences",
        body={"channels": {"bookings": {"email": False}}, "quiet_hours": {"enabled": True}},
    )
    assert first.status == 200, first
    second = send(fn, "PUT", "/api/notifications/preferences", body={"channels": {"reviews": {"push": True}}})
    by_name = {c["name"]: c for c in second.body["categories"]}
    assert by_name["bookings"]["channels"]["email"] is False
    assert by_name["reviews"]["channels"]["push"] is True
    assert second.body["quiet_hours"] == {"enabled": True, "start": "22:00", "end": "07:00"}
    assert send(fn, "GET", "/api/notifications/preferences").body == second.body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": {"spam": {"email": False}}}, "channels"),
        ({"channels": {"bookings": {"sms": False}}}, "channels.bookings.sms"),
        ({"channels": {"bookings": {"email": "no"}}}, "channels.bookings.email"),
        ({"quiet_hours": {"start": "25:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"end": "7am"}}, "quiet_hours.end"),
        ({"quiet_hours": {"enabled": True, "start": "07:00", "end": "07:00"}}, "quiet_hours.end"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(fn: ModuleType, body: Any, field: str) -> None:
    before = send(fn, "GET", "/api/notifications/preferences").body
    reply = send(fn, "PUT", "/api/notifications/preferences", body=body)
    assert reply.status == 400, reply
    assert reply.body["error"]["field"] == field
    assert send(fn, "GET", "/api/notifications/preferences").body == before


def test_account_emails_cant_be_turned_off(fn: ModuleType) -> None:
    reply = send(
        fn, "PUT", "/api/notifications/preferences", body={"channels": {"payments": {"email": False}}}
    )
    assert reply.status == 400
    assert reply.body["error"]["code"] == "channel_locked"
    assert "can't be turned off" in reply.body["error"]["message"]


def test_the_count_and_the_list_agree_when_a_record_arrives_while_marking_all_read(
    fn: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    notify(2)
    real = inbox._inbox
    calls = {"n": 0}

    def read_then_one_arrives(user_id: str) -> Any:
        seen = real(user_id)
        calls["n"] += 1
        if calls["n"] == 1:  # between reading the newest id and moving the watermark
            inbox.notify(user_id, kind="session_moved", title="Just now", body="b", dedupe_key="race")
        return seen

    monkeypatch.setattr(inbox, "_inbox", read_then_one_arrives)
    assert inbox.mark_all_read(ME["user_id"]) == 0
    monkeypatch.undo()

    page = send(fn, "GET", "/api/notifications/").body
    assert page["items"][0]["title"] == "Just now"
    assert page["unread"] == sum(not n["read"] for n in page["items"])


def test_ids_only_grow_so_mark_all_read_never_passes_over_an_unread_one(fn: ModuleType) -> None:
    from peerlearn import clock

    with clock.shifted(3600):  # a writer whose clock runs an hour ahead
        inbox.notify(ME["user_id"], kind="session_moved", title="Ahead", body="b", dedupe_key="ahead")
    inbox.notify(ME["user_id"], kind="session_moved", title="Behind", body="b", dedupe_key="behind")

    page = send(fn, "GET", "/api/notifications/").body
    assert [n["title"] for n in page["items"]] == ["Behind", "Ahead"]  # in the order they were written
    assert send(fn, "POST", "/api/notifications/read-all").body == {"unread": 0}
    assert all(n["read"] for n in send(fn, "GET", "/api/notifications/").body["items"])
