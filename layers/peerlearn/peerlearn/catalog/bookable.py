"""What "bookable" means, in one place: the recommendations build, the stream's TRENDING index and the
live pages all ask this (pure: no reads, no imports beyond the standard library)."""

from __future__ import annotations


def is_bookable(
    status: str | None, open_: object, seats_left: int | float, starts_at: str, now_iso: str
) -> bool:
    """Scheduled, open for booking, a seat left, not started (`starts_at`, `now_iso`: ISO UTC, which
    compare as text)."""
    return (status or "scheduled") == "scheduled" and bool(open_) and seats_left > 0 and starts_at > now_iso
