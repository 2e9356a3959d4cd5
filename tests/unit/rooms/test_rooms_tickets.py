"""Room tickets: who gets one, and every way a `$connect` with one is refused."""

from __future__ import annotations

import pytest

from peerlearn.accounts.lookups import get_user
from peerlearn.catalog import lifecycle
from peerlearn.errors import Conflict, Forbidden, NotFound, Unauthorized
from peerlearn.live import presence, tickets
from peerlearn.store.models import UserItem
from tests.unit.rooms_support import Room, make_room
from tests.unit.sessions_support import Clock


def issue(room: Room, who: object) -> str:
    return room.ticket(who)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "role"), [("mentor", "mentor"), ("learner", "learner"), ("admin", "observer")]
)
def test_the_mentor_a_confirmed_learner_and_an_admin_get_tickets_for_their_room_role(
    room: Room, who: str, role: str
) -> None:
    person = {"mentor": room.mentor, "learner": room.learners[0], "admin": room.admin}[who]
    out = tickets.issue_ticket(
        room.ctx, user_id=person.user_id, user_role=person.role, session_id=room.session_id
    )
    assert out.room_role == role
    assert out.url.startswith("wss://")
    assert f"ticket={out.ticket}" in out.url
    grant = tickets.redeem_ticket(out.ticket, session_id=room.session_id)
    assert (grant.user_id, grant.session_id, grant.room_role) == (person.user_id, room.session_id, role)


def test_someone_without_a_confirmed_booking_gets_no_ticket(room: Room) -> None:
    with pytest.raises(Forbidden) as refused:
        room.ticket(room.outsider)
    assert refused.value.code == "not_booked"


def test_a_ticket_opens_one_connection_only(room: Room) -> None:
    ticket = room.ticket(room.learners[0])
    tickets.redeem_ticket(ticket)
    with pytest.raises(Unauthorized):
        tickets.redeem_ticket(ticket)


def test_an_expired_ticket_is_refused(room: Room, moving_clock: Clock) -> None:
    ticket = room.ticket(room.learners[0])
    moving_clock.advance(seconds=61)
    with pytest.raises(Unauthorized):
        tickets.redeem_ticket(ticket)


def test_an_unknown_ticket_is_refused(room: Room) -> None:
    with pytest.raises(Unauthorized):
        tickets.redeem_ticket("made-up-ticket-value-0123456789")
    with pytest.raises(Unauthorized):
        tickets.redeem_ticket("")


def test_another_sessions_ticket_is_refused_for_this_room(room: Room) -> None:
    other = make_room(room.ctx, pytest.MonkeyPatch(), learners=1)
    ticket = other.ticket(other.learners[0])
    with pytest.raises(Unauthorized):
        tickets.redeem_ticket(ticket, session_id=room.session_id)


def test_a_banned_user_gets_no_ticket_and_cant_use_one_issued_before_the_ban(room: Room) -> None:
    learner = room.learners[0]
    grant = tickets.redeem_ticket(room.ticket(learner))
    get_user(learner.user_id).update(actions=[UserItem.banned.set(True)])
    with pytest.raises(Forbidden) as at_redemption:
        tickets.admit_grant(grant)
    with pytest.raises(Forbidden) as at_issue:
        room.ticket(learner)
    assert at_redemption.value.code == at_issue.value.code == "banned"


def test_a_removed_participant_gets_no_ticket_and_cant_connect_with_an_older_one(room: Room) -> None:
    learner = room.learners[0]
    room.connect(room.mentor)
    room.connect(learner)
    older = tickets.redeem_ticket(room.ticket(learner))
    room.send(room.mentor, "remove", user_id=learner.user_id)
    with pytest.raises(Forbidden) as refused:
        room.ticket(learner)
    assert refused.value.code == "removed"
    with pytest.raises(Forbidden):
        tickets.admit_grant(older)
    with pytest.raises(Forbidden):
        presence.connect(older, "late-connection")


def test_no_tickets_more_than_an_hour_before_the_start(ctx: object, monkeypatch: pytest.MonkeyPatch) -> None:
    early = make_room(ctx, monkeypatch, hours=3, learners=1)  # type: ignore[arg-type]
    with pytest.raises(Conflict) as refused:
        early.ticket(early.mentor)
    assert refused.value.code == "room_closed"


def test_no_tickets_for_a_cancelled_session(room: Room) -> None:
    lifecycle.cancel_session(room.ctx, mentor_id=room.mentor.user_id, session_id=room.session_id)
    with pytest.raises(Conflict) as refused:
        room.ticket(room.mentor)
    assert refused.value.code == "room_closed"


def test_no_tickets_for_a_session_that_does_not_exist(room: Room) -> None:
    with pytest.raises(NotFound):
        tickets.issue_ticket(room.ctx, user_id=room.mentor.user_id, user_role="mentor", session_id="nope")
