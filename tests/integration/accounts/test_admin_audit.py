"""The admins' changes to people and their audit entries on DynamoDB Local: both or neither (a failed
condition, a lost race), and through the local stack: a deactivated person's token is refused on the
very next call (the authorizer has no cache), learners and mentors get 403, the log reads back."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from infra.local.dynamodb import REGION
from infra.local.stack import LocalStack
from infra.local.template import Template
from peerlearn.accounts import admin, service
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.errors import Conflict
from peerlearn.store.audit import AUDIT_PK, AuditItem
from peerlearn.store.models import UserItem
from tests.support import base_env, stack_for

pytestmark = pytest.mark.integration

PASSWORD = "mango-monsoon-42"
MEDIA = "http://localhost/media"


# ---------------------------------------------------------------- straight on DynamoDB Local
@pytest.fixture
def ctx(dynamodb_endpoint: str, tmp_path: Path) -> Context:
    table = f"audit-{uuid.uuid4().hex[:8]}"
    template = Template.load(refs={"Table": table})
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION).create_table(
        **template.table_definition()
    )
    env = {**base_env(tmp_path / "outbox", table_name=table), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
    return build_context(Settings.from_env(env))  # binds this process to the new table


def entries() -> list[AuditItem]:
    return list(AuditItem.query(AUDIT_PK, consistent_read=True))


def test_a_change_and_its_entry_are_written_together_or_not_at_all(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin_id = service.create_admin(email="root@example.com", name="Root", password="admin-password-99")
    learner_id = service.create_account(
        name="Asha Rao", email="asha@example.com", password=PASSWORD, role="learner", verified=False
    )

    # Given a stale read (the account changed after the admin looked), the condition fails:
    real_get_user = admin.get_user

    def stale(user_id: str, *, consistent: bool = False) -> UserItem:
        user = real_get_user(user_id, consistent=consistent)
        user.updated_at = "2000-01-01T00:00:00Z"
        return user

    monkeypatch.setattr(admin, "get_user", stale)
    with pytest.raises(Conflict):
        admin.deactivate(media_base_url=MEDIA, admin_id=admin_id, user_id=learner_id, reason="stale read")
    assert service.get_user(learner_id).deactivated is False
    assert entries() == []

    # and with a true read both are written.
    monkeypatch.setattr(admin, "get_user", real_get_user)
    admin.deactivate(media_base_url=MEDIA, admin_id=admin_id, user_id=learner_id, reason="true read")
    assert service.get_user(learner_id).deactivated is True
    assert [(e.action, e.reason) for e in entries()] == [("user.deactivate", "true read")]


def test_of_two_admins_changing_one_person_at_once_one_wins_and_one_entry_is_written(ctx: Context) -> None:
    admins = [
        service.create_admin(email=f"root{n}@example.com", name=f"Root {n}", password="admin-password-99")
        for n in range(2)
    ]
    learner_id = service.create_account(
        name="Asha Rao", email="asha@example.com", password=PASSWORD, role="learner", verified=False
    )
    barrier = threading.Barrier(len(admins))
    outcomes: list[str] = []

    def run(admin_id: str) -> None:
        barrier.wait()
        try:
            admin.change_role(
                media_base_url=MEDIA,
                admin_id=admin_id,
                user_id=learner_id,
                role="mentor",
                reason="review passed",
            )
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # a TransactionConflict surfaces as a storage error: no write either
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(admin_id,)) for admin_id in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ok") <= 1
    assert service.get_user(learner_id).role == ("mentor" if "ok" in outcomes else "learner")
    assert len(entries()) == outcomes.count("ok")


# ---------------------------------------------------------------- through the local stack
@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(dynamodb_endpoint, tmp_path_factory.mktemp("stack"), "useradmin") as running:
        yield running


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(api: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return api.post("/api/auth/login/", json={"email": email, "password": password})


def register(api: httpx.Client, email: str, **extra: Any) -> dict[str, Any]:
    body = {"name": "Meera Das", "email": email, "password": PASSWORD, "role": "learner", **extra}
    reply = api.post("/api/auth/register/", json=body)
    assert reply.status_code == 201, reply.text
    user: dict[str, Any] = reply.json()["user"]
    return user


def test_a_deactivated_persons_token_is_refused_at_once_and_the_log_shows_who_did_it(
    stack: LocalStack, api: httpx.Client
) -> None:
    build_context(Settings.from_env(stack.settings_env))  # bind this process to the stack's table
    user = register(api, "meera@example.com")
    token = sign_in(api, "meera@example.com").json()["access_token"]
    assert api.get("/api/me", headers=bearer(token)).status_code == 200
    admin_id = service.create_admin(email="chief@example.com", name="Chief", password="lead-the-team-77")
    admin_token = sign_in(api, "chief@example.com", "lead-the-team-77").json()["access_token"]

    done = api.post(
        f"/api/admin/users/{user['id']}/deactivate",
        json={"reason": "Asked us to close it"},
        headers=bearer(admin_token),
    )

    assert done.status_code == 200, done.text
    assert api.get("/api/me", headers=bearer(token)).status_code == 403  # the next call, no cache
    refused = sign_in(api, "meera@example.com")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "account_deactivated")
    log = api.get("/api/admin/audit", params={"target": user["id"]}, headers=bearer(admin_token))
    assert log.status_code == 200
    [entry] = log.json()["items"]
    assert (entry["action"], entry["actor_id"], entry["reason"]) == (
        "user.deactivate",
        admin_id,
        "Asked us to close it",
    )


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_learners_and_mentors_get_403_from_every_new_admin_route(api: httpx.Client, role: str) -> None:
    extra = {"headline": "Teaches Go", "expertise": ["Go"]} if role == "mentor" else {}
    me = register(api, f"{role}-{uuid.uuid4().hex[:6]}@example.com", role=role, **extra)
    other = register(api, f"other-{uuid.uuid4().hex[:6]}@example.com")
    token = sign_in(api, me["email"]).json()["access_token"]
    target = f"/api/admin/users/{other['id']}"
    calls = [
        api.patch(target, json={"headline": "x"}, headers=bearer(token)),
        api.post(f"{target}/deactivate", json={"reason": "because"}, headers=bearer(token)),
        api.post(f"{target}/activate", json={"reason": "because"}, headers=bearer(token)),
        api.post(f"{target}/verify", json={}, headers=bearer(token)),
        api.put(f"{target}/role", json={"role": "mentor", "reason": "because"}, headers=bearer(token)),
        api.get("/api/admin/audit", headers=bearer(token)),
    ]
    assert [reply.status_code for reply in calls] == [403] * len(calls)


def admin_routes() -> list[tuple[str, str]]:
    """Every (METHOD, path) under /api/admin in the template, path parameters filled with an id."""
    routes = {
        (str(props["Method"]).upper(), re.sub(r"\{[^}]+\}", "01HZZZZZZZZZZZZZZZZZZZZZZZ", str(props["Path"])))
        for _spec, _name, props in Template.load().events_of_type("Api")
        if str(props.get("Path", "")).startswith("/api/admin")
    }
    return sorted(routes)


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_learners_and_mentors_get_403_from_every_admin_route_in_the_template(
    api: httpx.Client, role: str
) -> None:
    # Whatever the route and whatever the body: the role is refused before anything else is read.
    extra = {"headline": "Teaches Go", "expertise": ["Go"]} if role == "mentor" else {}
    me = register(api, f"{role}-{uuid.uuid4().hex[:6]}@example.com", role=role, **extra)
    token = sign_in(api, me["email"]).json()["access_token"]
    routes = admin_routes()
    assert len(routes) > 30  # users, audit, sessions, money, email, reports, assistant, data requests

    answers = {
        f"{method} {path}": api.request(
            method, path, json={} if method != "GET" else None, headers=bearer(token)
        )
        for method, path in routes
    }

    refused = {route: reply.status_code for route, reply in answers.items() if reply.status_code != 403}
    assert refused == {}
    assert {reply.json()["error"]["code"] for reply in answers.values()} == {"forbidden"}
