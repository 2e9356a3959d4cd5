"""Shared by every suite: one DynamoDB Local (in memory) per session, started only when asked for.

`dynamodb_endpoint` starts it (moto stands in where Java is missing) with the local stack's fake
credentials in the environment; `wait_for` polls a condition until a deadline instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from infra.local.dynamodb import CREDENTIALS, REGION, DynamoDBLocal
from tests.support import wait_until


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}.items():
            patch.setenv(name, value)
        with DynamoDBLocal() as database:
            yield database.endpoint


@pytest.fixture
def wait_for() -> Callable[..., object]:
    return wait_until
