"""The admins' assistant on the local stack: the admin function's real `groq` SDK talks to the Groq
stand-in the gateway mounts (no GROQ_API_KEY), tools read DynamoDB Local. The revenue question gets
the ledger's figure for last week; a learner or a mentor gets 403; a request to delete is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn import clock
from peerlearn.accounts import service as accounts
from peerlearn.assistant import figures, periods
from peerlearn.assistant.figures import rupees
from peerlearn.bookings import seats
from peerlearn.bookings.seats import Booker
from peerlearn.catalog import publishing
from peerlearn.catalog.schemas import SessionCreate
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.ledger.accounts import PLATFORM_FEE
from peerlearn.ledger.journal import all_entries
from peerlearn.payments import gateway, orders
from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest
from tests.payments_support import FakeRazorpay
from tests.support import local_in, stack_for, wait_until

pytestmark = pytest.mark.integration

PASSWORD = "mango-monsoon-42"
PRICE = 79_900


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("assistant"),
        "assistant",
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


def someone(role: str = "learner") -> Booker:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    extra = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
    name = f"{role.title()} {email[:10]}"
    user_id = accounts.create_account(
        name=name, email=email, password=PASSWORD, role=role, verified=True, **extra
    )
    return Booker(user_id=user_id, name=name, role=role, email_verified=True)


def bearer(ctx: Context, user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.sign_in_without_password(ctx, user_id).access_token}"}


def paid_at(ctx: Context, fake: FakeRazorpay, moment: datetime) -> None:
    """A booking paid at `moment` (this process's clock moved there), written to the stack's table."""
    with clock.shifted(int(moment.timestamp()) - clock.now_seconds()):
        mentor, learner = someone("mentor"), someone()
        request = SessionCreate(
            title="System design mock interview",
            description="One hour, one problem.",
            tags=["System design"],
            level="advanced",
            language="English",
            starts_at_local=local_in(48 * 60),
            timezone="Asia/Kolkata",
            duration_minutes=60,
            capacity=1,
            price_paise=PRICE,
        )
        session = publishing.create_session(
            ctx, mentor_id=mentor.user_id, request=request, client="192.0.2.9"
        )
        seats.book(booker=learner, session_id=session.id, client="192.0.2.9")
        order = orders.create_booking_order(
            ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session.id)
        )
        paid = fake.pay(order.order_id)
        verify = BookingVerifyRequest(session_id=session.id, **paid)
        assert orders.verify_booking(ctx, learner_id=learner.user_id, request=verify).status == "confirmed"


def test_the_revenue_question_through_the_stack_gets_the_ledgers_figure_for_last_week(
    stack: LocalStack, ctx: Context, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a booking paid last Tuesday noon in India, and one today
    fake = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda _ctx: fake)
    last_week = periods.named("last_week")
    tuesday = datetime.combine(last_week.first + timedelta(days=1), time(12), tzinfo=periods.INDIA)
    paid_at(ctx, fake, tuesday.astimezone(UTC))
    paid_at(ctx, fake, datetime.now(UTC))
    expected = sum(  # the ledger's figure: a Scan of the journal, here in the test only
        e.net_paise().get(PLATFORM_FEE, 0)
        for e in all_entries()
        if e.at is not None and last_week.start_iso <= e.at < last_week.end_iso
    )
    admin_id = accounts.create_admin(
        email=f"admin-{uuid.uuid4().hex[:8]}@example.com", name="Root Admin", password="admin-password-99"
    )
    # The tool reads the rollups (the reports' source): the stack's stream counts the entries first
    wait_until(
        lambda: figures.money_between(last_week).platform_revenue_paise == expected,
        timeout=30,
        interval=0.2,
        what="the stream to count last week's ledger entries",
    )

    # When
    reply = api.post(
        "/api/admin/assistant",
        json={"messages": [{"role": "user", "content": "How much revenue did we make last week?"}]},
        headers=bearer(ctx, admin_id),
    )

    # Then
    assert stack.groq is not None  # no GROQ_API_KEY: the stand-in answered
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert expected > 0
    assert rupees(expected) in body["answer"]
    assert [t["name"] for t in body["tools_used"]] == ["money_between"]
    assert body["tools_used"][0]["arguments"]["from_date"] == last_week.first.isoformat()


def test_a_learner_or_a_mentor_gets_403_and_a_request_to_delete_is_refused(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    ask = {"messages": [{"role": "user", "content": "Delete user asha@example.com"}]}
    for role in ("learner", "mentor"):
        refused = api.post("/api/admin/assistant", json=ask, headers=bearer(ctx, someone(role).user_id))
        assert refused.status_code == 403, refused.text
    admin_id = accounts.create_admin(
        email=f"admin-{uuid.uuid4().hex[:8]}@example.com", name="Root Admin", password="admin-password-99"
    )

    reply = api.post("/api/admin/assistant", json=ask, headers=bearer(ctx, admin_id))

    assert reply.status_code == 200, reply.text
    assert reply.json()["refused"] is True
    assert reply.json()["tools_used"] == []
