"""People's data requests (an export of everything about them, or the deletion of their account):
one item per request, pk `DATAREQUEST#<id>`, sk `DATAREQUEST`.

Access patterns: one request -> GetItem; the admins' list by status, newest first -> Query gsi1
`DATAREQUESTS#<status>` backwards (gsi1sk `<requested_at>#<id>`); a person's own requests (their
export lists them) -> Query gsi2 `USER_DATAREQUESTS#<user id>`. The item names the person by id only,
so it outlives their erasure without tying the record to a name.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from peerlearn.store.base import BaseItem, Gsi1, Gsi2

DATA_REQUEST_SK = "DATAREQUEST"
DATA_REQUEST_STATUSES = ("waiting_admin", "completed")


def data_request_pk(request_id: str) -> str:
    return f"DATAREQUEST#{request_id}"


def data_requests_by_status_gsi1pk(status: str) -> str:
    return f"DATAREQUESTS#{status}"


def user_data_requests_gsi2pk(user_id: str) -> str:
    return f"USER_DATAREQUESTS#{user_id}"


class DataRequestItem(BaseItem, discriminator="DATAREQUEST"):
    """Who asked for what and when, and how it ended (`waiting_admin` while a step needs an admin)."""

    id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # export | deletion
    status = UnicodeAttribute()  # waiting_admin | completed
    requested_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    completed_by = UnicodeAttribute(null=True)  # "self", or the admin's id
    waiting_for = UnicodeAttribute(null=True)  # what the admin must settle first
    summary = UnicodeAttribute(null=True)  # what was done, in numbers (no personal data)
    gsi1pk = UnicodeAttribute()  # DATAREQUESTS#<status>
    gsi1sk = UnicodeAttribute()  # <requested_at>#<id>
    gsi2pk = UnicodeAttribute()  # USER_DATAREQUESTS#<user id>
    gsi2sk = UnicodeAttribute()  # <requested_at>#<id>
    by_status = Gsi1()
    by_user = Gsi2()


RIGHTS_MODELS: tuple[type[BaseItem], ...] = (DataRequestItem,)
