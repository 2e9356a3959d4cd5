"""Notification email and one-click unsubscribe through the local stack: the email lands in the
outbox with its headers, a mail client's RFC 8058 POST (the form body, no sign-in) goes through the
gateway and NotificationsFunction, and a bounce event through EmailEventsFunction stops all email."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.notify import mail, suppression
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem
from tests.support import load_event, stack_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("email"),
        "email",
        overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


def person(ctx: Context) -> UserItem:
    email = f"learner-{uuid.uuid4().hex[:10]}@example.com"
    user_id = accounts.create_account(
        name="Asha Rao", email=email, password="mango-monsoon-42", role="learner", verified=True
    )
    return UserItem.get(user_pk(user_id), USER_PROFILE_SK)


def notice(user: UserItem, kind: str) -> Notice:
    return Notice(
        user_id=user.id,
        kind=kind,
        title=f"{kind} for {user.name}",
        body="Your session starts soon.",
        dedupe_key=uuid.uuid4().hex,
        link="/my-bookings",
    )


def outbox(api: httpx.Client, to: str) -> list[dict[str, Any]]:
    reply = api.get("/_dev/outbox.json", params={"to": to})
    assert reply.status_code == 200
    emails: list[dict[str, Any]] = reply.json()
    return emails


def test_a_mail_clients_one_click_post_stops_that_category_only(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    # Given a reminder email in the outbox
    user = person(ctx)
    assert mail.send_notice_email(ctx, notice(user, "session_reminder"), user) is True
    (email,) = outbox(api, user.email)
    header = email["headers"]["List-Unsubscribe"]
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = header.removeprefix("<").removesuffix(">")
    assert one_click.startswith(f"{stack.url}/api/notifications/unsubscribe?token=")

    # When the mail client POSTs the form body RFC 8058 prescribes, with no sign-in
    reply = api.post(
        one_click,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    # Then that category stops, and another still emails
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"category": "reminders", "unsubscribed": True}
    assert api.get(one_click).json()["subscribed"] is False
    assert mail.send_notice_email(ctx, notice(user, "session_reminder"), user) is False
    assert mail.send_notice_email(ctx, notice(user, "booking_confirmed"), user) is True
    assert [e["subject"] for e in outbox(api, user.email)] == [
        f"booking_confirmed for {user.name}",
        f"session_reminder for {user.name}",
    ]


def test_a_forged_token_is_a_400_through_the_stack(api: httpx.Client) -> None:
    reply = api.post("/api/notifications/unsubscribe", params={"token": "u1.01X.reminders.forged"})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "invalid_token"


def test_account_emails_carry_no_unsubscribe(ctx: Context, api: httpx.Client) -> None:
    user = person(ctx)
    assert mail.send_notice_email(ctx, notice(user, "refund_issued"), user) is True
    (email,) = outbox(api, user.email)
    assert email["headers"] == {}
    assert "unsubscribe" not in email["text"].lower()


def test_a_bounce_reported_by_ses_stops_every_email_to_that_address(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    user = person(ctx)
    bounce = load_event("ses/bounce.json")
    bounce["detail"]["bounce"]["bouncedRecipients"][0]["emailAddress"] = user.email.upper()
    assert stack.runtime is not None
    assert stack.runtime.invoke("EmailEventsFunction", bounce) == {"suppressed": 1}
    assert suppression.is_suppressed(user.email)
    assert mail.send_notice_email(ctx, notice(user, "booking_confirmed"), user) is False
    assert mail.send_notice_email(ctx, notice(user, "refund_issued"), user) is False
    assert outbox(api, user.email) == []
