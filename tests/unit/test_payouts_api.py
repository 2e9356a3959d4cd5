"""The payout routes through the payouts function (moto, a RazorpayX stand-in): roles, validation of
bank details at the edge, masked answers, status codes, and the OpenAPI document's examples."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from peerlearn.context import Context
from tests.payouts_support import BANK, StubRazorpayX, make_payouts, seed_available
from tests.support import LambdaContextStub, Reply, call, load_function, rest_event

MENTOR = {"user_id": "01JDQ4Z3N0R1C5X8H2P7M9T4QB", "role": "mentor"}
LEARNER = {"user_id": "01JDQ4Z3N0R1C5X8H2P7M9LRNR", "role": "learner"}
ADMIN = {"user_id": "01JDQ4Z3N0R1C5X8H2P7M9ADMN", "role": "admin"}


@pytest.fixture
def gateway() -> StubRazorpayX:
    return StubRazorpayX()


@pytest.fixture
def payouts_fn(ctx: Context, gateway: StubRazorpayX) -> ModuleType:
    module = load_function("payouts")  # a cold start from the environment
    assert module.built.settings.min_withdrawal_paise == 50_000
    module.built = make_payouts(gateway)  # the same, with RazorpayX stood in
    return module


def send(fn: ModuleType, method: str, path: str, who: dict[str, str], body: Any = None, **kw: Any) -> Reply:
    return call(fn, rest_event(method, path, body, identity=who, **kw))


def test_a_mentor_sets_up_payouts_and_sees_them_masked(
    payouts_fn: ModuleType, gateway: StubRazorpayX
) -> None:
    assert send(payouts_fn, "GET", "/api/me/payout-account", MENTOR).status == 404

    put = send(payouts_fn, "PUT", "/api/me/payout-account", MENTOR, {**BANK, "pan": "abcde1234f"})
    got = send(payouts_fn, "GET", "/api/me/payout-account", MENTOR)

    assert put.status == 200
    assert got.body == put.body
    assert got.body["account_masked"] == "••••6789"
    assert got.body["pan_masked"] == "******234F"
    assert got.body["ready"] is True
    assert "account_number" not in got.body
    assert "pan" not in got.body
    assert len(gateway.fund_accounts) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pan", "ABCD1234F"),
        ("pan", "ABCDE12345"),
        ("account_number", "12345678"),
        ("account_number", "1234567890123456789"),
        ("account_number", "12345678901A"),
        ("ifsc", "HDFC1001234"),
        ("ifsc", "HDF00001234"),
        ("legal_name", "A\u202eBC"),
        ("legal_name", "Vi"),
        ("legal_name", "V" * 51),
    ],
)
def test_bank_details_in_the_wrong_format_are_refused(
    payouts_fn: ModuleType, gateway: StubRazorpayX, field: str, value: str
) -> None:
    reply = send(payouts_fn, "PUT", "/api/me/payout-account", MENTOR, {**BANK, field: value})
    assert reply.status == 400
    assert reply.body["error"]["field"] == field
    assert gateway.fund_accounts == []


def test_only_mentors_have_payouts(payouts_fn: ModuleType) -> None:
    for method, path in [
        ("GET", "/api/me/payout-account"),
        ("GET", "/api/me/earnings"),
        ("GET", "/api/me/withdrawals"),
    ]:
        assert send(payouts_fn, method, path, LEARNER).status == 403
    assert send(payouts_fn, "PUT", "/api/me/payout-account", LEARNER, BANK).status == 403
    assert send(payouts_fn, "POST", "/api/me/withdrawals", LEARNER, {}).status == 403


def test_an_unverified_mentor_cant_set_up_payouts_or_withdraw(payouts_fn: ModuleType) -> None:
    unverified = {**MENTOR, "email_verified": False}
    put = send(payouts_fn, "PUT", "/api/me/payout-account", unverified, BANK)
    assert put.status == 403
    assert put.body["error"]["code"] == "email_not_verified"
    assert send(payouts_fn, "POST", "/api/me/withdrawals", unverified, {}).status == 403


def test_withdraw_approve_and_see_it_listed(payouts_fn: ModuleType, gateway: StubRazorpayX) -> None:
    send(payouts_fn, "PUT", "/api/me/payout-account", MENTOR, BANK)
    seed_available(MENTOR["user_id"], 120_000)

    low = send(payouts_fn, "POST", "/api/me/withdrawals", MENTOR, {"amount_paise": 10_000})
    made = send(payouts_fn, "POST", "/api/me/withdrawals", MENTOR, {"amount_paise": 100_000})
    earnings = send(payouts_fn, "GET", "/api/me/earnings", MENTOR)
    queue = send(payouts_fn, "GET", "/api/admin/withdrawals", ADMIN)
    not_yours = send(payouts_fn, "GET", "/api/admin/withdrawals", MENTOR)
    withdrawal_id = made.body["id"]
    path = f"/api/admin/withdrawals/{withdrawal_id}/approve"
    params = {"withdrawal_id": withdrawal_id}
    by_mentor = send(payouts_fn, "POST", path, MENTOR, resource="/api/admin/withdrawals/{id}/approve")
    approved = send(payouts_fn, "POST", path, ADMIN, path_parameters=params)

    assert low.status == 400
    assert low.body["error"]["code"] == "below_minimum"
    assert made.status == 201
    assert made.body["status"] == "requested"
    assert earnings.body["available_paise"] == 20_000
    assert earnings.body["in_transit_paise"] == 100_000
    assert [w["id"] for w in queue.body["items"]] == [withdrawal_id]
    assert not_yours.status == 403
    assert by_mentor.status == 403
    assert approved.status == 200
    assert approved.body["status"] == "processing"
    assert gateway.payout_calls[0]["idempotency_key"] == withdrawal_id
    mine = send(payouts_fn, "GET", "/api/me/withdrawals", MENTOR)
    assert mine.body["items"][0]["payout_id"] == approved.body["payout_id"]


def test_rejection_needs_a_reason(payouts_fn: ModuleType) -> None:
    send(payouts_fn, "PUT", "/api/me/payout-account", MENTOR, BANK)
    seed_available(MENTOR["user_id"], 100_000)
    made = send(payouts_fn, "POST", "/api/me/withdrawals", MENTOR, {})
    path = f"/api/admin/withdrawals/{made.body['id']}/reject"

    empty = send(payouts_fn, "POST", path, ADMIN, {"reason": ""})
    rejected = send(payouts_fn, "POST", path, ADMIN, {"reason": "Name doesn't match the PAN"})
    unknown = send(payouts_fn, "POST", "/api/admin/withdrawals/NOPE/reject", ADMIN, {"reason": "why not"})

    assert empty.status == 400
    assert rejected.status == 200
    assert rejected.body["status"] == "rejected"
    assert rejected.body["reason"] == "Name doesn't match the PAN"
    assert unknown.status == 404
    assert send(payouts_fn, "GET", "/api/me/earnings", MENTOR).body["available_paise"] == 100_000


def test_the_openapi_document_has_the_payout_routes_with_examples(ctx: Context) -> None:
    reply = call(load_function("docs"), rest_event("GET", "/api/openapi.json"))
    paths = reply.body["paths"]
    for path in (
        "/api/me/payout-account",
        "/api/me/earnings",
        "/api/me/withdrawals",
        "/api/admin/withdrawals",
        "/api/admin/withdrawals/{withdrawal_id}/approve",
        "/api/admin/withdrawals/{withdrawal_id}/reject",
    ):
        assert path in paths
    schemas = reply.body["components"]["schemas"]
    for model in (
        "PayoutAccountRequest",
        "PayoutAccountOut",
        "EarningsOut",
        "WithdrawalOut",
        "RejectRequest",
    ):
        assert schemas[model]["examples"], model


def test_the_schedule_runs_the_retry_job_not_a_request(payouts_fn: ModuleType) -> None:
    assert payouts_fn.lambda_handler({"job": "retry_payouts"}, LambdaContextStub()) == {
        "asked": 0,
        "checked": 0,
    }
