"""SES's reports about emails already sent (through the configuration set's EventBridge destination):
a permanent bounce or a complaint suppresses the address, so nothing more is sent to it.

A transient bounce (mailbox full, server down) suppresses nothing: SES already retried, and the next
email may well arrive. Only the event's recipients and reason are read; the event is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from peerlearn.notify import suppression

logger = logging.getLogger(__name__)

BOUNCED = "Email Bounced"
COMPLAINED = "Email Complaint Received"


@dataclass(frozen=True)
class Suppressed:
    email: str
    reason: str  # bounce | complaint


def suppressions_in(event: dict[str, Any]) -> list[Suppressed]:
    """The addresses an EventBridge event from SES says to stop emailing (none for other events)."""
    if event.get("source") != "aws.ses":
        return []
    detail = event.get("detail") or {}
    kind = event.get("detail-type")
    if kind == BOUNCED:
        bounce = detail.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        recipients, reason = bounce.get("bouncedRecipients") or [], "bounce"
    elif kind == COMPLAINED:
        complaint = detail.get("complaint") or {}
        recipients, reason = complaint.get("complainedRecipients") or [], "complaint"
    else:
        return []
    found = []
    for recipient in recipients:
        address = recipient.get("emailAddress") if isinstance(recipient, dict) else None
        if isinstance(address, str) and "@" in address:
            found.append(Suppressed(email=address.strip().lower(), reason=reason))
    return found


def record(event: dict[str, Any]) -> int:
    """Suppresses every address the event names; returns how many (idempotent: a redelivered
    event writes the same items)."""
    found = suppressions_in(event)
    for entry in found:
        suppression.suppress(entry.email, entry.reason)
    logger.info("email event", extra={"detail_type": event.get("detail-type"), "suppressed": len(found)})
    return len(found)
