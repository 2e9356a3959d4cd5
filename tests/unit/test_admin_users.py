"""The admins' users API (contract 4): find people newest first by role and by name or email,
page through them without a Scan, look at one, and ban or unban with a reason."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from pynamodb.connection import Connection

from peerlearn.accounts import service
from peerlearn.accounts.authorize import authorize
from peerlearn.context import Context
from peerlearn.errors import Forbidden, Unauthorized
from tests.support import call, load_function, rest_event

PASSWORD = "mango-monsoon-42"
ADMIN_USER_FIELDS = {
    "id",
    "name",
    "email",
    "role",
    "email_verified",
    "banned",
    "ban_reason",
    "banned_at",
    "deleted",
    "deactivated",
    "deactivation_reason",
    "created_at",
    "avatar_url",
    "headline",
}


@pytest.fixture
def admin_fn(ctx: Context) -> ModuleType:
    return load_function("admin")


@pytest.fixture
def admin_id(ctx: Context) -> str:
    return service.create_admin(email="root@example.com", name="Root Admin", password="admin-password-99")


@pytest.fixture
def people(ctx: Context, admin_id: str) -> list[str]:
    """Five people created one second apart, oldest first (the admin is older still)."""
    from peerlearn import clock

    now = clock.now_seconds()
    clock_patch = pytest.MonkeyPatch()
    ids = []
    for n, (name, role) in enumerate(
        [
            ("Asha Rao", "learner"),
            ("Vikram Iyer", "mentor"),
            ("Meera Das", "learner"),
            ("Kabir Shah", "mentor"),
            ("Asha Menon", "learner"),
        ]
    ):
        clock_patch.setattr(clock, "now_seconds", lambda n=n: now + 1 + n)
        extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
        email = f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.com"
        ids.append(
            service.create_account(
                name=name, email=email, password=PASSWORD, role=role, verified=False, **extra
            )
        )
    clock_patch.undo()
    return ids


def admin_call(
    admin_fn: ModuleType,
    method: str,
    path: str,
    admin_id: str,
    *,
    body: Any = None,
    query: Any = None,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    role: str = "admin",
) -> Any:
    event = rest_event(
        method,
        path,
        body,
        resource=resource,
        path_parameters=path_parameters,
        identity={"user_id": admin_id, "role": role},
    )
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    return call(admin_fn, event)


def names(reply: Any) -> list[str]:
    return [item["name"] for item in reply.body["items"]]


def test_all_users_newest_first_in_pages_that_join_up(
    admin_fn: ModuleType, admin_id: str, people: list[str]
) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        reply = admin_call(admin_fn, "GET", "/api/admin/users", admin_id, query=query)
        assert reply.status == 200, reply
        seen += names(reply)
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Asha Menon", "Kabir Shah", "Meera Das", "Vikram Iyer", "Asha Rao", "Root Admin"]
    assert set(reply.body["items"][0]) == ADMIN_USER_FIELDS


def test_users_by_role_and_by_name_or_email_ignoring_case(
    admin_fn: ModuleType, admin_id: str, people: list[str]
) -> None:
    mentors = admin_call(admin_fn, "GET", "/api/admin/users", admin_id, query={"role": "mentor"})
    ashas = admin_call(admin_fn, "GET", "/api/admin/users", admin_id, query={"q": "ASHA"})
    by_email = admin_call(admin_fn, "GET", "/api/admin/users", admin_id, query={"q": "kabir.shah@"})
    learner_ashas = admin_call(
        admin_fn, "GET", "/api/admin/users", admin_id, query={"q": "asha", "role": "learner", "limit": "1"}
    )

    assert names(mentors) == ["Kabir Shah", "Vikram Iyer"]
    assert names(ashas) == ["Asha Menon", "Asha Rao"]
    assert names(by_email) == ["Kabir Shah"]
    assert names(learner_ashas) == ["Asha Menon"]
    assert learner_ashas.body["next_cursor"]


def test_listing_users_never_scans(
    admin_fn: ModuleType, admin_id: str, people: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_scan(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a Scan on a request path")

    monkeypatch.setattr(Connection, "scan", no_scan)
    reply = admin_call(admin_fn, "GET", "/api/admin/users", admin_id, query={"q": "a", "limit": "3"})
    assert reply.status == 200


def test_a_bad_cursor_or_role_is_a_400_naming_it(admin_fn: ModuleType, admin_id: str) -> None:
    bad_cursor = admin_call(admin_fn, "GET", "/api/admin/users", admin_id, query={"cursor": "not-a-cursor"})
    bad_role = admin_call(admin_fn, "GET", "/api/admin/users", admin_id, query={"role": "owner"})
    assert (bad_cursor.status, bad_cursor.body["error"]["field"]) == (400, "cursor")
    assert (bad_role.status, bad_role.body["error"]["field"]) == (400, "role")


def test_one_user_or_a_404(admin_fn: ModuleType, admin_id: str, people: list[str]) -> None:
    found = admin_call(
        admin_fn,
        "GET",
        f"/api/admin/users/{people[1]}",
        admin_id,
        resource="/api/admin/users/{id}",
        path_parameters={"id": people[1]},
    )
    missing = admin_call(
        admin_fn,
        "GET",
        "/api/admin/users/01JD0000000000000000000000",
        admin_id,
        resource="/api/admin/users/{id}",
        path_parameters={"id": "01JD0000000000000000000000"},
    )
    assert found.status == 200
    assert (found.body["name"], found.body["role"], found.body["headline"]) == (
        "Vikram Iyer",
        "mentor",
        "Teaches",
    )
    assert missing.status == 404


def ban_path(user_id: str) -> dict[str, Any]:
    return {
        "resource": "/api/admin/users/{id}/ban",
        "path_parameters": {"id": user_id},
    }


def test_a_ban_needs_a_reason(admin_fn: ModuleType, admin_id: str, people: list[str]) -> None:
    for body in (None, {}, {"reason": "no"}, {"reason": "x" * 501}):
        reply = admin_call(
            admin_fn, "PUT", f"/api/admin/users/{people[0]}/ban", admin_id, body=body, **ban_path(people[0])
        )
        assert reply.status == 400, body
    assert service.get_user(people[0]).banned is False


def test_a_ban_records_why_when_and_who_and_ends_every_sign_in(
    ctx: Context, admin_fn: ModuleType, admin_id: str, people: list[str]
) -> None:
    signed_in = service.login(ctx, email="asha.rao@example.com", password=PASSWORD, client_ip="1.2.3.4")

    banned = admin_call(
        admin_fn,
        "PUT",
        f"/api/admin/users/{people[0]}/ban",
        admin_id,
        body={"reason": "Spam in every review"},
        **ban_path(people[0]),
    )

    assert banned.status == 200
    assert (banned.body["banned"], banned.body["ban_reason"]) == (True, "Spam in every review")
    assert banned.body["banned_at"]
    assert service.get_user(people[0]).banned_by == admin_id
    with pytest.raises(Forbidden):
        authorize(ctx.settings.jwt_secret, signed_in.access_token)
    with pytest.raises((Unauthorized, Forbidden)):
        service.refresh(ctx, refresh_token=signed_in.refresh_token)

    lifted = admin_call(
        admin_fn,
        "DELETE",
        f"/api/admin/users/{people[0]}/ban",
        admin_id,
        body={"reason": "Appeal accepted"},
        **ban_path(people[0]),
    )
    assert lifted.status == 200
    assert (lifted.body["banned"], lifted.body["ban_reason"], lifted.body["banned_at"]) == (False, None, None)
    stored = service.get_user(people[0])
    assert (stored.unban_reason, stored.unbanned_by) == ("Appeal accepted", admin_id)


def test_only_admins_reach_the_users_api(admin_fn: ModuleType, people: list[str]) -> None:
    reply = admin_call(admin_fn, "GET", "/api/admin/users", people[0], role="learner")
    assert reply.status == 403
