"""The double-entry ledger: journal entries written in the same transaction as the state change they
record, running balances per account, maturing earnings, document numbers and reconciliation.
Imports only the shared modules (store, clock...): every domain may use it; it knows none of them."""

from __future__ import annotations

from peerlearn.ledger import accounts
from peerlearn.ledger.accounts import (
    GATEWAY_CLEARING,
    GATEWAY_FEE,
    GST_PAYABLE,
    PAYOUTS_IN_TRANSIT,
    PAYOUTS_PAID,
    PLATFORM_FEE,
    REFUNDS_PAYABLE,
    TCS_PAYABLE,
    TDS_PAYABLE,
    WITHDRAWN_MEMO,
    mentor_available,
    mentor_pending,
    mentor_withdrawn,
)
from peerlearn.ledger.journal import Entry, Line, already_posted, balance, entry, mentor_entries, post
from peerlearn.ledger.maturity import (
    DISPUTE_WINDOW_SECONDS,
    cancel_maturity,
    mature_due,
    maturity_key,
    maturity_left_paise,
    reduce_maturity,
    schedule_maturity,
)
from peerlearn.ledger.movements import (
    capture_entry,
    gateway_fee_entry,
    maturity_entry,
    payout_settled_entry,
    refund_entry,
    withdrawal_entry,
)
from peerlearn.ledger.numbers import document_number, financial_year
from peerlearn.ledger.reconcile import Break, check_books, reconcile
from peerlearn.ledger.split import Split, prorate, split

__all__ = [
    "DISPUTE_WINDOW_SECONDS",
    "GATEWAY_CLEARING",
    "GATEWAY_FEE",
    "GST_PAYABLE",
    "PAYOUTS_IN_TRANSIT",
    "PAYOUTS_PAID",
    "PLATFORM_FEE",
    "REFUNDS_PAYABLE",
    "TCS_PAYABLE",
    "TDS_PAYABLE",
    "WITHDRAWN_MEMO",
    "Break",
    "Entry",
    "Line",
    "Split",
    "accounts",
    "already_posted",
    "balance",
    "cancel_maturity",
    "capture_entry",
    "check_books",
    "document_number",
    "entry",
    "financial_year",
    "gateway_fee_entry",
    "mature_due",
    "maturity_entry",
    "maturity_key",
    "maturity_left_paise",
    "mentor_available",
    "mentor_entries",
    "mentor_pending",
    "mentor_withdrawn",
    "payout_settled_entry",
    "post",
    "prorate",
    "reconcile",
    "reduce_maturity",
    "refund_entry",
    "schedule_maturity",
    "split",
    "withdrawal_entry",
]
