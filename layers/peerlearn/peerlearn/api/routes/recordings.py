"""/api/sessions/{id}/recordings and /api/sessions/{id}/room/files: what a room keeps.

Recordings: the mentor starts a multipart upload, asks for a presigned URL per part and completes it;
participants list completed ones with a short-lived download URL. Chat files: a participant declares
a file and gets an upload URL; participants fetch it by a redirect to a short-lived presigned GET.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.api import SECURED, CallerDep, ContextDep
from peerlearn.live import files, recording
from peerlearn.live.media_schemas import (
    PartRequest,
    PartUrl,
    RecordingComplete,
    RecordingCreate,
    RecordingCreated,
    RecordingList,
    RecordingOut,
    RoomFileCreate,
    RoomFileCreated,
)

router = Router()


@router.post(
    "/api/sessions/<session_id>/recordings",
    summary="Start recording the live session (its mentor): a multipart upload",
    tags=["rooms"],
    security=SECURED,
)
def start_recording(
    session_id: str, who: CallerDep, ctx: ContextDep, body: RecordingCreate | None = None
) -> Response[RecordingCreated]:
    created = recording.start_recording(
        ctx, mentor_id=who.user_id, session_id=session_id, request=body or RecordingCreate()
    )
    return Response(201, content_types.APPLICATION_JSON, created)


@router.post(
    "/api/sessions/<session_id>/recordings/<recording_id>/parts",
    summary="A presigned URL to PUT one part of the recording (its mentor); the answer's ETag completes it",
    tags=["rooms"],
    security=SECURED,
)
def recording_part(
    session_id: str, recording_id: str, body: PartRequest, who: CallerDep, ctx: ContextDep
) -> PartUrl:
    return recording.part_url(
        ctx,
        mentor_id=who.user_id,
        session_id=session_id,
        recording_id=recording_id,
        part_number=body.part_number,
    )


@router.post(
    "/api/sessions/<session_id>/recordings/<recording_id>/complete",
    summary="Join the uploaded parts into the recording (its mentor)",
    tags=["rooms"],
    security=SECURED,
)
def complete_recording(
    session_id: str, recording_id: str, body: RecordingComplete, who: CallerDep, ctx: ContextDep
) -> RecordingOut:
    return recording.complete_recording(
        ctx, mentor_id=who.user_id, session_id=session_id, recording_id=recording_id, parts=body.parts
    )


@router.get(
    "/api/sessions/<session_id>/recordings",
    summary="The session's recordings with short-lived download URLs (participants only)",
    tags=["rooms"],
    security=SECURED,
)
def list_recordings(session_id: str, who: CallerDep, ctx: ContextDep) -> RecordingList:
    return recording.list_recordings(ctx, user_id=who.user_id, role=who.role, session_id=session_id)


@router.post(
    "/api/sessions/<session_id>/room/files",
    summary="Share a file in the room's chat: an upload URL (participants; images, PDF, text, ZIP; 10 MB)",
    tags=["rooms"],
    security=SECURED,
)
def share_file(
    session_id: str, body: RoomFileCreate, who: CallerDep, ctx: ContextDep
) -> Response[RoomFileCreated]:
    created = files.share_file(ctx, user_id=who.user_id, role=who.role, session_id=session_id, request=body)
    return Response(201, content_types.APPLICATION_JSON, created)


@router.get(
    "/api/sessions/<session_id>/room/files/<file_id>",
    summary="A file shared in the room: a redirect to a short-lived download URL (participants only)",
    tags=["rooms"],
    security=SECURED,
    responses={302: {"description": "To the file, for a few minutes."}},
)
def get_file(session_id: str, file_id: str, who: CallerDep, ctx: ContextDep) -> Response[str]:
    url = files.download_url(ctx, user_id=who.user_id, role=who.role, session_id=session_id, file_id=file_id)
    return Response(302, content_types.TEXT_PLAIN, "", headers={"Location": url, "Cache-Control": "no-store"})
