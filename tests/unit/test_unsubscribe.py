"""One-click unsubscribe: tokens that can't be forged or bent, the public routes, and suppression."""

from __future__ import annotations

import base64
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest

from peerlearn.context import Context
from peerlearn.errors import BadRequest
from peerlearn.notify import catalog, email_events, preferences, suppression
from peerlearn.notify.unsubscribe import make_token, mask_email, read_token, unsubscribe_url
from peerlearn.store.models import UserItem
from tests.support import call, load_event, load_function, rest_event, user_item

SECRET = "s" * 48
PATH = "/api/notifications/unsubscribe"


# ---------------------------------------------------------------- tokens
def test_a_token_names_its_person_and_category() -> None:
    found = read_token(SECRET, make_token(SECRET, "01ABC", "reminders"))
    assert (found.user_id, found.category.name) == ("01ABC", "reminders")


@pytest.mark.parametrize(
    "bend",
    [
        lambda t: t.replace(".reminders.", ".bookings."),  # another category, same signature
        lambda t: t.replace("01ABC", "01ABD"),  # another person
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # an altered signature
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: t.replace("u1.", "u2.", 1),  # another version
        lambda t: t + ".extra",
        lambda t: "",
        lambda t: "u1.01ABC.reminders.",
    ],
)
def test_altered_tokens_are_refused(bend: Any) -> None:
    with pytest.raises(BadRequest):
        read_token(SECRET, bend(make_token(SECRET, "01ABC", "reminders")))


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(BadRequest):
        read_token(SECRET, make_token("t" * 48, "01ABC", "reminders"))


def test_the_key_is_derived_for_this_purpose_not_the_jwt_secret_itself() -> None:
    import hashlib
    import hmac

    naive = hmac.new(SECRET.encode(), b"u1.01ABC.reminders", hashlib.sha256).digest()
    forged = "u1.01ABC.reminders." + base64.urlsafe_b64encode(naive).rstrip(b"=").decode()
    with pytest.raises(BadRequest):
        read_token(SECRET, forged)


@pytest.mark.parametrize("category", [c.name for c in catalog.CATEGORIES.values() if c.account])
def test_account_categories_have_no_token(category: str) -> None:
    with pytest.raises(ValueError, match="no unsubscribe"):
        make_token(SECRET, "01ABC", category)


def test_the_one_click_url_points_at_the_api(ctx: Context) -> None:
    url = unsubscribe_url(ctx.settings, "01ABC", "gifts")
    assert url.startswith(f"{ctx.settings.web_base_url}/api/notifications/unsubscribe?token=u1.01ABC.gifts.")


def test_masked_email() -> None:
    assert mask_email("asha@example.com") == "a•••@example.com"
    assert mask_email("nonsense") == "•••"


# ---------------------------------------------------------------- routes
@pytest.fixture
def notifications(ctx: Context) -> ModuleType:
    return load_function("notifications")


@pytest.fixture
def user(aws: None) -> UserItem:
    item = user_item("01ASHA")
    item.email = "asha@example.com"
    item.save()
    return item


def event(method: str, token: str, **options: Any) -> dict[str, Any]:
    built = rest_event(method, PATH, **options)
    built["queryStringParameters"] = {"token": token}
    built["multiValueQueryStringParameters"] = {"token": [token]}
    return built


def test_get_says_what_the_link_would_do(notifications: ModuleType, ctx: Context, user: UserItem) -> None:
    reply = call(notifications, event("GET", make_token(ctx.settings.jwt_secret, user.id, "reminders")))
    assert reply.status == 200, reply
    assert reply.body == {
        "category": "reminders",
        "label": "Reminders",
        "email": "a•••@example.com",
        "subscribed": True,
    }


def test_one_click_post_with_the_form_body_unsubscribes_that_category_only(
    notifications: ModuleType, ctx: Context, user: UserItem
) -> None:
    token = make_token(ctx.settings.jwt_secret, user.id, "reminders")
    form = event(
        "POST",
        token,
        raw_body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    reply = call(notifications, form)
    assert reply.status == 200, reply
    assert reply.body == {"category": "reminders", "unsubscribed": True}
    assert preferences.get(user.id).allows("reminders", "email") is False
    assert preferences.get(user.id).allows("reminders", "push") is True
    assert preferences.get(user.id).allows("bookings", "email") is True
    again = call(notifications, event("POST", token, body={}))  # JSON, and a second click
    assert again.status == 200
    described = call(notifications, event("GET", token))
    assert described.body["subscribed"] is False


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_bad_tokens_get_a_400_never_a_5xx(notifications: ModuleType, ctx: Context, method: str) -> None:
    forged = make_token("t" * 48, "01ASHA", "reminders")
    for token in (forged, "nonsense", "u1.01ASHA.payments.AAAA", quote("u1.x.y.z") * 3):
        reply = call(notifications, event(method, token))
        assert reply.status == 400, reply
        assert reply.body["error"]["code"] == "invalid_token"


def test_a_missing_token_is_a_400(notifications: ModuleType) -> None:
    reply = call(notifications, rest_event("POST", PATH))
    assert reply.status == 400
    assert reply.body["error"]["field"] == "token"


def test_a_token_for_a_deleted_account_is_a_404(notifications: ModuleType, ctx: Context) -> None:
    reply = call(notifications, event("POST", make_token(ctx.settings.jwt_secret, "01GONE", "reminders")))
    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"


def test_the_routes_are_rate_limited_per_client(
    notifications: ModuleType, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlearn import ratelimit
    from peerlearn.api.routes import unsubscribe as routes

    monkeypatch.setattr(routes, "CALLS_PER_CLIENT", ratelimit.Limit("unsubscribe-client", 2, 600))
    replies = [call(notifications, event("GET", "nonsense")) for _ in range(3)]
    assert [r.status for r in replies] == [400, 400, 429]
    assert int(replies[-1].headers["Retry-After"]) > 0


# ---------------------------------------------------------------- suppression
def test_suppression_is_per_address_case_insensitive(aws: None) -> None:
    assert suppression.is_suppressed("gone@example.com") is False
    suppression.suppress("Gone@Example.com ", "bounce")
    assert suppression.is_suppressed("gone@example.com") is True
    assert suppression.is_suppressed("other@example.com") is False
    with pytest.raises(ValueError, match="reason"):
        suppression.suppress("x@example.com", "bored")


def test_ses_events_suppress_permanent_bounces_and_complaints(aws: None) -> None:
    bounce, complaint = load_event("ses/bounce.json"), load_event("ses/complaint.json")
    assert email_events.record(bounce) == 1
    assert email_events.record(bounce) == 1  # redelivered: the same item again
    assert email_events.record(complaint) == 1
    assert suppression.is_suppressed("gone@example.com")
    assert suppression.is_suppressed("annoyed@example.com")


def test_transient_bounces_and_other_events_suppress_nothing(aws: None) -> None:
    soft = load_event("ses/bounce.json")
    soft["detail"]["bounce"]["bounceType"] = "Transient"
    delivered = {**load_event("ses/bounce.json"), "detail-type": "Email Delivered"}
    foreign = {**load_event("ses/complaint.json"), "source": "my.app"}
    assert [email_events.record(e) for e in (soft, delivered, foreign, {})] == [0, 0, 0, 0]
    assert suppression.is_suppressed("gone@example.com") is False


def test_the_email_events_function_records_a_bounce(aws: None, env: dict[str, str]) -> None:
    function = load_function("email_events")
    from tests.support import LambdaContextStub

    assert function.lambda_handler(load_event("ses/bounce.json"), LambdaContextStub()) == {"suppressed": 1}
    assert suppression.is_suppressed("gone@example.com")


def test_account_email_cannot_be_turned_off(aws: None) -> None:
    with pytest.raises(BadRequest):
        preferences.set_channel("01ASHA", "payments", "email", False)
    prefs = preferences.set_channel("01ASHA", "payments", "push", False)
    assert prefs.allows("payments", "email") is True
    assert prefs.allows("payments", "push") is False
