"""Every message a participant sends: size, rate, shape and role checked, then one handler.

Order of the checks: size (16 KB) before anything is parsed; the connection must be known and still
its participant's; the per-connection rate limit; JSON and a known `action`; the role matrix; the
action's own shape. Each refusal is an `error` to the sender only, and nothing reaches anyone else.

A user channel (peerlearn.notify.channel: a person's notifications, on the same API) passes the same
size, rate and JSON checks and may then only `ping`, or, an admin's, `subscribe` to the live platform
statistics (peerlearn.notify.platform_stats): every room action is refused, and does nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pynamodb.exceptions import DoesNotExist

from peerlearn import store, timeutil
from peerlearn.errors import BadRequest, Conflict, DomainError, Forbidden, NotFound
from peerlearn.live import chat, ending, fanout, messages, moderation, presence, room, sockets, timer
from peerlearn.live.access import get_participant, get_state
from peerlearn.live.messages import Action
from peerlearn.live.timing import now_ms, server_now
from peerlearn.notify import platform_stats
from peerlearn.store.models import ChannelConnectionItem, ConnectionItem, ParticipantItem, RoomStateItem

logger = logging.getLogger(__name__)

# What a client may send in one message (UTF-8 bytes). API Gateway takes 128 KB (32 KB frames);
# nothing in the protocol needs more than an SDP offer of a few KB.
MAX_MESSAGE_BYTES = 16 * 1024
# Per connection, a leaky bucket: 20 messages a second sustained, bursts of 40 (ICE candidates come
# in bursts when a call starts).
RATE_PER_SECOND = 20
RATE_BURST = 40

# Who may send what. M: the mentor, L: an admitted learner, W: a learner in the waiting room,
# O: an observer (an admin).
MATRIX: dict[str, frozenset[str]] = {
    "hello": frozenset("MLWO"),
    "ping": frozenset("MLWO"),
    "signal": frozenset("MLO"),
    "media": frozenset("ML"),
    "chat": frozenset("ML"),
    "react": frozenset("ML"),
    "raise-hand": frozenset("L"),
    "lower-hand": frozenset("ML"),
    "admit": frozenset("M"),
    "open": frozenset("M"),
    "mute-request": frozenset("M"),
    "mute": frozenset("M"),
    "remove": frozenset("M"),
    "extend": frozenset("M"),
    "recording": frozenset("M"),
    "end": frozenset("M"),
    "leave": frozenset("MLWO"),
}
assert set(MATRIX) == set(messages.ACTIONS)


@dataclass(frozen=True)
class Sender:
    connection_id: str
    person: ParticipantItem

    @property
    def session_id(self) -> str:
        return self.person.session_id

    @property
    def user_id(self) -> str:
        return self.person.user_id

    @property
    def kind(self) -> str:
        return kind_of(self.person)


def kind_of(person: ParticipantItem) -> str:
    if person.status not in ("admitted", "waiting"):
        return "-"
    if person.room_role == "mentor":
        return "M"
    if person.room_role == "observer":
        return "O"
    return "L" if person.status == "admitted" else "W"


def error(code: str, message: str, ref: str | None = None) -> dict[str, Any]:
    answer = {"type": "error", "code": code, "message": message}
    if ref is not None:
        answer["ref"] = ref
    return answer


def handle(connection_id: str, body: str) -> None:
    """One message from `connection_id`; every answer is pushed, nothing is returned."""
    reply = _handle(connection_id, body)
    if reply is not None:
        sockets.post(connection_id, reply)


def _handle(connection_id: str, body: str) -> dict[str, Any] | None:
    if len(body.encode()) > MAX_MESSAGE_BYTES:
        return error("too_large", f"A message may be at most {MAX_MESSAGE_BYTES} bytes.")
    connection = sockets.get_any_connection(connection_id)
    if connection is None:
        return error("forbidden", "This connection is no longer in a room.")
    if not within_rate(connection):
        return error("rate_limited", "Too many messages; this one was dropped.")
    try:
        payload = json.loads(body)
    except ValueError:
        return error("bad_message", "A message must be one JSON object.")
    if not isinstance(payload, dict):
        return error("bad_message", "A message must be one JSON object.")
    raw_ref = payload.get("ref")
    ref = raw_ref if isinstance(raw_ref, str) and len(raw_ref) <= 40 else None
    action = payload.get("action")
    if isinstance(connection, ChannelConnectionItem):
        return _on_user_channel(connection, payload, ref)
    if action not in MATRIX:
        return error("bad_message", "Unknown action.", ref)
    person = get_participant(connection.session_id, connection.user_id)
    if person is None or person.connection_id != connection_id:
        return error("forbidden", "This connection is no longer in the room.", ref)
    sender = Sender(connection_id, person)
    if sender.kind not in MATRIX[action]:
        return error("forbidden", f"You can't {action} here.", ref)
    try:
        message = messages.parse(payload)
    except ValidationError as exc:
        errors = exc.errors()
        where = ".".join(str(p) for p in errors[0]["loc"][1:]) if errors else ""
        detail = str(errors[0]["msg"] if errors else "is not valid").removeprefix("Value error, ")
        return error("bad_message", f"{where}: {detail}" if where else detail, ref)
    try:
        return HANDLERS[action](sender, message)
    except DomainError as exc:
        return error(exc.code, exc.message, ref)


def _on_user_channel(
    connection: ChannelConnectionItem, payload: dict[str, Any], ref: str | None
) -> dict[str, Any]:
    """A user channel carries notifications to its person: it answers `ping`, and an admin's may
    `subscribe`/`unsubscribe` to the live platform statistics (topic `stats`, admins only)."""
    action = payload.get("action")
    if action == "ping":
        return {"type": "pong", "server_now": server_now()}
    if action in ("subscribe", "unsubscribe"):
        if payload.get("topic") != platform_stats.TOPIC:
            return error("bad_message", f"topic: the only topic is {platform_stats.TOPIC!r}.", ref)
        try:
            if action == "subscribe":
                answer = platform_stats.subscribe(connection.connection_id, connection.user_id)
            else:
                answer = platform_stats.unsubscribe(connection.connection_id)
        except DomainError as exc:
            return error(exc.code, exc.message, ref)
        return {**answer, "ref": ref} if ref is not None else answer
    return error(
        "forbidden",
        "This connection carries notifications only: it accepts ping, subscribe and unsubscribe.",
        ref,
    )


def within_rate(connection: ConnectionItem | ChannelConnectionItem) -> bool:
    """Counts the message in the connection's bucket, with a condition so parallel invocations for one
    connection can't both count against the same old level."""
    model = type(connection)
    for _ in range(3):
        now = now_ms()
        checked = int(connection.rate_checked_ms or 0)
        drained = max(0.0, float(connection.rate_level or 0) - max(0, now - checked) * RATE_PER_SECOND / 1000)
        level = round(drained + 1, 3)
        if level > RATE_BURST:
            return False
        try:
            with store.failed_condition_raises(Conflict("counted meanwhile")):
                connection.update(
                    actions=[model.rate_level.set(level), model.rate_checked_ms.set(now)],
                    condition=(model.rate_checked_ms == checked)
                    if connection.rate_checked_ms
                    else model.rate_checked_ms.does_not_exist() | (model.rate_checked_ms == 0),
                )
        except Conflict:
            try:
                connection.refresh(consistent_read=True)
            except DoesNotExist:
                return False
            continue
        return True
    return False


# ---------------------------------------------------------------- handlers
Handler = Callable[[Sender, Any], "dict[str, Any] | None"]


def _hello(sender: Sender, _: Action) -> dict[str, Any]:
    return room.welcome(sender.person)


def _ping(_sender: Sender, _: Action) -> dict[str, Any]:
    return {"type": "pong", "server_now": server_now()}


def _admitted_peer(session_id: str, user_id: str) -> ParticipantItem:
    peer = get_participant(session_id, user_id)
    if peer is None or peer.status != "admitted" or peer.connection_id is None:
        raise NotFound("Nobody by that id is in the room.", code="not_in_room")
    return peer


_DIRECTIONS = ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive")


def sends_media(sdp: str) -> bool:
    """Whether an SDP description offers or agrees to send audio or video: any audio/video section
    that isn't rejected (port 0) and isn't only `recvonly` or `inactive` (no direction means
    sendrecv). A section with a sending direction among several counts as sending: browsers write
    one, and which duplicate one reads (Chrome the last) is not ours to guess, so `a=sendrecv` next
    to `a=recvonly` can't pass for receive-only in either order."""
    sections = sdp.replace("\r\n", "\n").split("\nm=")[1:]
    for section in sections:
        lines = section.split("\n")
        media = lines[0].split()
        if len(media) < 2 or media[0] not in ("audio", "video") or media[1] == "0":
            continue
        directions = [line.strip() for line in lines[1:] if line.strip() in _DIRECTIONS]
        if not directions or any(d not in ("a=recvonly", "a=inactive") for d in directions):
            return True
    return False


def _signal(sender: Sender, message: messages.Signal) -> None:
    if message.to == sender.user_id:
        raise BadRequest("A signal goes to someone else.", code="bad_message")
    description = message.data.description
    if sender.kind == "O" and description is not None and sends_media(str(description.get("sdp") or "")):
        # An observer watches: the server, not only the page, keeps it from sending media.
        raise Forbidden("An observer receives media and sends none.", code="forbidden")
    peer = _admitted_peer(sender.session_id, message.to)
    data = message.data.model_dump(exclude_none=True)
    assert peer.connection_id is not None
    if not sockets.post(peer.connection_id, {"type": "signal", "from": sender.user_id, "data": data}):
        presence.broadcast_presence(sender.session_id)
        raise NotFound("That participant has just left.", code="not_in_room")


def _media(sender: Sender, message: messages.Media) -> None:
    _update_self(
        sender,
        ParticipantItem.audio.set(message.audio),
        ParticipantItem.video.set(message.video),
        ParticipantItem.screen.set(message.screen),
    )
    presence.broadcast_presence(sender.session_id)


def _update_self(sender: Sender, *actions: Any) -> None:
    with store.failed_condition_raises(Forbidden("This connection is no longer in the room.")):
        sender.person.update(
            actions=list(actions), condition=ParticipantItem.connection_id == sender.connection_id
        )


def _chat(sender: Sender, message: messages.Chat) -> None:
    chat.post_message(sender.person, message.text, message.attachment.file_id if message.attachment else None)


def _react(sender: Sender, message: messages.React) -> None:
    fanout.broadcast(sender.session_id, {"type": "reaction", "from": sender.user_id, "emoji": message.emoji})


def _hands(session_id: str) -> None:
    people = fanout.participants(session_id)
    fanout.broadcast(session_id, {"type": "hands", "queue": presence.hand_queue(people)}, people=people)


def _raise_hand(sender: Sender, _: Action) -> None:
    if sender.person.hand_at is None:
        _update_self(sender, ParticipantItem.hand_at.set(now_ms()))
    _hands(sender.session_id)


def _lower_hand(sender: Sender, message: messages.LowerHand) -> None:
    whose = message.user_id or sender.user_id
    if whose != sender.user_id and sender.kind != "M":
        raise Forbidden("Only the mentor lowers someone else's hand.")
    if whose == sender.user_id:
        _update_self(sender, ParticipantItem.hand_at.remove())
    else:
        peer = get_participant(sender.session_id, whose)
        if peer is None:
            raise NotFound("Nobody by that id is in the room.", code="not_in_room")
        peer.update(actions=[ParticipantItem.hand_at.remove()])
    _hands(sender.session_id)


def _admit(sender: Sender, message: messages.Admit) -> None:
    moderation.admit(sender.session_id, None if message.all else message.user_id)


def _open(sender: Sender, _: Action) -> None:
    room.open_room(sender.session_id)


def _mute_request(sender: Sender, message: messages.MuteRequest) -> None:
    peer = _admitted_peer(sender.session_id, message.user_id)
    assert peer.connection_id is not None
    sockets.post(
        peer.connection_id, {"type": "mute-request", "from": sender.user_id, "unmute": message.unmute}
    )


def _mute(sender: Sender, message: messages.Mute) -> None:
    peer = _admitted_peer(sender.session_id, message.user_id)
    assert peer.connection_id is not None
    sockets.post(peer.connection_id, {"type": "muted", "by": sender.user_id})


def _remove(sender: Sender, message: messages.Remove) -> None:
    moderation.remove(sender.session_id, message.user_id)


def _extend(sender: Sender, message: messages.Extend) -> None:
    timer.extend(sender.session_id, message.minutes)


def _recording(sender: Sender, message: messages.Recording) -> None:
    state = get_state(sender.session_id)
    if state is None:
        raise Conflict("The room has not started.", code="room_closed")
    recording_id = message.recording_id if message.on else state.recording_id
    state.update(
        actions=[
            RoomStateItem.recording.set(message.on),
            RoomStateItem.recording_id.set(recording_id)
            if recording_id
            else RoomStateItem.recording_id.remove(),
        ]
    )
    fanout.broadcast(
        sender.session_id,
        {"type": "recording", "on": message.on, "by": sender.user_id, "recording_id": recording_id},
        admitted_only=False,
    )


def _end(sender: Sender, _: Action) -> None:
    ending.end_room(mentor_id=sender.user_id, session_id=sender.session_id)


def _leave(sender: Sender, _: Action) -> None:
    connection = sockets.get_connection(sender.connection_id)
    if connection is not None:
        connection.delete()
    presence.let_go(sender.session_id, sender.user_id, sender.connection_id, status="left")
    presence.broadcast_presence(sender.session_id)
    sockets.close(sender.connection_id)
    logger.info("participant left", extra={"session_id": sender.session_id, "at": timeutil.now_iso()})


HANDLERS: dict[str, Handler] = {
    "hello": _hello,
    "ping": _ping,
    "signal": _signal,
    "media": _media,
    "chat": _chat,
    "react": _react,
    "raise-hand": _raise_hand,
    "lower-hand": _lower_hand,
    "admit": _admit,
    "open": _open,
    "mute-request": _mute_request,
    "mute": _mute,
    "remove": _remove,
    "extend": _extend,
    "recording": _recording,
    "end": _end,
    "leave": _leave,
}
