"""Room chat: text (and a reference to a file shared through the files API), kept for the session's
history and pushed to the admitted participants."""

from __future__ import annotations

from typing import Any

from peerlearn import ids
from peerlearn.errors import BadRequest
from peerlearn.live import fanout, files
from peerlearn.live.schemas import ChatAttachmentOut, ChatMessageOut, ChatPage
from peerlearn.live.timing import iso_ms, now_ms
from peerlearn.store.keys import CHAT_PREFIX, chat_sk, room_pk
from peerlearn.store.models import ChatAttachmentMap, ChatMessageItem, ParticipantItem

HISTORY_KEEP_SECONDS = 90 * 86400
CHAT_END = CHAT_PREFIX.removesuffix("#") + "$"


def _attachment(session_id: str, file_id: str) -> ChatAttachmentMap:
    """The file must have been shared in this room (the files API); the message keeps its reference
    and description, never the file."""
    item = files.get_file(session_id, file_id)
    if item is None:
        raise BadRequest("No such file in this room.", code="bad_attachment", field="attachment.file_id")
    return ChatAttachmentMap(
        file_id=file_id,
        name=item.name,
        content_type=item.content_type,
        size_bytes=int(item.size_bytes),
        kind=item.kind,
    )


def message_out(item: ChatMessageItem) -> ChatMessageOut:
    attachment = item.attachment
    return ChatMessageOut(
        id=item.id,
        user_id=item.user_id,
        name=item.name,
        text=item.text,
        attachment=ChatAttachmentOut(**attachment.as_dict()) if attachment is not None else None,
        sent_at=item.sent_at,
        cursor=item.sk,
    )


def post_message(sender: ParticipantItem, text: str, file_id: str | None) -> dict[str, Any]:
    attachment = _attachment(sender.session_id, file_id) if file_id else None
    sent_ms = now_ms()
    message_id = ids.new_id(sent_ms)
    item = ChatMessageItem(
        room_pk(sender.session_id),
        chat_sk(sent_ms, message_id),
        id=message_id,
        session_id=sender.session_id,
        user_id=sender.user_id,
        name=sender.name,
        text=text,
        attachment=attachment,
        sent_at=iso_ms(sent_ms),
        ttl=sent_ms // 1000 + HISTORY_KEEP_SECONDS,
    )
    item.save()
    message = {"type": "chat", "message": message_out(item).model_dump()}
    fanout.broadcast(sender.session_id, message)
    return message


def history(session_id: str, *, after: str | None, limit: int) -> ChatPage:
    """In the order sent; `after` is the `cursor` of the last message the client has."""
    if after is not None and not after.startswith(CHAT_PREFIX):
        raise BadRequest("after must be a chat cursor.", field="after")
    # BETWEEN is inclusive: the message at `after` comes back too and is dropped. "CHAT$" sorts right
    # after every "CHAT#..." key, so nothing but chat is read.
    condition = ChatMessageItem.sk.between(after or CHAT_PREFIX, CHAT_END)
    found = ChatMessageItem.query(room_pk(session_id), condition, limit=limit + 2)
    items = [i for i in found if i.sk != after][: limit + 1]
    more = len(items) > limit
    items = items[:limit]
    return ChatPage(
        items=[message_out(i) for i in items], next_after=items[-1].sk if more and items else None
    )
