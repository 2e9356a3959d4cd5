"""The sandbox's dev pages, switches, Checkout files, and the local environment it shares with functions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.environment import local_environment, local_secrets
from infra.local.triggers import TRIGGER_MODULES
from infra.local.triggers.razorpay import RazorpayTrigger, create
from infra.local.triggers.razorpay.settings import Switches
from peerlearn.config import RazorpaySettings
from tests.unit.infra.razorpay_harness import Harness

STATIC = Path(__file__).parents[3] / "infra" / "local" / "triggers" / "razorpay" / "static"


@pytest.fixture
def rzp(tmp_path: Path) -> Iterator[Harness]:
    with Harness(tmp_path) as harness:
        yield harness


def test_the_json_page_lists_everything_with_webhook_attempts(rzp: Harness) -> None:
    order = rzp.order()
    rzp.pay(order["id"])
    rzp.idle()

    state = rzp.http.get("/_dev/razorpay.json").json()

    assert [o["id"] for o in state["orders"]] == [order["id"]]
    assert state["payments"][0]["status"] == "captured"
    assert {"refunds", "contacts", "fund_accounts", "payouts", "switches"} <= set(state)
    assert {d["event"] for d in state["deliveries"]} == {
        "payment.authorized",
        "payment.captured",
        "order.paid",
    }
    assert all(d["status"] == "delivered" and d["attempts"][0]["status"] == 200 for d in state["deliveries"])


def test_the_html_page_shows_orders_and_deliveries_with_resend_buttons(rzp: Harness) -> None:
    order = rzp.order()
    rzp.pay(order["id"], outcome="failure")
    rzp.idle()

    page = rzp.http.get("/_dev/razorpay")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert order["id"] in page.text
    assert "payment.failed" in page.text
    assert re.search(r'action="/_dev/razorpay/deliveries/dlv_\w+/resend"', page.text)


def test_the_dev_index_links_the_sandbox(rzp: Harness) -> None:
    assert 'href="/_dev/razorpay"' in rzp.http.get("/_dev").text


def test_switches_are_set_by_json_or_form_and_bad_values_are_refused(rzp: Harness) -> None:
    set_json = rzp.http.post("/_dev/razorpay/switches", json={"duplicates": 2, "reorder": True})
    set_form = rzp.http.post(
        "/_dev/razorpay/switches", data={"refund_outcome": "failed"}, follow_redirects=False
    )
    bad = rzp.http.post("/_dev/razorpay/switches", json={"payout_outcome": "lost"})
    unknown = rzp.http.post("/_dev/razorpay/switches", json={"chaos": 1})

    assert set_json.json()["duplicates"] == 2
    assert set_json.json()["reorder"] is True
    assert set_form.status_code == 303
    assert rzp.http.get("/_dev/razorpay/switches").json()["refund_outcome"] == "failed"
    assert bad.status_code == 400
    assert "payout_outcome" in bad.json()["error"]["description"]
    assert unknown.status_code == 400
    assert rzp.switches.payout_outcome == "processed"


def test_switches_start_from_the_environment() -> None:
    switches = Switches.from_env(
        {
            "RAZORPAY_SANDBOX_DUPLICATES": "3",
            "RAZORPAY_SANDBOX_REORDER": "true",
            "RAZORPAY_SANDBOX_DELAY_SECONDS": "1.5",
        }
    )

    assert (switches.duplicates, switches.reorder, switches.delay_seconds) == (3, True, 1.5)
    with pytest.raises(ValueError, match="max_attempts"):
        Switches.from_env({"RAZORPAY_SANDBOX_MAX_ATTEMPTS": "-1"})


def test_pay_refuses_unknown_orders_methods_and_outcomes(rzp: Harness) -> None:
    order = rzp.order()
    for body in (
        {"order_id": "order_nope0000000000", "method": "upi", "outcome": "success"},
        {"order_id": order["id"], "method": "cash", "outcome": "success"},
        {"order_id": order["id"], "method": "upi", "outcome": "maybe"},
    ):
        reply = rzp.http.post("/_dev/razorpay/pay", json=body)
        assert reply.status_code == 400
        assert reply.json()["error"]["code"] == "BAD_REQUEST_ERROR"


def test_checkouts_own_endpoint_needs_the_public_key(rzp: Harness) -> None:
    order = rzp.order()

    wrong = rzp.http.post("/_razorpay/checkout/pay", json={"key": "rzp_test_other", "order_id": order["id"]})
    right = rzp.http.post(
        "/_razorpay/checkout/pay",
        json={"key": rzp.keys.key_id, "order_id": order["id"], "method": "netbanking", "outcome": "success"},
    )

    assert wrong.status_code == 401
    assert rzp.client.utility.verify_payment_signature(right.json())


def test_checkout_js_and_its_stylesheet_are_served_from_the_sandbox(rzp: Harness) -> None:
    script = rzp.http.get("/_razorpay/checkout.js")
    styles = rzp.http.get("/_razorpay/checkout.css")

    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "window.Razorpay = Razorpay" in script.text
    assert styles.status_code == 200
    assert styles.headers["content-type"].startswith("text/css")


def test_checkout_js_keeps_to_a_strict_csp_and_checkouts_contract() -> None:
    source = (STATIC / "checkout.js").read_text()

    # No inline style or script: no style attributes, no <style>/<script> markup, no eval or innerHTML.
    for forbidden in (
        ".style",
        "'style'",
        '"style"',
        "<style",
        "<script",
        "innerHTML",
        "eval(",
        "new Function",
    ):
        assert forbidden not in source, forbidden
    for contract in (
        "'payment.failed'",
        "modal.ondismiss",
        "o.handler(answer.body)",
        "'role', 'dialog'",
        "'aria-modal', 'true'",
        "'Escape'",
        "'Tab'",
        "retry",
    ):
        assert contract in source, contract


# ---------------------------------------------------------------------- the local environment
def test_functions_get_the_sandbox_settings_and_secrets_made_once(tmp_path: Path) -> None:
    env = local_environment(tmp_path, "http://127.0.0.1:3000", "table", "http://127.0.0.1:8000")

    settings = RazorpaySettings.from_env(env)

    assert re.fullmatch(r"rzp_test_[A-Za-z0-9]{14}", settings.key_id)
    assert settings.base_url == "http://127.0.0.1:3000/_razorpay"
    assert settings.checkout_url == "http://127.0.0.1:3000/_razorpay/checkout.js"
    assert settings.key_secret != settings.webhook_secret
    assert len(settings.key_secret) >= 32
    assert local_secrets(tmp_path)["RAZORPAY_KEY_SECRET"] == settings.key_secret  # kept, not remade
    assert settings.key_secret not in repr(settings)
    assert oct((tmp_path / "secrets.env").stat().st_mode & 0o777) == "0o600"


def test_the_trigger_is_always_created_with_the_functions_keys(tmp_path: Path) -> None:
    from infra.local.template import Template
    from infra.local.triggers import TriggerContext

    env = local_environment(tmp_path, "http://127.0.0.1:3999", "table", "http://127.0.0.1:8000")
    context = TriggerContext(
        template=Template.load(),
        runtime=None,  # type: ignore[arg-type]  (the sandbox invokes no function)
        data_dir=tmp_path,
        dynamodb_endpoint="http://127.0.0.1:8000",
        dead_letter_path=tmp_path / "dead.jsonl",
        url="http://127.0.0.1:3999",
        env={**env, "RAZORPAY_SANDBOX_DUPLICATES": "1"},
    )

    trigger = create(context)

    assert "razorpay" in TRIGGER_MODULES
    assert isinstance(trigger, RazorpayTrigger)
    keys = trigger.sandbox.keys
    assert keys.key_secret == env["RAZORPAY_KEY_SECRET"]
    assert keys.webhook_secret == env["RAZORPAY_WEBHOOK_SECRET"]
    assert keys.webhook_url == "http://127.0.0.1:3999/api/webhooks/razorpay"
    assert trigger.sandbox.switches.duplicates == 1
    assert keys.key_secret not in repr(keys)
    assert keys.webhook_secret not in repr(keys)


def test_an_unpaid_order_can_be_paid_from_the_page(rzp: Harness) -> None:
    order = rzp.order()
    page = rzp.http.get("/_dev/razorpay").text
    assert f'name="order_id" value="{order["id"]}"' in page

    reply = rzp.http.post(
        "/_dev/razorpay/pay",
        data={"order_id": order["id"], "method": "netbanking", "outcome": "success"},
        follow_redirects=False,
    )

    assert reply.status_code == 303
    assert rzp.client.order.fetch(order["id"])["status"] == "paid"
    assert f'name="order_id" value="{order["id"]}"' not in rzp.http.get("/_dev/razorpay").text
