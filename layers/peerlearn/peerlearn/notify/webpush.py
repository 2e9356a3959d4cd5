"""Web push to a person's subscribed devices. (Skeleton: the push branch fills it in.)"""

from __future__ import annotations

from typing import Any

from peerlearn.context import Context


def send_to_user(ctx: Context, user_id: str, payload: dict[str, Any]) -> int:
    """Sends `payload` to each of the user's push subscriptions; returns how many accepted it."""
    return 0
