"""A recording through the local stack: the mentor's browser PUTs two parts to the presigned URLs and
completes the upload with their ETags; a learner of the session downloads it, a stranger can't; a
chat file goes up and comes back to participants only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from peerlearn.context import Context
from tests.integration.rooms.conftest import Person
from tests.support import local_in, wait_until

pytestmark = pytest.mark.integration
PART_1 = b"\x1a\x45\xdf\xa3" + b"r" * (5 * 1024 * 1024)  # a WebM header, then S3's smallest non-last part
PART_2 = b"the last chunk"


def live_session(api: httpx.Client, mentor: Person, learner: Person) -> str:
    """A free session starting in a quarter of an hour, booked by `learner`, started by its mentor."""
    body = {
        "title": "Recorded review",
        "tags": ["Python"],
        "level": "intermediate",
        "language": "English",
        "starts_at_local": local_in(15),
        "early_join_minutes": 30,  # so the mentor can start it now
        "timezone": "Asia/Kolkata",
        "duration_minutes": 30,
        "capacity": 2,
        "price_paise": 0,
    }
    created = api.post("/api/sessions/", json=body, headers=mentor.headers)
    assert created.status_code == 201, created.text
    session_id = str(created.json()["id"])
    assert api.post(f"/api/sessions/{session_id}/book/", headers=learner.headers).status_code == 201
    started = api.post(f"/api/sessions/{session_id}/start/", headers=mentor.headers)
    assert started.status_code == 200, started.text
    return session_id


def test_two_parts_uploaded_to_presigned_urls_make_a_recording_only_participants_download(
    ctx: Context, api: httpx.Client
) -> None:
    mentor, learner, stranger = Person(ctx, "mentor"), Person(ctx, "learner"), Person(ctx, "learner")
    session_id = live_session(api, mentor, learner)
    base = f"/api/sessions/{session_id}/recordings"

    # Given a recording the mentor started
    started = api.post(base, json={}, headers=mentor.headers)
    assert started.status_code == 201, started.text
    recording_id = started.json()["recording_id"]
    assert api.post(base, json={}, headers=learner.headers).status_code == 403

    # When the browser PUTs two parts to their presigned URLs and completes with the ETags it read
    parts = []
    for number, data in ((1, PART_1), (2, PART_2)):
        presigned = api.post(
            f"{base}/{recording_id}/parts", json={"part_number": number}, headers=mentor.headers
        )
        assert presigned.status_code == 200, presigned.text
        put = httpx.put(presigned.json()["url"], content=data, headers={"Content-Type": "video/webm"})
        assert put.status_code == 200, put.text
        assert "etag" in put.headers.get("access-control-expose-headers", "").lower()
        parts.append({"part_number": number, "etag": put.headers["ETag"]})
    completed = api.post(f"{base}/{recording_id}/complete", json={"parts": parts}, headers=mentor.headers)

    # Then the learner downloads exactly what was recorded; a stranger is refused the list
    assert completed.status_code == 200, completed.text
    assert completed.json()["size_bytes"] == len(PART_1) + len(PART_2)
    listed = api.get(base, headers=learner.headers)
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    download = httpx.get(item["download_url"])
    assert download.status_code == 200
    assert download.content == PART_1 + PART_2
    assert download.headers["content-type"].startswith("video/webm")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert api.get(base, headers=stranger.headers).status_code == 403
    tampered = item["download_url"].replace(f"{recording_id}.webm", "other.webm")
    assert httpx.get(tampered).status_code == 403


def test_a_chat_file_goes_up_and_comes_back_to_participants_only(ctx: Context, api: httpx.Client) -> None:
    mentor, learner, stranger = Person(ctx, "mentor"), Person(ctx, "learner"), Person(ctx, "learner")
    session_id = live_session(api, mentor, learner)
    text = b"print('hello, room')\n"

    declared = api.post(
        f"/api/sessions/{session_id}/room/files",
        json={"name": "hello.txt", "content_type": "text/plain", "size_bytes": len(text)},
        headers=learner.headers,
    )
    assert declared.status_code == 201, declared.text
    put = httpx.put(declared.json()["upload_url"], content=text, headers={"Content-Type": "text/plain"})
    assert put.status_code == 200, put.text
    path = f"/api/sessions/{session_id}/room/files/{declared.json()['file_id']}"

    redirect = api.get(path, headers=mentor.headers, follow_redirects=False)
    assert redirect.status_code == 302, redirect.text
    fetched = httpx.get(redirect.headers["location"])
    assert fetched.content == text
    assert fetched.headers["content-disposition"].startswith('attachment; filename="hello.txt"')
    assert api.get(path, headers=stranger.headers, follow_redirects=False).status_code == 403


def test_a_tab_closed_mid_recording_keeps_the_parts_that_arrived_once_the_mentor_ends_the_session(
    ctx: Context, api: httpx.Client
) -> None:
    mentor, learner = Person(ctx, "mentor"), Person(ctx, "learner")
    session_id = live_session(api, mentor, learner)
    base = f"/api/sessions/{session_id}/recordings"
    recording_id = api.post(base, json={}, headers=mentor.headers).json()["recording_id"]
    for number, data in ((1, PART_1), (2, PART_2)):
        url = api.post(f"{base}/{recording_id}/parts", json={"part_number": number}, headers=mentor.headers)
        assert httpx.put(url.json()["url"], content=data).status_code == 200

    # The tab closed before `complete`; later the mentor ends the session (from another tab)
    assert api.post(f"/api/sessions/{session_id}/end/", headers=mentor.headers).status_code == 200

    def completed() -> dict[str, Any] | None:
        items = api.get(base, headers=learner.headers).json()["items"]
        return next((i for i in items if i["status"] == "completed"), None)

    item = wait_until(completed, timeout=30, what="the stream to finish the abandoned recording")
    assert item["part_count"] == 2
    assert httpx.get(item["download_url"]).content == PART_1 + PART_2
