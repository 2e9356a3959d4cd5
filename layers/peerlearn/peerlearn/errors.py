"""Domain errors. Raised by domain code, turned into HTTP responses in one place (peerlearn.api)."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a stable machine-readable code, a human message, optionally the field at fault."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(
        self, message: str, *, retry_after_seconds: int, code: str | None = None, retry_at: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after_seconds = max(1, retry_after_seconds)
        # The moment to retry, when the message already names it (so body and message agree).
        self.retry_at = retry_at


class PaymentRejected(DomainError):
    """A payment that doesn't check out (signature, order, amount, status): nothing is confirmed."""

    status = 400
    code = "payment_rejected"


class Unavailable(DomainError):
    """A service we depend on (Razorpay) could not answer; nothing changed, try again shortly."""

    status = 503
    code = "unavailable"
