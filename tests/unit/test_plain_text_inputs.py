"""Control characters (NUL, escapes, bidi overrides) in what people type are refused with a 400
naming the field, never stored: in names, headlines, bios, tags and passwords."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from tests.support import call, load_function, rest_event

PASSWORD = "mango-monsoon-42"
NEW_USER = {"name": "Asha Rao", "email": "asha@example.com", "password": PASSWORD, "role": "learner"}
MENTOR = {**NEW_USER, "role": "mentor", "headline": "Python mentor", "expertise": ["Python"]}


@pytest.fixture
def auth(ctx: Any) -> ModuleType:
    return load_function("auth")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_USER, "name": "Asha\x00Rao"}, "name"),
        ({**NEW_USER, "name": "Asha\u202eoaR"}, "name"),
        ({**NEW_USER, "password": "mango\x00monsoon-42"}, "password"),
        ({**NEW_USER, "password": "mango\nmonsoon-42"}, "password"),
        ({**MENTOR, "headline": "Python\x1b[31m mentor"}, "headline"),
        ({**MENTOR, "expertise": ["Py\x07thon"]}, "expertise"),
    ],
)
def test_control_characters_in_a_registration_are_a_400_naming_the_field(
    auth: ModuleType, body: dict[str, Any], field: str
) -> None:
    reply = call(auth, rest_event("POST", "/api/auth/register", body))
    assert reply.status == 400
    assert reply.body["error"]["field"] == field
    assert "control characters" in reply.body["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Asha\x00"}, "name"),
        ({"headline": "Learning\x00Rust"}, "headline"),
        ({"bio": "Hello\x00there"}, "bio"),
        ({"skills": ["Rust\x00"]}, "skills"),
    ],
)
def test_control_characters_in_a_profile_edit_are_a_400_naming_the_field(
    auth: ModuleType, ctx: Any, body: dict[str, Any], field: str
) -> None:
    users = load_function("users")
    user = call(auth, rest_event("POST", "/api/auth/register", NEW_USER)).body["user"]
    reply = call(users, rest_event("PATCH", "/api/me", body, identity={"user_id": user["id"]}))
    assert reply.status == 400
    assert reply.body["error"]["field"] == field


def test_a_bio_may_still_have_several_lines(auth: ModuleType, ctx: Any) -> None:
    users = load_function("users")
    user = call(auth, rest_event("POST", "/api/auth/register", NEW_USER)).body["user"]
    bio = "Hello!\nI teach Python.\n\tAnd Go."
    reply = call(users, rest_event("PATCH", "/api/me", {"bio": bio}, identity={"user_id": user["id"]}))
    assert reply.status == 200
    assert reply.body["bio"] == bio


def test_accounts_made_outside_the_api_refuse_control_characters_too(ctx: Any) -> None:
    from peerlearn.accounts import service
    from peerlearn.errors import BadRequest

    with pytest.raises(BadRequest) as caught:
        service.create_account(
            name="Root\x00",
            email="root@example.com",
            password="admin-password-99",
            role="admin",
            verified=True,
        )
    assert caught.value.field == "name"
