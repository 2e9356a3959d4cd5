"""The payments job: orders left unpaid (a missed webhook) recovered from Razorpay's record of their
payments, refunds due sent again, mentors' shares matured. Each step is idempotent."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from peerlearn import clock, ledger
from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable
from peerlearn.context import Context
from peerlearn.payments import gateway, refunds
from peerlearn.payments.settle import settle_payment
from peerlearn.store.keys import ORDERS_OPEN
from peerlearn.store.models import OrderItem

logger = logging.getLogger(__name__)

QUIET_SECONDS = 120  # younger orders are probably still in Checkout (the webhook will come)
GIVE_UP_SECONDS = 3 * 86400  # late authorisations come within days; after that the order is dropped


@dataclass
class PaymentsReport:
    orders_checked: int = 0
    payments_recovered: int = 0
    orders_dropped: int = 0
    refunds_sent: int = 0
    refunds_checked: int = 0
    shares_matured: int = 0


def recover_orders(ctx: Context, now: int, report: PaymentsReport) -> None:
    for order in OrderItem.open_orders.query(ORDERS_OPEN, OrderItem.gsi1sk < f"{now - QUIET_SECONDS:012d}"):
        report.orders_checked += 1
        try:
            found = gateway.of(ctx).order_payments(order.order_id)  # Razorpay only when there is an order
        except (GatewayRefused, GatewayUnavailable):
            logger.warning("order payments unavailable", extra={"order_id": order.order_id})
            continue
        for payment in found:
            if payment.get("status") == "captured" and settle_payment(ctx, payment) is not None:
                report.payments_recovered += 1
        created = int(str(order.gsi1sk).split("#", 1)[0])
        if now - created > GIVE_UP_SECONDS:
            order.update(actions=[OrderItem.gsi1pk.remove(), OrderItem.gsi1sk.remove()])
            report.orders_dropped += 1


def run(ctx: Context, now: int | None = None) -> PaymentsReport:
    now = clock.now_seconds() if now is None else now
    report = PaymentsReport()
    recover_orders(ctx, now, report)
    report.refunds_sent = refunds.retry_due(ctx)
    report.refunds_checked = refunds.check_pending(ctx, now)
    report.shares_matured = ledger.mature_due(now)
    logger.info("payments job done", extra=vars(report))
    return report
