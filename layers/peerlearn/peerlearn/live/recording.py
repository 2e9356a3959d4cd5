"""Recordings: the mentor's browser uploads MediaRecorder chunks as an S3 multipart upload, one
presigned part URL at a time, so a closed tab loses at most the chunk in flight.

The mentor starts one while the session is live, asks for each part's URL and completes it with the
parts' ETags. An upload nobody completed (the tab closed, the laptop slept) is completed with the
parts S3 already holds (ListParts, then CompleteMultipartUpload) when the session ends and by the
jobs; one with no part at all is aborted. Participants, and nobody else, list completed recordings
with a download URL that lasts a few minutes.
"""

from __future__ import annotations

import logging

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ids, store, timeutil
from peerlearn.adapters.objects import (
    DOWNLOAD_URL_TTL_SECONDS,
    UPLOAD_URL_TTL_SECONDS,
    ObjectStoreError,
    UploadedPart,
)
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, NotFound
from peerlearn.live.audience import require_mentor, require_participant
from peerlearn.live.media_schemas import (
    CompletedPart,
    PartUrl,
    RecordingCreate,
    RecordingCreated,
    RecordingList,
    RecordingOut,
)
from peerlearn.store.keys import (
    RECORDING_PREFIX,
    RECORDINGS_UPLOADING,
    recording_object_key,
    recording_sk,
    room_pk,
)
from peerlearn.store.models import RecordingItem

logger = logging.getLogger(__name__)

MAX_RECORDINGS_PER_SESSION = 20  # start/stop a few times, not an unbounded number of uploads
# The jobs complete an upload of a session that is no longer live, or any upload this old (longer
# than any session can run, extension included): by then nobody is sending parts to it.
ABANDONED_AFTER_SECONDS = 12 * 3600
MIN_PART_BYTES = 5 * 1024 * 1024  # S3's smallest part, except the last
_EXTENSIONS = {"video/webm": "webm", "video/mp4": "mp4", "audio/webm": "weba"}


def _out(ctx: Context, item: RecordingItem, title: str, number: int) -> RecordingOut:
    url = None
    if item.status == "completed":
        extension = _EXTENSIONS.get(item.content_type, "webm")
        url = ctx.objects.presign_get(
            item.object_key,
            filename=f"{title} - recording {number}.{extension}",
            content_type=item.content_type,
            disposition="attachment",
        )
    return RecordingOut(
        recording_id=item.recording_id,
        session_id=item.session_id,
        status=item.status,
        content_type=item.content_type,
        created_at=item.created_at,
        completed_at=item.completed_at,
        size_bytes=None if item.size_bytes is None else int(item.size_bytes),
        part_count=None if item.part_count is None else int(item.part_count),
        download_url=url,
        download_expires_in_seconds=DOWNLOAD_URL_TTL_SECONDS if url else None,
    )


def _recordings(session_id: str, *, consistent: bool = False) -> list[RecordingItem]:
    return list(
        RecordingItem.query(
            room_pk(session_id), RecordingItem.sk.startswith(RECORDING_PREFIX), consistent_read=consistent
        )
    )


def _get(session_id: str, recording_id: str) -> RecordingItem:
    if not ids.is_id(recording_id):
        raise NotFound("No such recording.")
    try:
        return RecordingItem.get(room_pk(session_id), recording_sk(recording_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such recording.") from exc


# ---------------------------------------------------------------- the mentor's upload
def start_recording(
    ctx: Context, *, mentor_id: str, session_id: str, request: RecordingCreate
) -> RecordingCreated:
    session = require_mentor(session_id, mentor_id)
    if session.status != "live":
        raise Conflict(
            "A recording can start once the room is open (the session is live).", code="room_not_live"
        )
    if len(_recordings(session_id, consistent=True)) >= MAX_RECORDINGS_PER_SESSION:
        raise Conflict(
            f"A session can have at most {MAX_RECORDINGS_PER_SESSION} recordings.", code="too_many_recordings"
        )
    recording_id = ids.new_id()
    key = recording_object_key(session_id, recording_id)
    upload_id = ctx.objects.create_multipart(key, request.content_type)
    now = timeutil.now_iso()
    RecordingItem(
        room_pk(session_id),
        recording_sk(recording_id),
        recording_id=recording_id,
        session_id=session_id,
        mentor_id=mentor_id,
        object_key=key,
        upload_id=upload_id,
        content_type=request.content_type,
        created_at=now,
        gsi1pk=RECORDINGS_UPLOADING,
        gsi1sk=f"{now}#{session_id}#{recording_id}",
    ).save(condition=RecordingItem.pk.does_not_exist())
    logger.info("recording started", extra={"session_id": session_id, "recording_id": recording_id})
    return RecordingCreated(recording_id=recording_id, upload_id=upload_id, content_type=request.content_type)


def part_url(
    ctx: Context, *, mentor_id: str, session_id: str, recording_id: str, part_number: int
) -> PartUrl:
    require_mentor(session_id, mentor_id)
    item = _get(session_id, recording_id)
    if item.status != "uploading":
        raise Conflict(f"This recording is {item.status}; start a new one.", code="recording_not_uploading")
    url = ctx.objects.presign_part(item.object_key, item.upload_id, part_number)
    return PartUrl(part_number=part_number, url=url, expires_in_seconds=UPLOAD_URL_TTL_SECONDS)


def complete_recording(
    ctx: Context, *, mentor_id: str, session_id: str, recording_id: str, parts: list[CompletedPart]
) -> RecordingOut:
    """Joins the parts the mentor names; again for a completed recording answers it as it is."""
    session = require_mentor(session_id, mentor_id)
    item = _get(session_id, recording_id)
    if item.status == "uploading":
        numbers = [p.part_number for p in parts]
        if numbers != sorted(set(numbers)):
            raise BadRequest("Parts must be listed once each, in ascending order.", code="invalid_parts")
        try:
            uploaded = {p.part_number: p for p in ctx.objects.list_parts(item.object_key, item.upload_id)}
            if any(
                uploaded.get(p.part_number) is None or uploaded[p.part_number].etag != p.etag for p in parts
            ):
                raise BadRequest(
                    "A part is missing or its ETag doesn't match what was uploaded.", code="invalid_parts"
                )
            ctx.objects.complete_multipart(
                item.object_key, item.upload_id, [(p.part_number, p.etag) for p in parts]
            )
        except ObjectStoreError as exc:
            if _settled_meanwhile(item):  # the session's end finished it meanwhile, with what arrived
                return _out(ctx, item, session.title, _number_of(session_id, recording_id))
            raise BadRequest(f"The parts could not be joined: {exc}", code="invalid_parts") from exc
        size = sum(uploaded[n].size_bytes for n in numbers)
        _mark(item, "completed", by="mentor", parts=len(numbers), size_bytes=size)
    elif item.status == "aborted":
        raise Conflict("This recording had no parts and was discarded.", code="recording_aborted")
    return _out(ctx, item, session.title, _number_of(session_id, recording_id))


def _mark(item: RecordingItem, status: str, *, by: str, parts: int, size_bytes: int) -> bool:
    """uploading -> completed | aborted, once; False when someone else got there first."""
    try:
        with store.failed_condition_raises(Conflict("changed meanwhile")):
            item.update(
                actions=[
                    RecordingItem.status.set(status),
                    RecordingItem.completed_at.set(timeutil.now_iso()),
                    RecordingItem.completed_by.set(by),
                    RecordingItem.part_count.set(parts),
                    RecordingItem.size_bytes.set(size_bytes),
                    RecordingItem.gsi1pk.remove(),
                    RecordingItem.gsi1sk.remove(),
                ],
                condition=RecordingItem.status == "uploading",
            )
    except Conflict:
        item.refresh(consistent_read=True)
        return False
    return True


def playable_prefix(parts: list[UploadedPart]) -> list[UploadedPart]:
    """The parts from 1 up to the first gap or the first part under S3's 5 MiB minimum (which may
    only be last): a MediaRecorder stream is only playable from its start without holes, and S3
    refuses a short part anywhere but at the end."""
    chosen: list[UploadedPart] = []
    for part in sorted(parts, key=lambda p: p.part_number):
        if part.part_number != len(chosen) + 1:
            break
        chosen.append(part)
        if part.size_bytes < MIN_PART_BYTES:
            break
    return chosen


def _settled_meanwhile(item: RecordingItem) -> bool:
    item.refresh(consistent_read=True)
    return item.status != "uploading"


# ---------------------------------------------------------------- uploads nobody completed
def finish_abandoned(ctx: Context, item: RecordingItem) -> str:
    """Completes an upload with the parts S3 holds (aborts it when there are none): the recording up
    to the last chunk that arrived. Returns the recording's status afterwards."""
    if item.status != "uploading":
        return item.status
    try:
        parts = playable_prefix(ctx.objects.list_parts(item.object_key, item.upload_id))
        if not parts:
            ctx.objects.abort_multipart(item.object_key, item.upload_id)
        else:
            ctx.objects.complete_multipart(
                item.object_key, item.upload_id, [(p.part_number, p.etag) for p in parts]
            )
    except ObjectStoreError:
        if _settled_meanwhile(item):  # the mentor's own complete raced with us and won
            return item.status
        raise
    if not parts:
        _mark(item, "aborted", by="abandoned", parts=0, size_bytes=0)
    else:
        size = sum(p.size_bytes for p in parts)
        _mark(item, "completed", by="abandoned", parts=len(parts), size_bytes=size)
    logger.info(
        "abandoned recording finished",
        extra={"session_id": item.session_id, "recording_id": item.recording_id, "status": item.status},
    )
    return item.status


def finish_session_recordings(ctx: Context, session_id: str) -> int:
    """At the session's end: every upload still open is completed with what arrived. Returns how many."""
    finished = 0
    for item in _recordings(session_id, consistent=True):
        if item.status != "uploading":
            continue
        try:
            finish_abandoned(ctx, item)
            finished += 1
        except ObjectStoreError:  # the jobs try again; the session's end must not wait on it
            logger.exception(
                "abandoned recording could not be finished", extra={"recording_id": item.recording_id}
            )
    return finished


def sweep_abandoned(ctx: Context, now: int | None = None) -> int:
    """The jobs' safety net (a session end whose stream record was lost, a session never completed):
    a Query on the sparse index of open uploads, oldest first. Each failure is logged and retried
    next time; one bad upload doesn't stop the others."""
    now = clock.now_seconds() if now is None else now
    finished = 0
    for item in RecordingItem.uploading.query(RECORDINGS_UPLOADING):
        age = now - timeutil.epoch(item.created_at)
        try:
            live = get_session_item(item.session_id).status == "live"
        except NotFound:
            live = False
        if live and age < ABANDONED_AFTER_SECONDS:
            continue
        try:
            finish_abandoned(ctx, item)
            finished += 1
        except ObjectStoreError:
            logger.exception(
                "abandoned recording could not be finished", extra={"recording_id": item.recording_id}
            )
    return finished


# ---------------------------------------------------------------- afterwards
def _number_of(session_id: str, recording_id: str) -> int:
    ids_in_order = [item.recording_id for item in _recordings(session_id)]
    return ids_in_order.index(recording_id) + 1 if recording_id in ids_in_order else 1


def list_recordings(ctx: Context, *, user_id: str, role: str, session_id: str) -> RecordingList:
    session, _ = require_participant(session_id, user_id, role)
    items = [
        _out(ctx, item, session.title, number)
        for number, item in enumerate(_recordings(session_id), start=1)
        if item.status != "aborted"
    ]
    return RecordingList(items=items)
