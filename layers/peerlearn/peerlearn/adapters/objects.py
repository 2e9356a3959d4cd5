"""Object storage for uploads: presigned S3 URLs in the cloud, HMAC-signed URLs to the gateway locally.

Single PUTs (avatars, chat files), multipart uploads (recordings: the browser PUTs each part to a
presigned URL and reads its ETag) and short-lived GETs of private objects (recordings, chat files).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlencode

UPLOAD_URL_TTL_SECONDS = 600
DOWNLOAD_URL_TTL_SECONDS = 300
Disposition = Literal["inline", "attachment"]


class ObjectStoreError(RuntimeError):
    """The object store refused or could not be reached (a missing upload, a bad part list)."""


@dataclass(frozen=True)
class UploadedPart:
    part_number: int
    etag: str
    size_bytes: int


class ObjectStore(Protocol):
    def presign_put(self, key: str, content_type: str, size_bytes: int) -> str: ...

    def create_multipart(self, key: str, content_type: str) -> str:
        """Starts a multipart upload; returns its upload id."""
        ...

    def presign_part(self, key: str, upload_id: str, part_number: int) -> str: ...

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]: ...

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Joins the parts (part number, ETag), in part-number order, into the object."""
        ...

    def abort_multipart(self, key: str, upload_id: str) -> None: ...

    def presign_get(self, key: str, *, filename: str, content_type: str, disposition: Disposition) -> str: ...


def content_disposition(disposition: Disposition, filename: str) -> str:
    """RFC 6266 with an ASCII fallback and the UTF-8 name (RFC 5987), quotes and controls removed."""
    safe = "".join(c for c in filename if c.isprintable() and c not in '"\\/') or "download"
    ascii_name = safe.encode("ascii", "replace").decode().replace("?", "_")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"


class S3ObjectStore:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def presign_put(self, key: str, content_type: str, size_bytes: int) -> str:
        # Content type and length are signed: S3 refuses a PUT that differs from what was declared.
        url: str = self.client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ContentType": content_type,
                "ContentLength": size_bytes,
            },
            ExpiresIn=UPLOAD_URL_TTL_SECONDS,
        )
        return url

    def create_multipart(self, key: str, content_type: str) -> str:
        answer = self.client.create_multipart_upload(Bucket=self._bucket, Key=key, ContentType=content_type)
        return str(answer["UploadId"])

    def presign_part(self, key: str, upload_id: str, part_number: int) -> str:
        url: str = self.client.generate_presigned_url(
            "upload_part",
            Params={"Bucket": self._bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number},
            ExpiresIn=UPLOAD_URL_TTL_SECONDS,
        )
        return url

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        from botocore.exceptions import ClientError

        parts: list[UploadedPart] = []
        marker = 0
        try:
            while True:
                page = self.client.list_parts(
                    Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker
                )
                parts += [
                    UploadedPart(int(p["PartNumber"]), str(p["ETag"]), int(p["Size"]))
                    for p in page.get("Parts", [])
                ]
                if not page.get("IsTruncated"):
                    return parts
                marker = int(page["NextPartNumberMarker"])
        except ClientError as exc:
            raise ObjectStoreError(str(exc)) from exc

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in sorted(parts)]},
            )
        except ClientError as exc:
            raise ObjectStoreError(str(exc)) from exc

    def abort_multipart(self, key: str, upload_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":  # aborted already: fine
                raise ObjectStoreError(str(exc)) from exc

    def presign_get(self, key: str, *, filename: str, content_type: str, disposition: Disposition) -> str:
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(disposition, filename),
            },
            ExpiresIn=DOWNLOAD_URL_TTL_SECONDS,
        )
        return url


# ---------------------------------------------------------------- the local stand-in's signatures
def _local_signature(secret: str, key: str, content_type: str, expires: int) -> str:
    message = f"PUT\n{key}\n{content_type}\n{expires}".encode()
    derived = hashlib.sha256(b"local-uploads:" + secret.encode()).digest()
    return hmac.new(derived, message, hashlib.sha256).hexdigest()


def sign_local_upload(secret: str, key: str, content_type: str, expires: int) -> str:
    return _local_signature(secret, key, content_type, expires)


def verify_local_upload(secret: str, key: str, content_type: str, expires: int, signature: str) -> bool:
    if expires < time.time():
        return False
    return hmac.compare_digest(_local_signature(secret, key, content_type, expires), signature)


def sign_local_request(secret: str, operation: str, key: str, detail: str, expires: int) -> str:
    """Multipart operations and downloads: the operation comes first, so a URL signed for one
    operation (a part PUT) can't be used for another (completing, downloading)."""
    message = f"{operation}\n{key}\n{detail}\n{expires}".encode()
    derived = hashlib.sha256(b"local-objects:" + secret.encode()).digest()
    return hmac.new(derived, message, hashlib.sha256).hexdigest()


def verify_local_request(
    secret: str, operation: str, key: str, detail: str, expires: int, signature: str
) -> bool:
    if expires < time.time():
        return False
    return hmac.compare_digest(sign_local_request(secret, operation, key, detail, expires), signature)


class LocalObjectStore:
    """URLs the local gateway accepts (it checks the signature with the same secret). Multipart
    uploads live under `<endpoint>/.multipart/<key>`; the server-side steps (create, list, complete,
    abort) are signed HTTP calls to the gateway, as boto3's are to S3."""

    def __init__(self, endpoint: str, secret: str) -> None:
        self._endpoint = endpoint.removesuffix("/")
        self._secret = secret

    def presign_put(self, key: str, content_type: str, size_bytes: int) -> str:
        expires = int(time.time()) + UPLOAD_URL_TTL_SECONDS
        signature = sign_local_upload(self._secret, key, content_type, expires)
        return f"{self._endpoint}/{quote(key)}?{urlencode({'expires': expires, 'signature': signature})}"

    def _signed(self, operation: str, key: str, detail: str, ttl: int, **params: Any) -> str:
        expires = int(time.time()) + ttl
        signature = sign_local_request(self._secret, operation, key, detail, expires)
        query = urlencode({**params, "expires": expires, "signature": signature})
        base = f"{self._endpoint}/.multipart" if operation != "GET" else self._endpoint
        return f"{base}/{quote(key)}?{query}"

    def _call(self, method: str, url: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - our gateway
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                text = response.read().decode() or "null"
        except urllib.error.HTTPError as exc:
            raise ObjectStoreError(f"local uploads answered {exc.code}: {exc.read().decode()[:200]}") from exc
        except OSError as exc:
            raise ObjectStoreError(f"local uploads unreachable: {exc}") from exc
        return json.loads(text)

    def create_multipart(self, key: str, content_type: str) -> str:
        url = self._signed("MPU-CREATE", key, content_type, 60, content_type=content_type)
        return str(self._call("POST", url)["upload_id"])

    def presign_part(self, key: str, upload_id: str, part_number: int) -> str:
        detail = f"{upload_id}\n{part_number}"
        return self._signed(
            "MPU-PART", key, detail, UPLOAD_URL_TTL_SECONDS, uploadId=upload_id, partNumber=part_number
        )

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        answer = self._call("GET", self._signed("MPU-LIST", key, upload_id, 60, uploadId=upload_id))
        return [
            UploadedPart(int(p["part_number"]), str(p["etag"]), int(p["size_bytes"])) for p in answer["parts"]
        ]

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        body = {"parts": [{"part_number": n, "etag": etag} for n, etag in sorted(parts)]}
        self._call("POST", self._signed("MPU-COMPLETE", key, upload_id, 60, uploadId=upload_id), body)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        self._call("DELETE", self._signed("MPU-ABORT", key, upload_id, 60, uploadId=upload_id))

    def presign_get(self, key: str, *, filename: str, content_type: str, disposition: Disposition) -> str:
        header = content_disposition(disposition, filename)
        return self._signed(
            "GET",
            key,
            f"{content_type}\n{header}",
            DOWNLOAD_URL_TTL_SECONDS,
            type=content_type,
            disposition=header,
        )


def avatar_url(key: str | None, media_base_url: str) -> str | None:
    """The public URL of an uploaded avatar (served under the site's /media/ path)."""
    return None if key is None else f"{media_base_url}/{key.removeprefix('media/')}"
