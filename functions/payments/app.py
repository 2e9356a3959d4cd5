"""Payments function: orders and verify for held seats and gifts, history, receipts, the refund
policy, and the admins' payments, refunds, revenue and reconciliation."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.adapters.razorpay import Razorpay
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import payments
    from peerlearn.config import RazorpaySettings

    function = rest_function([payments.router], gateway=Razorpay(RazorpaySettings.from_env()))
app, logger, lambda_handler = function.app, function.logger, function.handler
