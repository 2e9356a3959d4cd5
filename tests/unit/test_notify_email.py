"""Notification emails: every kind's template, escaping, unsubscribe headers, and what stops a send."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from peerlearn.adapters.email import EmailMessage, SesEmailSender
from peerlearn.context import Context
from peerlearn.notify import catalog, mail, preferences, suppression
from peerlearn.notify.notice import Notice
from peerlearn.notify.unsubscribe import read_token
from peerlearn.store.models import UserItem
from tests.support import user_item

DATA = {
    "session_title": "Rust ownership, gently",
    "starts_at": "2026-12-01T14:00:00Z",
    "previous_starts_at": "2026-11-30T14:00:00Z",
    "amount_paise": "49900",
    "rating": "4",
    "receipt_number": "PL/2026-27/000042",
}


def notice(kind: str, **overrides: Any) -> Notice:
    fields: dict[str, Any] = {
        "user_id": "01ABC",
        "kind": kind,
        "title": f"Title of {kind}",
        "body": f"Body of {kind}.",
        "dedupe_key": f"k-{kind}",
        "link": "/sessions/01SESSION",
        "data": DATA,
    }
    return Notice(**{**fields, **overrides})


@pytest.fixture
def user(aws: None) -> UserItem:
    item = user_item()
    item.name = "Asha"
    item.email = "asha@example.com"
    item.save()
    return item


def test_every_kind_has_a_template() -> None:
    assert set(mail.TEMPLATES) == set(catalog.KINDS)


@pytest.mark.parametrize("kind", sorted(catalog.KINDS))
def test_every_kind_says_hello_the_body_the_action_and_why(ctx: Context, user: UserItem, kind: str) -> None:
    email = mail.notice_email(ctx.settings, notice(kind), user)
    category = catalog.category_of(kind)
    action = f"{ctx.settings.web_base_url}/sessions/01SESSION"
    assert email.to == "asha@example.com"
    assert email.subject == f"Title of {kind}"
    for part in (email.text, email.html):
        assert "Hi Asha," in part
        assert f"Body of {kind}." in part
        assert action in part
        assert mail.TEMPLATES[kind].button in part
        assert f"{ctx.settings.web_base_url}/settings/notifications" in part
        assert category.label.lower() in part
    assert f'href="{action}"' in email.html
    assert "<style" not in email.html
    assert "<script" not in email.html


@pytest.mark.parametrize("kind", sorted(catalog.KINDS))
def test_unsubscribe_headers_and_link_only_where_the_category_allows(
    ctx: Context, user: UserItem, kind: str
) -> None:
    email = mail.notice_email(ctx.settings, notice(kind), user)
    category = catalog.category_of(kind)
    if category.account:
        assert email.headers == {}
        assert "unsubscribe" not in email.text.lower()
        assert "unsubscribe" not in email.html.lower()
        return
    header = email.headers["List-Unsubscribe"]
    assert header.startswith(f"<{ctx.settings.web_base_url}/api/notifications/unsubscribe?token=")
    assert header.endswith(">")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = header[1:-1].split("token=", 1)[1]
    assert read_token(ctx.settings.jwt_secret, token).category == category
    page = f"{ctx.settings.web_base_url}/unsubscribe?token={token}"
    assert page in email.text
    assert f'href="{page}"' in email.html


def test_kind_specific_lines_come_from_the_data_in_the_recipients_timezone(
    ctx: Context, user: UserItem
) -> None:
    moved = mail.notice_email(ctx.settings, notice("session_moved"), user)
    assert "Session: Rust ownership, gently" in moved.text
    assert "New time: Tue 1 Dec 2026, 7:30 pm IST" in moved.text
    assert "Was: Mon 30 Nov 2026, 7:30 pm IST" in moved.text
    receipt = mail.notice_email(ctx.settings, notice("payment_receipt"), user)
    assert "Paid: ₹499" in receipt.text
    assert "Receipt number: PL/2026-27/000042" in receipt.html
    review = mail.notice_email(ctx.settings, notice("review_new"), user)
    assert "★★★★☆" in review.text
    offer = mail.notice_email(ctx.settings, notice("waitlist_offer", expires_at=1_764_597_600), user)
    assert "held for you until Mon 1 Dec 2025, 7:30 pm IST" in offer.text


def test_missing_or_malformed_data_leaves_the_line_out(ctx: Context, user: UserItem) -> None:
    bad = notice("payment_receipt", data={"amount_paise": "12.5", "starts_at": "yesterday"})
    email = mail.notice_email(ctx.settings, bad, user)
    assert "Paid:" not in email.text
    assert "When:" not in email.text


def test_everything_from_the_notice_and_the_user_is_escaped(ctx: Context, user: UserItem) -> None:
    user.name = '<b>Asha</b> & "co"'
    evil = notice(
        "booking_confirmed",
        title="Hi\r\nBcc: victim@example.com",
        body="<script>alert(1)</script> & more",
        link='/sessions/x"><img src=x onerror=alert(1)>',
        data={"session_title": "<i>Rust</i>"},
    )
    email = mail.notice_email(ctx.settings, evil, user)
    assert "<script>" not in email.html
    assert "<img" not in email.html
    assert "<i>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in email.html
    assert "&lt;b&gt;Asha&lt;/b&gt; &amp; &quot;co&quot;" in email.html
    assert "&lt;i&gt;Rust&lt;/i&gt;" in email.html
    assert "\r" not in email.subject
    assert "\n" not in email.subject
    assert "<script>alert(1)</script>" in email.text  # plain text stays as written


def test_send_writes_the_headers_to_the_outbox(ctx: Context, user: UserItem, outbox: Any) -> None:
    assert mail.send_notice_email(ctx, notice("session_reminder"), user) is True
    (sent,) = outbox.emails("asha@example.com")
    assert sent["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["headers"]["List-Unsubscribe"].startswith("<http")


def test_a_suppressed_address_gets_nothing(ctx: Context, user: UserItem, outbox: Any) -> None:
    suppression.suppress("ASHA@example.com", "bounce")
    for kind in ("booking_confirmed", "payment_receipt"):  # account emails too: the address bounces
        assert mail.send_notice_email(ctx, notice(kind), user) is False
    assert outbox.emails() == []


def test_a_category_turned_off_gets_no_email_and_others_still_do(
    ctx: Context, user: UserItem, outbox: Any
) -> None:
    preferences.set_channel(user.id, "reminders", "email", False)
    assert mail.send_notice_email(ctx, notice("session_reminder"), user) is False
    assert mail.send_notice_email(ctx, notice("booking_confirmed"), user) is True
    assert [e["subject"] for e in outbox.emails()] == ["Title of booking_confirmed"]


def test_a_category_whose_defaults_leave_email_off_sends_none(ctx: Context, user: UserItem) -> None:
    assert mail.send_notice_email(ctx, notice("waiting_room"), user) is False  # room: in-app + push


class SesStub:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        return {"MessageId": "m-1"}


def test_ses_sends_the_headers_with_the_configuration_set() -> None:
    client = SesStub()
    headers = {
        "List-Unsubscribe": "<https://x.example/u?token=t>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    SesEmailSender("no-reply@x.example", "peerlearn-dev", client=client).send(
        EmailMessage(to="a@x.example", subject="S", text="T", html="<p>T</p>", headers=headers)
    )
    (call,) = client.calls
    assert call["ConfigurationSetName"] == "peerlearn-dev"
    assert call["Content"]["Simple"]["Headers"] == [
        {"Name": "List-Unsubscribe", "Value": "<https://x.example/u?token=t>"},
        {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
    ]


def test_ses_account_email_has_no_headers_and_no_set_when_none_is_configured() -> None:
    client = SesStub()
    SesEmailSender("no-reply@x.example", client=client).send(
        EmailMessage(to="a@x.example", subject="S", text="T", html="<p>T</p>")
    )
    (call,) = client.calls
    assert "Headers" not in call["Content"]["Simple"]
    assert "ConfigurationSetName" not in call


def test_the_ses_request_is_valid_for_the_pinned_botocore() -> None:
    """botocore's own validation of the request shape (Simple content's Headers exist in this version)."""
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("sesv2", region_name="ap-south-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("send_email", {"MessageId": "m-1"})
        SesEmailSender("no-reply@x.example", "peerlearn-dev", client=client).send(
            EmailMessage(
                to="a@x.example",
                subject="S",
                text="T",
                html="<p>T</p>",
                headers={"List-Unsubscribe": "<https://x>"},
            )
        )
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    "link", ["//evil.example/x", "@evil.example/x", "https://evil.example", "/\\evil", None]
)
def test_the_button_never_leaves_the_site(ctx: Context, user: UserItem, link: str | None) -> None:
    email = mail.notice_email(ctx.settings, notice("broadcast", link=link), user)
    assert f'href="{ctx.settings.web_base_url}/notifications"' in email.html
    assert "evil" not in email.text


class RefusingSes:
    def __init__(self, code: str) -> None:
        self.code = code

    def send_email(self, **_kwargs: Any) -> dict[str, str]:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "SendEmail")


def test_an_email_ses_refuses_for_good_is_given_up_and_a_throttled_one_is_retried(
    ctx: Context, user: UserItem
) -> None:
    refused = dataclasses.replace(
        ctx, email=SesEmailSender("no-reply@x.example", client=RefusingSes("MessageRejected"))
    )
    assert mail.send_notice_email(refused, notice("booking_confirmed"), user) is False  # no endless retries

    throttled = dataclasses.replace(
        ctx, email=SesEmailSender("no-reply@x.example", client=RefusingSes("TooManyRequestsException"))
    )
    with pytest.raises(Exception, match="TooManyRequests"):
        mail.send_notice_email(throttled, notice("booking_confirmed"), user)  # the stream retries it
