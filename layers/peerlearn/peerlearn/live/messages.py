"""The client's messages: one pydantic model per `action` (a discriminated union). Anything else,
or a message of the wrong shape, is a `bad_message`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, TypeAdapter, model_validator

REACTIONS = ("👍", "👏", "❤️", "😂", "😮", "🎉", "🙏", "🤔")
MAX_EXTENSION_MINUTES = 15

UserId = Annotated[str, Field(min_length=1, max_length=40)]


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    ref: Annotated[str | None, Field(max_length=40)] = None  # echoed in an `error`


class Hello(Action):
    action: Literal["hello"]


class Ping(Action):
    action: Literal["ping"]


class SignalData(BaseModel):
    """An SDP description or an ICE candidate, relayed as is (the browsers check them)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    description: dict[str, Any] | None = None
    candidate: dict[str, Any] | None = None

    @model_validator(mode="after")
    def one_of_them(self) -> SignalData:
        if self.description is None and self.candidate is None:
            raise ValueError("a signal carries a description or a candidate")
        if self.description is not None and self.description.get("type") not in (
            "offer",
            "answer",
            "pranswer",
            "rollback",
        ):
            raise ValueError("description.type must be offer, answer, pranswer or rollback")
        return self


class Signal(Action):
    action: Literal["signal"]
    to: UserId
    data: SignalData


class Media(Action):
    action: Literal["media"]
    audio: StrictBool
    video: StrictBool
    screen: StrictBool


class AttachmentRef(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    file_id: Annotated[str, Field(min_length=1, max_length=40)]


class Chat(Action):
    action: Literal["chat"]
    text: Annotated[str, Field(max_length=2000)]
    attachment: AttachmentRef | None = None

    @model_validator(mode="after")
    def something_to_say(self) -> Chat:
        self.text = self.text.strip()
        if not self.text and self.attachment is None:
            raise ValueError("a chat message needs text (1 to 2000 characters) or an attachment")
        return self


class React(Action):
    action: Literal["react"]
    emoji: Literal["👍", "👏", "❤️", "😂", "😮", "🎉", "🙏", "🤔"]


class RaiseHand(Action):
    action: Literal["raise-hand"]


class LowerHand(Action):
    action: Literal["lower-hand"]
    user_id: UserId | None = None


class Admit(Action):
    action: Literal["admit"]
    user_id: UserId | None = None
    all: StrictBool = False

    @model_validator(mode="after")
    def whom(self) -> Admit:
        if (self.user_id is None) == (not self.all):
            raise ValueError("admit takes a user_id or all: true")
        return self


class Open(Action):
    action: Literal["open"]


class MuteRequest(Action):
    action: Literal["mute-request"]
    user_id: UserId
    unmute: StrictBool = True


class Mute(Action):
    action: Literal["mute"]
    user_id: UserId


class Remove(Action):
    action: Literal["remove"]
    user_id: UserId


class Extend(Action):
    action: Literal["extend"]
    minutes: Annotated[int, Field(ge=1, le=MAX_EXTENSION_MINUTES, strict=True)]


class Recording(Action):
    action: Literal["recording"]
    on: StrictBool
    recording_id: Annotated[str | None, Field(max_length=40)] = None


class End(Action):
    action: Literal["end"]


class Leave(Action):
    action: Literal["leave"]


ClientMessage = Annotated[
    Hello
    | Ping
    | Signal
    | Media
    | Chat
    | React
    | RaiseHand
    | LowerHand
    | Admit
    | Open
    | MuteRequest
    | Mute
    | Remove
    | Extend
    | Recording
    | End
    | Leave,
    Field(discriminator="action"),
]

ACTIONS = (
    "hello",
    "ping",
    "signal",
    "media",
    "chat",
    "react",
    "raise-hand",
    "lower-hand",
    "admit",
    "open",
    "mute-request",
    "mute",
    "remove",
    "extend",
    "recording",
    "end",
    "leave",
)

_adapter: TypeAdapter[Any] | None = None


def parse(payload: dict[str, Any]) -> Action:
    """Raises pydantic's ValidationError for a wrong shape."""
    global _adapter
    if _adapter is None:  # built on first use: a cold start that only connects never pays for it
        _adapter = TypeAdapter(ClientMessage)
    message: Action = _adapter.validate_python(payload)
    return message
