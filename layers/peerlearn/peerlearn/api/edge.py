"""The checks every REST request passes before routing: a body the routes can read.

`refusal(event, settings)` is the proxy response refusing a request, or None to let it through; the
REST handlers call it before Powertools sees the event, so nothing a client sends can become a 500.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from peerlearn.config import Settings

# No body of this API nests deeper than a list in an object; the margin is for future shapes.
MAX_JSON_DEPTH = 32


def refusal(event: Mapping[str, Any], settings: Settings | None = None) -> dict[str, Any] | None:
    """The response refusing `event` at the edge, or None when its routes may handle it."""
    return _body_refusal(event)


def error_proxy_response(status: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    body = {"error": {"code": code, "message": message, "field": field}}
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


# ---------------------------------------------------------------- the body
def _body_refusal(event: Mapping[str, Any]) -> dict[str, Any] | None:
    body = event.get("body")
    if not body or not isinstance(body, str):
        return None
    text = _text(body, base64_encoded=bool(event.get("isBase64Encoded")))
    if isinstance(text, dict):
        return text
    return _json_refusal(text)


def _text(body: str, *, base64_encoded: bool) -> str | dict[str, Any]:
    """The body as text, or the refusal when it is not UTF-8 (or not the base64 it claims to be)."""
    try:
        raw = base64.b64decode(body, validate=True) if base64_encoded else body.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 client sent that
        return _invalid_encoding()
    except ValueError:
        return error_proxy_response(
            400, "invalid_encoding", "The request body is marked as base64 but is not valid base64."
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _invalid_encoding()


def _invalid_encoding() -> dict[str, Any]:
    return error_proxy_response(400, "invalid_encoding", "The request body must be UTF-8 text.")


def _json_refusal(text: str) -> dict[str, Any] | None:
    """A refusal for JSON that Python's parser or the routes would choke on; None otherwise.

    Text that is simply not JSON goes on: each route says what it expected (`invalid_request`).
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    except RecursionError:
        return _too_deep()
    except ValueError:  # an integer with more digits than Python converts, and the like
        return error_proxy_response(400, "invalid_json", "The request body holds a number too large to read.")
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        return _too_deep()
    return None


def _too_deep() -> dict[str, Any]:
    return error_proxy_response(
        400, "invalid_json", f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."
    )


def _depth_exceeds(value: Any, limit: int) -> bool:
    # Iterative, so checking a deep value cannot itself overflow the stack.
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                pending.append((child, depth + 1))
    return False
