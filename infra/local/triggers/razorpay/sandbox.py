"""The sandbox object (`stack.razorpay` in tests): the records, the APIs over them, and one
background thread that runs the timers (refund and payout settlement, late authorisation), sends
due webhooks and saves the records to disk shortly after they change."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from infra.local.triggers.razorpay.books import Books, public
from infra.local.triggers.razorpay.payments import Payments
from infra.local.triggers.razorpay.payouts import Payouts
from infra.local.triggers.razorpay.recon import recon_report
from infra.local.triggers.razorpay.settings import Keys, Switches
from infra.local.triggers.razorpay.webhooks import Sender, Webhooks, http_sender

log = logging.getLogger(__name__)

MAX_NAP_SECONDS = 1.0
SAVE_EVERY_SECONDS = 0.2


class Sandbox:
    def __init__(
        self,
        keys: Keys,
        switches: Switches | None = None,
        *,
        state_path: Path | None,
        send: Sender = http_sender,
    ) -> None:
        self.keys = keys
        self.switches = switches or Switches()
        self.books = Books(state_path)
        self.webhooks = Webhooks(self.books, keys, self.switches, send)
        self.webhooks.wake = self._wake_up
        self.payments = Payments(self.books, keys, self.switches, self.webhooks)
        self.payouts = Payouts(self.books, keys, self.switches, self.webhooks)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._busy = False
        self._thread: threading.Thread | None = None
        self._saved_at = 0.0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="razorpay-sandbox", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.books.save_if_changed()

    def await_idle(self, timeout: float) -> None:
        """Blocks until no timer is set and every webhook is delivered or has failed for good."""
        deadline = time.monotonic() + timeout
        while self._busy or self.books.timers or self.webhooks.pending():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Razorpay sandbox still has work after {timeout} s")
            self._wake_up()
            time.sleep(0.01)

    def _wake_up(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                pause = self.step()
            except Exception:
                log.exception("the Razorpay sandbox failed a step; trying again")
                pause = MAX_NAP_SECONDS
            self._wake.wait(pause)

    def step(self) -> float:
        """Runs due timers and webhooks; the pause until something is due next."""
        self._busy = True
        try:
            now = time.time()
            with self.books.locked() as books:
                timers = books.due_timers(now)
            for timer in timers:
                self._fire(timer)
            self.webhooks.deliver_due(time.time())
        finally:
            self._busy = False
        if time.monotonic() - self._saved_at >= SAVE_EVERY_SECONDS:
            self.books.save_if_changed()
            self._saved_at = time.monotonic()
        upcoming = [t["due"] for t in self.books.timers]
        next_delivery = self.webhooks.next_due()
        if next_delivery is not None:
            upcoming.append(next_delivery)
        pause = min(upcoming) - time.time() if upcoming else MAX_NAP_SECONDS
        return max(0.0, min(pause, SAVE_EVERY_SECONDS if self.books.dirty else MAX_NAP_SECONDS))

    def _fire(self, timer: dict[str, Any]) -> None:
        handlers = {
            "refund_settlement": self.payments.settle_refund,
            "payout_settlement": self.payouts.settle_payout,
            "late_authorization": self.payments.authorize_late,
        }
        handlers[timer["kind"]](timer["id"])

    # ------------------------------------------------------------------ for tests and the dev page
    def pay(self, order_id: str, method: str = "upi", outcome: str = "success") -> dict[str, Any]:
        """What Checkout's handler would get (or `{"error": ...}`, what payment.failed gets)."""
        return self.payments.checkout(order_id, method, outcome)

    def recon(self, query: dict[str, str]) -> dict[str, Any]:
        return recon_report(self.books, query)

    def snapshot(self) -> dict[str, Any]:
        """Everything the sandbox holds, as /_dev/razorpay.json shows it (newest first)."""
        with self.books.locked() as books:
            listed = {
                kind: [public(entity) for entity in reversed(books.all(kind))]
                for kind in ("orders", "payments", "refunds", "contacts", "fund_accounts", "payouts")
            }
            events = {e["id"]: e for e in books.records["events"].values()}
            deliveries = []
            for delivery in sorted(books.records["deliveries"].values(), key=lambda d: -d["_seq"]):
                event = events.get(delivery["event_id"], {})
                deliveries.append({**public(delivery), "body": event.get("body")})
        return {**listed, "deliveries": deliveries, "switches": self.switches.as_dict()}

    def deliveries(self, event: str | None = None) -> list[dict[str, Any]]:
        """Webhook deliveries, oldest first (tests)."""
        found = list(reversed(self.snapshot()["deliveries"]))
        return [d for d in found if event is None or d["event"] == event]
