"""Helpers for the payouts tests (unit and integration): a stand-in RazorpayX, the payouts settings,
money seeded straight into the ledger, and payout webhook events as Razorpay sends them."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from peerlearn import ledger, store
from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable
from peerlearn.config import PayoutSettings
from peerlearn.ledger.accounts import GATEWAY_CLEARING, mentor_available
from peerlearn.payouts.sealing import LocalKeys
from peerlearn.payouts.wiring import Payouts
from tests.support import base_env

# The payout and Razorpay part of the environment every test function gets (tests.support.base_env).
PAYOUT_ENV = {
    k: v for k, v in base_env(Path("/nonexistent")).items() if k.startswith(("PAYOUT_", "RAZORPAY"))
}
LOCAL_DATA_KEY = PAYOUT_ENV["PAYOUT_DATA_KEY"]
BANK = {
    "legal_name": "Vikram Iyer",
    "pan": "ABCDE1234F",
    "account_number": "50100123456789",
    "ifsc": "HDFC0001234",
}
_numbers = itertools.count(1)


class StubRazorpayX:
    """RazorpayX as far as payouts use it. Payouts are idempotent by key, like the real one: the
    same key returns the first payout. `down` / `refuse` make the next calls fail that way."""

    def __init__(self) -> None:
        self.contacts: list[dict[str, Any]] = []
        self.fund_accounts: list[dict[str, Any]] = []
        self.payouts: dict[str, dict[str, Any]] = {}  # by idempotency key
        self.payout_calls: list[dict[str, Any]] = []
        self.down = False
        self.refuse = False
        self.payout_status = "processing"
        self.on_payout: Callable[[dict[str, Any]], object] | None = None  # runs before answering
        self._lock = threading.Lock()

    def _check(self) -> None:
        if self.down:
            raise GatewayUnavailable("Razorpay could not be reached")
        if self.refuse:
            raise GatewayRefused("The IFSC is not valid")

    def create_contact(self, *, name: str, reference_id: str) -> dict[str, Any]:
        self._check()
        contact = {"id": f"cont_{next(_numbers):014d}", "name": name, "reference_id": reference_id}
        self.contacts.append(contact)
        return contact

    def create_fund_account(
        self, *, contact_id: str, name: str, ifsc: str, account_number: str
    ) -> dict[str, Any]:
        self._check()
        account = {
            "id": f"fa_{next(_numbers):014d}",
            "contact_id": contact_id,
            "bank_account": {"name": name, "ifsc": ifsc, "account_number": account_number},
        }
        self.fund_accounts.append(account)
        return account

    def create_payout(
        self,
        *,
        fund_account_id: str,
        amount_paise: int,
        idempotency_key: str,
        reference_id: str,
        notes: dict[str, str],
    ) -> dict[str, Any]:
        self._check()
        call = {
            "fund_account_id": fund_account_id,
            "amount": amount_paise,
            "idempotency_key": idempotency_key,
            "reference_id": reference_id,
            "notes": notes,
        }
        with self._lock:
            self.payout_calls.append(call)
            if idempotency_key not in self.payouts:
                self.payouts[idempotency_key] = {
                    "id": f"pout_{next(_numbers):014d}",
                    "entity": "payout",
                    "status": self.payout_status,
                    **call,
                }
            payout = dict(self.payouts[idempotency_key])
        if self.on_payout is not None:
            self.on_payout(payout)
        return payout

    def fetch_payout(self, payout_id: str) -> dict[str, Any]:
        self._check()
        with self._lock:
            found = [dict(p) for p in self.payouts.values() if p["id"] == payout_id]
        if not found:
            raise GatewayRefused("The id provided does not exist")
        return found[0]


def payout_settings(**changes: str) -> PayoutSettings:
    return PayoutSettings.from_env({**PAYOUT_ENV, **changes})


def make_payouts(gateway: StubRazorpayX, **changes: str) -> Payouts:
    settings = payout_settings(**changes)
    assert settings.local_data_key is not None
    return Payouts(settings, LocalKeys(settings.local_data_key), lambda: gateway)


def seed_available(mentor_id: str, amount_paise: int) -> None:
    """Money the mentor may withdraw, posted straight into the ledger (as if earned and matured)."""
    entry = ledger.Entry(
        key=f"test-seed#{uuid.uuid4().hex}",
        kind="maturity",
        lines=[
            ledger.Line(GATEWAY_CLEARING, debit_paise=amount_paise),
            ledger.Line(mentor_available(mentor_id), credit_paise=amount_paise),
        ],
        refs={"mentor_id": mentor_id},
    )
    with store.transaction() as tx:
        ledger.post(tx, entry)


def payout_event(
    name: str, payout: dict[str, Any], *, status: str | None = None, failure_reason: str | None = None
) -> dict[str, Any]:
    """A payout webhook's body, parsed, as Razorpay sends it (`payload.payout.entity`)."""
    entity = {
        "id": payout["id"],
        "entity": "payout",
        "amount": payout["amount"],
        "currency": "INR",
        "status": status or name.removeprefix("payout."),
        "reference_id": payout["reference_id"],
        "notes": payout["notes"],
        "failure_reason": failure_reason,
        "fund_account_id": payout["fund_account_id"],
    }
    return {
        "entity": "event",
        "account_id": "acc_00000000000001",
        "event": name,
        "contains": ["payout"],
        "payload": {"payout": {"entity": entity}},
        "created_at": 1_764_400_000,
    }


def save_mentor_profile(mentor_id: str) -> None:
    """The mentor's profile item: notices go only to people who exist (and aren't banned)."""
    from peerlearn.store.keys import USER_PROFILE_SK, role_gsi1pk, user_pk
    from peerlearn.store.models import UserItem

    UserItem(
        user_pk(mentor_id),
        USER_PROFILE_SK,
        id=mentor_id,
        email=f"mentor-{mentor_id.lower()}@example.com",
        name="Meera",
        role="mentor",
        password_hash="-",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        gsi1pk=role_gsi1pk("mentor"),
        gsi1sk=f"2026-01-01T00:00:00Z#{mentor_id}",
    ).save()
