"""The local stack end to end on a fixture template: API Gateway's authorizer flow and the stream poller."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.local import dynamodb
from infra.local.stack import LocalStack
from tests.support import stack_for, wait_until

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    data_dir = tmp_path_factory.mktemp("local")
    with stack_for(
        dynamodb_endpoint,
        data_dir,
        "infra-test",
        template_path=FIXTURES / "template.yaml",
        overrides={"RECORDER_LOG": str(data_dir / "recorder.jsonl")},
        poll_interval_seconds=0.02,
        retry_delay_seconds=0.01,
    ) as running:
        yield running


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        yield client


def recorded(stack: LocalStack) -> list[dict[str, Any]]:
    log = Path(stack.env["RECORDER_LOG"])
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def put(stack: LocalStack, pk: str, kind: str, behaviour: str = "ok") -> None:
    item = {"pk": {"S": pk}, "sk": {"S": "ITEM"}, "kind": {"S": kind}, "behaviour": {"S": behaviour}}
    dynamodb.client("dynamodb", stack.dynamodb_endpoint).put_item(TableName=stack.table_name, Item=item)


# ---------------------------------------------------------------------- REST + authorizer
def test_an_allowed_request_reaches_the_function_with_the_authorizer_context(api: httpx.Client) -> None:
    reply = api.get("/api/greet/alice", params={"tag": ["a", "b"]}, headers={"Authorization": "Bearer allow"})

    assert reply.status_code == 200
    received = reply.json()
    assert received["resource"] == "/api/greet/{name}"
    assert received["pathParameters"] == {"name": "alice"}
    assert received["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    authorizer = received["authorizer"]
    assert {k: authorizer[k] for k in ("principalId", "user", "admin", "level")} == {
        "principalId": "user-1",
        "user": "u1",
        "admin": "true",
        "level": "3",
    }
    assert received["function"].endswith("EchoFunction")
    assert 0 < received["remaining_ms"] <= 5000
    assert reply.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert reply.headers["access-control-allow-origin"] == "*"


def test_the_function_sees_the_origin_secret_and_the_real_peer_never_a_client_sent_address(
    api: httpx.Client,
) -> None:
    forged = {"X-PeerLearn-Origin": "guessed", "CloudFront-Viewer-Address": "203.0.113.66:1234"}

    reply = api.post("/api/open", json={}, headers=forged)

    headers = reply.json()["headers"]
    assert headers["X-PeerLearn-Origin"] == [reply.json()["origin_secret"]]
    assert len(reply.json()["origin_secret"]) >= 32
    (address,) = headers["CloudFront-Viewer-Address"]
    assert re.fullmatch(r"127\.0\.0\.1:\d+", address)


def test_server_timing_tells_the_function_and_authorizer_durations(api: httpx.Client) -> None:
    guarded = api.get("/api/greet/alice", headers={"Authorization": "Bearer allow"})
    open_route = api.post("/api/open", json={})

    assert re.fullmatch(r"fn;dur=\d+\.\d, auth;dur=\d+\.\d", guarded.headers["server-timing"])
    assert re.fullmatch(r"fn;dur=\d+\.\d", open_route.headers["server-timing"])


def test_answers_carry_the_templates_security_headers_pointing_at_the_local_stack(
    api: httpx.Client, stack: LocalStack
) -> None:
    reply = api.post("/api/open", json={})

    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["content-security-policy"] == f"default-src 'self'; connect-src 'self' {stack.url}"


def test_a_denying_policy_is_a_403_from_the_gateway_responses(api: httpx.Client) -> None:
    reply = api.get("/api/greet/alice", headers={"Authorization": "Bearer deny"})

    assert reply.status_code == 403
    assert reply.json() == {"error": "forbidden"}


def test_a_policy_for_another_path_is_a_403(api: httpx.Client) -> None:
    assert api.get("/api/greet/alice", headers={"Authorization": "Bearer alice-only"}).status_code == 200
    assert api.get("/api/greet/bob", headers={"Authorization": "Bearer alice-only"}).status_code == 403


def test_an_authorizer_raising_unauthorized_is_a_401(api: httpx.Client) -> None:
    reply = api.get("/api/greet/alice", headers={"Authorization": "Bearer nonsense"})

    assert reply.status_code == 401
    assert reply.json() == {"error": "unauthorized"}


def test_a_missing_identity_header_is_a_401_without_calling_the_authorizer(
    api: httpx.Client, stack: LocalStack
) -> None:
    assert stack.runtime is not None
    calls_before = stack.runtime.invocations["AuthorizerFunction"]

    reply = api.get("/api/greet/alice")

    assert reply.status_code == 401
    assert stack.runtime.invocations["AuthorizerFunction"] == calls_before


def test_open_routes_skip_the_authorizer_and_keep_the_trailing_slash(api: httpx.Client) -> None:
    reply = api.post(
        "/api/open/", content=b"\x00\xffbinary", headers={"Content-Type": "application/octet-stream"}
    )

    assert reply.status_code == 200
    received = reply.json()
    assert received["path"] == "/api/open/"
    assert received["authorizer"] is None
    assert received["isBase64Encoded"] is True


def test_a_greedy_path_captures_the_rest_of_the_path(api: httpx.Client) -> None:
    reply = api.delete("/api/files/docs/2026/plan.pdf")

    assert reply.status_code == 200
    assert reply.json()["pathParameters"] == {"proxy": "docs/2026/plan.pdf"}


def test_a_path_with_an_encoded_newline_is_routed_like_any_other(api: httpx.Client) -> None:
    # Starlette's {path:path} stops at a newline: such a path used to fall through to a text 404.
    routed = api.delete("/api/files/docs%0Aplan.pdf")
    unknown = api.get("/api/nowhere%0A")

    assert routed.status_code == 200
    assert routed.json()["pathParameters"] == {"proxy": "docs\nplan.pdf"}
    assert unknown.status_code == 403
    assert unknown.json() == {"message": "Missing Authentication Token"}


def test_a_function_error_is_a_502_internal_server_error(api: httpx.Client) -> None:
    reply = api.get("/api/boom")

    assert reply.status_code == 502
    assert reply.json() == {"message": "Internal server error"}


def test_an_unknown_route_is_api_gateways_missing_token_403(api: httpx.Client) -> None:
    reply = api.get("/api/nowhere")

    assert reply.status_code == 403
    assert reply.json() == {"message": "Missing Authentication Token"}


def test_preflight_is_answered_from_the_cors_settings(api: httpx.Client) -> None:
    reply = api.options(
        "/api/greet/alice", headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"}
    )

    assert reply.status_code == 200
    assert reply.headers["access-control-allow-methods"] == "GET,POST,OPTIONS"
    assert reply.headers["access-control-allow-headers"] == "Authorization,Content-Type"
    assert reply.headers["access-control-max-age"] == "600"


# ---------------------------------------------------------------------- streams
def test_an_insert_that_passes_the_filter_is_delivered_and_others_are_not(stack: LocalStack) -> None:
    put(stack, "NOTE#1", "note")
    put(stack, "OTHER#1", "other")
    put(stack, "NOTE#1", "note")  # a MODIFY: the filter wants INSERTs only

    stack.await_idle(timeout=10)

    mine = [r for r in recorded(stack) if r["pk"] in ("NOTE#1", "OTHER#1")]
    assert [(r["pk"], r["eventName"]) for r in mine] == [("NOTE#1", "INSERT")]
    assert mine[0]["eventSource"] == "aws:dynamodb"
    assert isinstance(mine[0]["created"], int | float)


def test_a_reported_item_failure_is_delivered_again(stack: LocalStack) -> None:
    put(stack, "NOTE#retry", "note", behaviour="fail-once")
    put(stack, "NOTE#after", "note")

    stack.await_idle(timeout=10)

    deliveries = [r["pk"] for r in recorded(stack) if r["pk"] in ("NOTE#retry", "NOTE#after")]
    assert deliveries.count("NOTE#retry") == 2
    assert "NOTE#after" in deliveries


def test_a_record_that_keeps_failing_goes_to_the_dead_letter_file(stack: LocalStack) -> None:
    put(stack, "NOTE#poison", "note", behaviour="fail-always")
    put(stack, "NOTE#next", "note")

    stack.await_idle(timeout=10)
    dead = wait_until(lambda: _dead_letters(stack), what="a dead letter")

    assert [r["pk"] for r in recorded(stack)].count("NOTE#poison") == 3  # first try + MaximumRetryAttempts 2
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in dead[-1]["Records"]] == ["NOTE#poison"]
    assert dead[-1]["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert "NOTE#next" in [r["pk"] for r in recorded(stack)]


def _dead_letters(stack: LocalStack) -> list[dict[str, Any]]:
    path = stack.dead_letter_path
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_restarted_stack_resumes_after_its_checkpoint(dynamodb_endpoint: str, tmp_path: Path) -> None:
    settings: dict[str, Any] = {
        "data_dir": tmp_path,
        "port": 0,
        "template_path": FIXTURES / "template.yaml",
        "table_name": f"infra-restart-{uuid.uuid4().hex[:8]}",
        "dynamodb_endpoint": dynamodb_endpoint,
        "env_file": None,
        "overrides": {"RECORDER_LOG": str(tmp_path / "recorder.jsonl")},
        "poll_interval_seconds": 0.02,
    }
    with LocalStack(**settings) as first:
        put(first, "NOTE#before", "note")
        first.await_idle(timeout=10)

    with LocalStack(**settings) as second:
        second.await_idle(timeout=10)
        assert [r["pk"] for r in recorded(second)] == ["NOTE#before"]
        put(second, "NOTE#after", "note")
        second.await_idle(timeout=10)
        assert [r["pk"] for r in recorded(second)] == ["NOTE#before", "NOTE#after"]
