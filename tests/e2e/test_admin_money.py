"""The admin site's money page in Chromium on the local stack: an admin finds a learner's payment by
their email and refunds part of it (amount, reason, confirm), approves a mentor's withdrawal, and reads
revenue whose figures equal the ledger's: the range's GMV, platform revenue, refunds and gifts summed
from the journal entries themselves, and the platform fee's running balance."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, admin_page, pay_by_api
from tests.support import local_in, wait_until

pytestmark = pytest.mark.e2e

PRICE_PAISE = 99_900  # ₹999: three mentor's shares add up past the ₹1,000 an admin must approve
REFUND_PAISE = 20_000
HOURS = 3600
INDIA = ZoneInfo("Asia/Kolkata")
METRICS = ("gmv_paise", "platform_revenue_paise", "refunds_paise", "gifts_paise")


def ledger_figures(first_day: str, last_day: str) -> dict[str, int]:
    """The revenue figures of India's days first..last, summed from the journal entries (a test may
    read the whole table): what captures moved into clearing and the fee, what refunds took back."""
    from peerlearn.ledger.accounts import GATEWAY_CLEARING, PLATFORM_FEE
    from peerlearn.store.money import LedgerEntryItem

    figures = dict.fromkeys(METRICS, 0)
    for entry in LedgerEntryItem.scan():
        moment = datetime.strptime(entry.at[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        if not first_day <= moment.astimezone(INDIA).date().isoformat() <= last_day:
            continue
        debits: dict[str, int] = {}
        credits: dict[str, int] = {}
        for line in entry.lines:
            debits[line.account] = debits.get(line.account, 0) + int(line.debit_paise)
            credits[line.account] = credits.get(line.account, 0) + int(line.credit_paise)
        clearing = {"debit": debits.get(GATEWAY_CLEARING, 0), "credit": credits.get(GATEWAY_CLEARING, 0)}
        fee = {"debit": debits.get(PLATFORM_FEE, 0), "credit": credits.get(PLATFORM_FEE, 0)}
        if entry.kind in ("booking_capture", "gift_capture"):
            figures["gmv_paise"] += clearing["debit"]
            figures["platform_revenue_paise"] += fee["credit"]
            if entry.kind == "gift_capture":
                figures["gifts_paise"] += clearing["debit"]
        elif entry.kind == "refund":
            figures["refunds_paise"] += clearing["credit"]
            figures["platform_revenue_paise"] -= fee["debit"]
    return figures


def paise(page: Page, testid: str) -> int:
    """The exact amount behind a figure on the page (its text is formatted, in rupees)."""
    return int(page.get_by_test_id(testid).get_attribute("data-paise") or -1)


def withdrawal_waiting(
    stack: LocalStack, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> tuple[Api, list[str], dict[str, Any]]:
    """A mentor whose paid session three learners bought, the shares matured, everything withdrawn
    (over ₹1,000: it waits for an admin). Returns the mentor, the learners' emails, the withdrawal."""
    from peerlearn import ledger

    _, mentor_email = people("mentor", name="Meera Nair")
    mentor = api_as(mentor_email)
    session = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": f"Ownership and borrowing {uuid.uuid4().hex[:5]}",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(3 * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 5,
            "price_paise": PRICE_PAISE,
        },
    )
    learners = [people("learner")[1] for _ in range(3)]
    for email in learners:
        pay_by_api(stack, api_as(email), str(session["id"]))
    ends = time.time() + 3 * 24 * HOURS + 2 * HOURS
    assert ledger.mature_due(int(ends + 73 * HOURS)) >= 3  # as the job does after the dispute window
    account = {
        "legal_name": "Meera Nair",
        "pan": "ABCDE1234F",
        "account_number": "50100123456789",
        "ifsc": "HDFC0001234",
    }
    mentor.call("PUT", "/api/me/payout-account", account)
    wait_until(lambda: mentor.call("GET", "/api/me/payout-account")["ready"], timeout=30, interval=0.5)
    withdrawal = mentor.call("POST", "/api/me/withdrawals", {})
    assert withdrawal["status"] == "requested", withdrawal
    return mentor, learners, withdrawal


def test_an_admin_refunds_approves_and_reads_revenue_equal_to_the_ledger(
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    page: Page,
) -> None:
    from peerlearn import ledger
    from peerlearn.ledger.accounts import PLATFORM_FEE

    mentor, learners, withdrawal = withdrawal_waiting(stack, people, api_as)
    _, admin_email = people("admin")
    admin_page(page, admin_email, "/admin/money")

    # The admin finds the first learner's payment by their email and refunds ₹200 of it
    page.get_by_test_id("money-search-text").fill(learners[0].upper())
    page.get_by_test_id("money-search-submit").click()
    row = page.get_by_test_id("admin-payment")
    expect(row).to_have_count(1)
    row.get_by_test_id("admin-refund-open").click()
    row.get_by_test_id("admin-refund-amount").fill("2000")
    row.get_by_test_id("admin-refund-reason").fill("Audio failed for half the session")
    row.get_by_test_id("admin-refund-submit").click()
    expect(row.get_by_test_id("admin-refund-error")).to_contain_text("₹999")  # more than was paid
    row.get_by_test_id("admin-refund-amount").fill(str(REFUND_PAISE // 100))
    row.get_by_test_id("admin-refund-submit").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("Refund ₹200?")
    page.get_by_test_id("confirm-ok").click()
    expect(row.get_by_test_id("admin-refund-form")).to_be_hidden()

    def partly_refunded() -> bool:
        page.get_by_test_id("money-search-submit").click()
        expect(row).to_have_count(1)
        return row.get_by_test_id("admin-payment-status").inner_text() == "Partly refunded"

    wait_until(partly_refunded, timeout=30, interval=1, what="Razorpay to process the refund")
    row.get_by_test_id("money-payment-details-open").click()
    expect(row.get_by_test_id("money-payment-refunds")).to_contain_text("Audio failed for half the session")
    learner_link = row.get_by_test_id("money-payment-learner")
    expect(learner_link).to_have_attribute("href", re.compile(r"^/admin/users/\w+$"))

    # ... approves the mentor's withdrawal
    page.get_by_test_id("admin-tab-withdrawals").click()
    waiting = page.locator(f"[data-testid=admin-withdrawal][data-withdrawal-id='{withdrawal['id']}']")
    waiting.get_by_test_id("admin-withdrawal-approve").click()
    page.get_by_test_id("confirm-ok").click()
    expect(waiting).to_be_hidden()  # no longer waiting for a decision
    [mine] = mentor.call("GET", "/api/me/withdrawals")["items"]
    assert mine["status"] in ("approved", "processing", "paid"), mine

    # ... and reads revenue: the range's figures and the fee's balance are the ledger's
    page.get_by_test_id("admin-tab-revenue").click()
    first_day = page.get_by_test_id("money-revenue-from").input_value()
    last_day = page.get_by_test_id("money-revenue-to").input_value()

    def shown() -> dict[str, int]:
        page.goto("/admin/money?tab=revenue")
        # the reports' function may start cold on a busy machine
        expect(page.get_by_test_id("money-revenue-report")).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("money-balance-fees")).to_be_visible()
        figures = {m: paise(page, f"money-total-{m}") for m in METRICS}
        figures["fees_balance"] = paise(page, "money-balance-fees")
        return figures

    def equal_to_the_ledger() -> bool:
        expected = {**ledger_figures(first_day, last_day), "fees_balance": ledger.balance(PLATFORM_FEE)}
        return shown() == expected and expected["refunds_paise"] >= REFUND_PAISE

    wait_until(equal_to_the_ledger, timeout=30, interval=1, what="the page's revenue to equal the ledger's")
    figures = shown()
    assert figures["gmv_paise"] >= 3 * PRICE_PAISE
    expect(page.get_by_test_id("money-revenue-chart")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("money-revenue-row").first).to_be_visible()

    # By mentor, the mentor is named (not an id) and their GMV is at least what the three paid
    page.get_by_test_id("money-view-mentor").click()
    expect(page.get_by_test_id("money-revenue-table")).to_contain_text("Meera Nair")

    # A range that ends before it starts is said beside the dates
    page.get_by_test_id("money-revenue-from").fill(last_day)
    page.get_by_test_id("money-revenue-to").fill(first_day)
    page.get_by_test_id("money-revenue-show").click()
    expect(page.get_by_test_id("money-revenue-error")).to_have_text("The range ends before it starts.")

    # On a phone (360 px) the page scrolls only down: the table scrolls sideways inside its own box
    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_test_id("admin-tab-payments").click()
    expect(page.get_by_test_id("money-search-text")).to_be_visible()
    page.get_by_test_id("admin-tab-revenue").click()
    expect(page.get_by_test_id("money-revenue-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
