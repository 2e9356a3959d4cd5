"""The fuzz run gets a DynamoDB Local of its own: it runs last, and on the one the other suites filled
(every table they made stays in its memory) its ~3,000 requests took 4 minutes instead of 1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import fresh_dynamodb


@pytest.fixture(scope="module")
def dynamodb_endpoint() -> Iterator[str]:
    with fresh_dynamodb() as endpoint:
        yield endpoint
