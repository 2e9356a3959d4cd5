"""/api/notifications/*: a person's notifications (newest first), the unread count, marking read,
and their preferences. After a read changes the count, the person's other tabs hear it live."""

from __future__ import annotations

import logging
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.api import SECURED, CallerDep
from peerlearn.notify import inbox, live, preferences
from peerlearn.notify.schemas import NotificationPage, PreferencesOut, PreferencesUpdate, UnreadOut

logger = logging.getLogger(__name__)
router = Router()

Limit = Annotated[int, Query(ge=1, le=50)]
Cursor = Annotated[str | None, Query(max_length=512)]
TAGS = ["notifications"]


def _tell_tabs(user_id: str, unread: int) -> UnreadOut:
    try:
        live.push_to_user(user_id, {"type": "unread", "unread": unread})
    except Exception:  # the count is also in every answer; a tab that missed this catches up
        logger.exception("live push of the unread count failed")
    return UnreadOut(unread=unread)


@router.get("/api/notifications", summary="Your notifications, newest first", tags=TAGS, security=SECURED)
def list_notifications(who: CallerDep, limit: Limit = 20, cursor: Cursor = None) -> NotificationPage:
    return NotificationPage.model_validate(inbox.list_page(who.user_id, limit=limit, cursor=cursor))


@router.get("/api/notifications/unread", summary="How many are unread", tags=TAGS, security=SECURED)
def unread_count(who: CallerDep) -> UnreadOut:
    return UnreadOut(unread=inbox.unread(who.user_id))


@router.post(
    "/api/notifications/read-all", summary="Mark all your notifications read", tags=TAGS, security=SECURED
)
def read_all(who: CallerDep) -> UnreadOut:
    return _tell_tabs(who.user_id, inbox.mark_all_read(who.user_id))


@router.post(
    "/api/notifications/<notification_id>/read",
    summary="Mark one notification read",
    tags=TAGS,
    security=SECURED,
)
def read_one(notification_id: str, who: CallerDep) -> UnreadOut:
    return _tell_tabs(who.user_id, inbox.mark_read(who.user_id, notification_id))


@router.get(
    "/api/notifications/preferences",
    summary="Which channels each kind of notification uses, and your quiet hours",
    tags=TAGS,
    security=SECURED,
)
def get_preferences(who: CallerDep) -> PreferencesOut:
    return PreferencesOut.model_validate(preferences.view(who.user_id))


@router.put(
    "/api/notifications/preferences",
    summary="Change channels per category and your quiet hours (only what is sent)",
    tags=TAGS,
    security=SECURED,
)
def put_preferences(body: PreferencesUpdate, who: CallerDep) -> PreferencesOut:
    channels = {
        name: choices.model_dump(exclude_none=True) for name, choices in (body.channels or {}).items()
    }
    quiet = body.quiet_hours.model_dump(exclude_none=True) if body.quiet_hours else None
    return PreferencesOut.model_validate(
        preferences.change(who.user_id, channels=channels, quiet_hours=quiet)
    )
