"""The Razorpay sandbox on a running local stack: the real SDK over HTTP with the functions' keys,
and webhooks POSTed through the gateway (its API routes and gateway responses)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import razorpay

from infra.local.stack import LocalStack
from peerlearn.config import RazorpaySettings
from tests.support import stack_for

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    data_dir = tmp_path_factory.mktemp("local")
    overrides = {
        "RAZORPAY_SANDBOX_RETRY_BASE_SECONDS": "0.05",
        "RAZORPAY_SANDBOX_MAX_ATTEMPTS": "2",
        "RAZORPAY_SANDBOX_SETTLE_SECONDS": "0.05",
    }
    with stack_for(
        dynamodb_endpoint,
        data_dir,
        "razorpay-test",
        template_path=FIXTURES / "template.yaml",
        overrides=overrides,
    ) as running:
        yield running


def client(stack: LocalStack) -> razorpay.Client:
    settings = RazorpaySettings.from_env(stack.env)  # what a function of the stack would use
    return razorpay.Client(auth=(settings.key_id, settings.key_secret), base_url=settings.base_url)


def test_the_sdk_with_the_functions_settings_pays_an_order_on_the_stack(stack: LocalStack) -> None:
    rzp = client(stack)
    order = rzp.order.create({"amount": 25_000, "currency": "INR", "receipt": "bk_stack_1"})

    answer = httpx.post(
        f"{stack.url}/_dev/razorpay/pay",
        json={"order_id": order["id"], "method": "upi", "outcome": "success"},
    )

    assert rzp.utility.verify_payment_signature(answer.json())
    assert rzp.order.fetch(order["id"])["status"] == "paid"
    assert stack.razorpay.payments.fetch_order(order["id"])["status"] == "paid"
    assert (stack.data_dir / "secrets.env").read_text().count("RAZORPAY_WEBHOOK_SECRET=") == 1


def test_webhooks_go_through_the_gateway_and_are_retried_until_they_give_up(stack: LocalStack) -> None:
    sandbox = stack.razorpay
    order = client(stack).order.create({"amount": 25_000, "currency": "INR", "receipt": "bk_stack_2"})

    sandbox.pay(order["id"], outcome="failure")
    stack.await_idle(10)

    # The fixture template has no webhook route: API Gateway's answer for an unknown path, twice.
    [delivery] = [d for d in sandbox.deliveries("payment.failed") if order["id"] in d["body"]]
    assert delivery["status"] == "failed"
    assert [a["status"] for a in delivery["attempts"]] == [403, 403]


def test_a_webhook_reaches_a_function_through_the_gateway(stack: LocalStack) -> None:
    sandbox = stack.razorpay
    sandbox.webhooks.keys = dataclasses.replace(sandbox.keys, webhook_url=f"{stack.url}/api/open")
    order = client(stack).order.create({"amount": 25_000, "currency": "INR", "receipt": "bk_stack_3"})

    sandbox.pay(order["id"], outcome="failure")
    stack.await_idle(20)

    [delivery] = [d for d in sandbox.deliveries("payment.failed") if order["id"] in d["body"]]
    assert delivery["status"] == "delivered"


def test_the_checkout_stand_in_and_the_dev_pages_are_served(stack: LocalStack) -> None:
    script = httpx.get(f"{stack.url}/_razorpay/checkout.js")
    index = httpx.get(f"{stack.url}/_dev")
    state = httpx.get(f"{stack.url}/_dev/razorpay.json")

    assert script.status_code == 200
    assert "window.Razorpay" in script.text
    assert "/_dev/razorpay" in index.text
    assert state.json()["orders"]


def test_the_sites_csp_on_the_real_template_lets_the_checkout_stand_in_run(
    dynamodb_endpoint: str, tmp_path: Path
) -> None:
    with stack_for(dynamodb_endpoint, tmp_path, "razorpay-csp") as real:
        page = httpx.get(f"{real.url}/sessions/some-session")  # an app route: the site's headers
        script = httpx.get(real.env["RAZORPAY_CHECKOUT_URL"])

    csp = {
        directive.split()[0]: directive.split()[1:]
        for directive in page.headers["content-security-policy"].split(";")
        if directive.strip()
    }
    assert script.status_code == 200
    assert real.env["RAZORPAY_CHECKOUT_URL"].startswith(real.url)  # same origin: 'self'
    assert "'self'" in csp["script-src"]
    assert "'self'" in csp["style-src"]  # its stylesheet is a file beside it
    assert "'self'" in csp["connect-src"]  # it pays through /_razorpay/checkout/pay
