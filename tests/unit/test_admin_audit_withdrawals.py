"""Withdrawal decisions are audited: approving or rejecting writes an entry in the same transaction as
the decision; a decision already taken writes none."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from peerlearn.context import Context
from peerlearn.store.audit import AUDIT_PK, AuditItem
from tests.payouts_support import BANK, StubRazorpayX, make_payouts, seed_available
from tests.support import Reply, call, load_function, rest_event

MENTOR = {"user_id": "01JDQ4Z3N0R1C5X8H2P7M9T4QB", "role": "mentor"}
ADMIN = {"user_id": "01JDQ4Z3N0R1C5X8H2P7M9ADMN", "role": "admin"}


@pytest.fixture
def payouts_fn(ctx: Context) -> ModuleType:
    module = load_function("payouts")
    module.built = make_payouts(StubRazorpayX())
    return module


def send(fn: ModuleType, method: str, path: str, who: dict[str, str], body: Any = None) -> Reply:
    return call(fn, rest_event(method, path, body, identity=who))


def entries() -> list[AuditItem]:
    return list(AuditItem.query(AUDIT_PK, scan_index_forward=False))


def withdrawal(payouts_fn: ModuleType) -> str:
    send(payouts_fn, "PUT", "/api/me/payout-account", MENTOR, BANK)
    seed_available(MENTOR["user_id"], 100_000)
    made = send(payouts_fn, "POST", "/api/me/withdrawals", MENTOR, {"amount_paise": 100_000})
    assert made.status == 201, made
    withdrawal_id: str = made.body["id"]
    return withdrawal_id


def test_an_approval_is_audited_once(payouts_fn: ModuleType) -> None:
    withdrawal_id = withdrawal(payouts_fn)

    approved = send(payouts_fn, "POST", f"/api/admin/withdrawals/{withdrawal_id}/approve", ADMIN)
    again = send(payouts_fn, "POST", f"/api/admin/withdrawals/{withdrawal_id}/approve", ADMIN)

    assert approved.status == 200
    assert approved.body["status"] == "processing"
    assert again.status == 409
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "withdrawal.approve",
        ADMIN["user_id"],
        "withdrawal",
        withdrawal_id,
    )
    assert (entry.before, entry.after) == (
        {"status": "requested"},
        {"status": "approved", "amount_paise": 100_000, "mentor_id": MENTOR["user_id"]},
    )


def test_a_rejection_is_audited_with_its_reason_and_a_second_one_is_not(payouts_fn: ModuleType) -> None:
    withdrawal_id = withdrawal(payouts_fn)
    path = f"/api/admin/withdrawals/{withdrawal_id}/reject"

    rejected = send(payouts_fn, "POST", path, ADMIN, {"reason": "Name doesn't match the PAN"})
    again = send(payouts_fn, "POST", path, ADMIN, {"reason": "Still doesn't match"})

    assert rejected.status == 200
    assert again.status == 409
    [entry] = entries()
    assert (entry.action, entry.reason, entry.before, entry.after["status"]) == (
        "withdrawal.rejected",
        "Name doesn't match the PAN",
        {"status": "requested"},
        "rejected",
    )


def test_a_payout_the_bank_ends_is_not_an_admin_action(payouts_fn: ModuleType) -> None:
    """Settlements without an admin (webhooks, the schedule) write no audit entry."""
    from peerlearn.payouts.withdrawals import settle

    withdrawal_id = withdrawal(payouts_fn)
    send(payouts_fn, "POST", f"/api/admin/withdrawals/{withdrawal_id}/approve", ADMIN)
    settle(withdrawal_id, outcome="paid", payout_id="pout_1", payout_status="processed")
    assert [e.action for e in entries()] == ["withdrawal.approve"]
