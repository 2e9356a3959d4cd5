"""The REST functions through their Lambda handlers, with events shaped like API Gateway's."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest

from tests.support import LambdaContextStub, call, load_event, load_function, rest_event

PASSWORD = "mango-monsoon-42"
NEW_USER = {"name": "Asha Rao", "email": "asha@example.com", "password": PASSWORD, "role": "learner"}


@pytest.fixture
def auth(ctx: Any) -> ModuleType:
    return load_function("auth")


@pytest.fixture
def users(ctx: Any) -> ModuleType:
    return load_function("users")


def register(auth: ModuleType, **overrides: Any) -> dict[str, Any]:
    reply = call(auth, rest_event("POST", "/api/auth/register", {**NEW_USER, **overrides}))
    assert reply.status == 201, reply
    return reply.body["user"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({k: v for k, v in NEW_USER.items() if k != "email"}, "email", "invalid_request"),
        ({**NEW_USER, "email": "not-an-email"}, "email", "invalid_request"),
        ({**NEW_USER, "name": 42}, "name", "invalid_request"),
        ({**NEW_USER, "name": "x" * 81}, "name", "invalid_request"),
        ({**NEW_USER, "is_admin": True}, "is_admin", "invalid_request"),
        ({**NEW_USER, "role": "admin"}, "role", "invalid_request"),
        ({**NEW_USER, "password": "short1"}, "password", "weak_password"),
        ({**NEW_USER, "password": "asha-is-my-name-1"}, "password", "weak_password"),
        ({**NEW_USER, "password": "onlyletterspassword"}, "password", "weak_password"),
    ],
)
def test_bad_registrations_get_a_400_naming_the_field(
    auth: ModuleType, body: dict, field: str, code: str
) -> None:
    reply = call(auth, rest_event("POST", "/api/auth/register", body))
    assert reply.status == 400
    assert reply.body["error"]["field"] == field
    assert reply.body["error"]["code"] == code
    assert reply.body["error"]["message"]


@pytest.mark.parametrize("raw", ["{not json", "[]", '"text"', ""])
def test_a_body_that_is_not_a_json_object_is_a_400(auth: ModuleType, raw: str) -> None:
    reply = call(auth, rest_event("POST", "/api/auth/register", raw_body=raw))
    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_request"


def test_duplicate_email_is_a_409_on_the_email_field(auth: ModuleType) -> None:
    register(auth)
    reply = call(auth, rest_event("POST", "/api/auth/register", {**NEW_USER, "email": "ASHA@example.com"}))
    assert reply.status == 409
    assert reply.body["error"] == {
        "code": "email_taken",
        "message": "An account with this email already exists. Sign in instead.",
        "field": "email",
    }


def test_too_many_sign_ups_from_one_client_are_a_429_with_retry_after(auth: ModuleType) -> None:
    for n in range(20):
        register(auth, email=f"asha{n}@example.com")
    one_more = {**NEW_USER, "email": "one-more@example.com"}
    reply = call(auth, rest_event("POST", "/api/auth/register", one_more))
    assert reply.status == 429
    assert int(reply.headers["Retry-After"]) == reply.body["error"]["retry_after_seconds"] > 0


def test_login_sets_an_http_only_refresh_cookie_scoped_to_auth(auth: ModuleType) -> None:
    register(auth)
    reply = call(
        auth, rest_event("POST", "/api/auth/login", {"email": "asha@example.com", "password": PASSWORD})
    )
    assert reply.status == 200
    assert reply.body["token_type"] == "Bearer"
    assert reply.body["expires_in"] == 900
    refresh, device = sorted(reply.cookies, reverse=True)
    assert refresh.startswith("pl_refresh=rt1.")
    assert device.startswith("pl_device=d1.")  # the known-device cookie of the sign-in guard
    for cookie in (refresh, device):
        assert "HttpOnly" in cookie
        assert "Path=/api/auth" in cookie
        assert "SameSite=Strict" in cookie


def refresh_cookie(reply: Any) -> str:
    return next(c for c in reply.cookies if c.startswith("pl_refresh=")).split(";", 1)[0]


def test_refresh_reads_the_cookie_and_rotates_it(auth: ModuleType) -> None:
    register(auth)
    login = call(
        auth, rest_event("POST", "/api/auth/login", {"email": "asha@example.com", "password": PASSWORD})
    )
    cookie = refresh_cookie(login)

    reply = call(
        auth, rest_event("POST", "/api/auth/refresh", {}, headers={"Cookie": f"theme=dark; {cookie}"})
    )

    assert reply.status == 200
    assert refresh_cookie(reply) != cookie


def test_the_refresh_token_is_never_in_a_json_body_nor_accepted_from_one(auth: ModuleType) -> None:
    register(auth)
    login = call(
        auth, rest_event("POST", "/api/auth/login", {"email": "asha@example.com", "password": PASSWORD})
    )
    token = refresh_cookie(login).removeprefix("pl_refresh=")
    assert "refresh_token" not in login.body

    from_body = call(auth, rest_event("POST", "/api/auth/refresh", {"refresh_token": token}))
    with_cookie = rest_event("POST", "/api/auth/refresh", {}, headers={"Cookie": f"pl_refresh={token}"})
    from_cookie = call(auth, with_cookie)

    assert from_body.status == 401
    assert from_cookie.status == 200
    assert "refresh_token" not in from_cookie.body


def test_only_the_first_sign_in_of_an_account_says_so(auth: ModuleType) -> None:
    register(auth)
    credentials = {"email": "asha@example.com", "password": PASSWORD}
    first = call(auth, rest_event("POST", "/api/auth/login", credentials))
    second = call(auth, rest_event("POST", "/api/auth/login", credentials))
    assert (first.body["first_sign_in"], second.body["first_sign_in"]) == (True, False)


def test_logout_ends_the_access_token_that_accompanies_it(auth: ModuleType) -> None:
    from peerlearn.accounts.authorize import authorize
    from peerlearn.errors import Unauthorized
    from tests.support import JWT_SECRET

    register(auth)
    login = call(
        auth, rest_event("POST", "/api/auth/login", {"email": "asha@example.com", "password": PASSWORD})
    )
    bearer = {"Authorization": f"Bearer {login.body['access_token']}"}

    reply = call(auth, rest_event("POST", "/api/auth/logout", {}, headers=bearer))

    assert reply.status == 200
    with pytest.raises(Unauthorized) as caught:
        authorize(JWT_SECRET, login.body["access_token"])
    assert caught.value.code == "signed_out"


def test_refresh_without_any_sign_in_is_a_401(auth: ModuleType) -> None:
    reply = call(auth, rest_event("POST", "/api/auth/refresh", {}))
    assert reply.status == 401
    assert reply.body["error"]["code"] == "signed_out"


def test_the_lockout_answer_is_429_with_retry_after(auth: ModuleType) -> None:
    register(auth)
    wrong = {"email": "asha@example.com", "password": "wrong-password-1"}
    for _ in range(5):
        assert call(auth, rest_event("POST", "/api/auth/login", wrong)).status == 401
    reply = call(auth, rest_event("POST", "/api/auth/login", wrong))
    assert reply.status == 429
    assert int(reply.headers["Retry-After"]) == reply.body["error"]["retry_after_seconds"] > 0


def test_trailing_slash_paths_reach_the_same_routes(auth: ModuleType) -> None:
    register(auth)
    reply = call(
        auth,
        rest_event(
            "POST",
            "/api/auth/login/",
            {"email": "asha@example.com", "password": PASSWORD},
            resource="/api/auth/login",
        ),
    )
    assert reply.status == 200


def test_password_reset_answers_the_same_for_known_and_unknown_emails(auth: ModuleType) -> None:
    register(auth)
    known = call(auth, rest_event("POST", "/api/auth/password-reset", {"email": "asha@example.com"}))
    unknown = call(auth, rest_event("POST", "/api/auth/password-reset", {"email": "ghost@example.com"}))
    assert known.status == unknown.status == 202
    assert known.body == unknown.body


def test_me_returns_the_callers_profile_with_private_fields(auth: ModuleType, users: ModuleType) -> None:
    user = register(auth)
    reply = call(users, rest_event("GET", "/api/me", identity={"user_id": user["id"]}))
    assert reply.status == 200
    assert reply.body["email"] == "asha@example.com"
    assert reply.body["timezone"] == "Asia/Kolkata"


def test_me_without_an_authorizer_identity_is_a_401(users: ModuleType) -> None:
    reply = call(users, rest_event("GET", "/api/me"))
    assert reply.status == 401


def test_profile_edits_change_only_the_fields_sent(auth: ModuleType, users: ModuleType) -> None:
    user = register(auth)
    me = {"user_id": user["id"]}
    call(
        users,
        rest_event(
            "PATCH",
            "/api/me",
            {"headline": "Learning Rust", "skills": ["Python", "Python", "Go"]},
            identity=me,
        ),
    )
    reply = call(
        users, rest_event("PATCH", "/api/me", {"bio": "Hi!", "timezone": "Europe/London"}, identity=me)
    )
    assert reply.status == 200
    assert reply.body["headline"] == "Learning Rust"
    assert reply.body["skills"] == ["Python", "Go"]
    assert (reply.body["bio"], reply.body["timezone"]) == ("Hi!", "Europe/London")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"bio": "x" * 2001}, "bio"),
        ({"skills": ["x"] * 21}, "skills"),
        ({"email": "new@example.com"}, "email"),
        ({"role": "admin"}, "role"),
        ({"avatar_key": "media/avatars/SOMEONE-ELSE/a.png"}, "avatar_key"),
        ({"name": None}, "name"),
    ],
)
def test_bad_profile_edits_are_refused_and_change_nothing(
    auth: ModuleType, users: ModuleType, body: dict, field: str
) -> None:
    user = register(auth)
    reply = call(users, rest_event("PATCH", "/api/me", body, identity={"user_id": user["id"]}))
    assert reply.status == 400
    assert reply.body["error"]["field"] == field
    after = call(users, rest_event("GET", "/api/me", identity={"user_id": user["id"]})).body
    assert after == user


def test_public_profiles_hide_email_and_private_fields(auth: ModuleType, users: ModuleType) -> None:
    user = register(auth)
    reply = call(
        users,
        rest_event(
            "GET", f"/api/users/{user['id']}", resource="/api/users/{id}", path_parameters={"id": user["id"]}
        ),
    )
    assert reply.status == 200
    assert reply.body["name"] == "Asha Rao"
    assert "email" not in reply.body
    assert "email_verified" not in reply.body


def test_an_unknown_user_is_a_json_404(users: ModuleType) -> None:
    reply = call(
        users,
        rest_event("GET", "/api/users/nope", resource="/api/users/{id}", path_parameters={"id": "nope"}),
    )
    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"


def test_avatar_upload_gives_a_signed_url_under_the_users_prefix(auth: ModuleType, users: ModuleType) -> None:
    user = register(auth)
    me = {"user_id": user["id"]}
    reply = call(
        users,
        rest_event("POST", "/api/me/avatar", {"content_type": "image/png", "size_bytes": 1000}, identity=me),
    )
    assert reply.status == 200
    assert reply.body["avatar_key"].startswith(f"media/avatars/{user['id']}/")
    assert "signature=" in reply.body["upload_url"]
    saved = call(users, rest_event("PATCH", "/api/me", {"avatar_key": reply.body["avatar_key"]}, identity=me))
    assert saved.body["avatar_url"].endswith(reply.body["avatar_key"].removeprefix("media/"))

    too_big = call(
        users,
        rest_event(
            "POST", "/api/me/avatar", {"content_type": "image/png", "size_bytes": 9_000_000}, identity=me
        ),
    )
    assert too_big.status == 400
    assert too_big.body["error"]["field"] == "size_bytes"


def test_admin_routes_refuse_non_admins(ctx: Any, auth: ModuleType) -> None:
    admin = load_function("admin")
    user = register(auth)
    event = rest_event(
        "PUT",
        f"/api/admin/users/{user['id']}/ban",
        {"reason": "Trying my luck"},
        resource="/api/admin/users/{id}/ban",
        path_parameters={"id": user["id"]},
        identity={"user_id": user["id"], "role": "learner"},
    )
    reply = call(admin, event)
    assert reply.status == 403


def test_the_openapi_document_lists_every_route_with_examples(ctx: Any) -> None:
    docs = load_function("docs")
    reply = call(docs, rest_event("GET", "/api/openapi.json"))
    assert reply.status == 200
    paths = reply.body["paths"]
    for path in ("/api/auth/login", "/api/auth/register", "/api/me", "/api/users/{user_id}"):
        assert path in paths
    schemas = reply.body["components"]["schemas"]
    assert schemas["RegisterRequest"]["examples"]


def test_the_swagger_page_loads_nothing_from_the_internet(ctx: Any) -> None:
    docs = load_function("docs")
    raw = docs.lambda_handler(rest_event("GET", "/api/docs"), LambdaContextStub())
    assert raw["statusCode"] == 200
    assert "swagger" in raw["body"].lower()
    assert "cdn" not in raw["body"].lower()
    assert "unpkg" not in raw["body"].lower()


def test_streams_function_sends_the_verification_email_for_a_new_user(
    ctx: Any, auth: ModuleType, outbox: Any
) -> None:
    user = register(auth)
    streams = load_function("streams")
    event = load_event("streams/user-insert.json")
    event["Records"][0]["dynamodb"]["NewImage"]["id"]["S"] = user["id"]

    first = streams.lambda_handler(event, LambdaContextStub())
    again = streams.lambda_handler(event, LambdaContextStub())

    assert first == again == {"batchItemFailures": []}
    assert len(outbox.emails("asha@example.com")) == 1


def test_streams_function_reports_only_the_failing_record_for_retry(
    ctx: Any, auth: ModuleType, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy = register(auth)
    streams = load_function("streams")
    event = load_event("streams/user-insert.json")
    good = copy.deepcopy(event["Records"][0])
    good["dynamodb"]["NewImage"]["id"]["S"] = healthy["id"]
    good["dynamodb"]["SequenceNumber"] = "111100000000000000000002"
    event["Records"].append(good)
    from peerlearn.accounts import service

    real = service.on_user_created

    def flaky(ctx: Any, user_id: str) -> None:
        if user_id != healthy["id"]:
            raise RuntimeError("email provider down")
        real(ctx, user_id)

    monkeypatch.setattr(service, "on_user_created", flaky)
    reply = streams.lambda_handler(event, LambdaContextStub())

    assert reply == {"batchItemFailures": [{"itemIdentifier": "111100000000000000000001"}]}
    assert len(outbox.emails("asha@example.com")) == 1


def test_a_route_that_declares_its_caller_answers_401_without_one(ctx: Any) -> None:
    # Given an admin route reached without the authorizer's identity (a misconfigured route)
    admin = load_function("admin")
    event = rest_event(
        "PUT", "/api/admin/users/x/ban", {"reason": "Spam"}, resource="/api/admin/users/{id}/ban"
    )
    # When it is called, the declared caller dependency refuses: a 401 in the one error shape, not a 500
    reply = call(admin, event)
    assert reply.status == 401
    assert reply.body["error"]["code"] == "unauthorized"
