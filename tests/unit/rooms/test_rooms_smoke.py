from __future__ import annotations

from tests.unit.rooms_support import Room


def test_smoke(room: Room) -> None:
    mentor = room.connect(room.mentor)
    learner = room.connect(room.learners[0])
    assert room.wire.types(mentor) == ["presence", "knock"]
    room.send(room.mentor, "admit", user_id=room.learners[0].user_id)
    assert room.wire.types(learner) == ["admitted", "welcome", "presence"]
    room.send(room.learners[0], "signal", to=room.mentor.user_id, data={"candidate": {"candidate": "x"}})
    assert room.wire.last(mentor, "signal")["from"] == room.learners[0].user_id
