"""Shared by every suite: one DynamoDB Local (in memory) per session, started only when asked for.

`dynamodb_endpoint` starts it (moto stands in where Java is missing) with the local stack's fake
credentials in the environment; `wait_for` polls a condition until a deadline instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support import fresh_dynamodb, wait_until


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    with fresh_dynamodb() as endpoint:
        yield endpoint


@pytest.fixture
def wait_for() -> Callable[..., object]:
    return wait_until
