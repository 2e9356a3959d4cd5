"""Webhooks as Razorpay sends them: at least once, signed, retried with backoff, in any order.

Each event is stored once with its raw body (the bytes that are signed and sent on every attempt)
and delivered by one or more deliveries (the switches add duplicates and delays, and reverse events
raised together). An attempt succeeds on a 2xx within `timeout_seconds`; otherwise the next one is
due `retry_base_seconds * 2 ** (attempt - 1)` later, until `max_attempts` (then `failed`).
Headers: `X-Razorpay-Signature` = hex HMAC-SHA256(webhook secret, raw body), `X-Razorpay-Event-Id`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from infra.local.triggers.razorpay.books import Books, Entity, RazorpayError, new_id, public
from infra.local.triggers.razorpay.settings import Keys, Switches

log = logging.getLogger(__name__)

ACCOUNT_ID = "acc_PeerLearnLocal"

# (url, raw body, headers, timeout seconds) -> HTTP status; raises on a timeout or no connection.
Sender = Callable[[str, bytes, dict[str, str], float], int]


def http_sender(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    # trust_env off: a developer's HTTP(S)_PROXY must not carry a local webhook off the machine.
    with httpx.Client(trust_env=False, timeout=timeout) as client:
        return client.post(url, content=body, headers=headers).status_code


def webhook_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhooks:
    def __init__(self, books: Books, keys: Keys, switches: Switches, send: Sender) -> None:
        self.books = books
        self.keys = keys
        self.switches = switches
        self.send = send
        self.wake: Callable[[], None] = lambda: None  # set by the sandbox: its loop has work

    # ------------------------------------------------------------------ raising events
    def emit(self, group: Sequence[tuple[str, dict[str, Entity]]]) -> list[str]:
        """Stores events raised together (name, {"payment": entity, ...}) and plans their deliveries."""
        now = int(time.time())
        events = []
        with self.books.locked() as books:
            for name, entities in group:
                envelope = {
                    "entity": "event",
                    "account_id": ACCOUNT_ID,
                    "event": name,
                    "contains": list(entities),
                    "payload": {kind: {"entity": public(entity)} for kind, entity in entities.items()},
                    "created_at": now,
                }
                event: Entity = {
                    "id": new_id(),  # Razorpay's event ids have no prefix
                    "event": name,
                    "body": json.dumps(envelope, separators=(",", ":")),
                    "created_at": now,
                    "_seq": books.next_sequence(),
                }
                books.add("events", event)
                events.append(event)
            ordered = list(reversed(events)) if self.switches.reorder else events
            for event in ordered:
                for copy in range(1 + self.switches.duplicates):
                    self._plan(event, copy=copy, delay=self.switches.delay_seconds)
        self.wake()
        return [event["id"] for event in events]

    def resend(self, delivery_id: str) -> Entity:
        """A new delivery of a delivery's event (the dev page's button), due now."""
        with self.books.locked() as books:
            delivery = books.records["deliveries"].get(delivery_id)
            if delivery is None:
                raise RazorpayError("The id provided does not exist", status=404)
            event = books.get("events", delivery["event_id"])
            again = self._plan(event, copy=0, delay=0.0, resend_of=delivery_id)
        self.wake()
        return again

    def _plan(self, event: Entity, *, copy: int, delay: float, resend_of: str | None = None) -> Entity:
        now = time.time()
        return self.books.add(
            "deliveries",
            {
                "id": new_id("dlv_"),
                "event_id": event["id"],
                "event": event["event"],
                "status": "pending",
                "copy": copy,
                "resend_of": resend_of,
                "attempts": [],
                "next_attempt_at": now + delay,
                "created_at": int(now),
                "_seq": self.books.next_sequence(),
            },
        )

    # ------------------------------------------------------------------ delivering
    def next_due(self) -> float | None:
        with self.books.locked() as books:
            times = [
                d["next_attempt_at"] for d in books.records["deliveries"].values() if d["status"] == "pending"
            ]
        return min(times) if times else None

    def pending(self) -> bool:
        return self.next_due() is not None

    def deliver_due(self, now: float) -> int:
        """Makes one attempt of every delivery due by `now`, in order; how many were attempted."""
        with self.books.locked() as books:
            due = sorted(
                (
                    d
                    for d in books.records["deliveries"].values()
                    if d["status"] == "pending" and d["next_attempt_at"] <= now
                ),
                key=lambda d: (d["next_attempt_at"], d["_seq"]),
            )
        for delivery in due:
            self._attempt(delivery)
        return len(due)

    def _attempt(self, delivery: Entity) -> None:
        with self.books.locked() as books:
            body = books.get("events", delivery["event_id"])["body"].encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Razorpay-Webhook/v1",
            "X-Razorpay-Signature": webhook_signature(self.keys.webhook_secret, body),
            "X-Razorpay-Event-Id": delivery["event_id"],
        }
        timeout = self.switches.timeout_seconds
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            status = self.send(self.keys.webhook_url, body, headers, timeout)
        except Exception as exc:  # a timeout, a refused connection...: a failed attempt
            error = "timed out" if isinstance(exc, httpx.TimeoutException) else type(exc).__name__
        elapsed = time.monotonic() - started
        if status is not None and 200 <= status < 300 and elapsed > timeout:
            error = f"answered after {elapsed:.1f} s (over {timeout:g} s)"
        succeeded = status is not None and 200 <= status < 300 and error is None
        with self.books.locked():
            attempts: list[dict[str, Any]] = delivery["attempts"]
            attempts.append(
                {"at": time.time(), "status": status, "error": error, "duration_ms": round(elapsed * 1000, 1)}
            )
            if succeeded:
                delivery["status"], delivery["next_attempt_at"] = "delivered", None
            elif len(attempts) >= max(1, self.switches.max_attempts):
                delivery["status"], delivery["next_attempt_at"] = "failed", None
                log.warning(
                    "webhook %s (%s) not delivered after %d attempts; last: %s (see /_dev/razorpay)",
                    delivery["event"],
                    delivery["id"],
                    len(attempts),
                    status if status is not None else error,
                )
            else:
                backoff = self.switches.retry_base_seconds * 2 ** (len(attempts) - 1)
                delivery["next_attempt_at"] = time.time() + backoff
            self.books.changed()
