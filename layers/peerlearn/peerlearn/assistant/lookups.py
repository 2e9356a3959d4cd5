"""The assistant's look-ups of people and sessions: the least personal data that answers.

| what | key condition | index |
|---|---|---|
| users by name or email | gsi1pk = ROLE#<role>, filter on the search text, newest first | gsi1 |
| an audience's size | gsi1pk = ROLE#<role>, filter not banned/deactivated/deleted (COUNT) | gsi1 |
| sessions starting soon | open = OPEN, starts_at between now and now + hours | open_by_start |
| a session's bookings | pk = SESSION#<id>, sk begins_with BOOKING# | table |
"""

from __future__ import annotations

from typing import Any

from peerlearn import clock, timeutil
from peerlearn.accounts import admin
from peerlearn.store.keys import BOOKING_PREFIX, OPEN, role_gsi1pk, session_pk
from peerlearn.store.models import BookingItem, SessionItem, UserItem

_ROLES = {"everyone": ("learner", "mentor", "admin"), "learners": ("learner",), "mentors": ("mentor",)}
_MATCHES = 5


def mask_email(email: str) -> str:
    """a•••@example.com: enough to tell two people apart, not enough to write to them."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def find_users(*, query: str, role: str | None, reveal_email: bool) -> dict[str, Any]:
    """Up to five matches: id, name, role, masked email (whole only for a single match when asked)."""
    page = admin.list_users(media_base_url="", q=query, role=role, limit=_MATCHES, cursor=None)
    single = len(page.items) == 1
    rows = [
        {
            "id": user.id,
            "name": user.name,
            "role": user.role,
            "email": user.email if (single and reveal_email) else mask_email(user.email),
            "banned": user.banned,
            "joined_at": user.created_at,
        }
        for user in page.items
    ]
    listed = "; ".join(f"{r['name']} ({r['role']}, {r['email']}, id {r['id']})" for r in rows)
    more = " (more match: ask more precisely)" if page.next_cursor else ""
    summary = f"{len(rows)} users match {query!r}{more}" + (f": {listed}." if rows else ".")
    return {"query": query, "users": rows, "more": page.next_cursor is not None, "summary": summary}


# Who a bulk email reaches: not banned, not deactivated, not erased. `<> True` rather than `== False`:
# a user item written before `deactivated` existed has no such attribute and is active.
REACHABLE = (
    (UserItem.banned != True)  # noqa: E712
    & (UserItem.deactivated != True)  # noqa: E712
    & UserItem.deleted_at.does_not_exist()
)


def audience_size(segment: str) -> int:
    return sum(
        int(UserItem.by_role.count(role_gsi1pk(role), filter_condition=REACHABLE)) for role in _ROLES[segment]
    )


def draft_email(*, segment: str, topic: str, subject: str | None, body: str | None) -> dict[str, Any]:
    """A draft for the admin to review on the Bulk email page: never sent from here."""
    recipients = audience_size(segment)
    subject = subject or f"PeerLearn: {topic.strip().rstrip('.')[:100]}"
    body = body or (
        "Hi {{first_name}},\n\n"
        f"{topic.strip()}\n\n"
        "See what's coming up on PeerLearn: {{web_url}}\n\n"
        "- The PeerLearn team"
    )
    return {
        "segment": segment,
        "recipients": recipients,
        "subject": subject,
        "body": body,
        "sent": False,
        "summary": (
            f"Draft for {segment} ({recipients} recipients): subject {subject!r}. Not sent: review it "
            "and send it from the admin site's Bulk email page (unsubscribes are honoured there)."
        ),
    }


def sessions_at_risk(*, hours: int, limit: int) -> dict[str, Any]:
    """Scheduled sessions starting within `hours` that may not happen as planned: nobody has a
    confirmed seat, seats are held but unpaid, or few of the seats are taken."""
    now = clock.now_seconds()
    start, end = timeutil.iso_from_epoch(now), timeutil.iso_from_epoch(now + hours * 3600)
    rows: list[dict[str, Any]] = []
    upcoming = SessionItem.open_by_start.query(
        OPEN, SessionItem.starts_at.between(start, end), filter_condition=SessionItem.status == "scheduled"
    )
    for examined, session in enumerate(upcoming):
        if examined >= 100 or len(rows) >= limit:
            break
        bookings = list(BookingItem.query(session_pk(session.id), BookingItem.sk.startswith(BOOKING_PREFIX)))
        confirmed = sum(1 for b in bookings if b.status == "confirmed")
        held = sum(1 for b in bookings if b.status == "held")
        capacity = int(session.capacity)
        reasons = []
        if confirmed == 0:
            reasons.append("no confirmed learners")
        if held:
            reasons.append(f"{held} seats held but not paid")
        if confirmed and capacity >= 4 and confirmed * 4 < capacity:
            reasons.append(f"only {confirmed} of {capacity} seats taken")
        if reasons:
            rows.append(
                {
                    "session_id": session.id,
                    "title": session.title,
                    "mentor_name": session.mentor_name,
                    "starts_at": session.starts_at,
                    "confirmed": confirmed,
                    "held": held,
                    "capacity": capacity,
                    "reasons": reasons,
                }
            )
    listed = "; ".join(f"{r['title']} at {r['starts_at']}: {', '.join(r['reasons'])}" for r in rows)
    summary = f"{len(rows)} sessions in the next {hours} hours look at risk" + (
        f": {listed}." if rows else "."
    )
    return {"hours": hours, "sessions": rows, "summary": summary}
