"""The rooms' integration tests share one way to start a stack (one per module), bind this process to
it, and make signed-in people."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from tests.support import stack_for

PASSWORD = "mango-monsoon-42"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("rooms"),
        "rooms",
        overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    """This process bound to the stack's table and `@connections` endpoint, to set up and inspect."""
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


class Person:
    """A verified account, signed in: its id, name, role and bearer header."""

    def __init__(self, ctx: Context, role: str) -> None:
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
        extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
        self.name = f"{role.title()} {email[:10]}"
        self.role = role
        self.id = accounts.create_account(
            name=self.name, email=email, password=PASSWORD, role=role, verified=True, **extra
        )
        token = accounts.sign_in_without_password(ctx, self.id).access_token
        self.headers = {"Authorization": f"Bearer {token}"}
