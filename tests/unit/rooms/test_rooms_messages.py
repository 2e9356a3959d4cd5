"""Every message a participant sends: the role matrix (each refusal parametrized), the size and rate
limits, and what each action does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from peerlearn import jobs
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Conflict
from peerlearn.live import attendance, dispatch, files, tickets
from peerlearn.live.access import get_participant
from peerlearn.live.media_schemas import RoomFileCreate
from peerlearn.live.sockets import get_connection
from tests.unit.rooms_support import Room
from tests.unit.sessions_support import Clock

KINDS = ("M", "L", "W", "O")


def payload(action: str, target: str) -> dict[str, Any]:
    """A well-formed message of each kind, so a refusal can only be about who sent it."""
    return {
        "hello": {},
        "ping": {},
        "signal": {
            "to": target,
            "data": {"candidate": {"candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host"}},
        },
        "media": {"audio": True, "video": False, "screen": False},
        "chat": {"text": "hello"},
        "react": {"emoji": "👏"},
        "raise-hand": {},
        "lower-hand": {"user_id": target},
        "admit": {"all": True},
        "open": {},
        "mute-request": {"user_id": target, "unmute": True},
        "mute": {"user_id": target},
        "remove": {"user_id": target},
        "extend": {"minutes": 5},
        "recording": {"on": True, "recording_id": "01KB0000000000000000000000"},
        "end": {},
        "leave": {},
    }[action]


def cast(room: Room) -> dict[str, str]:
    """M: the mentor, L: an admitted learner, W: a waiting one, O: an admin; plus an admitted target."""
    connections = {"M": room.connect(room.mentor), "L": room.connect(room.learners[0])}
    room.connect(room.learners[2])
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    room.send(room.mentor, "admit", user_id=room.learners[2].user_id)
    connections["W"] = room.connect(room.learners[1])
    connections["O"] = room.connect(room.admin)
    room.wire.clear()
    return connections


REFUSED = [
    (action, kind) for action, allowed in dispatch.MATRIX.items() for kind in KINDS if kind not in allowed
]


@pytest.mark.parametrize(("action", "kind"), REFUSED)
def test_an_action_the_role_does_not_allow_is_refused_and_reaches_nobody(
    room: Room, action: str, kind: str
) -> None:
    connections = cast(room)
    sender = connections[kind]
    dispatch.handle(
        sender, json.dumps({"action": action, "ref": "r-1", **payload(action, room.learners[2].user_id)})
    )
    assert room.wire.sent[sender] == [
        {"type": "error", "code": "forbidden", "message": f"You can't {action} here.", "ref": "r-1"}
    ]
    assert set(room.wire.sent) == {sender}, "nothing may reach anyone else"
    assert room.wire.closed == []
    assert get_session_item(room.session_id).status == "scheduled"


def test_the_matrix_keeps_waiting_learners_out_of_the_call() -> None:
    for action in ("signal", "media", "chat", "react", "raise-hand"):
        assert "W" not in dispatch.MATRIX[action]


def test_a_waiting_learners_signal_reaches_nobody(room: Room) -> None:
    mentor = room.connect(room.mentor)
    waiting = room.connect(room.learners[0])
    room.wire.clear()
    room.send(
        waiting, "signal", to=room.mentor.user_id, data={"description": {"type": "offer", "sdp": "v=0"}}
    )
    assert room.wire.last(waiting, "error")["code"] == "forbidden"
    assert room.wire.sent[mentor] == []


def test_a_signal_goes_to_its_target_only(room: Room) -> None:
    connections = cast(room)
    room.send(
        connections["L"],
        "signal",
        to=room.mentor.user_id,
        data={"description": {"type": "offer", "sdp": "v=0"}},
    )
    assert room.wire.sent[connections["M"]] == [
        {
            "type": "signal",
            "from": room.learners[0].user_id,
            "data": {"description": {"type": "offer", "sdp": "v=0"}},
        }
    ]
    assert set(room.wire.sent) == {connections["M"]}


def test_a_signal_to_a_waiting_learner_or_another_room_is_refused(room: Room) -> None:
    connections = cast(room)
    room.send(connections["M"], "signal", to=room.learners[1].user_id, data={"candidate": {"candidate": "x"}})
    room.send(connections["M"], "signal", to=room.outsider.user_id, data={"candidate": {"candidate": "x"}})
    assert [m["code"] for m in room.wire.sent[connections["M"]]] == ["not_in_room", "not_in_room"]
    assert set(room.wire.sent) == {connections["M"]}


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        json.dumps({"action": "dance"}),
        json.dumps({"no": "action"}),
        json.dumps({"action": "chat"}),
        json.dumps({"action": "chat", "text": "x" * 2001}),
        json.dumps({"action": "react", "emoji": "💩"}),
        json.dumps({"action": "media", "audio": "yes", "video": False, "screen": False}),
        json.dumps({"action": "signal", "to": "someone", "data": {}}),
        json.dumps({"action": "ping", "extra": 1}),
    ],
)
def test_a_malformed_message_is_a_bad_message(room: Room, body: str) -> None:
    connections = cast(room)
    dispatch.handle(connections["L"], body)
    assert room.wire.last(connections["L"], "error")["code"] == "bad_message"
    assert set(room.wire.sent) == {connections["L"]}


def test_a_message_over_16_kb_is_refused_and_one_under_is_relayed(room: Room) -> None:
    connections = cast(room)

    def offer(size: int) -> str:
        base = {
            "action": "signal",
            "to": room.mentor.user_id,
            "data": {"description": {"type": "offer", "sdp": ""}},
        }
        padding = size - len(json.dumps(base).encode())
        base["data"]["description"]["sdp"] = "a" * padding  # type: ignore[index]
        return json.dumps(base)

    dispatch.handle(connections["L"], offer(dispatch.MAX_MESSAGE_BYTES))
    assert room.wire.types(connections["M"]) == ["signal"]
    dispatch.handle(connections["L"], offer(dispatch.MAX_MESSAGE_BYTES + 1))
    assert room.wire.last(connections["L"], "error")["code"] == "too_large"
    assert room.wire.types(connections["M"]) == ["signal"]


def test_utf8_bytes_count_not_characters(room: Room) -> None:
    connections = cast(room)
    text = "€" * 1800  # 1800 characters, 5400 bytes: fine
    room.send(connections["L"], "chat", text=text)
    assert room.wire.last(connections["M"], "chat")["message"]["text"] == text
    dispatch.handle(connections["L"], json.dumps({"action": "ping", "pad": "€" * 6000}, ensure_ascii=False))
    assert room.wire.last(connections["L"], "error")["code"] == "too_large"


def test_the_rate_limit_allows_a_burst_of_40_then_20_a_second(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections = cast(room)
    now = {"ms": 1_800_000_000_000}
    monkeypatch.setattr(dispatch, "now_ms", lambda: now["ms"])
    for _ in range(dispatch.RATE_BURST):
        room.send(connections["L"], "ping")
    assert room.wire.types(connections["L"]) == ["pong"] * dispatch.RATE_BURST
    room.send(connections["L"], "ping")
    assert room.wire.last(connections["L"], "error")["code"] == "rate_limited"
    room.wire.clear()
    now["ms"] += 1000  # a second later: 20 more
    for _ in range(dispatch.RATE_PER_SECOND + 1):
        room.send(connections["L"], "ping")
    assert room.wire.types(connections["L"]) == ["pong"] * dispatch.RATE_PER_SECOND + ["error"]
    # The limit is the connection's: the mentor is not slowed down by it
    room.send(connections["M"], "ping")
    assert room.wire.types(connections["M"]) == ["pong"]


def test_a_limited_signal_is_dropped(room: Room, monkeypatch: pytest.MonkeyPatch) -> None:
    connections = cast(room)
    monkeypatch.setattr(dispatch, "now_ms", lambda: 1_800_000_000_000)
    for _ in range(dispatch.RATE_BURST):
        room.send(connections["L"], "ping")
    room.send(connections["L"], "signal", to=room.mentor.user_id, data={"candidate": {"candidate": "x"}})
    assert room.wire.sent[connections["M"]] == []


def test_extensions_add_up_to_15_minutes_and_no_more(room: Room) -> None:
    connections = cast(room)
    room.send(connections["M"], "extend", minutes=10)
    timer = room.wire.last(connections["L"], "timer")
    assert (timer["extended_minutes"], timer["booked_ends_at"]) == (
        10,
        get_session_item(room.session_id).ends_at,
    )
    assert timer["ends_at"] > timer["booked_ends_at"]
    room.send(connections["M"], "extend", minutes=6)
    assert room.wire.last(connections["M"], "error")["code"] == "extension_limit"
    room.send(connections["M"], "extend", minutes=5)
    assert room.wire.last(connections["W"], "timer")["extended_minutes"] == 15
    room.send(connections["M"], "extend", minutes=1)
    assert room.wire.last(connections["M"], "error")["code"] == "extension_limit"
    room.send(connections["M"], "extend", minutes=16)
    assert room.wire.last(connections["M"], "error")["code"] == "bad_message"


def test_an_extension_keeps_the_room_taking_people_longer(room: Room) -> None:
    connections = cast(room)
    room.send(connections["M"], "extend", minutes=15)
    assert room.ticket(room.learners[0])


def test_opening_early_starts_the_session_and_tells_everyone(room: Room) -> None:
    connections = cast(room)
    room.send(connections["M"], "open")
    assert get_session_item(room.session_id).status == "live"
    assert room.wire.last(connections["W"], "room")["status"] == "open"
    room.send(connections["L"], "hello")
    assert room.wire.last(connections["L"], "welcome")["room"]["status"] == "open"


def test_ending_completes_the_session_tells_everyone_and_closes_every_socket(room: Room) -> None:
    # Given an open room with people in it
    connections = cast(room)
    room.send(connections["M"], "open")
    room.wire.clear()
    # When the mentor ends it
    room.send(connections["M"], "end")
    # Then everyone was told and disconnected, the session is completed and attendance closed
    for connection_id in connections.values():
        assert room.wire.types(connection_id) == ["ended"]
        assert connection_id in room.wire.closed
        assert get_connection(connection_id) is None
    assert get_session_item(room.session_id).status == "completed"
    assert all(stay.left_at for stay in attendance.of(room.session_id))
    # And nobody gets back in
    with pytest.raises(Conflict):
        room.ticket(room.learners[0])
    room.wire.clear()
    room.send(connections["L"], "ping")
    assert room.wire.last(connections["L"], "error")["code"] == "forbidden"


def test_ending_a_room_that_never_opened_is_refused(room: Room) -> None:
    connections = cast(room)
    room.send(connections["M"], "end")
    assert room.wire.last(connections["M"], "error")["code"] == "invalid_transition"
    assert room.wire.closed == []


def test_the_hands_queue_is_in_order_of_raising_and_the_mentor_lowers_any(room: Room) -> None:
    connections = cast(room)
    second = room.learners[2]
    room.send(connections["L"], "raise-hand")
    room.send(second, "raise-hand")
    assert room.wire.last(connections["M"], "hands")["queue"] == [room.learners[0].user_id, second.user_id]
    room.send(connections["L"], "lower-hand", user_id=second.user_id)
    assert room.wire.last(connections["L"], "error")["code"] == "forbidden"
    room.send(connections["M"], "lower-hand", user_id=room.learners[0].user_id)
    assert room.wire.last(connections["M"], "hands")["queue"] == [second.user_id]
    room.send(second, "lower-hand")
    assert room.wire.last(connections["M"], "hands")["queue"] == []


def test_chat_reaches_the_admitted_and_is_kept(room: Room) -> None:
    connections = cast(room)
    room.send(connections["L"], "chat", text="  see https://example.com  ")
    message = room.wire.last(connections["M"], "chat")["message"]
    assert (message["text"], message["user_id"], message["attachment"]) == (
        "see https://example.com",
        room.learners[0].user_id,
        None,
    )
    assert "chat" not in room.wire.types(connections["W"])


def test_chat_attachments_must_be_files_of_this_room(room: Room) -> None:
    connections = cast(room)
    room.send(connections["L"], "chat", text="look", attachment={"file_id": "01KB0000000000000000000000"})
    assert room.wire.last(connections["L"], "error")["code"] == "bad_attachment"
    assert "chat" not in room.wire.types(connections["M"])


def test_media_state_is_everyones_presence(room: Room) -> None:
    connections = cast(room)
    room.send(connections["L"], "media", audio=True, video=True, screen=True)
    people = {p["user_id"]: p for p in room.wire.last(connections["W"], "presence")["participants"]}
    learner = people[room.learners[0].user_id]
    assert (learner["audio"], learner["video"], learner["screen"]) == (True, True, True)


def test_mute_and_mute_requests_reach_only_their_target(room: Room) -> None:
    connections = cast(room)
    room.send(connections["M"], "mute-request", user_id=room.learners[0].user_id, unmute=True)
    room.send(connections["M"], "mute", user_id=room.learners[0].user_id)
    assert room.wire.sent[connections["L"]] == [
        {"type": "mute-request", "from": room.mentor.user_id, "unmute": True},
        {"type": "muted", "by": room.mentor.user_id},
    ]
    assert set(room.wire.sent) == {connections["L"]}


def test_reactions_and_recording_are_broadcast(room: Room) -> None:
    connections = cast(room)
    room.send(connections["L"], "react", emoji="🎉")
    assert room.wire.last(connections["M"], "reaction") == {
        "type": "reaction",
        "from": room.learners[0].user_id,
        "emoji": "🎉",
    }
    room.send(connections["M"], "recording", on=True, recording_id="01KB0000000000000000000001")
    assert room.wire.last(connections["W"], "recording")["on"] is True
    room.send(connections["O"], "hello")
    assert room.wire.last(connections["O"], "welcome")["room"]["recording_id"] == "01KB0000000000000000000001"


def test_observers_are_not_removable(room: Room) -> None:
    connections = cast(room)
    room.send(connections["M"], "remove", user_id=room.admin.user_id)
    assert room.wire.last(connections["M"], "error")["code"] == "not_removable"
    participant = get_participant(room.session_id, room.admin.user_id)
    assert participant is not None
    assert participant.status == "admitted"


def test_a_ticket_is_for_one_person(room: Room) -> None:
    ticket = room.ticket(room.learners[0])
    grant = tickets.redeem_ticket(ticket)
    assert grant.user_id == room.learners[0].user_id


def test_a_session_completed_on_time_by_the_jobs_ends_its_room(room: Room, moving_clock: Clock) -> None:
    connections = cast(room)
    room.send(connections["M"], "open")
    room.wire.clear()
    moving_clock.advance(minutes=15 + 60 + 31)  # past the booked end and the completion grace
    assert jobs.sweep(room.ctx).sessions_completed == 1
    assert room.wire.types(connections["L"]) == ["ended"]
    assert connections["L"] in room.wire.closed


def test_a_chat_attachment_is_a_reference_to_a_file_shared_in_the_room(room: Room) -> None:
    connections = cast(room)
    learner = room.learners[0]
    shared = files.share_file(
        room.ctx,
        user_id=learner.user_id,
        role="learner",
        session_id=room.session_id,
        request=RoomFileCreate(name="diagram.png", content_type="image/png", size_bytes=2048),
    )
    room.send(connections["L"], "chat", text="", attachment={"file_id": shared.file_id})
    assert room.wire.last(connections["M"], "chat")["message"]["attachment"] == {
        "file_id": shared.file_id,
        "name": "diagram.png",
        "content_type": "image/png",
        "size_bytes": 2048,
        "kind": "image",
    }
