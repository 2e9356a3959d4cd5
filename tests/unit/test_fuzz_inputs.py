"""Whatever arrives in a body, an account route answers with a 2xx or a 4xx JSON error, never a 5xx."""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import call, load_function, rest_event

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "name",
    "email",
    "password",
    "role",
    "headline",
    "expertise",
    "token",
    "refresh_token",
    "new_password",
    "current_password",
    "bio",
    "skills",
    "timezone",
    "avatar_key",
    "content_type",
    "size_bytes",
]
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values
AUTH_ROUTES = [
    "register",
    "login",
    "refresh",
    "logout",
    "verify-email",
    "password-reset",
    "password-reset/confirm",
]


@pytest.fixture
def functions(ctx: Any) -> dict[str, ModuleType]:
    return {"auth": load_function("auth"), "users": load_function("users")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(AUTH_ROUTES), body=bodies)
def test_auth_routes_never_fail_with_a_server_error(
    functions: dict[str, ModuleType], route: str, body: Any
) -> None:
    reply = call(functions["auth"], rest_event("POST", f"/api/auth/{route}", raw_body=json.dumps(body)))
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert reply.body["error"]["message"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, path=st.sampled_from(["/api/me", "/api/me/avatar"]))
def test_profile_routes_never_fail_with_a_server_error(
    functions: dict[str, ModuleType], body: Any, path: str
) -> None:
    method = "PATCH" if path == "/api/me" else "POST"
    identity = {"user_id": "01JCZ0000000000000000000AA"}
    reply = call(functions["users"], rest_event(method, path, raw_body=json.dumps(body), identity=identity))
    assert reply.status < 500, reply.body


raw_bodies = (
    st.binary(max_size=300).map(lambda raw: (base64.b64encode(raw).decode("ascii"), True))
    | st.text(max_size=300).map(lambda text: (text, False))  # lone surrogates included
    | st.text(alphabet='[{]}"\\:,1', max_size=3000).map(lambda text: (text, False))
    | st.integers(min_value=1, max_value=3000).map(lambda depth: ("[" * depth + "]" * depth, False))
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(AUTH_ROUTES), body=raw_bodies)
def test_no_body_bytes_make_a_server_error(
    functions: dict[str, ModuleType], route: str, body: tuple[str, bool]
) -> None:
    raw, base64_encoded = body
    event = {**rest_event("POST", f"/api/auth/{route}", raw_body=raw), "isBase64Encoded": base64_encoded}
    reply = call(functions["auth"], event)
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert reply.body["error"]["message"]
