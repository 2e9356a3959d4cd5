"""Presence by participant: the waiting room, admitting, reconnecting without ghosts, leaving,
removal, gone connections, and the attendance each stay leaves behind."""

from __future__ import annotations

import pytest

from peerlearn.live import attendance, moderation, presence
from peerlearn.live.access import get_participant
from peerlearn.live.sockets import get_connection
from tests.unit.rooms_support import Room


def present(room: Room, connection_id: str) -> dict[str, dict[str, object]]:
    return {p["user_id"]: p for p in room.wire.last(connection_id, "presence")["participants"]}


def test_a_learner_waits_and_the_mentor_hears_the_knock(room: Room) -> None:
    mentor = room.connect(room.mentor)
    learner = room.learners[0]
    room.connect(learner)
    knock = room.wire.last(mentor, "knock")
    assert knock["participant"]["user_id"] == learner.user_id
    assert knock["participant"]["status"] == "waiting"
    assert present(room, mentor)[learner.user_id]["status"] == "waiting"


def test_hello_in_the_waiting_room_shows_who_is_there_and_when_it_opens(room: Room) -> None:
    room.connect(room.mentor)
    waiting = room.connect(room.learners[0])
    room.send(room.learners[0], "hello")
    welcome = room.wire.last(waiting, "welcome")
    assert welcome["you"]["status"] == "waiting"
    assert welcome["room"]["status"] == "waiting"
    assert welcome["room"]["mentor_present"] is True
    assert welcome["room"]["opens_at"] < welcome["room"]["starts_at"]
    assert {p["user_id"] for p in welcome["participants"]} == {room.mentor.user_id, room.learners[0].user_id}


def test_admitting_one_tells_them_and_welcomes_them(room: Room) -> None:
    room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    assert room.wire.types(learner)[:2] == ["admitted", "welcome"]
    assert room.wire.last(learner, "welcome")["you"]["status"] == "admitted"


def test_admitting_all_admits_everyone_waiting(room: Room) -> None:
    mentor = room.connect(room.mentor)
    for learner in room.learners:
        room.connect(learner)
    room.send(room.mentor, "admit", all=True)
    assert {p["status"] for p in present(room, mentor).values()} == {"admitted"}


def test_a_reconnect_replaces_the_old_connection_and_leaves_no_ghost(room: Room) -> None:
    # Given an admitted learner
    mentor = room.connect(room.mentor)
    learner = room.learners[0]
    first = room.connect(learner)
    room.send(room.mentor, "admit", user_id=learner.user_id)
    room.wire.clear()
    # When they connect again (a network switch) before the old connection's $disconnect
    second = room.connect(learner)
    # Then the old connection is told and closed, and they are still admitted, once
    assert room.wire.types(first) == ["replaced"]
    assert first in room.wire.closed
    assert get_connection(first) is None
    people = present(room, mentor)
    assert len(people) == 2
    assert people[learner.user_id]["status"] == "admitted"
    assert people[learner.user_id]["connected"] is True
    # And the old connection's late $disconnect changes nothing anyone sees
    room.wire.clear()
    presence.disconnect(first)
    assert room.wire.sent == {}
    participant = get_participant(room.session_id, learner.user_id)
    assert participant is not None
    assert participant.connection_id == second


def test_a_disconnect_keeps_the_seat_but_shows_not_connected(room: Room) -> None:
    mentor = room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    presence.disconnect(learner)
    person = present(room, mentor)[room.learners[0].user_id]
    assert (person["status"], person["connected"]) == ("admitted", False)


def test_an_admitted_learner_who_comes_back_is_admitted_again_without_knocking(room: Room) -> None:
    mentor = room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    room.send(learner, "leave")
    room.wire.clear()
    room.connect(room.learners[0])
    assert "knock" not in room.wire.types(mentor)
    assert present(room, mentor)[room.learners[0].user_id]["status"] == "admitted"


def test_leaving_closes_the_connection_and_hides_the_participant(room: Room) -> None:
    mentor = room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    room.send(learner, "leave")
    assert learner in room.wire.closed
    assert room.learners[0].user_id not in present(room, mentor)


def test_a_removed_learner_is_told_disconnected_and_gone_from_presence(room: Room) -> None:
    mentor = room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    room.send(room.mentor, "remove", user_id=room.learners[0].user_id)
    assert room.wire.types(learner)[-1] == "removed"
    assert learner in room.wire.closed
    assert get_connection(learner) is None
    assert room.learners[0].user_id not in present(room, mentor)
    # Its messages no longer reach anyone
    room.wire.clear()
    room.send(learner, "chat", text="still here?")
    assert room.wire.last(learner, "error")["code"] == "forbidden"
    assert list(room.wire.sent) == [learner]


def test_a_gone_connection_is_forgotten_and_only_that_one(room: Room) -> None:
    # Given the mentor and two admitted learners, one of whose connections is gone without $disconnect
    mentor = room.connect(room.mentor)
    sender = room.connect(room.learners[0])
    lost = room.connect(room.learners[1])
    room.send(room.mentor, "admit", all=True)
    room.wire.gone.add(lost)
    room.wire.clear()
    # When the other learner says something
    room.send(sender, "chat", text="hello all")
    # Then the mentor and the sender got it; the gone connection was forgotten, the sender's kept
    assert room.wire.last(mentor, "chat")["message"]["text"] == "hello all"
    assert room.wire.last(sender, "chat")["message"]["text"] == "hello all"
    assert get_connection(lost) is None
    assert get_connection(sender) is not None
    assert get_connection(mentor) is not None
    gone_person = get_participant(room.session_id, room.learners[1].user_id)
    assert gone_person is not None
    assert gone_person.connection_id is None
    # And the others now see that learner as not connected
    assert present(room, mentor)[room.learners[1].user_id]["connected"] is False


def test_a_throttled_recipient_costs_the_others_nothing(room: Room) -> None:
    # Given three people in the call, one of whose connections the management API throttles
    mentor = room.connect(room.mentor)
    sender = room.connect(room.learners[0])
    slow = room.connect(room.learners[1])
    room.send(room.mentor, "admit", all=True)
    room.wire.throttled.add(mentor)
    room.wire.clear()
    # When a learner says something
    room.send(sender, "chat", text="can you hear me?")
    # Then everyone else still got it, and the throttled connection is not taken for gone
    assert room.wire.last(slow, "chat")["message"]["text"] == "can you hear me?"
    assert room.wire.last(sender, "chat")["message"]["text"] == "can you hear me?"
    assert get_connection(mentor) is not None


def test_attendance_records_each_stay(room: Room) -> None:
    room.connect(room.mentor)
    learner = room.learners[0]
    first = room.connect(learner)
    assert not attendance.attended(room.session_id, learner.user_id)  # waiting is not attending
    room.send(room.mentor, "admit", user_id=learner.user_id)
    room.connect(learner)  # replaces `first`: that stay ends, a new one begins
    presence.disconnect(room.of(learner))
    stays = attendance.of(room.session_id, learner.user_id)
    assert len(stays) == 2
    assert all(stay.left_at for stay in stays)
    assert attendance.attended(room.session_id, learner.user_id)
    assert attendance.attended(room.session_id, room.mentor.user_id)
    assert first != room.of(learner)


def test_the_mentor_and_observers_are_admitted_on_arrival(room: Room) -> None:
    room.connect(room.mentor)
    observer = room.connect(room.admin)
    room.send(room.admin, "hello")
    assert room.wire.last(observer, "welcome")["you"] == {
        "user_id": room.admin.user_id,
        "name": room.admin.name,
        "room_role": "observer",
        "status": "admitted",
    }


def test_the_room_admits_no_more_than_its_capacity(room: Room, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a room of 4 (6 in production; three learners are what this fixture has) with the mentor
    # and an observer in it, and three learners waiting
    monkeypatch.setattr(moderation, "ROOM_CAPACITY", 4)
    mentor = room.connect(room.mentor)
    room.connect(room.admin)
    for learner in room.learners:
        room.connect(learner)
    # When the mentor admits all, the first two to knock fit; the third waits
    room.send(room.mentor, "admit", all=True)
    statuses = [p["status"] for p in present(room, mentor).values() if p["room_role"] == "learner"]
    assert sorted(statuses) == ["admitted", "admitted", "waiting"]
    room.send(room.mentor, "admit", all=True)
    assert room.wire.last(mentor, "error")["code"] == "room_full"
