"""The only code that talks to Razorpay: the real `razorpay` SDK, with a timeout, behind small methods
that return Razorpay's own JSON (dicts) and raise two errors a caller can act on.

Locally `RazorpaySettings.base_url` points the SDK at the local stack's sandbox; in the cloud it is
unset and the SDK talks to api.razorpay.com. Facts this relies on: `../shared/notes/razorpay.md`.
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn.config import RazorpaySettings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 8.0  # the SDK sets none; API Gateway gives a request 29 s


class GatewayRefused(Exception):
    """Razorpay answered and said no (a 4xx: bad amount, unknown id, refund over the amount...)."""


class GatewayUnavailable(Exception):
    """Razorpay could not be reached or failed (timeout, connection, 5xx): worth retrying later."""


class Razorpay:
    """Orders, payments, refunds, RazorpayX contacts / fund accounts / payouts, settlement recon."""

    def __init__(self, settings: RazorpaySettings) -> None:
        import razorpay  # ~20 ms of requests and the SDK: paid by the routes that move money only
        import requests

        session = requests.Session()
        session.request = _with_timeout(session.request)  # type: ignore[method-assign]
        options = {"base_url": settings.base_url} if settings.base_url else {}
        self._client = razorpay.Client(
            session=session, auth=(settings.key_id, settings.key_secret), **options
        )
        self._settings = settings

    @property
    def key_id(self) -> str:
        return self._settings.key_id

    @property
    def checkout_url(self) -> str:
        """Where the browser loads checkout.js from (Razorpay's in the cloud, the sandbox's locally)."""
        return self._settings.checkout_url

    # ------------------------------------------------------------------ orders and payments
    def create_order(
        self, *, amount_paise: int, receipt: str, notes: dict[str, str], capture_minutes: int
    ) -> dict[str, Any]:
        body = {
            "amount": amount_paise,
            "currency": "INR",
            "receipt": receipt,
            "notes": notes,
            "payment": {
                "capture": "automatic",
                "capture_options": {"automatic_expiry_period": capture_minutes},
            },
        }
        return self._call(self._client.order.create, body)

    def order_by_receipt(self, receipt: str) -> dict[str, Any] | None:
        """The order made with this receipt, if any (receipts are unique at Razorpay)."""
        found = self._call(self._client.order.all, {"receipt": receipt, "count": 1}).get("items", [])
        return dict(found[0]) if found else None

    def fetch_order(self, order_id: str) -> dict[str, Any]:
        return self._call(self._client.order.fetch, order_id)

    def order_payments(self, order_id: str) -> list[dict[str, Any]]:
        return list(self._call(self._client.order.payments, order_id).get("items", []))

    def fetch_payment(self, payment_id: str) -> dict[str, Any]:
        return self._call(self._client.payment.fetch, payment_id)

    # ------------------------------------------------------------------ refunds
    def refund(
        self, payment_id: str, *, amount_paise: int, idempotency_key: str, notes: dict[str, str]
    ) -> dict[str, Any]:
        """A refund of `amount_paise`; the same key with the same body returns the first refund."""
        body = {"amount": amount_paise, "speed": "normal", "notes": notes, "receipt": idempotency_key[:40]}
        return self._call(
            self._client.post,
            f"/v1/payments/{payment_id}/refund",
            body,
            headers={"X-Refund-Idempotency": idempotency_key},
        )

    def fetch_refund(self, refund_id: str) -> dict[str, Any]:
        return self._call(self._client.refund.fetch, refund_id)

    # ------------------------------------------------------------------ RazorpayX payouts
    def create_contact(self, *, name: str, reference_id: str) -> dict[str, Any]:
        body = {"name": name, "type": "vendor", "reference_id": reference_id}
        return self._call(self._client.post, "/v1/contacts", body)

    def create_fund_account(
        self, *, contact_id: str, name: str, ifsc: str, account_number: str
    ) -> dict[str, Any]:
        body = {
            "contact_id": contact_id,
            "account_type": "bank_account",
            "bank_account": {"name": name, "ifsc": ifsc, "account_number": account_number},
        }
        return self._call(self._client.post, "/v1/fund_accounts", body)

    def create_payout(
        self,
        *,
        fund_account_id: str,
        amount_paise: int,
        idempotency_key: str,
        reference_id: str,
        notes: dict[str, str],
    ) -> dict[str, Any]:
        """A payout from the platform's RazorpayX account; never retried with a new key."""
        body = {
            "account_number": self._settings.payout_account_number,
            "fund_account_id": fund_account_id,
            "amount": amount_paise,
            "currency": "INR",
            "mode": "IMPS",
            "purpose": "payout",
            "queue_if_low_balance": True,
            "reference_id": reference_id,
            "notes": notes,
        }
        return self._call(
            self._client.post, "/v1/payouts", body, headers={"X-Payout-Idempotency": idempotency_key}
        )

    def fetch_payout(self, payout_id: str) -> dict[str, Any]:
        return self._call(self._client.get, f"/v1/payouts/{payout_id}", {})

    # ------------------------------------------------------------------ settlement recon
    def recon(self, *, year: int, month: int, day: int | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"year": year, "month": month, "count": 1000}
        if day is not None:
            query["day"] = day
        items: list[dict[str, Any]] = []
        while True:
            page = self._call(
                self._client.get, "/v1/settlements/recon/combined", {**query, "skip": len(items)}
            )
            batch = list(page.get("items", []))
            items += batch
            if len(batch) < query["count"]:
                return items

    # ------------------------------------------------------------------ signatures
    def payment_signature_valid(self, *, order_id: str, payment_id: str, signature: str) -> bool:
        from razorpay.errors import SignatureVerificationError

        fields = {
            "razorpay_order_id": order_id,
            "razorpay_payment_id": payment_id,
            "razorpay_signature": signature,
        }
        try:
            return bool(self._client.utility.verify_payment_signature(fields))
        except SignatureVerificationError:
            return False

    def webhook_signature_valid(self, raw_body: str, signature: str) -> bool:
        from razorpay.errors import SignatureVerificationError

        try:
            return bool(
                self._client.utility.verify_webhook_signature(
                    raw_body, signature, self._settings.webhook_secret
                )
            )
        except SignatureVerificationError:
            return False

    # ------------------------------------------------------------------ the one place errors are mapped
    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        import requests
        from razorpay.errors import BadRequestError

        try:
            return method(*args, **kwargs)
        except BadRequestError as exc:
            raise GatewayRefused(str(exc) or "Razorpay refused the request") from exc
        except requests.RequestException as exc:
            logger.warning("razorpay unreachable", extra={"error": type(exc).__name__})
            raise GatewayUnavailable("Razorpay could not be reached") from exc
        except Exception as exc:  # the SDK's GatewayError / ServerError, or a non-JSON answer
            logger.warning("razorpay failed", extra={"error": type(exc).__name__})
            raise GatewayUnavailable("Razorpay failed to answer") from exc


def _with_timeout(request: Any) -> Any:
    def request_with_timeout(method: str, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return request(method, url, **kwargs)

    return request_with_timeout
