"""Reading items as DynamoDB returns them to a low-level call (`{"S": ...}`, `{"N": ...}`, `{"L": ...}`):
what the build's Scan and the pages' BatchGetItem hand back, read without building models."""

from __future__ import annotations

from typing import Any

Stored = dict[str, dict[str, Any]]


def text(item: Stored, name: str, default: str = "") -> str:
    value = item.get(name)
    return str(value["S"]) if value and "S" in value else default


def number(item: Stored, name: str, default: float = 0) -> float:
    value = item.get(name)
    return float(value["N"]) if value and "N" in value else default


def strings(item: Stored, name: str) -> list[str]:
    """A list of strings (tags, interests, expertise); [] when absent."""
    value = item.get(name)
    if not value or "L" not in value:
        return []
    return [str(entry["S"]) for entry in value["L"] if "S" in entry]
