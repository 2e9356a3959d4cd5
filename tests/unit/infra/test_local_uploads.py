"""The gateway's stand-in for S3 multipart uploads and presigned GETs, driven by the layer's
LocalObjectStore (its server-side calls go to the ASGI app in-process: no server, no network)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import pytest

from infra.local.gateway import DevResources, create_app
from peerlearn.adapters.objects import LocalObjectStore, ObjectStoreError

SECRET = "gateway-test-secret-that-is-long-enough-0123456789"
ENDPOINT = "http://127.0.0.1:3000/_dev/uploads"


class InProcessStore(LocalObjectStore):
    """LocalObjectStore whose HTTP calls reach the app directly."""

    def __init__(self, app: Any) -> None:
        super().__init__(ENDPOINT, SECRET)
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000") as client:
                return await client.request(method, url, **kwargs)

        return anyio.run(send)

    def _call(self, method: str, url: str, body: Any = None) -> Any:
        reply = self.request(method, url, content=None if body is None else json.dumps(body))
        if reply.status_code >= 400:
            raise ObjectStoreError(f"local uploads answered {reply.status_code}: {reply.text}")
        return reply.json()


@pytest.fixture
def store(tmp_path: Path) -> InProcessStore:
    resources = DevResources(
        web_dist=tmp_path / "dist",
        outbox_dir=tmp_path / "outbox",
        uploads_dir=tmp_path / "uploads",
        upload_secret=SECRET,
    )
    return InProcessStore(create_app([], resources))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_parts_answer_an_etag_the_browser_can_read_and_complete_into_the_object(
    store: InProcessStore,
) -> None:
    key = "recordings/S1/R1.webm"
    upload_id = store.create_multipart(key, "video/webm")
    etags = []
    for number, data in ((2, b"world"), (1, b"hello ")):
        reply = store.request("PUT", path_of(store.presign_part(key, upload_id, number)), content=data)
        assert reply.status_code == 200
        assert reply.headers["access-control-expose-headers"] == "ETag"
        etags.append((number, reply.headers["etag"]))

    listed = store.list_parts(key, upload_id)
    store.complete_multipart(key, upload_id, etags)
    url = store.presign_get(
        key, filename="Talk \u2013 recording 1.webm", content_type="video/webm", disposition="attachment"
    )
    download = store.request("GET", path_of(url))

    assert [(p.part_number, p.size_bytes) for p in listed] == [(1, 6), (2, 5)]
    assert download.status_code == 200
    assert download.content == b"hello world"
    assert download.headers["content-type"].startswith("video/webm")
    assert download.headers["content-disposition"] == (
        'attachment; filename="Talk _ recording 1.webm"; '
        "filename*=UTF-8''Talk%20%E2%80%93%20recording%201.webm"
    )
    with pytest.raises(ObjectStoreError):  # the upload is gone once completed
        store.list_parts(key, upload_id)


def test_signatures_bind_the_operation_the_key_and_the_part(store: InProcessStore) -> None:
    key = "recordings/S1/R2.webm"
    upload_id = store.create_multipart(key, "video/webm")
    part_one = path_of(store.presign_part(key, upload_id, 1))

    as_part_two = part_one.replace("partNumber=1", "partNumber=2")
    other_key = part_one.replace("R2.webm", "R3.webm")
    expired = store._signed("MPU-PART", key, f"{upload_id}\n1", -5, uploadId=upload_id, partNumber=1)
    download = store.presign_get(key, filename="x.webm", content_type="video/webm", disposition="attachment")

    assert store.request("PUT", as_part_two, content=b"x").status_code == 403
    assert store.request("PUT", other_key, content=b"x").status_code == 404  # no such upload for that key
    assert store.request("PUT", path_of(expired), content=b"x").status_code == 403
    assert store.request("GET", path_of(download).replace("video%2Fwebm", "text%2Fhtml")).status_code == 403
    assert store.request("GET", path_of(download)).status_code == 404  # signed, but not completed yet


def test_a_wrong_etag_or_order_is_refused_and_abort_discards_the_parts(
    store: InProcessStore, tmp_path: Path
) -> None:
    key = "recordings/S1/R4.webm"
    upload_id = store.create_multipart(key, "video/webm")
    etag = store.request("PUT", path_of(store.presign_part(key, upload_id, 1)), content=b"a").headers["etag"]

    with pytest.raises(ObjectStoreError, match="InvalidPart"):
        store.complete_multipart(key, upload_id, [(1, '"nope"')])
    store.abort_multipart(key, upload_id)

    assert not (tmp_path / "uploads" / ".multipart" / upload_id).exists()
    assert etag.startswith('"')
    assert etag.endswith('"')
    with pytest.raises(ObjectStoreError):
        store.list_parts(key, upload_id)


def test_the_stand_ins_own_folders_are_not_served(store: InProcessStore) -> None:
    key = "recordings/S1/R5.webm"
    upload_id = store.create_multipart(key, "video/webm")
    expires = int(time.time()) + 60

    parts_folder = store.request("GET", f"/_dev/uploads/.multipart/{upload_id}/upload.json?expires={expires}")
    meta = store.request("GET", f"/_dev/uploads/.meta/{key}.json?expires={expires}")

    assert parts_folder.status_code == 404  # read as a key with no upload, never as a file
    assert meta.status_code == 400
