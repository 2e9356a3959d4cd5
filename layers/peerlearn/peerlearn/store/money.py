"""Item models of the money: the ledger's entries, balances and numbers, Razorpay orders, payments,
refunds, gifts and webhook events, and mentors' payout accounts and withdrawals."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from peerlearn.store.base import BaseItem, Gsi1, Gsi2


# ---------------------------------------------------------------- ledger (peerlearn.ledger)
class LedgerLineMap(MapAttribute[str, Any]):
    account = UnicodeAttribute()
    debit_paise = NumberAttribute(default=0)
    credit_paise = NumberAttribute(default=0)


class LedgerEntryItem(BaseItem, discriminator="LEDGER_ENTRY"):
    """One journal entry, append-only: `pk = LEDGER#<idempotency key>`, written once."""

    key = UnicodeAttribute()
    kind = UnicodeAttribute()
    lines = ListAttribute(of=LedgerLineMap)
    refs = MapAttribute[str, Any](default=dict)
    at = UnicodeAttribute()  # UTC ISO
    gsi2pk = UnicodeAttribute(null=True)  # MENTOR_LEDGER#<id> when a mentor's account moves
    gsi2sk = UnicodeAttribute(null=True)  # <at>#<key>
    by_mentor = Gsi2()


class LedgerBalanceItem(BaseItem, discriminator="LEDGER_BALANCE"):
    """An account's running totals, updated in the transaction of every entry that moves it."""

    account = UnicodeAttribute()
    debits_paise = NumberAttribute(default=0)
    credits_paise = NumberAttribute(default=0)
    balance_paise = NumberAttribute(default=0)  # credit-normal: credits - debits


class MaturityItem(BaseItem, discriminator="MATURITY"):
    """A mentor's pending earning waiting for its dispute window; deleted when it matures."""

    key = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    due_at = NumberAttribute()  # epoch seconds
    refs = MapAttribute[str, Any](default=dict)
    gsi1pk = UnicodeAttribute()  # MATURES
    gsi1sk = UnicodeAttribute()  # <due_at, 10 digits>#<key>
    by_due = Gsi1()


class DocumentCounterItem(BaseItem, discriminator="DOC_COUNTER"):
    """The last number issued in one series and financial year (gapless: set only to last + 1)."""

    last_number = NumberAttribute(null=True)


class DocumentNumberItem(BaseItem, discriminator="DOC_NUMBER"):
    """The number a document got, claimed once per (series, what it documents)."""

    number = UnicodeAttribute()
    for_key = UnicodeAttribute()
    issued_at = UnicodeAttribute()


# ---------------------------------------------------------------- payments (Razorpay)
class OrderItem(BaseItem, discriminator="RZP_ORDER"):
    """A Razorpay order we made, for a booking's hold or a gift (`purpose`, `reference`)."""

    order_id = UnicodeAttribute()
    purpose = UnicodeAttribute()  # "booking" | "gift"
    reference = UnicodeAttribute()  # the booking id (one per hold) or the gift id: the order's receipt
    session_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    currency = UnicodeAttribute(default="INR")
    status = UnicodeAttribute(default="created")  # created -> paid (a payment was credited to it)
    payment_id = UnicodeAttribute(null=True)  # the one payment credited
    last_error = UnicodeAttribute(null=True)  # the last failed attempt's reason, for the learner
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)  # ORDERS_OPEN until paid: the recovery job's index
    gsi1sk = UnicodeAttribute(null=True)  # <created epoch, 12 digits>#<order id>
    open_orders = Gsi1()


class OrderRefItem(BaseItem, discriminator="RZP_ORDER_REF"):
    """One order per booking hold or gift: written with the order, on condition it is the first."""

    order_id = UnicodeAttribute()


class PaymentItem(BaseItem, discriminator="PAYMENT"):
    """A captured payment we took, written once (the confirmation's idempotency guard)."""

    payment_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    purpose = UnicodeAttribute()
    reference = UnicodeAttribute()
    session_id = UnicodeAttribute()
    session_title = UnicodeAttribute(default="")
    learner_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    currency = UnicodeAttribute(default="INR")
    method = UnicodeAttribute(null=True)
    # booking_confirmed | gift_paid | refund_no_seat | refund_duplicate
    outcome = UnicodeAttribute()
    status = UnicodeAttribute(default="captured")  # captured | partially_refunded | refunded
    refunded_paise = NumberAttribute(default=0)  # refunds Razorpay processed
    refund_requested_paise = NumberAttribute(default=0)  # refunds asked for (processed or not)
    refund_count = NumberAttribute(default=0)
    platform_fee_paise = NumberAttribute()
    gst_paise = NumberAttribute()
    tcs_paise = NumberAttribute()
    tds_paise = NumberAttribute()
    mentor_share_paise = NumberAttribute()
    maturity_key = UnicodeAttribute(null=True)  # the mentor's share waiting to mature, if any
    maturity_paise = NumberAttribute(default=0)  # how much of it (less after a partial refund)
    matures_at = NumberAttribute(null=True)  # epoch seconds: the session's end + the dispute window
    receipt_number = UnicodeAttribute(null=True)
    captured_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()  # PAYMENTS
    gsi1sk = UnicodeAttribute()  # <captured_at>#<payment id>
    gsi2pk = UnicodeAttribute()  # PAYER#<learner id>
    gsi2sk = UnicodeAttribute()  # <captured_at>#<payment id>
    all_payments = Gsi1()
    by_payer = Gsi2()


class RefundItem(BaseItem, discriminator="REFUND"):
    """A refund we asked for, under its payment, keyed by our idempotency key (also Razorpay's)."""

    refund_key = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    refund_id = UnicodeAttribute(null=True)  # Razorpay's, once it accepted the request
    amount_paise = NumberAttribute()
    kind = UnicodeAttribute()  # policy | no_seat | duplicate | admin
    reason = UnicodeAttribute()
    requested_by = UnicodeAttribute(default="system")
    status = UnicodeAttribute(default="requested")  # requested -> pending -> processed | failed
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    gateway_key = (
        UnicodeAttribute()
    )  # Razorpay's idempotency key: refund_key, then a new one per retry of a failed refund
    mentor_part_paise = NumberAttribute(default=0)  # what the refund takes back from the mentor
    from_available = BooleanAttribute(default=False)  # the share had matured: taken back from available
    credit_note_number = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)  # REFUNDS_DUE while requested or failed: the retry job's index
    gsi1sk = UnicodeAttribute(null=True)  # <created_at>#<refund key>
    gsi2pk = UnicodeAttribute()  # REFUNDS: every refund, for admins
    gsi2sk = UnicodeAttribute()  # <created_at>#<refund key>
    due_refunds = Gsi1()
    all_refunds = Gsi2()


class GiftItem(BaseItem, discriminator="GIFT"):
    """A learner's gift to the mentor during a live session, under the session (the room announces
    paid ones: a MODIFY to status "paid" on the stream)."""

    gift_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    learner_name = UnicodeAttribute(null=True)
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    message = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="pending")  # pending -> paid
    payment_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    paid_at = UnicodeAttribute(null=True)
    announced_at = UnicodeAttribute(null=True)  # set once, conditionally, when the room is told


class RazorpayEventItem(BaseItem, discriminator="RZP_EVENT"):
    """A webhook event exactly as Razorpay signed it, stored once by its event id; the stream
    processes it."""

    event_id = UnicodeAttribute()
    event = UnicodeAttribute()
    body = UnicodeAttribute()  # the raw body: the signed bytes, never re-serialised
    received_at = UnicodeAttribute()


class ReconciliationItem(BaseItem, discriminator="RECONCILIATION"):
    """The last reconciliation's report (the nightly job writes it; admins read it): the audit scans
    the journal, which no request should do."""

    ok = BooleanAttribute()
    checked = ListAttribute(of=UnicodeAttribute)
    breaks = UnicodeAttribute()  # JSON list of {"kind", "detail"}, at most MAX_BREAKS_KEPT
    ran_at = UnicodeAttribute()


# ---------------------------------------------------------------- mentor payouts
class PayoutAccountItem(BaseItem, discriminator="PAYOUT_ACCOUNT"):
    """Where a mentor's payouts go. The details are sealed (peerlearn.payouts.sealing: AES-GCM with
    a data key of their own, stored wrapped by KMS); only what may be shown is kept in the clear."""

    mentor_id = UnicodeAttribute()
    legal_name = UnicodeAttribute()
    pan_last4 = UnicodeAttribute()
    account_last4 = UnicodeAttribute()
    ifsc = UnicodeAttribute()  # a branch code, public
    sealed_details = UnicodeAttribute()  # base64: nonce + ciphertext + tag of the details as JSON
    wrapped_key = UnicodeAttribute()  # base64: the data key, encrypted by KMS (or the local key)
    key_source = UnicodeAttribute()  # "kms" | "local"
    contact_id = UnicodeAttribute(null=True)  # RazorpayX contact
    fund_account_id = UnicodeAttribute(null=True)  # RazorpayX fund account (the bank account)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class WithdrawalItem(BaseItem, discriminator="WITHDRAWAL"):
    """A mentor's request to be paid: requested -> approved -> processing -> paid | failed, or rejected.
    Its id is the payout's idempotency key and reference."""

    id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    status = UnicodeAttribute()
    auto_approved = BooleanAttribute(default=False)
    requested_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)  # an admin's id, or "auto"
    reason = UnicodeAttribute(null=True)  # why it was rejected, or why the payout failed
    fund_account_id = UnicodeAttribute(null=True)  # where it is paid: the account when it was asked for
    paid_to = UnicodeAttribute(null=True)  # that account as shown (name, IFSC, last four)
    payout_id = UnicodeAttribute(null=True)
    payout_status = UnicodeAttribute(null=True)  # Razorpay's own word (queued, processing, processed...)
    settled_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()  # WITHDRAWALS#<status>: the admins' lists
    gsi1sk = UnicodeAttribute()  # <requested_at>#<id>
    gsi2pk = UnicodeAttribute()  # MENTOR_WITHDRAWALS#<mentor id>
    gsi2sk = UnicodeAttribute()  # <requested_at>#<id>
    by_status = Gsi1()
    by_mentor = Gsi2()
