"""People's data: the download holds everything about them and no secret; deleting an account
cancels and refunds what they booked or teach, erases them from the table, ends their sign-ins and
frees their address; admins see each request and finish the ones that wait for them."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import boto3
import pytest

from peerlearn import ledger
from peerlearn.accounts import service as accounts
from peerlearn.accounts.authorize import authorize
from peerlearn.accounts.schemas import RegisterRequest
from peerlearn.bookings import seats
from peerlearn.bookings.states import get_booking
from peerlearn.context import Context
from peerlearn.errors import Unauthorized
from peerlearn.ledger.reconcile import check_books
from peerlearn.payments import gateway, orders
from peerlearn.payments.records import get_payment, refunds_of
from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest
from peerlearn.store.keys import SESSION_SK, USER_PROFILE_SK, notification_sk, session_pk, user_pk
from peerlearn.store.models import NotificationItem, SessionItem, UserItem, WithdrawalItem
from peerlearn.store.push import PushSubscriptionItem, push_sub_sk
from tests.payments_support import RAZORPAY_ENV, FakeRazorpay
from tests.support import call, load_function, rest_event
from tests.unit.sessions_support import CLIENT, PASSWORD, person, publish, who
from tests.unit.stream_support import Stream

PRICE = 49_900
PUSH_ENDPOINT = "https://fcm.googleapis.com/fcm/send/secret-capability-url-0123"
PUSH_AUTH = "c2VjcmV0LWF1dGgtMTIzNA"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


@pytest.fixture
def rights_fn(ctx: Context) -> ModuleType:
    return load_function("rights")


def as_(
    fn: ModuleType,
    method: str,
    path: str,
    booker: Any,
    body: Any = None,
    query: dict[str, str] | None = None,
    **options: Any,
) -> Any:
    identity = who(booker) if not isinstance(booker, dict) else booker
    event = rest_event(method, path, body, identity=identity, **options)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    return call(fn, event)


def paid_booking(ctx: Context, fake: FakeRazorpay, learner: seats.Booker, session_id: str) -> str:
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    result = fake.pay(order.order_id)
    request = BookingVerifyRequest(session_id=session_id, **result)
    assert orders.verify_booking(ctx, learner_id=learner.user_id, request=request).status == "confirmed"
    return str(result["razorpay_payment_id"])


def with_device_and_notification(user_id: str) -> None:
    PushSubscriptionItem(
        user_pk(user_id),
        push_sub_sk("dev1"),
        subscription_id="dev1",
        user_id=user_id,
        endpoint=PUSH_ENDPOINT,
        p256dh="BPublicKey",
        auth=PUSH_AUTH,
        device="Chrome on Android",
        created_at=1,
    ).save()
    NotificationItem(
        user_pk(user_id),
        notification_sk("01N"),
        user_id=user_id,
        kind="booking.confirmed",
        title="Your seat is confirmed",
        body="See you there",
        created_at="2026-11-30T00:00:00Z",
    ).save()


def table_text(ctx: Context) -> str:
    """Every item of the table as text (a Scan: fine in a test)."""
    client = boto3.client("dynamodb", region_name="ap-south-1")
    pages = client.get_paginator("scan").paginate(TableName=ctx.settings.table_name)
    return json.dumps([item for page in pages for item in page["Items"]])


# ---------------------------------------------------------------- the download
def test_the_download_holds_the_persons_data_and_no_secret(
    ctx: Context, fake: FakeRazorpay, rights_fn: ModuleType
) -> None:
    learner = person(name="Asha Export")
    session_id = publish(ctx, person("mentor"), price_paise=PRICE)
    payment_id = paid_booking(ctx, fake, learner, session_id)
    with_device_and_notification(learner.user_id)
    signed_in = accounts.login(ctx, email=_email(learner.user_id), password=PASSWORD, client_ip=CLIENT)

    reply = as_(rights_fn, "GET", "/api/me/export", learner)

    assert reply.status == 200, reply
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="peerlearn-data-')
    data = reply.body
    assert data["profile"]["name"] == "Asha Export"
    assert [b["session_id"] for b in data["bookings"]] == [session_id]
    assert [p["payment_id"] for p in data["payments"]] == [payment_id]
    assert data["payments"][0]["receipt_number"]
    assert [n["title"] for n in data["notifications"]] == ["Your seat is confirmed"]
    assert [d["device"] for d in data["push_devices"]] == ["Chrome on Android"]
    assert len(data["sign_ins"]) == 1
    assert [r["kind"] for r in data["data_requests"]] == ["export"]
    text = json.dumps(data)
    user = UserItem.get(user_pk(learner.user_id), USER_PROFILE_SK)
    for secret in (user.password_hash, PUSH_ENDPOINT, PUSH_AUTH, signed_in.refresh_token, "token_hash"):
        assert secret not in text


def test_a_mentors_download_holds_the_sessions_they_teach(ctx: Context, rights_fn: ModuleType) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor)

    data = as_(rights_fn, "GET", "/api/me/export", mentor).body

    assert [s["id"] for s in data["sessions_taught"]] == [session_id]


def test_a_mentors_download_holds_a_completed_session_that_keeps_who_came(
    ctx: Context, rights_fn: ModuleType
) -> None:
    # A completed session keeps its learners' outcomes as string sets (for the dashboard): JSON has
    # no sets (the export answered 500), and those are other people's ids, so they stay out.
    mentor = person("mentor")
    session_id = publish(ctx, mentor)
    item = SessionItem.get(session_pk(session_id), SESSION_SK)
    item.update(
        actions=[
            SessionItem.attended_ids.add({"01LEARNERA", "01LEARNERB"}),
            SessionItem.no_show_ids.add({"01LEARNERC"}),
        ]
    )

    reply = as_(rights_fn, "GET", "/api/me/export", mentor)

    assert reply.status == 200, reply.body
    [taught] = reply.body["sessions_taught"]
    assert taught["id"] == session_id
    assert not {"attended_ids", "no_show_ids"} & set(taught)
    assert "01LEARNER" not in json.dumps(reply.body)


def test_downloads_are_limited_to_three_an_hour(ctx: Context, rights_fn: ModuleType) -> None:
    learner = person()
    statuses = [as_(rights_fn, "GET", "/api/me/export", learner).status for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


# ---------------------------------------------------------------- deleting an account
def _email(user_id: str) -> str:
    return UserItem.get(user_pk(user_id), USER_PROFILE_SK).email


def test_deleting_needs_the_password_and_the_word_delete(ctx: Context, rights_fn: ModuleType) -> None:
    learner = person()

    wrong = as_(rights_fn, "DELETE", "/api/me", learner, {"password": "not-it", "confirm": "DELETE"})
    unconfirmed = as_(rights_fn, "DELETE", "/api/me", learner, {"password": PASSWORD, "confirm": "yes"})
    missing = as_(rights_fn, "DELETE", "/api/me", learner, {"password": PASSWORD})

    assert (wrong.status, wrong.body["error"]["field"]) == (400, "password")
    assert (unconfirmed.status, unconfirmed.body["error"]["field"]) == (400, "confirm")
    assert (missing.status, missing.body["error"]["field"]) == (400, "confirm")
    assert UserItem.get(user_pk(learner.user_id), USER_PROFILE_SK).deleted_at is None


def test_a_deleted_learner_is_refunded_erased_signed_out_and_their_address_is_free(
    ctx: Context, fake: FakeRazorpay, rights_fn: ModuleType
) -> None:
    # Given a learner with a paid seat in a future session, a device, a notification and a sign-in
    learner = person(name="Zubin Erasable")
    email = _email(learner.user_id)
    mentor = person("mentor")
    session_id = publish(ctx, mentor, price_paise=PRICE)
    stream = Stream(ctx)
    payment_id = paid_booking(ctx, fake, learner, session_id)
    with_device_and_notification(learner.user_id)
    signed_in = accounts.login(ctx, email=email, password=PASSWORD, client_ip=CLIENT)
    stream.flush()
    assert "Zubin" in table_text(ctx)  # the mentor was told "Zubin Erasable booked a seat"

    # When they delete their account (and the stream delivers what that changed, twice)
    reply = as_(rights_fn, "DELETE", "/api/me", learner, {"password": PASSWORD, "confirm": "DELETE"})
    stream.flush()
    stream.replay()

    # Then their booking is cancelled and refunded once, in full, through the ledger
    assert reply.status == 200, reply
    assert reply.body["bookings_cancelled"] == 1
    assert reply.body["request"]["status"] == "completed"
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert (booking.status, booking.cancel_reason) == ("cancelled", "account_deleted")
    [refund] = refunds_of(payment_id)
    assert (refund.kind, refund.amount_paise) == ("policy", PRICE)
    assert get_payment(payment_id) is not None  # the financial record stays
    assert check_books() == []
    # and nothing in the table names them any more
    text = table_text(ctx)
    assert "Zubin" not in text
    assert email not in text
    assert PUSH_ENDPOINT not in text
    # and their tokens and password no longer work
    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, signed_in.access_token)
    with pytest.raises(Unauthorized):
        accounts.login(ctx, email=email, password=PASSWORD, client_ip="192.0.2.9")
    with pytest.raises(Unauthorized):
        accounts.refresh(ctx, refresh_token=signed_in.refresh_token)
    # and the address can sign up again, as a new person
    again = accounts.register(
        ctx, RegisterRequest(name="Zubin Again", email=email, password=PASSWORD), client_ip="192.0.2.9"
    )
    assert again.id != learner.user_id


def test_a_deleted_mentors_future_sessions_are_cancelled_and_their_learners_refunded(
    ctx: Context, fake: FakeRazorpay, rights_fn: ModuleType
) -> None:
    mentor = person("mentor", name="Meera Leaving")
    session_id = publish(ctx, mentor, price_paise=PRICE)
    learner = person()
    payment_id = paid_booking(ctx, fake, learner, session_id)
    stream = Stream(ctx)

    reply = as_(rights_fn, "DELETE", "/api/me", mentor, {"password": PASSWORD, "confirm": "DELETE"})
    stream.flush()

    assert reply.status == 200, reply
    assert reply.body["sessions_cancelled"] == 1
    session = SessionItem.get(f"SESSION#{session_id}", "SESSION")
    assert (session.status, session.mentor_name) == ("cancelled", "Deleted user")
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert (booking.status, booking.mentor_name) == ("cancelled", "Deleted user")
    assert [r.amount_paise for r in refunds_of(payment_id)] == [PRICE]
    assert "Meera" not in table_text(ctx)
    assert check_books() == []
    assert ledger.entry(f"capture#{payment_id}") is not None  # kept, tied to ids only


def test_a_deleted_mentors_name_leaves_their_learners_notifications(
    ctx: Context, rights_fn: ModuleType
) -> None:
    # Given a learner of the mentor's session, told about the mentor by name
    mentor = person("mentor", name="Meera Vanishing")
    session_id = publish(ctx, mentor)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    NotificationItem(
        user_pk(learner.user_id),
        notification_sk("01NMENTOR"),
        user_id=learner.user_id,
        kind="review.replied",
        title="Meera Vanishing replied to your review",
        body="Meera Vanishing: thanks for coming!",
        created_at="2026-11-30T00:00:00Z",
    ).save()

    # When the mentor deletes their account
    reply = as_(rights_fn, "DELETE", "/api/me", mentor, {"password": PASSWORD, "confirm": "DELETE"})

    # Then the learner's notification says "Deleted user" and keeps the rest
    assert reply.status == 200, reply
    kept = NotificationItem.get(user_pk(learner.user_id), notification_sk("01NMENTOR"))
    assert (kept.title, kept.body) == (
        "Deleted user replied to your review",
        "Deleted user: thanks for coming!",
    )
    assert "Vanishing" not in table_text(ctx)


def test_a_name_an_admin_edited_is_gone_from_every_item_once_the_account_is_deleted(
    ctx: Context, rights_fn: ModuleType
) -> None:
    # Given an admin who renamed a learner and gave them a headline (each edit audited)
    from peerlearn.accounts import admin as user_admin
    from peerlearn.accounts.schemas import AdminProfileChanges
    from peerlearn.store.audit import AUDIT_PK, AuditItem

    learner = person(name="Farah Oldname")
    admin_id = accounts.create_admin(email="root@example.com", name="Root", password="admin-password-99")
    user_admin.update_profile(
        media_base_url="",
        admin_id=admin_id,
        user_id=learner.user_id,
        changes=AdminProfileChanges(name="Farah Newname", headline="Learns Kathak", reason="Asked by them"),
    )
    [entry] = AuditItem.query(AUDIT_PK)
    assert (entry.fields, entry.before, entry.after) == (["headline", "name"], None, None)
    assert "Newname" in table_text(ctx)  # on the profile, until the deletion

    # When the learner deletes their account
    reply = as_(rights_fn, "DELETE", "/api/me", learner, {"password": PASSWORD, "confirm": "DELETE"})

    # Then neither name nor the headline is in any item, the audit log's included
    assert reply.status == 200, reply
    text = table_text(ctx)
    for personal in ("Oldname", "Newname", "Kathak"):
        assert personal not in text
    assert [e.action for e in AuditItem.query(AUDIT_PK)] == ["user.update"]  # the entry itself stays


# ---------------------------------------------------------------- the admins' side
def test_a_learner_or_mentor_gets_403_from_the_admin_routes(ctx: Context, rights_fn: ModuleType) -> None:
    for role in ("learner", "mentor"):
        booker = person(role)
        listed = as_(rights_fn, "GET", "/api/admin/data-requests", booker)
        completed = as_(
            rights_fn,
            "POST",
            "/api/admin/data-requests/01ABC/complete",
            booker,
            resource="/api/admin/data-requests/{request_id}/complete",
            path_parameters={"request_id": "01ABC"},
        )
        assert (listed.status, completed.status) == (403, 403)
        deleted = admin_deletes(rights_fn, booker, person().user_id, {"reason": "Asked", "confirm": "DELETE"})
        assert deleted.status == 403


def admin_deletes(rights_fn: ModuleType, caller: Any, user_id: str, body: Any) -> Any:
    return as_(
        rights_fn,
        "POST",
        f"/api/admin/users/{user_id}/delete",
        caller,
        body,
        resource="/api/admin/users/{user_id}/delete",
        path_parameters={"user_id": user_id},
    )


def test_an_admin_deletes_a_banned_persons_account_for_them_and_it_is_audited(
    ctx: Context, rights_fn: ModuleType
) -> None:
    from peerlearn.accounts import admin as user_admin
    from peerlearn.store.audit import AUDIT_PK, AuditItem

    # Given a banned learner (they can't sign in to delete it themselves) who asked by email
    learner = person(name="Kavya Banned")
    admin = {
        "user_id": accounts.create_admin(email="root@example.com", name="Root", password="admin-password-99"),
        "role": "admin",
    }
    user_admin.ban(media_base_url="", admin_id=admin["user_id"], user_id=learner.user_id, reason="Spam")
    body = {"reason": "Asked by email, ticket 4512", "confirm": "DELETE"}

    # When an admin deletes the account (and tries again, and sends no confirmation)
    unconfirmed = admin_deletes(rights_fn, admin, learner.user_id, {"reason": "Asked"})
    reply = admin_deletes(rights_fn, admin, learner.user_id, body)
    again = admin_deletes(rights_fn, admin, learner.user_id, body)
    an_admin = admin_deletes(rights_fn, admin, admin["user_id"], body)

    # Then it is erased as their own deletion would, completed by the admin, and audited with the reason
    assert unconfirmed.status == 400
    assert "confirm" in json.dumps(unconfirmed.body)
    assert reply.status == 200, reply
    assert (reply.body["request"]["status"], reply.body["request"]["completed_by"]) == (
        "completed",
        admin["user_id"],
    )
    assert "Kavya" not in table_text(ctx)
    assert user_admin.view_user(
        media_base_url="", user_id=learner.user_id
    ).deleted  # the admin site offers nothing more
    assert (again.status, again.body["error"]["code"]) == (409, "account_deleted")
    assert an_admin.status == 400
    entries = {e.action: e for e in AuditItem.query(AUDIT_PK)}
    assert set(entries) == {"user.ban", "user.deletion", "data_request.complete"}
    assert (entries["user.deletion"].target_id, entries["user.deletion"].reason) == (
        learner.user_id,
        body["reason"],
    )


def test_a_deletion_with_a_withdrawal_being_paid_waits_for_an_admin(
    ctx: Context, rights_fn: ModuleType
) -> None:
    mentor = person("mentor")
    admin = {
        "user_id": accounts.create_admin(email="root@example.com", name="Root", password="admin-password-99"),
        "role": "admin",
    }
    withdrawal = WithdrawalItem(
        "WITHDRAWAL#w1",
        "WITHDRAWAL",
        id="w1",
        mentor_id=mentor.user_id,
        amount_paise=10_000,
        status="processing",
        requested_at="2026-11-29T10:00:00Z",
        updated_at="2026-11-29T10:00:00Z",
        gsi1pk="WITHDRAWALS#processing",
        gsi1sk="2026-11-29T10:00:00Z#w1",
        gsi2pk=f"MENTOR_WITHDRAWALS#{mentor.user_id}",
        gsi2sk="2026-11-29T10:00:00Z#w1",
    )
    withdrawal.save()

    deleted = as_(rights_fn, "DELETE", "/api/me", mentor, {"password": PASSWORD, "confirm": "DELETE"})
    request_id = deleted.body["request"]["id"]
    waiting = as_(rights_fn, "GET", "/api/admin/data-requests", admin, query={"status": "waiting_admin"})
    path = f"/api/admin/data-requests/{request_id}/complete"
    params = {
        "resource": "/api/admin/data-requests/{request_id}/complete",
        "path_parameters": {"request_id": request_id},
    }
    too_soon = as_(rights_fn, "POST", path, admin, **params)
    withdrawal.update(actions=[WithdrawalItem.status.set("paid")])
    done = as_(rights_fn, "POST", path, admin, **params)
    again = as_(rights_fn, "POST", path, admin, **params)

    assert deleted.status == 200, deleted
    assert deleted.body["request"]["status"] == "waiting_admin"
    assert request_id in [item["id"] for item in waiting.body["items"]]
    assert (too_soon.status, too_soon.body["error"]["code"]) == (409, "withdrawals_pending")
    assert (done.status, done.body["status"], done.body["completed_by"]) == (
        200,
        "completed",
        admin["user_id"],
    )
    assert again.status == 409
