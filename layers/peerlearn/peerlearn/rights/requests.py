"""The record of each data request (who, what, when, how it ended) and the admins' view of them.

Access patterns (store.rights): by status newest first -> Query gsi1 `DATAREQUESTS#<status>`; a
person's own -> Query gsi2 `USER_DATAREQUESTS#<id>`; one -> GetItem. Never a Scan.
"""

from __future__ import annotations

import heapq
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import audit, clock, ids, store
from peerlearn.errors import Conflict, NotFound
from peerlearn.rights.schemas import DataRequestOut, DataRequestPage
from peerlearn.store.rights import (
    DATA_REQUEST_SK,
    DATA_REQUEST_STATUSES,
    DataRequestItem,
    data_request_pk,
    data_requests_by_status_gsi1pk,
    user_data_requests_gsi2pk,
)


def to_out(item: DataRequestItem) -> DataRequestOut:
    return DataRequestOut(
        id=item.id,
        user_id=item.user_id,
        kind=item.kind,
        status=item.status,
        requested_at=item.requested_at,
        completed_at=item.completed_at,
        completed_by=item.completed_by,
        waiting_for=item.waiting_for,
        summary=item.summary,
    )


def record(
    user_id: str,
    kind: str,
    *,
    status: str = "completed",
    summary: str | None = None,
    waiting_for: str | None = None,
    admin_id: str | None = None,
    reason: str | None = None,
) -> DataRequestItem:
    """The request as made; made by an admin for the person (`admin_id`), it is written in one
    transaction with its audit entry."""
    now = clock.iso(clock.now_seconds())
    request_id = ids.new_id()
    item = DataRequestItem(
        data_request_pk(request_id),
        DATA_REQUEST_SK,
        id=request_id,
        user_id=user_id,
        kind=kind,
        status=status,
        requested_at=now,
        completed_at=now if status == "completed" else None,
        completed_by="self" if status == "completed" else None,
        waiting_for=waiting_for,
        summary=summary,
        gsi1pk=data_requests_by_status_gsi1pk(status),
        gsi1sk=f"{now}#{request_id}",
        gsi2pk=user_data_requests_gsi2pk(user_id),
        gsi2sk=f"{now}#{request_id}",
    )
    if admin_id is None:
        item.save(condition=DataRequestItem.pk.does_not_exist())
        return item
    entry = audit.entry(
        at=now,
        actor_id=admin_id,
        action=f"user.{kind}",
        target_type="user",
        target_id=user_id,
        reason=reason,
        after={"data_request_id": request_id, "kind": kind},
    )
    with store.transaction() as tx:
        tx.save(item, condition=DataRequestItem.pk.does_not_exist())
        audit.record(tx, entry)
    return item


def of_user(user_id: str) -> list[DataRequestItem]:
    return list(DataRequestItem.by_user.query(user_data_requests_gsi2pk(user_id)))


def get(request_id: str) -> DataRequestItem:
    try:
        return DataRequestItem.get(data_request_pk(request_id), DATA_REQUEST_SK, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such data request.") from exc


def list_requests(*, status: str | None, limit: int) -> DataRequestPage:
    """Newest first; without a status, both lists merged (waiting ones are few, so the merge is cheap)."""
    per_status = [
        list(
            DataRequestItem.by_status.query(
                data_requests_by_status_gsi1pk(each), scan_index_forward=False, limit=limit
            )
        )
        for each in ([status] if status else DATA_REQUEST_STATUSES)
    ]
    merged = list(heapq.merge(*per_status, key=lambda item: item.gsi1sk, reverse=True))[:limit]
    return DataRequestPage(items=[to_out(item) for item in merged])


def mark_completed(item: DataRequestItem, *, by: str, summary: str | None = None) -> DataRequestItem:
    """waiting_admin -> completed, once (a second admin's click finds it done: 409)."""
    now = clock.iso(clock.now_seconds())
    actions: list[Any] = [
        DataRequestItem.status.set("completed"),
        DataRequestItem.completed_at.set(now),
        DataRequestItem.completed_by.set(by),
        DataRequestItem.waiting_for.remove(),
        DataRequestItem.gsi1pk.set(data_requests_by_status_gsi1pk("completed")),
    ]
    if summary:
        actions.append(DataRequestItem.summary.set(summary))
    done_already = Conflict("This request is already completed.", code="already_completed")
    with store.failed_condition_raises(done_already), store.transaction() as tx:
        tx.update(item, actions=actions, condition=DataRequestItem.status == "waiting_admin")
        if by != "self":  # an admin finished it: audited with the change it makes
            audit.record(
                tx,
                audit.entry(
                    at=now,
                    actor_id=by,
                    action="data_request.complete",
                    target_type="data_request",
                    target_id=item.id,
                    before={"status": item.status},
                    after={"status": "completed", "kind": item.kind, "user_id": item.user_id},
                ),
            )
    item.refresh(consistent_read=True)  # a transaction returns nothing: callers read the item they passed
    return item


def still_waiting(item: DataRequestItem, *, summary: str, waiting_for: str) -> DataRequestItem:
    """A deletion done as far as it can go without an admin: says what it waits for."""
    item.update(actions=[DataRequestItem.summary.set(summary), DataRequestItem.waiting_for.set(waiting_for)])
    return item
