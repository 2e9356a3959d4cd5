"""Razorpay for the payments domain: the context's adapter (or one built from the environment on first
use, for the stream and the jobs), and its failures as domain errors on request paths."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable, Razorpay
from peerlearn.config import RazorpaySettings
from peerlearn.context import Context
from peerlearn.errors import PaymentRejected, Unavailable

T = TypeVar("T")
_built: Razorpay | None = None


def of(ctx: Context) -> Razorpay:
    """The context's adapter; the stream and the jobs build theirs on first use (most of their
    batches never touch money, so their cold start doesn't pay for the SDK)."""
    global _built
    if ctx.gateway is not None:
        return ctx.gateway
    if _built is None:
        _built = Razorpay(RazorpaySettings.from_env())
    return _built


@contextmanager
def on_request_path() -> Iterator[None]:
    """Razorpay's failures as answers: unreachable -> 503 (try again), refused -> 400."""
    try:
        yield
    except GatewayUnavailable as exc:
        raise Unavailable("Razorpay isn't answering right now; please try again in a moment.") from exc
    except GatewayRefused as exc:
        raise PaymentRejected(f"Razorpay refused: {exc}") from exc


def call(fn: Callable[[], T]) -> T:
    with on_request_path():
        return fn()
