"""Addresses we no longer email: SES reported a permanent bounce or a complaint for them.

SES's own suppression list (the configuration set's SuppressionOptions) stops the send at SES; this
record lets the app skip building and sending the email at all, and tells people on the site why
they get none. One item per address: pk SUPPRESSED#<address, lower-cased>, sk SUPPRESSED.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from peerlearn import clock
from peerlearn.store.base import BaseItem

SUPPRESSED_SK = "SUPPRESSED"
REASONS = ("bounce", "complaint")


def suppressed_pk(email: str) -> str:
    return f"SUPPRESSED#{email.strip().lower()}"


class SuppressedAddressItem(BaseItem, discriminator="SUPPRESSED"):
    reason = UnicodeAttribute()  # bounce | complaint
    suppressed_at = UnicodeAttribute()


def suppress(email: str, reason: str) -> None:
    """Records `email` as suppressed (again: the latest reason and time win)."""
    if reason not in REASONS:
        raise ValueError(f"unknown suppression reason {reason!r}")
    SuppressedAddressItem(
        suppressed_pk(email), SUPPRESSED_SK, reason=reason, suppressed_at=clock.iso(clock.now_seconds())
    ).save()


def is_suppressed(email: str) -> bool:
    try:
        SuppressedAddressItem.get(suppressed_pk(email), SUPPRESSED_SK)
    except SuppressedAddressItem.DoesNotExist:
        return False
    return True
