"""The table's stream as an event bus: one record in, the matching domain reaction out, the
recommendations' signals and the analytics rollups, then the
notices the change gives (peerlearn.notices: who is told, reminders kept with their session,
broadcast pages).

Every reaction is idempotent (a redelivered record changes nothing) and raises to ask for a retry.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from peerlearn import analytics, notices, reactions
from peerlearn.accounts import service as accounts
from peerlearn.bookings.states import ENDED_STATES, LIVE_STATES
from peerlearn.bookings.waitlist import offer_freed_seat
from peerlearn.context import Context
from peerlearn.dashboards import attendance
from peerlearn.feedback import aggregates
from peerlearn.live import gifts, recording
from peerlearn.notify import platform_stats
from peerlearn.payments import cancellations, webhooks
from peerlearn.payouts import settlement
from peerlearn.recommend import signals

logger = logging.getLogger(__name__)


def _rating(image: dict[str, Any]) -> int | None:
    return int(image["rating"]) if image else None


def handle_record(ctx: Context, record: DynamoDBRecord) -> None:
    new: dict[str, Any] = (record.dynamodb.new_image if record.dynamodb else None) or {}
    old: dict[str, Any] = (record.dynamodb.old_image if record.dynamodb else None) or {}
    react(ctx, record.event_name, old, new)
    # Signals run before notices, knowingly: a record whose signals fail (e.g. five version races in
    # a row) is retried whole, so its notices wait for the retry (a delay, never a loss or a double:
    # every step is idempotent through its markers, so the retry does only what did not happen yet).
    recommend_signals(record.event_name, old, new)
    # After the reaction: a retried record runs both again, and both are idempotent.
    notices.on_change(ctx, record.event_name.name if record.event_name else "UNKNOWN", old, new)
    # The rollups (peerlearn.analytics) last: a day's counters are hot items, and a record whose
    # counting keeps meeting conflicts is retried whole; its notices are out by then (a retry finds
    # their markers), so a busy day's figures may wait but nobody misses a notice. Each fact is
    # counted once through its marker.
    analytics.on_change(record.event_name.name if record.event_name else "UNKNOWN", old, new)


def after_batch(records: list[DynamoDBRecord]) -> None:
    """Once a batch is handled (its rollups counted): admins watching the live statistics get fresh
    figures when a record moved one (throttled; never raises, so it can't fail the batch)."""
    try:
        moved = any(_moves_a_figure(record) for record in records)
    except Exception:  # an image that can't be read was the batch's business, reported there
        logger.warning("live statistics: a record could not be read", exc_info=True)
        moved = True
    if moved:
        platform_stats.nudge()


def _moves_a_figure(record: DynamoDBRecord) -> bool:
    new: dict[str, Any] = (record.dynamodb.new_image if record.dynamodb else None) or {}
    old: dict[str, Any] = (record.dynamodb.old_image if record.dynamodb else None) or {}
    return platform_stats.moves_a_figure(record.event_name.name if record.event_name else "UNKNOWN", old, new)


def react(
    ctx: Context, event: DynamoDBRecordEventName | None, old: dict[str, Any], new: dict[str, Any]
) -> None:
    """The domain's own reaction to a change (the notices come after, from notices.on_change)."""
    entity = new.get("entity") or old.get("entity")
    if event == DynamoDBRecordEventName.INSERT and entity == "USER":
        accounts.on_user_created(ctx, str(new["id"]))
    elif entity == "REVIEW":
        image = new or old
        aggregates.apply_review_change(
            session_id=str(image["session_id"]),
            learner_id=str(image["learner_id"]),
            mentor_id=str(image["mentor_id"]),
            old=_rating(old),
            new=_rating(new),
            version=int(image.get("version", 1)),
            event=str(event.name if event else "UNKNOWN"),
        )
    elif event == DynamoDBRecordEventName.MODIFY and entity == "BOOKING":
        freed = old.get("status") in LIVE_STATES and new.get("status") in ENDED_STATES
        if freed and new.get("cancel_reason") != "session_cancelled":
            offer_freed_seat(str(new["session_id"]))
        if old.get("status") == "confirmed" and new.get("status") == "cancelled":
            cancellations.on_booking_cancelled(ctx, new)
        attendance.on_booking_changed(old, new)  # who came, on the session (the mentor's performance)
    elif event == DynamoDBRecordEventName.INSERT and entity == "RZP_EVENT":
        razorpay_event = json.loads(str(new["body"]))
        if str(razorpay_event.get("event", "")).startswith("payout."):  # money out: mentors' withdrawals
            settlement.on_payout_event(ctx, razorpay_event)
        else:  # money in: payments, orders, refunds
            webhooks.process(ctx, razorpay_event)
    elif event == DynamoDBRecordEventName.MODIFY and entity == "SESSION":
        reactions.on_session_changed(old, new)
        if new.get("status") in ("completed", "cancelled") and old.get("status") != new.get("status"):
            recording.finish_session_recordings(ctx, str(new["id"]))  # uploads a closed tab left open
    elif event == DynamoDBRecordEventName.MODIFY and entity == "GIFT":
        # Only the change to paid: the MODIFY that marks it announced (old already paid) is not news.
        if new.get("status") == "paid" and old.get("status") != "paid":
            gifts.announce(new)
    else:
        logger.debug("stream record ignored", extra={"entity": entity, "event": str(event)})


def recommend_signals(
    event: DynamoDBRecordEventName | None, old: dict[str, Any], new: dict[str, Any]
) -> None:
    """Popularity and taste between model builds (peerlearn.recommend.signals), after the reaction."""
    if event not in (DynamoDBRecordEventName.INSERT, DynamoDBRecordEventName.MODIFY):
        return
    entity = new.get("entity")
    if entity == "BOOKING":
        signals.on_booking_changed(old, new)
    elif entity == "REVIEW":
        signals.on_review_changed(event.name, old, new)
    elif entity == "SESSION":
        signals.on_session_changed(old, new)
