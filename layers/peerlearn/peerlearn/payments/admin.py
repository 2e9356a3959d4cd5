"""The admins' view of money: payments, refunds (and refunding any payment), revenue, reconciliation.

| pattern | key condition | index |
|---|---|---|
| payments, newest first (between two days) | gsi1pk = PAYMENTS (, gsi1sk between <since>, <until>) | gsi1 |
| one learner's payments (between two days) | gsi2pk = PAYER#<id> (, gsi2sk between ...) | gsi2 |
| a learner by the email they sign in with | GetItem EMAIL#<email> / EMAIL, then their profile | table |
| refunds, newest first | gsi2pk = REFUNDS | gsi2 |
| refunds due (not accepted yet, or failed) | gsi1pk = REFUNDS_DUE | gsi1 |
| the last reconciliation | GetItem RECONCILIATION / LATEST | table |
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peerlearn import clock, ledger, timeutil
from peerlearn.accounts.lookups import find_user_by_email
from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable
from peerlearn.context import Context
from peerlearn.errors import BadRequest, NotFound
from peerlearn.ledger.accounts import GATEWAY_CLEARING, GST_PAYABLE, PLATFORM_FEE, TCS_PAYABLE, TDS_PAYABLE
from peerlearn.payments import gateway, refunds
from peerlearn.payments.records import get_payment, payment_out, refund_out, refunds_of
from peerlearn.payments.schemas import (
    AdminRefundRequest,
    BreakOut,
    PaymentDetail,
    PaymentPage,
    ReconciliationOut,
    RefundOut,
    RefundPage,
    RevenueOut,
)
from peerlearn.store.keys import LATEST, PAYMENTS, RECONCILIATION, REFUNDS_DUE, payer_pk
from peerlearn.store.models import PaymentItem, ReconciliationItem, RefundItem
from peerlearn.store.paging import page

logger = logging.getLogger(__name__)
INDIA = ZoneInfo("Asia/Kolkata")  # the days admins filter by, as the reports count them


def payments(
    *,
    limit: int,
    cursor: str | None,
    learner: str | None = None,
    from_date: str | None = None,
    to_date: str | None = None,
) -> PaymentPage:
    """Payments newest first, optionally one learner's (by id or sign-in email) and captured between
    two of India's calendar days (inclusive). Key conditions only: a page never reads past its end."""
    since = _day_start(from_date, "from") if from_date else None
    until = _day_start(to_date, "to", next_day=True) if to_date else None
    if since and until and until <= since:
        raise BadRequest("The range ends before it starts.", field="to")
    index: Any
    if learner is None:
        partition, index, sort_key = PAYMENTS, PaymentItem.all_payments, PaymentItem.gsi1sk
    else:
        learner_id = _learner_id(learner)
        if learner_id is None:  # nobody signs in with that email: nothing they paid
            return PaymentPage(items=[], next_cursor=None)
        partition, index, sort_key = payer_pk(learner_id), PaymentItem.by_payer, PaymentItem.gsi2sk
    # gsi1sk / gsi2sk are "<captured_at>#<payment id>": a bare timestamp sorts before every key of its
    # second, so [since, until) is between(since, until) (a key at exactly `until` sorts after it).
    if since and until:
        condition: Any = sort_key.between(since, until)
    elif since:
        condition = sort_key >= since
    elif until:
        condition = sort_key < until
    else:
        condition = None

    def run(start: dict[str, Any] | None) -> object:
        return index.query(
            partition, condition, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )

    items, next_cursor = page(run, cursor)
    return PaymentPage(items=[payment_out(i) for i in items], next_cursor=next_cursor)


_LEARNER_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _learner_id(learner: str) -> str | None:
    """A user id as given, or the id of whoever signs in with that email (None: nobody does)."""
    text = learner.strip()
    if "@" in text:
        user = find_user_by_email(text.lower())
        return user.id if user else None
    if not _LEARNER_ID.fullmatch(text):
        raise BadRequest("Give the learner's id or the email they sign in with.", field="learner")
    return text


def _day_start(text: str, field: str, *, next_day: bool = False) -> str:
    """The UTC moment (ISO, as captured_at is stored) India's calendar day `text` starts (or ends)."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise BadRequest("Use a date like 2026-12-01.", field=field) from exc
    if not 2000 <= day.year <= 2100:
        raise BadRequest("Use a date between 2000 and 2100.", field=field)
    if next_day:
        day += timedelta(days=1)
    return timeutil.to_iso(datetime.combine(day, time(0), tzinfo=INDIA))


def payment(payment_id: str) -> PaymentDetail:
    item = get_payment(payment_id) if len(payment_id) <= 40 else None
    if item is None:
        raise NotFound("No such payment.")
    split = refunds.split_of(item)
    return PaymentDetail(
        payment=payment_out(item),
        learner_id=item.learner_id,
        mentor_id=item.mentor_id,
        split={
            "platform_fee_paise": split.platform_fee_paise,
            "gst_paise": split.gst_paise,
            "tcs_paise": split.tcs_paise,
            "tds_paise": split.tds_paise,
            "mentor_share_paise": split.mentor_share_paise,
        },
        refunds=[refund_out(r) for r in refunds_of(payment_id)],
    )


def refund(ctx: Context, *, admin_id: str, payment_id: str, request: AdminRefundRequest) -> RefundOut:
    """Any payment, fully (no amount) or partly, with a reason; the request id makes it idempotent."""
    if get_payment(payment_id) is None if len(payment_id) <= 40 else True:
        raise NotFound("No such payment.")
    item = refunds.request_refund(
        ctx,
        payment_id,
        key=f"admin-{request.request_id}",
        amount_paise=request.amount_paise,
        kind="admin",
        reason=request.reason,
        by=admin_id,
    )
    logger.info("admin refund", extra={"payment_id": payment_id, "admin_id": admin_id})
    return refund_out(item)


def refund_list(*, due_only: bool, limit: int, cursor: str | None) -> RefundPage:
    """Every refund newest first, or only those due (not accepted yet, or failed: the job retries them)."""

    def run(start: dict[str, Any] | None) -> object:
        if due_only:
            return RefundItem.due_refunds.query(REFUNDS_DUE, limit=limit, last_evaluated_key=start)
        return RefundItem.all_refunds.query(
            refunds.REFUNDS, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )

    items, next_cursor = page(run, cursor)
    return RefundPage(items=[refund_out(i) for i in items], next_cursor=next_cursor)


def revenue() -> RevenueOut:
    return RevenueOut(
        platform_fee_paise=ledger.balance(PLATFORM_FEE),
        gst_payable_paise=ledger.balance(GST_PAYABLE),
        tcs_payable_paise=ledger.balance(TCS_PAYABLE),
        tds_payable_paise=ledger.balance(TDS_PAYABLE),
        # credit-normal balances: clearing is a debit-normal asset, so its balance is negated
        gateway_clearing_paise=-ledger.balance(GATEWAY_CLEARING),
    )


MAX_BREAKS_KEPT = 200  # a report with more is cut (the count of breaks still says how bad it is)


def run_reconciliation(ctx: Context) -> ReconciliationOut:
    """The books balance, and match Razorpay's settlement report for this month when it is reachable.
    Scans the journal (the nightly job and the CLI, never a request); the report is kept for admins."""
    breaks = list(ledger.check_books())
    checked = ["books"]
    now = datetime.fromtimestamp(clock.now_seconds(), tz=UTC)
    try:
        rows = gateway.of(ctx).recon(year=now.year, month=now.month)
    except (GatewayRefused, GatewayUnavailable):
        logger.warning("settlement report unavailable; the books alone were checked")
    else:
        breaks += ledger.reconcile(rows)
        checked.append(f"razorpay {now.year}-{now.month:02d}")
    out = [BreakOut(kind=b.kind, detail=b.detail) for b in breaks]
    report = ReconciliationOut(ok=not out, checked=checked, breaks=out, ran_at=timeutil.now_iso())
    kept = [b.model_dump() for b in out[:MAX_BREAKS_KEPT]]
    ReconciliationItem(
        RECONCILIATION,
        LATEST,
        ok=report.ok,
        checked=checked,
        breaks=json.dumps(kept),
        ran_at=report.ran_at,
    ).save()
    return report


def latest_reconciliation() -> ReconciliationOut:
    """The last report the nightly job kept (one GetItem)."""
    try:
        item = ReconciliationItem.get(RECONCILIATION, LATEST, consistent_read=True)
    except ReconciliationItem.DoesNotExist:
        return ReconciliationOut(ok=False, checked=[], breaks=[], ran_at=None)
    breaks = [BreakOut(**found) for found in json.loads(item.breaks)]
    return ReconciliationOut(ok=bool(item.ok), checked=list(item.checked), breaks=breaks, ran_at=item.ran_at)
