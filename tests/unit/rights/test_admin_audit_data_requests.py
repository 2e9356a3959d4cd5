"""An admin completing a data request is audited in the same transaction; the person's own completion
is not an admin action and writes no entry."""

from __future__ import annotations

import pytest

from peerlearn.context import Context
from peerlearn.errors import Conflict
from peerlearn.rights import requests
from peerlearn.store.audit import AUDIT_PK, AuditItem
from peerlearn.store.rights import (
    DataRequestItem,
    data_request_pk,
    data_requests_by_status_gsi1pk,
    user_data_requests_gsi2pk,
)

ADMIN_ID = "01JDQ4Z3N0R1C5X8H2P7M9ADMN"
PERSON_ID = "01JDQ4Z3N0R1C5X8H2P7M9T4QB"


def waiting(request_id: str) -> DataRequestItem:
    item = DataRequestItem(
        data_request_pk(request_id),
        "DATAREQUEST",
        id=request_id,
        user_id=PERSON_ID,
        kind="deletion",
        status="waiting_admin",
        requested_at="2026-11-29T10:00:00Z",
        waiting_for="a withdrawal",
        gsi1pk=data_requests_by_status_gsi1pk("waiting_admin"),
        gsi1sk=f"2026-11-29T10:00:00Z#{request_id}",
        gsi2pk=user_data_requests_gsi2pk(PERSON_ID),
        gsi2sk=f"2026-11-29T10:00:00Z#{request_id}",
    )
    item.save()
    return item


def entries() -> list[AuditItem]:
    return list(AuditItem.query(AUDIT_PK, scan_index_forward=False))


def test_an_admins_completion_is_audited_once_and_the_persons_own_is_not(ctx: Context) -> None:
    first = waiting("r1")
    stale = requests.get("r1")

    requests.mark_completed(first, by=ADMIN_ID, summary="done")
    with pytest.raises(Conflict):
        requests.mark_completed(stale, by=ADMIN_ID)  # a second admin's click
    requests.mark_completed(waiting("r2"), by="self", summary="done")

    assert (first.status, first.completed_by) == ("completed", ADMIN_ID)  # the item passed is current
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "data_request.complete",
        ADMIN_ID,
        "data_request",
        "r1",
    )
    assert (entry.before, entry.after) == (
        {"status": "waiting_admin"},
        {"status": "completed", "kind": "deletion", "user_id": PERSON_ID},
    )
