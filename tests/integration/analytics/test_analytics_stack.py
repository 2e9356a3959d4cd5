"""Analytics on DynamoDB Local: the story's stream batches replayed leave the rollups unchanged and the
backfill reproduces them; through the local stack, the report routes answer admins and refuse learners
and mentors (403), and today's figures follow the stack's own stream."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from infra.local.dynamodb import REGION
from infra.local.stack import LocalStack
from infra.local.template import Template
from peerlearn import events, ledger
from peerlearn.accounts import service as accounts
from peerlearn.analytics import backfill
from peerlearn.bookings import seats
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.ledger.accounts import PLATFORM_FEE
from peerlearn.store.analytics import RollupItem, india_today
from tests.analytics_support import PRICE, fake_razorpay, tell_story, totals
from tests.stream_records import stream_records
from tests.support import base_env, stack_for, wait_until
from tests.unit.sessions_support import CLIENT, person, publish

pytestmark = pytest.mark.integration

PASSWORD = "mango-monsoon-42"


@pytest.fixture
def ctx(dynamodb_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Context:
    table = f"analytics-{uuid.uuid4().hex[:8]}"
    template = Template.load(refs={"Table": table})
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION).create_table(
        **template.table_definition()
    )
    env = {**base_env(tmp_path / "outbox", table_name=table), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
    for key, value in env.items():  # the stream harness's own client finds DynamoDB Local too
        monkeypatch.setenv(key, value)
    return build_context(Settings.from_env(env))


def test_replayed_batches_leave_the_rollups_unchanged_and_the_backfill_reproduces_them(
    ctx: Context, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = tell_story(ctx, fake_razorpay(monkeypatch))
    kept = backfill.snapshot()
    assert totals()["platform_revenue_paise"] == ledger.balance(PLATFORM_FEE)
    assert totals()["gmv_paise"] == 2 * PRICE

    story.stream.replay()
    assert backfill.snapshot() == kept
    # DynamoDB Local's own stream, every write as its own record (the harness folds them), all again
    records = stream_records(dynamodb_endpoint, ctx.settings.table_name)
    assert len(records) > len(story.stream.batches)
    for record in records:
        events.handle_record(ctx, DynamoDBRecord(record))
    assert backfill.snapshot() == kept

    for item in RollupItem.scan():
        item.delete()
    backfill.backfill()
    assert backfill.snapshot() == kept
    story.stream.replay()
    assert backfill.snapshot() == kept


# ---------------------------------------------------------------- through the local stack
@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("analytics"),
        "analytics",
        overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def stack_ctx(stack: LocalStack) -> Context:
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


def signed_in(ctx: Context, role: str) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
    user_id = accounts.create_account(
        name=f"{role.title()} {email[:8]}", email=email, password=PASSWORD, role=role, verified=True, **extra
    )
    token = accounts.sign_in_without_password(ctx, user_id).access_token
    return user_id, {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_learners_and_mentors_calling_the_report_routes_get_403(
    stack_ctx: Context, api: httpx.Client, role: str
) -> None:
    _user_id, headers = signed_in(stack_ctx, role)
    today = india_today()
    query = {"metrics": "bookings", "dimension": "day", "from": today, "to": today}
    for path, params in (("/api/admin/reports", query), ("/api/admin/stats/today", None)):
        reply = api.get(path, params=params, headers=headers)
        assert reply.status_code == 403, reply.text
        assert reply.json()["error"]["code"] == "forbidden"


def test_an_admin_sees_a_booking_in_todays_figures_and_the_csv_report(
    stack_ctx: Context, api: httpx.Client
) -> None:
    _admin_id, admin = signed_in(stack_ctx, "admin")
    today = india_today()

    def bookings_today() -> int:
        reply = api.get("/api/admin/stats/today", headers=admin)
        assert reply.status_code == 200, reply.text
        return int(reply.json()["bookings"])

    before = bookings_today()
    mentor = person("mentor")
    session_id = publish(stack_ctx, mentor, price_paise=0)  # a free seat is confirmed at once
    seats.book(booker=person(), session_id=session_id, client=CLIENT)
    wait_until(
        lambda: bookings_today() == before + 1, timeout=30, what="the stack's stream to count the booking"
    )

    query = {"metrics": "bookings", "dimension": "mentor", "from": today, "to": today, "format": "csv"}
    reply = api.get("/api/admin/reports", params=query, headers=admin)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    assert "attachment" in reply.headers["content-disposition"]
    lines = reply.text.strip().splitlines()
    assert f"{mentor.user_id},1" in lines
    assert lines[-1] == f"total,{before + 1}"
