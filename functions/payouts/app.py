"""Payouts function: mentors' payout accounts, earnings and withdrawals; admins' approvals; and, on a
schedule, payouts Razorpay didn't take asked for again. The only function that may use the key
sealing bank details, and the only one that asks RazorpayX to pay."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import payouts
    from peerlearn.payouts.approval import check_processing, retry_unpaid
    from peerlearn.payouts.wiring import build_payouts

    function = rest_function([payouts.router])
    built = build_payouts()
app, logger = function.app, function.logger


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("job") == "retry_payouts":  # the schedule (template: RetryPayouts), not a request
        return {"asked": retry_unpaid(built), "checked": check_processing(built)}
    app.append_context(payouts=built)
    return function.handler(event, context)
