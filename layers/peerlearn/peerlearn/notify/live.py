"""Live delivery to a signed-in person's open tabs over the WebSocket API (their user channel).
(Skeleton: the channel branch fills it in.)"""

from __future__ import annotations

from typing import Any


def push_to_user(user_id: str, message: dict[str, Any]) -> int:
    """Posts `message` to every open user-channel connection of `user_id`; returns how many got it."""
    return 0
