"""Payout webhooks settle withdrawals: `payout.processed` -> paid; `payout.reversed` / `payout.failed`
-> back to available with the reason. Razorpay delivers at least once and in any order, so settling is
once per withdrawal (withdrawals.settle): duplicates and late events change nothing.

Called from the stream (peerlearn.events) with the stored event, parsed: Razorpay's envelope
`{"event": "payout.processed", "payload": {"payout": {"entity": {...}}}, ...}`.
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn.context import Context
from peerlearn.errors import Conflict, NotFound
from peerlearn.payouts.withdrawals import get_item, settle

logger = logging.getLogger(__name__)

PAID = ("payout.processed",)
RETURNED = ("payout.reversed", "payout.failed", "payout.rejected", "payout.cancelled")


def payout_of(event: dict[str, Any]) -> dict[str, Any]:
    entity = event.get("payload", {}).get("payout", {}).get("entity")
    return entity if isinstance(entity, dict) else {}


def withdrawal_id_of(payout: dict[str, Any]) -> str | None:
    """Our withdrawal's id: the payout's reference (and its notes, kept for the dashboard's readers)."""
    notes = payout.get("notes")
    found = (notes.get("withdrawal_id") if isinstance(notes, dict) else None) or payout.get("reference_id")
    return str(found) if found else None


def failure_reason(payout: dict[str, Any]) -> str:
    details = payout.get("status_details")
    described = details.get("description") if isinstance(details, dict) else None
    return str(payout.get("failure_reason") or described or "The bank returned the payout.")[:500]


def on_payout_event(ctx: Context, event: dict[str, Any]) -> None:
    """Settles the withdrawal a final payout event is about; anything else is logged and left."""
    name = str(event.get("event", ""))
    payout = payout_of(event)
    withdrawal_id = withdrawal_id_of(payout)
    if name not in PAID + RETURNED:
        logger.info("payout event not final", extra={"event": name, "withdrawal_id": withdrawal_id})
        return
    if not withdrawal_id:
        logger.warning(
            "payout event without a withdrawal", extra={"event": name, "payout_id": payout.get("id")}
        )
        return
    try:
        withdrawal = get_item(withdrawal_id)
        if int(payout.get("amount", -1)) != int(withdrawal.amount_paise):
            # Never settle on a payout that isn't the one asked for: someone looks at it.
            logger.error("payout amount differs from its withdrawal", extra={"withdrawal_id": withdrawal_id})
            return
        settled = settle(
            withdrawal_id,
            outcome="paid" if name in PAID else "failed",
            reason=None if name in PAID else failure_reason(payout),
            payout_id=str(payout.get("id") or "") or None,
            payout_status=str(payout.get("status") or "") or None,
        )
    except (NotFound, Conflict) as exc:
        if exc.code == "busy":  # the balance kept meeting other writes: the stream retries the record
            raise
        # an unknown withdrawal, or one never approved: retrying won't change that
        logger.warning("payout event not settled", extra={"withdrawal_id": withdrawal_id, "why": exc.code})
        return
    logger.info("payout event", extra={"event": name, "withdrawal_id": withdrawal_id, "settled": settled})
