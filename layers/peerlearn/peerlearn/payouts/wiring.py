"""What the payouts code needs beyond the Context, made once per cold start: the rules, the key that
seals bank details, and RazorpayX (its SDK loaded on first use: reading earnings never pays for it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, Protocol

from peerlearn.config import PayoutSettings, RazorpaySettings
from peerlearn.payouts.sealing import KeyWrapper, key_wrapper


class PayoutGateway(Protocol):
    """The part of peerlearn.adapters.razorpay.Razorpay that payouts use (tests give a stub)."""

    def create_contact(self, *, name: str, reference_id: str) -> dict[str, Any]: ...

    def create_fund_account(
        self, *, contact_id: str, name: str, ifsc: str, account_number: str
    ) -> dict[str, Any]: ...

    def create_payout(
        self,
        *,
        fund_account_id: str,
        amount_paise: int,
        idempotency_key: str,
        reference_id: str,
        notes: dict[str, str],
    ) -> dict[str, Any]: ...

    def fetch_payout(self, payout_id: str) -> dict[str, Any]: ...


class Payouts:
    def __init__(
        self, settings: PayoutSettings, keys: KeyWrapper, gateway: Callable[[], PayoutGateway]
    ) -> None:
        self.settings = settings
        self.keys = keys
        self._make_gateway = gateway

    @cached_property
    def gateway(self) -> PayoutGateway:
        return self._make_gateway()


def build_payouts(
    settings: PayoutSettings | None = None, razorpay: RazorpaySettings | None = None
) -> Payouts:
    """At cold start: the settings from the environment (failing loudly), the adapter on first use."""
    settings = settings or PayoutSettings.from_env()
    razorpay_settings = razorpay or RazorpaySettings.from_env()

    def gateway() -> PayoutGateway:
        from peerlearn.adapters.razorpay import Razorpay

        return Razorpay(razorpay_settings)

    return Payouts(settings, key_wrapper(settings), gateway)
