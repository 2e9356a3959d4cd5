"""Object storage for uploads: presigned S3 PUTs in the cloud, HMAC-signed PUTs to the gateway locally."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Protocol
from urllib.parse import quote, urlencode

UPLOAD_URL_TTL_SECONDS = 600


class ObjectStore(Protocol):
    def presign_put(self, key: str, content_type: str, size_bytes: int) -> str: ...


class S3ObjectStore:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = client

    def presign_put(self, key: str, content_type: str, size_bytes: int) -> str:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        # Content type and length are signed: S3 refuses a PUT that differs from what was declared.
        url: str = self._client.generate_presigned_url(
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


class LocalObjectStore:
    """Upload URLs the local gateway accepts (it checks the signature with the same secret)."""

    def __init__(self, endpoint: str, secret: str) -> None:
        self._endpoint = endpoint.removesuffix("/")
        self._secret = secret

    def presign_put(self, key: str, content_type: str, size_bytes: int) -> str:
        expires = int(time.time()) + UPLOAD_URL_TTL_SECONDS
        signature = sign_local_upload(self._secret, key, content_type, expires)
        return f"{self._endpoint}/{quote(key)}?{urlencode({'expires': expires, 'signature': signature})}"


def avatar_url(key: str | None, media_base_url: str) -> str | None:
    """The public URL of an uploaded avatar (served under the site's /media/ path)."""
    return None if key is None else f"{media_base_url}/{key.removeprefix('media/')}"
