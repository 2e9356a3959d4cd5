"""Request and response shapes of the recordings and chat-files routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from peerlearn.shapes import Shape

MAX_PART_NUMBER = 10_000  # S3's limit on a multipart upload


class _Strict(Shape):
    model_config = ConfigDict(extra="forbid")


class RecordingCreated(Shape):
    recording_id: str
    upload_id: str
    content_type: str


class RecordingCreate(_Strict):
    content_type: Literal["video/webm", "video/mp4", "audio/webm"] = "video/webm"


class PartRequest(_Strict):
    part_number: Annotated[int, Field(ge=1, le=MAX_PART_NUMBER)]


class PartUrl(Shape):
    part_number: int
    url: str
    expires_in_seconds: int


class CompletedPart(_Strict):
    part_number: Annotated[int, Field(ge=1, le=MAX_PART_NUMBER)]
    etag: Annotated[str, Field(min_length=1, max_length=200)]


class RecordingComplete(_Strict):
    parts: Annotated[list[CompletedPart], Field(min_length=1, max_length=MAX_PART_NUMBER)]


class RecordingOut(Shape):
    recording_id: str
    session_id: str
    status: Literal["uploading", "completed", "aborted"]
    content_type: str
    created_at: str
    completed_at: str | None
    size_bytes: int | None
    part_count: int | None
    # Only for completed recordings, and only for a few minutes: ask the list again for a new one.
    download_url: str | None
    download_expires_in_seconds: int | None


class RecordingList(Shape):
    items: list[RecordingOut]


class RoomFileCreate(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    content_type: Annotated[str, Field(min_length=1, max_length=100)]
    size_bytes: Annotated[int, Field(ge=1)]


class RoomFileCreated(Shape):
    file_id: str
    upload_url: str
    kind: Literal["image", "file"]
    expires_in_seconds: int
