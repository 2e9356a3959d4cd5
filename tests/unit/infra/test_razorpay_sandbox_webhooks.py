"""The Razorpay sandbox's webhooks: signed, through the gateway's edge, at least once, with switches."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from razorpay.errors import SignatureVerificationError

from tests.support import wait_until
from tests.unit.infra.razorpay_harness import ORIGIN_SECRET, Harness, origin_header


@pytest.fixture
def rzp(tmp_path: Path) -> Iterator[Harness]:
    with Harness(tmp_path) as harness:
        yield harness


def test_webhooks_are_signed_with_the_webhook_secret_over_the_raw_body(rzp: Harness) -> None:
    order = rzp.order()
    payment_id = rzp.pay(order["id"])["razorpay_payment_id"]
    rzp.idle()

    received = rzp.receiver.received
    assert [json.loads(r["body"])["event"] for r in received] == [
        "payment.authorized",
        "payment.captured",
        "order.paid",
    ]
    for request in received:
        body, headers = request["body"].decode(), request["headers"]
        assert rzp.client.utility.verify_webhook_signature(
            body, headers["x-razorpay-signature"], rzp.keys.webhook_secret
        )
        with pytest.raises(SignatureVerificationError):  # not the key secret
            rzp.client.utility.verify_webhook_signature(
                body, headers["x-razorpay-signature"], rzp.keys.key_secret
            )
        assert len(headers["x-razorpay-event-id"]) == 14
        assert origin_header(request) == ORIGIN_SECRET  # it came through the gateway's edge
    paid = json.loads(received[2]["body"])
    assert paid["entity"] == "event"
    assert paid["contains"] == ["payment", "order"]
    assert paid["payload"]["payment"]["entity"]["id"] == payment_id
    assert paid["payload"]["order"]["entity"]["status"] == "paid"
    assert not any(key.startswith("_") for key in paid["payload"]["order"]["entity"])
    assert len({r["headers"]["x-razorpay-event-id"] for r in received}) == 3


def test_a_failed_attempt_is_retried_with_growing_backoff_until_delivered(rzp: Harness) -> None:
    rzp.receiver.statuses = [500, 502, 503]
    rzp.switches.update({"retry_base_seconds": 0.05})

    rzp.pay(rzp.order()["id"], outcome="failure")
    rzp.idle()

    [delivery] = rzp.sandbox.deliveries("payment.failed")
    assert delivery["status"] == "delivered"
    assert [a["status"] for a in delivery["attempts"]] == [500, 502, 503, 200]
    gaps = [b["at"] - a["at"] for a, b in zip(delivery["attempts"], delivery["attempts"][1:], strict=False)]
    assert gaps[0] >= 0.05
    assert gaps[1] >= 0.1
    assert gaps[2] >= 0.2
    bodies = {r["body"] for r in rzp.receiver.received}
    assert len(bodies) == 1  # every attempt sends the same raw body, same event id
    assert len({r["headers"]["x-razorpay-event-id"] for r in rzp.receiver.received}) == 1


def test_a_delivery_gives_up_after_max_attempts(rzp: Harness) -> None:
    rzp.receiver.statuses = [500] * 10
    rzp.switches.update({"max_attempts": 3})

    rzp.pay(rzp.order()["id"], outcome="failure")
    rzp.idle()

    [delivery] = rzp.sandbox.deliveries("payment.failed")
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == 3


def test_a_slow_answer_counts_as_failed_and_is_retried(rzp: Harness) -> None:
    rzp.switches.update({"timeout_seconds": 0.05})
    rzp.receiver.slow_seconds = 0.1

    rzp.pay(rzp.order()["id"], outcome="failure")
    wait_until(
        lambda: any(d["attempts"] for d in rzp.sandbox.deliveries("payment.failed")),
        timeout=10,
        what="the slow first attempt",
    )
    rzp.receiver.slow_seconds = 0.0
    rzp.idle()

    [delivery] = rzp.sandbox.deliveries("payment.failed")
    assert delivery["attempts"][0]["status"] == 200
    assert "answered after" in delivery["attempts"][0]["error"]
    assert delivery["status"] == "delivered"
    assert len(delivery["attempts"]) >= 2


def test_the_duplicates_switch_delivers_each_event_n_more_times(rzp: Harness) -> None:
    rzp.switches.update({"duplicates": 2})

    rzp.pay(rzp.order()["id"])
    rzp.idle()

    ids = [r["headers"]["x-razorpay-event-id"] for r in rzp.receiver.received]
    assert len(ids) == 9
    assert len(set(ids)) == 3
    assert all(ids.count(event_id) == 3 for event_id in ids)


def test_the_reorder_switch_delivers_events_raised_together_last_first(rzp: Harness) -> None:
    rzp.switches.update({"reorder": True})

    rzp.pay(rzp.order()["id"])
    rzp.idle()

    assert rzp.receiver.events() == ["order.paid", "payment.captured", "payment.authorized"]


def test_the_delay_switch_holds_the_first_attempt(rzp: Harness) -> None:
    rzp.switches.update({"delay_seconds": 0.3})

    started = time.time()
    rzp.pay(rzp.order()["id"], outcome="failure")
    time.sleep(0.1)
    assert rzp.receiver.received == []
    rzp.idle()

    [delivery] = rzp.sandbox.deliveries("payment.failed")
    assert delivery["attempts"][0]["at"] - started >= 0.3


def test_a_delivery_can_be_resent(rzp: Harness) -> None:
    rzp.pay(rzp.order()["id"], outcome="failure")
    rzp.idle()
    [first] = rzp.sandbox.deliveries()

    reply = rzp.http.post(f"/_dev/razorpay/deliveries/{first['id']}/resend")
    rzp.idle()

    assert reply.status_code == 200
    assert reply.json()["resend_of"] == first["id"]
    assert len(rzp.receiver.received) == 2
    assert rzp.receiver.received[0]["body"] == rzp.receiver.received[1]["body"]
    assert rzp.http.post("/_dev/razorpay/deliveries/dlv_nope/resend").status_code == 404


def test_pending_work_survives_a_restart(tmp_path: Path) -> None:
    with Harness(tmp_path, settle_seconds=30) as first:
        payment_id = first.pay(first.order()["id"])["razorpay_payment_id"]
        refund = first.client.post(
            f"/v1/payments/{payment_id}/refund", {}, headers={"X-Refund-Idempotency": "refund-restart-1"}
        )
    saved = json.loads(first.state_path.read_text())
    assert saved["timers"][0]["id"] == refund["id"]

    with Harness(tmp_path) as second:
        second.sandbox.books.timers[0]["due"] = 0  # its time has come
        second.idle()
        assert second.client.payment.fetch(payment_id)["status"] == "refunded"
        assert second.client.refund.fetch(refund["id"])["status"] == "processed"
        # Deliveries the first run had not made yet are made by the second (at least once).
        delivered = first.receiver.events() + second.receiver.events()
        assert delivered.count("refund.created") >= 1
        assert second.receiver.events()[-1] == "refund.processed"


def test_unreadable_records_are_set_aside_not_fatal(tmp_path: Path) -> None:
    state = tmp_path / "razorpay" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{not json")

    with Harness(tmp_path) as rzp:
        assert rzp.order()["status"] == "created"

    assert (tmp_path / "razorpay" / "state.unreadable").read_text() == "{not json"
    assert json.loads(state.read_text())["orders"]
