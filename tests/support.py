"""Helpers shared by the test suites: environments, sample events from events/, function loading."""

from __future__ import annotations

import copy
import gc
import importlib.util
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
JWT_SECRET = "unit-test-secret-that-is-long-enough-0123456789"
# What CloudFront adds to every /api/* request; REST functions refuse requests without it.
ORIGIN_HEADER = "X-PeerLearn-Origin"
ORIGIN_SECRET = "unit-test-origin-secret-0123456789abcdef"
VAPID_TEST_PRIVATE_KEY = "DZZrhVWifRd0hE54xXBNnA2S0Jqq4McYUHrw4OovWA0"  # tests only


# What the functions that move money also need (test values; the payments tests stub the gateway,
# the local stack has its sandbox). Not in base_env: code without Razorpay settings is tested too.
RAZORPAY_TEST_ENV = {
    "RAZORPAY_KEY_ID": "rzp_test_PeerLearnTest01",
    "RAZORPAY_KEY_SECRET": "unit-test-razorpay-key-secret-0123456789",
    "RAZORPAY_WEBHOOK_SECRET": "unit-test-razorpay-webhook-secret-0123",
    "RAZORPAY_CHECKOUT_URL": "http://127.0.0.1:3000/_razorpay/checkout.js",
    "RAZORPAYX_ACCOUNT_NUMBER": "2323230000000000",
}


def base_env(outbox_dir: Path, table_name: str = "peerlearn-test") -> dict[str, str]:
    return {
        "STAGE": "test",
        "TABLE_NAME": table_name,
        "AWS_DEFAULT_REGION": "ap-south-1",
        "AWS_REGION": "ap-south-1",
        "JWT_SECRET": JWT_SECRET,
        "ORIGIN_SECRET": ORIGIN_SECRET,
        "WEB_BASE_URL": "http://127.0.0.1:3000",
        "MEDIA_BASE_URL": "http://127.0.0.1:3000/media",
        "EMAIL_FROM": "no-reply@peerlearn.test",
        "EMAIL_TRANSPORT": "outbox",
        "OUTBOX_DIR": str(outbox_dir),
        "UPLOADS_BUCKET": "uploads-test",
        "UPLOADS_ENDPOINT": "http://127.0.0.1:3000/_dev/uploads",
        "RECOMMEND_REFRESH_SECONDS": "60",  # the template's value for the recommendations function
        "COOKIE_SECURE": "false",
        "BOOKING_CANCEL_CUTOFF_HOURS": "24",
        # moto answers the management API only on an execute-api host
        "WEBSOCKET_URL": "wss://wsapi.execute-api.ap-south-1.amazonaws.com/test",
        "WEBSOCKET_MANAGEMENT_URL": "https://wsapi.execute-api.ap-south-1.amazonaws.com/test",
        "TURN_URIS": "",
        "TURN_TTL_SECONDS": "3600",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "test",
        # Razorpay (the local sandbox's shape; unit tests stub the adapter) and mentor payouts
        "RAZORPAY_KEY_ID": "rzp_test_AbCdEfGhIjKlMn",
        "RAZORPAY_KEY_SECRET": "unit-test-razorpay-key-secret",
        "RAZORPAY_WEBHOOK_SECRET": "unit-test-razorpay-webhook-secret",
        "RAZORPAY_BASE_URL": "http://127.0.0.1:9/_razorpay",
        "RAZORPAY_CHECKOUT_URL": "http://127.0.0.1:9/_razorpay/checkout.js",
        "RAZORPAYX_ACCOUNT_NUMBER": "2323230000000001",
        "PAYOUT_DATA_KEY": "unit-test-payout-data-key-0123456789abcdefghij",
        "PAYOUT_MIN_WITHDRAWAL_PAISE": "50000",
        "PAYOUT_AUTO_APPROVE_BELOW_PAISE": "0",
        # Web push: a test-only VAPID key (base64url P-256 scalar); cloud push services only
        "VAPID_PRIVATE_KEY": VAPID_TEST_PRIVATE_KEY,
        "VAPID_SUBJECT": "mailto:push@peerlearn.test",
        "PUSH_SERVICE_HOSTS": "fcm.googleapis.com,updates.push.services.mozilla.com,*.notify.windows.com",
    }


def load_event(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / relative).read_text())
    return data


def load_function(name: str) -> ModuleType:
    """Imports functions/<name>/app.py afresh (a cold start), under a unique module name."""
    path = ROOT / "functions" / name / "app.py"
    module_name = f"fn_{name}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    # The cold start froze every object alive (peerlearn.coldstart), as Lambda runs it once; a test
    # process loads functions hundreds of times and must not keep earlier tests' garbage forever.
    gc.unfreeze()
    return module


class LambdaContextStub:
    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:test-function"
    memory_limit_in_mb = 512
    aws_request_id = "req-0001"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "stream"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def rest_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    identity: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str = "203.0.113.10",
    raw_body: str | None = None,
    origin_secret: str | None = ORIGIN_SECRET,
) -> dict[str, Any]:
    """A REST proxy event based on events/rest/request.json, as CloudFront forwards it (with the
    origin header; `origin_secret=None` leaves it out, as a request straight to API Gateway)."""
    event = copy.deepcopy(load_event("rest/request.json"))
    event["httpMethod"] = method
    event["path"] = path
    event["resource"] = resource or path
    event["requestContext"]["httpMethod"] = method
    event["requestContext"]["resourcePath"] = resource or path
    event["requestContext"]["identity"]["sourceIp"] = source_ip
    event["pathParameters"] = path_parameters
    event["body"] = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    origin = {ORIGIN_HEADER: origin_secret} if origin_secret is not None else {}
    for key, value in {**origin, **(headers or {})}.items():
        event["headers"][key] = value
        event["multiValueHeaders"][key] = [value]
    if identity is not None:
        event["requestContext"]["authorizer"] = {
            "principalId": identity["user_id"],
            "user_id": identity["user_id"],
            "role": identity.get("role", "learner"),
            "email_verified": str(identity.get("email_verified", True)).lower(),
        }
    return event


class Reply:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.status = raw["statusCode"]
        self.multi_headers = raw.get("multiValueHeaders") or {}
        # API Gateway merges both maps; so does this view.
        self.headers = {
            **{k: v[-1] for k, v in self.multi_headers.items() if v},
            **(raw.get("headers") or {}),
        }
        self.body = json.loads(raw["body"]) if raw.get("body") else None

    @property
    def cookies(self) -> list[str]:
        return list(self.multi_headers.get("Set-Cookie", []))

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body})"


def call(module: ModuleType, event: dict[str, Any]) -> Reply:
    return Reply(module.lambda_handler(event, LambdaContextStub()))


def wait_until(condition: Callable[[], T], timeout: float = 5.0, interval: float = 0.02, what: str = "") -> T:
    """The first truthy value of `condition()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(interval)


def local_in(minutes: float, zone: str = "Asia/Kolkata") -> str:
    """Wall-clock time in `zone`, `minutes` (plus one) from now, as the session form sends it."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    moment = datetime.now(UTC) + timedelta(minutes=minutes + 1)
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


@contextmanager
def fresh_dynamodb() -> Iterator[str]:
    """A new DynamoDB Local, the local stack's fake credentials in the environment; its endpoint."""
    import pytest

    from infra.local.dynamodb import CREDENTIALS, REGION, DynamoDBLocal

    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}.items():
            patch.setenv(name, value)
        with DynamoDBLocal() as database:
            yield database.endpoint


def stack_for(dynamodb_endpoint: str, data_dir: Path, name: str, **options: Any) -> Any:
    """A local stack on a free port, sharing the session's DynamoDB Local, with a table of its own.

    Use as a context manager; `options` go to LocalStack (template_path, overrides, intervals...).
    """
    from infra.local.stack import LocalStack

    return LocalStack(
        data_dir=data_dir,
        port=0,
        dynamodb_endpoint=dynamodb_endpoint,
        table_name=f"{name}-{uuid.uuid4().hex[:8]}",
        env_file=None,
        **options,
    )


# The sandbox's timings compressed for tests: retries, settling refunds and payouts, late payments.
FAST_RAZORPAY = {
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "RAZORPAY_SANDBOX_RETRY_BASE_SECONDS": "0.05",
    "RAZORPAY_SANDBOX_SETTLE_SECONDS": "0.05",
    "RAZORPAY_SANDBOX_LATE_SECONDS": "0.3",
}


def client_from(url: str, address: str = "127.0.0.1", **options: Any) -> Any:
    """An httpx client for the local stack whose connections leave from `address` (any 127.x.y.z).

    The gateway sets CloudFront-Viewer-Address from the socket peer (a client-sent one is dropped),
    so tests act as different clients by connecting from different loopback addresses.
    """
    import httpx

    return httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=address), **options)


def user_item(user_id: str = "01ABC") -> Any:
    """A learner's stored profile item, written by hand for storage-level tests (not via the API)."""
    from peerlearn.store.keys import USER_PROFILE_SK, user_pk
    from peerlearn.store.models import UserItem

    return UserItem(
        user_pk(user_id),
        USER_PROFILE_SK,
        id=user_id,
        email="a@example.com",
        name="A",
        role="learner",
        password_hash="x",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        gsi1pk="ROLE#learner",
        gsi1sk=f"2026-01-01T00:00:00Z#{user_id}",
    )
