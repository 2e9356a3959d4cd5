"""base64url without padding (RFC 4648 section 5), as JWTs, web push keys and our signed links use it."""

from __future__ import annotations

import base64


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")  # "=" is padding: all of it goes


def b64url_decode(text: str) -> bytes:
    """Padded or not; binascii.Error (a ValueError) for text that isn't base64url."""
    unpadded = text.rstrip("=")
    return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
