"""Concurrent sign-in attempts against DynamoDB Local: the attempt is counted before the password is
checked, atomically, so a burst of wrong passwords cannot get more guesses than the schedule allows."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import boto3
import pytest

from infra.local.dynamodb import REGION
from infra.local.template import Template
from peerlearn.accounts import service
from peerlearn.accounts.schemas import RegisterRequest
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.errors import DomainError, TooManyRequests, Unauthorized
from tests.support import base_env

pytestmark = pytest.mark.integration

PASSWORD = "mango-monsoon-42"
BURST = 16


@pytest.fixture
def ctx(dynamodb_endpoint: str, tmp_path: Path) -> Context:
    table = f"guard-{uuid.uuid4().hex[:8]}"
    template = Template.load(refs={"Table": table})
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION).create_table(
        **template.table_definition()
    )
    env = {**base_env(tmp_path / "outbox", table_name=table), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
    return build_context(Settings.from_env(env))  # binds this process to the new table


def burst(attempt: object, count: int) -> list[str]:
    """Runs `attempt(n)` in `count` threads released together; returns each outcome's name."""
    outcomes: list[str] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        try:
            attempt(n)  # type: ignore[operator]
            outcomes.append("ok")
        except TooManyRequests:
            outcomes.append("TooManyRequests")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_burst_of_wrong_passwords_checks_no_more_than_the_free_attempts(ctx: Context) -> None:
    request = RegisterRequest(name="Asha Rao", email="asha@example.com", password=PASSWORD)
    service.register(ctx, request, client_ip="1.2.3.4")

    outcomes = burst(
        lambda n: service.login(
            ctx, email="asha@example.com", password=f"guess-number-{n}", client_ip=f"198.51.100.{n}"
        ),
        BURST,
    )

    assert len(outcomes) == BURST
    checked = outcomes.count(Unauthorized.__name__)
    assert checked == 5  # the free failures; every other attempt waits
    assert outcomes.count(TooManyRequests.__name__) == BURST - checked


def test_a_burst_from_one_client_gets_no_more_than_the_client_limit(ctx: Context) -> None:
    limit = service.LOGIN_PER_CLIENT.max_hits
    outcomes = burst(
        lambda n: service.login(
            ctx, email=f"nobody{n}@example.com", password="guess-number-1", client_ip="192.0.2.7"
        ),
        limit + 6,
    )
    assert outcomes.count(Unauthorized.__name__) == limit
    assert outcomes.count(TooManyRequests.__name__) == 6
