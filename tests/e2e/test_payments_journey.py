"""Paying in a real browser against the local stack and its Razorpay sandbox (the Checkout stand-in
served by the stack, webhooks through the gateway): a learner pays by UPI and opens the receipt; a
learner who closes the tab before verify is confirmed by the webhook; a failed payment says why and a
retry succeeds; a mentor's earning goes pending -> available, is withdrawn, approved by an admin and
paid out."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, Requests, pay_by_api, sign_in
from tests.support import local_in, wait_until

pytestmark = pytest.mark.e2e

PRICE_PAISE = 99_900  # ₹999: three shares add up past the ₹1,000 an admin must approve
CONFIRM_TIMEOUT_MS = 30_000  # a webhook goes sandbox -> gateway -> stream -> confirmation
HOURS = 3600
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 740}


def paid_session(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "tags": ["Rust"],
        "level": "beginner",
        "starts_at_local": local_in(3 * 24 * 60, ZONE),
        "timezone": ZONE,
        "duration_minutes": 60,
        "capacity": 5,
        "price_paise": PRICE_PAISE,
    }


@pytest.fixture
def browse(browser: Browser, stack: LocalStack) -> Iterator[Callable[..., tuple[BrowserContext, Page]]]:
    """`browse(email[, viewport])` -> a signed-in browser of that person (each their own cookies)."""
    opened: list[tuple[BrowserContext, Requests]] = []

    def open_as(email: str, viewport: ViewportSize = DESKTOP) -> tuple[BrowserContext, Page]:
        seen = Requests()
        ctx = browser.new_context(base_url=stack.url, viewport=viewport, timezone_id=ZONE)
        ctx.set_default_timeout(15_000)
        ctx.on("request", lambda request: seen.urls.append(request.url))
        opened.append((ctx, seen))
        page = ctx.new_page()
        sign_in(page, email)
        return ctx, page

    yield open_as
    for ctx, seen in opened:
        ctx.close()
        assert seen.outside(stack.url) == [], "a page loaded something from outside the local stack"


@pytest.fixture
def session_for_sale(
    people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> Callable[[str], tuple[str, str, dict[str, Any]]]:
    def make(title: str) -> tuple[str, str, dict[str, Any]]:
        mentor_id, mentor_email = people("mentor")
        session = api_as(mentor_email).call("POST", "/api/sessions", paid_session(title))
        return mentor_id, mentor_email, session

    return make


def book_and_open_checkout(page: Page, session_id: str) -> Any:
    """Books a seat on the session page (held), checks the refund policy is shown, opens Checkout."""
    page.goto(f"/sessions/{session_id}")
    expect(page.get_by_test_id("session-refund-policy")).to_contain_text("full refund")
    page.get_by_test_id("session-book").click()
    expect(page.get_by_test_id("session-hold-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    page.get_by_test_id("session-pay").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def pay_in_checkout(dialog: Any, outcome: str, method: str = "UPI") -> None:
    dialog.get_by_label(method).check()
    dialog.locator(f"[data-outcome={outcome}]").click()


def test_learner_pays_by_upi_sees_it_confirmed_and_opens_the_receipt(
    people: Callable[..., tuple[str, str]],
    session_for_sale: Callable[[str], tuple[str, str, dict[str, Any]]],
    browse: Callable[..., tuple[BrowserContext, Page]],
) -> None:
    _, _, session = session_for_sale("Async Rust, paid")
    _, learner_email = people("learner")
    _, page = browse(learner_email)

    dialog = book_and_open_checkout(page, session["id"])
    pay_in_checkout(dialog, "success")

    expect(page.get_by_test_id("session-booked")).to_contain_text("Paid", timeout=CONFIRM_TIMEOUT_MS)
    page.get_by_test_id("session-receipt").click()
    expect(page.get_by_test_id("receipt-number")).to_have_text(re.compile(r"^PL/\d{4}/\d{6}$"))
    expect(page.get_by_test_id("receipt-total")).to_have_text("₹999.00")
    expect(page.get_by_test_id("receipt-lines")).to_contain_text("GST on the platform fee")
    expect(page.get_by_test_id("receipt-description")).to_contain_text("Async Rust, paid")

    # The same payment is in the history, with the same receipt.
    page.get_by_test_id("nav-my-payments").click()
    expect(page.get_by_test_id("payment")).to_have_count(1)
    expect(page.get_by_test_id("payment-status")).to_have_text("Paid")


def test_a_closed_tab_is_confirmed_by_the_webhook(
    people: Callable[..., tuple[str, str]],
    session_for_sale: Callable[[str], tuple[str, str, dict[str, Any]]],
    browse: Callable[..., tuple[BrowserContext, Page]],
) -> None:
    _, _, session = session_for_sale("Tokio internals, paid")
    _, learner_email = people("learner")
    ctx, page = browse(learner_email, PHONE)  # on a phone, where tabs get closed

    # Given Checkout succeeds but the tab is gone before the browser can ask the API to verify
    page.route("**/api/payments/verify/", lambda route: route.abort())
    dialog = book_and_open_checkout(page, session["id"])
    pay_in_checkout(dialog, "success")
    page.wait_for_timeout(200)
    page.close()

    # Then the webhook alone confirms the seat
    again = ctx.new_page()
    again.goto(f"/sessions/{session['id']}")
    expect(again.get_by_test_id("session-booked")).to_be_visible(timeout=CONFIRM_TIMEOUT_MS)
    again.goto("/my/payments")
    expect(again.get_by_test_id("payment")).to_have_count(1)


def test_a_failed_payment_says_why_and_a_retry_succeeds(
    people: Callable[..., tuple[str, str]],
    session_for_sale: Callable[[str], tuple[str, str, dict[str, Any]]],
    browse: Callable[..., tuple[BrowserContext, Page]],
) -> None:
    _, _, session = session_for_sale("Unsafe Rust, paid")
    _, learner_email = people("learner")
    _, page = browse(learner_email)

    dialog = book_and_open_checkout(page, session["id"])
    pay_in_checkout(dialog, "failure", method="Card")
    expect(dialog.get_by_role("alert")).to_contain_text("declined")  # shown until Checkout is closed
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("checkout-error")).to_be_visible()
    expect(page.get_by_test_id("checkout-error-reason")).to_contain_text("declined")
    expect(page.get_by_test_id("session-hold-countdown")).to_be_visible()  # the seat is still held

    # The retry, by keyboard alone: focus came back to the pay button when Checkout closed
    expect(page.get_by_test_id("session-pay")).to_be_focused()
    expect(page.get_by_test_id("session-pay")).to_have_text(re.compile("Try again"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog").get_by_label("UPI")).to_be_focused()
    page.keyboard.press("Tab")  # from the methods to the first outcome, Success
    expect(page.get_by_role("dialog").locator("[data-outcome=success]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("session-booked")).to_contain_text("Paid", timeout=CONFIRM_TIMEOUT_MS)


def test_a_late_authorisation_confirms_the_seat_on_the_open_page(
    people: Callable[..., tuple[str, str]],
    session_for_sale: Callable[[str], tuple[str, str, dict[str, Any]]],
    browse: Callable[..., tuple[BrowserContext, Page]],
) -> None:
    _, _, session = session_for_sale("Embedded Rust, paid")
    _, learner_email = people("learner")
    _, page = browse(learner_email)

    # Given the bank answers too late for Checkout (a failure now, authorised and captured a moment later)
    dialog = book_and_open_checkout(page, session["id"])
    pay_in_checkout(dialog, "late")
    expect(dialog.get_by_role("alert")).to_be_visible()
    dialog.get_by_role("button", name="Close checkout").click()
    expect(page.get_by_test_id("checkout-error")).to_be_visible()

    # Then the webhook's confirmation reaches the page without another try
    expect(page.get_by_test_id("session-booked")).to_be_visible(timeout=CONFIRM_TIMEOUT_MS)


def test_an_admin_refunds_part_of_a_payment_and_the_receipt_lists_the_credit_note(
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    session_for_sale: Callable[[str], tuple[str, str, dict[str, Any]]],
    browse: Callable[..., tuple[BrowserContext, Page]],
) -> None:
    _, _, session = session_for_sale("Rust macros, paid")
    _, learner_email = people("learner")
    learner = api_as(learner_email)
    pay_by_api(stack, learner, session["id"])
    payment = learner.call("GET", "/api/payments/history/")["items"][0]

    _, admin_email = people("admin")
    _, admin = browse(admin_email)
    admin.get_by_test_id("nav-money").click()  # on the admin site, where an admin lands
    row = admin.locator(f"[data-testid=admin-payment][data-payment-id={payment['payment_id']}]")
    row.get_by_test_id("admin-refund-open").click()
    row.get_by_test_id("admin-refund-amount").fill("2000")
    row.get_by_test_id("admin-refund-submit").click()
    expect(row.get_by_test_id("admin-refund-error")).to_contain_text("₹999")  # more than was paid
    row.get_by_test_id("admin-refund-amount").fill("200")
    row.get_by_test_id("admin-refund-reason").fill("Audio failed for half the session")
    row.get_by_test_id("admin-refund-submit").click()
    expect(row.get_by_test_id("admin-refund-form")).to_be_hidden()
    admin.get_by_test_id("admin-tab-refunds").click()
    admin.get_by_test_id("admin-refunds-all").check()
    expect(admin.get_by_test_id("admin-refund").first).to_contain_text("Audio failed")

    def refunded() -> bool:
        admin.goto("/admin/money")
        expect(row).to_be_visible()
        return row.get_by_test_id("admin-payment-status").inner_text() == "Partly refunded"

    wait_until(refunded, timeout=30, interval=1, what="the refund to be processed")

    # The learner's receipt lists the refund with its credit note once Razorpay has processed it
    _, page = browse(learner_email)

    def credit_note_shown() -> bool:
        page.goto(f"/my/payments/{payment['payment_id']}/receipt")
        expect(page.get_by_test_id("receipt-number")).to_be_visible()
        return page.get_by_test_id("receipt-credit-notes").count() == 1

    wait_until(credit_note_shown, timeout=30, interval=1, what="the credit note on the receipt")
    expect(page.get_by_test_id("receipt-credit-notes")).to_contain_text(re.compile(r"PLCN/\d{4}/\d{6}"))
    expect(page.get_by_test_id("receipt-credit-notes")).to_contain_text("Audio failed")


def test_mentor_earning_matures_is_withdrawn_approved_and_paid_out(
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    session_for_sale: Callable[[str], tuple[str, str, dict[str, Any]]],
    browse: Callable[..., tuple[BrowserContext, Page]],
) -> None:
    from peerlearn import ledger

    _, mentor_email, session = session_for_sale("Rust for payments people")
    for _ in range(3):
        _, learner_email = people("learner")
        pay_by_api(stack, api_as(learner_email), session["id"])
    share = ledger.split(PRICE_PAISE).mentor_share_paise
    earned = 3 * share

    # The mentor sees the earnings pending (inside the session's dispute window)
    _, mentor = browse(mentor_email)
    mentor.get_by_test_id("nav-my-earnings").click()
    expect(mentor.get_by_test_id("earnings-pending")).to_have_text(rupees(earned))
    expect(mentor.get_by_test_id("earnings-available")).to_have_text("₹0")
    expect(mentor.get_by_test_id("earnings-chart")).to_be_visible()
    expect(mentor.get_by_test_id("withdraw-submit")).to_be_disabled()

    # When the dispute window has passed (the maturity job, run as if 72 h after the session ended)
    ends = time.time() + 3 * 24 * HOURS + 2 * HOURS
    assert ledger.mature_due(int(ends + 73 * HOURS)) >= 3
    mentor.reload()
    expect(mentor.get_by_test_id("earnings-available")).to_have_text(rupees(earned))
    expect(mentor.get_by_test_id("earnings-pending")).to_have_text("₹0")

    # The mentor sets up payouts (formats hinted before sending) and withdraws everything
    mentor.get_by_test_id("payout-pan").fill("abcd1234")
    mentor.get_by_test_id("payout-ifsc").click()
    expect(mentor.get_by_test_id("payout-pan-error")).to_be_visible()
    mentor.get_by_test_id("payout-legal-name").fill("Vikram Iyer")
    mentor.get_by_test_id("payout-pan").fill("abcde1234f")
    mentor.get_by_test_id("payout-ifsc").fill("hdfc0001234")
    mentor.get_by_test_id("payout-account-number").fill("50100123456789")
    mentor.get_by_test_id("payout-account-again").fill("50100123456789")
    mentor.get_by_test_id("payout-save").click()
    expect(mentor.get_by_test_id("payout-account-masked")).to_contain_text("6789")
    expect(mentor.get_by_test_id("payout-account-masked")).not_to_contain_text("50100123")
    expect(mentor.get_by_test_id("payout-account-ready")).to_have_text(
        "Ready for payouts.", timeout=CONFIRM_TIMEOUT_MS
    )
    mentor.get_by_test_id("withdraw-submit").click()
    expect(mentor.get_by_test_id("withdrawal").first).to_have_attribute("data-status", "requested")
    expect(mentor.get_by_test_id("earnings-in-transit")).to_have_text(rupees(earned))

    # An admin approves it
    _, admin_email = people("admin")
    _, admin = browse(admin_email)
    admin.goto("/admin/payments?tab=withdrawals")
    row = admin.get_by_test_id("admin-withdrawal").filter(has_text=rupees(earned))
    row.get_by_test_id("admin-withdrawal-approve").click()
    admin.get_by_test_id("confirm-ok").click()
    expect(row).to_be_hidden()  # no longer waiting for a decision

    # The payout settles (RazorpayX's webhook) and the mentor sees it paid
    def paid() -> bool:
        mentor.reload()
        expect(mentor.get_by_test_id("withdrawal").first).to_be_visible()
        return mentor.get_by_test_id("withdrawal").first.get_attribute("data-status") == "paid"

    wait_until(paid, timeout=30, interval=1, what="the payout to be paid")
    expect(mentor.get_by_test_id("earnings-withdrawn")).to_have_text(rupees(earned))
    expect(mentor.get_by_test_id("earnings-in-transit")).to_have_text("₹0")

    # And the books still balance, against Razorpay's settlement report too (the nightly check, run now)
    report = stack.run_schedule("JobsFunction", "Nightly")
    assert report["breaks"] == 0, report
    admin.get_by_test_id("admin-books-check").click()
    expect(admin.get_by_test_id("admin-books")).to_contain_text(re.compile(r"The books balance.*razorpay"))


def rupees(paise: int) -> str:
    """How the page writes an amount under ₹1 lakh: "₹2,445" or "₹2,444.70"."""
    assert paise < 100_000_00, "Indian digit grouping differs from here on"
    whole, part = divmod(paise, 100)
    return f"₹{whole:,}" + (f".{part:02d}" if part else "")


def test_a_rejected_withdrawal_shows_the_reason_and_the_money_is_available_again(
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    session_for_sale: Callable[[str], tuple[str, str, dict[str, Any]]],
    browse: Callable[..., tuple[BrowserContext, Page]],
) -> None:
    from peerlearn import ledger

    _, mentor_email, session = session_for_sale("Rust error handling, paid")
    for _ in range(2):
        _, learner_email = people("learner")
        pay_by_api(stack, api_as(learner_email), session["id"])
    ledger.mature_due(int(time.time() + 3 * 24 * HOURS + 80 * HOURS))
    earned = 2 * ledger.split(PRICE_PAISE).mentor_share_paise
    mentor_api = api_as(mentor_email)
    mentor_api.call(
        "PUT",
        "/api/me/payout-account",
        {
            "legal_name": "Asha Rao",
            "pan": "ABCDE1234F",
            "account_number": "123456789012",
            "ifsc": "SBIN0001234",
        },
    )
    mentor_api.call("POST", "/api/me/withdrawals", {})

    _, admin_email = people("admin")
    _, admin = browse(admin_email)
    admin.goto("/admin/payments?tab=withdrawals")
    row = admin.get_by_test_id("admin-withdrawal").filter(has_text=rupees(earned))
    expect(row).to_contain_text("••••9012")
    row.get_by_test_id("admin-withdrawal-reject-open").click()
    row.get_by_test_id("admin-reject-submit").click()
    expect(row.get_by_role("alert")).to_contain_text("reason")  # a reason is required
    row.get_by_test_id("admin-reject-reason").fill("The PAN's name doesn't match the bank account")
    row.get_by_test_id("admin-reject-submit").click()
    expect(row).to_be_hidden()

    _, mentor = browse(mentor_email)
    mentor.get_by_test_id("nav-my-earnings").click()
    withdrawal = mentor.get_by_test_id("withdrawal").first
    expect(withdrawal).to_have_attribute("data-status", "rejected")
    expect(withdrawal.get_by_test_id("withdrawal-reason")).to_contain_text("doesn't match the bank account")
    expect(mentor.get_by_test_id("earnings-available")).to_have_text(rupees(earned))
