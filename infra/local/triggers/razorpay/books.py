"""The sandbox's records (orders, payments, refunds, RazorpayX entities, webhook events and
deliveries, timers), Razorpay's id format and error shape.

Entities are kept as Razorpay's JSON (dicts); keys starting with `_` are the sandbox's own and never
leave it (`public`). Everything lives in one JSON file under the data dir, written by the sandbox's
loop shortly after a change (and on stop), so `make dev` restarts keep the books reconcilable.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import string
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KINDS = ("orders", "payments", "refunds", "contacts", "fund_accounts", "payouts", "events", "deliveries")
_ID_ALPHABET = string.ascii_letters + string.digits

Entity = dict[str, Any]


class RazorpayError(Exception):
    """An answer in Razorpay's error shape: `{"error": {code, description, source, step, reason,
    metadata, field}}`. The SDK keeps only `description` and maps `code` to its exception class."""

    def __init__(
        self,
        description: str,
        *,
        status: int = 400,
        code: str = "BAD_REQUEST_ERROR",
        field: str | None = None,
        reason: str = "NA",
    ) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.code = code
        self.field = field
        self.reason = "input_validation_failed" if field and reason == "NA" else reason

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "description": self.description,
            "source": "business" if self.field else "NA",
            "step": "payment_initiation" if self.field else "NA",
            "reason": self.reason,
            "metadata": {},
        }
        if self.field:
            error["field"] = self.field
        return {"error": error}


def not_found() -> RazorpayError:
    return RazorpayError("The id provided does not exist")


def new_id(prefix: str = "") -> str:
    """Razorpay's ids: a prefix (`order_`, `pay_`, `rfnd_`...) and 14 letters and digits."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(14))


def public(entity: Entity) -> Entity:
    """The entity as Razorpay shows it (without the sandbox's own `_` keys)."""
    return {key: value for key, value in entity.items() if not key.startswith("_")}


class Books:
    """All records, behind one lock. `changed()` after a mutation; the loop calls `save_if_changed`."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, Entity]] = {kind: {} for kind in KINDS}
        self.idempotency: dict[str, dict[str, str]] = {}  # "refund:<key>" -> {fingerprint, id}
        self.timers: list[dict[str, Any]] = []  # {"due": epoch seconds, "kind", "id"}
        self.sequence = 0
        self._dirty = False
        if path is not None and path.is_file():
            try:
                self._load(path)
            except (OSError, ValueError, TypeError, AttributeError) as exc:
                kept = path.with_suffix(".unreadable")
                os.replace(path, kept)
                log.warning("the Razorpay sandbox's records could not be read (%s); moved to %s", exc, kept)
                self.records = {kind: {} for kind in KINDS}

    def _load(self, path: Path) -> None:
        saved = json.loads(path.read_text())
        for kind in KINDS:
            self.records[kind] = dict(saved.get(kind) or {})
        self.idempotency = dict(saved.get("idempotency") or {})
        self.timers = list(saved.get("timers") or [])
        self.sequence = int(saved.get("sequence") or 0)

    # ------------------------------------------------------------------ records
    def get(self, kind: str, entity_id: str) -> Entity:
        entity = self.records[kind].get(entity_id)
        if entity is None:
            raise not_found()
        return entity

    def add(self, kind: str, entity: Entity) -> Entity:
        self.records[kind][entity["id"]] = entity
        self.changed()
        return entity

    def all(self, kind: str) -> list[Entity]:
        return sorted(self.records[kind].values(), key=lambda e: (e.get("created_at", 0), e.get("_seq", 0)))

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def schedule(self, kind: str, entity_id: str, after_seconds: float) -> None:
        self.timers.append({"due": time.time() + after_seconds, "kind": kind, "id": entity_id})
        self.changed()

    def due_timers(self, now: float) -> list[dict[str, Any]]:
        """Removes and returns the timers that are due, earliest first."""
        due = sorted((t for t in self.timers if t["due"] <= now), key=lambda t: t["due"])
        self.timers = [t for t in self.timers if t["due"] > now]
        if due:
            self.changed()
        return due

    @contextlib.contextmanager
    def locked(self) -> Iterator[Books]:
        with self.lock:
            yield self

    # ------------------------------------------------------------------ persistence
    @property
    def dirty(self) -> bool:
        return self._dirty

    def changed(self) -> None:
        self._dirty = True

    def save_if_changed(self) -> None:
        with self.lock:
            if not self._dirty or self.path is None:
                return
            state = {
                **self.records,
                "idempotency": self.idempotency,
                "timers": self.timers,
                "sequence": self.sequence,
            }
            text = json.dumps(state, separators=(",", ":"))
            self._dirty = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(text)
        os.replace(temporary, self.path)
