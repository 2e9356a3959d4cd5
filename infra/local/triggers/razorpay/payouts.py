"""RazorpayX: contacts, fund accounts (bank account + IFSC) and payouts from the platform's account.

`POST /v1/payouts` needs `X-Payout-Idempotency`: the same key with the same body returns the first
payout, with another body it is refused. A payout starts `processing` and after `settle_seconds`
becomes what the `payout_outcome` switch said when it was made: `processed` (with a UTR),
`reversed` or `failed` (with `status_details`), each raising its `payout.*` webhook.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from infra.local.triggers.razorpay.books import Books, Entity, RazorpayError, new_id, public
from infra.local.triggers.razorpay.payments import check_amount, check_notes, fingerprint
from infra.local.triggers.razorpay.settings import Keys, Switches
from infra.local.triggers.razorpay.webhooks import Webhooks

CONTACT_TYPES = ("customer", "vendor", "employee", "self")
BANK_MODES = ("IMPS", "NEFT", "RTGS")
_PAYOUT_KEY = re.compile(r"[A-Za-z0-9_\- ]{4,36}")
_IFSC = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
_ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9]{5,35}")
_BANKS = {"HDFC": "HDFC Bank", "ICIC": "ICICI Bank", "SBIN": "State Bank of India", "UTIB": "Axis Bank"}
_NOT_FINAL = {
    "reversed": (
        "beneficiary_bank_rejected",
        "The beneficiary bank rejected the payout.",
        "beneficiary_bank",
    ),
    "failed": ("server_error", "The payout failed at the bank; no money left the account.", "internal"),
}


def payout_fee(amount_paise: int) -> tuple[int, int]:
    """RazorpayX's `fees` (GST included) and `tax` for a bank payout of this amount."""
    base = 250 if amount_paise <= 100_000 else 500 if amount_paise <= 2_500_000 else 1_000
    tax = base * 18 // 100
    return base + tax, tax


class Payouts:
    def __init__(self, books: Books, keys: Keys, switches: Switches, webhooks: Webhooks) -> None:
        self.books = books
        self.keys = keys
        self.switches = switches
        self.webhooks = webhooks

    # ------------------------------------------------------------------ contacts
    def create_contact(self, body: dict[str, Any]) -> tuple[Entity, bool]:
        """(contact, created): the same details again return the existing contact, as RazorpayX does."""
        name = body.get("name")
        if not isinstance(name, str) or not 3 <= len(name.strip()) <= 50:
            raise RazorpayError("The name field is required and must be 3 to 50 characters.", field="name")
        kind = body.get("type")
        if kind is not None and kind not in CONTACT_TYPES:
            raise RazorpayError("Invalid type: " + str(kind), field="type")
        reference = body.get("reference_id")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 40):
            raise RazorpayError(
                "The reference id may not be greater than 40 characters.", field="reference_id"
            )
        details = {k: body.get(k) for k in ("name", "email", "contact", "type", "reference_id")}
        with self.books.locked() as books:
            for contact in books.records["contacts"].values():
                if {k: contact[k] for k in details} == details:
                    return public(contact), False
            contact = {
                "id": new_id("cont_"),
                "entity": "contact",
                **details,
                "batch_id": None,
                "active": True,
                "notes": check_notes(body.get("notes")),
                "created_at": int(time.time()),
                "_seq": books.next_sequence(),
            }
            return public(books.add("contacts", contact)), True

    def fetch_contact(self, contact_id: str) -> Entity:
        with self.books.locked() as books:
            return public(books.get("contacts", contact_id))

    # ------------------------------------------------------------------ fund accounts
    def create_fund_account(self, body: dict[str, Any]) -> tuple[Entity, bool]:
        if body.get("account_type") != "bank_account":
            raise RazorpayError("The account type field must be bank_account.", field="account_type")
        bank = body.get("bank_account")
        if not isinstance(bank, dict):
            raise RazorpayError("The bank account field is required.", field="bank_account")
        name, ifsc, number = bank.get("name"), bank.get("ifsc"), bank.get("account_number")
        if not isinstance(name, str) or not 3 <= len(name.strip()) <= 120:
            raise RazorpayError("The name must be 3 to 120 characters.", field="bank_account.name")
        if not isinstance(ifsc, str) or not _IFSC.fullmatch(ifsc):
            raise RazorpayError("The ifsc must be 11 characters.", field="bank_account.ifsc")
        if not isinstance(number, str) or not _ACCOUNT_NUMBER.fullmatch(number):
            raise RazorpayError("The account number format is invalid.", field="bank_account.account_number")
        with self.books.locked() as books:
            contact_id = body.get("contact_id")
            books.get("contacts", str(contact_id))
            account: dict[str, Any] = {
                "ifsc": ifsc,
                "bank_name": _BANKS.get(ifsc[:4], f"{ifsc[:4]} Bank"),
                "name": name,
            }
            account |= {"notes": [], "account_number": number}
            for existing in books.records["fund_accounts"].values():
                if existing["contact_id"] == contact_id and existing["bank_account"] == account:
                    return public(existing), False
            fund_account = {
                "id": new_id("fa_"),
                "entity": "fund_account",
                "contact_id": contact_id,
                "account_type": "bank_account",
                "bank_account": account,
                "batch_id": None,
                "active": True,
                "created_at": int(time.time()),
                "_seq": books.next_sequence(),
            }
            return public(books.add("fund_accounts", fund_account)), True

    def fetch_fund_account(self, fund_account_id: str) -> Entity:
        with self.books.locked() as books:
            return public(books.get("fund_accounts", fund_account_id))

    # ------------------------------------------------------------------ payouts
    def create_payout(self, body: dict[str, Any], idempotency_key: str | None) -> Entity:
        if not idempotency_key:
            raise RazorpayError(
                "Idempotency key is missing. Include idempotency header and key in the request.",
                field="X-Payout-Idempotency",
            )
        if not _PAYOUT_KEY.fullmatch(idempotency_key):
            raise RazorpayError(
                "The idempotency key must be 4 to 36 letters, digits, hyphens, underscores or spaces.",
                field="X-Payout-Idempotency",
            )
        if body.get("account_number") != self.keys.account_number:
            raise RazorpayError("The account number is invalid.", field="account_number")
        amount = check_amount(body.get("amount"))
        if body.get("currency") != "INR":
            raise RazorpayError("The currency field must be INR.", field="currency")
        mode = body.get("mode")
        if mode not in BANK_MODES:
            raise RazorpayError("The mode must be one of IMPS, NEFT, RTGS for a bank account.", field="mode")
        if mode == "RTGS" and amount < 20_000_000:
            raise RazorpayError("RTGS payouts must be at least INR 2,00,000.", field="amount")
        purpose = body.get("purpose")
        if not isinstance(purpose, str) or not purpose:
            raise RazorpayError("The purpose field is required.", field="purpose")
        reference = body.get("reference_id")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 40):
            raise RazorpayError(
                "The reference id may not be greater than 40 characters.", field="reference_id"
            )
        notes = check_notes(body.get("notes"))
        with self.books.locked() as books:
            seen = books.idempotency.get(f"payout:{idempotency_key}")
            print_ = fingerprint(body)
            if seen is not None:
                if seen["fingerprint"] != print_:
                    raise RazorpayError("Different request body sent for the same Idempotency Header")
                return public(books.get("payouts", seen["id"]))
            fund_account = books.get("fund_accounts", str(body.get("fund_account_id")))
            if not fund_account["active"]:
                raise RazorpayError("The fund account is not active.", field="fund_account_id")
            fees, tax = payout_fee(amount)
            payout = {
                "id": new_id("pout_"),
                "entity": "payout",
                "fund_account_id": fund_account["id"],
                "amount": amount,
                "currency": "INR",
                "notes": notes,
                "fees": fees,
                "tax": tax,
                "status": "processing",
                "purpose": purpose,
                "utr": None,
                "mode": mode,
                "reference_id": reference,
                "narration": body.get("narration"),
                "batch_id": None,
                "failure_reason": None,
                "created_at": int(time.time()),
                "fee_type": None,
                "status_details": {"reason": None, "description": None, "source": None},
                "merchant_id": "PeerLearnLocal",
                "status_details_id": None,
                "_outcome": self.switches.payout_outcome,
                "_seq": books.next_sequence(),
            }
            books.add("payouts", payout)
            books.idempotency[f"payout:{idempotency_key}"] = {"fingerprint": print_, "id": payout["id"]}
            books.schedule("payout_settlement", payout["id"], self.switches.settle_seconds)
            return public(payout)

    def fetch_payout(self, payout_id: str) -> Entity:
        with self.books.locked() as books:
            return public(books.get("payouts", payout_id))

    def settle_payout(self, payout_id: str) -> None:
        """The timer of a processing payout: it becomes what the switch said when it was made."""
        with self.books.locked() as books:
            payout = books.records["payouts"].get(payout_id)
            if payout is None or payout["status"] != "processing":
                return
            outcome = payout["_outcome"]
            payout["status"] = outcome
            if outcome == "processed":
                payout["utr"] = "".join(secrets.choice("0123456789") for _ in range(12))
            else:
                reason, description, source = _NOT_FINAL[outcome]
                payout["status_details"] = {"reason": reason, "description": description, "source": source}
                payout["failure_reason"] = description
            books.changed()
            self.webhooks.emit([(f"payout.{outcome}", {"payout": dict(payout)})])
