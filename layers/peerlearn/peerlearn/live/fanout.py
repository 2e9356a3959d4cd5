"""TEMP stub of live-core's fan-out (replaced by theirs on merge): records what would be sent."""

from __future__ import annotations

from typing import Any

sent: list[tuple[str, dict[str, Any]]] = []


def broadcast(
    session_id: str,
    message: dict[str, Any],
    *,
    admitted_only: bool = True,
    except_user: str | None = None,
    roles: set[str] | None = None,
) -> int:
    sent.append((session_id, message))
    return 0


def send_to(session_id: str, user_id: str, message: dict[str, Any]) -> bool:
    sent.append((session_id, message))
    return False
