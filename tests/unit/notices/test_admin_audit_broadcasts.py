"""A broadcast is audited in the same transaction as it is queued: who sent what to whom; a refused
one (a learner, a bad request) writes no entry."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from peerlearn import ids
from peerlearn.accounts import service
from peerlearn.context import Context
from peerlearn.store.audit import AUDIT_PK, AuditItem
from tests.support import call, load_function, rest_event
from tests.unit.sessions_support import person


@pytest.fixture
def admin_id(ctx: Context) -> str:
    return service.create_admin(email="root@example.com", name="Root Admin", password="admin-password-99")


@pytest.fixture
def admin_fn(ctx: Context) -> ModuleType:
    return load_function("admin")


def entries() -> list[AuditItem]:
    return list(AuditItem.query(AUDIT_PK, scan_index_forward=False))


def test_a_broadcast_is_audited_and_a_refused_one_is_not(admin_fn: ModuleType, admin_id: str) -> None:
    learners = [person() for _ in range(2)]

    def post(body: Any, role: str = "admin", who: str = admin_id) -> Any:
        if isinstance(body, dict):
            body = {"request_id": ids.new_id(), **body}
        event = rest_event("POST", "/api/admin/broadcasts", body, identity={"user_id": who, "role": role})
        return call(admin_fn, event)

    refused = post(
        {"audience": "learners", "title": "Hi", "body": "x"}, role="learner", who=learners[0].user_id
    )
    bad = post({"audience": "session", "title": "Hi", "body": "x"})
    made = post({"audience": "learners", "title": "New sessions", "body": "Hello all"})

    assert (refused.status, bad.status, made.status) == (403, 400, 202)  # 202: queued, the stream sends it
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "broadcast.send",
        admin_id,
        "broadcast",
        made.body["id"],
    )
    assert entry.after == {
        "audience": "learners",
        "session_id": None,
        "title": "New sessions",
        "recipients": made.body["recipients"],
    }
