"""Reading one session item: the lookup every domain above the catalog shares."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from peerlearn import ids
from peerlearn.errors import NotFound
from peerlearn.store.keys import SESSION_SK, session_pk
from peerlearn.store.models import SessionItem


def get_session_item(session_id: str, *, consistent: bool = False) -> SessionItem:
    if not ids.is_id(session_id):
        raise NotFound("No such session.")
    try:
        return SessionItem.get(session_pk(session_id), SESSION_SK, consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such session.") from exc
