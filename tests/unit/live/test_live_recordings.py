"""Recordings: the mentor's multipart upload through the sessions function (moto S3), who may do
what, and uploads a closed tab left open completed with the parts that arrived."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import boto3
import pytest

from peerlearn import events, jobs
from peerlearn.catalog import lifecycle
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.live import recording
from peerlearn.live.media_schemas import CompletedPart, RecordingCreate
from peerlearn.store.keys import SESSION_SK, recording_sk, room_pk, session_pk
from peerlearn.store.models import RecordingItem, SessionItem
from tests.payments_support import stream_record
from tests.support import call
from tests.unit.live.room_media_support import BUCKET, MIB, Room, attend, on, s3_context, sessions_function
from tests.unit.sessions_support import Clock, who

PART_1 = b"a" * (5 * MIB)  # S3's smallest part but the last
PART_2 = b"b" * 1000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def s3ctx(ctx: Context) -> Context:
    return s3_context(ctx)


@pytest.fixture
def sessions(s3ctx: Context, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return sessions_function(monkeypatch)


def s3() -> Any:
    return boto3.client("s3", region_name="ap-south-1")


def upload_part(key: str, upload_id: str, number: int, data: bytes) -> str:
    """What the mentor's browser does with a part URL (moto serves the same S3 API)."""
    return str(
        s3().upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=number, Body=data)["ETag"]
    )


def object_bytes(key: str) -> bytes:
    return bytes(s3().get_object(Bucket=BUCKET, Key=key)["Body"].read())


def key_of(session_id: str, recording_id: str) -> str:
    return RecordingItem.get(room_pk(session_id), recording_sk(recording_id)).object_key


# ---------------------------------------------------------------- who may do what
def test_only_the_mentor_starts_a_recording_and_only_once_the_room_is_live(
    sessions: ModuleType, s3ctx: Context, clock: Clock
) -> None:
    room = Room(s3ctx, clock)
    early = call(sessions, on(room.session_id, "POST", "/recordings", identity=who(room.mentor)))
    room.go_live()
    by_learner = call(sessions, on(room.session_id, "POST", "/recordings", identity=who(room.learner)))
    by_admin = call(sessions, on(room.session_id, "POST", "/recordings", identity=who(room.admin)))
    started = call(sessions, on(room.session_id, "POST", "/recordings", identity=who(room.mentor)))

    assert (early.status, early.body["error"]["code"]) == (409, "room_not_live")
    assert (by_learner.status, by_learner.body["error"]["code"]) == (403, "not_the_mentor")
    assert by_admin.status == 403
    assert started.status == 201
    assert started.body["upload_id"]
    assert started.body["content_type"] == "video/webm"


def test_part_urls_are_the_mentors_and_numbered_1_to_10000(
    sessions: ModuleType, s3ctx: Context, clock: Clock
) -> None:
    room = Room(s3ctx, clock)
    room.go_live()
    rid = call(sessions, on(room.session_id, "POST", "/recordings", identity=who(room.mentor))).body[
        "recording_id"
    ]
    path = f"/recordings/{rid}/parts"

    part = call(sessions, on(room.session_id, "POST", path, {"part_number": 1}, identity=who(room.mentor)))
    last = call(
        sessions, on(room.session_id, "POST", path, {"part_number": 10_000}, identity=who(room.mentor))
    )
    zero = call(sessions, on(room.session_id, "POST", path, {"part_number": 0}, identity=who(room.mentor)))
    over = call(
        sessions, on(room.session_id, "POST", path, {"part_number": 10_001}, identity=who(room.mentor))
    )
    learner = call(
        sessions, on(room.session_id, "POST", path, {"part_number": 1}, identity=who(room.learner))
    )
    unknown = call(
        sessions,
        on(
            room.session_id,
            "POST",
            f"/recordings/{'0' * 26}/parts",
            {"part_number": 1},
            identity=who(room.mentor),
        ),
    )

    assert part.status == 200
    assert "partNumber=1" in part.body["url"]
    assert "uploadId=" in part.body["url"]
    assert last.status == 200
    assert (zero.status, over.status) == (400, 400)
    assert learner.status == 403
    assert unknown.status == 404


def test_participants_and_nobody_else_list_recordings_with_a_download_url(
    sessions: ModuleType, s3ctx: Context, clock: Clock
) -> None:
    # Given a completed recording
    room = Room(s3ctx, clock)
    room.go_live()
    rid = recorded(sessions, room)

    # When each kind of person asks for the list
    def listing(person: Any) -> Any:
        return call(sessions, on(room.session_id, "GET", "/recordings", identity=who(person)))

    answers = {
        name: listing(getattr(room, name)) for name in ("mentor", "learner", "admin", "cancelled", "stranger")
    }

    # Then the mentor, the confirmed learner and an admin get it with a short-lived URL; others 403
    for name in ("mentor", "learner", "admin"):
        [item] = answers[name].body["items"]
        assert item["recording_id"] == rid
        assert item["status"] == "completed"
        assert item["download_url"].startswith("https://")
        assert "X-Amz-Expires=300" in item["download_url"]
        assert "attachment" in item["download_url"]
    for name in ("cancelled", "stranger"):
        assert answers[name].status == 403
        assert answers[name].body["error"]["code"] == "not_a_participant"


# ---------------------------------------------------------------- the upload's lifecycle
def recorded(sessions: ModuleType, room: Any) -> str:
    mentor = who(room.mentor)
    rid = call(sessions, on(room.session_id, "POST", "/recordings", identity=mentor)).body["recording_id"]
    key = key_of(room.session_id, rid)
    upload_id = RecordingItem.get(room_pk(room.session_id), recording_sk(rid)).upload_id
    parts = [
        {"part_number": 1, "etag": upload_part(key, upload_id, 1, PART_1)},
        {"part_number": 2, "etag": upload_part(key, upload_id, 2, PART_2)},
    ]
    done = call(
        sessions,
        on(room.session_id, "POST", f"/recordings/{rid}/complete", {"parts": parts}, identity=mentor),
    )
    assert done.status == 200, done
    return rid


def test_a_completed_upload_is_the_parts_in_order_and_completing_again_changes_nothing(
    sessions: ModuleType, s3ctx: Context, clock: Clock
) -> None:
    room = Room(s3ctx, clock)
    room.go_live()
    rid = recorded(sessions, room)
    item = RecordingItem.get(room_pk(room.session_id), recording_sk(rid))

    again = call(
        sessions,
        on(
            room.session_id,
            "POST",
            f"/recordings/{rid}/complete",
            {"parts": [{"part_number": 1, "etag": '"x"'}]},
            identity=who(room.mentor),
        ),
    )

    assert object_bytes(item.object_key) == PART_1 + PART_2
    assert (item.status, item.part_count, item.size_bytes, item.completed_by) == (
        "completed",
        2,
        len(PART_1) + len(PART_2),
        "mentor",
    )
    assert item.gsi1pk is None  # off the jobs' index of open uploads
    assert again.status == 200
    assert again.body["status"] == "completed"
    parts = call(
        sessions,
        on(
            room.session_id, "POST", f"/recordings/{rid}/parts", {"part_number": 3}, identity=who(room.mentor)
        ),
    )
    assert (parts.status, parts.body["error"]["code"]) == (409, "recording_not_uploading")


def test_a_part_list_that_does_not_match_the_upload_is_refused(
    sessions: ModuleType, s3ctx: Context, clock: Clock
) -> None:
    room = Room(s3ctx, clock)
    room.go_live()
    mentor = who(room.mentor)
    rid = call(sessions, on(room.session_id, "POST", "/recordings", identity=mentor)).body["recording_id"]
    item = RecordingItem.get(room_pk(room.session_id), recording_sk(rid))
    etag = upload_part(item.object_key, item.upload_id, 1, PART_2)

    wrong = call(
        sessions,
        on(
            room.session_id,
            "POST",
            f"/recordings/{rid}/complete",
            {"parts": [{"part_number": 1, "etag": '"not-it"'}]},
            identity=mentor,
        ),
    )
    missing = call(
        sessions,
        on(
            room.session_id,
            "POST",
            f"/recordings/{rid}/complete",
            {"parts": [{"part_number": 1, "etag": etag}, {"part_number": 2, "etag": etag}]},
            identity=mentor,
        ),
    )
    by_learner = call(
        sessions,
        on(
            room.session_id,
            "POST",
            f"/recordings/{rid}/complete",
            {"parts": [{"part_number": 1, "etag": etag}]},
            identity=who(room.learner),
        ),
    )

    assert (wrong.status, wrong.body["error"]["code"]) == (400, "invalid_parts")
    assert (missing.status, missing.body["error"]["code"]) == (400, "invalid_parts")
    assert by_learner.status == 403
    assert RecordingItem.get(room_pk(room.session_id), recording_sk(rid)).status == "uploading"


# ---------------------------------------------------------------- a closed tab
def test_the_end_of_the_session_completes_an_upload_with_the_parts_that_arrived(
    s3ctx: Context, clock: Clock
) -> None:
    # Given a recording whose tab closed after two parts (never completed) and one with no part
    room = Room(s3ctx, clock)
    room.go_live()
    started = recording.start_recording(
        s3ctx, mentor_id=room.mentor.user_id, session_id=room.session_id, request=RecordingCreate()
    )
    key = key_of(room.session_id, started.recording_id)
    upload_part(key, started.upload_id, 1, PART_1)
    upload_part(key, started.upload_id, 2, PART_2)
    empty = recording.start_recording(
        s3ctx, mentor_id=room.mentor.user_id, session_id=room.session_id, request=RecordingCreate()
    )

    # When the mentor ends the session and the stream delivers the change (twice)
    before = SessionItem.get(session_pk(room.session_id), SESSION_SK)
    lifecycle.complete(get_session_item(room.session_id, consistent=True))
    after = SessionItem.get(session_pk(room.session_id), SESSION_SK, consistent_read=True)
    record = stream_record(new=after, old=before)
    events.handle_record(s3ctx, record)
    events.handle_record(s3ctx, record)

    # Then the first holds both parts, the empty one is discarded, and nothing is left open
    item = RecordingItem.get(room_pk(room.session_id), recording_sk(started.recording_id))
    assert (item.status, item.completed_by, item.part_count) == ("completed", "abandoned", 2)
    assert object_bytes(key) == PART_1 + PART_2
    assert RecordingItem.get(room_pk(room.session_id), recording_sk(empty.recording_id)).status == "aborted"
    assert s3().list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert list(RecordingItem.uploading.query("RECORDINGS_UPLOADING")) == []


def test_the_jobs_complete_an_upload_left_open_once_its_session_is_over(s3ctx: Context, clock: Clock) -> None:
    room = Room(s3ctx, clock)
    room.go_live()
    started = recording.start_recording(
        s3ctx, mentor_id=room.mentor.user_id, session_id=room.session_id, request=RecordingCreate()
    )
    key = key_of(room.session_id, started.recording_id)
    upload_part(key, started.upload_id, 1, PART_2)
    attend(room.session_id, room.mentor.user_id)

    # While the session is live the job leaves it alone; after (stream record lost) it completes it
    assert jobs.rooms(s3ctx)["recordings_finished"] == 0
    lifecycle.complete(get_session_item(room.session_id, consistent=True))
    assert jobs.rooms(s3ctx)["recordings_finished"] == 1
    assert jobs.rooms(s3ctx)["recordings_finished"] == 0

    assert object_bytes(key) == PART_2
    listed = recording.list_recordings(
        s3ctx, user_id=room.learner.user_id, role="learner", session_id=room.session_id
    )
    assert [i.status for i in listed.items] == ["completed"]


def test_finishing_an_upload_the_mentor_completed_meanwhile_changes_nothing(
    s3ctx: Context, clock: Clock
) -> None:
    # Given the job's (stale) copy of a recording the mentor then completed with one part of two
    room = Room(s3ctx, clock)
    room.go_live()
    started = recording.start_recording(
        s3ctx, mentor_id=room.mentor.user_id, session_id=room.session_id, request=RecordingCreate()
    )
    key = key_of(room.session_id, started.recording_id)
    first = upload_part(key, started.upload_id, 1, PART_2)
    stale = RecordingItem.get(room_pk(room.session_id), recording_sk(started.recording_id))
    recording.complete_recording(
        s3ctx,
        mentor_id=room.mentor.user_id,
        session_id=room.session_id,
        recording_id=started.recording_id,
        parts=[CompletedPart(part_number=1, etag=first)],
    )

    # When the job finishes its copy
    status = recording.finish_abandoned(s3ctx, stale)

    # Then the mentor's recording stands
    item = RecordingItem.get(room_pk(room.session_id), recording_sk(started.recording_id))
    assert status == "completed"
    assert (item.completed_by, item.part_count) == ("mentor", 1)
    assert object_bytes(key) == PART_2


def test_the_mentors_late_complete_after_the_session_end_finished_the_upload_answers_the_recording(
    s3ctx: Context, clock: Clock
) -> None:
    room = Room(s3ctx, clock)
    room.go_live()
    started = recording.start_recording(
        s3ctx, mentor_id=room.mentor.user_id, session_id=room.session_id, request=RecordingCreate()
    )
    key = key_of(room.session_id, started.recording_id)
    first = upload_part(key, started.upload_id, 1, PART_2)
    recording.finish_session_recordings(s3ctx, room.session_id)

    late = recording.complete_recording(
        s3ctx,
        mentor_id=room.mentor.user_id,
        session_id=room.session_id,
        recording_id=started.recording_id,
        parts=[CompletedPart(part_number=1, etag=first)],
    )

    assert (late.status, late.part_count) == ("completed", 1)
    assert late.download_url is not None
