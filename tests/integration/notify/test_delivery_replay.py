"""Delivery on DynamoDB Local: a stream batch delivered again, in order or concurrently, records,
emails and pushes nothing twice and counts each record unread once; quiet hours hold email and push
(never in-app) until the sweep after they end."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest

from infra.local.dynamodb import REGION
from infra.local.template import Template
from peerlearn import clock, jobs
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.notify import inbox, preferences
from peerlearn.notify.deliver import deliver
from peerlearn.notify.notice import Notice
from peerlearn.notify.preferences import QuietHours
from peerlearn.store.keys import user_pk
from peerlearn.store.models import NotificationItem
from tests.support import base_env, user_item
from tests.unit.conftest import Outbox

pytestmark = pytest.mark.integration

PEOPLE = ["01JDQ4Z3N0R1C5X8H2P7M9LRN1", "01JDQ4Z3N0R1C5X8H2P7M9LRN2", "01JDQ4Z3N0R1C5X8H2P7M9MNTR"]


@pytest.fixture
def ctx(dynamodb_endpoint: str, tmp_path: Path) -> Context:
    table = f"notify-{uuid.uuid4().hex[:8]}"
    template = Template.load(refs={"Table": table})
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION).create_table(
        **template.table_definition()
    )
    env = {**base_env(tmp_path / "outbox", table_name=table), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
    built = build_context(Settings.from_env(env))
    for n, user_id in enumerate(PEOPLE):
        user = user_item(user_id)
        user.email = f"person{n}@example.com"
        user.save()
    return built


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The push sender counted (the push service stand-in is the push branch's to test)."""
    sent: list[dict[str, Any]] = []
    lock = threading.Lock()

    def send_to_user(_ctx: Context, user_id: str, payload: dict[str, Any], **_options: Any) -> int:
        with lock:
            sent.append({"user_id": user_id, **payload})
        return 1

    monkeypatch.setattr("peerlearn.notify.webpush.send_to_user", send_to_user)
    return sent


def batch() -> list[Notice]:
    """What one stream batch turns into: a move told to two learners and the mentor, a receipt."""
    notices = [
        Notice(
            p,
            "session_moved",
            "Your session moved",
            "Now at 3:30 pm",
            f"S1:moved:v2:{p}",
            link="/sessions/S1",
        )
        for p in PEOPLE
    ]
    notices.append(Notice(PEOPLE[0], "payment_receipt", "Receipt", "₹500 paid", "pay_1", link="/me/payments"))
    return notices


def records(user_id: str) -> list[NotificationItem]:
    return list(NotificationItem.query(user_pk(user_id), NotificationItem.sk.startswith("NOTIF#")))


def test_a_replayed_batch_creates_no_duplicate_records_emails_or_pushes(
    ctx: Context, outbox: Outbox, pushes: list[dict[str, Any]]
) -> None:
    # Given a batch delivered once
    assert all(deliver(ctx, notice) for notice in batch())
    # When the stream delivers it again, then twice more at the same time (overlapping retries)
    assert not any(deliver(ctx, notice) for notice in batch())
    threads = [threading.Thread(target=lambda: [deliver(ctx, n) for n in batch()]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then each notice is one record, one email, one push; unread counts each record once
    assert [len(records(p)) for p in PEOPLE] == [2, 1, 1]
    assert [inbox.unread(p) for p in PEOPLE] == [2, 1, 1]
    assert sorted(e["to"] for e in outbox.emails()) == [
        "person0@example.com",
        "person0@example.com",
        "person1@example.com",
        "person2@example.com",
    ]
    assert len(pushes) == 4


def test_concurrent_first_deliveries_of_one_notice_send_it_once(
    ctx: Context, outbox: Outbox, pushes: list[dict[str, Any]]
) -> None:
    notice = batch()[0]
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def run() -> None:
        barrier.wait()
        results.append(deliver(ctx, notice))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(records(PEOPLE[0])) == 1
    assert inbox.unread(PEOPLE[0]) == 1
    assert len(outbox.emails()) == 1
    assert len(pushes) == 1
    assert True in results


def test_quiet_hours_hold_push_and_email_but_not_in_app(
    ctx: Context, outbox: Outbox, pushes: list[dict[str, Any]]
) -> None:
    person = PEOPLE[1]
    preferences.update(person, quiet_hours=QuietHours(True, "22:00", "07:00"))
    zone = ZoneInfo("Asia/Kolkata")
    night = int(datetime(2026, 12, 1, 23, 30, tzinfo=zone).timestamp())
    morning = int(datetime(2026, 12, 2, 7, 0, tzinfo=zone).timestamp())
    notice = Notice(person, "session_moved", "Your session moved", "Now at 3:30 pm", "S1:moved:v3")

    with clock.shifted(night - clock.now_seconds()):
        assert deliver(ctx, notice)
        assert not deliver(ctx, notice)  # replayed while held: nothing more held

    assert len(records(person)) == 1  # in-app at once
    assert outbox.emails() == []
    assert pushes == []

    assert jobs.sweep(ctx, morning - 60).held_notices_sent == 0
    assert jobs.sweep(ctx, morning).held_notices_sent == 2
    assert jobs.sweep(ctx, morning + 60).held_notices_sent == 0
    assert [e["to"] for e in outbox.emails()] == ["person1@example.com"]
    assert len(pushes) == 1
