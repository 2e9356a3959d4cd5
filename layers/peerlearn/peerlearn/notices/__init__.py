"""Who is told what, when something changes: the stream's changes turned into notices for the people
concerned, the session reminders, and admin broadcasts. Delivery itself is peerlearn.notify.

`on_change` is the stream consumer's one call (peerlearn.events), after the domain's own reaction to
the same record: notices are written from the change itself, so whichever path made the change
(a request, a webhook, a job, a replayed record), people hear of it once.
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn.context import Context
from peerlearn.notices import broadcasts, changes, reminders
from peerlearn.notify.deliver import deliver_all

logger = logging.getLogger(__name__)


def on_change(ctx: Context, event: str, old: dict[str, Any], new: dict[str, Any]) -> int:
    """Notices, reminders and broadcast pages for one stream record; the notices delivered."""
    entity = str((new or old).get("entity"))
    if entity == "SESSION" and _schedule_changed(event, old, new):
        reminders.sync_session(str((new or old)["id"]))
    if entity == "BROADCAST" and event in ("INSERT", "MODIFY") and new:
        return broadcasts.send_next_page(ctx, new)
    return deliver_all(ctx, changes.notices_for(old, new))


def _schedule_changed(event: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A session scheduled, moved, cancelled, started or gone: its reminders follow."""
    if event in ("INSERT", "REMOVE"):
        return True
    return old.get("starts_at") != new.get("starts_at") or old.get("status") != new.get("status")
