"""`python -m infra.local reconcile` on moto: which months it asks for, what it prints, and its exit
code (0 only when there is nothing to report, with or without Razorpay's report)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.reconcile import fetch_rows, months_to_fetch, reconcile_books
from peerlearn import ledger, store
from peerlearn.adapters.razorpay import GatewayUnavailable

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _capture(payment_id: str, amount_paise: int) -> None:
    with store.transaction() as tx:
        ledger.post(
            tx,
            ledger.capture_entry(
                f"capture#{payment_id}",
                kind="booking_capture",
                payment_id=payment_id,
                amount_paise=amount_paise,
                mentor_id="m1",
                split=ledger.split(amount_paise),
                refs={},
            ),
        )


def _report(*payments: tuple[str, int]) -> Any:
    def fetch(year: int, month: int) -> list[dict[str, Any]]:
        if (year, month) != (2026, 11):
            return []
        return [{"type": "payment", "entity_id": pid, "amount": paise} for pid, paise in payments]

    return fetch


def test_months_run_from_a_month_before_the_first_entry_to_now() -> None:
    assert months_to_fetch("2026-01-15T10:00:00Z", NOW)[:2] == [(2025, 12), (2026, 1)]
    assert months_to_fetch("2026-01-15T10:00:00Z", NOW)[-1] == (2026, 11)
    assert len(months_to_fetch("2026-01-15T10:00:00Z", NOW)) == 12
    assert months_to_fetch(None, NOW) == [(2026, 11)]


def test_a_row_listed_in_two_months_counts_once() -> None:
    rows = fetch_rows(
        lambda year, month: [{"type": "payment", "entity_id": "pay_A", "amount": 1}], [(2026, 10), (2026, 11)]
    )

    assert len(rows) == 1


def test_clean_books_that_match_the_report_exit_zero(aws: None, env: dict[str, str]) -> None:
    out = io.StringIO()
    reconcile_books(env, fetch=_report(), now=NOW, out=io.StringIO())  # binds the table
    _capture("pay_A", 100_000)

    code = reconcile_books(env, fetch=_report(("pay_A", 100_000)), now=NOW, out=out)

    assert code == 0
    assert "Nothing to report: 1 entries." in out.getvalue()


def test_each_break_is_printed_and_the_exit_code_says_so(aws: None, env: dict[str, str]) -> None:
    out = io.StringIO()
    reconcile_books(env, fetch=_report(), now=NOW, out=io.StringIO())
    _capture("pay_A", 100_000)

    code = reconcile_books(env, fetch=_report(("pay_A", 100_000), ("pay_B", 5_000)), now=NOW, out=out)

    assert code == 1
    assert "BREAK payment_without_entry: Razorpay's payment pay_B (5000 paise) has no entry" in out.getvalue()
    assert "BREAK captured_total_mismatch" in out.getvalue()


@pytest.mark.parametrize("failure", [GatewayUnavailable("connection refused"), KeyError("RAZORPAY_KEY_ID")])
def test_without_the_report_it_checks_the_books_only_and_says_so(
    aws: None, env: dict[str, str], failure: Exception
) -> None:
    def unreachable(year: int, month: int) -> list[dict[str, Any]]:
        raise failure

    out = io.StringIO()
    reconcile_books(env, fetch=_report(), now=NOW, out=io.StringIO())
    _capture("pay_A", 100_000)

    code = reconcile_books(env, fetch=unreachable, now=NOW, out=out)

    assert code == 0
    assert "recon report was not fetched" in out.getvalue()
    assert "Checked the books only" in out.getvalue()


def test_without_razorpay_settings_the_sandbox_is_not_asked(aws: None, env: dict[str, str]) -> None:
    out = io.StringIO()

    code = reconcile_books(env, now=NOW, out=out)

    assert code == 0
    assert "not fetched (ConfigError: setting RAZORPAY_KEY_ID is required)" in out.getvalue()
