"""The checks every REST request passes before routing: it came through CloudFront, and its body
is one the routes can read.

`refusal(event, origin_secret)` is the proxy response refusing a request, or None to let it through; the
REST handlers call it before Powertools sees the event (nothing a client sends becomes a 500).
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from peerlearn.errors import Forbidden

logger = logging.getLogger(__name__)

# CloudFront adds this header, with the secret kept in Secrets Manager, to every /api/* request it
# forwards (overwriting any copy a viewer sent); API Gateway's own URL is public, so without the
# header a request did not come through CloudFront, and its CloudFront-* headers are the caller's.
ORIGIN_HEADER = "X-PeerLearn-Origin"

# No body of this API nests deeper than a list in an object; the margin is for future shapes.
MAX_JSON_DEPTH = 32


def refusal(event: Mapping[str, Any], origin_secret: str | None) -> dict[str, Any] | None:
    """The response refusing `event` at the edge, or None when its routes may handle it."""
    if not origin_verified(event.get("headers"), origin_secret):
        logger.info("refused at the edge", extra={"reason": DIRECT_ACCESS})
        return error_proxy_response(403, DIRECT_ACCESS, DIRECT_ACCESS_MESSAGE)
    refused = _body_refusal(event)
    if refused is not None:
        logger.info("refused at the edge", extra={"reason": json.loads(refused["body"])["error"]["code"]})
    return refused


DIRECT_ACCESS = "direct_access"
DIRECT_ACCESS_MESSAGE = "Use the PeerLearn site's address: this endpoint is not public."


def origin_verified(headers: Mapping[str, Any] | None, secret: str | None) -> bool:
    """Whether the request carries the origin secret (compared in constant time)."""
    if not secret:
        logger.error("no origin secret is configured (ORIGIN_SECRET or ORIGIN_SECRET_ARN): refusing")
        return False
    sent = next((str(v) for k, v in (headers or {}).items() if k.lower() == ORIGIN_HEADER.lower() and v), "")
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), secret.encode())


def require_origin(headers: Mapping[str, Any] | None, origin_secret: str | None) -> None:
    """For the authorizer: Forbidden (a Deny policy) unless the request came through CloudFront."""
    if not origin_verified(headers, origin_secret):
        raise Forbidden(DIRECT_ACCESS_MESSAGE, code=DIRECT_ACCESS)


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
