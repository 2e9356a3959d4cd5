"""The admins' changes to people (edit, deactivate / activate, verify, role, ban / unban) and the audit
log each writes in the same transaction: effects, entries, 403 for learners and mentors, 400s,
self-targeting refused, and a change whose condition fails leaving no entry."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from pynamodb.connection import Connection

from peerlearn.accounts import admin, service
from peerlearn.accounts.authorize import authorize
from peerlearn.context import Context
from peerlearn.errors import Forbidden, Unauthorized
from peerlearn.store.audit import AUDIT_PK, AuditItem
from peerlearn.store.models import UserItem
from tests.support import call, load_function, rest_event

PASSWORD = "mango-monsoon-42"


@pytest.fixture
def admin_fn(ctx: Context) -> ModuleType:
    return load_function("admin")


@pytest.fixture
def admin_id(ctx: Context) -> str:
    return service.create_admin(email="root@example.com", name="Root Admin", password="admin-password-99")


@pytest.fixture
def other_admin_id(ctx: Context) -> str:
    return service.create_admin(email="ops@example.com", name="Ops Admin", password="admin-password-98")


@pytest.fixture
def learner_id(ctx: Context) -> str:
    return service.create_account(
        name="Asha Rao", email="asha.rao@example.com", password=PASSWORD, role="learner", verified=False
    )


@pytest.fixture
def mentor_id(ctx: Context) -> str:
    return service.create_account(
        name="Vikram Iyer",
        email="vikram.iyer@example.com",
        password=PASSWORD,
        role="mentor",
        verified=True,
        headline="Teaches Python",
        expertise=["Python"],
    )


def act(
    admin_fn: ModuleType, method: str, path: str, caller_id: str, *, body: Any = None, role: str = "admin"
) -> Any:
    """A call through the admin function as API Gateway would make it (the resource template and the
    path parameter from the path)."""
    parts = path.split("/")
    path_parameters = None
    resource = path
    if len(parts) > 4 and parts[3] == "users":
        path_parameters = {"id": parts[4]}
        resource = "/".join([*parts[:4], "{id}", *parts[5:]])
    event = rest_event(
        method,
        path,
        body,
        resource=resource,
        path_parameters=path_parameters,
        identity={"user_id": caller_id, "role": role},
    )
    return call(admin_fn, event)


def audit_entries() -> list[AuditItem]:
    return list(AuditItem.query(AUDIT_PK, scan_index_forward=False))


# ---------------------------------------------------------------- edit a profile
def test_an_admin_edits_a_profile_and_the_entry_names_the_fields_without_their_values(
    admin_fn: ModuleType, admin_id: str, mentor_id: str
) -> None:
    reply = act(
        admin_fn,
        "PATCH",
        f"/api/admin/users/{mentor_id}",
        admin_id,
        body={
            "headline": "Python and Django",
            "skills": ["Django", "django"],
            "reason": "Asked by the mentor",
        },
    )

    assert reply.status == 200, reply
    assert reply.body["headline"] == "Python and Django"
    stored = service.get_user(mentor_id)
    assert (stored.headline, stored.skills) == ("Python and Django", ["Django"])
    [entry] = audit_entries()
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (
        "user.update",
        admin_id,
        "user",
        mentor_id,
        "Asked by the mentor",
    )
    # Profile values are personal data, and the log can't be edited when the person is erased
    assert (entry.fields, entry.before, entry.after) == (["headline", "skills"], None, None)


def test_a_new_name_is_found_by_the_admins_search(
    admin_fn: ModuleType, admin_id: str, learner_id: str
) -> None:
    act(admin_fn, "PATCH", f"/api/admin/users/{learner_id}", admin_id, body={"name": "Asha Krishnan"})
    found = admin.list_users(media_base_url="http://x", q="krishnan", role=None, limit=5, cursor=None)
    assert [user.id for user in found.items] == [learner_id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 81}, "name"),
        ({"headline": "line\nbreak"}, "headline"),
        ({"skills": ["ok"] * 21}, "skills"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"avatar_key": "media/avatars/someone-else/a.png"}, "avatar_key"),
        ({"password_hash": "x"}, "password_hash"),
        ({"role": "admin"}, "role"),
    ],
)
def test_a_bad_profile_field_is_a_400_naming_it(
    admin_fn: ModuleType, admin_id: str, learner_id: str, body: dict[str, Any], field: str
) -> None:
    reply = act(admin_fn, "PATCH", f"/api/admin/users/{learner_id}", admin_id, body=body)
    assert reply.status == 400, reply
    assert field in str(reply.body["error"]["field"])
    assert audit_entries() == []


def test_an_empty_edit_or_one_that_changes_nothing_writes_no_entry(
    admin_fn: ModuleType, admin_id: str, learner_id: str
) -> None:
    empty = act(admin_fn, "PATCH", f"/api/admin/users/{learner_id}", admin_id, body={"reason": "nothing"})
    same = act(admin_fn, "PATCH", f"/api/admin/users/{learner_id}", admin_id, body={"name": "Asha Rao"})
    assert (empty.status, same.status) == (400, 409)
    assert audit_entries() == []


# ---------------------------------------------------------------- deactivate and activate
def test_a_deactivated_account_can_neither_use_its_tokens_nor_sign_in_and_is_told_so(
    ctx: Context, admin_fn: ModuleType, admin_id: str, learner_id: str
) -> None:
    signed_in = service.login(ctx, email="asha.rao@example.com", password=PASSWORD, client_ip="1.2.3.4")
    authorize(ctx.settings.jwt_secret, signed_in.access_token)  # valid before

    reply = act(
        admin_fn,
        "POST",
        f"/api/admin/users/{learner_id}/deactivate",
        admin_id,
        body={"reason": "Asked us to close the account"},
    )

    assert reply.status == 200, reply
    assert (reply.body["deactivated"], reply.body["deactivation_reason"], reply.body["banned"]) == (
        True,
        "Asked us to close the account",
        False,
    )
    # The authorizer reads the user on every request (no cache): the very next call is refused.
    with pytest.raises(Forbidden) as refused:
        authorize(ctx.settings.jwt_secret, signed_in.access_token)
    assert refused.value.code == "account_deactivated"
    with pytest.raises(Forbidden) as login_refused:
        service.login(ctx, email="asha.rao@example.com", password=PASSWORD, client_ip="1.2.3.5")
    assert login_refused.value.code == "account_deactivated"
    assert "deactivated" in login_refused.value.message
    with pytest.raises((Unauthorized, Forbidden)):
        service.refresh(ctx, refresh_token=signed_in.refresh_token)
    [entry] = audit_entries()
    assert (entry.action, entry.reason, entry.before["deactivated"], entry.after["deactivated"]) == (
        "user.deactivate",
        "Asked us to close the account",
        False,
        True,
    )

    again = act(
        admin_fn, "POST", f"/api/admin/users/{learner_id}/deactivate", admin_id, body={"reason": "twice over"}
    )
    assert (again.status, again.body["error"]["code"]) == (409, "already_deactivated")

    back = act(
        admin_fn, "POST", f"/api/admin/users/{learner_id}/activate", admin_id, body={"reason": "Came back"}
    )
    assert back.status == 200
    assert (back.body["deactivated"], back.body["deactivation_reason"]) == (False, None)
    service.login(ctx, email="asha.rao@example.com", password=PASSWORD, client_ip="1.2.3.6")
    assert [e.action for e in audit_entries()] == ["user.activate", "user.deactivate"]
    # An old token stays dead after activation: it was ended with the deactivation.
    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, signed_in.access_token)


def test_a_ban_is_still_told_as_a_suspension(
    ctx: Context, admin_fn: ModuleType, admin_id: str, learner_id: str
) -> None:
    signed_in = service.login(ctx, email="asha.rao@example.com", password=PASSWORD, client_ip="1.2.3.4")
    act(admin_fn, "PUT", f"/api/admin/users/{learner_id}/ban", admin_id, body={"reason": "Spam in reviews"})
    with pytest.raises(Forbidden) as refused:
        authorize(ctx.settings.jwt_secret, signed_in.access_token)
    assert refused.value.code == "account_suspended"


def test_deactivating_needs_a_reason_and_never_reaches_yourself_or_an_admin(
    admin_fn: ModuleType, admin_id: str, other_admin_id: str, learner_id: str
) -> None:
    no_reason = act(admin_fn, "POST", f"/api/admin/users/{learner_id}/deactivate", admin_id, body={})
    short = act(
        admin_fn, "POST", f"/api/admin/users/{learner_id}/deactivate", admin_id, body={"reason": "no"}
    )
    yourself = act(
        admin_fn, "POST", f"/api/admin/users/{admin_id}/deactivate", admin_id, body={"reason": "test me"}
    )
    admin_target = act(
        admin_fn, "POST", f"/api/admin/users/{other_admin_id}/deactivate", admin_id, body={"reason": "a coup"}
    )
    activate_active = act(
        admin_fn, "POST", f"/api/admin/users/{learner_id}/activate", admin_id, body={"reason": "why not"}
    )

    assert (no_reason.status, no_reason.body["error"]["field"]) == (400, "reason")
    assert (short.status, short.body["error"]["field"]) == (400, "reason")
    assert (yourself.status, yourself.body["error"]["code"]) == (400, "invalid_target")
    assert (admin_target.status, admin_target.body["error"]["code"]) == (403, "admin_target")
    assert (activate_active.status, activate_active.body["error"]["code"]) == (409, "already_active")
    assert service.get_user(other_admin_id).deactivated is False
    assert audit_entries() == []


# ---------------------------------------------------------------- verify
def test_an_admin_verifies_an_email_once(admin_fn: ModuleType, admin_id: str, learner_id: str) -> None:
    first = act(admin_fn, "POST", f"/api/admin/users/{learner_id}/verify", admin_id, body={})
    second = act(
        admin_fn, "POST", f"/api/admin/users/{learner_id}/verify", admin_id, body={"reason": "again"}
    )

    assert (first.status, first.body["email_verified"]) == (200, True)
    assert (second.status, second.body["error"]["code"]) == (409, "already_verified")
    assert service.get_user(learner_id).email_verified is True
    [entry] = audit_entries()
    assert (entry.action, entry.before, entry.after) == (
        "user.verify_email",
        {"email_verified": False},
        {"email_verified": True},
    )


def test_a_deleted_account_is_left_alone(admin_fn: ModuleType, admin_id: str, learner_id: str) -> None:
    UserItem(f"USER#{learner_id}", "PROFILE").update(
        actions=[UserItem.deleted_at.set("2026-11-30T00:00:00Z")]
    )

    edit = act(admin_fn, "PATCH", f"/api/admin/users/{learner_id}", admin_id, body={"name": "Back Again"})
    verify = act(admin_fn, "POST", f"/api/admin/users/{learner_id}/verify", admin_id, body={})

    assert (edit.status, edit.body["error"]["code"]) == (409, "account_deleted")
    assert (verify.status, verify.body["error"]["code"]) == (409, "account_deleted")
    assert service.get_user(learner_id).name != "Back Again"
    assert audit_entries() == []


# ---------------------------------------------------------------- role
def test_a_learner_becomes_a_mentor_and_the_role_index_follows(
    admin_fn: ModuleType, admin_id: str, learner_id: str
) -> None:
    reply = act(
        admin_fn,
        "PUT",
        f"/api/admin/users/{learner_id}/role",
        admin_id,
        body={"role": "mentor", "reason": "Passed the mentor review"},
    )

    assert (reply.status, reply.body["role"]) == (200, "mentor")
    mentors = admin.list_users(media_base_url="http://x", q=None, role="mentor", limit=10, cursor=None)
    learners = admin.list_users(media_base_url="http://x", q=None, role="learner", limit=10, cursor=None)
    assert learner_id in [u.id for u in mentors.items]
    assert learner_id not in [u.id for u in learners.items]
    [entry] = audit_entries()
    assert (entry.action, entry.before, entry.after, entry.reason) == (
        "user.role_change",
        {"role": "learner"},
        {"role": "mentor"},
        "Passed the mentor review",
    )
    assert "gsi1pk" not in entry.after


def test_making_or_unmaking_an_admin_and_changing_your_own_role_are_refused(
    admin_fn: ModuleType, admin_id: str, other_admin_id: str, learner_id: str
) -> None:
    make_admin = act(
        admin_fn,
        "PUT",
        f"/api/admin/users/{learner_id}/role",
        admin_id,
        body={"role": "admin", "reason": "helps"},
    )
    unmake_admin = act(
        admin_fn,
        "PUT",
        f"/api/admin/users/{other_admin_id}/role",
        admin_id,
        body={"role": "learner", "reason": "left us"},
    )
    yourself = act(
        admin_fn,
        "PUT",
        f"/api/admin/users/{admin_id}/role",
        admin_id,
        body={"role": "mentor", "reason": "fun"},
    )
    same = act(
        admin_fn,
        "PUT",
        f"/api/admin/users/{learner_id}/role",
        admin_id,
        body={"role": "learner", "reason": "same"},
    )
    bad = act(
        admin_fn,
        "PUT",
        f"/api/admin/users/{learner_id}/role",
        admin_id,
        body={"role": "owner", "reason": "bad"},
    )

    assert (make_admin.status, make_admin.body["error"]["code"]) == (403, "admin_role_refused")
    assert (unmake_admin.status, unmake_admin.body["error"]["code"]) == (403, "admin_target")
    assert (yourself.status, yourself.body["error"]["code"]) == (400, "invalid_target")
    assert (same.status, same.body["error"]["code"]) == (409, "no_change")
    assert (bad.status, bad.body["error"]["field"]) == (400, "role")
    assert (service.get_user(learner_id).role, service.get_user(other_admin_id).role) == ("learner", "admin")
    assert audit_entries() == []


# ---------------------------------------------------------------- ban and unban write entries too
def test_ban_and_unban_each_write_an_entry(admin_fn: ModuleType, admin_id: str, learner_id: str) -> None:
    act(admin_fn, "PUT", f"/api/admin/users/{learner_id}/ban", admin_id, body={"reason": "Spam in reviews"})
    act(
        admin_fn, "DELETE", f"/api/admin/users/{learner_id}/ban", admin_id, body={"reason": "Appeal accepted"}
    )

    unban, ban = audit_entries()
    assert (ban.action, ban.reason, ban.before["banned"], ban.after["banned"]) == (
        "user.ban",
        "Spam in reviews",
        False,
        True,
    )
    assert (unban.action, unban.reason, unban.after["banned"]) == ("user.unban", "Appeal accepted", False)
    assert "token_version" not in ban.after
    assert "password_hash" not in ban.after
    assert "ban_reason" not in ban.after  # the entry's own reason says it once
    assert ban.fields == ["ban_reason", "banned", "banned_at", "banned_by"]


# ---------------------------------------------------------------- who may call
@pytest.mark.parametrize("role", ["learner", "mentor"])
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"headline": "x"}),
        ("POST", "/deactivate", {"reason": "because"}),
        ("POST", "/activate", {"reason": "because"}),
        ("POST", "/verify", {}),
        ("PUT", "/role", {"role": "mentor", "reason": "because"}),
    ],
)
def test_learners_and_mentors_get_403(
    admin_fn: ModuleType, learner_id: str, mentor_id: str, role: str, method: str, suffix: str, body: Any
) -> None:
    caller, target = (learner_id, mentor_id) if role == "learner" else (mentor_id, learner_id)
    reply = act(admin_fn, method, f"/api/admin/users/{target}{suffix}", caller, body=body, role=role)
    assert reply.status == 403
    assert audit_entries() == []


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_learners_and_mentors_cannot_read_the_audit_log(
    admin_fn: ModuleType, learner_id: str, role: str
) -> None:
    assert act(admin_fn, "GET", "/api/admin/audit", learner_id, role=role).status == 403


# ---------------------------------------------------------------- all or nothing
def test_a_change_whose_condition_fails_leaves_no_entry_and_no_change(
    admin_fn: ModuleType, admin_id: str, learner_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the account changed after the admin's read (the read is stale), the transaction's
    condition fails: neither the change nor its entry is written, and the admin gets a 409."""
    real_get_user = admin.get_user

    def stale(user_id: str, *, consistent: bool = False) -> UserItem:
        user = real_get_user(user_id, consistent=consistent)
        user.updated_at = "2000-01-01T00:00:00Z"
        return user

    monkeypatch.setattr(admin, "get_user", stale)
    reply = act(
        admin_fn, "POST", f"/api/admin/users/{learner_id}/deactivate", admin_id, body={"reason": "stale"}
    )

    assert (reply.status, reply.body["error"]["code"]) == (409, "changed_meanwhile")
    assert service.get_user(learner_id).deactivated is False
    assert audit_entries() == []


def test_an_entry_is_never_written_over(admin_id: str, learner_id: str) -> None:
    from peerlearn import audit, store
    from peerlearn.errors import Conflict

    first = audit.entry(
        at="2026-11-30T00:00:00Z",
        actor_id=admin_id,
        action="user.verify_email",
        target_type="user",
        target_id=learner_id,
    )
    with store.transaction() as tx:
        audit.record(tx, first)
    forged = audit.entry(
        at="2026-11-30T00:00:00Z",
        actor_id=admin_id,
        action="user.ban",
        target_type="user",
        target_id=learner_id,
    )
    forged.sk, forged.id = first.sk, first.id
    with (
        pytest.raises(Conflict),
        store.failed_condition_raises(Conflict("exists")),
        store.transaction() as tx,
    ):
        audit.record(tx, forged)
    [kept] = audit_entries()
    assert kept.action == "user.verify_email"


# ---------------------------------------------------------------- reading the log
def test_the_log_reads_newest_first_by_target_by_actor_and_in_pages_without_a_scan(
    admin_fn: ModuleType,
    admin_id: str,
    other_admin_id: str,
    learner_id: str,
    mentor_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    act(admin_fn, "POST", f"/api/admin/users/{learner_id}/verify", admin_id, body={})
    act(
        admin_fn,
        "PATCH",
        f"/api/admin/users/{mentor_id}",
        other_admin_id,
        body={"bio": "Ten years of Python"},
    )
    act(
        admin_fn,
        "PUT",
        f"/api/admin/users/{learner_id}/role",
        other_admin_id,
        body={"role": "mentor", "reason": "review"},
    )

    def no_scan(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a Scan on a request path")

    monkeypatch.setattr(Connection, "scan", no_scan)

    def read(query: str) -> Any:
        event = rest_event(
            "GET",
            "/api/admin/audit",
            None,
            resource="/api/admin/audit",
            identity={"user_id": admin_id, "role": "admin"},
        )
        params = dict(part.split("=", 1) for part in query.removeprefix("?").split("&") if part)
        event["queryStringParameters"] = params or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in params.items()} or None
        reply = call(admin_fn, event)
        assert reply.status == 200, reply
        return reply.body

    everything = read("")
    on_learner = read(f"?target={learner_id}")
    by_other = read(f"?actor={other_admin_id}")
    both = read(f"?target={learner_id}&actor={other_admin_id}")
    first_page = read("?limit=2")
    second_page = read(f"?limit=2&cursor={first_page['next_cursor']}")

    assert [e["action"] for e in everything["items"]] == [
        "user.role_change",
        "user.update",
        "user.verify_email",
    ]
    assert [e["action"] for e in on_learner["items"]] == ["user.role_change", "user.verify_email"]
    assert [e["action"] for e in by_other["items"]] == ["user.role_change", "user.update"]
    assert [e["action"] for e in both["items"]] == ["user.role_change"]
    assert [e["action"] for e in first_page["items"] + second_page["items"]] == [
        e["action"] for e in everything["items"]
    ]
    assert (everything["items"][1]["fields"], everything["items"][1]["after"]) == (["bio"], None)
    event = rest_event(
        "GET",
        "/api/admin/audit",
        None,
        resource="/api/admin/audit",
        identity={"user_id": admin_id, "role": "admin"},
    )
    event["queryStringParameters"] = {"cursor": "not-a-cursor"}
    event["multiValueQueryStringParameters"] = {"cursor": ["not-a-cursor"]}
    reply = call(admin_fn, event)
    assert (reply.status, reply.body["error"]["field"]) == (400, "cursor")


def test_the_audit_log_by_action_reads_one_page_at_a_time_and_finds_every_match(
    admin_fn: ModuleType, admin_id: str, learner_id: str, mentor_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given eight entries, one of them a ban
    act(admin_fn, "POST", f"/api/admin/users/{learner_id}/verify", admin_id, body={})
    for headline in ("One", "Two", "Three"):
        act(admin_fn, "PATCH", f"/api/admin/users/{mentor_id}", admin_id, body={"headline": headline})
    act(admin_fn, "PUT", f"/api/admin/users/{mentor_id}/ban", admin_id, body={"reason": "Spam"})
    act(admin_fn, "DELETE", f"/api/admin/users/{mentor_id}/ban", admin_id, body={"reason": "Appealed"})
    act(admin_fn, "POST", f"/api/admin/users/{mentor_id}/deactivate", admin_id, body={"reason": "Asked"})
    act(admin_fn, "POST", f"/api/admin/users/{mentor_id}/activate", admin_id, body={"reason": "Back"})
    queries: list[dict[str, Any]] = []
    real_query = Connection.query

    def counted(self: Connection, *args: Any, **kwargs: Any) -> Any:
        queries.append(kwargs)
        return real_query(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "query", counted)

    def read(params: dict[str, str]) -> Any:
        event = rest_event(
            "GET",
            "/api/admin/audit",
            None,
            resource="/api/admin/audit",
            identity={"user_id": admin_id, "role": "admin"},
        )
        event["queryStringParameters"] = params
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in params.items()}
        return call(admin_fn, event)

    # When an admin pages through the bans, three entries a page
    found: list[str] = []
    pages = 0
    params = {"action": "user.ban", "limit": "3"}
    while True:
        reply = read(params)
        assert reply.status == 200, reply
        pages += 1
        found += [entry["action"] for entry in reply.body["items"]]
        assert len(reply.body["items"]) <= 3
        if not reply.body["next_cursor"]:
            break
        params = {**params, "cursor": reply.body["next_cursor"]}

    # Then each page was one Query of at most three entries, and the one ban is found among the eight
    assert found == ["user.ban"]
    assert pages == 3  # 8 entries, 3 a page
    assert len(queries) == pages
    assert all(q.get("limit") == 3 for q in queries)
    # ...filters combine: the verification of the learner, by target and action
    on_learner = read({"target": learner_id, "action": "user.verify_email"})
    assert [e["action"] for e in on_learner.body["items"]] == ["user.verify_email"]
    # ...and an action that isn't one is a 400 naming the field
    bad = read({"action": "DROP TABLE"})
    assert (bad.status, bad.body["error"]["field"]) == (400, "action")
