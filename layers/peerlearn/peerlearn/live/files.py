"""Files shared in the room's chat: a participant declares one (name, type, size), gets a presigned
upload URL, and sends `chat` with `attachment: {file_id}`; participants (and nobody else) fetch it
through a short-lived presigned GET. Images (png, jpeg, webp, gif) show inline; everything else
downloads as an attachment. Up to 10 MB.
"""

from __future__ import annotations

import logging
from typing import Literal

from pynamodb.exceptions import DoesNotExist

from peerlearn import ids, ratelimit, timeutil
from peerlearn.adapters.objects import UPLOAD_URL_TTL_SECONDS
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, NotFound, TooManyRequests
from peerlearn.live.audience import require_participant
from peerlearn.live.media_schemas import RoomFileCreate, RoomFileCreated
from peerlearn.store.keys import room_file_object_key, room_file_sk, room_pk
from peerlearn.store.models import RoomFileItem

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
OTHER_TYPES = frozenset({"application/pdf", "text/plain", "application/zip"})
FILES_PER_USER = ratelimit.Limit("room-file", max_hits=30, window_seconds=600)


def kind_of(content_type: str) -> Literal["image", "file"]:
    return "image" if content_type in IMAGE_TYPES else "file"


def share_file(
    ctx: Context, *, user_id: str, role: str, session_id: str, request: RoomFileCreate
) -> RoomFileCreated:
    session, _ = require_participant(session_id, user_id, role)
    if session.status == "cancelled":
        raise Conflict("This session was cancelled.", code="room_closed")
    content_type = request.content_type.strip().lower()
    if content_type not in IMAGE_TYPES | OTHER_TYPES:
        raise BadRequest(
            "Share images (PNG, JPEG, WebP, GIF), PDFs, text files or ZIP archives.",
            code="unsupported_type",
            field="content_type",
        )
    if request.size_bytes > MAX_FILE_BYTES:
        raise BadRequest(
            f"Files can be at most {MAX_FILE_BYTES // (1024 * 1024)} MB.",
            code="too_large",
            field="size_bytes",
        )
    wait = ratelimit.acquire(FILES_PER_USER, user_id)
    if wait:
        raise TooManyRequests(
            "That's a lot of files in a short time.", retry_after_seconds=wait, code="too_many_files"
        )
    file_id = ids.new_id()
    key = room_file_object_key(session_id, file_id)
    RoomFileItem(
        room_pk(session_id),
        room_file_sk(file_id),
        file_id=file_id,
        session_id=session_id,
        uploader_id=user_id,
        name=request.name.strip() or "file",
        content_type=content_type,
        kind=kind_of(content_type),
        size_bytes=request.size_bytes,
        object_key=key,
        created_at=timeutil.now_iso(),
    ).save(condition=RoomFileItem.pk.does_not_exist())
    url = ctx.objects.presign_put(key, content_type, request.size_bytes)
    logger.info("room file shared", extra={"session_id": session_id, "file_id": file_id})
    return RoomFileCreated(
        file_id=file_id, upload_url=url, kind=kind_of(content_type), expires_in_seconds=UPLOAD_URL_TTL_SECONDS
    )


def get_file(session_id: str, file_id: str) -> RoomFileItem | None:
    """The file of this room with this id, or None (for live-core's chat: an attachment must be a
    file shared in the same room)."""
    if not ids.is_id(file_id):
        return None
    try:
        return RoomFileItem.get(room_pk(session_id), room_file_sk(file_id), consistent_read=True)
    except DoesNotExist:
        return None


def download_url(ctx: Context, *, user_id: str, role: str, session_id: str, file_id: str) -> str:
    """Where a participant's browser fetches the file: a presigned GET that lasts a few minutes."""
    require_participant(session_id, user_id, role)
    item = get_file(session_id, file_id)
    if item is None:
        raise NotFound("No such file.")
    kind = kind_of(item.content_type)
    return ctx.objects.presign_get(
        item.object_key,
        filename=item.name,
        content_type=item.content_type,
        disposition="inline" if kind == "image" else "attachment",
    )
