"""Sortable identifiers: 48 bits of milliseconds then 80 random bits, Crockford base32 (ULID layout)."""

from __future__ import annotations

import hashlib
import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(now_ms: int | None = None) -> str:
    """A 26-character id that sorts by creation time."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def derived_id(*parts: str) -> str:
    """A 26-character id that is always the same for the same `parts` (an idempotency key's id; it
    does not sort by time)."""
    digest = hashlib.sha256("#".join(parts).encode()).digest()
    return "".join(_ALPHABET[byte & 31] for byte in digest[:26])


def is_id(text: str) -> bool:
    return len(text) == 26 and all(c in _ALPHABET for c in text)
