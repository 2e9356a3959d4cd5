"""Unit tests: moto's in-process AWS, the table built from template.yaml, a fresh outbox per test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.template import Template
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from tests.support import base_env


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = base_env(tmp_path / "outbox")
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    return values


@pytest.fixture
def aws(env: dict[str, str]) -> Iterator[None]:
    with mock_aws():
        template = Template.load(refs={"Table": env["TABLE_NAME"]})
        boto3.client("dynamodb", region_name="ap-south-1").create_table(**template.table_definition())
        yield


@pytest.fixture
def ctx(aws: None, env: dict[str, str]) -> Context:
    return build_context(Settings.from_env(env))


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def emails(self, to: str | None = None) -> list[dict[str, Any]]:
        if not self.directory.exists():
            return []
        found = [json.loads(p.read_text()) for p in sorted(self.directory.glob("*.json"))]
        return [e for e in found if to is None or e["to"] == to]

    def link(self, to: str, marker: str) -> str:
        for email in reversed(self.emails(to)):
            for word in email["text"].split():
                if marker in word:
                    return str(word)
        raise AssertionError(f"no email to {to} with a {marker} link")

    def token(self, to: str, marker: str) -> str:
        return self.link(to, marker).split("token=", 1)[1]


@pytest.fixture
def outbox(env: dict[str, str]) -> Outbox:
    return Outbox(Path(env["OUTBOX_DIR"]))
