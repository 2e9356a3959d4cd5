"""Where built models live and how a function keeps the newest in memory.

A build writes `models/recommend/builds/<build id>.npz`, then the small pointer `models/recommend/LATEST.json`
({build_id, built_at, key, bytes, sha256}): readers never see a half-written model, since the pointer
names a file only once it is complete. In the cloud they are objects of the uploads bucket under
`models/` (S3Artefacts); locally files under MODELS_DIR (DirectoryArtefacts).
Old builds go: in S3 a lifecycle rule expires `models/recommend/builds/` after 2 days (the pointer sits
outside it, so a stalled job never expires the live one); a directory keeps the newest KEEP_BUILDS.

`ModelCache` loads the pointer's model on first use and looks at the pointer again at most every
`refresh_seconds` (monotonic time); a new build id loads the new file. A file that fails to load
(missing, truncated, the wrong checksum) is logged and the old model keeps answering.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from peerlearn.recommend.model import Model

logger = logging.getLogger(__name__)

PREFIX = "recommend/"  # under the store's models/ root
POINTER_KEY = f"{PREFIX}LATEST.json"
BUILDS = f"{PREFIX}builds/"  # the template's lifecycle rule expires models/recommend/builds/
KEEP_BUILDS = 3  # a function still loading the previous build finds it
S3_ROOT = "models/"


class ArtefactStore(Protocol):
    def read(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none."""
        ...

    def write(self, key: str, data: bytes) -> None: ...

    def prune_builds(self, keep: str) -> None:
        """Drops old builds beyond the store's allowance (never `keep`, the one just published)."""
        ...


class S3Artefacts:
    """Objects under `models/` of a bucket (the functions may Get and Put only there)."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def read(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=S3_ROOT + key)
        except self.client.exceptions.NoSuchKey:
            return None
        data: bytes = answer["Body"].read()
        return data

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=S3_ROOT + key, Body=data)

    def prune_builds(self, keep: str) -> None:
        """Nothing to do: the bucket's lifecycle rule expires old builds (and the job may not delete)."""


class DirectoryArtefacts:
    """Files under a directory (the local stack's `<data dir>/models`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"artefact key {key!r} leaves the models directory")
        return path

    def read(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader sees the old file or the whole new one.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(temporary, path)

    def prune_builds(self, keep: str) -> None:
        """Keeps the newest KEEP_BUILDS build files (by write time, then id: ids sort by time), and `keep`."""
        builds = self._path(BUILDS)
        if not builds.is_dir():
            return
        files = sorted(builds.glob("*.npz"), key=lambda f: (f.stat().st_mtime_ns, f.name), reverse=True)
        kept = self._path(keep)
        for old in files[KEEP_BUILDS:]:
            if old != kept:
                old.unlink(missing_ok=True)


def store_from(models_dir: str | None, bucket: str) -> ArtefactStore:
    return DirectoryArtefacts(Path(models_dir)) if models_dir else S3Artefacts(bucket)


@dataclass(frozen=True)
class Pointer:
    build_id: str
    built_at: int  # epoch seconds
    key: str
    bytes: int
    sha256: str


def model_key(build_id: str) -> str:
    return f"{BUILDS}{build_id}.npz"


def publish(store: ArtefactStore, build_id: str, built_at: int, data: bytes) -> Pointer:
    """Writes the model's file, then the pointer to it."""
    pointer = Pointer(
        build_id=build_id,
        built_at=built_at,
        key=model_key(build_id),
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    store.write(pointer.key, data)
    store.write(POINTER_KEY, json.dumps(asdict(pointer)).encode())
    store.prune_builds(keep=pointer.key)
    return pointer


def latest(store: ArtefactStore) -> Pointer | None:
    raw = store.read(POINTER_KEY)
    if raw is None:
        return None
    fields = json.loads(raw)
    return Pointer(
        build_id=str(fields["build_id"]),
        built_at=int(fields["built_at"]),
        key=str(fields["key"]),
        bytes=int(fields["bytes"]),
        sha256=str(fields["sha256"]),
    )


class CorruptArtefact(RuntimeError):
    pass


def _load_model(data: bytes) -> Model:
    from peerlearn.recommend.model import Model

    return Model.from_bytes(data)


class ModelCache:
    """The newest model, loaded once per build and shared by a function's requests."""

    def __init__(
        self,
        store: ArtefactStore,
        *,
        refresh_seconds: float = 60.0,
        load: Callable[[bytes], Model] = _load_model,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._load = load
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self.model: Model | None = None
        self.pointer: Pointer | None = None

    def get(self) -> Model | None:
        """The model to answer with (None before the first build), looking for a newer one when due."""
        now = self._monotonic()
        if self._checked_at is not None and now - self._checked_at < self.refresh_seconds:
            return self.model
        with self._lock:
            if self._checked_at is None or now - self._checked_at >= self.refresh_seconds:
                self._checked_at = now
                self._refresh()
        return self.model

    def _refresh(self) -> None:
        try:
            pointer = latest(self.store)
            if pointer is None or (self.pointer is not None and pointer.build_id == self.pointer.build_id):
                return
            data = self.store.read(pointer.key)
            if data is None:
                raise CorruptArtefact(f"{pointer.key} is missing")
            if hashlib.sha256(data).hexdigest() != pointer.sha256:
                raise CorruptArtefact(f"{pointer.key} does not match its checksum")
            model = self._load(data)
        except Exception:  # the old model (or none) keeps answering; the next check tries again
            logger.exception("loading the newest recommendations model failed")
            return
        self.model, self.pointer = model, pointer
        logger.info("recommendations model loaded", extra={"build_id": pointer.build_id, "bytes": len(data)})

    @property
    def build_id(self) -> str | None:
        return self.pointer.build_id if self.pointer is not None and self.model is not None else None

    @property
    def built_at(self) -> int | None:
        return self.pointer.built_at if self.pointer is not None and self.model is not None else None
