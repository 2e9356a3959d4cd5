"""The admins' audit log: every admin action adds one entry in the same transaction as its change, so
there is never a change without its entry nor an entry without its change. No code updates or
deletes an entry (each is written with `attribute_not_exists`), and no route offers to. So an entry
holds no personal data (a person's erasure could not remove it): before/after carry states, amounts
and ids, and a changed name or bio is named in `fields` without its value.

Access patterns (item layout in `store.audit`):

| pattern                                  | key condition                                   | index |
|------------------------------------------|-------------------------------------------------|-------|
| the whole log, newest first              | pk = AUDIT, scan backwards                      | table |
| what was done to one target, newest first| gsi1pk = AUDIT_TARGET#<id>, scan backwards      | gsi1  |
| what one admin did, newest first         | gsi2pk = AUDIT_ACTOR#<id>, scan backwards       | gsi2  |
| one admin's actions on one target        | the target's Query, filter actor_id = <admin>   | gsi1  |
| one action (of any of the above)         | that Query, filter action = <action>, one page  | any   |
"""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from peerlearn import ids
from peerlearn.shapes import Shape
from peerlearn.store.audit import (
    AUDIT_PK,
    AuditItem,
    audit_actor_gsi2pk,
    audit_sk,
    audit_target_gsi1pk,
)
from peerlearn.store.paging import one_page, page

# Never copied into an entry's before/after, whatever a caller passes.
_SECRET_FIELDS = frozenset({"password_hash", "token_version", "token_hash", "previous_hash"})


class AuditEntry(Shape):
    id: str
    at: str
    actor_id: str
    action: str
    target_type: str
    target_id: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: list[str] = []  # every field the action changed, personal ones included (by name only)


class AuditPage(Shape):
    items: list[AuditEntry]
    next_cursor: str | None


def _without_secrets(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {field: value for field, value in values.items() if field not in _SECRET_FIELDS}


def entry(
    *,
    at: str,
    actor_id: str,
    action: str,
    target_type: str,
    target_id: str,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    fields: list[str] | None = None,
) -> AuditItem:
    """A new entry (not yet written): `record(tx, entry(...))` adds it to the change's transaction."""
    entry_id = ids.new_id()
    sk = audit_sk(at, entry_id)
    return AuditItem(
        AUDIT_PK,
        sk,
        id=entry_id,
        at=at,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        before=_without_secrets(before),
        after=_without_secrets(after),
        fields=fields or None,
        gsi1pk=audit_target_gsi1pk(target_id),
        gsi1sk=sk,
        gsi2pk=audit_actor_gsi2pk(actor_id),
        gsi2sk=sk,
    )


def record(tx: TransactWrite, item: AuditItem) -> None:
    """Adds the entry to `tx`: written only if the change is, and never over an existing entry."""
    tx.save(item, condition=AuditItem.pk.does_not_exist())


def _shape(item: AuditItem) -> AuditEntry:
    return AuditEntry(
        id=item.id,
        at=item.at,
        actor_id=item.actor_id,
        action=item.action,
        target_type=item.target_type,
        target_id=item.target_id,
        reason=item.reason,
        before=item.before,
        after=item.after,
        fields=list(item.fields or []),
    )


def list_entries(
    *, target: str | None, actor: str | None, limit: int, cursor: str | None, action: str | None = None
) -> AuditPage:
    """Newest first; by target (and actor), by actor, or the whole log. Queries only.

    `action` keeps the entries of one action: a filter on the same Query that reads at most `limit`
    entries per page and answers the matches among them (perhaps none, with the cursor to read on),
    so a rare action never makes one request read the whole log."""

    def run(start: dict[str, Any] | None) -> Any:
        conditions = []
        if target and actor:
            conditions.append(AuditItem.actor_id == actor)
        if action:
            conditions.append(AuditItem.action == action)
        condition = None
        for each in conditions:
            condition = each if condition is None else condition & each
        common: dict[str, Any] = {
            "scan_index_forward": False,
            "last_evaluated_key": start,
            "filter_condition": condition,
            **({"page_size": limit} if action else {"limit": limit}),
        }
        if target:
            return AuditItem.by_target.query(audit_target_gsi1pk(target), **common)
        if actor:
            return AuditItem.by_actor.query(audit_actor_gsi2pk(actor), **common)
        return AuditItem.query(AUDIT_PK, **common)

    items, next_cursor = one_page(run, AuditItem, cursor) if action else page(run, cursor)
    return AuditPage(items=[_shape(item) for item in items], next_cursor=next_cursor)
