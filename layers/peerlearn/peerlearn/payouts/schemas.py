"""Request and response shapes of the payout routes; the OpenAPI document is generated from these.

Money is integer paise. Bank details go in once and come back masked: the last four characters only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints

from peerlearn.shapes import Shape
from peerlearn.text import SingleLine


def _upper(value: object) -> object:
    # before the pattern is checked (pydantic checks `pattern` before `to_upper`)
    return value.strip().upper() if isinstance(value, str) else value


Upper = BeforeValidator(_upper)
# RazorpayX takes contact names of 3 to 50 characters.
LegalName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=50), SingleLine]
# Formats checked here; Razorpay checks that the IFSC exists and the account is real.
Pan = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{5}[0-9]{4}[A-Z]$"),
    Upper,
]
BankAccountNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{9,18}$")]
Ifsc = Annotated[str, StringConstraints(pattern=r"^[A-Z]{4}0[A-Z0-9]{6}$"), Upper]
WithdrawalStatus = Literal["requested", "approved", "processing", "paid", "failed", "rejected"]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), SingleLine]


class _Input(Shape):
    model_config = ConfigDict(extra="forbid")


class PayoutAccountRequest(_Input):
    legal_name: LegalName = Field(description="As on the PAN card and the bank account.")
    pan: Pan = Field(description="Permanent Account Number, e.g. ABCDE1234F.")
    account_number: BankAccountNumber = Field(description="9-18 digits.")
    ifsc: Ifsc = Field(description="The branch's IFSC, e.g. HDFC0001234.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Vikram Iyer",
                    "pan": "ABCDE1234F",
                    "account_number": "50100123456789",
                    "ifsc": "HDFC0001234",
                }
            ]
        },
    )


class PayoutAccountOut(Shape):
    legal_name: str
    pan_masked: str = Field(description="The last four characters only.")
    account_masked: str = Field(description="The last four digits only.")
    ifsc: str
    ready: bool = Field(description="Razorpay knows the bank account: withdrawals can be paid.")
    updated_at: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Vikram Iyer",
                    "pan_masked": "******234F",
                    "account_masked": "••••6789",
                    "ifsc": "HDFC0001234",
                    "ready": True,
                    "updated_at": "2026-11-29T10:00:00Z",
                }
            ]
        },
    )


class WeekEarnings(Shape):
    week_start: str = Field(description="Monday of the week (India time), YYYY-MM-DD.")
    earned_paise: int = Field(description="The mentor's share of what was paid that week, net of refunds.")


class EarningsOut(Shape):
    pending_paise: int = Field(description="Earned, not yet withdrawable (the session's dispute window).")
    available_paise: int = Field(description="Withdrawable now.")
    withdrawn_paise: int = Field(description="Paid out to the bank so far.")
    in_transit_paise: int = Field(description="Withdrawals not yet paid or returned.")
    min_withdrawal_paise: int
    by_week: list[WeekEarnings]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "pending_paise": 89_100,
                    "available_paise": 267_300,
                    "withdrawn_paise": 50_000,
                    "in_transit_paise": 0,
                    "min_withdrawal_paise": 50_000,
                    "by_week": [
                        {"week_start": "2026-11-16", "earned_paise": 178_200},
                        {"week_start": "2026-11-23", "earned_paise": 228_200},
                    ],
                }
            ]
        },
    )


class WithdrawalRequest(_Input):
    amount_paise: int | None = Field(
        default=None, gt=0, le=10_000_000_00, description="Leave out to withdraw everything available."
    )

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount_paise": 100_000}]})


class RejectRequest(_Input):
    reason: Reason

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "PAN name doesn't match the bank account."}]},
    )


class WithdrawalOut(Shape):
    id: str
    mentor_id: str
    amount_paise: int
    status: WithdrawalStatus
    auto_approved: bool
    requested_at: str
    decided_at: str | None = None
    reason: str | None = Field(default=None, description="Why it was rejected, or why the payout failed.")
    paid_to: str | None = Field(default=None, description="The bank account it goes to, masked.")
    payout_id: str | None = None
    payout_status: str | None = Field(default=None, description="Razorpay's status of the payout.")
    settled_at: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "01JDQ5M1Y7T1B8W2E4K9R6S3VA",
                    "mentor_id": "01JDQ4Z3N0R1C5X8H2P7M9T4QB",
                    "amount_paise": 100_000,
                    "status": "processing",
                    "auto_approved": False,
                    "requested_at": "2026-11-29T10:00:00Z",
                    "decided_at": "2026-11-29T11:00:00Z",
                    "paid_to": "Vikram Iyer, HDFC0001234 ••••6789",
                    "payout_id": "pout_00000000000001",
                    "payout_status": "processing",
                }
            ]
        },
    )


class WithdrawalPage(Shape):
    items: list[WithdrawalOut]
    next_cursor: str | None = None
