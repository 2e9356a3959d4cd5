"""Chat files: participants share images, PDFs, text and ZIPs up to 10 MB; participants (only) fetch
them through a redirect to a short-lived presigned GET."""

from __future__ import annotations

from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import pytest

from peerlearn.bookings.seats import Booker
from peerlearn.context import Context
from peerlearn.live import files
from tests.support import Reply, call, load_function, rest_event
from tests.unit.live.room_media_support import MIB, Room, on, s3_context, sessions_function
from tests.unit.sessions_support import Clock, who

PDF = {"name": "notes.pdf", "content_type": "application/pdf", "size_bytes": 1234}
PNG = {"name": "diagram.png", "content_type": "image/png", "size_bytes": 2048}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def s3ctx(ctx: Context) -> Context:
    return s3_context(ctx)


@pytest.fixture
def sessions(s3ctx: Context, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return sessions_function(monkeypatch)


def test_participants_share_files_and_nobody_else_does(
    sessions: ModuleType, s3ctx: Context, clock: Clock
) -> None:
    room = Room(s3ctx, clock)
    room.go_live()

    shared = {
        name: call(
            sessions, on(room.session_id, "POST", "/room/files", PDF, identity=who(getattr(room, name)))
        )
        for name in ("mentor", "learner", "admin", "cancelled", "stranger")
    }

    for name in ("mentor", "learner", "admin"):
        assert shared[name].status == 201, shared[name]
        assert shared[name].body["kind"] == "file"
        query = parse_qs(urlsplit(shared[name].body["upload_url"]).query)
        assert query["X-Amz-Expires"] == ["600"]
    for name in ("cancelled", "stranger"):
        assert (shared[name].status, shared[name].body["error"]["code"]) == (403, "not_a_participant")
    item = files.get_file(room.session_id, shared["learner"].body["file_id"])
    assert item is not None
    assert (item.uploader_id, item.name, item.content_type, item.size_bytes) == (
        room.learner.user_id,
        "notes.pdf",
        "application/pdf",
        1234,
    )
    assert item.object_key.startswith(f"room-files/{room.session_id}/")
    assert files.get_file(room.session_id, "0" * 26) is None
    assert files.get_file("01ARZ3NDEKTSV4RRFFQ69G5FAV", item.file_id) is None  # another room's id


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**PDF, "content_type": "text/html"}, "unsupported_type"),
        ({**PDF, "content_type": "image/svg+xml"}, "unsupported_type"),
        ({**PDF, "size_bytes": 10 * MIB + 1}, "too_large"),
        ({**PDF, "size_bytes": 0}, "invalid_request"),
    ],
)
def test_only_the_allowed_types_up_to_10_mb(
    sessions: ModuleType, s3ctx: Context, clock: Clock, body: dict[str, object], code: str
) -> None:
    room = Room(s3ctx, clock)
    refused = call(sessions, on(room.session_id, "POST", "/room/files", body, identity=who(room.learner)))
    assert (refused.status, refused.body["error"]["code"]) == (400, code)


def test_a_file_is_a_redirect_for_participants_inline_for_images_attachment_otherwise(
    sessions: ModuleType, s3ctx: Context, clock: Clock
) -> None:
    room = Room(s3ctx, clock)
    room.go_live()
    pdf = call(sessions, on(room.session_id, "POST", "/room/files", PDF, identity=who(room.learner))).body[
        "file_id"
    ]
    png = call(sessions, on(room.session_id, "POST", "/room/files", PNG, identity=who(room.mentor))).body[
        "file_id"
    ]

    def fetch(file_id: str, person: Booker) -> Reply:
        return call(sessions, on(room.session_id, "GET", f"/room/files/{file_id}", identity=who(person)))

    pdf_for_mentor = fetch(pdf, room.mentor)
    png_for_learner = fetch(png, room.learner)
    for_stranger = fetch(pdf, room.stranger)
    for_cancelled = fetch(png, room.cancelled)
    unknown = fetch("0" * 26, room.learner)

    assert pdf_for_mentor.status == 302
    pdf_query = parse_qs(urlsplit(pdf_for_mentor.headers["Location"]).query)
    assert pdf_query["response-content-disposition"][0].startswith("attachment;")
    assert pdf_query["response-content-type"] == ["application/pdf"]
    assert pdf_query["X-Amz-Expires"] == ["300"]
    png_query = parse_qs(urlsplit(png_for_learner.headers["Location"]).query)
    assert png_query["response-content-disposition"][0].startswith("inline;")
    assert 'filename="diagram.png"' in png_query["response-content-disposition"][0]
    assert for_stranger.status == 403
    assert for_cancelled.status == 403
    assert unknown.status == 404


def test_the_api_document_has_the_recording_and_file_routes(ctx: Context) -> None:
    docs = load_function("docs")
    paths = call(docs, rest_event("GET", "/api/openapi.json")).body["paths"]

    assert set(paths["/api/sessions/{session_id}/recordings"]) == {"get", "post"}
    assert "post" in paths["/api/sessions/{session_id}/recordings/{recording_id}/parts"]
    assert "post" in paths["/api/sessions/{session_id}/recordings/{recording_id}/complete"]
    assert "post" in paths["/api/sessions/{session_id}/room/files"]
    assert "302" in paths["/api/sessions/{session_id}/room/files/{file_id}"]["get"]["responses"]
