"""The local stand-in for S3 multipart uploads and presigned downloads, under `/_dev/uploads`.

What the layer's `LocalObjectStore` signs: `POST .multipart/<key>` starts an upload, `PUT
.multipart/<key>?uploadId&partNumber` stores a part and answers its ETag (the browser reads it, as
it reads S3's), `GET` lists the parts, `POST ?uploadId` joins them into the object and `DELETE`
aborts; `GET /_dev/uploads/<key>` serves a private object to a signed, short-lived URL with the
signed Content-Type and Content-Disposition. Parts wait in `<uploads>/.multipart/<upload id>/`.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

MAX_PART_BYTES = 64 * 1024 * 1024  # S3 allows 5 GB; recordings send ~5-10 MB parts
MAX_PART_NUMBER = 10_000
_HIDDEN = (".meta", ".multipart")


def routes(uploads_dir: Path, secret: str) -> list[BaseRoute]:
    """Mounted ahead of the gateway's own `PUT /_dev/uploads/{key}` (single uploads stay there)."""
    handler = _Uploads(uploads_dir, secret)
    return [
        Route(
            "/_dev/uploads/.multipart/{key:anypath}",
            handler.multipart,
            methods=["POST", "PUT", "GET", "DELETE"],
        ),
        Route("/_dev/uploads/{key:anypath}", handler.download, methods=["GET", "HEAD"]),
    ]


def _error(status: int, message: str) -> Response:
    return JSONResponse({"message": message}, status_code=status)


def _object_path(root: Path, key: str) -> Path | None:
    """root/key when it stays inside root and out of the stand-in's own folders, else None."""
    if not key or "\\" in key or key.startswith("/"):
        return None
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts) or parts[0] in _HIDDEN:
        return None
    return root.joinpath(*parts)


class _Uploads:
    def __init__(self, uploads_dir: Path, secret: str) -> None:
        self.root = uploads_dir
        self.secret = secret

    def _verify(self, request: Request, operation: str, key: str, detail: str) -> bool:
        try:
            expires = int(request.query_params.get("expires", ""))
        except ValueError:
            return False
        module = importlib.import_module("peerlearn.adapters.objects")
        verify = cast(Callable[..., bool], module.verify_local_request)
        return verify(self.secret, operation, key, detail, expires, request.query_params.get("signature", ""))

    def _upload_dir(self, upload_id: str) -> Path | None:
        if not upload_id.isalnum():
            return None
        return self.root / ".multipart" / upload_id

    async def multipart(self, request: Request) -> Response:
        key = request.path_params["key"]
        target = _object_path(self.root, key)
        if target is None:
            return _error(400, "invalid key")
        upload_id = request.query_params.get("uploadId", "")
        if request.method == "POST" and not upload_id:
            return self._create(request, key)
        folder = self._upload_dir(upload_id)
        if folder is None or not (folder / "upload.json").is_file():
            return _error(404, "NoSuchUpload")
        upload = json.loads((folder / "upload.json").read_text())
        if upload["key"] != key:
            return _error(404, "NoSuchUpload")
        if request.method == "PUT":
            return await self._part(request, key, upload_id, folder)
        if request.method == "GET":
            if not self._verify(request, "MPU-LIST", key, upload_id):
                return _error(403, "the URL is invalid or expired")
            return JSONResponse({"parts": _parts(folder)})
        if request.method == "DELETE":
            if not self._verify(request, "MPU-ABORT", key, upload_id):
                return _error(403, "the URL is invalid or expired")
            shutil.rmtree(folder, ignore_errors=True)
            return JSONResponse({})
        if not self._verify(request, "MPU-COMPLETE", key, upload_id):
            return _error(403, "the URL is invalid or expired")
        return self._complete(await request.json(), key, folder, target, upload["content_type"])

    def _create(self, request: Request, key: str) -> Response:
        content_type = request.query_params.get("content_type", "")
        if not self._verify(request, "MPU-CREATE", key, content_type):
            return _error(403, "the URL is invalid or expired")
        upload_id = secrets.token_hex(16)
        folder = self.root / ".multipart" / upload_id
        folder.mkdir(parents=True)
        (folder / "upload.json").write_text(json.dumps({"key": key, "content_type": content_type}))
        return JSONResponse({"upload_id": upload_id})

    async def _part(self, request: Request, key: str, upload_id: str, folder: Path) -> Response:
        try:
            number = int(request.query_params.get("partNumber", ""))
        except ValueError:
            return _error(400, "partNumber must be a whole number")
        if not 1 <= number <= MAX_PART_NUMBER:
            return _error(400, f"partNumber must be 1..{MAX_PART_NUMBER}")
        if not self._verify(request, "MPU-PART", key, f"{upload_id}\n{number}"):
            return _error(403, "the upload URL is invalid or expired")
        content = bytearray()
        async for chunk in request.stream():
            content += chunk
            if len(content) > MAX_PART_BYTES:
                return _error(413, "EntityTooLarge")
        etag = f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
        (folder / f"{number:05d}.part").write_bytes(bytes(content))
        (folder / f"{number:05d}.etag").write_text(etag)
        # Like S3 with a CORS rule exposing it: the browser's script must read the ETag.
        return Response(status_code=200, headers={"ETag": etag, "Access-Control-Expose-Headers": "ETag"})

    def _complete(self, body: Any, key: str, folder: Path, target: Path, content_type: str) -> Response:
        wanted = body.get("parts") if isinstance(body, dict) else None
        if not isinstance(wanted, list) or not wanted:
            return _error(400, "MalformedXML: no parts")
        stored = {p["part_number"]: p["etag"] for p in _parts(folder)}
        numbers = [int(p.get("part_number", 0)) for p in wanted]
        if numbers != sorted(set(numbers)):
            return _error(400, "InvalidPartOrder")
        if any(stored.get(int(p["part_number"])) != str(p.get("etag")) for p in wanted):
            return _error(400, "InvalidPart")
        target.parent.mkdir(parents=True, exist_ok=True)
        digests = b""
        with target.open("wb") as out:
            for number in numbers:
                data = (folder / f"{number:05d}.part").read_bytes()
                digests += hashlib.md5(data, usedforsecurity=False).digest()
                out.write(data)
        meta = self.root / ".meta" / f"{key}.json"
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"content_type": content_type}))
        shutil.rmtree(folder, ignore_errors=True)
        etag = f'"{hashlib.md5(digests, usedforsecurity=False).hexdigest()}-{len(numbers)}"'
        return JSONResponse({"etag": etag})

    async def download(self, request: Request) -> Response:
        key = request.path_params["key"]
        target = _object_path(self.root, key)
        if target is None:
            return _error(400, "invalid key")
        content_type = request.query_params.get("type", "")
        disposition = request.query_params.get("disposition", "")
        if not self._verify(request, "GET", key, f"{content_type}\n{disposition}"):
            return _error(403, "the download URL is invalid or expired")
        if not target.is_file():
            return _error(404, "NoSuchKey")
        return FileResponse(target, media_type=content_type, headers={"Content-Disposition": disposition})


def _parts(folder: Path) -> list[dict[str, Any]]:
    return [
        {
            "part_number": int(etag.stem),
            "etag": etag.read_text(),
            "size_bytes": (folder / f"{etag.stem}.part").stat().st_size,
        }
        for etag in sorted(folder.glob("*.etag"))
    ]
