"""Schemathesis against the real local stack: requests generated from /api/openapi.json for every
operation, signed out and signed in as a demo learner and mentor, must get only answers the document
declares (status, content type, body schema), and never a 5xx.

Deterministic (a fixed seed, no example database) and bounded (a fixed number of examples per
operation and caller). Per-client rate limits would turn most of the run into 429s, so each request
comes from its own loopback address (127.0.x.y): the local gateway, like CloudFront, takes the
client address from the connection, so every request is a different client, as a crowd would be.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from requests.adapters import HTTPAdapter
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.local.stack import LocalStack
from tests.support import ORIGIN_HEADER, stack_for

SEED = 20261129
EXAMPLES = {"positive": 8, "negative": 4}  # per operation and caller: ~40 operations x 3 callers x 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Signing out ends the caller's access token, which would sign the rest of the run out.
SIGNED_IN_SKIPS = {"POST /api/auth/logout"}


class SourceAddress(HTTPAdapter):
    """Connects from a given local address (any of 127.0.0.0/8 is this machine on Linux)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_addresses() -> Iterator[str]:
    return (f"127.0.{high}.{low}" for high, low in itertools.product(range(1, 255), range(2, 255)))


@dataclass
class Crowd:
    """Sends each request from the next address, with the headers CloudFront would add."""

    url: str
    origin_secret: str
    addresses: Iterator[str] = field(default_factory=client_addresses)
    sent: int = 0

    def session(self) -> tuple[requests.Session, dict[str, str]]:
        address = next(self.addresses)
        session = requests.Session()
        session.mount("http://", SourceAddress(address))
        self.sent += 1
        # Sent by the client too for a gateway that does not play CloudFront yet; one that does
        # replaces both (with the same secret, and this very address).
        return session, {ORIGIN_HEADER: self.origin_secret, "CloudFront-Viewer-Address": f"{address}:443"}

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        session, headers = self.session()
        with session:
            return session.post(self.url + path, json=body, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    overrides = {"ORIGIN_SECRET": secrets.token_urlsafe(36)}
    data_dir = tmp_path_factory.mktemp("fuzz")
    with stack_for(dynamodb_endpoint, data_dir, "fuzz", overrides=overrides) as running:
        from infra.local.seed import seed_stack

        seed_stack(running, community=False)  # the demo accounts: the crowd adds nothing to fuzz
        yield running


@pytest.fixture(scope="module")
def crowd(stack: LocalStack) -> Crowd:
    return Crowd(stack.url, stack.env["ORIGIN_SECRET"])


def sign_in(crowd: Crowd, email: str) -> str:
    from infra.local.seed import DEMO_PASSWORD

    reply = crowd.post("/api/auth/login", {"email": email, "password": DEMO_PASSWORD})
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


@pytest.fixture(scope="module")
def document(stack: LocalStack, crowd: Crowd) -> dict[str, Any]:
    session, headers = crowd.session()
    with session:
        reply = session.get(f"{stack.url}/api/openapi.json", headers=headers, timeout=60)
    assert reply.status_code == 200, reply.text
    loaded: dict[str, Any] = reply.json()
    return loaded


def test_the_checks_report_an_answer_the_document_does_not_declare(
    stack: LocalStack, crowd: Crowd, document: dict[str, Any]
) -> None:
    # Given a document that forgets the 404 of one operation
    forgetful = copy.deepcopy(document)
    del forgetful["paths"]["/api/users/{user_id}"]["get"]["responses"]["404"]
    operation = schemathesis.openapi.from_dict(forgetful)["/api/users/{user_id}"]["GET"]
    case = operation.Case(path_parameters={"user_id": "nobody-has-this-id"})
    # When the real API answers 404, the checks fail the case
    session, headers = crowd.session()
    with session:
        response = case.call(base_url=stack.url, session=session, headers=headers, timeout=60)
    assert response.status_code == 404
    with pytest.raises(BaseExceptionGroup) as failed:  # schemathesis groups what its checks found
        case.validate_response(response, checks=CHECKS, headers=headers)
    assert "Undocumented status code\n\nReceived: 404" in str(failed.value.exceptions[0])


def test_every_operation_answers_only_what_the_document_declares(
    stack: LocalStack, crowd: Crowd, document: dict[str, Any]
) -> None:
    schema = schemathesis.openapi.from_dict(document)
    callers: dict[str, dict[str, str]] = {
        "signed out": {},
        "learner": {"Authorization": f"Bearer {sign_in(crowd, 'asha@peerlearn.example')}"},
        "mentor": {"Authorization": f"Bearer {sign_in(crowd, 'vikram@peerlearn.example')}"},
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: dict[str, str] = {}
    statuses: Counter[int] = Counter()
    started = time.monotonic()

    for operation, (caller, auth), (mode, examples) in itertools.product(
        operations, callers.items(), EXAMPLES.items()
    ):
        if auth and operation.label in SIGNED_IN_SKIPS:
            continue

        @seed(SEED)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode)))
        def send(case: schemathesis.Case) -> None:
            session, headers = crowd.session()
            headers.update(auth)
            with session:
                response = case.call(base_url=stack.url, session=session, headers=headers, timeout=60)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as failure:  # collected: shrinking would only resend
                # One entry per operation, status and kind of failure, whoever called.
                found = getattr(failure, "exceptions", None) or [failure]
                kinds = ", ".join(sorted({str(getattr(f, "title", type(f).__name__)) for f in found}))
                key = f"{operation.label} -> {response.status_code}: {kinds}"
                failures.setdefault(key, f"({caller}, {mode}) {failure}"[:800])

        try:
            send()
        except Unsatisfiable:  # nothing about this operation can be made invalid (negative mode)
            continue

    elapsed = time.monotonic() - started
    print(f"\nfuzz: {crowd.sent} requests, {len(operations)} operations, {elapsed:.0f} s: {dict(statuses)}")
    assert not failures, "\n\n".join(f"{key}\n{detail}" for key, detail in sorted(failures.items()))
