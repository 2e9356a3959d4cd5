"""The REST functions through their Lambda handlers, with events shaped like API Gateway's."""

from __future__ import annotations

import base64
import copy
import json
from types import ModuleType
from typing import Any

import pytest

from tests.support import (
    ORIGIN_HEADER,
    ORIGIN_SECRET,
    LambdaContextStub,
    Reply,
    call,
    load_event,
    load_function,
    rest_event,
)

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
        ({**NEW_USER, "interests": [f"Topic {n}" for n in range(21)]}, "interests", "invalid_request"),
        ({**NEW_USER, "interests": ["x" * 41]}, "interests", "invalid_request"),
        ({**NEW_USER, "interests": ["Python\u0007"]}, "interests", "invalid_request"),
        ({**NEW_USER, "interests": "Python"}, "interests", "invalid_request"),
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


def test_a_learner_chooses_interests_at_sign_up_and_sees_them_on_their_profile(
    auth: ModuleType, users: ModuleType
) -> None:
    user = register(auth, interests=["Python", "System design"])
    me = call(users, rest_event("GET", "/api/me", identity={"user_id": user["id"], "role": "learner"}))

    assert user["interests"] == ["Python", "System design"]
    assert me.body["interests"] == ["Python", "System design"]


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
            {"headline": "Learning Rust", "skills": ["Python", "python", "Go"]},
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


SWAGGER_ASSETS = {
    "/api/docs/swagger-ui-bundle.js": "text/javascript",
    "/api/docs/swagger-init.js": "text/javascript",
    "/api/docs/swagger-ui.css": "text/css",
}


def test_the_swagger_page_runs_no_inline_script_so_the_csp_can_forbid_them(ctx: Any) -> None:
    import re

    docs = load_function("docs")
    raw = docs.lambda_handler(rest_event("GET", "/api/docs"), LambdaContextStub())
    assert raw["statusCode"] == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", raw["body"], flags=re.S)
    assert [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts] == [  # type: ignore[union-attr]
        "/api/docs/swagger-ui-bundle.js",
        "/api/docs/swagger-init.js",
    ]
    assert all(not body.strip() for _, body in scripts)
    assert "<style" not in raw["body"]
    assert 'href="/api/docs/swagger-ui.css"' in raw["body"]


@pytest.mark.parametrize(("path", "content_type"), SWAGGER_ASSETS.items())
def test_the_swagger_page_scripts_and_styles_are_served_as_files(
    ctx: Any, path: str, content_type: str
) -> None:
    docs = load_function("docs")
    raw = docs.lambda_handler(rest_event("GET", path), LambdaContextStub())
    assert raw["statusCode"] == 200
    assert raw["multiValueHeaders"]["Content-Type"][0].startswith(content_type)
    assert raw["body"]
    if path.endswith("swagger-init.js"):
        assert '"/api/openapi.json"' in raw["body"]


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


# ---------------------------------------------------------------- the edge: bodies no route can read
def _base64_event(path: str, raw: bytes | str) -> dict[str, Any]:
    body = raw if isinstance(raw, str) else base64.b64encode(raw).decode("ascii")
    return {**rest_event("POST", path, raw_body=body), "isBase64Encoded": True}


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"email": ' * 5_000 + "1" + "}" * 5_000,
        "[" * 200 + "]" * 200,  # parses, but no body of this API is nested that deep
        "1" * 5_000,  # an integer longer than Python converts
    ],
    ids=["deep-array", "deep-object", "deep-but-parsable", "huge-integer"],
)
def test_json_no_route_can_read_is_a_400_invalid_json(auth: ModuleType, raw: str) -> None:
    reply = call(auth, rest_event("POST", "/api/auth/login", raw_body=raw))
    assert reply.status == 400, reply
    assert reply.body["error"]["code"] == "invalid_json"
    assert reply.body["error"]["message"]


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        (_base64_event("/api/auth/login", b'{"email": "\xff\xfe@example.com"}'), "UTF-8"),
        (_base64_event("/api/auth/login", "this is not base64!"), "base64"),
        (rest_event("POST", "/api/auth/login", raw_body='{"email": "\ud800@example.com"}'), "UTF-8"),
    ],
    ids=["invalid-utf8", "not-base64", "lone-surrogate"],
)
def test_a_body_that_is_not_utf8_text_is_a_400_invalid_encoding(
    auth: ModuleType, event: dict[str, Any], problem: str
) -> None:
    reply = call(auth, event)
    assert reply.status == 400, reply
    assert reply.body["error"]["code"] == "invalid_encoding"
    assert problem in reply.body["error"]["message"]


def test_a_valid_base64_json_body_reaches_the_route(auth: ModuleType) -> None:
    register(auth)
    body = json.dumps({"email": "asha@example.com", "password": PASSWORD}).encode()
    reply = call(auth, _base64_event("/api/auth/login", body))
    assert reply.status == 200, reply


def test_the_docs_function_refuses_unreadable_bodies_too(ctx: Any) -> None:
    docs = load_function("docs")
    event = _base64_event("/api/openapi.json", b"\xff")
    event["httpMethod"] = "GET"
    reply = call(docs, event)
    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_encoding"


# ---------------------------------------------------------------- the edge: only CloudFront may call
FUNCTIONS_AND_PUBLIC_ROUTES = [
    ("auth", "POST", "/api/auth/login", {"email": "asha@example.com", "password": PASSWORD}),
    ("users", "GET", "/api/me", None),
    ("sessions", "GET", "/api/sessions", None),
    ("admin", "PUT", "/api/admin/users/x/ban", None),
    ("docs", "GET", "/api/openapi.json", None),
    ("docs", "GET", "/api/docs", None),
]


@pytest.mark.parametrize(
    "origin", [None, "", "a-wrong-secret", ORIGIN_SECRET[:-1]], ids=["missing", "empty", "wrong", "prefix"]
)
@pytest.mark.parametrize(("function", "method", "path", "body"), FUNCTIONS_AND_PUBLIC_ROUTES)
def test_a_request_that_did_not_come_through_cloudfront_is_a_403_direct_access(
    ctx: Any, function: str, method: str, path: str, body: Any, origin: str | None
) -> None:
    # Given a request straight to API Gateway, without the header CloudFront adds (or with a guess)
    event = rest_event(method, path, body, origin_secret=origin, identity={"user_id": "u1", "role": "admin"})
    # When any REST function receives it, it refuses before routing
    reply = call(load_function(function), event)
    assert reply.status == 403, reply
    assert reply.body["error"]["code"] == "direct_access"


def test_the_origin_header_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from peerlearn.api import edge

    compared: list[tuple[bytes, bytes]] = []
    monkeypatch.setattr(edge.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or False)
    assert edge.origin_verified({"x-peerlearn-origin": "guess"}, ORIGIN_SECRET) is False
    assert compared == [(b"guess", ORIGIN_SECRET.encode())]


def test_a_function_without_an_origin_secret_refuses_everything() -> None:
    from peerlearn.api import edge

    assert edge.origin_verified({"X-PeerLearn-Origin": ""}, None) is False
    assert edge.origin_verified({"X-PeerLearn-Origin": "anything"}, None) is False


def test_the_authorizer_denies_a_request_without_the_origin_header(ctx: Any, auth: ModuleType) -> None:
    register(auth)
    login = call(
        auth, rest_event("POST", "/api/auth/login", {"email": "asha@example.com", "password": PASSWORD})
    )
    authorizer = load_function("authorizer")
    event = load_event("authorizer/request.json")
    event["headers"]["Authorization"] = f"Bearer {login.body['access_token']}"
    event["headers"][ORIGIN_HEADER] = ORIGIN_SECRET
    allowed = authorizer.lambda_handler(event, LambdaContextStub())
    assert allowed["policyDocument"]["Statement"][0]["Effect"] == "Allow"

    del event["headers"][ORIGIN_HEADER]
    denied = authorizer.lambda_handler(event, LambdaContextStub())
    assert denied["policyDocument"]["Statement"][0]["Effect"] == "Deny"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"CloudFront-Viewer-Address": "198.51.100.7:443"}, "198.51.100.7"),
        ({"CloudFront-Viewer-Address": "[2001:db8::1]:51234"}, "2001:db8::1"),
        # API Gateway's sourceIp behind CloudFront is an edge server shared by many viewers, and
        # X-Forwarded-For is the client's to write: neither may stand in for the viewer.
        ({"X-Forwarded-For": "192.0.2.99"}, "unknown"),
    ],
)
def test_the_client_address_is_only_what_cloudfront_reports(headers: dict[str, str], expected: str) -> None:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

    from peerlearn.api import client_address

    event = rest_event("GET", "/api/sessions", headers=headers, source_ip="192.0.2.50")
    assert client_address(APIGatewayProxyEvent(event)) == expected


def test_in_the_cloud_the_origin_secret_is_read_from_secrets_manager(env: dict[str, str]) -> None:
    import boto3
    from moto import mock_aws

    from peerlearn.config import Settings

    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="ap-south-1").create_secret(
            Name="peerlearn/origin", SecretString="s" * 48
        )["ARN"]
        cloud = {k: v for k, v in env.items() if k != "ORIGIN_SECRET"} | {"ORIGIN_SECRET_ARN": arn}
        assert Settings.from_env(cloud).origin_secret == "s" * 48


def test_an_origin_secret_too_short_to_be_secret_fails_the_cold_start(env: dict[str, str]) -> None:
    from peerlearn.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="origin secret"):
        Settings.from_env({**env, "ORIGIN_SECRET": "guessable"})


# ---------------------------------------------------------------- the OpenAPI document tells the truth
@pytest.fixture
def openapi(ctx: Any) -> dict[str, Any]:
    reply = call(load_function("docs"), rest_event("GET", "/api/openapi.json"))
    assert reply.status == 200
    document: dict[str, Any] = reply.body
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in document["paths"].items() for m, op in ops.items()]


def test_every_operation_declares_its_errors_in_the_one_error_shape(openapi: dict[str, Any]) -> None:
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for method, path, operation in operations(openapi):
        responses = operation["responses"]
        expected = {"400", "403", "429"}
        expected |= {"401"} if operation.get("security") else set()
        expected |= {"404"} if "{" in path else set()
        expected |= {"409"} if method in ("post", "put", "patch", "delete") else set()
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == error_ref
    assert openapi["components"]["schemas"]["ErrorBody"]["required"] == ["error"]


def test_a_404_a_route_declares_itself_is_in_the_one_error_shape(openapi: dict[str, Any]) -> None:
    # These look an id up from their body or query (or the caller's own record): the fuzzer met
    # their 404s, undeclared at first, then declared with the route's own success schema.
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    routes = [
        ("post", "/api/payments/create"),
        ("get", "/api/payments/policy"),
        ("get", "/api/me/payout-account"),
        ("get", "/api/notifications/unsubscribe"),
        ("post", "/api/notifications/unsubscribe"),
    ]
    for method, path in routes:
        declared = openapi["paths"][path][method]["responses"]["404"]
        assert declared["content"]["application/json"]["schema"] == error_ref, (method, path)


def test_sign_in_routes_declare_401(openapi: dict[str, Any]) -> None:
    for path in ("/api/auth/login", "/api/auth/refresh"):
        assert "401" in openapi["paths"][path]["post"]["responses"]


def test_no_operation_declares_the_422_the_api_never_answers(openapi: dict[str, Any]) -> None:
    for method, path, operation in operations(openapi):
        assert "422" not in operation["responses"], (method, path)
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_a_route_answering_201_is_documented_by_a_2xx_success(openapi: dict[str, Any]) -> None:
    register = openapi["paths"]["/api/auth/register"]["post"]["responses"]
    assert register["2XX"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RegisterResponse"
    }


def test_real_error_answers_match_the_declared_error_body(auth: ModuleType, users: ModuleType) -> None:
    from peerlearn.api.openapi import ErrorBody

    answers = [
        call(auth, rest_event("POST", "/api/auth/register", {"email": "x"})),
        call(auth, rest_event("POST", "/api/auth/login", raw_body="[" * 100)),
        call(users, rest_event("GET", "/api/me")),
        call(users, rest_event("GET", "/api/me", origin_secret=None)),
    ]
    for reply in answers:
        assert reply.status >= 400
        ErrorBody.model_validate(reply.body, strict=True)


# ---------------------------------------------------------------- the one error mapping
def test_every_429_says_when_to_retry_in_seconds_and_as_a_utc_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools.event_handler.api_gateway import Router

    from peerlearn import clock
    from peerlearn.api import make_resolver
    from peerlearn.errors import TooManyRequests

    router = Router()

    @router.get("/api/limited")
    def limited() -> None:
        raise TooManyRequests("Too many tries.", retry_after_seconds=90)

    monkeypatch.setattr(clock, "now_seconds", lambda: 1_795_514_400)  # 2026-11-24T10:00:00Z
    app = make_resolver([router])
    reply = Reply(app.resolve(rest_event("GET", "/api/limited"), LambdaContextStub()))
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "90"
    assert reply.body["error"]["retry_after_seconds"] == 90
    assert reply.body["error"]["retry_at"] == "2026-11-24T10:01:30Z"
