"""The admins' sessions (live with each room's people, upcoming, ended, flagged; ending one; resolving
a flag), observing audited and kept from sending media, and the mentor's monitor of who is in the
room: through the sessions function as API Gateway calls it, 403 for learners and mentors."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from peerlearn import jobs
from peerlearn.bookings.seats import Booker
from peerlearn.catalog import flags
from peerlearn.catalog.lookup import get_session_item
from peerlearn.live import attendance, dispatch
from peerlearn.live.noshow import declare_no_shows
from peerlearn.store.audit import AUDIT_PK, AuditItem
from tests.support import call, load_function, rest_event
from tests.unit.rooms_support import Room
from tests.unit.sessions_support import Clock, person, publish, who

RECEIVE_ONLY = (
    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n"
)
SENDING = (
    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n"
)


@pytest.fixture
def sessions(room: Room) -> ModuleType:
    return load_function("sessions")


def api(
    sessions: ModuleType, method: str, path: str, caller: Booker, *, body: Any = None, query: Any = None
) -> Any:
    """A call through the sessions function with the resource template API Gateway would match."""
    parts = path.split("/")
    resource, params = path, None
    if parts[2] == "admin" and len(parts) > 4:
        params = {"id": parts[4]}
        resource = "/".join([*parts[:4], "{id}", *parts[5:]])
        if len(parts) > 6:
            params["reason"] = parts[6]
            resource = "/".join([*parts[:4], "{id}", parts[5], "{reason}", *parts[7:]])
    elif parts[2] == "sessions":
        params = {"id": parts[3]}
        resource = "/".join([*parts[:3], "{id}", *parts[4:]])
    event = rest_event(method, path, body, resource=resource, path_parameters=params, identity=who(caller))
    if query:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    return call(sessions, event)


def listed(sessions: ModuleType, room: Room, state: str) -> list[dict[str, Any]]:
    reply = api(sessions, "GET", "/api/admin/sessions", room.admin, query={"state": state})
    assert reply.status == 200, reply.body
    assert reply.body["state"] == state
    return list(reply.body["items"])


def cast(room: Room) -> dict[str, str]:
    """The mentor (room open, so the session is live), two admitted learners, one waiting, an admin."""
    connections = {"M": room.connect(room.mentor), "L": room.connect(room.learners[0])}
    room.send(room.mentor, "open")
    room.connect(room.learners[2])
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    room.send(room.mentor, "admit", user_id=room.learners[2].user_id)
    connections["W"] = room.connect(room.learners[1])
    connections["O"] = room.connect(room.admin)
    room.wire.clear()
    return connections


def entries(action: str) -> list[AuditItem]:
    return [e for e in AuditItem.query(AUDIT_PK) if e.action == action]


# ---------------------------------------------------------------- the lists
def test_live_now_shows_each_rooms_people_and_how_long_it_has_run(
    room: Room, sessions: ModuleType, moving_clock: Clock
) -> None:
    cast(room)
    moving_clock.advance(minutes=5)
    [row] = listed(sessions, room, "live")
    assert row["id"] == room.session_id
    assert (row["participants_now"], row["waiting_now"], row["observers_now"]) == (3, 1, 1)
    assert 295 <= row["duration_seconds"] <= 310
    assert listed(sessions, room, "upcoming") == []


def test_upcoming_is_soonest_first_and_a_started_session_leaves_it(room: Room, sessions: ModuleType) -> None:
    later = publish(room.ctx, person("mentor"), hours=5)
    sooner = publish(room.ctx, person("mentor"), hours=2)
    assert [r["id"] for r in listed(sessions, room, "upcoming")] == [room.session_id, sooner, later]
    room.connect(room.mentor)
    room.send(room.mentor, "open")
    assert [r["id"] for r in listed(sessions, room, "upcoming")] == [sooner, later]
    assert [r["id"] for r in listed(sessions, room, "live")] == [room.session_id]


def test_the_lists_page_by_cursor(room: Room, sessions: ModuleType) -> None:
    made = [publish(room.ctx, person("mentor"), hours=2 + n) for n in range(3)]
    first = api(sessions, "GET", "/api/admin/sessions", room.admin, query={"state": "upcoming", "limit": "2"})
    assert [r["id"] for r in first.body["items"]] == [room.session_id, made[0]]
    rest = api(
        sessions,
        "GET",
        "/api/admin/sessions",
        room.admin,
        query={"state": "upcoming", "limit": "2", "cursor": first.body["next_cursor"]},
    )
    assert [r["id"] for r in rest.body["items"]] == made[1:]


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_learners_and_mentors_get_403_from_every_admin_sessions_route(
    room: Room, sessions: ModuleType, role: str
) -> None:
    caller = room.learners[0] if role == "learner" else room.mentor
    calls = [
        api(sessions, "GET", "/api/admin/sessions", caller, query={"state": "live"}),
        api(
            sessions, "POST", f"/api/admin/sessions/{room.session_id}/end", caller, body={"reason": "Testing"}
        ),
        api(
            sessions,
            "POST",
            f"/api/admin/sessions/{room.session_id}/flags/low_rating/resolve",
            caller,
            body={"note": "Testing"},
        ),
    ]
    assert [c.status for c in calls] == [403, 403, 403]


def test_a_bad_state_or_body_is_a_400_naming_the_field(room: Room, sessions: ModuleType) -> None:
    bad_state = api(sessions, "GET", "/api/admin/sessions", room.admin, query={"state": "everything"})
    assert (bad_state.status, bad_state.body["error"]["field"]) == (400, "state")
    no_reason = api(sessions, "POST", f"/api/admin/sessions/{room.session_id}/end", room.admin, body={})
    assert (no_reason.status, no_reason.body["error"]["field"]) == (400, "reason")


# ---------------------------------------------------------------- ending
def test_an_admin_ends_a_live_session_once_and_everyone_is_told_and_disconnected(
    room: Room, sessions: ModuleType
) -> None:
    connections = cast(room)
    path = f"/api/admin/sessions/{room.session_id}/end"
    ended = api(sessions, "POST", path, room.admin, body={"reason": "Abuse reported by a learner"})
    assert ended.status == 200, ended.body
    assert ended.body["status"] == "completed"
    assert get_session_item(room.session_id, consistent=True).status == "completed"
    for kind in ("M", "L", "W"):
        assert room.wire.last(connections[kind], "ended") == {
            "type": "ended",
            "session_id": room.session_id,
            "by": "admin",
        }
        assert connections[kind] in room.wire.closed
    [entry] = entries("session.end")
    assert (entry.actor_id, entry.target_id, entry.reason) == (
        room.admin.user_id,
        room.session_id,
        "Abuse reported by a learner",
    )
    assert (entry.before, entry.after) == ({"status": "live"}, {"status": "completed"})

    # Again: the same answer, nothing changes, no second entry
    again = api(sessions, "POST", path, room.admin, body={"reason": "Abuse reported by a learner"})
    assert (again.status, again.body["status"]) == (200, "completed")
    assert len(entries("session.end")) == 1
    [row] = listed(sessions, room, "ended")
    assert row["id"] == room.session_id
    assert row["duration_seconds"] is not None
    assert listed(sessions, room, "live") == []


def test_a_session_that_has_not_started_cannot_be_ended(room: Room, sessions: ModuleType) -> None:
    reply = api(
        sessions, "POST", f"/api/admin/sessions/{room.session_id}/end", room.admin, body={"reason": "Testing"}
    )
    assert (reply.status, reply.body["error"]["code"]) == (409, "invalid_transition")
    assert entries("session.end") == []


# ---------------------------------------------------------------- flags
def test_a_removal_flags_the_session_once_and_an_admin_resolves_it_with_an_entry(
    room: Room, sessions: ModuleType
) -> None:
    connections = cast(room)
    room.send(connections["M"], "remove", user_id=room.learners[0].user_id)
    room.send(connections["M"], "remove", user_id=room.learners[2].user_id)
    [row] = listed(sessions, room, "flagged")
    assert (row["id"], row["flag"]["reason"]) == (room.session_id, "learner_removed")
    assert room.learners[0].user_id in row["flag"]["detail"]

    path = f"/api/admin/sessions/{room.session_id}/flags/learner_removed/resolve"
    for _ in range(2):
        resolved = api(sessions, "POST", path, room.admin, body={"note": "Spoke to the mentor"})
        assert resolved.status == 200, resolved.body
        assert resolved.body["flag"]["resolved_at"] is not None
    assert listed(sessions, room, "flagged") == []
    assert len(entries("session.flag_resolve")) == 1
    unknown = api(
        sessions,
        "POST",
        f"/api/admin/sessions/{room.session_id}/flags/low_rating/resolve",
        room.admin,
        body={"note": "Spoke to the mentor"},
    )
    assert unknown.status == 404


def test_a_mentor_no_show_is_flagged_and_listed_as_ended(
    room: Room, sessions: ModuleType, moving_clock: Clock
) -> None:
    moving_clock.advance(minutes=15 + 16)  # started by the sweep, and nobody came for 16 minutes
    jobs.sweep(room.ctx)
    assert declare_no_shows(room.ctx).declared == [room.session_id]
    [flagged] = listed(sessions, room, "flagged")
    assert (flagged["flag"]["reason"], flagged["status"]) == ("mentor_no_show", "cancelled")
    [ended] = listed(sessions, room, "ended")
    assert (ended["id"], ended["cancel_reason"]) == (room.session_id, "mentor_no_show")


def test_a_flag_is_raised_once_per_reason(room: Room) -> None:
    assert flags.raise_flag(room.session_id, "low_rating", "A learner rated it 1 of 5.")
    assert not flags.raise_flag(room.session_id, "low_rating", "A learner rated it 2 of 5.")
    assert [f.detail for f in flags.of(room.session_id)] == ["A learner rated it 1 of 5."]


# ---------------------------------------------------------------- observing
def test_observing_is_audited_and_a_learners_ticket_is_not(room: Room) -> None:
    room.ticket(room.learners[0])
    assert entries("session.observe") == []
    room.ticket(room.admin)
    [entry] = entries("session.observe")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        room.admin.user_id,
        "session",
        room.session_id,
    )


def test_an_observer_cannot_send_media_but_can_receive(room: Room) -> None:
    connections = cast(room)
    room.send(
        connections["O"],
        "signal",
        to=room.mentor.user_id,
        data={"description": {"type": "offer", "sdp": SENDING}},
    )
    assert room.wire.last(connections["O"], "error")["code"] == "forbidden"
    assert "signal" not in room.wire.types(connections["M"])
    room.send(
        connections["O"],
        "signal",
        to=room.mentor.user_id,
        data={"description": {"type": "answer", "sdp": RECEIVE_ONLY}},
    )
    assert room.wire.last(connections["M"], "signal")["data"]["description"]["sdp"] == RECEIVE_ONLY
    # Each refusal is a new error (the SDP's refusal above already left one), and nothing of it
    # reaches the mentor: no chat, no reaction, no presence with the observer's media on.
    to_mentor = len(room.wire.sent[connections["M"]])
    valid = {
        "media": {"audio": True, "video": True, "screen": False},
        "chat": {"text": "hi"},
        "react": {"emoji": "👍"},
    }
    for action, fields in valid.items():
        errors = [m for m in room.wire.sent[connections["O"]] if m["type"] == "error"]
        room.send(connections["O"], action, **fields)
        now = [m for m in room.wire.sent[connections["O"]] if m["type"] == "error"]
        assert len(now) == len(errors) + 1, action
        assert now[-1]["code"] == "forbidden", action
    assert room.wire.sent[connections["M"]][to_mentor:] == []


def test_what_counts_as_sending_media_in_an_sdp() -> None:
    assert dispatch.sends_media(SENDING)
    assert not dispatch.sends_media(RECEIVE_ONLY)
    assert dispatch.sends_media(
        "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
    )  # no direction: sendrecv
    assert not dispatch.sends_media("v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n")  # rejected
    assert not dispatch.sends_media("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n")
    # A second direction line can't make a sending section look receive-only, in either order
    # (Chrome reads the last one, another parser may read the first).
    audio = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
    assert dispatch.sends_media(audio + "a=recvonly\r\na=sendrecv\r\n")
    assert dispatch.sends_media(audio + "a=sendrecv\r\na=recvonly\r\n")
    assert dispatch.sends_media(audio + "a=inactive\r\na=sendonly\r\n")
    assert not dispatch.sends_media(audio + "a=recvonly\r\na=inactive\r\n")
    assert dispatch.sends_media(audio + "a=recvonly\r\n" + audio.removeprefix("v=0\r\n"))


# ---------------------------------------------------------------- the mentor's monitor
def test_the_mentor_sees_who_is_in_the_room_who_left_and_for_how_long(
    room: Room, sessions: ModuleType, moving_clock: Clock
) -> None:
    connections = cast(room)
    moving_clock.advance(minutes=2)
    room.send(connections["L"], "leave")
    path = f"/api/sessions/{room.session_id}/room/participants"
    seen = api(sessions, "GET", path, room.mentor)
    assert seen.status == 200, seen.body
    assert seen.body["room_status"] == "open"
    people = {p["user_id"]: p for p in seen.body["participants"]}
    assert seen.body["participants"][0]["room_role"] == "mentor"
    left = people[room.learners[0].user_id]
    assert (left["status"], left["connected"], left["stays"]) == ("left", False, 1)
    assert left["left_at"] is not None
    assert 115 <= left["seconds_in_room"] <= 125
    staying = people[room.learners[2].user_id]
    assert (staying["connected"], staying["left_at"]) == (True, None)
    waiting = people[room.learners[1].user_id]
    assert (waiting["status"], waiting["stays"], waiting["joined_at"]) == ("waiting", 0, None)
    assert people[room.admin.user_id]["room_role"] == "observer"

    # A reconnection is a second stay
    room.connect(room.learners[0])
    again = {p["user_id"]: p for p in api(sessions, "GET", path, room.mentor).body["participants"]}
    assert (again[room.learners[0].user_id]["stays"], again[room.learners[0].user_id]["left_at"]) == (2, None)

    assert api(sessions, "GET", path, room.admin).status == 200
    refused = api(sessions, "GET", path, room.learners[2])
    assert refused.status == 403


def test_a_stay_closed_twice_changes_nothing_the_second_time(room: Room, moving_clock: Clock) -> None:
    # The room's end and a $disconnect race to close the same stay: the second close is a no-op,
    # never an error (an admin's end answered 500 here when the $disconnect came first).
    sk = attendance.open_stay(room.session_id, room.learners[0].user_id, "learner")
    attendance.close_stay(room.session_id, sk)
    [first] = attendance.of(room.session_id, room.learners[0].user_id)
    moving_clock.advance(minutes=1)
    attendance.close_stay(room.session_id, sk)
    [again] = attendance.of(room.session_id, room.learners[0].user_id)
    assert again.left_at == first.left_at
