"""Items of the admins' audit log (peerlearn.audit): one item per admin action, written in the same
transaction as the change it records, never updated or deleted.

- AUDIT: pk AUDIT, sk <at>#<id> (every entry, newest last: the whole log is one Query, newest first).
  gsi1pk AUDIT_TARGET#<target id>, gsi1sk = sk: what was done to one person or thing.
  gsi2pk AUDIT_ACTOR#<admin id>, gsi2sk = sk: what one admin did.
  Admin actions are a few a minute at most, far below one partition's write capacity, so one
  partition holds the whole log and IAM can deny deleting under it by its leading key.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem, Gsi1, Gsi2

AUDIT_PK = "AUDIT"


def audit_sk(at: str, entry_id: str) -> str:
    return f"{at}#{entry_id}"


def audit_target_gsi1pk(target_id: str) -> str:
    return f"AUDIT_TARGET#{target_id}"


def audit_actor_gsi2pk(actor_id: str) -> str:
    return f"AUDIT_ACTOR#{actor_id}"


class AuditItem(BaseItem, discriminator="AUDIT"):
    id = UnicodeAttribute()
    at = UnicodeAttribute()
    actor_id = UnicodeAttribute()  # the admin
    action = UnicodeAttribute()  # "user.ban", "user.role_change", ...
    target_type = UnicodeAttribute()  # "user", ...
    target_id = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    before = JSONAttribute(null=True)  # the changed fields as they were (never secrets nor personal data)
    after = JSONAttribute(null=True)  # and as they became
    fields = ListAttribute(
        of=UnicodeAttribute, null=True
    )  # every changed field by name (values may be personal)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    by_target = Gsi1()
    by_actor = Gsi2()


AUDIT_MODELS: tuple[type[BaseItem], ...] = (AuditItem,)
