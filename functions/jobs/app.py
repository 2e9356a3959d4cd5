"""Jobs function: the every-minute sweep (seat holds, session starts and completions, reminders), the
five-minute job (order recovery, refund retries, maturing mentors' shares; mentor no-shows, abandoned
recordings) and the nightly reconciliation. The analytics backfill is its own function
(functions/backfill: minutes and a gigabyte, where these jobs have a minute)."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from dataclasses import asdict
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn import jobs
    from peerlearn.config import PushSettings, Settings
    from peerlearn.context import build_context
    from peerlearn.observability import make_tracer, route_domain_logs

    logger = Logger()
    tracer = make_tracer()
    route_domain_logs(logger)
    ctx = build_context(Settings.from_env(), push=PushSettings.from_env())  # notifications reach devices


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    job = event.get("job", "sweep")
    if job == "sweep":
        return asdict(jobs.sweep(ctx))
    if job == "payments":  # every five minutes: the rooms (no-shows refund), then money (retries)
        rooms = jobs.rooms(ctx)
        return {**asdict(jobs.payments(ctx)), **rooms}
    if job == "reconcile":
        report = jobs.reconcile(ctx)
        return {"ok": report.ok, "checked": report.checked, "breaks": len(report.breaks)}
    raise ValueError(f"unknown job {job!r}")
